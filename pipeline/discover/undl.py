"""The UN Digital Library source: MARCXML search results (public pages or the keyed API), record by record.

Shapes are the real ones, sampled in ``/work/shared/un-sites/undl`` and ``tind_generic`` (see
``docs/flows.md``): an ``of=xm`` page starts with ``<!-- Search-Engine-Total-Number-Of-Results: N -->``;
the keyed ``/api/v1/search`` wraps the collection in ``<response><total/><search_id/>…``.
"""

from __future__ import annotations

import calendar
import logging
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from urllib.parse import quote, unquote, urlencode, urlsplit

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
JIU_NAME = "Joint Inspection Unit"


def classify(symbol: str, author: str | None, title: str | None = None) -> str | None:
    """The oversight kind of a catalogued document, or None if it is none of the wanted kinds.

    The symbol decides first (JIU, ``A/NN/7…``), then the corporate author, then the title's statement
    of responsibility (245 $b/$c: "report of the Secretary-General", "note by the Secretary-General").
    """
    if m := _JIU_SYMBOL.match(symbol):
        return "jiu_report" if m.group(1) == "REP" else "jiu_note"
    author_l, title_l = (author or "").lower(), (title or "").lower()
    if JIU_NAME.lower() in author_l:
        return "jiu_report"
    if _ACABQ_SYMBOL.fullmatch(symbol) or ACABQ_NAME.lower() in author_l:
        return "acabq_report"
    if "note by the secretary-general" in title_l:
        return "sg_note"
    if "secretary-general" in author_l or "secretary-general" in title_l:
        return "sg_report"
    return None


@dataclass
class MarcRecord:
    """The fields of one MARCXML record that discovery uses."""

    record_id: str | None
    symbols: list[str]
    """191 $a, every one (a joint issuance has several)."""
    title: str | None
    date_end: date | None
    """Last day the (possibly partial) date can stand for: ``2025`` → 2025-12-31."""
    modified: date | None
    """005, the day the record last changed: a record changed since the last run is looked at again."""
    date: date | None
    authors: list[str]
    languages: list[str]
    files: dict[str, str] = field(default_factory=dict)
    """856 $u per language (the Digital Library's own copy of each language file)."""
    job_number: str | None = None
    """029 $b without its language letter: ``N2321733 E`` → ``N2321733``."""
    responsibility: str | None = None
    """245 $c ("report of the Secretary-General")."""


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


def _year_of(text: str | None) -> tuple[date, date] | None:
    """The year of 260 $c, free text like ``8 Nov. 2023`` or ``[2025]``: the whole year."""
    m = re.search(r"\b(1[89]\d\d|20\d\d)\b", text or "")
    return (date(int(m.group(1)), 1, 1), date(int(m.group(1)), 12, 31)) if m else None


_CHUNK = 1 << 16
"""Characters fed to the pull parser at a time."""


def _stream_records(data: bytes, what: str, root_tag: str) -> tuple[ET.Element, list[MarcRecord]]:
    """Read a page as a stream: each ``<record>`` becomes a ``MarcRecord`` as soon as it ends and is
    dropped from the tree, so a page is never held as a whole tree of elements. Returns the root (with
    everything but its records, for ``<total>`` and ``<search_id>``) and the records.

    Parsed as UTF-8 whatever the XML declaration or the Content-Type say (the site sends no charset,
    and a client that guessed Latin-1 produced mojibake)."""
    text = data.decode("utf-8", "replace").lstrip("\ufeff")
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text)
    parser: ET.XMLPullParser[ET.Element] = ET.XMLPullParser(events=("start", "end"))
    open_elements: list[ET.Element] = []
    records: list[MarcRecord] = []
    root: ET.Element | None = None
    try:
        for offset in range(0, max(len(text), 1), _CHUNK):
            parser.feed(text[offset : offset + _CHUNK])
            for read in parser.read_events():  # (event, element): only start and end events were asked for
                if len(read) != 2 or not isinstance(read[1], ET.Element):
                    continue
                event, element = read[0], read[1]
                if event == "start":
                    if root is None:
                        if element.tag != root_tag:
                            raise PermanentFetchError(f"{what} is not MARCXML: root element {element.tag!r}",
                                                      reason="bad_response")
                        root = element
                    open_elements.append(element)
                    continue
                open_elements.pop()
                if element.tag == f"{_M}record":
                    records.append(_record(element))
                    if open_elements:
                        open_elements[-1].remove(element)
        parser.close()
    except ET.ParseError as exc:
        raise PermanentFetchError(f"{what} is not MARCXML: {exc}", reason="bad_response") from exc
    if root is None:
        raise PermanentFetchError(f"{what} is not MARCXML: no element", reason="bad_response")
    return root, records


