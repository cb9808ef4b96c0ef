"""Plain data passed between the ingest stages (picklable, for process pools and Dask)."""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from typing import Literal

from extractors.apply import Extraction
from pipeline.core.document import ParsedDocument

log = logging.getLogger(__name__)

State = Literal["discovered", "fetched", "parsed", "extracted", "loaded", "unavailable", "failed"]
Stage = Literal["fetch", "parse", "extract", "load", "done"]
Outcome = Literal["pending", "loaded", "unchanged", "unavailable", "failed"]

UNKNOWN_LANGUAGE = "und"
"""Language of an inbox file whose name and folder do not say it (ISO 639-2 "undetermined")."""


# --- Plain data passed between stages -----------------------------------------------------------


@dataclass(slots=True)
class WorkItem:
    """One document in one language on its way through the stages of one run (picklable, for Dask)."""

    symbol: str
    language: str
    source: str
    url: str | None
    state: State
    """The state stored in ``ingest_items`` (kept current by every stage)."""
    next_stage: Stage = "fetch"
    """Where this run starts (or goes on) with it: resuming skips the stages whose output is kept."""
    sha256: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    attempts: int = 0
    reason: str | None = None
    path: str | None = None
    """Inbox files only: the local file."""
    job_number: str | None = None
    """ODS job number of the downloaded file (from the URL the access URL redirected to)."""
    file_name: str | None = None
    outcome: Outcome = "pending"
    """What this run did with it: ``loaded`` (new or changed), ``unchanged``, ``unavailable`` (no file in
    this language) or ``failed``."""
    pages: int = 0

    @property
    def key(self) -> tuple[str, str]:
        return self.symbol, self.language

    @property
    def label(self) -> str:
        return f"{self.symbol} [{self.language}]"


@dataclass
class Extracted:
    """An item after the extract stage, with its extractors' output (the layout stays in the cache)."""

    item: WorkItem
    extraction: Extraction | None = None
    document: ParsedDocument | None = None
    """The layout extracted from, loaded as it is: another run on the same store may remove the cached
    file once it has loaded the same document."""
    layout: bytes | None = None
    """``document`` as the layout cache holds it (``to_bytes``): the load stores these bytes instead of
    serialising the document again."""


COUNTED_ONLY: tuple[Outcome, ...] = ("unchanged", "unavailable")
"""Outcomes a run's report counts but does not keep: the bulk of a large run, with nothing to show."""

KEPT_PER_OUTCOME = 200
"""Loaded and failed items a run's report keeps of each (the first in (symbol, language) order); the
rest are counted, so a first run of 100,000 items holds a report of bounded size. ``ingest_items``
keeps every item's state and reason."""


@dataclass
class IngestReport:
    """What an ingest did: every outcome counted, the items worth showing kept (see ``compact``)."""

    items: list[WorkItem] = field(default_factory=list)
    dropped: Counter[str] = field(default_factory=Counter)
    """Items counted but not kept, by outcome (``COUNTED_ONLY``, and what ``KEPT_PER_OUTCOME`` leaves out)."""
    dropped_pages: int = 0
    """Pages parsed for the items not kept."""

    @property
    def counts(self) -> Counter[str]:
        counts: Counter[str] = Counter(item.outcome for item in self.items)
        counts.update(self.dropped)
        return counts

    @property
    def total(self) -> int:
        return len(self.items) + sum(self.dropped.values())

    @property
    def failures(self) -> list[WorkItem]:
        """The failed items kept; ``more_failures`` are only counted."""
        return [item for item in self.items if item.outcome == "failed"]

    @property
    def more_failures(self) -> int:
        """Failed items beyond those kept (their reasons are in ``ingest_items``)."""
        return self.dropped["failed"]

    @property
    def pages(self) -> int:
        """Pages parsed in this run (documents skipped as unchanged count nothing)."""
        return sum(item.pages for item in self.items) + self.dropped_pages

    def summary_line(self) -> str:
        """The one line ``unpipe ingest``, ``unpipe run`` and the run's Prefect artifact all print."""
        counts = self.counts
        unavailable = f", {counts['unavailable']} not available in that language" if counts["unavailable"] else ""
        return (f"{self.total} document(s): {counts['loaded']} loaded, {counts['unchanged']} unchanged, "
                f"{counts['failed']} failed{unavailable}; {self.pages} page(s) parsed")

    def compact(self) -> IngestReport:
        """The report with its unchanged and unavailable items counted, not kept, and at most
        ``KEPT_PER_OUTCOME`` loaded and failed ones kept (the first in (symbol, language) order): a run
        of 100,000 items then holds (and shows Prefect) a report of bounded size."""
        kept: list[WorkItem] = []
        dropped = Counter(self.dropped)
        dropped_pages = self.dropped_pages
        per_outcome: Counter[str] = Counter()
        for item in sorted(self.items, key=lambda i: i.key):
            per_outcome[item.outcome] += 1
            if item.outcome in COUNTED_ONLY or per_outcome[item.outcome] > KEPT_PER_OUTCOME:
                dropped[item.outcome] += 1
                dropped_pages += item.pages
            else:
                kept.append(item)
        return IngestReport(kept, dropped, dropped_pages)

    @classmethod
    def merge(cls, reports: list[IngestReport]) -> IngestReport:
        """One compact report of a run's batches, items in (symbol, language) order. A flow folds each
        batch's report in as it ends (``merge([so_far, batch])``), so it never holds them all."""
        items = [item for report in reports for item in report.items]
        dropped = sum((report.dropped for report in reports), Counter())
        return cls(items, dropped, sum(report.dropped_pages for report in reports)).compact()
