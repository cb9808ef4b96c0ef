"""What every discovery source shares: the ``Discovered`` record and the ``Source`` protocol."""

from __future__ import annotations

import contextlib
import logging
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from pipeline.core.settings import Settings

if TYPE_CHECKING:  # httpx is imported when a source fetches, not by every user of ``Discovered``
    from pipeline.fetch.fetcher import Fetcher

log = logging.getLogger(__name__)

MAX_SYMBOL_LENGTH = 200
"""Longest symbol the store keeps (``ingest_items.symbol``, ``documents.symbol``); a test keeps them equal."""


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
    other_symbols: tuple[str, ...] = ()
    """Further symbols of the same document (a joint A/… and E/… issuance): merged under ``symbol``."""
    job_number: str | None = None
    """ODS job number of the English issuance (Digital Library 029 $b, ``N2321733``)."""


class Source(Protocol):
    """A discovery unit. ``version`` changes when what it finds for the same input changes."""

    name: str
    version: str

    def discover(self, since: date | None, settings: Settings) -> Iterator[Discovered]: ...


def merge_discovered(items: Iterable[Discovered]) -> Iterator[Discovered]:
    """One record per document (inbox files stay separate): later sources fill fields the first lacked.

    A document is known by any of its symbols: the JIU site's ``JIU/REP/2025/1`` joins the Digital
    Library record whose symbols are ``A/80/123`` and ``JIU/REP/2025/1``.

    Merged in a private temporary SQLite file (``DiscoveryMerge``), not in Python objects: a catalogue
    of 100,000 records costs the run a few megabytes of page cache, not a dict that grows with it. The
    merged records come out in the order of their first sighting, once every source has been read.
    """
    with contextlib.closing(DiscoveryMerge()) as merge:
        for item in items:
            merge.add(item)
        yield from merge.records()


_SEP = "\x1f"
"""Joins the parts of a tuple in one column (no symbol, language or path holds it)."""

_MERGE_SCHEMA = """
CREATE TABLE docs (
    id INTEGER PRIMARY KEY, symbol TEXT NOT NULL, source TEXT NOT NULL, path TEXT NOT NULL,
    title TEXT, date TEXT, languages TEXT NOT NULL, kind TEXT, author TEXT, record_id TEXT,
    other_symbols TEXT NOT NULL, job_number TEXT
);
CREATE TABLE aliases (symbol TEXT NOT NULL, path TEXT NOT NULL, doc INTEGER NOT NULL,
                      PRIMARY KEY (symbol, path)) WITHOUT ROWID;
CREATE TABLE urls (doc INTEGER NOT NULL, language TEXT NOT NULL, url TEXT NOT NULL,
                   PRIMARY KEY (doc, language)) WITHOUT ROWID;
"""


class DiscoveryMerge:
    """``merge_discovered``'s working store: a private temporary SQLite database (SQLite deletes it
    when the connection closes; its page cache is bounded, the rest stays on disk).

    ``docs`` holds one row per document, ``aliases`` every (symbol, inbox path) it is known by, ``urls``
    its first link per language. An inbox file's path is part of its key, ``''`` for everything else.
    """

    def __init__(self) -> None:
        self.db = sqlite3.connect("")
        self.db.executescript(_MERGE_SCHEMA)

    def close(self) -> None:
        self.db.close()

    def add(self, item: Discovered) -> None:
        """Record what one source found: a new document, or fields and languages for a known one."""
        path = str(item.path) if item.path is not None else ""
        keys = list(dict.fromkeys((item.symbol, *item.other_symbols)))
        doc = next((row[0] for key in keys for row in self.db.execute(
            "SELECT doc FROM aliases WHERE symbol = ? AND path = ?", (key, path))), None)
        if doc is None:
            doc = self.db.execute(
                "INSERT INTO docs (symbol, source, path, title, date, languages, kind, author, record_id,"
                " other_symbols, job_number) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (item.symbol, item.source, path, item.title, item.date.isoformat() if item.date else None,
                 _SEP.join(item.languages), item.kind, item.author, item.record_id,
                 _SEP.join(item.other_symbols), item.job_number),
            ).lastrowid
        else:
            (known,) = self.db.execute("SELECT languages FROM docs WHERE id = ?", (doc,)).fetchone()
            # Languages are the union of what the sources know; one that does not know makes it unknown.
            languages = tuple(dict.fromkeys((*known.split(_SEP), *item.languages))) if known and item.languages else ()
            self.db.execute(
                "UPDATE docs SET job_number = coalesce(job_number, ?), title = coalesce(title, ?),"
                " date = coalesce(date, ?), kind = coalesce(kind, ?), author = coalesce(author, ?),"
                " languages = ? WHERE id = ?",
                (item.job_number, item.title, item.date.isoformat() if item.date else None, item.kind,
                 item.author, _SEP.join(languages), doc),
            )
        self.db.executemany("INSERT OR IGNORE INTO aliases (symbol, path, doc) VALUES (?, ?, ?)",
                            [(key, path, doc) for key in keys])
        self.db.executemany("INSERT OR IGNORE INTO urls (doc, language, url) VALUES (?, ?, ?)",
                            [(doc, language, url) for language, url in item.urls.items()])

    def records(self) -> Iterator[Discovered]:
        """The merged documents, in the order they were first found."""
        rows = self.db.execute(
            "SELECT id, symbol, source, path, title, date, languages, kind, author, record_id, other_symbols,"
            " job_number FROM docs ORDER BY id"
        )
        for doc, symbol, source, path, title, day, languages, kind, author, record_id, others, job in rows:
            urls = dict(self.db.execute("SELECT language, url FROM urls WHERE doc = ?", (doc,)).fetchall())
            yield Discovered(
                symbol, source, title=title, date=date.fromisoformat(day) if day else None,
                languages=tuple(languages.split(_SEP)) if languages else (), urls=urls,
                path=Path(path) if path else None, kind=kind, author=author, record_id=record_id,
                other_symbols=tuple(others.split(_SEP)) if others else (), job_number=job,
            )


def _fetcher(settings: Settings, fetcher: Fetcher | None) -> tuple[Fetcher, bool]:
    """The given fetcher, or a new one the caller must close (second item True)."""
    from pipeline.fetch.fetcher import Fetcher

    return (fetcher, False) if fetcher is not None else (Fetcher(settings), True)


