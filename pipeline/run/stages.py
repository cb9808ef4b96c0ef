"""The ingest and re-extract stages as plain functions; ``flows/`` wraps each one in a Prefect task.

Why a separate module: the stages must be callable (and testable) without Prefect, and every one of
them takes and returns plain, picklable data (``WorkItem``, ``Extracted``, ``ReextractJob``) plus a
``Settings`` object, never an engine or a session, so the same code runs in threads, in a process
pool or on Dask workers.

Crash safety comes from the ``ingest_items`` table, not from Prefect: every stage records where a
document stands (``discovered`` → ``fetched`` → ``parsed`` → ``extracted`` → ``loaded``, or
``unavailable`` when ODS has no file in that language, or ``failed`` with a reason) after its durable
output exists:

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
import logging
import sqlite3
from array import array
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias
from urllib.parse import urlsplit
from urllib.request import url2pathname

from sqlalchemy import Engine, func, or_, select, update

from extractors.apply import run_extractors
from models import Document, IngestItem, ParsedLayout, SourceCursor
from pipeline.core.document import ParsedDocument
from pipeline.core.errors import (
    BadInputError,
    DiscoveryFailedError,
    DocumentUnavailableError,
    FetchError,
    TransientStoreError,
    UnpipeError,
)
from pipeline.core.settings import Settings
from pipeline.fetch.filestore import default_store
from pipeline.fetch.results import FetchResult, ods_url
from pipeline.fetch.retries import call_with_retries
from pipeline.run.isolate import fail_item, failure_reason, guard, is_transient, with_db_retries
from pipeline.run.items import UNKNOWN_LANGUAGE, Extracted, IngestReport, WorkItem
from pipeline.run.layouts import file_name_for, item_lock, layout_path, read_layout, write_layout
from pipeline.run.resources import (
    fetcher_for,
    parse_bounded,
    ready_to_extract,
    start_parse_workers,
    store_engine,
    writing,
)
from pipeline.store.db import session_scope

if TYPE_CHECKING:
    from pipeline.parse.pdf import ParserName

log = logging.getLogger(__name__)


# --- Item state in the store ----------------------------------------------------------------------


def _save(engine: Engine, item: WorkItem, **changes: Any) -> WorkItem:
    """Write an item's ``ingest_items`` fields, in one UPDATE that leaves a row already holding these
    values as it is (its ``updated_at`` too). Three per document: no ORM load of the row first."""
    with writing(engine), engine.begin() as conn:
        conn.execute(
            update(IngestItem)
            .where(IngestItem.symbol == item.symbol, IngestItem.language == item.language,
                   or_(*(getattr(IngestItem, name).is_distinct_from(value) for name, value in changes.items())))
            .values(**changes)
        )
    return replace(item, **{k: v for k, v in changes.items() if hasattr(item, k)})


def _fail(engine: Engine, item: WorkItem, code: str, message: str, **changes: Any) -> WorkItem:
    reason = f"{code}: {message}"
    log.info("%s failed: %s", item.label, reason)  # the run's report lists failures; no duplicate warning
    failed = _save(engine, item, state="failed", reason=reason, **changes)
    return replace(failed, outcome="failed", next_stage="done")


def _stored_copies(engine: Engine, hashes: set[str], parser: ParserName) -> dict[str, tuple[int, bool]]:
    """For each of these file hashes loaded by the current version of ``parser``: the document's id, and
    whether every extractor's stored output is of the version the catalog has now. Two queries for a
    whole batch."""
    from extractors.catalog import all_extractors
    from pipeline.parse.pdf import parser_version
    from pipeline.store.load import latest_versions

    if not hashes:
        return {}
    with session_scope(engine) as session:
        found: dict[str, int] = {
            sha: doc
            for sha, doc in session.execute(
                select(Document.sha256, func.min(Document.id)).where(
                    Document.sha256.in_(hashes), Document.status == "loaded", Document.parser_version == parser_version(parser)
                ).group_by(Document.sha256)
            )
        }
        stored = latest_versions(session, found.values())
    wanted = {e.name: e.version for e in all_extractors()}
    return {sha: (doc, all(stored.get(doc, {}).get(n) == v for n, v in wanted.items())) for sha, doc in found.items()}


def _restore_layout(engine: Engine, document_id: int, target: Path) -> None:
    """Put a loaded document's stored layout into the layout cache, so extraction runs without a parse."""
    with session_scope(engine) as session:
        layout = session.get(ParsedLayout, document_id)
        data = layout.layout if layout is not None else None
    if data is None:
        raise UnpipeError(f"document {document_id} has no stored layout", hint="ingest it again")
    write_layout(target, data)


