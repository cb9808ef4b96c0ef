"""The ingest and re-extract stages as plain functions; ``flows/`` wraps each one in a Prefect task.

Why a separate module: the stages must be callable (and testable) without Prefect, and every one of
them takes and returns plain, picklable data (``WorkItem``, ``Extracted``, ``ReextractJob``) plus a
``Settings`` object, never an engine or a session, so the same code runs in threads, in a process
pool or on Dask workers.

Crash safety comes from the ``ingest_items`` table, not from Prefect: every stage records where a
document stands (``discovered`` → ``fetched`` → ``parsed`` → ``extracted`` → ``loaded``, or
``failed`` with a reason) after its durable output exists:

- ``fetched``: the PDF is in the content-addressed file store under ``sha256``;
- ``parsed``: its layout is in the layout cache (``<data_dir>/layouts``, gzip JSON, keyed by
  content hash and parser version), so a resumed run neither downloads nor parses it again;
- ``extracted``: extraction is cheap and not kept, a resumed run re-extracts from the cached layout;
- ``loaded``: the store holds it (``load_document`` is idempotent, so a crash between the load's
  commit and this state update cannot load a document twice: the rerun finds it ``unchanged``).

A second run sends conditional requests with the stored ``etag``/``last_modified``; a 304 (or the
same bytes again) for a document already loaded with the current parser changes nothing.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import multiprocessing
import os
import tempfile
import threading
from collections import Counter
from collections.abc import Iterator, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import Engine, select

from models import Document, IngestItem, ParsedLayout
from pipeline.db import make_engine, prepare_store, session_scope
from pipeline.document import ParsedDocument
from pipeline.errors import BadInputError, FetchError, RetryableFetchError, UnpipeError
from pipeline.extract import Extraction, run_extractors
from pipeline.fetch import Fetcher, FetchResult, ods_url
from pipeline.filestore import default_store, safe_filename
from pipeline.settings import Settings, get_settings

log = logging.getLogger(__name__)

State = Literal["discovered", "fetched", "parsed", "extracted", "loaded", "failed"]
Stage = Literal["fetch", "parse", "extract", "load", "done"]
Outcome = Literal["pending", "loaded", "unchanged", "failed"]

UNKNOWN_LANGUAGE = "und"
"""Language of an inbox file whose name and folder do not say it (ISO 639-2 "undetermined")."""


# --- Plain data passed between stages -----------------------------------------------------------


@dataclass
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
    outcome: Outcome = "pending"
    """What this run did with it: ``loaded`` (new or changed), ``unchanged`` or ``failed``."""
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


@dataclass
class IngestReport:
    """What an ingest run did, item by item."""

    items: list[WorkItem] = field(default_factory=list)

    @property
    def counts(self) -> Counter[str]:
        return Counter(item.outcome for item in self.items)

    @property
    def failures(self) -> list[WorkItem]:
        return [item for item in self.items if item.outcome == "failed"]

    @property
    def pages(self) -> int:
        """Pages parsed in this run (documents skipped as unchanged count nothing)."""
        return sum(item.pages for item in self.items)


@dataclass
class ReextractJob:
    """Extractors to run again over one stored document's layout."""

    document_id: int
    label: str
    extractors: list[str]


@dataclass
class ReextractResult:
    job: ReextractJob
    status: Literal["updated", "failed"]
    counts: dict[str, int] = field(default_factory=dict)
    error: str | None = None


@dataclass
class ReextractReport:
    results: list[ReextractResult] = field(default_factory=list)

    @property
    def runs(self) -> Counter[str]:
        """How many documents each extractor ran on."""
        return Counter(name for r in self.results if r.status == "updated" for name in r.job.extractors)

    @property
    def failures(self) -> list[ReextractResult]:
        return [r for r in self.results if r.status == "failed"]


# --- Shared resources (one per process, found again by URL: tasks never receive an engine) ------


_locks_guard = threading.Lock()
_engines: dict[str, Engine] = {}


