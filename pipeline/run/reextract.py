"""Re-extraction: run extractors again over stored layouts, no PDF read."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from sqlalchemy import select

from extractors.apply import run_extractors
from models import Document, ParsedLayout
from pipeline.core.document import ParsedDocument
from pipeline.core.errors import UnpipeError
from pipeline.core.settings import Settings
from pipeline.run.isolate import failure_reason, is_transient, with_db_retries
from pipeline.run.resources import ready_to_extract, store_engine, writing
from pipeline.store.db import session_scope

log = logging.getLogger(__name__)


@dataclass
class ReextractJob:
    """Extractors to run again over one stored document's layout."""

    document_id: int
    label: str
    extractors: list[str]
    language: str | None = None
    """The stored document's language: which language pipelines the batch needs loaded."""


@dataclass
class ReextractResult:
    job: ReextractJob
    status: Literal["updated", "failed"]
    counts: dict[str, int] | None = None
    """Records stored per kind; None when nothing was stored (the document is as it was)."""
    error: str | None = None


@dataclass
class ReextractReport:
    results: list[ReextractResult] = field(default_factory=list)

    @property
    def runs(self) -> Counter[str]:
        """How many documents each extractor's new output was stored for."""
        return Counter(name for r in self.results if r.counts is not None for name in r.job.extractors)

    @property
    def failures(self) -> list[ReextractResult]:
        return [r for r in self.results if r.status == "failed"]


# --- Re-extraction ---------------------------------------------------------------------------------


def plan_reextract(settings: Settings, extractors: Sequence[str] | None = None) -> list[ReextractJob]:
    """For each loaded document with a stored layout, the extractors to run again (two queries in all).

    With ``extractors`` named: those, on every document. Otherwise: every extractor whose registered
    version differs from the version of its stored output (or that has no stored output yet).
    Extractors run in catalog order, so metadata (which the others read) comes first.
    """
    from extractors.catalog import all_extractors, get_extractor
    from pipeline.store.load import latest_versions

    named = {get_extractor(name).name for name in extractors or ()}
    registry = [e for e in all_extractors() if not named or e.name in named]
    engine = store_engine(settings.resolved_database_url)
    with session_scope(engine) as session:
        documents = session.execute(
            select(Document.id, Document.symbol, Document.language)
            .join(ParsedLayout, ParsedLayout.document_id == Document.id)
            .where(Document.status == "loaded")
            .order_by(Document.id)
        ).all()
        stored = latest_versions(session)
    jobs = []
    for document_id, symbol, language in documents:
        versions = stored.get(document_id, {})
        names = [e.name for e in registry if named or versions.get(e.name) != e.version]
        if names:
            jobs.append(ReextractJob(document_id, f"{symbol or document_id} [{language or '?'}]", names, language))
    return jobs


def in_batches(jobs: Sequence[ReextractJob], size: int) -> list[list[ReextractJob]]:
    """A plan cut into batches of ``size`` documents (one Prefect task each on the flow's path)."""
    return [list(jobs[i : i + size]) for i in range(0, len(jobs), size)]


def reextract_here(jobs: Sequence[ReextractJob], settings: Settings) -> ReextractReport:
    """Run a planned re-extraction in this process, batch after batch: the flow's work without Prefect.

    Why: on a local store with no Prefect server to report to, starting Prefect's ephemeral server
    costs more CPU than re-extracting a hundred documents. Same batches, same functions, same
    transaction per document, same report as the ``reextract`` flow.
    """
    return ReextractReport([r for batch in in_batches(jobs, settings.batch_size) for r in reextract_batch(batch, settings)])


def reextract_batch(jobs: Sequence[ReextractJob], settings: Settings) -> list[ReextractResult]:
    """One Prefect task's share of a re-extraction: its documents, one after another."""
    if jobs:
        ready_to_extract(job.language for job in jobs)
    return [reextract_guarded(job, settings) for job in jobs]


def reextract_guarded(job: ReextractJob, settings: Settings) -> ReextractResult:
    """``reextract_document`` with database retries; whatever still goes wrong fails this document only
    (the transaction left it as it was)."""
    try:
        return with_db_retries(settings, lambda: reextract_document(job, settings), job.label)
    except Exception as exc:
        log.info("%s: re-extraction failed: %s", job.label, failure_reason("reextract", exc))
        return ReextractResult(job, "failed", error=failure_reason("reextract", exc))


def reextract_document(job: ReextractJob, settings: Settings) -> ReextractResult:
    """Run all the job's extractors over the stored layout in one pass and store their output in one
    transaction.

    No PDF is read. An extractor that fails keeps its earlier output (and version, so the next
    re-extraction tries it again); the others' output is swapped in. If the write fails, the
    transaction leaves the whole document as it was. Extractors read the document's symbol and kind
    from the metadata extractor's output: unless metadata itself is re-run, that context is replayed
    from the stored document.
    """
    from extractors.catalog import get_extractor
    from pipeline.store.load import replace_runs

    engine = store_engine(settings.resolved_database_url)
    try:
        with session_scope(engine) as session:
            layout = session.get(ParsedLayout, job.document_id)
            if layout is None:
                raise UnpipeError(f"document {job.document_id} has no stored layout", hint="ingest it again")
            doc = ParsedDocument.from_bytes(layout.layout)
            context = None if "metadata" in job.extractors else _stored_context(session, job.document_id)
        chosen = [get_extractor(name) for name in job.extractors]
        if context is None:
            extraction = run_extractors(doc, chosen)
        else:
            extraction = run_extractors(doc, [_Replay(context), *chosen])
        failed = [run for run in extraction.runs if run.status != "ok"]
        extraction.runs = [run for run in extraction.runs if run.status == "ok" and run.name != _Replay.name]
        with writing(engine):
            result = replace_runs(engine, job.document_id, extraction, doc)
    except Exception as exc:
        if is_transient(exc):
            raise  # tried again by reextract_guarded
        log.info("%s: re-extraction failed: %s", job.label, failure_reason("reextract", exc))
        log.debug("%s: re-extraction failed", job.label, exc_info=True)
        return ReextractResult(job, "failed", error=failure_reason("reextract", exc))
    if failed:
        done = replace(job, extractors=[run.name for run in extraction.runs])
        return ReextractResult(done, "failed", counts=result.counts, error="; ".join(run.error or run.name for run in failed))
    return ReextractResult(job, "updated", counts=result.counts)


class _Replay:
    """A stand-in for the metadata extractor that yields the stored ``DocumentInfo`` (context only)."""

    name = "__stored_metadata__"
    version = "0"

    def __init__(self, info: Any) -> None:
        self.info = info

    def extract(self, doc: ParsedDocument, context: Any) -> Iterator[Any]:
        yield self.info


def _stored_context(session: Any, document_id: int) -> Any:
    """The document information as the store holds it (what the metadata extractor found at load)."""
    from extractors.lib.records import DocumentInfo
    from models import Reference

    document = session.get(Document, document_id)
    references = session.scalars(
        select(Reference.symbol).where(Reference.document_id == document_id, Reference.extractor == "metadata")
    ).all()
    return DocumentInfo(
        symbol=document.symbol,
        language=document.language,
        kind=document.kind or "other",
        title=document.title,
        session=document.session,
        agenda_items=list(document.agenda_items or []),
        date=document.date.isoformat() if document.date else None,
        job_number=document.job_number,
        references=sorted(references),
    )
