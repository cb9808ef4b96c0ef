"""A stand-in for the UN web sites, served over real HTTP on 127.0.0.1, for tests and benchmarks.

Every shape imitates a sample in ``/work/shared/un-sites/`` (README there; ``docs/flows.md`` says what
the code expects). One server plays three sites (point ods_base_url, undl_base_url and jiu_base_url at
``standin.url``):

- ODS: ``GET /api/symbol/access?s=SYMBOL&l=LANG&t=pdf`` (``l`` as ``en``/``zh`` or ``E``/``C``) answers a
  found document with ``302`` to ``/doc/undoc/gen/n25/123/45/pdf/n2512345.pdf`` (its job number), which
  serves the PDF with ``Content-Length``, ``ETag``, ``Last-Modified`` and 304 answers to conditional
  requests. A document missing in a language answers in one of the three shapes the sources report:
  ``404``, ``200`` with an empty body, or ``200`` with an HTML page (``missing_style``; by default chosen
  per symbol and language from a checksum, so every run sees the same shape).
- Digital Library: ``GET /search?p=QUERY&of=xm&rg=N&jrec=K`` answers MARCXML in the real layout (XML
  declaration, ``<!-- Search-Engine-Total-Number-Of-Results: N -->``, ``<collection>`` of records with
  000/001/005, 029 job number, one 191 per symbol, 245 $a/$b/$c, 260, 269, 710, one 856 per language
  file with the language's own name in $y, 981, 989), newest change (005) first, and no charset in the
  Content-Type. ``GET /api/v1/search?p=…&format=xml&search_id=…`` with ``Authorization: Token …`` is the
  keyed API (``<response><total/><search_id/><collection/>``, 100 a page, an empty collection ends it;
  over ``api_limit`` requests it answers 429 with the JSON error). ``/record/{id}/files/NAME-EN.pdf``
  serves the 856 files. Queries understood: ``field:"pattern*"`` (whole-value match, ``*`` wildcard),
  ``field:'phrase'`` (substring), joined by `` or ``, on 191 $a, 245 $b/$c, 110/710 $a.
- JIU: ``GET /content/reports-notes?page=N`` (0-based) lists JIU documents as Drupal view rows whose
  links are named like the real files (``jiu_rep_2025_2_english.pdf``, older ones
  ``…/JIU%20Products/JIU_REP_1995_13_English.pdf``).

Catalogues: the corpus documents (``corpus/{en,zh}``), records added by tests (``add_record``, newest),
and optionally ``generated`` records (``generate_catalogue(n)``), produced one by one from their index so
that a 100,000-record catalogue costs a few hundred kilobytes.

Faults are programmed per request match (``add_fault``; the bot wall ``waf`` and the JSON ``rate_json``
429 among them) and every request is recorded (``requests``), so a test can say "the second run
downloaded nothing".
"""

from __future__ import annotations

import csv
import fnmatch
import hashlib
import html
import json
import re
import sys
import threading
import time
import zlib
from array import array
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from email.utils import formatdate, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, overload
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit

import pytest

from tests.corpus import CORPUS

JIU_FILES = "/sites/www.unjiu.org/files"
JIU_OLD_FILES = "/sites/www.unjiu.org/files/jiu_document_files/products/en/reports-notes/JIU Products"
ENGLISH_NAMES = {"ar": "Arabic", "en": "English", "es": "Spanish", "fr": "French", "ru": "Russian", "zh": "Chinese"}
OWN_NAMES = {"ar": "العربية", "en": "English", "es": "Español", "fr": "Français", "ru": "Русский", "zh": "中文"}
"""856 $y: each language's name written in that language (as in the Digital Library sample)."""
ODS_LETTERS = {"A": "ar", "C": "zh", "E": "en", "F": "fr", "R": "ru", "S": "es"}
ACABQ = "UN. Advisory Committee on Administrative and Budgetary Questions"
SECRETARY_GENERAL = "UN. Secretary-General"
JIU = "UN. Joint Inspection Unit"
MISSING_STYLES = ("404", "empty", "html")
RATE_LIMIT_BODY = '{"success": false, "error": "Max 100 requests per 5 minutes"}'
"""The keyed API's 429 body (string from the UN Library's own sync code: un-sites/undl/api_v1_search_error_bodies.txt)."""
CATALOGUED = datetime(2026, 1, 15, 9, 30, tzinfo=UTC)
"""After every corpus record was catalogued (005 = its publication day); generated records were catalogued
in the hours before this moment, newest first."""

FAULT_KINDS = (
    "status",  # answer `status` (404, 500, 503 …) with optional `headers`
    "retry_after",  # 429 (or `status`) with Retry-After: `retry_after` (seconds or an HTTP date)
    "rate_json",  # 429 with the Digital Library's JSON error body, Retry-After only if `retry_after` is set
    "waf",  # 202 Accepted, x-amzn-waf-action: challenge, empty body (the bot wall)
    "slow",  # wait `delay` seconds before answering (to go past the client's timeout)
    "truncate",  # send only `fraction` of the file: mode "close" (full Content-Length, then hang up)
    #              or mode "short" (Content-Length of the cut body: a cut-off file served "properly")
    "html",  # 200 with an HTML page instead of the answer
    "redirect",  # 302 to `location`
    "redirect_loop",  # 302 A → A&loop=1 → A …
    "redirect_chain",  # 302 to a new URL every time (&hop=N), never ending
    "redirect_foreign",  # 302 to the same path on http://localhost:PORT (another host name)
    "chunked",  # serve the file without Content-Length (chunked transfer encoding)
)


