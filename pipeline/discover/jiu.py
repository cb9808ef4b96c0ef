"""The Joint Inspection Unit's reports listing, with its per-language PDF links."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from html.parser import HTMLParser
from urllib.parse import unquote, urljoin

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


_LANGUAGE_WORDS = "arabic|english|spanish|french|russian|chinese|español|français|русский|中文|العربية"
_FILE_SYMBOL = re.compile(
    r"jiu[_ ](?P<series>rep|note|ml)[_ ](?P<year>\d{4})[_ ](?P<number>\d+)(?P<rev>[_ ]rev\.?[_ ]?\d+)?",
    re.IGNORECASE,
)
_TEXT_SYMBOL = re.compile(r"JIU/(?:REP|NOTE|ML)/\d{4}/\d+(?:/Rev\.\d+)?", re.IGNORECASE)
_LANGUAGE_IN_NAME = re.compile(rf"[_\- ](?P<lang>{_LANGUAGE_WORDS}|ar|en|es|fr|ru|zh)\.pdf$", re.IGNORECASE)


def _symbol_in(name: str) -> str | None:
    """A JIU symbol written in a file name (``jiu_rep_2021_3_english.pdf``) or in text (``JIU/REP/2021/3``)."""
    if m := _TEXT_SYMBOL.search(name):
        return m.group(0).upper().replace("/REV.", "/Rev.")
    if m := _FILE_SYMBOL.search(name):
        rev = re.sub(r"\D", "", m.group("rev") or "")
        return f"JIU/{m.group('series').upper()}/{m.group('year')}/{m.group('number')}" + (f"/Rev.{rev}" if rev else "")
    return None


class _LinkParser(HTMLParser):
    """Every ``<a href>`` with its text and ``hreflang``, and the pager's next link."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str | None, str]] = []
        self.next_href: str | None = None
        self._open: tuple[str, str | None] | None = None
        self._text = ""
        self._in_next = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "li" and "pager__item--next" in a.get("class", "").split():
            self._in_next = True
        elif tag == "a" and a.get("href"):
            if self._in_next or a.get("rel") == "next":
                self.next_href = a["href"]
            self._open, self._text = (a["href"], a.get("hreflang") or None), ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._open is not None:
            self.links.append((*self._open, " ".join(self._text.split())))
            self._open = None
        elif tag == "li":
            self._in_next = False

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self._text += data


def _jiu_link_language(href: str, hreflang: str | None, text: str) -> str | None:
    if hreflang and hreflang.lower()[:2] in UN_LANGUAGES:
        return hreflang.lower()[:2]
    if lang := LANGUAGE_NAMES.get(text.lower()):
        return lang
    if m := _LANGUAGE_IN_NAME.search(unquote(href)):
        word = m.group("lang").lower()
        return word if word in UN_LANGUAGES else LANGUAGE_NAMES.get(word)
    return None


def parse_jiu_listing(html_text: str) -> tuple[list[JiuRow], str | None]:
    """Rows of one listing page and the href of the next page (None on the last page).

    Lenient by design (no listing HTML of the real site was available): any link to a PDF whose file
    name or text holds a JIU symbol, and whose ``hreflang``, text or file name says a language, is a
    file of that document; a link whose text holds the symbol but leads to no PDF gives the title.
    """
    parser = _LinkParser()
    parser.feed(html_text)
    parser.close()
    rows: dict[str, JiuRow] = {}
    for href, hreflang, text in parser.links:
        path = unquote(href.split("?")[0])
        symbol = _symbol_in(path.rsplit("/", 1)[-1]) or _symbol_in(text)
        if symbol is None:
            continue
        row = rows.setdefault(symbol, JiuRow(symbol, "", int(symbol.split("/")[2]), {}))
        if path.lower().endswith(".pdf"):
            if lang := _jiu_link_language(path, hreflang, text):
                row.links.setdefault(lang, href)
        elif text and not row.title:
            row.title = re.sub(r"\(\s*\)", "", _TEXT_SYMBOL.sub("", text)).strip(" :-–—") or text
    return list(rows.values()), parser.next_href


class JiuSource:
    """The JIU website's listing ``{jiu_base_url}/content/reports-notes`` (Drupal; ``?page=N`` pager).

    No listing HTML of the real site was found, so ``parse_jiu_listing`` reads links, not a table
    layout: real file names look like ``/sites/www.unjiu.org/files/jiu_rep_2021_3_english.pdf`` or
    ``…/jiu_document_files/…/JIU_REP_1995_13_English.pdf``. Only the year is known (from the symbol),
    so ``date`` is 1 January and paging stops at the first page whose documents are all from before
    ``since``'s year. The Digital Library finds JIU documents too (by symbol and corporate author);
    the two merge by symbol, the JIU site adding its direct links.
    """

    name = "jiu"
    version = "2"
    max_pages = 50

    def listing_url(self, settings: Settings) -> str:
        return f"{settings.jiu_base_url.rstrip('/')}/content/reports-notes"

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

