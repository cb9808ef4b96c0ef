"""Discovery sources: registered units that say which documents exist, without downloading them.

Each source has a ``name`` and a ``version`` and is listed in one registry (like the extractors);
``discover(since, settings)`` yields ``Discovered`` records and never touches the database. Built-ins:

- ``undl``: the UN Digital Library's MARCXML search (JIU reports and notes, ACABQ reports,
  Secretary-General reports and notes).
- ``watchlist``: symbols and numbered series (``A/80/7/Add.*``) from a TOML file, probed on ODS.
- ``jiu``: the Joint Inspection Unit's reports listing page, with its per-language PDF links.
- ``inbox``: PDFs dropped into a local folder; ``inbox.archive(path)`` moves one into the file store.

A source that lacks its setting raises ``SourceNotConfiguredError`` (``discover_all`` skips it).
"""

from __future__ import annotations

import calendar
import logging
import re
import tomllib
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, Protocol, TypeVar
from urllib.parse import quote, urlencode, urljoin

from pipeline.errors import (
    DuplicateSourceError,
    FetchError,
    PermanentFetchError,
    SourceNotConfiguredError,
    UnknownSourceError,
    WatchlistError,
)
from pipeline.fetch import Fetcher
from pipeline.filestore import StoredFile, default_store
from pipeline.settings import UN_LANGUAGES, Settings, get_settings

log = logging.getLogger(__name__)

MARC_NS = "http://www.loc.gov/MARC21/slim"
_M = f"{{{MARC_NS}}}"


@dataclass
class Discovered:
    """A document a source says exists. Plain data: the flow fetches, parses and stores it."""

    symbol: str
    source: str
    """Name of the source that found it."""
    title: str | None = None
    date: date | None = None
    """Publication date (JIU listing: 1 January of the listed year; inbox: the file's mtime)."""
    languages: tuple[str, ...] = ()
    """Languages it is known to exist in; empty means unknown (fetch every wanted language)."""
    urls: dict[str, str] = field(default_factory=dict)
    """Direct PDF links per language, when the source has them (JIU); else the ODS URL is used."""
    path: Path | None = None
    """Inbox only: the local file."""
    kind: str | None = None
    """What the source says it is: ``jiu_report``, ``jiu_note``, ``acabq_report``, ``sg_report`` …"""
    author: str | None = None
    record_id: str | None = None
    """The source's own id (Digital Library record number)."""


class Source(Protocol):
    """A discovery unit. ``version`` changes when what it finds for the same input changes."""

    name: str
    version: str

    def discover(self, since: date | None, settings: Settings) -> Iterator[Discovered]: ...


# --- Registry -----------------------------------------------------------------------------------

_REGISTRY: dict[str, Source] = {}


S = TypeVar("S", bound=Source)
C = TypeVar("C", bound=Callable[[], Any])


def register(source: S) -> S:
    """Add a source to the registry (returns it, so ``x = register(X())`` works); duplicates are refused."""
    if source.name in _REGISTRY:
        raise DuplicateSourceError(f"a discovery source named {source.name!r} is already registered")
    _REGISTRY[source.name] = source
    return source


def registered(cls: C) -> C:
    """Class decorator: instantiate the class and register the instance."""
    register(cls())
    return cls


def get_source(name: str) -> Source:
    try:
        return _REGISTRY[name]
    except KeyError:
        valid = ", ".join(_REGISTRY)
        raise UnknownSourceError(f"no discovery source named {name!r}; valid names: {valid}") from None


def all_sources() -> list[Source]:
    return list(_REGISTRY.values())