@dataclass
class Fault:
    """A programmed misbehaviour for requests matching path/symbol/lang; ``times`` None = always."""

    kind: str
    path: str | None = None
    symbol: str | None = None
    lang: str | None = None
    times: int | None = None
    status: int = 500
    headers: dict[str, str] = field(default_factory=dict)
    retry_after: str | None = "1"
    delay: float = 5.0
    fraction: float = 0.5
    mode: str = "close"
    location: str | None = None
    hits: int = 0

    def matches(self, path: str, step: str, document: tuple[str, str] | None) -> bool:
        """Without a ``path``, a fault shaping a file body (truncate, chunked) meets the request that serves
        the file; any other meets the document's first request (the ODS access URL, or a direct link
        from the Digital Library or the JIU site), never the ODS file it redirects to."""
        if self.times is not None and self.hits >= self.times:
            return False
        if self.path is not None:
            if path != self.path:
                return False
        elif step not in (("file", "direct") if self.kind in ("truncate", "chunked") else ("access", "direct", "page")):
            return False
        if self.symbol is not None and (document is None or document[0] != self.symbol):
            return False
        return self.lang is None or (document is not None and document[1] == self.lang)


@dataclass
class RecordedRequest:
    method: str
    path: str
    params: dict[str, str]
    headers: dict[str, str]
    status: int = 0
    body_bytes: int = 0
    """Bytes of response body sent (recorded just before writing them)."""
    fault: str | None = None
    symbol: str | None = None
    """The document a request was for (the access URL, the file it redirected to, a direct link)."""
    language: str | None = None
    at: float = field(default_factory=time.monotonic)


@dataclass
class CatalogEntry:
    """One Digital Library record (and what the JIU site lists of it)."""

    symbol: str
    title: str
    date: date
    author: str | None
    languages: list[str]
    """Languages the document has a file in (one 856 each when ``files_listed``)."""
    record_id: int
    author_field: str = "710"
    other_symbols: list[str] = field(default_factory=list)
    responsibility: str | None = None
    """245 $c: "report of the Secretary-General", "note by the Secretary-General" …"""
    modified: datetime = CATALOGUED
    """005: when the record was catalogued or last changed (the search's sort key, newest first)."""
    dated: bool = True
    """False: no 269, only the year in 260 $c (some records lack 269)."""
    files_listed: bool = True
    """False: the record has no 856 (older records): a client must ask ODS for every language."""

    @property
    def symbols(self) -> list[str]:
        return [self.symbol, *self.other_symbols]


@dataclass
class _Doc:
    symbol: str
    language: str
    path: Path | None = None
    data: bytes | None = None
    mtime: float = 0.0

    def content(self) -> bytes:
        if self.data is None:
            assert self.path is not None
            self.data = self.path.read_bytes()
        return self.data


# --- catalogue generation ----------------------------------------------------------------------------


def tiny_pdf(text: str) -> bytes:
    """A small valid one-page PDF showing ``text`` (Helvetica), for generated catalogue records."""
    safe = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    stream = f"BT /F1 12 Tf 72 720 Td ({safe}) Tj 0 -20 Td (Generated record for load tests.) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