def _guarded(stage: str, item: WorkItem, settings: Settings, error: Exception) -> WorkItem:
    """An unexpected error fails one document, never the run: recorded with its type and message. A
    transient database error goes up to the step's ``guard``, which tries the step again."""
    if is_transient(error):
        raise error
    return fail_item(item, settings, stage, error)


# --- Stage 1: discover ----------------------------------------------------------------------------


def plan_batches(
    settings: Settings, since: date | None = None, sources: Sequence[str] | None = None
) -> list[Batch]:
    """Ask the discovery sources what exists, record the (symbol, language) pairs, and plan the run.

    The plan holds everything discovered now plus unfinished items of earlier (crashed) runs in the
    run's languages (and sources, if named), in batches of ``settings.batch_size`` (one Prefect task
    each). A batch is a packed array of ``ingest_items`` ids, 8 bytes an item: what a run of 100,000
    items hands Prefect and holds until its batches end; ``load_batch`` reads a batch's items when it
    starts. Nothing else grows with the catalogue: discoveries are merged, and the plan put in order,
    in a private temporary SQLite file (``_scratch``); unfinished rows are streamed from the store.
    Rows are written one batch per transaction.
    Without ``since`` each source looks back to its last successful run (``source_cursors``, a day of
    overlap); a source that fails keeps its cursor. Items found ``unavailable`` less than
    ``unavailable_retry_days`` ago are left out: the sites are not asked every run for a missing language.
    """
    engine = store_engine(settings.resolved_database_url)
    started = datetime.now(UTC)
    failed_sources: set[str] = set()
    recheck_before = started - timedelta(days=settings.unavailable_retry_days)
    size = settings.batch_size
    with contextlib.closing(_scratch()) as scratch:
        _wanted(engine, settings, since, sources, failed_sources, scratch)
        wanted = scratch.execute("SELECT symbol, language, source, url FROM wanted ORDER BY symbol, language")
        while chunk := wanted.fetchmany(size):
            chosen = _record(engine, {(symbol, language): (source, url) for symbol, language, source, url in chunk},
                             recheck_before)
            scratch.executemany("INSERT OR IGNORE INTO planned (id) VALUES (?)", [(i,) for i in chosen])
        languages = [*settings.languages, UNKNOWN_LANGUAGE]
        unfinished = (
            select(IngestItem.id)
            .where(IngestItem.state.not_in(("loaded", "failed", "unavailable")), IngestItem.language.in_(languages),
                   or_(IngestItem.url.is_(None), IngestItem.url.not_like("file:%")))  # inbox files: its own run
            .order_by(IngestItem.symbol, IngestItem.language)
        )
        if sources:
            unfinished = unfinished.where(IngestItem.source.in_(sources))
        with session_scope(engine) as session:
            for rows in session.execute(unfinished.execution_options(yield_per=size)).partitions():
                scratch.executemany("INSERT OR IGNORE INTO planned (id) VALUES (?)", rows)
        ids = scratch.execute("SELECT id FROM planned ORDER BY seq")
        batches = [array("q", (i for (i,) in chunk)) for chunk in iter(lambda: ids.fetchmany(size), [])]
    with writing(engine), session_scope(engine) as session:
        _advance_cursors(session, sources, failed_sources, started)
    return batches


Batch: TypeAlias = "array[int]"
"""A planned batch: ``ingest_items`` ids packed as signed 64-bit integers (``array('q')``)."""


