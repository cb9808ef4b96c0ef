"""Per-process resources found again by URL or settings (tasks never receive an engine)."""

from __future__ import annotations

import contextlib
import gc
import logging
import tempfile
import threading
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine

from pipeline.core.document import ParsedDocument
from pipeline.core.settings import Settings, get_settings
from pipeline.fetch.filestore import default_store, idle_for
from pipeline.run.layouts import layout_dir, read_layout
from pipeline.run.sandbox import ParseArgs, ParsePool, can_spawn, parse_here
from pipeline.store.db import make_engine, prepare_store, write_lock

if TYPE_CHECKING:  # httpx loads with the first download, not in every run (a local ingest has none)
    from pipeline.fetch.fetcher import Fetcher

log = logging.getLogger(__name__)


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
    """Serialise writes to a store: this process's threads by a lock, other processes (a second
    ``unpipe ingest`` or ``unpipe run`` on the same store) by ``write_lock``.

    SQLite has one writer at a time and a deferred transaction that reads before it writes fails at
    once (SQLITE_BUSY, no waiting) when another writer committed in between; on both databases a load
    reads before it inserts, so two at once would insert the same row twice.
    """
    key = str(engine.url)
    with _locks_guard:
        lock = _write_locks.setdefault(key, threading.Lock())
    with lock, write_lock(engine):
        yield


_fetchers: dict[str, Fetcher] = {}


def fetcher_for(settings: Settings) -> Fetcher:
    """One HTTP client per process and settings, shared by the fetch tasks (httpx clients are thread-safe)."""
    from pipeline.fetch.fetcher import Fetcher

    key = settings.model_dump_json()
    with _locks_guard:
        fetcher = _fetchers.get(key)
        if fetcher is None:
            fetcher = _fetchers[key] = Fetcher(settings)
        return fetcher


_pools: dict[tuple[int, int, int], ParsePool] = {}
_pools_guard = threading.Lock()


def parse_pool(workers: int, settings: Settings) -> ParsePool:
    """The bounded worker processes that parse PDFs (``pipeline.run.sandbox``), created on first use
    and kept for the process's later documents; see ``close_parse_pools``."""
    key = (max(workers, 1), settings.parse_memory_limit_bytes, settings.parse_max_stream_bytes)
    with _pools_guard:
        pool = _pools.get(key)
        if pool is None:
            pool = _pools[key] = ParsePool(key[0], settings)
        return pool


def parse_bounded(args: ParseArgs, settings: Settings, workers: int = 1) -> int:
    """Parse one PDF into its layout file under the memory and time limits; returns its page count."""
    if not can_spawn():
        return parse_here(args, settings)
    return parse_pool(workers, settings).parse(args, settings)


def start_parse_workers(workers: int, settings: Settings) -> None:
    """Start the run's parse processes ahead of its first PDF (``ParsePool.start``), where processes
    can be started at all."""
    if can_spawn():
        parse_pool(workers, settings).start()


def parse_file(path: Path, settings: Settings) -> ParsedDocument:
    """Parse one PDF under the limits (``unpipe extract``): its layout comes back through a temporary file."""
    with tempfile.TemporaryDirectory(prefix="unpipe-parse-") as folder:
        out = Path(folder) / "layout.json.gz"
        parse_bounded((str(path), str(out), path.name, settings.parser), settings)
        return read_layout(out)


def close_parse_pools() -> None:
    with _pools_guard:
        pools = list(_pools.values())
        _pools.clear()
    for pool in pools:
        pool.close()


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


_extraction_ready = threading.Event()


def ready_to_extract(languages: Iterable[str | None] | None = None) -> None:
    """Before the first document this process extracts (and, ideally, parses): load spaCy and jieba,
    then freeze the heap.

    Parsing allocates millions of short-lived containers, so full collections run often; each would
    walk every long-lived object again. The parser freezes the heap before its first parse, but the
    language models load at the first extraction, after that; loaded here first, they are frozen too.
    Called only where a process is about to extract, so ``unpipe --help``, a no-op run and the parse
    processes (which never extract) do not pay for loading them. ``languages``: the documents'
    languages when known beforehand (``extractors.lib.nlp.preload``).
    """
    if _extraction_ready.is_set():
        return
    from extractors.lib.nlp import preload

    with _locks_guard:
        if not _extraction_ready.is_set():
            preload(languages)
            gc.freeze()
            _extraction_ready.set()


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
    # Only leftovers idle for a while: another run on the same store may be writing its own right now.
    default_store(settings).cleanup_temp(idle_seconds=TEMP_IDLE_SECONDS)
    cache = layout_dir(settings)
    if cache.is_dir():
        for temp in cache.glob("*/.tmp-*"):
            with contextlib.suppress(FileNotFoundError):
                if idle_for(temp) >= TEMP_IDLE_SECONDS:
                    temp.unlink()
    return engine


TEMP_IDLE_SECONDS = 3600
"""A temporary download or layout unchanged this long belongs to no live run (downloads are cut off by
their deadline long before): a crash left it."""