def discover_all(
    since: date | None,
    settings: Settings | None = None,
    names: Iterable[str] | None = None,
    *,
    on_error: Callable[[str, FetchError], None] | None = None,
) -> Iterator[Discovered]:
    """Run sources in registry order (or the named ones) and yield what each finds.

    An unconfigured source is skipped with a log line. A source whose site fails (``FetchError``)
    stops there — what it yielded before stands — and the others still run; ``on_error(name, error)``
    hears about it (default: a warning in the log), so a flow can record the failure.
    """
    settings = settings or get_settings()
    for source in [get_source(n) for n in names] if names is not None else all_sources():
        try:
            yield from source.discover(since, settings)
        except SourceNotConfiguredError as exc:
            log.info("source %s skipped: %s", source.name, exc)
        except FetchError as exc:
            if on_error is not None:
                on_error(source.name, exc)
            else:
                log.warning("source %s failed: %s", source.name, exc)


def merge_discovered(items: Iterable[Discovered]) -> list[Discovered]:
    """One record per symbol (inbox files stay separate): later sources fill fields the first lacked."""
    merged: dict[tuple[str, Path | None], Discovered] = {}
    for item in items:
        key = (item.symbol, item.path)
        first = merged.get(key)
        if first is None:
            merged[key] = replace(item, urls=dict(item.urls))
            continue
        first.title = first.title or item.title
        first.date = first.date or item.date
        first.kind = first.kind or item.kind
        first.author = first.author or item.author
        if first.languages and item.languages:
            first.languages = tuple(dict.fromkeys(first.languages + item.languages))
        else:
            first.languages = ()  # one source does not know: fetch every wanted language
        for lang, url in item.urls.items():
            first.urls.setdefault(lang, url)
    return list(merged.values())


def _fetcher(settings: Settings, fetcher: Fetcher | None) -> tuple[Fetcher, bool]:
    """The given fetcher, or a new one the caller must close (second item True)."""
    return (fetcher, False) if fetcher is not None else (Fetcher(settings), True)


# --- UN Digital Library -------------------------------------------------------------------------

_JIU_SYMBOL = re.compile(r"JIU/(REP|NOTE)/\d{4}/\d+")
_ACABQ_SYMBOL = re.compile(r"A/\d+/7(/Add\.\d+)?")
ACABQ_NAME = "Advisory Committee on Administrative and Budgetary Questions"
_LANGUAGE_BY_NAME = {
    "arabic": "ar",
    "english": "en",
    "spanish": "es",
    "español": "es",
    "french": "fr",
    "français": "fr",
    "russian": "ru",
    "русский": "ru",
    "chinese": "zh",
    "中文": "zh",
    "عربي": "ar",
}


def classify(symbol: str, author: str | None) -> str | None:
    """The oversight kind of a catalogued document, or None if it is none of the wanted kinds."""
    if m := _JIU_SYMBOL.match(symbol):
        return "jiu_report" if m.group(1) == "REP" else "jiu_note"
    if _ACABQ_SYMBOL.fullmatch(symbol) or (author and ACABQ_NAME.lower() in author.lower()):
        return "acabq_report"
    if author and "secretary-general" in author.lower():
        return "sg_report"
    return None


@dataclass
class MarcRecord:
    """The fields of one MARCXML record that discovery uses."""

    record_id: str | None
    symbols: list[str]
    title: str | None
    date_end: date | None
    """Last day the (possibly partial) date can stand for: ``2025`` → 2025-12-31."""
    date: date | None
    authors: list[str]
    languages: list[str]


def _parse_marc_date(text: str | None) -> tuple[date, date] | None:
    """``2025-10-20``, ``20251020``, ``2025-10`` or ``2025`` → (first day, last day) of what it names."""
    if not text:
        return None
    digits = re.sub(r"[^0-9]", "", text.strip())
    try:
        if len(digits) >= 8:
            d = datetime.strptime(digits[:8], "%Y%m%d").date()
            return d, d
        if len(digits) == 6:
            y, m = int(digits[:4]), int(digits[4:])
            return date(y, m, 1), date(y, m, calendar.monthrange(y, m)[1])
        if len(digits) == 4:
            return date(int(digits), 1, 1), date(int(digits), 12, 31)
    except ValueError:
        return None
    return None


