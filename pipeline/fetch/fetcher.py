"""Download PDFs from the UN sites politely and safely, into the content-addressed file store.

One attempt (``Fetcher.fetch_attempt``) does: host allow-list check → per-host token bucket →
GET with conditional headers → redirects followed by hand (each hop checked, loops caught) →
status mapped to a named error → body streamed into the store with a size cap and PDF checks.
Retrying is a separate plain function (``call_with_retries``) so a Prefect task can instead run
one attempt per task try and use Prefect's own retries (``is_retryable``, ``backoff_delays``).

Reasons in ``FetchResult.reason`` (and ``FetchError.reason``):

==========================  =====================================================  ==========
reason                      meaning                                                retried
==========================  =====================================================  ==========
``timeout``                 connect/read timed out                                 yes
``too_slow``                body slower than ``http_min_bytes_per_second``         yes
``deadline``                download over ``http_download_deadline_seconds``       yes
``connect_error``           connection refused/reset, DNS failure                  yes
``protocol_error``          server closed the connection without an answer         yes
``incomplete_body``         connection closed before Content-Length bytes came     yes
``http_5xx`` (``http_500``) server error                                           yes
``http_429``/``http_503``   throttled; Retry-After honoured up to the cap          yes
``retry_after_too_long``    Retry-After beyond ``http_max_retry_after_seconds``    no
``bot_challenge``           202 (``x-amzn-waf-action: challenge``): the bot wall    yes
``unavailable``             404/410, or the ODS access URL answering 200 with an   no (status
                            empty body or an HTML page: not in this language       ``unavailable``)
``host_budget_exhausted``   the host throttled this run past its budget            no
``http_4xx``                other client error                                     no
``not_pdf``                 200 but the body has no ``%PDF-`` (an HTML page)       no
``truncated_pdf``           body has no ``%%EOF`` near its end (cut-off file)      no
``too_large``               Content-Length or streamed body over the size cap      no
``foreign_host``            URL (or a redirect) leaves the configured hosts        no
``redirect_loop``           a redirect points back to a URL already visited        no
``too_many_redirects``      more than ``http_max_redirects`` hops                  no
==========================  =====================================================  ==========
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from types import TracebackType
from typing import TypeVar
from urllib.parse import urlsplit

import httpx

from pipeline.core.errors import (
    BotChallengeError,
    DocumentNotFoundError,
    DocumentUnavailableError,
    ForeignHostError,
    HostBudgetExhaustedError,
    NotPdfResponseError,
    PermanentFetchError,
    RedirectError,
    RetryableFetchError,
    RetryAfterTooLongError,
    TooLargeError,
    TruncatedPdfError,
)
from pipeline.core.settings import Settings, get_settings
from pipeline.fetch.filestore import FileStore, StoredFile, default_store
from pipeline.fetch.ratelimit import RateLimiter, shared_limiter
from pipeline.fetch.results import (
    PDF_EOF,
    PDF_MAGIC,
    SNIFF_BYTES,
    FetchResult,
    WantedDocument,
    file_facts,
    ods_url,
)
from pipeline.fetch.retries import call_with_retries, parse_retry_after

log = logging.getLogger(__name__)

T = TypeVar("T")
_REDIRECT_CODES = {301, 302, 303, 307, 308}
ODS_ACCESS_PATH = "/api/symbol/access"
"""The ODS endpoint whose empty or HTML 200 answer means "not in this language" (any other URL: not_pdf)."""


# --- The fetcher --------------------------------------------------------------------------------


def _origin(url: str) -> tuple[str, int] | None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        return None
    return parts.hostname.lower(), port


class Fetcher:
    """Downloads documents through one shared HTTP client; thread-safe. Use ``with`` or ``close()``."""

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        store: FileStore | None = None,
        limiter: RateLimiter | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.settings = settings or get_settings()
        self.store = store or default_store(self.settings)
        self.limiter = limiter or shared_limiter(self.settings.http_requests_per_second)
        self._sleep = sleep
        hosts = {
            _origin(u)
            for u in (self.settings.ods_base_url, self.settings.undl_base_url, self.settings.jiu_base_url)
        }
        self.allowed_origins: frozenset[tuple[str, int]] = frozenset(h for h in hosts if h is not None)
        self._failures: dict[str, int] = {}
        self._failures_lock = threading.Lock()
        self._client = httpx.Client(
            timeout=httpx.Timeout(self.settings.http_timeout_seconds),
            headers={"User-Agent": self.settings.http_user_agent},
            follow_redirects=False,
        )

    # -- lifecycle

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # -- public API

    def reset_budget(self) -> None:
        """Start a new run's per-host failure budget (``http_host_failure_budget``)."""
        with self._failures_lock:
            self._failures.clear()

    def ods_url(self, symbol: str, language: str) -> str:
        return ods_url(self.settings.ods_base_url, symbol, language)

    def allows(self, url: str) -> bool:
        """Whether the fetcher would contact this URL (see ``_open`` for the rule)."""
        try:
            self._check_origin(url, document=url)
        except ForeignHostError:
            return False
        return True

    def fetch(
        self, symbol: str, language: str, *, previous: FetchResult | None = None, url: str | None = None
    ) -> FetchResult:
        """Fetch one document in one language, retrying transient failures; raises ``FetchError`` on failure.

        With ``previous`` (an earlier result whose file is still in the store) the request is
        conditional, and an unchanged document comes back ``not_modified`` without a body.
        """
        return self._with_retries(
            lambda n: self.fetch_attempt(symbol, language, previous=previous, url=url, attempt=n)
        )

    def fetch_document(
        self,
        symbol: str,
        languages: Sequence[str] | None = None,
        *,
        previous: Mapping[tuple[str, str], FetchResult] | None = None,
        urls: Mapping[str, str] | None = None,
    ) -> list[FetchResult]:
        """Fetch a document in each language (default: ``settings.languages``); never raises.

        ``previous`` maps (symbol, language) to the last result; ``urls`` gives direct links per
        language (the JIU site's) used instead of the ODS URL.
        """
        results = []
        for language in self.settings.languages if languages is None else languages:
            prev = (previous or {}).get((symbol, language))
            url = (urls or {}).get(language)
            results.append(self._fetch_safely(symbol, language, prev, url))
        return results

    def fetch_many(
        self,
        wanted: Iterable[WantedDocument],
        *,
        previous: Mapping[tuple[str, str], FetchResult] | None = None,
    ) -> list[FetchResult]:
        """Fetch every wanted document in the wanted languages it is known to exist in; never raises.

        Languages are ``settings.languages`` narrowed to the document's known ``languages`` (when the
        source knows them); a document in none of the wanted languages gives no result.
        """
        results: list[FetchResult] = []
        for doc in wanted:
            langs = [lang for lang in self.settings.languages if not doc.languages or lang in doc.languages]
            results.extend(self.fetch_document(doc.symbol, langs, previous=previous, urls=doc.urls))
        return results

    def fetch_attempt(
        self,
        symbol: str,
        language: str,
        *,
        previous: FetchResult | None = None,
        url: str | None = None,
        attempt: int = 1,
    ) -> FetchResult:
        """One try, no retry: the unit a Prefect task with its own retries calls. Raises ``FetchError``."""
        url = url or self.ods_url(symbol, language)
        document = f"{symbol} [{language}]"
        headers: dict[str, str] = {}
        reuse = (
            previous is not None and previous.ok and previous.sha256 and self.store.exists(previous.sha256)
        )
        if previous is not None and reuse:
            if previous.etag:
                headers["If-None-Match"] = previous.etag
            if previous.last_modified:
                headers["If-Modified-Since"] = previous.last_modified
        response, final_url = self._open(url, headers, document=document)
        try:
            self._check_status(response, conditional=bool(headers), document=document)
            etag = response.headers.get("etag")
            last_modified = response.headers.get("last-modified")
            if response.status_code == 304:
                assert previous is not None
                log.debug("%s not modified", document)
                return replace(
                    previous,
                    url=url,
                    status="not_modified",
                    etag=etag or previous.etag,
                    last_modified=last_modified or previous.last_modified,
                    attempts=attempt,
                    final_url=final_url,
                    reason=None,
                    message=None,
                )
            at_access = urlsplit(final_url).path.endswith(ODS_ACCESS_PATH)
            if at_access and _looks_unavailable(response):
                raise _unavailable(response, document)
            stored = self._save_pdf(response, document=document, at_access=at_access)
        finally:
            response.close()
        job_number, file_name = file_facts(final_url)
        log.info("%s downloaded (%d bytes, %s)", document, stored.size, stored.sha256[:12])
        return FetchResult(
            symbol=symbol,
            language=language,
            url=url,
            status="downloaded",
            sha256=stored.sha256,
            path=stored.path,
            size=stored.size,
            etag=etag,
            last_modified=last_modified,
            attempts=attempt,
            final_url=final_url,
            job_number=job_number,
            file_name=file_name,
        )

    def probe(self, symbol: str, language: str) -> bool:
        """Whether ODS has a PDF for the symbol: True, or False on 404 / not a PDF.

        Reads only the first bytes (asks for a Range; closes early if the server ignores it).
        Transient failures are retried and, if they persist, raised: a dead site is not a miss.
        """
        url = self.ods_url(symbol, language)
        document = f"{symbol} [{language}]"

        def once(n: int) -> bool:
            response, _ = self._open(url, {"Range": f"bytes=0-{SNIFF_BYTES - 1}"}, document=document)
            try:
                try:
                    self._check_status(response, conditional=False, document=document)
                except DocumentNotFoundError:
                    return False
                head = b""
                for chunk in self._body(response, document):
                    head += chunk
                    if len(head) >= SNIFF_BYTES:
                        break
                return PDF_MAGIC in head[:SNIFF_BYTES]
            finally:
                response.close()

        return self._with_retries(once)

    def get_bytes(self, url: str, headers: Mapping[str, str] | None = None) -> bytes:
        """GET a page (search results, a listing) under the same rules as downloads; raises ``FetchError``."""

        def once(n: int) -> bytes:
            response, _ = self._open(url, headers or {}, document=url)
            try:
                self._check_status(response, conditional=False, document=url)
                self._check_length(response, document=url)
                body = bytearray()
                for chunk in self._body(response, url):
                    body += chunk
                    if len(body) > self.settings.max_download_bytes:
                        raise TooLargeError(f"response over {self.settings.max_download_bytes} bytes", document=url)
                return bytes(body)
            finally:
                response.close()

        return self._with_retries(once)

    # -- internals

    def _with_retries(self, attempt: Callable[[int], T]) -> T:
        """``call_with_retries`` under this fetcher's retry settings and clock."""
        return call_with_retries(
            attempt, retries=self.settings.http_retries, backoff=self.settings.http_backoff_seconds, sleep=self._sleep
        )

    def _fetch_safely(
        self, symbol: str, language: str, previous: FetchResult | None, url: str | None
    ) -> FetchResult:
        target = url or self.ods_url(symbol, language)
        try:
            return self.fetch(symbol, language, previous=previous, url=url)
        except DocumentUnavailableError as exc:
            return FetchResult(
                symbol, language, target, "unavailable", reason=exc.reason, attempts=exc.attempts, message=str(exc)
            )
        except (RetryableFetchError, PermanentFetchError) as exc:
            log.warning("%s [%s] failed: %s", symbol, language, exc)
            return FetchResult(
                symbol, language, target, "failed", reason=exc.reason, attempts=exc.attempts, message=str(exc)
            )
        except Exception as exc:  # one broken document must not stop the batch
            log.exception("%s [%s] failed unexpectedly", symbol, language)
            return FetchResult(
                symbol,
                language,
                target,
                "failed",
                reason="error",
                attempts=1,
                message=f"{type(exc).__name__}: {exc}",
            )

    def _check_origin(
        self, url: str, *, document: str, redirected_from: str | None = None
    ) -> tuple[str, int]:
        origin = _origin(url)
        upgrade = origin is not None and origin[1] == 443 and (origin[0], 80) in self.allowed_origins
        if origin is None or (origin not in self.allowed_origins and not upgrade):
            via = f" (redirected from {redirected_from})" if redirected_from else ""
            raise ForeignHostError(f"refused to contact {url}{via}: not a configured host", document=document)
        return origin

    def _open(self, url: str, headers: Mapping[str, str], *, document: str) -> tuple[httpx.Response, str]:
        """Send GET, following redirects by hand so that each hop is host-checked and rate-limited.

        Allowed: the (host, port) of each configured base URL, plus https on 443 for a configured
        http host (an upgrade redirect). Everything else — other hosts, other ports, a downgrade to
        http, non-http schemes — is refused before any connection is made.
        """
        seen = {url}
        current, previous_url = url, None
        for _hop in range(self.settings.http_max_redirects + 1):
            host, port = self._check_origin(current, document=document, redirected_from=previous_url)
            self._check_budget(f"{host}:{port}", document)
            self.limiter.acquire(f"{host}:{port}")
            request = self._client.build_request("GET", current, headers=dict(headers))
            try:
                response = self._client.send(request, stream=True, follow_redirects=False)
            except httpx.TransportError as exc:
                self._spend(f"{host}:{port}")
                raise _transport_error(exc, document, in_body=False) from exc
            location = response.headers.get("location")
            if response.status_code not in _REDIRECT_CODES or not location:
                return response, current
            response.close()
            target = str(httpx.URL(current).join(location))
            if target in seen:
                raise RedirectError(f"redirect loop at {target}", reason="redirect_loop", document=document)
            seen.add(target)
            previous_url, current = current, target
        raise RedirectError(
            f"more than {self.settings.http_max_redirects} redirects from {url}", document=document
        )

    def _body(self, response: httpx.Response, document: str) -> Iterator[bytes]:
        """The body's chunks as they arrive, cut off when the download runs past its deadline or, once it
        has run for the read timeout, averages under the minimum rate: the read timeout alone never ends
        a server that sends one byte a second. Both are retryable (the next try may find a faster path).
        """
        settings = self.settings
        started = time.monotonic()
        received = 0
        try:
            for chunk in response.iter_bytes():
                received += len(chunk)
                elapsed = time.monotonic() - started
                if elapsed > settings.http_download_deadline_seconds:
                    raise RetryableFetchError(
                        f"{response.request.url} took over {settings.http_download_deadline_seconds:g}s "
                        f"({received} bytes so far): cut off (UNPIPE_HTTP_DOWNLOAD_DEADLINE_SECONDS)",
                        reason="deadline", document=document)
                if elapsed > settings.http_timeout_seconds and received < settings.http_min_bytes_per_second * elapsed:
                    raise RetryableFetchError(
                        f"{response.request.url} sent {received} bytes in {elapsed:.1f}s, under "
                        f"{settings.http_min_bytes_per_second:g} bytes/s: cut off (UNPIPE_HTTP_MIN_BYTES_PER_SECOND)",
                        reason="too_slow", document=document)
                yield chunk
        except httpx.TransportError as exc:
            raise _transport_error(exc, document) from exc

    def _check_budget(self, host: str, document: str) -> None:
        with self._failures_lock:
            spent = self._failures.get(host, 0)
        if spent >= self.settings.http_host_failure_budget:
            raise HostBudgetExhaustedError(
                f"{host} throttled or failed {spent} requests in this run; not asking it again", document=document
            )

    def _spend(self, host: str) -> None:
        """Count one throttling or failing answer against the host's budget for this run."""
        with self._failures_lock:
            self._failures[host] = self._failures.get(host, 0) + 1

    def _check_status(self, response: httpx.Response, *, conditional: bool, document: str) -> None:
        try:
            self._raise_for_status(response, conditional=conditional, document=document)
        except RetryableFetchError:
            origin = _origin(str(response.request.url))
            if origin:
                self._spend(f"{origin[0]}:{origin[1]}")
            raise

    def _raise_for_status(self, response: httpx.Response, *, conditional: bool, document: str) -> None:
        code = response.status_code
        where = f"{response.request.url} answered HTTP {code}"
        origin = _origin(str(response.request.url))
        host = f"{origin[0]}:{origin[1]}" if origin else None
        if code == 202:  # never a result: the WAF's challenge (x-amzn-waf-action) or a queued answer
            action = response.headers.get("x-amzn-waf-action", "none")
            if host:  # every thread backs off this host, not only this document's retry
                self.limiter.pause(host, self.settings.http_backoff_seconds)
            raise BotChallengeError(f"{where} (x-amzn-waf-action: {action})", document=document)
        if 200 <= code < 300 or (code == 304 and conditional):
            return
        if code in (404, 410):
            raise DocumentUnavailableError(where, document=document)
        if code in (429, 503):
            where += _error_text(response)
            wait = parse_retry_after(response.headers.get("retry-after"))
            cap = self.settings.http_max_retry_after_seconds
            if wait is not None and wait > cap:
                raise RetryAfterTooLongError(
                    f"{where} with Retry-After {wait:.0f}s, over the {cap:.0f}s cap", document=document
                )
            if host:
                self.limiter.pause(host, self.settings.http_backoff_seconds if wait is None else wait)
            raise RetryableFetchError(where, reason=f"http_{code}", retry_after=wait, document=document)
        if code >= 500 or code == 408:
            raise RetryableFetchError(where, reason=f"http_{code}", document=document)
        raise PermanentFetchError(where, reason=f"http_{code}", document=document)

    def _check_length(self, response: httpx.Response, *, document: str) -> None:
        declared = response.headers.get("content-length")
        cap = self.settings.max_download_bytes
        if declared and declared.isdigit() and int(declared) > cap:
            raise TooLargeError(f"Content-Length {declared} is over the {cap}-byte cap", document=document)

    def _save_pdf(self, response: httpx.Response, *, document: str, at_access: bool = False) -> StoredFile:
        """Stream the body into the store, checking size and PDF shape; nothing is kept if a check fails.

        ``at_access``: the answer came straight from the ODS access URL, where a body that is not a PDF
        means "not in this language" (``unavailable``), not a broken download.
        """
        self._check_length(response, document=document)
        cap = self.settings.max_download_bytes
        head = b""
        tail = b""
        with self.store.writer() as writer:
            for chunk in self._body(response, document):
                if writer.size + len(chunk) > cap:
                    raise TooLargeError(f"body is over the {cap}-byte cap", document=document)
                writer.write(chunk)
                if len(head) < SNIFF_BYTES:
                    head += chunk[: SNIFF_BYTES - len(head)]
                    if len(head) >= SNIFF_BYTES and PDF_MAGIC not in head:
                        raise _unavailable(response, document) if at_access else _not_pdf(response, head, document)
                tail = (tail + chunk)[-SNIFF_BYTES:]
            if PDF_MAGIC not in head:
                raise _unavailable(response, document) if at_access else _not_pdf(response, head, document)
            if PDF_EOF not in tail:
                raise TruncatedPdfError(
                    f"body of {writer.size} bytes has no %%EOF near its end: the file is cut off",
                    document=document,
                )
            return writer.commit()


