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


COUNTED_ONLY: tuple[Outcome, ...] = ("unchanged", "unavailable")
"""Outcomes a run's report counts but does not keep: the bulk of a large run, with nothing to show."""


@dataclass
class IngestReport:
    """What an ingest did, item by item (a run's unchanged and unavailable items only counted: see ``compact``)."""

    items: list[WorkItem] = field(default_factory=list)
    dropped: Counter[str] = field(default_factory=Counter)
    """Items counted but not kept, by outcome (``COUNTED_ONLY``)."""

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
        return [item for item in self.items if item.outcome == "failed"]

    @property
    def pages(self) -> int:
        """Pages parsed in this run (documents skipped as unchanged count nothing)."""
        return sum(item.pages for item in self.items)

    def summary_line(self) -> str:
        """The one line ``unpipe ingest``, ``unpipe run`` and the run's Prefect artifact all print."""
        counts = self.counts
        unavailable = f", {counts['unavailable']} not available in that language" if counts["unavailable"] else ""
        return (f"{self.total} document(s): {counts['loaded']} loaded, {counts['unchanged']} unchanged, "
                f"{counts['failed']} failed{unavailable}; {self.pages} page(s) parsed")

    def compact(self) -> IngestReport:
        """The report with its unchanged and unavailable items counted, not kept: a run of 100,000 items
        that mostly need nothing then holds (and shows Prefect) only the few that changed or failed."""
        kept = [item for item in self.items if item.outcome not in COUNTED_ONLY]
        dropped = self.dropped + Counter(item.outcome for item in self.items if item.outcome in COUNTED_ONLY)
        return IngestReport(kept, dropped)

    @classmethod
    def merge(cls, reports: list[IngestReport]) -> IngestReport:
        """One report of a run's batches, items in (symbol, language) order."""
        items = sorted((item for report in reports for item in report.items), key=lambda i: i.key)
        return cls(items, sum((report.dropped for report in reports), Counter()))