def parse_marcxml(data: bytes) -> tuple[list[MarcRecord], int | None]:
    """Records of a Digital Library ``of=xm`` page and the total hit count (from its leading comment)."""
    total = None
    if m := re.search(rb"Search-Engine-Total-Number-Of-Results:\s*(\d+)", data[:500]):
        total = int(m.group(1))
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise PermanentFetchError(
            f"Digital Library answer is not MARCXML: {exc}", reason="bad_response"
        ) from exc
    if root.tag != f"{_M}collection":
        raise PermanentFetchError(
            f"Digital Library answer is not MARCXML: root element {root.tag!r}", reason="bad_response"
        )
    records = []
    for rec in root.iter(f"{_M}record"):
        fields: dict[str, list[dict[str, list[str]]]] = {}
        for df in rec.findall(f"{_M}datafield"):
            subs: dict[str, list[str]] = {}
            for sf in df.findall(f"{_M}subfield"):
                subs.setdefault(sf.get("code", ""), []).append((sf.text or "").strip())
            fields.setdefault(df.get("tag", ""), []).append(subs)
        control = {cf.get("tag"): (cf.text or "").strip() for cf in rec.findall(f"{_M}controlfield")}

        def first(tag: str, code: str, fields: dict[str, list[dict[str, list[str]]]] = fields) -> str | None:
            for subs in fields.get(tag, []):
                if subs.get(code):
                    return subs[code][0]
            return None

        title = None
        if main := first("245", "a"):
            sub = first("245", "b")
            title = _clean_title(main) + (f": {_clean_title(sub)}" if sub else "")
        dates = _parse_marc_date(first("269", "a")) or _parse_marc_date(first("992", "a"))
        languages: list[str] = []
        for subs in fields.get("856", []):
            lang = _language_of(subs.get("y", [""])[0], subs.get("u", [""])[0])
            if lang and lang not in languages:
                languages.append(lang)
        records.append(
            MarcRecord(
                record_id=control.get("001"),
                symbols=[s for subs in fields.get("191", []) for s in subs.get("a", []) if s],
                title=title,
                date=dates[0] if dates else None,
                date_end=dates[1] if dates else None,
                authors=[
                    a for tag in ("110", "710") for subs in fields.get(tag, []) for a in subs.get("a", [])
                ],
                languages=languages,
            )
        )
    return records, total


def _clean_title(text: str) -> str:
    return re.sub(r"\s*[:/;,=]\s*$", "", text).strip()


def _language_of(label: str, url: str) -> str | None:
    if lang := _LANGUAGE_BY_NAME.get(label.strip().lower()):
        return lang
    if m := re.search(r"-([A-Za-z]{2})\.pdf$", url):
        code = m.group(1).lower()
        return code if code in UN_LANGUAGES else None
    return None


UNDL_QUERIES: dict[str, str] = {
    "jiu": '191__a:"JIU/REP/*" or 191__a:"JIU/NOTE/*"',
    "acabq": f"191__a:\"A/*/7/Add.*\" or 710__a:'{ACABQ_NAME}'",
    "sg": "110__a:'Secretary-General' or 710__a:'Secretary-General'",
}
"""Invenio search expressions: ``"…*"`` matches the whole value with wildcards, ``'…'`` a phrase in it."""