def plan_guarded(
    settings: Settings, since: date | None = None, sources: Sequence[str] | None = None
) -> tuple[list[Batch], IngestReport]:
    """``plan_batches`` with database retries. If the database stays out of reach, no batch and a report
    whose one failed item is ``discovery``, so the run still ends with its summary (no traceback) and a
    non-zero exit; cursors did not move, so the next run discovers the same documents again."""
    try:
        return with_db_retries(settings, lambda: plan_batches(settings, since, sources), "discover"), IngestReport()
    except TransientStoreError as exc:
        return [], _failed_report(["discovery"], failure_reason("discover", exc))


def _failed_report(labels: Sequence[str], reason: str) -> IngestReport:
    """A report of pseudo-items that failed before their documents could be named (discovery, a batch
    whose rows could not be read)."""
    log.warning("%d item(s) failed: %s", len(labels), reason)
    return IngestReport([WorkItem(label, "?", "?", None, "failed", next_stage="done", reason=reason, outcome="failed")
                         for label in labels])

_SCRATCH_SCHEMA = """
CREATE TABLE wanted (symbol TEXT NOT NULL, language TEXT NOT NULL, source TEXT NOT NULL, url TEXT,
                     PRIMARY KEY (symbol, language)) WITHOUT ROWID;
CREATE TABLE planned (seq INTEGER PRIMARY KEY, id INTEGER NOT NULL UNIQUE);
"""


def _scratch() -> sqlite3.Connection:
    """A private temporary SQLite database for planning one run (SQLite deletes it on close): ``wanted``
    maps (symbol, language) to (source, URL), first finder kept; ``planned`` the row ids in plan order,
    each once. Its page cache is bounded, so a catalogue of any size plans in the same memory."""
    scratch = sqlite3.connect("")
    scratch.executescript(_SCRATCH_SCHEMA)
    return scratch


def load_batch(ids: Sequence[int], settings: Settings) -> list[WorkItem]:
    """A planned batch's items, read from ``ingest_items``, each with the stage it starts (or resumes) at."""
    engine = store_engine(settings.resolved_database_url)
    with session_scope(engine) as session:
        rows = session.scalars(
            select(IngestItem).where(IngestItem.id.in_(ids)).order_by(IngestItem.symbol, IngestItem.language)
        )
        return [_plan(_item_from_row(row, _inbox_path(row.url)), settings) for row in rows]


Wanted = dict[tuple[str, str], tuple[str, str]]
"""(symbol, language) → (source, URL): what a run wants, and where to get it (an inbox file's URI)."""


def _wanted(
    engine: Engine,
    settings: Settings,
    since: date | None,
    sources: Sequence[str] | None,
    failed_sources: set[str],
    scratch: sqlite3.Connection,
) -> None:
    """Put what the sources list now (each from its own cursor unless ``since`` is given) into the
    scratch database's ``wanted`` table; the names of the sources whose site failed go into
    ``failed_sources``."""
    from pipeline.discover.base import merge_discovered
    from pipeline.discover.catalog import discover_all

    fetcher_for(settings).reset_budget()
    with session_scope(engine) as session:
        cursors = {c.source: c.last_success.date() - timedelta(days=1) for c in session.scalars(select(SourceCursor))}
    failures: list[str] = []

    def failed(name: str, error: FetchError) -> None:
        log.warning("source %s failed: %s", name, error)
        failed_sources.add(name)
        failures.append(f"{name} ({error})")

    def pairs() -> Iterator[tuple[str, str, str, str]]:
        for found in merge_discovered(discover_all(since, settings, names=sources, cursors=cursors, on_error=failed)):
            if found.path is not None:  # inbox: one file, one item
                language = found.languages[0] if found.languages else UNKNOWN_LANGUAGE
                yield found.symbol, language, found.source, found.path.as_uri()
                continue
            for language in settings.languages:
                if found.languages and language not in found.languages:
                    continue
                yield (found.symbol, language, found.source,
                       found.urls.get(language) or ods_url(settings.ods_base_url, found.symbol, language))

    scratch.executemany("INSERT OR IGNORE INTO wanted (symbol, language, source, url) VALUES (?, ?, ?, ?)", pairs())
    if failures and scratch.execute("SELECT 1 FROM wanted LIMIT 1").fetchone() is None:
        raise DiscoveryFailedError(f"every discovery source failed: {'; '.join(failures)}")


