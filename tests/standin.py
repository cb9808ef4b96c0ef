"""A stand-in for the UN web sites, served over real HTTP on 127.0.0.1, for tests and benchmarks.

One server plays three sites (point ods_base_url, undl_base_url and jiu_base_url at ``standin.url``):

- ODS: ``GET /api/symbol/access?s=SYMBOL&l=LANG&t=pdf`` serves corpus PDFs (``en`` from
  corpus/en, ``zh`` from corpus/zh) with ``Content-Length``, ``ETag``, ``Last-Modified`` and 304
  answers to ``If-None-Match`` / ``If-Modified-Since``; 404 for an unknown symbol/language.
  Symbols are the file names with ``_`` → ``/`` and, where SOURCES.tsv gives one, the real symbol
  (``A/81/6 (Sect. 2)/Part A`` for ``A_81_6_Sect.2.pdf``).
- Digital Library: ``GET /search?p=QUERY&of=xm&rg=N&jrec=START&sort=latest`` answers MARCXML for
  the catalog (one record per served symbol, newest first, paged). The query language understood is
  the subset the undl source sends: ``field:"pattern*"`` (whole-value match, ``*`` wildcard),
  ``field:'phrase'`` (substring), joined by `` or ``.
- JIU: ``GET /content/reports?page=N`` (0-based) lists JIU reports and notes as an HTML table
  (see ``sources.JiuSource`` for the shape), with links to the PDFs under ``/sites/www.unjiu.org/…``.

Faults are programmed per request match (``add_fault``) and every request is recorded (``requests``),
so a test can say "the second run downloaded nothing".
"""

from __future__ import annotations

import csv
import fnmatch
import hashlib
import html
import re
import sys
import threading
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from email.utils import formatdate, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit

import pytest

from tests.corpus import CORPUS

JIU_FILES = "/sites/www.unjiu.org/files/jiu_document_files/products"
LANGUAGE_NAMES = {
    "ar": "Arabic",
    "en": "English",
    "es": "Spanish",
    "fr": "French",
    "ru": "Russian",
    "zh": "Chinese",
}
ACABQ = "UN. Advisory Committee on Administrative and Budgetary Questions"
SECRETARY_GENERAL = "UN. Secretary-General"
JIU = "UN. Joint Inspection Unit"

