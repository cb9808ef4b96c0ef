"""Ingest local files (``unpipe ingest``) through the run's own stages, one file after another.

The same stages, item states and outcome words as ``unpipe run`` and the inbox: each file is an item
named like an inbox file (symbol and language from its name, or its folder ``zh``/``en``…), recorded
in ``ingest_items``, then fetched (copied into the file store, which hashes it), parsed, extracted and
loaded, each document in its own transaction, so a bad file never harms what was stored before. The
fetch stage asks the store before anything is parsed: the same bytes, loaded by the current parser
and extractors, end ``unchanged`` without being opened.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from pathlib import Path

from pipeline.core.errors import UnpipeError
from pipeline.core.languages import UN_LANGUAGES
from pipeline.core.settings import Settings
from pipeline.discover.inbox import symbol_from_filename
from pipeline.run.isolate import guard
from pipeline.run.items import UNKNOWN_LANGUAGE, IngestReport, WorkItem
from pipeline.run.layouts import item_lock
from pipeline.run.resources import close_parse_pools, prepare, ready_to_extract
from pipeline.run.stages import fetch_guarded, finish, process_item, track_item

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


def ingest_paths(
    paths: Iterable[Path],
    settings: Settings,
    on_progress: Callable[[Path, WorkItem], None] | None = None,
) -> IngestReport:
    """Ingest every PDF named or found in the folders named; the report lists each file's outcome."""
    prepare(settings)
    items = []
    try:
        for path in find_pdfs(paths):
            item = ingest_file(path, settings)
            items.append(item)
            if on_progress is not None:
                on_progress(path, item)
    finally:
        close_parse_pools()
    return finish(items, settings)
