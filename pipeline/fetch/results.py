"""What a download produced (plain data), and the ODS address of a symbol."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol, TypeVar
from urllib.parse import quote, unquote, urlencode, urlsplit

log = logging.getLogger(__name__)

T = TypeVar("T")
FetchStatus = Literal["downloaded", "not_modified", "unavailable", "failed"]

PDF_MAGIC = b"%PDF-"
PDF_EOF = b"%%EOF"
SNIFF_BYTES = 1024
"""``%PDF-`` must occur in the first this-many bytes, ``%%EOF`` in the last this-many."""


@dataclass
class FetchResult:
    """The outcome of fetching one document in one language. Plain data, safe to pickle and store."""

    symbol: str
    language: str
    url: str
    """The URL asked for (the ODS access URL, or a direct link from a source)."""
    status: FetchStatus
    sha256: str | None = None
    path: Path | None = None
    """Where the file lies in the file store (for ``not_modified``: the previously stored file)."""
    size: int | None = None
    etag: str | None = None
    last_modified: str | None = None
    reason: str | None = None
    """Why it failed (see the module docstring); None unless status is ``failed``."""
    attempts: int = 0
    final_url: str | None = None
    """The URL that answered, after redirects."""
    message: str | None = None
    """Human-readable detail for a failure."""
    job_number: str | None = None
    """ODS job number read from the final URL (``…/pdf/n2427222.pdf`` → ``N2427222``), when it has one."""
    file_name: str | None = None
    """Last path segment of the final URL (``n2427222.pdf``, ``A_80_7-EN.pdf``)."""

    @property
    def ok(self) -> bool:
        """Whether a file is stored for it (downloaded now or unchanged since last time)."""
        return self.status in ("downloaded", "not_modified")


class WantedDocument(Protocol):
    """What ``fetch_many`` needs from a discovered document (``sources.Discovered`` fits)."""

    @property
    def symbol(self) -> str: ...

    @property
    def languages(self) -> Sequence[str]: ...

    @property
    def urls(self) -> Mapping[str, str]: ...


def ods_url(base_url: str, symbol: str, language: str) -> str:
    """The ODS access URL, with ``/`` left readable as the real site writes it."""
    query = urlencode({"s": symbol, "l": language, "t": "pdf"}, quote_via=quote, safe="/")
    return f"{base_url.rstrip('/')}/api/symbol/access?{query}"


_JOB_FILE = re.compile(r"/([a-z]{1,2}\d{6,7})\.pdf$", re.IGNORECASE)


def file_facts(final_url: str) -> tuple[str | None, str | None]:
    """(job number, file name) of a final URL: ODS files are named by job number, other files are not."""
    path = unquote(urlsplit(final_url).path)
    name = path.rsplit("/", 1)[-1] or None
    m = _JOB_FILE.search(path)
    return (m.group(1).upper() if m else None), name


def fetch_results_by_key(results: Iterable[FetchResult]) -> dict[tuple[str, str], FetchResult]:
    """Index results by (symbol, language), as ``previous`` wants them; later results win."""
    return {(r.symbol, r.language): r for r in results if r.ok}