FAULT_KINDS = (
    "status",  # answer `status` (404, 500, 503 …) with optional `headers`
    "retry_after",  # 429 (or `status`) with Retry-After: `retry_after` (seconds or an HTTP date)
    "slow",  # wait `delay` seconds before answering (to go past the client's timeout)
    "truncate",  # send only `fraction` of the file: mode "close" (full Content-Length, then hang up)
    #              or mode "short" (Content-Length of the cut body: a cut-off file served "properly")
    "html",  # 200 with an HTML page instead of the PDF
    "redirect",  # 302 to `location` (default: the document's direct file URL on this host)
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
    retry_after: str = "1"
    delay: float = 5.0
    fraction: float = 0.5
    mode: str = "close"
    location: str | None = None
    hits: int = 0

    def matches(self, path: str, params: dict[str, str]) -> bool:
        if self.times is not None and self.hits >= self.times:
            return False
        if self.path is not None and path != self.path:
            return False
        if self.symbol is not None and params.get("s") != self.symbol:
            return False
        return self.lang is None or params.get("l") == self.lang


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
    at: float = field(default_factory=time.monotonic)


@dataclass
class CatalogEntry:
    """One document as the Digital Library and the JIU site describe it."""

    symbol: str
    title: str
    date: date
    author: str | None
    languages: list[str]
    record_id: int
    author_field: str = "710"


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


def _sources_table(corpus: Path) -> dict[str, tuple[str, str]]:
    """file stem → (symbol, kind) from SOURCES.tsv, cleaned of comments like ``[Expanded report]``."""
    table: dict[str, tuple[str, str]] = {}
    tsv = corpus / "SOURCES.tsv"
    if not tsv.exists():
        return table
    with tsv.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            stem = Path(row["file"]).stem
            symbol = re.sub(r"\s*\[[^]]*\]$", "", row.get("symbol") or "").strip()
            if (
                symbol
                and not symbol.startswith("none")
                and "," not in symbol
                and "per filename" not in symbol
            ):
                table[stem] = (symbol, row.get("kind") or "")
    return table


def _author_for(symbol: str, kind: str) -> tuple[str | None, str]:
    if symbol.startswith("JIU/") or kind.startswith("JIU"):
        return JIU, "710"
    if kind.startswith("ACABQ"):
        return ACABQ, "710"
    if kind.startswith("SG"):
        return SECRETARY_GENERAL, "110"
    return None, "710"


_KIND_OVERRIDES = {"A/77/256/Add.1": "SG note", "WO/PBC/34/6": "agency report on JIU recommendations"}


def _title_for(symbol: str, kind: str) -> str:
    """A plausible catalog title; some have a subtitle (MARC 245 $b) after ": "."""
    if kind.startswith("JIU"):
        return f"Review of management and administration ({symbol}): report of the Joint Inspection Unit"
    if kind.startswith("ACABQ"):
        return (
            f"Proposed programme budget ({symbol}): "
            "report of the Advisory Committee on Administrative and Budgetary Questions"
        )
    if kind.startswith("SG"):
        return f"Oversight matters ({symbol}): report of the Secretary-General"
    return f"{(kind or 'document')[:1].upper()}{(kind or 'document')[1:]} {symbol}"


def _synthetic_date(symbol: str) -> date:
    """A stable, plausible date: the year from the symbol, month and day from a checksum."""
    year = 2025
    if m := re.match(r"JIU/(?:REP|NOTE)/(\d{4})/", symbol):
        year = int(m.group(1))
    elif m := re.match(r"A/(?:C\.\d/)?(\d{2})/", symbol):
        year = 1945 + int(m.group(1))
    crc = zlib.crc32(symbol.encode())
    return date(year, 1 + crc % 12, 1 + (crc // 12) % 28)


class StandIn:
    """The stand-in server. ``start()``/``stop()`` or use as a context manager."""

    def __init__(self, corpus: Path = CORPUS, *, jiu_page_size: int = 10) -> None:
        self.corpus = corpus
        self.jiu_page_size = jiu_page_size
        self.etag_enabled = True
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._faults: list[Fault] = []
        self._requests: list[RecordedRequest] = []
        self._docs: dict[tuple[str, str], _Doc] = {}
        self._catalog: dict[str, CatalogEntry] = {}
        self._jiu_links: dict[str, tuple[str, str]] = {}
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._load_corpus()

    # -- corpus and catalog

    def _load_corpus(self) -> None:
        sources = _sources_table(self.corpus)
        record_id = 4_000_000
        for language in ("en", "zh"):
            for path in sorted((self.corpus / language).glob("*.pdf")):
                symbol, kind = sources.get(path.stem, (path.stem.replace("_", "/"), ""))
                if path.stem == "UDHR_zh":
                    symbol, kind = "A/RES/217(III)", "other"
                names = {symbol, path.stem.replace("_", "/")}
                for name in names:
                    self._docs[(name, language)] = _Doc(name, language, path, mtime=path.stat().st_mtime)
                entry = self._catalog.get(symbol)
                if entry is None:
                    record_id += 1
                    kind = kind or _KIND_OVERRIDES.get(symbol, "")
                    author, author_field = _author_for(symbol, kind)
                    entry = CatalogEntry(
                        symbol=symbol,
                        title=_title_for(symbol, kind),
                        date=_synthetic_date(symbol),
                        author=author,
                        languages=[],
                        record_id=record_id,
                        author_field=author_field,
                    )
                    self._catalog[symbol] = entry
                entry.languages.append(language)
        for entry in self._catalog.values():
            if entry.symbol.startswith("JIU/"):
                stem = entry.symbol.replace("/", "_")
                for language in entry.languages:
                    link = f"{JIU_FILES}/{language}/{stem}_{LANGUAGE_NAMES[language]}.pdf"
                    self._jiu_links[link] = (entry.symbol, language)

    @property
    def catalog(self) -> list[CatalogEntry]:
        """Catalog entries, newest first (the Digital Library's ``sort=latest``)."""
        return sorted(self._catalog.values(), key=lambda e: (e.date, e.record_id), reverse=True)

    def add_record(self, entry: CatalogEntry) -> None:
        """Add a catalog record (a search hit) without a file behind it."""
        self._catalog[entry.symbol] = entry

    def served(self) -> list[tuple[str, str]]:
        """(symbol, language) pairs that the ODS endpoint serves."""
        return sorted(self._docs)

    def document_bytes(self, symbol: str, language: str) -> bytes:
        return self._docs[(symbol, language)].content()

    def set_document(self, symbol: str, language: str, data: bytes, *, mtime: float | None = None) -> None:
        """Serve these bytes for a symbol (a new version: new ETag and Last-Modified)."""
        self._docs[(symbol, language)] = _Doc(symbol, language, data=data, mtime=mtime or time.time())

    def remove_document(self, symbol: str, language: str) -> None:
        self._docs.pop((symbol, language), None)

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

    def _take_fault(self, path: str, params: dict[str, str]) -> Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.matches(path, params):
                    fault.hits += 1
                    return fault
        return None

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._requests)

    def requests_for(self, symbol: str | None = None, *, path: str | None = None) -> list[RecordedRequest]:
        return [
            r
            for r in self.requests
            if (symbol is None or r.params.get("s") == symbol) and (path is None or r.path == path)
        ]

    def _record(self, request: RecordedRequest) -> None:
        with self._lock:
            self._requests.append(request)

    def reset(self) -> None:
        """Forget faults, recorded requests and document overrides (between tests)."""
        with self._lock:
            self._faults.clear()
            self._requests.clear()
        self.etag_enabled = True
        self.jiu_page_size = 10
        self._docs.clear()
        self._catalog.clear()
        self._jiu_links.clear()
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
        return "/api/symbol/access?" + urlencode(
            {"s": symbol, "l": language, "t": "pdf"}, quote_via=quote, safe="/"
        )

    def file_path(self, symbol: str, language: str) -> str:
        return f"/files/{language}/{quote(symbol, safe='')}.pdf"

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
        headers["Content-Disposition"] = f'inline; filename="{doc.symbol.replace("/", "_")}.pdf"'
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

    def _marcxml(self, params: dict[str, str]) -> tuple[int, bytes, str]:
        if params.get("of") != "xm":
            html_page = "<html><body><h1>Digital Library</h1><p>Search results</p></body></html>"
            return 200, html_page.encode(), "text/html; charset=utf-8"
        try:
            matches = [e for e in self.catalog if _query_matches(params.get("p", ""), e)]
        except ValueError as exc:
            return 400, str(exc).encode(), "text/plain"
        rg = int(params.get("rg", "10"))
        start = int(params.get("jrec", "1"))
        page = matches[start - 1 : start - 1 + rg]
        parts = [
            '<?xml version="1.0" encoding="UTF-8"?>',
            f"<!-- Search-Engine-Total-Number-Of-Results: {len(matches)} -->",
            '<collection xmlns="http://www.loc.gov/MARC21/slim">',
        ]
        parts.extend(_marc_record(e) for e in page)
        parts.append("</collection>")
        return 200, "\n".join(parts).encode("utf-8"), "application/xml; charset=utf-8"

    def _jiu_page(self, params: dict[str, str]) -> bytes:
        entries = sorted(
            (e for e in self._catalog.values() if e.symbol.startswith("JIU/")),
            key=lambda e: (e.date.year, e.symbol),
            reverse=True,
        )
        page = int(params.get("page", "0"))
        size = self.jiu_page_size
        shown = entries[page * size : (page + 1) * size]
        rows = []
        for e in shown:
            links = " ".join(
                f'<a href="{html.escape(link)}" hreflang="{lang}" type="application/pdf">'
                f"{LANGUAGE_NAMES[lang]}</a>"
                for link, (sym, lang) in self._jiu_links.items()
                if sym == e.symbol
            )
            slug = e.symbol.lower().replace("/", "-")
            rows.append(
                '    <tr class="jiu-report">\n'
                f'      <td class="views-field views-field-field-symbol">{html.escape(e.symbol)}</td>\n'
                f'      <td class="views-field views-field-title"><a href="/content/{slug}">'
                f"{html.escape(e.title)}</a></td>\n"
                f'      <td class="views-field views-field-field-year">{e.date.year}</td>\n'
                f'      <td class="views-field views-field-field-document-files">{links}</td>\n'
                "    </tr>"
            )
        pager = ""
        if (page + 1) * size < len(entries):
            pager = (
                '<nav class="pager"><ul class="pager__items">'
                '<li class="pager__item pager__item--next">'
                f'<a href="?page={page + 1}" rel="next">Next ›</a></li>'
                "</ul></nav>"
            )
        body = (
            '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            "<title>Reports | JIU</title></head>\n"
            '<body><main><h1>Reports and notes</h1>\n<table class="views-table jiu-reports">\n'
            "  <thead><tr><th>Symbol</th><th>Title</th><th>Year</th><th>Documents</th></tr></thead>\n"
            "  <tbody>\n" + "\n".join(rows) + "\n  </tbody>\n</table>\n" + pager + "</main></body></html>\n"
        )
        return body.encode("utf-8")


def _marc_record(e: CatalogEntry) -> str:
    def field_(tag: str, ind1: str, ind2: str, subfields: list[tuple[str, str]]) -> str:
        subs = "".join(f'<subfield code="{c}">{html.escape(v, quote=False)}</subfield>' for c, v in subfields)
        return f'  <datafield tag="{tag}" ind1="{ind1}" ind2="{ind2}">{subs}</datafield>'

    lines = ["<record>", f'  <controlfield tag="001">{e.record_id}</controlfield>']
    if e.symbol:
        lines.append(field_("191", " ", " ", [("a", e.symbol), ("b", e.symbol.split("/")[0] + "/")]))
    if e.author and e.author_field == "110":
        lines.append(field_("110", "2", " ", [("a", e.author)]))
    main, _, sub = e.title.partition(": ")
    title = [("a", main + (" :" if sub else ""))] + ([("b", sub)] if sub else [])
    lines.append(field_("245", "1", "0", title))
    if e.symbol.startswith("JIU/"):
        lines.append(field_("992", " ", " ", [("a", e.date.isoformat())]))  # some records lack 269
    else:
        lines.append(field_("269", " ", " ", [("a", e.date.isoformat())]))
    if e.author and e.author_field == "710":
        lines.append(field_("710", "2", " ", [("a", e.author)]))
    for lang in e.languages:
        stem = e.symbol.replace("/", "_")
        url = f"https://digitallibrary.un.org/record/{e.record_id}/files/{stem}-{lang.upper()}.pdf"
        lines.append(field_("856", "4", "0", [("u", url), ("y", LANGUAGE_NAMES[lang])]))
    lines.append("</record>")
    return "\n".join(lines)


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
        tag, _code, exact, phrase = m.groups()
        values = []
        if tag == "191":
            values = [entry.symbol]
        elif tag == entry.author_field and entry.author:
            values = [entry.author]
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
            self.send_header(
                "Content-Length", str(declared_length if declared_length is not None else len(body))
            )
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
        self._current = RecordedRequest(
            self.command, parts.path, params, {k.lower(): v for k, v in self.headers.items()}
        )
        standin._record(self._current)
        fault = standin._take_fault(parts.path, params)
        if fault is not None:
            self._current.fault = fault.kind
            if self._apply_fault(fault, parts.path, parts.query, params, head):
                return
        self._route(parts.path, params, fault, head)

    def _apply_fault(self, fault: Fault, path: str, query: str, params: dict[str, str], head: bool) -> bool:
        """Answer for a fault; False means "go on and serve normally" (slow, truncate, chunked)."""
        standin = self.server.standin
        here = path + ("?" + query if query else "")
        if fault.kind == "status":
            self.reply(
                fault.status, f"HTTP {fault.status}".encode(), {"Content-Type": "text/plain", **fault.headers}
            )
        elif fault.kind == "retry_after":
            status = fault.status if fault.status in (429, 503) else 429
            self.reply(
                status, b"Too many requests", {"Retry-After": fault.retry_after, "Content-Type": "text/plain"}
            )
        elif fault.kind == "slow":
            standin._stopping.wait(fault.delay)
            return False
        elif fault.kind == "html":
            page = (
                b"<!DOCTYPE html><html><head><title>Official Document System</title></head>"
                b"<body><p>The document you requested is being prepared. Please try again later.</p>"
                + b"<!-- padding -->" * 200
                + b"</body></html>"
            )
            self.reply(200, page, {"Content-Type": "text/html; charset=utf-8"}, head=head)
        elif fault.kind == "redirect":
            symbol, lang = params.get("s", ""), params.get("l", "")
            self.redirect(fault.location or standin.file_path(symbol, lang))
        elif fault.kind == "redirect_loop":
            target = here.replace("&loop=1", "") if "loop=1" in query else here + "&loop=1"
            self.redirect(target)
        elif fault.kind == "redirect_chain":
            hop = int(params.get("hop", "0")) + 1
            base = re.sub(r"&hop=\d+", "", here)
            self.redirect(f"{base}&hop={hop}")
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
            doc = standin._docs.get((params.get("s", ""), params.get("l", "").lower()))
            if doc is None:
                self.reply(404, b"Document not found", {"Content-Type": "text/plain"})
                return
            standin._doc_response(self, doc, fault, head)
        elif path.startswith("/files/"):
            m = re.fullmatch(r"/files/([a-z]{2})/(.+)\.pdf", path)
            doc = standin._docs.get((unquote(m.group(2)), m.group(1))) if m else None
            if doc is None:
                self.reply(404, b"Not found", {"Content-Type": "text/plain"})
                return
            standin._doc_response(self, doc, fault, head)
        elif path.startswith(JIU_FILES):
            target = standin._jiu_links.get(path)
            doc = standin._docs.get(target) if target else None
            if doc is None:
                self.reply(404, b"<html><body>Page not found</body></html>", {"Content-Type": "text/html"})
                return
            standin._doc_response(self, doc, fault, head)
        elif path == "/search":
            status, body, ctype = standin._marcxml(params)
            self.reply(status, body, {"Content-Type": ctype}, head=head)
        elif path == "/content/reports":
            self.reply(
                200, standin._jiu_page(params), {"Content-Type": "text/html; charset=utf-8"}, head=head
            )
        else:
            self.reply(404, b"Not found", {"Content-Type": "text/plain"})


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