def store_engine(url: str) -> Engine:
    """The engine for a store URL, one per process (tasks on Dask workers build their own)."""
    with _locks_guard:
        engine = _engines.get(url)
        if engine is None:
            engine = _engines[url] = make_engine(url)
        return engine


_write_locks: dict[str, threading.Lock] = {}


@contextlib.contextmanager
def writing(engine: Engine) -> Iterator[None]:
    """Serialise this process's writes to a SQLite store.

    SQLite has one writer at a time and a deferred transaction that reads before it writes fails at
    once (SQLITE_BUSY, no waiting) when another thread committed in between: one lock avoids both.
    PostgreSQL needs no lock.
    """
    if engine.dialect.name != "sqlite":
        yield
        return
    key = str(engine.url)
    with _locks_guard:
        lock = _write_locks.setdefault(key, threading.Lock())
    with lock:
        yield


_fetchers: dict[str, Fetcher] = {}


def fetcher_for(settings: Settings) -> Fetcher:
    """One HTTP client per process and settings, shared by the fetch tasks (httpx clients are thread-safe)."""
    key = settings.model_dump_json()
    with _locks_guard:
        fetcher = _fetchers.get(key)
        if fetcher is None:
            fetcher = _fetchers[key] = Fetcher(settings)
        return fetcher


_pools: dict[int, ProcessPoolExecutor] = {}
_pools_guard = threading.Lock()


def parse_pool(workers: int) -> Executor:
    """The process pool that parses PDFs (CPU-bound), created on first use; see ``close_parse_pools``.

    Processes are spawned, not forked: the parent runs Prefect's threads and event loop, which a
    fork would copy in an undefined state.
    """
    with _pools_guard:
        pool = _pools.get(workers)
        if pool is None:
            pool = _pools[workers] = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"))
        return pool


def close_parse_pools() -> None:
    with _pools_guard:
        pools = list(_pools.values())
        _pools.clear()
    for pool in pools:
        pool.shutdown(wait=True, cancel_futures=True)


def release_resources() -> None:
    """Close the parse pools, HTTP clients and database engines this process keeps (tests, shutdown)."""
    close_parse_pools()
    with _locks_guard:
        fetchers = list(_fetchers.values())
        _fetchers.clear()
    for fetcher in fetchers:
        fetcher.close()
    for engine in _engines.values():
        engine.dispose()
    _engines.clear()


# --- Run preparation ------------------------------------------------------------------------------


def run_settings(languages: Sequence[str] | None = None, settings: Settings | None = None) -> Settings:
    """The settings for one run: the process's settings, with the languages asked for on the command line."""
    settings = settings or get_settings()
    if languages:
        settings = Settings.model_validate({**settings.model_dump(), "languages": list(languages)})
    return settings


def prepare(settings: Settings) -> Engine:
    """Migrate the store and clear what a crash can leave behind (temporary downloads and layouts)."""
    engine = store_engine(settings.resolved_database_url)
    prepare_store(engine)
    default_store(settings).cleanup_temp()
    cache = layout_dir(settings)
    if cache.is_dir():
        for temp in cache.glob("*/.tmp-*"):
            with contextlib.suppress(FileNotFoundError):
                temp.unlink()
    return engine


# --- Layout cache ---------------------------------------------------------------------------------


def layout_dir(settings: Settings) -> Path:
    return settings.data_dir / "layouts"


def layout_path(settings: Settings, item: WorkItem) -> Path:
    """Where the parsed layout of an item's file is kept until it is loaded.

    Keyed by the file's hash, the parser version and the name the document is stored under (two
    symbols served by the same bytes get two entries, each with its own file name inside).
    """
    from pipeline.parse import PARSER_VERSION

    assert item.sha256, "an item is parsed only once its file is stored"
    name = hashlib.sha256(file_name_for(item).encode("utf-8")).hexdigest()[:12]
    return layout_dir(settings) / item.sha256[:2] / f"{item.sha256}-{name}-p{PARSER_VERSION}.json.gz"


