"""The discovery sources, in run order, and how to find one by name."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import date
from typing import Any, TypeVar

from pipeline.core.errors import (
    DuplicateSourceError,
    FetchError,
    SourceNotConfiguredError,
    UnknownSourceError,
)
from pipeline.core.registry import Registry
from pipeline.core.settings import Settings, get_settings
from pipeline.discover.base import MAX_SYMBOL_LENGTH, Discovered, Source
from pipeline.discover.inbox import InboxSource
from pipeline.discover.jiu import JiuSource
from pipeline.discover.undl import UndlSource
from pipeline.discover.watchlist import WatchlistSource

log = logging.getLogger(__name__)


# --- Registry -----------------------------------------------------------------------------------

BUILTIN_SOURCES: tuple[Source, ...] = (UndlSource(), WatchlistSource(), JiuSource(), InboxSource())
"""The built-in sources, in run order; a newcomer joins with ``register`` (duplicate names are refused)."""

_SOURCES: Registry[Source] = Registry(
    "discovery source", BUILTIN_SOURCES, duplicate=DuplicateSourceError, unknown=UnknownSourceError
)

register = _SOURCES.register
get_source = _SOURCES.get
all_sources = _SOURCES.all
remove_source = _SOURCES.remove

C = TypeVar("C", bound=Callable[[], Any])


def registered(cls: C) -> C:
    """Class decorator: instantiate the class and register the instance."""
    register(cls())
    return cls


def discover_all(
    since: date | None,
    settings: Settings | None = None,
    names: Iterable[str] | None = None,
    *,
    cursors: Mapping[str, date] | None = None,
    on_error: Callable[[str, FetchError], None] | None = None,
) -> Iterator[Discovered]:
    """Run sources in registry order (or the named ones) and yield what each finds.

    ``since`` applies to every source; without it a source starts at its entry in ``cursors`` (the
    day of its last successful run), or at the beginning.

    An unconfigured source is skipped with a log line. A source whose site fails (``FetchError``)
    stops there — what it yielded before stands — and the others still run; ``on_error(name, error)``
    hears about it (default: a warning in the log), so a flow can record the failure.
    """
    settings = settings or get_settings()
    for source in [get_source(n) for n in names] if names is not None else all_sources():
        try:
            for found in source.discover(since or (cursors or {}).get(source.name), settings):
                if len(found.symbol) > MAX_SYMBOL_LENGTH:  # the store's column: it would fail a whole batch
                    log.warning("source %s: symbol of %d characters skipped (the store holds %d): %.80s…",
                                source.name, len(found.symbol), MAX_SYMBOL_LENGTH, found.symbol)
                    continue
                yield found
        except SourceNotConfiguredError as exc:
            log.info("source %s skipped: %s", source.name, exc)
        except FetchError as exc:
            if on_error is not None:
                on_error(source.name, exc)
            else:
                log.warning("source %s failed: %s", source.name, exc)