def parse_marcxml(data: bytes) -> tuple[list[MarcRecord], int | None]:
    """Records of a Digital Library ``of=xm`` page and the total hit count (from its leading comment)."""
    total = None
    if m := re.search(rb"Search-Engine-Total-Number-Of-Results:\s*(\d+)", data[:500]):
        total = int(m.group(1))
    _root, records = _stream_records(data, "Digital Library answer", f"{_M}collection")
    return records, total


def parse_api_page(data: bytes) -> tuple[list[MarcRecord], int | None, str | None]:
    """Records, total and ``search_id`` (the cursor of the next page) of a keyed ``/api/v1/search`` answer."""
    root, records = _stream_records(data, "Digital Library API answer", "response")
    total_text = (root.findtext("total") or "").strip()
    search_id = (root.findtext("search_id") or "").strip() or None
    return records, int(total_text) if total_text.isdigit() else None, search_id


def _record(rec: ET.Element) -> MarcRecord:
    fields: dict[str, list[dict[str, list[str]]]] = {}
    for df in rec.findall(f"{_M}datafield"):
        subs: dict[str, list[str]] = {}
        for sf in df.findall(f"{_M}subfield"):
            subs.setdefault(sf.get("code", ""), []).append((sf.text or "").strip())
        fields.setdefault(df.get("tag", ""), []).append(subs)
    control = {cf.get("tag"): (cf.text or "").strip() for cf in rec.findall(f"{_M}controlfield")}

    def first(tag: str, code: str) -> str | None:
        return next((subs[code][0] for subs in fields.get(tag, []) if subs.get(code)), None)

    title = None
    if main := first("245", "a"):
        sub = first("245", "b")
        title = _clean_title(main) + (f": {_clean_title(sub)}" if sub else "")
    dates = _parse_marc_date(first("269", "a")) or _parse_marc_date(first("992", "a")) or _year_of(first("260", "c"))
    files: dict[str, str] = {}
    languages: list[str] = []
    for subs in fields.get("856", []):
        url = subs.get("u", [""])[0]
        lang = _language_of(subs.get("y", [""])[0], url)
        if lang and lang not in languages:
            languages.append(lang)
        if lang and url.lower().split("?")[0].endswith(".pdf"):
            files.setdefault(lang, url)
    job = first("029", "b")
    modified = _parse_marc_date(control.get("005", "")[:8])
    return MarcRecord(
        record_id=control.get("001"),
        symbols=list(dict.fromkeys(s for subs in fields.get("191", []) for s in subs.get("a", []) if s)),
        title=title,
        date=dates[0] if dates else None,
        date_end=dates[1] if dates else None,
        authors=[a for tag in ("110", "710") for subs in fields.get(tag, []) for a in subs.get("a", [])],
        languages=languages,
        files=files,
        job_number=job.split()[0] if job else None,
        modified=modified[0] if modified else None,
        responsibility=first("245", "c"),
    )


def _clean_title(text: str) -> str:
    return re.sub(r"\s*[:/;,=]\s*$", "", text).strip()


def _language_of(label: str, url: str) -> str | None:
    """856 $y is the language's own name (``English``, ``中文``, ``Русский``); else the ``-EN.pdf`` suffix."""
    if lang := LANGUAGE_NAMES.get(label.strip().lower()):
        return lang
    name = unquote(urlsplit(url).path)
    if m := re.search(r"-([A-Za-z]{2})\.pdf$", name):
        code = m.group(1).lower()
        return code if code in UN_LANGUAGES else None
    return None