def file_name_for(item: WorkItem) -> str:
    """The name a document is stored under: the inbox file's own name, else the readable safe name."""
    if item.path:
        return Path(item.path).name
    try:
        return safe_filename(item.symbol, item.language)
    except ValueError:
        return f"{item.symbol.replace('/', '_')}-{item.language}.pdf"


def parse_to_layout(pdf: str, out: str, file_name: str) -> int:
    """Parse one PDF and write its layout (gzip JSON) atomically to ``out``; returns the page count.

    Runs in a worker process: it takes and returns plain values and raises ``BadInputError``
    (picklable) for a file that is not a usable PDF.
    """
    from pipeline.parse import parse_pdf

    doc = parse_pdf(pdf)
    doc.file_name = file_name
    target = Path(out)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=".tmp-", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(doc.to_bytes())
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
        raise
    return doc.page_count


def read_layout(path: Path) -> ParsedDocument:
    return ParsedDocument.from_bytes(path.read_bytes())


# --- Item state in the store ----------------------------------------------------------------------


def _save(engine: Engine, item: WorkItem, **changes: Any) -> WorkItem:
    """Write changed fields of an item's ``ingest_items`` row (unchanged values are not rewritten)."""
    with writing(engine), session_scope(engine) as session:
        row = session.scalars(
            select(IngestItem).where(IngestItem.symbol == item.symbol, IngestItem.language == item.language)
        ).one()
        for name, value in changes.items():
            if getattr(row, name) != value:
                setattr(row, name, value)
    return replace(item, **{k: v for k, v in changes.items() if hasattr(item, k)})


def _fail(engine: Engine, item: WorkItem, code: str, message: str, **changes: Any) -> WorkItem:
    reason = f"{code}: {message}"
    log.info("%s failed: %s", item.label, reason)  # the run's report lists failures; no duplicate warning
    failed = _save(engine, item, state="failed", reason=reason, **changes)
    return replace(failed, outcome="failed", next_stage="done")


def _loaded_with_current_parser(engine: Engine, sha256: str) -> bool:
    """Whether the store holds a loaded document made from these bytes by the current parser."""
    from pipeline.parse import PARSER_VERSION

    with session_scope(engine) as session:
        found = session.scalars(
            select(Document.id).where(
                Document.sha256 == sha256, Document.status == "loaded", Document.parser_version == PARSER_VERSION
            )
        ).first()
    return found is not None


def _guarded(stage: str, item: WorkItem, settings: Settings, error: Exception) -> WorkItem:
    """An unexpected error fails one document, never the run: recorded with its type and message."""
    log.exception("%s: %s stage failed unexpectedly", item.label, stage)
    engine = store_engine(settings.resolved_database_url)
    return _fail(engine, item, "error", f"{stage}: {type(error).__name__}: {error}")


# --- Stage 1: discover ----------------------------------------------------------------------------