def _record(engine: Engine, wanted: Wanted, recheck_before: datetime | None = None) -> list[int]:
    """Record wanted items in ``ingest_items`` (new rows, or known rows pointed at where they were
    found now) in one transaction, and return their row ids, in the order given; an item found
    unavailable after ``recheck_before`` is recorded but not returned (not asked again yet)."""
    with writing(engine), session_scope(engine) as session:
        rows = {
            (r.symbol, r.language): r
            for r in session.scalars(select(IngestItem).where(IngestItem.symbol.in_({s for s, _ in wanted})))
        }
        chosen = []
        for key, (source, url) in wanted.items():
            row = rows.get(key)
            if row is None:
                row = IngestItem(symbol=key[0], language=key[1], source=source, state="discovered", url=url,
                                 attempts=0)
                session.add(row)
            else:
                _point(row, source, url)
                if (recheck_before is not None and row.state == "unavailable"
                        and _aware(row.updated_at) > recheck_before):
                    continue
            chosen.append(row)
        session.flush()  # new rows get their ids
        return [row.id for row in chosen]


def track_item(settings: Settings, symbol: str, language: str, source: str, url: str, path: str | None) -> WorkItem:
    """Record one wanted document in ``ingest_items`` (or find its row) and return it as a work item."""
    engine = store_engine(settings.resolved_database_url)
    (row_id,) = _record(engine, {(symbol, language): (source, url)})
    with session_scope(engine) as session:
        row = session.get(IngestItem, row_id)
        assert row is not None
        return _item_from_row(row, path)


def _point(row: IngestItem, source: str, url: str | None) -> None:
    """Make a known item's row name the source and address it was found at now (an inbox file's item
    must never keep another source's name, nor a command-line file's the inbox's: only inbox files move)."""
    if row.url != url:
        row.url = url
    if row.source != source:
        row.source = source


def _advance_cursors(session: Any, sources: Sequence[str] | None, failed: set[str], when: datetime) -> None:
    """Record this run as the last success of every source that ran without failing."""
    from pipeline.discover.catalog import all_sources

    for name in sources or [s.name for s in all_sources()]:
        if name in failed:
            continue
        cursor = session.get(SourceCursor, name)
        if cursor is None:
            session.add(SourceCursor(source=name, last_success=when))
        else:
            cursor.last_success = when


