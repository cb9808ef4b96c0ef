"""The Joint Inspection Unit's reports listing, with its per-language PDF links."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from html.parser import HTMLParser
from urllib.parse import urljoin

from pipeline.core.languages import LANGUAGE_NAMES, UN_LANGUAGES
from pipeline.core.settings import Settings
from pipeline.discover.base import Discovered, _fetcher
from pipeline.discover.undl import classify
from pipeline.fetch.fetcher import Fetcher

log = logging.getLogger(__name__)


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
    if lang := LANGUAGE_NAMES.get(text.lower()):
        return lang
    if m := re.search(r"_(Arabic|English|Spanish|French|Russian|Chinese)\.pdf$", href, re.IGNORECASE):
        return LANGUAGE_NAMES[m.group(1).lower()]
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

