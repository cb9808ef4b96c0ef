"""Ingest local files (``unpipe ingest``) through the run's own stages, one file after another.

The same stages, item states and outcome words as ``unpipe run`` and the inbox: each file is an item
named like an inbox file (symbol and language from its name, or its folder ``zh``/``en``…), recorded
in ``ingest_items``, then fetched (copied into the file store, which hashes it), parsed, extracted and
loaded, each document in its own transaction, so a bad file never harms what was stored before. The
fetch stage asks the store before anything is parsed: the same bytes, loaded by the current parser
and extractors, end ``unchanged`` without being opened.

Before that, ``settled_files`` asks the store about all the files at once (three queries, nothing
written): a file whose item already ended on these very bytes skips the stages altogether, so
ingesting an unchanged folder again costs hashing its files and little more.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path

from sqlalchemy import select

from pipeline.core.errors import UnpipeError
from pipeline.core.languages import UN_LANGUAGES
from pipeline.core.settings import Settings
from pipeline.discover.inbox import symbol_from_filename
from pipeline.run.isolate import guard
from pipeline.run.items import UNKNOWN_LANGUAGE, IngestReport, Outcome, WorkItem
from pipeline.run.layouts import item_lock
from pipeline.run.resources import close_parse_pools, prepare, ready_to_extract, store_engine
from pipeline.run.stages import _item_from_row, fetch_guarded, finish, process_item, track_item
from pipeline.store.db import session_scope

SOURCE = "files"
"""The ``source`` recorded for files named on the command line."""


def find_pdfs(paths: Iterable[Path]) -> Iterator[Path]:
    """The files named, and the PDFs inside the folders named (recursively, in a stable order)."""
    for path in paths:
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() == ".pdf")
        elif path.is_file():
            yield path
        else:
            raise UnpipeError(f"no such file or folder: {path}", hint="check the path")


def file_item(path: Path) -> WorkItem:
    """The work item of one local file (symbol and language from its name or folder), not yet recorded."""
    symbol, language = symbol_from_filename(path.name)
    folder = path.resolve().parent.name.lower()
    language = language or (folder if folder in UN_LANGUAGES else UNKNOWN_LANGUAGE)
    return WorkItem(symbol, language, SOURCE, path.resolve().as_uri(), "discovered", path=str(path))


def ingest_file(path: Path, settings: Settings) -> WorkItem:
    """Take one file through fetch → parse → extract → load; whatever goes wrong with it (a bad file, a
    lost database connection after retries) ends it ``failed`` with its reason, never the command."""
    item = file_item(path)

    def track() -> WorkItem:
        tracked = track_item(settings, item.symbol, item.language, SOURCE, item.url or "", item.path)
        return replace(tracked, next_stage="fetch")

    with item_lock(settings, item):  # another ingest of the same file waits, then finds it unchanged
        item = guard("track", item, settings, track, lambda i: i)
        item = fetch_guarded([item], settings)[0] if item.next_stage == "fetch" else item
        if item.next_stage != "done":
            ready_to_extract()
        return process_item(item, settings)


def settled_files(files: Sequence[Path], settings: Settings) -> dict[Path, WorkItem]:
    """The files whose item already ended on these very bytes, each as that finished item; asked for
    all files at once (three queries) and nothing written: what ``ingest_file`` would find, without
    its per-file transactions, locks and copies.

    Settled means the item's row names this file, holds its hash, its file is in the file store, and:

    - ``loaded`` (no reason, no HTTP validators): a loaded document of the current parser version
      holds these bytes, with every extractor's output current: ``unchanged``;
    - ``failed`` as a bad PDF: the store recorded these bytes as refused, for the same reason, by the
      current parser version (a bad file fails the same way every time): ``failed`` again, with its
      reason. A time-out or memory limit is never settled: it may pass next time.

    A (symbol, language) named by two of the files is left to ``ingest_file``: the first would change
    the row the second is judged by.
    """
    from extractors.catalog import all_extractors
    from models import Document, IngestItem
    from pipeline.fetch.filestore import default_store
    from pipeline.parse.version import parser_version
    from pipeline.store.load import latest_versions

    items = {path: file_item(path) for path in files}
    twice = {key for key, n in Counter(item.key for item in items.values()).items() if n > 1}
    items = {path: item for path, item in items.items() if item.key not in twice}
    if not items:
        return {}
    hashes = {path: _sha256(path) for path in items}
    store, version = default_store(settings), parser_version(settings.parser)
    wanted = {e.name: e.version for e in all_extractors()}
    engine = store_engine(settings.resolved_database_url)
    with session_scope(engine) as session:
        rows = {
            (row.symbol, row.language): row
            for row in session.scalars(
                select(IngestItem).where(IngestItem.symbol.in_({item.symbol for item in items.values()}))
            )
        }
        documents = session.execute(
            select(Document.id, Document.sha256, Document.status, Document.failure_reason).where(
                Document.sha256.in_(set(hashes.values())), Document.parser_version == version
            )
        ).all()
        versions = latest_versions(session, [d.id for d in documents if d.status == "loaded"])
        loaded = {d.sha256 for d in documents
                  if d.status == "loaded" and all(versions.get(d.id, {}).get(n) == v for n, v in wanted.items())}
        refused = {d.sha256: d.failure_reason for d in documents if d.status == "failed"}
        settled = {}
        for path, item in items.items():
            outcome: Outcome
            row, sha = rows.get(item.key), hashes[path]
            if row is None or (row.url, row.source, row.sha256) != (item.url, item.source, sha):
                continue
            if (row.state == "loaded" and sha in loaded and row.reason is None and row.etag is None
                    and row.last_modified is None):
                outcome = "unchanged"
            elif (row.state == "failed" and sha in refused and row.reason is not None
                    and row.reason.startswith(f"{refused[sha]}: ")):
                outcome = "failed"
            else:
                continue
            if store.exists(sha):
                settled[path] = replace(_item_from_row(row, item.path), outcome=outcome, next_stage="done")
    return settled


def _sha256(path: Path) -> str:
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def ingest_paths(
    paths: Iterable[Path],
    settings: Settings,
    on_progress: Callable[[Path, WorkItem], None] | None = None,
) -> IngestReport:
    """Ingest every PDF named or found in the folders named; the report lists each file's outcome."""
    prepare(settings)
    files = list(find_pdfs(paths))
    settled = settled_files(files, settings)
    items = []
    try:
        for path in files:
            item = settled.get(path) or ingest_file(path, settings)
            items.append(item)
            if on_progress is not None:
                on_progress(path, item)
    finally:
        close_parse_pools()
    return finish(items, settings)