def discover_items(settings: Settings, since: date | None = None, sources: Sequence[str] | None = None) -> list[WorkItem]:
    """Ask the discovery sources what exists, record new (symbol, language) pairs, and plan the run.

    The plan holds everything discovered now plus unfinished items of earlier (crashed) runs in the
    run's languages (and sources, if named), each with the stage it resumes at.
    """
    from pipeline.sources import discover_all, merge_discovered

    engine = store_engine(settings.resolved_database_url)
    wanted: dict[tuple[str, str], tuple[str, str | None, str | None]] = {}
    for found in merge_discovered(discover_all(since, settings, names=sources)):
        if found.path is not None:  # inbox: one file, one item
            language = found.languages[0] if found.languages else UNKNOWN_LANGUAGE
            wanted.setdefault((found.symbol, language), (found.source, found.path.as_uri(), str(found.path)))
            continue
        for language in settings.languages:
            if found.languages and language not in found.languages:
                continue
            link = found.urls.get(language) or ods_url(settings.ods_base_url, found.symbol, language)
            wanted.setdefault((found.symbol, language), (found.source, link, None))

    items: list[WorkItem] = []
    with writing(engine), session_scope(engine) as session:
        rows = {(r.symbol, r.language): r for r in session.scalars(select(IngestItem))}
        for key, (source, url, path) in sorted(wanted.items()):
            row = rows.get(key)
            if row is None:
                row = IngestItem(symbol=key[0], language=key[1], source=source, state="discovered", url=url,
                                 attempts=0)
                session.add(row)
            elif row.url != url:
                row.url = url
            items.append(_item_from_row(row, path))
        for key, row in sorted(rows.items()):
            unfinished = row.state not in ("loaded", "failed")
            in_scope = (row.language in settings.languages or row.language == UNKNOWN_LANGUAGE) and (
                not sources or row.source in sources
            )
            if key not in wanted and unfinished and in_scope and not _is_inbox_url(row.url):
                items.append(_item_from_row(row, None))
    return [_plan(item, settings) for item in items]


def _is_inbox_url(url: str | None) -> bool:
    return bool(url and url.startswith("file:"))


def _item_from_row(row: IngestItem, path: str | None) -> WorkItem:
    return WorkItem(
        symbol=row.symbol,
        language=row.language,
        source=row.source,
        url=row.url,
        state=row.state,  # type: ignore[arg-type]
        sha256=row.sha256,
        etag=row.etag,
        last_modified=row.last_modified,
        attempts=row.attempts or 0,
        reason=row.reason,
        path=path,
    )


def _plan(item: WorkItem, settings: Settings) -> WorkItem:
    """The stage an item starts at: the first one whose input is not kept from an earlier run."""
    stored = item.sha256 is not None and default_store(settings).exists(item.sha256)
    if item.state in ("parsed", "extracted") and stored and layout_path(settings, item).is_file():
        return replace(item, next_stage="extract")
    if item.state in ("fetched", "parsed", "extracted") and stored:
        return replace(item, next_stage="parse")
    return replace(item, next_stage="fetch")


# --- Stage 2: fetch -------------------------------------------------------------------------------


def fetch_item(item: WorkItem, settings: Settings, *, attempt: int = 1, last_try: bool = True) -> WorkItem:
    """One download try (conditional when the last file is still stored).

    A transient error (timeout, 5xx, 429, cut-off body) is raised while tries remain, so the caller
    (a Prefect task with retries) tries again; on the last try, and for permanent errors, the item is
    recorded ``failed`` with the reason and returned.
    """
    if item.next_stage != "fetch":
        return item
    engine = store_engine(settings.resolved_database_url)
    try:
        result = _download(item, settings, attempt)
    except RetryableFetchError as exc:
        if not last_try:
            log.info("%s: try %d failed (%s: %s); retrying", item.label, attempt, exc.reason, exc.message)
            raise
        return _fail(engine, item, exc.reason, exc.message, attempts=attempt)
    except FetchError as exc:
        return _fail(engine, item, getattr(exc, "reason", "failed"), exc.message, attempts=attempt)
    except Exception as exc:  # one broken document must not stop the run
        return _guarded("fetch", item, settings, exc)
    return _fetched(engine, item, result, attempt)


def _download(item: WorkItem, settings: Settings, attempt: int) -> FetchResult:
    if item.path is not None:  # inbox: the file is "downloaded" by copying it into the store
        stored = default_store(settings).put(item.path)
        return FetchResult(item.symbol, item.language, item.url or "", "downloaded", sha256=stored.sha256,
                           path=stored.path, size=stored.size, attempts=attempt)
    previous = None
    if item.sha256:
        previous = FetchResult(item.symbol, item.language, item.url or "", "downloaded", sha256=item.sha256,
                               etag=item.etag, last_modified=item.last_modified)
    return fetcher_for(settings).fetch_attempt(item.symbol, item.language, previous=previous, url=item.url,
                                               attempt=attempt)