class UndlSource:
    """The UN Digital Library search, read as MARCXML, newest first, page by page.

    URL shape: ``{undl_base_url}/search?p=QUERY&of=xm&rg=N&jrec=START&sort=latest``. Symbol from
    191 $a, title from 245 $a + $b, date from 269 $a (else 992 $a), author from 110/710 $a,
    languages from 856 $y (or the ``-EN.pdf`` file suffix). ``since`` is applied here, not in the
    query (many records lack 269): paging stops at the first page whose records are all older.
    """

    name = "undl"
    version = "1"

    def discover(
        self, since: date | None, settings: Settings, *, fetcher: Fetcher | None = None
    ) -> Iterator[Discovered]:
        client, own = _fetcher(settings, fetcher)
        seen: set[str] = set()
        try:
            for query in UNDL_QUERIES.values():
                for record in self._search(client, query, since, settings):
                    found = self._to_discovered(record, since)
                    if found and found.symbol not in seen:
                        seen.add(found.symbol)
                        yield found
        finally:
            if own:
                client.close()

    def search_url(self, settings: Settings, query: str, start: int) -> str:
        params = {"p": query, "of": "xm", "rg": settings.undl_page_size, "jrec": start, "sort": "latest"}
        return f"{settings.undl_base_url.rstrip('/')}/search?{urlencode(params, quote_via=quote)}"

    def _search(
        self, client: Fetcher, query: str, since: date | None, settings: Settings
    ) -> Iterator[MarcRecord]:
        start = 1
        while start <= settings.undl_max_records:
            records, total = parse_marcxml(client.get_bytes(self.search_url(settings, query, start)))
            yield from records
            if len(records) < settings.undl_page_size or (total is not None and start + len(records) > total):
                return
            if since and all(r.date_end is not None and r.date_end < since for r in records):
                return
            start += len(records)
        log.warning("undl: stopped after %d records for %s (UNPIPE_UNDL_MAX_RECORDS)", start - 1, query)

    def _to_discovered(self, record: MarcRecord, since: date | None) -> Discovered | None:
        if not record.symbols:
            return None  # votes, speeches and other records without a document symbol
        if since and record.date_end is not None and record.date_end < since:
            return None
        symbol = record.symbols[0]
        author = next(
            (a for a in record.authors if classify(symbol, a)), record.authors[0] if record.authors else None
        )
        return Discovered(
            symbol=symbol,
            source=self.name,
            title=record.title,
            date=record.date,
            languages=tuple(record.languages),
            kind=classify(symbol, author),
            author=author,
            record_id=record.record_id,
        )


undl = register(UndlSource())


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

    Plain symbols are yielded as they are (the fetch reports them missing if they are). Series are
    probed on ODS number by number: a number counts as found if any probed language answers with a
    PDF, as a miss on 404 or a non-PDF answer; after ``miss_limit`` misses in a row the series ends.
    If the site fails for good (timeouts, 5xx) the series stops there, rather than counting misses.
    ``since`` does not apply (a watch list has no dates).
    """

    name = "watchlist"
    version = "1"

    def discover(
        self, since: date | None, settings: Settings, *, fetcher: Fetcher | None = None
    ) -> Iterator[Discovered]:
        if settings.watchlist_file is None:
            raise SourceNotConfiguredError("no watch-list file (set UNPIPE_WATCHLIST_FILE)")
        watchlist = load_watchlist(settings.watchlist_file)
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


watchlist = register(WatchlistSource())


# --- JIU website --------------------------------------------------------------------------------


@dataclass
class JiuRow:
    symbol: str
    title: str
    year: int | None
    links: dict[str, str]


class _JiuListingParser(HTMLParser):
    """Reads the JIU reports table (the Drupal "views" markup described on ``JiuSource``)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.rows: list[JiuRow] = []
        self.next_href: str | None = None
        self._cell: str | None = None
        self._cells: dict[str, str] = {}
        self._links: list[tuple[str, str | None, str]] = []
        self._link: tuple[str, str | None] | None = None
        self._link_text = ""
        self._in_row = False
        self._in_next = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        classes = a.get("class", "").split()
        if tag == "tr":
            self._in_row, self._cells, self._links = True, {}, []
        elif tag == "td" and self._in_row:
            self._cell = next(
                (
                    name
                    for name in ("symbol", "title", "year", "files")
                    if any(_cell_kind(c) == name for c in classes)
                ),
                None,
            )
            if self._cell:
                self._cells[self._cell] = ""
        elif tag == "a":
            if self._in_next or a.get("rel") == "next":
                self.next_href = a.get("href") or self.next_href
            if self._cell == "files" and a.get("href"):
                self._link, self._link_text = (a["href"], a.get("hreflang") or None), ""
        elif tag == "li" and "pager__item--next" in classes:
            self._in_next = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._link is not None:
            self._links.append((self._link[0], self._link[1], self._link_text.strip()))
            self._link = None
        elif tag == "td":
            self._cell = None
        elif tag == "li":
            self._in_next = False
        elif tag == "tr" and self._in_row:
            self._in_row = False
            symbol = " ".join(self._cells.get("symbol", "").split())
            if symbol:
                year_text = self._cells.get("year", "").strip()
                links: dict[str, str] = {}
                for href, hreflang, text in self._links:
                    lang = _jiu_link_language(href, hreflang, text)
                    if lang:
                        links.setdefault(lang, href)
                self.rows.append(
                    JiuRow(
                        symbol=symbol,
                        title=" ".join(self._cells.get("title", "").split()),
                        year=int(year_text) if year_text.isdigit() else None,
                        links=links,
                    )
                )

    def handle_data(self, data: str) -> None:
        if self._cell:
            self._cells[self._cell] += data
        if self._link is not None:
            self._link_text += data