class GeneratedCatalogue(Sequence[CatalogEntry]):
    """``n`` Digital Library records of the wanted kinds, made on demand from their index (nothing stored).

    Index i: kind by ``i % 3`` (Secretary-General report ``A/SS/1000i``, ACABQ report
    ``A/SS/7/Add.1000i``, JIU note ``JIU/NOTE/YYYY/1000i``: the last number is 10000 + i, so a symbol leads
    back to its record); catalogued (005) one minute apart before the corpus, newest first. Every
    ``file_every``-th record has an English PDF on ODS (and, one in two of those, in the record's 856);
    the others exist in no language, so their fetches end ``unavailable``.
    """

    def __init__(self, n: int, *, first_id: int = 5_000_000, file_every: int = 10) -> None:
        self.n = n
        self.first_id = first_id
        self.file_every = file_every

    def __len__(self) -> int:
        return self.n

    @overload
    def __getitem__(self, i: int) -> CatalogEntry: ...

    @overload
    def __getitem__(self, i: slice) -> Sequence[CatalogEntry]: ...

    def __getitem__(self, i: int | slice) -> CatalogEntry | Sequence[CatalogEntry]:
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(self.n))]
        if not 0 <= i < self.n:
            raise IndexError(i)
        session, number = 70 + i % 10, 10_000 + i
        modified = CATALOGUED - timedelta(minutes=1 + i)
        day = modified.date() - timedelta(days=30)
        kind = i % 3
        if kind == 0:
            symbol, author, title = f"A/{session}/{number}", SECRETARY_GENERAL, "Administrative matters"
            responsibility = "report of the Secretary-General"
        elif kind == 1:
            symbol, author, title = f"A/{session}/7/Add.{number}", ACABQ, "Budget proposals"
            responsibility = "report of the Advisory Committee on Administrative and Budgetary Questions"
        else:
            symbol, author, title = f"JIU/NOTE/{2000 + i % 25}/{number}", JIU, "Review of working methods"
            responsibility = "note by the Joint Inspection Unit"
        with_856 = self.has_file(i) and (i // self.file_every) % 2 == 0
        return CatalogEntry(symbol, f"{title}: {symbol}", day, author, ["en"] if with_856 else [],
                            self.first_id + i, responsibility=responsibility, modified=modified)

    def has_file(self, i: int) -> bool:
        return i % self.file_every == 0

    def index_of(self, symbol: str) -> int | None:
        m = re.search(r"/(?:Add\.)?(\d+)$", symbol)
        i = int(m.group(1)) - 10_000 if m else -1
        return i if 0 <= i < self.n and self[i].symbol == symbol else None

    def document(self, symbol: str, language: str) -> bytes | None:
        i = self.index_of(symbol)
        return tiny_pdf(symbol) if i is not None and language == "en" and self.has_file(i) else None


def generate_catalogue(n: int, **options: Any) -> GeneratedCatalogue:
    """A catalogue of ``n`` generated records in the real field layout (see ``GeneratedCatalogue``)."""
    return GeneratedCatalogue(n, **options)


# --- the corpus as a catalogue -------------------------------------------------------------------------


def _sources_table(corpus: Path) -> dict[str, tuple[list[str], str]]:
    """file stem → (symbols, kind) from SOURCES.tsv; ``A/80/275-S/2025/491`` is a record with two symbols."""
    table: dict[str, tuple[list[str], str]] = {}
    tsv = corpus / "SOURCES.tsv"
    if not tsv.exists():
        return table
    with tsv.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            stem = Path(row["file"]).stem
            symbol = re.sub(r"\s*\[[^]]*\]$", "", row.get("symbol") or "").strip()
            if symbol and not symbol.startswith("none") and "," not in symbol and "per filename" not in symbol:
                table[stem] = (re.split(r"-(?=S/)", symbol), row.get("kind") or "")
    return table


_KIND_OVERRIDES = {"A/77/256/Add.1": "SG note", "WO/PBC/34/6": "agency report on JIU recommendations",
                   "A/63/359": "SG report", "A/76/644": "SG report"}
_CHINESE_TITLES = {"SG": "秘书长的报告", "ACABQ": "行政和预算问题咨询委员会的报告"}


def _author_for(symbol: str, kind: str) -> tuple[str | None, str]:
    if symbol.startswith("JIU/") or kind.startswith("JIU"):
        return JIU, "710"
    if kind.startswith("ACABQ") or re.fullmatch(r"A/\d+/7(/Add\.\d+)?", symbol):
        return ACABQ, "710"
    if kind.startswith("SG"):
        return SECRETARY_GENERAL, "710"
    return None, "710"


def _title_for(symbol: str, kind: str) -> tuple[str, str | None]:
    """A plausible catalogue title (245 $a: $b) and statement of responsibility (245 $c)."""
    if kind.startswith("JIU"):
        return f"Review of management and administration ({symbol})", "report of the Joint Inspection Unit"
    if kind.startswith("ACABQ") or re.fullmatch(r"A/\d+/7(/Add\.\d+)?", symbol):
        return (f"Proposed programme budget ({symbol}): report of the Advisory Committee",
                "Advisory Committee on Administrative and Budgetary Questions")
    if kind.startswith("SG note"):
        return f"Oversight matters ({symbol})", "note by the Secretary-General"
    if kind.startswith("SG"):
        return f"Oversight matters ({symbol})", "report of the Secretary-General"
    return f"{(kind or 'document')[:1].upper()}{(kind or 'document')[1:]} {symbol}", None


def _synthetic_date(symbol: str) -> date:
    """A stable, plausible date: the year from the symbol, month and day from a checksum."""
    year = 2025
    if m := re.match(r"JIU/(?:REP|NOTE)/(\d{4})/", symbol):
        year = int(m.group(1))
    elif m := re.match(r"A/(?:C\.\d/)?(\d{2})/", symbol):
        year = 1945 + int(m.group(1))
    crc = zlib.crc32(symbol.encode())
    return date(year, 1 + crc % 12, 1 + (crc // 12) % 28)


def _catalogued(day: date, record_id: int) -> datetime:
    """005 of a corpus record: catalogued on its publication day (so "changed since" agrees with its date)."""
    return datetime(day.year, day.month, day.day, 9, 30, tzinfo=UTC) + timedelta(seconds=record_id % 1000)


def job_number(symbol: str, language: str, year: int) -> str:
    """A stable ODS job number for a language version: N + 2-digit year + 5 digits."""
    return f"N{year % 100:02d}{zlib.crc32(f'{symbol}|{language}'.encode()) % 100_000:05d}"


def ods_file_path(job: str) -> str:
    """``N2512345`` → ``/doc/undoc/gen/n25/123/45/pdf/n2512345.pdf`` (the real ODS file layout)."""
    j = job.lower()
    return f"/doc/undoc/gen/{j[:3]}/{j[3:6]}/{j[6:8]}/pdf/{j}.pdf"


def _language(code: str) -> str:
    return ODS_LETTERS.get(code, code.lower())


class StandIn:
    """The stand-in server. ``start()``/``stop()`` or use as a context manager."""

    def __init__(self, corpus: Path = CORPUS, *, jiu_page_size: int = 10,
                 generated: GeneratedCatalogue | None = None, ods_only: Callable[[str], bool] | None = None) -> None:
        self.corpus = corpus
        self.ods_only = ods_only
        """Symbols whose corpus record lists no files (no 856): fetched from ODS in every language."""
        self.jiu_page_size = jiu_page_size
        self.generated = generated
        self.etag_enabled = True
        self.missing_style: dict[tuple[str, str], str] = {}
        """(symbol, language) → ``404``/``empty``/``html``: how ODS says "not in this language"."""
        self.api_token = "standin-token"
        self.api_limit = 100
        self.search_content_type = "text/xml"
        """No charset, as the real site (a client that guessed Latin-1 garbled the Chinese)."""
        self._api_calls = 0
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._faults: list[Fault] = []
        self._requests: list[RecordedRequest] = []
        self._docs: dict[tuple[str, str], _Doc] = {}
        self._catalog: dict[str, CatalogEntry] = {}
        self._added: list[CatalogEntry] = []
        self._files: dict[str, tuple[str, str]] = {}
        self._matches: dict[str, array[int]] = {}
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._load_corpus()

    # -- corpus and catalogue

    def _load_corpus(self) -> None:
        sources = _sources_table(self.corpus)
        record_id = 4_000_000
        for language in ("en", "zh"):
            for path in sorted((self.corpus / language).glob("*.pdf")):
                symbols, kind = sources.get(path.stem, ([path.stem.replace("_", "/")], ""))
                if path.stem == "UDHR_zh":
                    symbols, kind = ["A/RES/217(III)"], "other"
                symbol = symbols[0]
                for name in {*symbols, path.stem.replace("_", "/")}:
                    self._docs[(name, language)] = _Doc(name, language, path, mtime=path.stat().st_mtime)
                entry = self._catalog.get(symbol)
                if entry is None:
                    record_id += 1
                    kind = kind or _KIND_OVERRIDES.get(symbol, "")
                    author, author_field = _author_for(symbol, kind)
                    title, responsibility = _title_for(symbol, kind)
                    entry = CatalogEntry(symbol=symbol, title=title, date=_synthetic_date(symbol), author=author,
                                         languages=[], record_id=record_id, author_field=author_field,
                                         other_symbols=symbols[1:], responsibility=responsibility,
                                         modified=_catalogued(_synthetic_date(symbol), record_id),
                                         dated=not symbol.startswith("JIU/NOTE/"),
                                         files_listed=not (self.ods_only and self.ods_only(symbol)))
                    self._catalog[symbol] = entry
                entry.languages.append(language)
        for entry in self._catalog.values():
            if entry.languages == ["zh"] and entry.author in (SECRETARY_GENERAL, ACABQ):
                entry.title = f"{_CHINESE_TITLES['SG' if entry.author == SECRETARY_GENERAL else 'ACABQ']}" \
                              f"（{entry.symbol}）"  # UTF-8 in the MARCXML, no charset in the header

    @property
    def catalog(self) -> list[CatalogEntry]:
        """Records added by tests and corpus records, newest change (005) first; generated ones follow."""
        return sorted([*self._added, *self._catalog.values()], key=lambda e: (e.modified, e.record_id),
                      reverse=True)

    def add_record(self, entry: CatalogEntry, *, document: bytes | None = None) -> None:
        """Add a Digital Library record (the newest when its 005 is), with a PDF behind it in its
        languages when ``document`` is given (else ODS says "not available")."""
        with self._lock:
            self._catalog.pop(entry.symbol, None)
            self._added = [e for e in self._added if e.symbol != entry.symbol] + [entry]
            self._matches.clear()
        for language in entry.languages if document is not None else ():
            assert document is not None
            self.set_document(entry.symbol, language, document)

    def served(self) -> list[tuple[str, str]]:
        """(symbol, language) pairs that ODS serves (corpus and added documents; not generated ones)."""
        return sorted(self._docs)

    def document_bytes(self, symbol: str, language: str) -> bytes:
        return self._docs[(symbol, language)].content()

    def set_document(self, symbol: str, language: str, data: bytes, *, mtime: float | None = None) -> None:
        """Serve these bytes for a symbol (a new version: new ETag and Last-Modified)."""
        self._docs[(symbol, language)] = _Doc(symbol, language, data=data, mtime=mtime or time.time())

    def remove_document(self, symbol: str, language: str) -> None:
        self._docs.pop((symbol, language), None)

    def missing_shape(self, symbol: str, language: str) -> str:
        """How ODS answers for a version it lacks: the programmed style, else one chosen by checksum."""
        style = self.missing_style.get((symbol, language))
        return style or MISSING_STYLES[zlib.crc32(f"{symbol}|{language}".encode()) % len(MISSING_STYLES)]

    def _doc(self, symbol: str, language: str) -> _Doc | None:
        doc = self._docs.get((symbol, language))
        if doc is None and self.generated is not None:
            data = self.generated.document(symbol, language)
            if data is not None:
                doc = _Doc(symbol, language, data=data, mtime=CATALOGUED.timestamp())
        return doc

    def _year(self, symbol: str) -> int:
        entry = self._catalog.get(symbol)
        return entry.date.year if entry else 2025

    # -- faults and the request log

    def add_fault(
        self,
        kind: str,
        *,
        path: str | None = None,
        symbol: str | None = None,
        lang: str | None = None,
        times: int | None = None,
        **options: Any,
    ) -> Fault:
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault {kind!r}; use one of {', '.join(FAULT_KINDS)}")
        fault = Fault(kind, path=path, symbol=symbol, lang=lang, times=times, **options)
        with self._lock:
            self._faults.append(fault)
        return fault

    def _take_fault(self, path: str, step: str, document: tuple[str, str] | None) -> Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.matches(path, step, document):
                    fault.hits += 1
                    return fault
        return None

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._requests)

    def requests_for(self, symbol: str | None = None, *, path: str | None = None) -> list[RecordedRequest]:
        """Requests for a document (its ODS access URL and the file it redirected to), or on a path."""
        return [
            r
            for r in self.requests
            if (symbol is None or symbol in (r.params.get("s"), r.symbol)) and (path is None or r.path == path)
        ]

    def _record(self, request: RecordedRequest) -> None:
        with self._lock:
            self._requests.append(request)

    def reset(self) -> None:
        """Forget faults, recorded requests, added records and document overrides (between tests)."""
        with self._lock:
            self._faults.clear()
            self._requests.clear()
            self._added.clear()
            self._matches.clear()
            self._files.clear()
            self._api_calls = 0
        self.etag_enabled = True
        self.jiu_page_size = 10
        self.missing_style.clear()
        self.api_limit = 100
        self.search_content_type = "text/xml"
        self._docs.clear()
        self._catalog.clear()
        self._load_corpus()

    # -- URLs

    @property
    def url(self) -> str:
        assert self._server is not None, "stand-in not started"
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def port(self) -> int:
        assert self._server is not None
        return int(self._server.server_address[1])

    def ods_path(self, symbol: str, language: str) -> str:
        return "/api/symbol/access?" + urlencode({"s": symbol, "l": language, "t": "pdf"}, quote_via=quote, safe="/")

    def file_path(self, symbol: str, language: str) -> str:
        """Where the access URL sends a found document: the ODS file named by its job number."""
        path = ods_file_path(job_number(symbol, language, self._year(symbol)))
        with self._lock:
            self._files[path] = (symbol, language)
        return path

    def dl_file_url(self, entry: CatalogEntry, language: str) -> str:
        stem = quote(entry.symbol.replace("/", "_"))
        return f"{self.url}/record/{entry.record_id}/files/{stem}-{language.upper()}.pdf"

    def jiu_file_path(self, symbol: str, language: str) -> str:
        stem = symbol.replace("/", "_")
        if int(symbol.split("/")[2]) < 2010:
            return f"{JIU_OLD_FILES}/{stem}_{ENGLISH_NAMES[language]}.pdf"
        return f"{JIU_FILES}/{stem.lower()}_{ENGLISH_NAMES[language].lower()}.pdf"

    # -- lifecycle

    def start(self) -> StandIn:
        self._stopping.clear()
        server = _Server(("127.0.0.1", 0), _Handler)
        server.standin = self
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="standin", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> StandIn:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- responses (called from handler threads)

    def _doc_response(self, handler: _Handler, doc: _Doc, fault: Fault | None, head: bool) -> None:
        data = doc.content()
        handler._current.symbol = doc.symbol
        etag = '"' + hashlib.sha256(data).hexdigest()[:20] + '"'
        last_modified = formatdate(doc.mtime, usegmt=True)
        inm = handler.headers.get("If-None-Match")
        ims = handler.headers.get("If-Modified-Since")
        not_modified = False
        if inm and self.etag_enabled:
            tags = {t.strip().removeprefix("W/") for t in inm.split(",")}
            not_modified = "*" in tags or etag in tags
        elif ims:
            try:
                not_modified = int(doc.mtime) <= parsedate_to_datetime(ims).timestamp()
            except (TypeError, ValueError):
                not_modified = False
        headers = {"Last-Modified": last_modified, "Content-Type": "application/pdf"}
        if self.etag_enabled:
            headers["ETag"] = etag
        if not_modified:
            handler.reply(304, b"", headers, head=True)
            return
        if fault and fault.kind == "truncate":
            cut = data[: int(len(data) * fault.fraction)]
            if fault.mode == "short":
                handler.reply(200, cut, headers, head=head)
            else:
                handler.reply(200, cut, headers, head=head, declared_length=len(data))
            return
        if fault and fault.kind == "chunked":
            handler.reply_chunked(200, data, headers)
            return
        handler.reply(200, data, headers, head=head)

    def _missing_response(self, handler: _Handler, symbol: str, language: str, head: bool) -> None:
        style = self.missing_shape(symbol, language)
        if style == "404":
            handler.reply(404, b"", {"Content-Type": "text/plain"}, head=head)
        elif style == "empty":
            handler.reply(200, b"", {"Content-Type": "application/pdf"}, head=head)
        else:
            page = (
                "<!DOCTYPE html><html><head><title>Official Document System</title></head><body>"
                f"<p>{html.escape(symbol)}: document not found in the requested language.</p></body></html>"
            )
            handler.reply(200, page.encode(), {"Content-Type": "text/html; charset=utf-8"}, head=head)

    def _matching(self, query: str) -> tuple[list[CatalogEntry], array[int]]:
        """Matching records: the listed ones, then the indexes of matching generated ones (cached)."""
        listed = [e for e in self.catalog if _query_matches(query, e)]
        with self._lock:
            generated = self._matches.get(query)
        if generated is None:
            generated = array("I")
            for i, entry in enumerate(self.generated or ()):
                if _query_matches(query, entry):
                    generated.append(i)
            with self._lock:
                self._matches[query] = generated
        return listed, generated

    def _page(self, query: str, start: int, size: int) -> tuple[int, list[CatalogEntry]]:
        listed, generated = self._matching(query)
        total = len(listed) + len(generated)
        page = listed[start : start + size]
        if len(page) < size and self.generated is not None:
            first = max(0, start - len(listed))
            page += [self.generated[i] for i in generated[first : first + size - len(page)]]
        return total, page

    def _marcxml(self, params: dict[str, str]) -> tuple[int, bytes, str]:
        if params.get("of") != "xm":
            html_page = "<html><body><h1>Digital Library</h1><p>Search results</p></body></html>"
            return 200, html_page.encode(), "text/html; charset=utf-8"
        try:
            total, page = self._page(params.get("p", ""), int(params.get("jrec", "1")) - 1,
                                     int(params.get("rg", "10")))
        except ValueError as exc:
            return 400, str(exc).encode(), "text/plain"
        parts = [
            '<?xml version="1.0" encoding="UTF-8"?>',
            f"<!-- Search-Engine-Total-Number-Of-Results: {total} -->",
            '<collection xmlns="http://www.loc.gov/MARC21/slim">',
            *(self._marc_record(e) for e in page),
            "</collection>",
        ]
        return 200, "\n".join(parts).encode("utf-8"), self.search_content_type

    def _api_search(self, params: dict[str, str], authorization: str) -> tuple[int, bytes, str]:
        if authorization != f"Token {self.api_token}":
            return 401, b'{"success": false, "error": "Unauthorized"}', "application/json"
        with self._lock:
            self._api_calls += 1
            over = self._api_calls > self.api_limit
        if over:
            return 429, RATE_LIMIT_BODY.encode(), "application/json"
        query, search_id = params.get("p", ""), params.get("search_id", "")
        start = 0
        if search_id:
            query, _, offset = unquote(search_id).rpartition("|")
            start = int(offset)
        try:
            total, page = self._page(query, start, 100)
        except ValueError as exc:
            return 500, json.dumps({"success": False, "error": str(exc)}).encode(), "application/json"
        cursor = quote(f"{query}|{start + len(page)}", safe="")
        records = "\n".join(self._marc_record(e) for e in page)
        body = (f"<response>\n  <total>{total}</total>\n  <search_id>{cursor}</search_id>\n"
                f'  <collection xmlns="http://www.loc.gov/MARC21/slim">{records}</collection>\n</response>\n')
        return 200, body.encode("utf-8"), "application/xml"

    def _marc_record(self, e: CatalogEntry) -> str:
        """One record in the field layout of un-sites/undl/search_xm_A_C.3_78_L_3records.DERIVED-repaired.xml."""

        def df(tag: str, subfields: list[tuple[str, str]], ind1: str = " ") -> str:
            subs = "".join(f'\n    <subfield code="{c}">{html.escape(v, quote=False)}</subfield>' for c, v in subfields)
            return f'  <datafield tag="{tag}" ind1="{ind1}" ind2=" ">{subs}\n  </datafield>'

        lines = [
            "<record>",
            '  <controlfield tag="000">00000nam a2200025#a ||||</controlfield>',
            f'  <controlfield tag="001">{e.record_id}</controlfield>',
            f'  <controlfield tag="005">{e.modified:%Y%m%d%H%M%S}.0</controlfield>',
        ]
        if e.symbol:
            lines.append(df("029", [("a", "JN"), ("b", f"{job_number(e.symbol, 'en', e.date.year)} E")]))
        lines.append(df("035", [("a", f"(DHL){e.record_id - 2_600_000}")]))
        for symbol in e.symbols if e.symbol else ():
            body = symbol.split("/")[0] + "/"
            session = next((p for p in symbol.split("/")[1:] if p.isdigit()), "")
            lines.append(df("191", [("a", symbol), ("b", body), ("c", session)]))
        main, _, sub = e.title.partition(": ")
        title = [("a", main + (" :" if sub else (" /" if e.responsibility else "")))]
        title += [("b", sub + (" /" if e.responsibility else ""))] if sub else []
        title += [("c", e.responsibility)] if e.responsibility else []
        lines.append(df("245", title, "1"))
        lines.append(df("260", [("a", "[New York] :"), ("b", "UN,"), ("c", f"{e.date.day} {e.date:%b}. {e.date.year}"
                                                                        if e.dated else str(e.date.year))]))
        if e.dated:
            lines.append(df("269", [("a", e.date.isoformat())]))
        if e.author:
            lines.append(df(e.author_field, [("a", e.author)], "2"))
        for lang in e.languages if e.files_listed else ():
            data = self._docs.get((e.symbol, lang))
            size = len(data.content()) if data and data.path is None else (data.path.stat().st_size if data and data.path else 0)
            uuid = hashlib.md5(f"{e.record_id}{lang}".encode()).hexdigest()
            lines.append(df("856", [("y", OWN_NAMES[lang]), ("9", uuid), ("s", str(size)),
                                    ("u", self.dl_file_url(e, lang))], "4"))
        lines.append(df("981", [("a", "General Assembly")]))
        lines.append(df("989", [("a", "Documents and Publications"), ("b", "Reports")]))
        lines.append("</record>")
        return "\n".join(lines)

    def _jiu_page(self, params: dict[str, str]) -> bytes:
        entries = sorted((e for e in self._catalog.values() if e.symbol.startswith("JIU/")),
                         key=lambda e: (e.date.year, e.symbol), reverse=True)
        page = int(params.get("page", "0"))
        size = self.jiu_page_size
        rows = []
        for e in entries[page * size : (page + 1) * size]:
            links = " | ".join(
                f'<a href="{html.escape(quote(self.jiu_file_path(e.symbol, lang)))}" type="application/pdf">'
                f"{ENGLISH_NAMES[lang]}</a>"
                for lang in e.languages
            )
            slug = e.symbol.lower().replace("/", "-").replace(".", "")
            rows.append(
                '  <div class="views-row">\n'
                f'    <h3><a href="/content/{slug}">{html.escape(e.title)} ({html.escape(e.symbol)})</a></h3>\n'
                f'    <div class="field--name-field-year">{e.date.year}</div>\n'
                f'    <div class="field--name-field-files">{links}</div>\n'
                "  </div>"
            )
        pager = ""
        if (page + 1) * size < len(entries):
            pager = ('<nav class="pager"><ul class="pager__items"><li class="pager__item pager__item--next">'
                     f'<a href="?page={page + 1}" title="Go to next page" rel="next">Next ›</a></li></ul></nav>')
        body = ('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>Reports and notes | JIU</title>'
                '</head>\n<body><main><h1>Reports and notes</h1>\n<div class="view-content">\n'
                + "\n".join(rows) + "\n</div>\n" + pager + "</main></body></html>\n")
        return body.encode("utf-8")

    def _step(self, path: str, params: dict[str, str]) -> tuple[str, tuple[str, str] | None]:
        """What a request is (``access``, ODS ``file``, ``direct`` link, ``page``) and for which document."""
        if path == "/api/symbol/access":
            return "access", (params.get("s", ""), _language(params.get("l", "")))
        if path.startswith("/doc/undoc/"):
            with self._lock:
                return "file", self._files.get(path)
        if m := re.fullmatch(r"/record/\d+/files/(.+)-([A-Z]{2})\.pdf", path):
            return "direct", (m.group(1).replace("_", "/"), m.group(2).lower())
        if path.startswith(JIU_FILES) and path.lower().endswith(".pdf"):
            return "direct", self._jiu_file(path)
        return "page", None

    def _jiu_file(self, path: str) -> tuple[str, str] | None:
        for e in self._catalog.values():
            if e.symbol.startswith("JIU/"):
                for lang in e.languages:
                    if self.jiu_file_path(e.symbol, lang) == path:
                        return e.symbol, lang
        return None


_TERM = re.compile(r"""(\d{3})__([a-z]):(?:"([^"]*)"|'([^']*)')""")


def _query_matches(query: str, entry: CatalogEntry) -> bool:
    """The subset of Invenio search syntax the undl source sends (see module docstring)."""
    query = query.strip()
    if not query:
        return True
    for term in query.split(" or "):
        m = _TERM.fullmatch(term.strip())
        if not m:
            raise ValueError(f"stand-in cannot parse search term {term!r}")
        tag, code, exact, phrase = m.groups()
        values: list[str] = []
        if tag == "191":
            values = [s for s in entry.symbols if s]
        elif tag == entry.author_field and entry.author:
            values = [entry.author]
        elif tag == "245" and code == "c" and entry.responsibility:
            values = [entry.responsibility]
        elif tag == "245" and code == "b":
            values = [entry.title.partition(": ")[2]]
        for value in values:
            if exact is not None and fnmatch.fnmatchcase(value, exact):
                return True
            if phrase is not None and phrase.lower() in value.lower():
                return True
    return False


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # socketserver's default backlog of 5 drops connects when many clients start at once
    standin: StandIn

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients hanging up (timeouts, early closes) are expected here; stay quiet about them."""
        exc = sys.exc_info()[1]
        if isinstance(exc, ConnectionError | TimeoutError):
            return
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    # -- helpers

    def reply(
        self,
        status: int,
        body: bytes,
        headers: dict[str, str] | None = None,
        *,
        head: bool = False,
        declared_length: int | None = None,
    ) -> None:
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if status != 304:
            self.send_header("Content-Length", str(declared_length if declared_length is not None else len(body)))
        if declared_length is not None:
            self.send_header("Connection", "close")
            self.close_connection = True
        # Recorded before writing: once the client has the bytes, a test may already be looking.
        self._current.status = status
        if not head and status != 304:
            self._current.body_bytes = len(body)
        self.end_headers()
        if not head and status != 304:
            self.wfile.write(body)
        self.wfile.flush()

    def reply_chunked(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Transfer-Encoding", "chunked")
        self._current.status = status
        self._current.body_bytes = len(body)
        self.end_headers()
        for i in range(0, len(body), 16384):
            chunk = body[i : i + 16384]
            self.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    def redirect(self, location: str) -> None:
        self.reply(302, b"", {"Location": location})

    # -- dispatch

    def do_HEAD(self) -> None:
        self._dispatch(head=True)

    def do_GET(self) -> None:
        self._dispatch(head=False)

    def _dispatch(self, *, head: bool) -> None:
        standin = self.server.standin
        parts = urlsplit(self.path)
        params = dict(parse_qsl(parts.query, keep_blank_values=True))
        path = unquote(parts.path)
        self._current = RecordedRequest(self.command, path, params, {k.lower(): v for k, v in self.headers.items()})
        standin._record(self._current)
        step, document = standin._step(path, params)
        if document is not None:
            self._current.symbol, self._current.language = document
        fault = standin._take_fault(path, step, document)
        if fault is not None:
            self._current.fault = fault.kind
            if self._apply_fault(fault, path, parts.query, document, head):
                return
        self._route(path, params, fault, head)

    def _apply_fault(
        self, fault: Fault, path: str, query: str, document: tuple[str, str] | None, head: bool
    ) -> bool:
        """Answer for a fault; False means "go on and serve normally" (slow, truncate, chunked)."""
        standin = self.server.standin
        here = quote(path) + ("?" + query if query else "")
        if fault.kind == "status":
            self.reply(fault.status, f"HTTP {fault.status}".encode(), {"Content-Type": "text/plain", **fault.headers})
        elif fault.kind == "retry_after":
            status = fault.status if fault.status in (429, 503) else 429
            self.reply(status, b"Too many requests", {"Retry-After": fault.retry_after or "1",
                                                      "Content-Type": "text/plain"})
        elif fault.kind == "rate_json":
            headers = {"Content-Type": "application/json"}
            if fault.retry_after is not None:
                headers["Retry-After"] = fault.retry_after
            self.reply(429, RATE_LIMIT_BODY.encode(), headers, head=head)
        elif fault.kind == "waf":
            self.reply(202, b"", {"x-amzn-waf-action": "challenge", "Content-Type": "text/html; charset=UTF-8"},
                       head=head)
        elif fault.kind == "slow":
            standin._stopping.wait(fault.delay)
            return False
        elif fault.kind == "html":
            page = (
                b"<!DOCTYPE html><html><head><title>United Nations</title></head>"
                b"<body><p>The page you requested is being prepared. Please try again later.</p>"
                + b"<!-- padding -->" * 200
                + b"</body></html>"
            )
            self.reply(200, page, {"Content-Type": "text/html; charset=utf-8"}, head=head)
        elif fault.kind == "redirect":
            self.redirect(fault.location or standin.file_path(*(document or ("", ""))))
        elif fault.kind == "redirect_loop":
            base = re.sub(r"[&?]loop=1", "", here)
            self.redirect(base if "loop=1" in query else base + ("&" if "?" in base else "?") + "loop=1")
        elif fault.kind == "redirect_chain":
            hop = int(dict(parse_qsl(query)).get("hop", "0")) + 1
            base = re.sub(r"[&?]hop=\d+", "", here)
            self.redirect(base + ("&" if "?" in base else "?") + f"hop={hop}")
        elif fault.kind == "redirect_foreign":
            self.redirect(fault.location or f"http://localhost:{standin.port}{here}")
        else:  # truncate, chunked: shape the normal answer
            return False
        return True

    def _route(self, path: str, params: dict[str, str], fault: Fault | None, head: bool) -> None:
        standin = self.server.standin
        if path == "/api/symbol/access":
            if params.get("t", "pdf") != "pdf":
                self.reply(400, b"only t=pdf is served", {"Content-Type": "text/plain"})
                return
            symbol, language = params.get("s", ""), _language(params.get("l", ""))
            if standin._doc(symbol, language) is None:
                standin._missing_response(self, symbol, language, head)
                return
            self.redirect(standin.file_path(symbol, language))
        elif path.startswith("/doc/undoc/") or path.startswith("/record/"):
            _, document = standin._step(path, params)
            self._serve(standin._doc(*document) if document else None, fault, head)
        elif path.startswith(JIU_FILES) and path.lower().endswith(".pdf"):
            _, document = standin._step(path, params)
            self._serve(standin._doc(*document) if document else None, fault, head, not_found_html=True)
        elif path == "/search":
            status, body, ctype = standin._marcxml(params)
            self.reply(status, body, {"Content-Type": ctype}, head=head)
        elif path == "/api/v1/search":
            status, body, ctype = standin._api_search(params, self.headers.get("Authorization", ""))
            self.reply(status, body, {"Content-Type": ctype}, head=head)
        elif path == "/content/reports-notes":
            self.reply(200, standin._jiu_page(params), {"Content-Type": "text/html; charset=utf-8"}, head=head)
        else:
            self.reply(404, b"Not found", {"Content-Type": "text/plain"})

    def _serve(self, doc: _Doc | None, fault: Fault | None, head: bool, *, not_found_html: bool = False) -> None:
        if doc is None:
            body, kind = (b"<html><body>Page not found</body></html>", "text/html") if not_found_html else (
                b"Not found", "text/plain")
            self.reply(404, body, {"Content-Type": kind}, head=head)
            return
        self.server.standin._doc_response(self, doc, fault, head)


# --- pytest fixtures (re-exported by tests/conftest.py) -----------------------------------------


@pytest.fixture(scope="session")
def standin_server() -> Iterator[StandIn]:
    """One stand-in server for the whole session (starting one takes milliseconds, but threads add up)."""
    with StandIn() as server:
        yield server


@pytest.fixture
def standin(standin_server: StandIn) -> Iterator[StandIn]:
    """The stand-in, cleared of faults, recorded requests and overrides for this test."""
    standin_server.reset()
    yield standin_server
    standin_server.reset()


@pytest.fixture
def standin_settings(standin: StandIn, tmp_path: Path) -> Any:
    """Settings pointing every UN site at the stand-in, with short backoffs. The timeout is short too,
    but not so short that a loaded CI machine's slow answer is retried (tests count the requests);
    "slow" faults wait longer than it."""
    from pipeline.core.settings import Settings

    return Settings(
        data_dir=tmp_path / "data",
        ods_base_url=standin.url,
        undl_base_url=standin.url,
        jiu_base_url=standin.url,
        http_timeout_seconds=2.0,
        http_retries=2,
        http_backoff_seconds=0.01,
        http_max_retry_after_seconds=2.0,
        http_requests_per_second=1000.0,
        max_download_bytes=20_000_000,
    )