def _fetched(engine: Engine, item: WorkItem, result: FetchResult, attempt: int) -> WorkItem:
    assert result.sha256 is not None
    same = result.status == "not_modified" or result.sha256 == item.sha256
    if same and item.sha256 and _loaded_with_current_parser(engine, item.sha256):
        # Nothing new: keep the row as it is (a 304 must not even touch attempts or timestamps).
        done = _save(engine, item, state="loaded", reason=None, etag=result.etag, last_modified=result.last_modified)
        return replace(done, outcome="unchanged", next_stage="done")
    saved = _save(engine, item, state="fetched", reason=None, sha256=result.sha256, etag=result.etag,
                  last_modified=result.last_modified, attempts=item.attempts if same else attempt)
    return replace(saved, next_stage="parse")


# --- Stage 3: parse -------------------------------------------------------------------------------


def parse_item(item: WorkItem, settings: Settings, *, workers: int = 0) -> WorkItem:
    """Parse the stored PDF into the layout cache, in the process pool when ``workers`` > 0.

    A file that is not a usable PDF is kept in the store as a failed document (``record_failure``)
    and the item ends ``failed`` with the parser's reason.
    """
    if item.next_stage != "parse":
        return item
    engine = store_engine(settings.resolved_database_url)
    try:
        assert item.sha256 is not None
        pdf = default_store(settings).path_for(item.sha256)
        if not pdf.is_file():
            return _fail(engine, item, "file_missing", f"{pdf} is no longer in the file store; the next run downloads it",
                         sha256=None, etag=None, last_modified=None)
        out = layout_path(settings, item)
        args = (str(pdf), str(out), file_name_for(item))
        try:
            if out.is_file():  # parsed before a crash, just before its state was recorded
                pages = read_layout(out).page_count
            elif workers:
                pages = _parse_in_pool(workers, args)
            else:
                pages = parse_to_layout(*args)
        except BadInputError as exc:
            from pipeline.store import record_failure

            with writing(engine):
                record_failure(engine, file_name=file_name_for(item), sha256=item.sha256, error=exc)
            return _fail(engine, item, exc.reason, exc.message)
    except Exception as exc:
        return _guarded("parse", item, settings, exc)
    saved = _save(engine, item, state="parsed", reason=None)
    return replace(saved, next_stage="extract", pages=pages)


def _parse_in_pool(workers: int, args: tuple[str, str, str]) -> int:
    """Parse in the pool; if a worker died (killed, out of memory) the pool is replaced and tried once more."""
    for last in (False, True):
        pool = parse_pool(workers)
        try:
            return pool.submit(parse_to_layout, *args).result()
        except BrokenProcessPool:
            with _pools_guard:
                if _pools.get(workers) is pool:
                    del _pools[workers]
            pool.shutdown(wait=False, cancel_futures=True)
            if last:
                raise
    raise AssertionError("unreachable")


# --- Stage 4: extract -----------------------------------------------------------------------------


def extract_item(item: WorkItem, settings: Settings) -> Extracted:
    """Run every registered extractor over the cached layout (one failing extractor is recorded, not fatal)."""
    if item.next_stage != "extract":
        return Extracted(item)
    engine = store_engine(settings.resolved_database_url)
    try:
        doc = read_layout(layout_path(settings, item))
        extraction = run_extractors(doc)  # spaCy use is serialised in extractors.nlp
    except Exception as exc:
        return Extracted(_guarded("extract", item, settings, exc))
    saved = _save(engine, item, state="extracted", reason=None)
    return Extracted(replace(saved, next_stage="load"), extraction)


# --- Stage 5: load --------------------------------------------------------------------------------