def _cell_kind(css_class: str) -> str | None:
    if not css_class.startswith("views-field-"):
        return None
    if css_class.endswith("symbol"):
        return "symbol"
    if css_class.endswith("title"):
        return "title"
    if css_class.endswith("year"):
        return "year"
    if css_class.endswith("files"):
        return "files"
    return None


def _jiu_link_language(href: str, hreflang: str | None, text: str) -> str | None:
    if hreflang and hreflang.lower()[:2] in UN_LANGUAGES:
        return hreflang.lower()[:2]
    if lang := _LANGUAGE_BY_NAME.get(text.lower()):
        return lang
    if m := re.search(r"_(Arabic|English|Spanish|French|Russian|Chinese)\.pdf$", href, re.IGNORECASE):
        return _LANGUAGE_BY_NAME[m.group(1).lower()]
    return None


def parse_jiu_listing(html_text: str) -> tuple[list[JiuRow], str | None]:
    """Rows of one listing page and the href of the next page (None on the last page)."""
    parser = _JiuListingParser()
    parser.feed(html_text)
    parser.close()
    return parser.rows, parser.next_href


class JiuSource:
    """The JIU website's reports listing, ``{jiu_base_url}/content/reports?page=N`` (0-based, Drupal pager).

    Expected shape (a Drupal "views" table; cells are found by their ``views-field-…`` class, so
    column order and extra columns do not matter)::

        <table class="views-table jiu-reports"><tbody>
          <tr class="jiu-report">
            <td class="views-field views-field-field-symbol">JIU/REP/2025/2</td>
            <td class="views-field views-field-title"><a href="/content/…">Title</a></td>
            <td class="views-field views-field-field-year">2025</td>
            <td class="views-field views-field-field-document-files">
              <a href="/sites/www.unjiu.org/files/…/JIU_REP_2025_2_English.pdf" hreflang="en">English</a> …
            </td>
          </tr> …
        </tbody></table>
        <li class="pager__item pager__item--next"><a href="?page=1" rel="next">Next ›</a></li>

    The language of a link comes from ``hreflang``, else its text (English, 中文 …), else a
    ``_English.pdf`` file-name suffix. Rows are newest first: paging stops at the first page whose
    rows are all older than ``since``'s year. Only the year is listed, so ``date`` is 1 January.
    """

    name = "jiu"
    version = "1"
    max_pages = 50

    def listing_url(self, settings: Settings) -> str:
        return f"{settings.jiu_base_url.rstrip('/')}/content/reports"

    def discover(
        self, since: date | None, settings: Settings, *, fetcher: Fetcher | None = None
    ) -> Iterator[Discovered]:
        client, own = _fetcher(settings, fetcher)
        url: str | None = self.listing_url(settings)
        seen_pages: set[str] = set()
        try:
            while url and url not in seen_pages and len(seen_pages) < self.max_pages:
                seen_pages.add(url)
                rows, next_href = parse_jiu_listing(client.get_bytes(url).decode("utf-8", "replace"))
                for row in rows:
                    if since and row.year is not None and row.year < since.year:
                        continue
                    kind = classify(row.symbol, None)
                    yield Discovered(
                        symbol=row.symbol,
                        source=self.name,
                        title=row.title or None,
                        date=date(row.year, 1, 1) if row.year else None,
                        languages=tuple(row.links),
                        urls={lang: urljoin(url, href) for lang, href in row.links.items()},
                        kind=kind,
                        author="UN. Joint Inspection Unit",
                    )
                if since and rows and all(r.year is not None and r.year < since.year for r in rows):
                    break
                url = urljoin(url, next_href) if next_href else None
        finally:
            if own:
                client.close()


