"""The watch-list source: symbols and numbered series from a TOML file, probed on ODS."""

from __future__ import annotations

import logging
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from pipeline.core.errors import (
    FetchError,
    SourceNotConfiguredError,
    WatchlistError,
)
from pipeline.core.languages import UN_LANGUAGES
from pipeline.core.settings import Settings
from pipeline.discover.base import Discovered, _fetcher
from pipeline.fetch.fetcher import Fetcher

log = logging.getLogger(__name__)


# --- Watch list ---------------------------------------------------------------------------------


@dataclass
class Series:
    """A numbered series: ``pattern`` has one ``*`` replaced by start, start+1, …"""

    pattern: str
    start: int = 1
    miss_limit: int | None = None
    limit: int = 500
    """Never probe past start + limit (a guard against a site that answers every number)."""


@dataclass
class Watchlist:
    symbols: list[str]
    series: list[Series]
    languages: list[str] | None = None
    miss_limit: int | None = None


def load_watchlist(path: Path) -> Watchlist:
    """Read and check a watch-list file; errors name the file and the bad entry.

    Format::

        symbols = ["JIU/REP/2025/2", "A/80/604/Add.1"]      # wanted as they are
        series = [                                           # "*" → 1, 2, 3 … until misses
            "A/80/7/Add.*",
            { pattern = "JIU/REP/2025/*", start = 1, miss_limit = 5 },
        ]
        miss_limit = 3          # optional, default UNPIPE_WATCHLIST_MISS_LIMIT
        languages = ["en"]      # optional: languages probed (default UNPIPE_LANGUAGES)
    """
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise WatchlistError(f"cannot read watch-list file {path}: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise WatchlistError(f"{path} is not valid TOML: {exc}") from exc
    unknown = set(data) - {"symbols", "series", "languages", "miss_limit"}
    if unknown:
        raise WatchlistError(
            f"{path}: unknown key(s) {sorted(unknown)}; use symbols, series, languages, miss_limit"
        )
    symbols = data.get("symbols", [])
    if not isinstance(symbols, list) or not all(isinstance(s, str) and s.strip() for s in symbols):
        raise WatchlistError(f"{path}: 'symbols' must be a list of non-empty strings")
    series = []
    for i, entry in enumerate(data.get("series", [])):
        if isinstance(entry, str):
            entry = {"pattern": entry}
        if not isinstance(entry, dict) or not isinstance(entry.get("pattern"), str):
            raise WatchlistError(f"{path}: series[{i}] must be a pattern string or a table with 'pattern'")
        extra = set(entry) - {"pattern", "start", "miss_limit", "limit"}
        if extra:
            raise WatchlistError(f"{path}: series[{i}] has unknown key(s) {sorted(extra)}")
        if entry["pattern"].count("*") != 1:
            raise WatchlistError(
                f"{path}: series[{i}] pattern {entry['pattern']!r} must contain exactly one '*'"
            )
        for key in ("start", "miss_limit", "limit"):
            if key in entry and (
                not isinstance(entry[key], int) or entry[key] < (0 if key == "start" else 1)
            ):
                raise WatchlistError(f"{path}: series[{i}].{key} must be a positive integer")
        series.append(Series(**entry))
    languages = data.get("languages")
    if languages is not None and (not isinstance(languages, list) or set(languages) - set(UN_LANGUAGES)):
        raise WatchlistError(f"{path}: 'languages' must be a list of {', '.join(UN_LANGUAGES)}")
    miss_limit = data.get("miss_limit")
    if miss_limit is not None and (not isinstance(miss_limit, int) or miss_limit < 1):
        raise WatchlistError(f"{path}: 'miss_limit' must be a positive integer")
    return Watchlist([s.strip() for s in symbols], series, languages, miss_limit)


class WatchlistSource:
    """Symbols and numbered series from ``settings.watchlist_file``.

    ``settings.ga_sessions`` adds, for each session NN, the ACABQ's main report ``A/NN/7`` and the
    series ``A/NN/7/Add.*`` (its reports on each budget section and proposal), with or without a file.

    Plain symbols are yielded as they are (the fetch reports them unavailable if they are). Series are
    probed on ODS number by number: a number counts as found if any probed language answers with a
    PDF, as a miss on 404 or a non-PDF answer; after ``miss_limit`` misses in a row the series ends.
    If the site fails for good (timeouts, 5xx) the series stops there, rather than counting misses.
    A bot wall or throttling that outlasts the retries stops the series the same way.
    ``since`` does not apply (a watch list has no dates).
    """

    name = "watchlist"
    version = "2"

    def discover(
        self, since: date | None, settings: Settings, *, fetcher: Fetcher | None = None
    ) -> Iterator[Discovered]:
        if settings.watchlist_file is None and not settings.ga_sessions:
            raise SourceNotConfiguredError("no watch-list file nor sessions (set UNPIPE_WATCHLIST_FILE or UNPIPE_GA_SESSIONS)")
        watchlist = load_watchlist(settings.watchlist_file) if settings.watchlist_file else Watchlist([], [])
        for session in settings.ga_sessions:
            watchlist.symbols.append(f"A/{session}/7")
            watchlist.series.append(Series(f"A/{session}/7/Add.*"))
        languages = tuple(watchlist.languages or settings.languages)
        seen: set[str] = set()
        for symbol in watchlist.symbols:
            if symbol not in seen:
                seen.add(symbol)
                yield Discovered(symbol=symbol, source=self.name)
        if not watchlist.series:
            return
        client, own = _fetcher(settings, fetcher)
        try:
            for series in watchlist.series:
                miss_limit = series.miss_limit or watchlist.miss_limit or settings.watchlist_miss_limit
                for symbol in self._enumerate(client, series, languages, miss_limit):
                    if symbol not in seen:
                        seen.add(symbol)
                        yield Discovered(symbol=symbol, source=self.name)
        finally:
            if own:
                client.close()

    def _enumerate(
        self, client: Fetcher, series: Series, languages: tuple[str, ...], miss_limit: int
    ) -> Iterator[str]:
        """Symbols of the series that ODS has in at least one of ``languages``."""
        misses = 0
        for number in range(series.start, series.start + series.limit):
            symbol = series.pattern.replace("*", str(number))
            try:
                found = next((lang for lang in languages if client.probe(symbol, lang)), None)
            except FetchError as exc:
                log.warning("watchlist: stopped series %s at %s: %s", series.pattern, symbol, exc)
                return
            if found is None:
                misses += 1
                if misses >= miss_limit:
                    return
                continue
            misses = 0
            yield symbol