def _aware(moment: datetime) -> datetime:
    """SQLite gives naive datetimes back (stored as UTC); PostgreSQL aware ones."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _is_inbox_url(url: str | None) -> bool:
    return bool(url and url.startswith("file:"))


def _inbox_path(url: str | None) -> str | None:
    """The local file of an inbox item (its row keeps the file's URI), None for downloads."""
    return url2pathname(urlsplit(url).path) if url and _is_inbox_url(url) else None


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
        job_number=row.job_number,
        file_name=row.file_name,
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


def fetch_batch(items: Sequence[WorkItem], settings: Settings) -> list[WorkItem]:
    """Download what each item needs (a conditional request when its last file is stored), then settle
    the whole batch's states in one transaction, writing only the rows that changed.

    Transient errors (timeout, 5xx, 429, cut-off body) are retried here with backoff, honouring
    Retry-After; permanent ones, and the last try's, leave the item ``failed`` with the reason. So an
    unchanged or unavailable item costs one request and no write: no Prefect task, no transaction.
    """
    engine = store_engine(settings.resolved_database_url)
    tried = [(item, _download(item, settings) if item.next_stage == "fetch" else None) for item in items]
    copies = _stored_copies(engine, {r.sha256 for _, r in tried if isinstance(r, FetchResult) and r.sha256},
                            settings.parser)
    decided = [_decide(item, outcome, copies) for item, outcome in tried]
    _write_states(engine, [(item, changes) for (item, _), (_, changes, _) in zip(tried, decided, strict=True)])
    out = []
    for item, _, restore in decided:
        if restore is not None:  # newer extractors only: extract again from the stored layout, no parse
            try:
                _restore_layout(engine, restore, layout_path(settings, item))
                item = replace(_save(engine, item, state="parsed"), next_stage="extract")
            except Exception as exc:
                item = _guarded("fetch", item, settings, exc)
        out.append(item)
    return out


def fetch_item(item: WorkItem, settings: Settings) -> WorkItem:
    """``fetch_batch`` for one item (``unpipe ingest`` takes files one by one)."""
    return fetch_batch([item], settings)[0]


Tried = FetchResult | Exception | None
"""What fetching an item gave: its result, the error it ended with, or None (not fetched in this run)."""


def _download(item: WorkItem, settings: Settings) -> Tried:
    """Fetch one item, transient errors retried; the error it ends with is returned, not raised."""
    try:
        if item.path is not None:  # a local file (inbox, `unpipe ingest`) is "downloaded" by copying it into the store
            stored = default_store(settings).put(item.path)
            return FetchResult(item.symbol, item.language, item.url or "", "downloaded", sha256=stored.sha256,
                               path=stored.path, size=stored.size, attempts=1)
        previous = None
        if item.sha256:
            previous = FetchResult(item.symbol, item.language, item.url or "", "downloaded", sha256=item.sha256,
                                   etag=item.etag, last_modified=item.last_modified)
        fetcher = fetcher_for(settings)
        return call_with_retries(
            lambda n: fetcher.fetch_attempt(item.symbol, item.language, previous=previous, url=item.url, attempt=n),
            retries=settings.http_retries, backoff=settings.http_backoff_seconds,
        )
    except FetchError as exc:  # recorded with its reason; its traceback (frames, the response) is not kept
        return exc.with_traceback(None)
    except Exception as exc:  # one document, not the run (its traceback is logged)
        return exc


def _decide(
    item: WorkItem, tried: Tried, copies: dict[str, tuple[int, bool]]
) -> tuple[WorkItem, dict[str, Any], int | None]:
    """The item after its fetch, the row changes that records, and the stored document whose layout it
    is re-extracted from (newer extractors, same bytes), decided before any parsing.

    Bytes some loaded document was made from by the current parser and extractors: nothing to do
    (``unchanged``). The same but with newer extractors: extract again from the stored layout. New bytes:
    parse.
    """
    if tried is None:
        return item, {}, None
    if isinstance(tried, FetchResult):
        assert tried.sha256 is not None
        same = tried.status == "not_modified" or tried.sha256 == item.sha256
        document_id, extractors_current = copies.get(tried.sha256, (None, False))
        changes: dict[str, Any] = dict(
            state="fetched", reason=None, sha256=tried.sha256, etag=tried.etag, last_modified=tried.last_modified,
            attempts=item.attempts if same else tried.attempts, **_file_facts(tried),
        )
        if document_id is not None and extractors_current:
            # Nothing new: an unchanged 304 finds every value as it was and writes nothing.
            changes["state"] = "loaded"
            return replace(item, **_item_fields(changes), outcome="unchanged", next_stage="done"), changes, None
        return replace(item, **_item_fields(changes), next_stage="parse"), changes, document_id
    if isinstance(tried, DocumentUnavailableError):
        # No file in this language: a normal end, stamped so the next runs skip it for a while.
        log.info("%s not available: %s", item.label, tried.message)
        changes = dict(state="unavailable", reason=f"{tried.reason}: {tried.message}",
                       attempts=getattr(tried, "attempts", 1) or 1, updated_at=datetime.now(UTC))
        return replace(item, **_item_fields(changes), outcome="unavailable", next_stage="done"), changes, None
    if isinstance(tried, FetchError):
        code, message, attempts = getattr(tried, "reason", "failed"), tried.message, getattr(tried, "attempts", 1)
    else:
        log.error("%s: fetch stage failed unexpectedly", item.label, exc_info=tried)
        code, message, attempts = "error", f"fetch: {type(tried).__name__}: {tried}", item.attempts
    log.info("%s failed: %s: %s", item.label, code, message)  # the run's report lists failures
    changes = dict(state="failed", reason=f"{code}: {message}", attempts=attempts or 1)
    return replace(item, **changes, outcome="failed", next_stage="done"), changes, None


def _write_states(engine: Engine, changed: Sequence[tuple[WorkItem, dict[str, Any]]]) -> None:
    """Write a batch's new item states in one transaction; rows whose values did not change are not
    touched (each item carries the values its row held when the batch was planned)."""
    pending = {item.key: changes for item, changes in changed
               if any(getattr(item, name, None) != value for name, value in changes.items())}
    if not pending:
        return
    with writing(engine), session_scope(engine) as session:
        for row in session.scalars(select(IngestItem).where(IngestItem.symbol.in_({s for s, _ in pending}))):
            for name, value in pending.get((row.symbol, row.language), {}).items():
                if getattr(row, name) != value:
                    setattr(row, name, value)


def _item_fields(changes: dict[str, Any]) -> dict[str, Any]:
    """The row changes a ``WorkItem`` also carries (job number, file name and stamps live in the row only)."""
    return {name: value for name, value in changes.items() if name in WorkItem.__dataclass_fields__}


def _file_facts(result: FetchResult) -> dict[str, str]:
    """Job number and file name of a download, when its answer told them (a 304 tells nothing new)."""
    return {k: v for k, v in (("job_number", result.job_number), ("file_name", result.file_name)) if v}


# --- Stage 3: parse -------------------------------------------------------------------------------


def parse_item(item: WorkItem, settings: Settings, *, workers: int = 0) -> WorkItem:
    """Parse the stored PDF into the layout cache, in a worker process under the memory and time limits
    (``pipeline.run.sandbox``; ``workers`` of them serve the run, one when 0).

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
        args = (str(pdf), str(out), file_name_for(item), settings.parser)
        try:
            # A layout kept from before a crash is read back; else the PDF is parsed in a bounded worker.
            pages = read_layout(out).page_count if out.is_file() else parse_bounded(args, settings, workers)
        except BadInputError as exc:
            from pipeline.parse.version import parser_version
            from pipeline.store.load import record_failure

            with writing(engine):
                record_failure(engine, file_name=file_name_for(item), sha256=item.sha256, error=exc,
                               parser_version=parser_version(settings.parser))
            return _fail(engine, item, exc.reason, exc.message)
    except Exception as exc:
        return _guarded("parse", item, settings, exc)
    saved = _save(engine, item, state="parsed", reason=None)
    return replace(saved, next_stage="extract", pages=pages)


# --- Stage 4: extract -----------------------------------------------------------------------------


def extract_item(item: WorkItem, settings: Settings) -> Extracted:
    """Run every registered extractor over the cached layout (one failing extractor is recorded, not fatal)."""
    if item.next_stage != "extract":
        return Extracted(item)
    engine = store_engine(settings.resolved_database_url)
    try:
        layout = layout_path(settings, item).read_bytes()
        doc = ParsedDocument.from_bytes(layout)
        extraction = run_extractors(doc)  # spaCy use is serialised in extractors.lib.nlp
    except Exception as exc:
        return Extracted(_guarded("extract", item, settings, exc))
    saved = _save(engine, item, state="extracted", reason=None)
    return Extracted(replace(saved, next_stage="load"), extraction, doc, layout)


# --- Stage 5: load --------------------------------------------------------------------------------


def load_item(extracted: Extracted, settings: Settings) -> WorkItem:
    """Store the document and its extractors' output in one transaction, then mark the item loaded."""
    from pipeline.store.load import load_document

    item = extracted.item
    if extracted.extraction is None or item.next_stage != "load":
        return item
    engine = store_engine(settings.resolved_database_url)
    cache = layout_path(settings, item)
    try:
        assert item.sha256 is not None
        doc = extracted.document or read_layout(cache)
        pdf = default_store(settings).path_for(item.sha256)
        with writing(engine):
            result = load_document(engine, doc, extracted.extraction, stored_path=str(pdf),
                                   source_url=None if item.path else item.url, layout=extracted.layout)
    except Exception as exc:
        return _guarded("load", item, settings, exc)
    saved = _save(engine, item, state="loaded", reason=None)
    with contextlib.suppress(FileNotFoundError):
        cache.unlink()
    if item.source == "inbox":
        _archive_inbox_file(item, settings)
    return replace(saved, outcome="unchanged" if result.status == "unchanged" else "loaded", next_stage="done")


def _archive_inbox_file(item: WorkItem, settings: Settings) -> None:
    from pipeline.discover.inbox import InboxSource

    with contextlib.suppress(FileNotFoundError):
        InboxSource().archive(Path(item.path or ""), settings)


# --- A batch: what one Prefect task does ----------------------------------------------------------


def run_planned(ids: Sequence[int], settings: Settings, *, workers: int = 0) -> IngestReport:
    """A planned batch from its row ids to its report (what one Prefect task does). Its items are read
    with database retries; if the database stays out of reach, each of them fails, named by its row id
    (its symbol is in the row that could not be read), and the run goes on to its summary: the rows
    keep their state, so the next run plans them again."""
    try:
        items = with_db_retries(settings, lambda: load_batch(ids, settings), f"batch of {len(ids)} item(s)")
    except Exception as exc:
        return _failed_report([f"ingest_items #{row_id}" for row_id in ids], failure_reason("plan", exc))
    return run_batch(items, settings, workers=workers)


def run_batch(items: Sequence[WorkItem], settings: Settings, *, workers: int = 0) -> IngestReport:
    """Take a batch of items through fetch → parse → extract → load; returns its report, unchanged
    and unavailable items only counted.

    The batch is fetched first (its states settled in one transaction); what needs work then goes on
    from ``2 × workers + 1`` threads, so every worker process has its next PDF even while the documents
    each of them parsed wait to be extracted and loaded (loads take turns: one writer at a time). With
    ``workers + 1`` threads, two documents in extraction or load at once left a worker idle: over the
    bench with 2 workers on a loaded machine, 2 to 3 s of each one's time. Without a pool (on Dask,
    whose workers are processes) items go one by one.
    """
    if workers and any(item.path is not None for item in items):
        # Inbox files stay in the inbox only until loaded: new files, to parse. The parse processes
        # start while the batch is copied into the file store (and the language models load).
        start_parse_workers(workers, settings)
    fetched = fetch_guarded(items, settings)
    if any(item.next_stage != "done" for item in fetched):
        ready_to_extract()

    def rest(item: WorkItem) -> WorkItem:
        if item.next_stage == "done":
            return item
        with item_lock(settings, item):
            return process_item(item, settings, workers=workers)

    if workers and sum(item.next_stage != "done" for item in fetched) > 1:
        with ThreadPoolExecutor(2 * workers + 1, thread_name_prefix="unpipe-batch") as threads:
            done = list(threads.map(rest, fetched))
    else:
        done = [rest(item) for item in fetched]
    return finish(done, settings).compact()


def fetch_guarded(items: Sequence[WorkItem], settings: Settings) -> list[WorkItem]:
    """``fetch_batch`` with database retries; if the batch's states cannot be written, its items fail
    (their stored state stays, so the next run fetches them again) and the run goes on."""
    try:
        return with_db_retries(settings, lambda: fetch_batch(items, settings), "fetch")
    except Exception as exc:
        return [fail_item(item, settings, "fetch", exc) for item in items]


def process_item(item: WorkItem, settings: Settings, *, workers: int = 0) -> WorkItem:
    """Parse → extract → load one fetched item, each step isolated (``isolate.guard``): whatever one
    document raises ends it ``failed`` with the stage and reason, never the batch."""
    parsed = guard("parse", item, settings, lambda: parse_item(item, settings, workers=workers), lambda i: i)
    extracted = guard("extract", parsed, settings, lambda: extract_item(parsed, settings), Extracted)
    return guard("load", extracted.item, settings, lambda: load_item(extracted, settings), lambda i: i)


def finish(items: Sequence[WorkItem], settings: Settings) -> IngestReport:
    """The run's report; inbox files found unchanged are archived too (the store has them)."""
    for item in items:
        if item.source == "inbox" and item.outcome == "unchanged":
            _archive_inbox_file(item, settings)
    return IngestReport(sorted(items, key=lambda i: i.key))