jiu = register(JiuSource())


# --- Local inbox --------------------------------------------------------------------------------

_LANG_SUFFIX = re.compile(r"^(?P<stem>.+?)[-._](?P<lang>ar|en|es|fr|ru|zh)$", re.IGNORECASE)


def symbol_from_filename(name: str) -> tuple[str, str | None]:
    """Guess (symbol, language) from an inbox file name: ``A_80_604_Add.1-ZH.pdf`` → ``A/80/604/Add.1``, zh.

    Accepts ``-EN``, ``.en`` and ``_en`` language suffixes (ODS, the bench corpus, other habits);
    ``_`` stands for ``/``. Names from ``safe_filename`` with a ``~hash`` cannot be reversed fully:
    the readable part is used.
    """
    stem = name[:-4] if name.lower().endswith(".pdf") else name
    language = None
    if m := _LANG_SUFFIX.match(stem):
        stem, language = m.group("stem"), m.group("lang").lower()
    stem = stem.split("~")[0]
    return stem.replace("_", "/"), language


class InboxSource:
    """PDFs dropped into ``settings.inbox_dir`` (sub-folders too; a folder named ``zh``/``en``… sets
    the language of the files in it). Hidden files and ``.part``/``.tmp`` files are skipped; copy a file
    in under another name and rename it when complete. ``since`` compares the file's modification date.
    After a successful ingest, ``archive(path)`` moves the file into the file store.
    """

    name = "inbox"
    version = "1"

    def discover(self, since: date | None, settings: Settings) -> Iterator[Discovered]:
        inbox = settings.inbox_dir
        if inbox is None:
            raise SourceNotConfiguredError("no inbox folder (set UNPIPE_INBOX_DIR)")
        if not inbox.is_dir():
            raise SourceNotConfiguredError(f"inbox folder {inbox} does not exist")
        for path in sorted(inbox.rglob("*")):
            rel = path.relative_to(inbox)
            if not path.is_file() or path.suffix.lower() != ".pdf":
                continue
            if any(part.startswith(".") for part in rel.parts):
                continue
            modified = datetime.fromtimestamp(path.stat().st_mtime).date()
            if since and modified < since:
                continue
            symbol, language = symbol_from_filename(path.name)
            folder_lang = rel.parts[0].lower() if len(rel.parts) > 1 else None
            if folder_lang in UN_LANGUAGES:
                language = language or folder_lang
            yield Discovered(
                symbol=symbol,
                source=self.name,
                date=modified,
                languages=(language,) if language else (),
                path=path,
            )

    def archive(self, path: Path, settings: Settings | None = None) -> StoredFile:
        """Move an ingested inbox file into the file store (a no-op copy if the content is stored already)."""
        settings = settings or get_settings()
        if settings.inbox_dir is None:
            raise SourceNotConfiguredError("no inbox folder (set UNPIPE_INBOX_DIR)")
        resolved = Path(path).resolve()
        if not resolved.is_relative_to(settings.inbox_dir.resolve()):
            raise ValueError(f"{path} is not inside the inbox {settings.inbox_dir}; refusing to move it")
        return default_store(settings).put(resolved, move=True)


inbox = register(InboxSource())
