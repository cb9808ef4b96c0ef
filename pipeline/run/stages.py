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
from collections.abc import Sequence
from concurrent.futures.process import BrokenProcessPool
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select

from extractors.apply import run_extractors
from models import Document, IngestItem, SourceCursor
from pipeline.core.errors import BadInputError, DocumentUnavailableError, FetchError, RetryableFetchError
from pipeline.core.settings import Settings
from pipeline.fetch.filestore import default_store
from pipeline.fetch.results import FetchResult, ods_url
from pipeline.run.items import UNKNOWN_LANGUAGE, Extracted, IngestReport, WorkItem
from pipeline.run.layouts import file_name_for, layout_path, parse_to_layout, read_layout
from pipeline.run.resources import _pools, _pools_guard, fetcher_for, parse_pool, store_engine, writing
from pipeline.store.db import session_scope

log = logging.getLogger(__name__)


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


def _unavailable(engine: Engine, item: WorkItem, error: DocumentUnavailableError, attempt: int) -> WorkItem:
    """No file in this language: a normal end, stamped so the next runs skip it for a while."""
    log.info("%s not available: %s", item.label, error.message)
    saved = _save(engine, item, state="unavailable", reason=f"{error.reason}: {error.message}", attempts=attempt,
                  updated_at=datetime.now(UTC))
    return replace(saved, outcome="unavailable", next_stage="done")


def _loaded_with_current_parser(engine: Engine, sha256: str) -> bool:
    """Whether the store holds a loaded document made from these bytes by the current parser."""
    from pipeline.parse.pdf import PARSER_VERSION

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

    Without ``since`` each source looks back to its last successful run (``source_cursors``, a day of
    overlap); a source that fails keeps its cursor. The plan holds everything discovered now plus
    unfinished items of earlier (crashed) runs in the run's languages (and sources, if named), each with
    the stage it resumes at. Items found ``unavailable`` less than ``unavailable_retry_days`` ago are
    left out: the sites are not asked again every run for a language that does not exist.
    """
    from pipeline.discover.base import merge_discovered
    from pipeline.discover.catalog import discover_all

    engine = store_engine(settings.resolved_database_url)
    fetcher_for(settings).reset_budget()
    started = datetime.now(UTC)
    with session_scope(engine) as session:
        cursors = {c.source: c.last_success.date() - timedelta(days=1) for c in session.scalars(select(SourceCursor))}
    failed_sources: set[str] = set()

    def on_error(name: str, error: FetchError) -> None:
        failed_sources.add(name)
        log.warning("source %s failed: %s", name, error)

    wanted: dict[tuple[str, str], tuple[str, str | None, str | None]] = {}
    found_by: set[str] = set()
    for found in merge_discovered(discover_all(since, settings, names=sources, cursors=cursors, on_error=on_error)):
        found_by.add(found.source)
        if found.path is not None:  # inbox: one file, one item
            language = found.languages[0] if found.languages else UNKNOWN_LANGUAGE
            wanted.setdefault((found.symbol, language), (found.source, found.path.as_uri(), str(found.path)))
            continue
        for language in settings.languages:
            if found.languages and language not in found.languages:
                continue
            link = found.urls.get(language) or ods_url(settings.ods_base_url, found.symbol, language)
            wanted.setdefault((found.symbol, language), (found.source, link, None))

    recheck_before = started - timedelta(days=settings.unavailable_retry_days)
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
            if row.state == "unavailable" and _aware(row.updated_at) > recheck_before:
                continue
            items.append(_item_from_row(row, path))
        for key, row in sorted(rows.items()):
            unfinished = row.state not in ("loaded", "failed", "unavailable")
            in_scope = (row.language in settings.languages or row.language == UNKNOWN_LANGUAGE) and (
                not sources or row.source in sources
            )
            if key not in wanted and unfinished and in_scope and not _is_inbox_url(row.url):
                items.append(_item_from_row(row, None))
        _advance_cursors(session, sources, failed_sources, started)
    return [_plan(item, settings) for item in items]


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
    except DocumentUnavailableError as exc:
        return _unavailable(engine, item, exc, attempt)
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
        done = _save(engine, item, state="loaded", reason=None, etag=result.etag, last_modified=result.last_modified,
                     **_file_facts(result))
        return replace(done, outcome="unchanged", next_stage="done")
    saved = _save(engine, item, state="fetched", reason=None, sha256=result.sha256, etag=result.etag,
                  last_modified=result.last_modified, attempts=item.attempts if same else attempt,
                  **_file_facts(result))
    return replace(saved, next_stage="parse")


def _file_facts(result: FetchResult) -> dict[str, str]:
    """Job number and file name of a download, when its answer told them (a 304 tells nothing new)."""
    return {k: v for k, v in (("job_number", result.job_number), ("file_name", result.file_name)) if v}


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
            from pipeline.store.load import record_failure

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
        extraction = run_extractors(doc)  # spaCy use is serialised in extractors.lib.nlp
    except Exception as exc:
        return Extracted(_guarded("extract", item, settings, exc))
    saved = _save(engine, item, state="extracted", reason=None)
    return Extracted(replace(saved, next_stage="load"), extraction)


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
    from pipeline.discover.inbox import InboxSource

    with contextlib.suppress(FileNotFoundError):
        InboxSource().archive(Path(item.path or ""), settings)


def finish(items: Sequence[WorkItem], settings: Settings) -> IngestReport:
    """The run's report; inbox files found unchanged are archived too (the store has them)."""
    for item in items:
        if item.path is not None and item.outcome == "unchanged":
            _archive_inbox_file(item, settings)
    return IngestReport(sorted(items, key=lambda i: i.key))
