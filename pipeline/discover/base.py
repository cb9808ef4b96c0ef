"""What every discovery source shares: the ``Discovered`` record and the ``Source`` protocol."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
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


def merge_discovered(items: Iterable[Discovered]) -> list[Discovered]:
    """One record per document (inbox files stay separate): later sources fill fields the first lacked.

    A document is known by any of its symbols: the JIU site's ``JIU/REP/2025/1`` joins the Digital
    Library record whose symbols are ``A/80/123`` and ``JIU/REP/2025/1``.
    """
    merged: dict[tuple[str, Path | None], Discovered] = {}
    for item in items:
        keys = [(s, item.path) for s in (item.symbol, *item.other_symbols)]
        first = next((merged[k] for k in keys if k in merged), None)
        if first is None:
            copy = replace(item, urls=dict(item.urls))
            merged.update(dict.fromkeys(keys, copy))
            continue
        for key in keys:
            merged.setdefault(key, first)
        first.job_number = first.job_number or item.job_number
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
    return list({id(d): d for d in merged.values()}.values())


def _fetcher(settings: Settings, fetcher: Fetcher | None) -> tuple[Fetcher, bool]:
    """The given fetcher, or a new one the caller must close (second item True)."""
    from pipeline.fetch.fetcher import Fetcher

    return (fetcher, False) if fetcher is not None else (Fetcher(settings), True)