def _looks_unavailable(response: httpx.Response) -> bool:
    """An ODS access answer that says "no such file" without a 404: declared empty, or an HTML page."""
    kind = response.headers.get("content-type", "").lower()
    return response.headers.get("content-length") == "0" or "html" in kind


def _unavailable(response: httpx.Response, document: str) -> DocumentUnavailableError:
    kind = response.headers.get("content-type", "no content type")
    length = response.headers.get("content-length", "unknown")
    return DocumentUnavailableError(
        f"{response.request.url} answered HTTP {response.status_code} with {kind}, {length} bytes: no PDF in this language",
        document=document,
    )


def _error_text(response: httpx.Response) -> str:
    """The ``error`` of a small JSON body (the Digital Library's 429: "Max 100 requests per 5 minutes")."""
    if "json" not in response.headers.get("content-type", ""):
        return ""
    try:
        response.read()
        error = json.loads(response.content[:4096]).get("error")
    except (ValueError, AttributeError, httpx.HTTPError):
        return ""
    return f": {error}" if isinstance(error, str) else ""


def _not_pdf(response: httpx.Response, head: bytes, document: str) -> NotPdfResponseError:
    kind = response.headers.get("content-type", "unknown type")
    what = "an empty body" if not head else f"{kind} ({head[:40]!r}…)"
    return NotPdfResponseError(f"{response.request.url} sent {what}, not a PDF", document=document)


def _transport_error(
    exc: httpx.TransportError, document: str, *, in_body: bool = True
) -> RetryableFetchError:
    if isinstance(exc, httpx.TimeoutException):
        reason = "timeout"
    elif isinstance(exc, httpx.RemoteProtocolError):
        reason = "incomplete_body" if in_body else "protocol_error"
    else:
        reason = "connect_error"
    return RetryableFetchError(f"{type(exc).__name__}: {exc}", reason=reason, document=document)


