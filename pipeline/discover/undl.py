"""The UN Digital Library source: MARCXML search results, record by record."""

from __future__ import annotations

import calendar
import logging
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import quote, urlencode

from pipeline.core.errors import (
    PermanentFetchError,
)
from pipeline.core.languages import LANGUAGE_NAMES, UN_LANGUAGES
from pipeline.core.settings import Settings
from pipeline.discover.base import Discovered, _fetcher
from pipeline.fetch.fetcher import Fetcher

log = logging.getLogger(__name__)

MARC_NS = "http://www.loc.gov/MARC21/slim"
_M = f"{{{MARC_NS}}}"


# --- UN Digital Library -------------------------------------------------------------------------

_JIU_SYMBOL = re.compile(r"JIU/(REP|NOTE)/\d{4}/\d+")
_ACABQ_SYMBOL = re.compile(r"A/\d+/7(/Add\.\d+)?")
ACABQ_NAME = "Advisory Committee on Administrative and Budgetary Questions"


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
    if lang := LANGUAGE_NAMES.get(label.strip().lower()):
        return lang
    if m := re.search(r"-([A-Za-z]{2})\.pdf$", url):
        code = m.group(1).lower()
        return code if code in UN_LANGUAGES else None
    return None


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


UNDL_QUERIES: dict[str, str] = {
    "jiu": '191__a:"JIU/REP/*" or 191__a:"JIU/NOTE/*"',
    "acabq": f"191__a:\"A/*/7/Add.*\" or 710__a:'{ACABQ_NAME}'",
    "sg": "110__a:'Secretary-General' or 710__a:'Secretary-General'",
}
"""Invenio search expressions: ``"…*"`` matches the whole value with wildcards, ``'…'`` a phrase in it."""