def load_item(extracted: Extracted, settings: Settings) -> WorkItem:
    """Store the document and its extractors' output in one transaction, then mark the item loaded."""
    from pipeline.store import load_document

    item = extracted.item
    if extracted.extraction is None or item.next_stage != "load":
        return item
    engine = store_engine(settings.resolved_database_url)
    cache = layout_path(settings, item)
    try:
        assert item.sha256 is not None
        doc = read_layout(cache)
        pdf = default_store(settings).path_for(item.sha256)
        with writing(engine):
            result = load_document(engine, doc, extracted.extraction, stored_path=str(pdf),
                                   source_url=None if item.path else item.url)
    except Exception as exc:
        return _guarded("load", item, settings, exc)
    saved = _save(engine, item, state="loaded", reason=None)
    with contextlib.suppress(FileNotFoundError):
        cache.unlink()
    if item.path is not None:
        _archive_inbox_file(item, settings)
    return replace(saved, outcome="unchanged" if result.status == "unchanged" else "loaded", next_stage="done")


def _archive_inbox_file(item: WorkItem, settings: Settings) -> None:
    from pipeline.sources import inbox

    with contextlib.suppress(FileNotFoundError):
        inbox.archive(Path(item.path or ""), settings)


def finish(items: Sequence[WorkItem], settings: Settings) -> IngestReport:
    """The run's report; inbox files found unchanged are archived too (the store has them)."""
    for item in items:
        if item.path is not None and item.outcome == "unchanged":
            _archive_inbox_file(item, settings)
    return IngestReport(sorted(items, key=lambda i: i.key))


# --- Re-extraction ---------------------------------------------------------------------------------


def plan_reextract(settings: Settings, extractor: str | None = None) -> list[ReextractJob]:
    """For each loaded document with a stored layout, the extractors to run again.

    With ``extractor`` named: that one on every document. Otherwise: every extractor whose registered
    version differs from the version of its stored output (or that has no stored output yet).
    """
    from extractors.registry import all_extractors, get_extractor
    from pipeline.store import current_versions

    registry = [get_extractor(extractor)] if extractor else all_extractors()
    engine = store_engine(settings.resolved_database_url)
    jobs = []
    with session_scope(engine) as session:
        documents = session.execute(
            select(Document.id, Document.symbol, Document.language)
            .join(ParsedLayout, ParsedLayout.document_id == Document.id)
            .where(Document.status == "loaded")
            .order_by(Document.id)
        ).all()
        for document_id, symbol, language in documents:
            stored = current_versions(session, document_id)
            names = [e.name for e in registry if extractor or stored.get(e.name) != e.version]
            if names:
                jobs.append(ReextractJob(document_id, f"{symbol or document_id} [{language or '?'}]", names))
    return jobs


def reextract_document(job: ReextractJob, settings: Settings) -> ReextractResult:
    """Run the job's extractors over the stored layout and swap their output in one transaction.

    No PDF is read. Extractors read the document's symbol and kind from the metadata extractor's
    output: unless metadata itself is re-run, that context is replayed from the stored document.
    """
    from extractors.registry import get_extractor
    from pipeline.store import replace_runs

    engine = store_engine(settings.resolved_database_url)
    try:
        with session_scope(engine) as session:
            layout = session.get(ParsedLayout, job.document_id)
            if layout is None:
                raise UnpipeError(f"document {job.document_id} has no stored layout", hint="ingest it again")
            doc = ParsedDocument.from_bytes(layout.layout)
            context = _stored_context(session, job.document_id)
        chosen = [get_extractor(name) for name in job.extractors]
        if "metadata" in job.extractors:
            extraction = run_extractors(doc, chosen)
        else:
            extraction = run_extractors(doc, [_Replay(context), *chosen])
            extraction.runs = [run for run in extraction.runs if run.name != _Replay.name]
        with writing(engine):
            result = replace_runs(engine, job.document_id, extraction, doc)
    except Exception as exc:
        log.exception("%s: re-extraction failed", job.label)
        return ReextractResult(job, "failed", error=f"{type(exc).__name__}: {exc}")
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
    from extractors.records import DocumentInfo
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