class UndlSource:
    """The UN Digital Library search, read as MARCXML, newest first, page by page to the end.

    Public URL shape: ``{undl_base_url}/search?ln=en&p=QUERY&of=xm&rg=N&jrec=K&sf=latest first&so=d``
    (``jrec`` 1-based; paging ends when ``jrec`` passes the header's total, or on a short page). With
    ``undl_api_token`` set: ``/api/v1/search?p=QUERY&format=xml&search_id=ID`` with
    ``Authorization: Token …``, paging on the returned ``search_id`` until an empty collection.

    Symbols from 191 $a (all of them: the wanted one leads, the others merge), title from 245 $a + $b,
    date from 269 $a (else 992 $a, else the year in 260 $c), job number from 029 $b, author from 110/710 $a, one file per language
    from 856 $u/$y (fetched from the Digital Library; languages without an 856 come from ODS when the
    record has no 856 at all). ``since`` is applied here, not in the query (many records lack 269): a
    record counts when its date or its last change (005) is on or after ``since``; paging stops at the
    first page whose records are all older.
    """

    name = "undl"
    version = "2"

    def discover(
        self, since: date | None, settings: Settings, *, fetcher: Fetcher | None = None
    ) -> Iterator[Discovered]:
        client, own = _fetcher(settings, fetcher)
        seen: set[str] = set()
        try:
            for query in UNDL_QUERIES.values():
                pages = self._api_pages if settings.undl_api_token else self._search_pages
                for record in self._newer(pages(client, query, settings), since, query, settings):
                    found = self._to_discovered(record)
                    if found and not seen.intersection((found.symbol, *found.other_symbols)):
                        seen.update((found.symbol, *found.other_symbols))
                        yield found
        finally:
            if own:
                client.close()

    def search_url(self, settings: Settings, query: str, start: int) -> str:
        params = {"ln": "en", "p": query, "of": "xm", "rg": settings.undl_page_size, "jrec": start,
                  "sf": "latest first", "so": "d"}
        return f"{settings.undl_base_url.rstrip('/')}/search?{urlencode(params, quote_via=quote)}"

    def api_url(self, settings: Settings, query: str, search_id: str | None) -> str:
        params = {"p": query, "format": "xml", "search_id": search_id or ""}
        return f"{settings.undl_base_url.rstrip('/')}/api/v1/search?{urlencode(params, quote_via=quote)}"

    def _search_pages(self, client: Fetcher, query: str, settings: Settings) -> Iterator[list[MarcRecord]]:
        start = 1
        while True:
            records, total = parse_marcxml(client.get_bytes(self.search_url(settings, query, start)))
            yield records
            start += len(records)
            if not records or (total is not None and start > total) or (
                total is None and len(records) < settings.undl_page_size
            ):
                return

    def _api_pages(self, client: Fetcher, query: str, settings: Settings) -> Iterator[list[MarcRecord]]:
        headers = {"Authorization": f"Token {settings.undl_api_token}"}
        search_id: str | None = None
        while True:
            records, _total, search_id = parse_api_page(
                client.get_bytes(self.api_url(settings, query, search_id), headers)
            )
            if not records:
                return
            yield records
            if search_id is None:
                return

    def _newer(
        self, pages: Iterator[list[MarcRecord]], since: date | None, query: str, settings: Settings
    ) -> Iterator[MarcRecord]:
        """Records dated or changed on or after ``since``, reading pages until one is all older."""
        read = 0
        for records in pages:
            fresh = [r for r in records if since is None or _is_newer(r, since)]
            yield from fresh
            read += len(records)
            if since and records and not fresh:
                return
            if read >= settings.undl_max_records:
                log.warning("undl: stopped after %d records for %s (UNPIPE_UNDL_MAX_RECORDS)", read, query)
                return

    def _to_discovered(self, record: MarcRecord) -> Discovered | None:
        if not record.symbols:
            return None  # votes, speeches and other records without a document symbol
        title = " ".join(t for t in (record.title, record.responsibility) if t)
        authors: list[str | None] = [*record.authors] or [None]
        kinds = [(s, a, classify(s, a, title)) for s in record.symbols for a in authors]
        symbol, author, kind = next(((s, a, k) for s, a, k in kinds if k), kinds[0])
        return Discovered(
            symbol=symbol,
            source=self.name,
            title=record.title,
            date=record.date,
            languages=tuple(record.languages),
            urls=dict(record.files),
            kind=kind,
            author=author,
            record_id=record.record_id,
            other_symbols=tuple(s for s in record.symbols if s != symbol),
            job_number=record.job_number,
        )


def _is_newer(record: MarcRecord, since: date) -> bool:
    """Dated on or after ``since`` (or undated), or catalogued/changed since then (005)."""
    if record.modified is not None and record.modified >= since:
        return True
    return record.date_end is None or record.date_end >= since


UNDL_QUERIES: dict[str, str] = {
    "jiu": f'191__a:"JIU/REP/*" or 191__a:"JIU/NOTE/*" or 710__a:\'{JIU_NAME}\'',
    "acabq": f"191__a:\"A/*/7\" or 191__a:\"A/*/7/Add.*\" or 710__a:'{ACABQ_NAME}'",
    "sg": (
        "710__a:'Secretary-General' or 245__c:'report of the Secretary-General' "
        "or 245__c:'note by the Secretary-General' or 245__b:'report of the Secretary-General' "
        "or 245__b:'note by the Secretary-General'"
    ),
}
"""Invenio search expressions: ``"…*"`` matches the whole value with wildcards, ``'…'`` a phrase in it.
By symbol pattern, corporate author (710) and the title's statement of responsibility (245 $b/$c)."""
