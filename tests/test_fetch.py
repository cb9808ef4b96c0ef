"""Downloading against the stand-in UN sites over real HTTP on 127.0.0.1 (no mocks)."""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from itertools import pairwise
from pathlib import Path

import pytest

from pipeline.core.errors import (
    BotChallengeError,
    CorruptPdfError,
    DocumentNotFoundError,
    DocumentUnavailableError,
    FetchError,
    ForeignHostError,
    NotPdfError,
    PermanentFetchError,
    RedirectError,
    RetryableFetchError,
    RetryAfterTooLongError,
    TooLargeError,
)
from pipeline.core.settings import Settings
from pipeline.fetch.fetcher import Fetcher
from pipeline.fetch.ratelimit import RateLimiter
from pipeline.fetch.results import FetchResult, fetch_results_by_key
from pipeline.fetch.retries import backoff_delays, call_with_retries, is_retryable, parse_retry_after
from tests.standin import MISSING_STYLES, StandIn, ods_file_path

SYMBOL = "A/80/604/Add.1"


@pytest.fixture
def fetcher(standin_settings: Settings) -> Iterator[Fetcher]:
    with Fetcher(standin_settings, limiter=RateLimiter(1000)) as f:
        yield f


def _settings(base: Settings, **changes: object) -> Settings:
    return base.model_copy(update=changes)


def _stored(fetcher: Fetcher) -> list[str]:
    return [f.sha256 for f in fetcher.store.iter_files()]


# --- the ordinary path --------------------------------------------------------------------------


def test_downloads_a_pdf_into_the_store(fetcher: Fetcher, standin: StandIn) -> None:
    result = fetcher.fetch(SYMBOL, "en")
    expected = standin.document_bytes(SYMBOL, "en")
    assert result.status == "downloaded"
    assert result.sha256 == hashlib.sha256(expected).hexdigest()
    assert result.size == len(expected)
    assert result.path is not None and result.path.read_bytes() == expected
    assert result.etag and result.last_modified
    assert result.attempts == 1
    assert result.url.endswith("/api/symbol/access?s=A/80/604/Add.1&l=en&t=pdf")
    access, file = standin.requests  # the access URL redirects to the file named by its job number
    assert access.params == {"s": SYMBOL, "l": "en", "t": "pdf"}
    assert (access.status, file.status) == (302, 200)
    assert access.headers["user-agent"].startswith("unpipe/")
    assert result.final_url == standin.url + file.path
    assert result.job_number is not None and file.path == ods_file_path(result.job_number)
    assert result.file_name == f"{result.job_number.lower()}.pdf"


def test_symbols_with_spaces_and_parentheses(fetcher: Fetcher, standin: StandIn) -> None:
    result = fetcher.fetch("A/81/6 (Sect. 2)/Part A", "en")
    assert result.status == "downloaded"
    assert standin.requests[0].params["s"] == "A/81/6 (Sect. 2)/Part A"


def test_each_wanted_language_gets_a_result(fetcher: Fetcher) -> None:
    zh, en = fetcher.fetch_document("A/77/256/Add.1", ["zh", "en"])
    assert (zh.language, zh.status) == ("zh", "downloaded")
    assert (en.language, en.status, en.reason) == ("en", "unavailable", "unavailable")


@pytest.mark.parametrize(("letter", "language"), [("E", "en"), ("C", "zh")])
def test_ods_language_letters_and_encoded_slashes_are_understood_by_the_stand_in(
    fetcher: Fetcher, standin: StandIn, letter: str, language: str
) -> None:
    symbol = "A/77/256/Add.1" if language == "zh" else SYMBOL
    url = f"{standin.url}/api/symbol/access?s={symbol.replace('/', '%2F')}&l={letter}&t=pdf"
    result = fetcher.fetch(symbol, language, url=url)
    assert result.sha256 == hashlib.sha256(standin.document_bytes(symbol, language)).hexdigest()


def test_a_redirect_on_the_same_host_is_followed(fetcher: Fetcher, standin: StandIn) -> None:
    standin.add_fault("redirect", symbol=SYMBOL, times=1, location="/record/4000001/files/A_80_604_Add.1-EN.pdf")
    result = fetcher.fetch(SYMBOL, "en")
    assert result.status == "downloaded"
    assert (result.file_name, result.job_number) == ("A_80_604_Add.1-EN.pdf", None)  # not an ODS job file
    assert [r.status for r in standin.requests] == [302, 200]


# --- conditional requests -----------------------------------------------------------------------


def test_second_fetch_is_not_modified_and_moves_no_body(fetcher: Fetcher, standin: StandIn) -> None:
    first = fetcher.fetch(SYMBOL, "en")
    second = fetcher.fetch(SYMBOL, "en", previous=first)
    assert second.status == "not_modified"
    assert (second.sha256, second.path, second.size) == (first.sha256, first.path, first.size)
    last = standin.requests[-1]
    assert last.headers["if-none-match"] == first.etag
    assert (last.status, last.body_bytes) == (304, 0)


def test_a_second_batch_run_downloads_nothing(fetcher: Fetcher, standin: StandIn) -> None:
    @dataclass
    class Wanted:
        symbol: str
        languages: tuple[str, ...] = ()
        urls: dict[str, str] = field(default_factory=dict)

    wanted = [Wanted("A/80/604/Add.1"), Wanted("A/80/604/Add.2"), Wanted("A/77/256/Add.1", ("zh",))]
    first = fetcher.fetch_many(wanted)
    assert sorted(r.status for r in first) == ["downloaded"] * 3 + ["unavailable"] * 2  # no zh for Add.1/Add.2
    standin_requests_before = len(standin.requests)
    second = fetcher.fetch_many(wanted, previous=fetch_results_by_key(first))
    run2 = standin.requests[standin_requests_before:]
    files = [r for r in run2 if r.path.startswith("/doc/")]
    assert [r.status for r in files] == [304] * 3 and sum(r.body_bytes for r in files) == 0
    assert [r.status for r in second if r.ok] == ["not_modified"] * 3
    assert [r.status for r in second if not r.ok] == ["unavailable"] * 2  # the Fetcher asks again; the flow does not


def test_documents_only_in_unwanted_languages_are_not_fetched(fetcher: Fetcher, standin: StandIn) -> None:
    @dataclass
    class Wanted:
        symbol: str
        languages: tuple[str, ...] = ("fr",)
        urls: dict[str, str] = field(default_factory=dict)

    assert fetcher.fetch_many([Wanted("A/C.4/SR.985")]) == []
    assert standin.requests == []


def test_if_modified_since_is_used_without_an_etag(fetcher: Fetcher, standin: StandIn) -> None:
    standin.etag_enabled = False
    first = fetcher.fetch(SYMBOL, "en")
    assert first.etag is None and first.last_modified
    second = fetcher.fetch(SYMBOL, "en", previous=first)
    assert second.status == "not_modified"
    assert standin.requests[-1].headers["if-modified-since"] == first.last_modified


def test_a_changed_document_is_downloaded_again(fetcher: Fetcher, standin: StandIn) -> None:
    first = fetcher.fetch(SYMBOL, "en")
    standin.set_document(SYMBOL, "en", standin.document_bytes("A/80/604/Add.2", "en"))
    second = fetcher.fetch(SYMBOL, "en", previous=first)
    assert second.status == "downloaded"
    assert second.sha256 != first.sha256


def test_no_conditional_request_when_the_stored_file_is_gone(fetcher: Fetcher, standin: StandIn) -> None:
    first = fetcher.fetch(SYMBOL, "en")
    assert first.path is not None
    first.path.unlink()
    second = fetcher.fetch(SYMBOL, "en", previous=first)
    assert second.status == "downloaded"
    assert "if-none-match" not in standin.requests[-1].headers
    assert second.path is not None and second.path.exists()


# --- faults -------------------------------------------------------------------------------------


@pytest.mark.parametrize("style", MISSING_STYLES)
def test_each_not_found_shape_is_unavailable_at_once(fetcher: Fetcher, standin: StandIn, style: str) -> None:
    """ODS says "not in this language" as a 404, an empty 200 or an HTML 200: all three are one outcome."""
    standin.missing_style[("A/80/99999", "en")] = style
    with pytest.raises(DocumentUnavailableError) as info:
        fetcher.fetch("A/80/99999", "en")
    assert isinstance(info.value, DocumentNotFoundError)
    assert info.value.reason == "unavailable" and info.value.attempts == 1
    assert [r.status for r in standin.requests] == [404 if style == "404" else 200]
    assert _stored(fetcher) == []


def test_a_500_that_clears_is_retried(fetcher: Fetcher, standin: StandIn) -> None:
    standin.add_fault("status", symbol=SYMBOL, status=500, times=2)
    result = fetcher.fetch(SYMBOL, "en")
    assert (result.status, result.attempts) == ("downloaded", 3)
    assert [r.status for r in standin.requests] == [500, 500, 302, 200]


def test_a_lasting_500_fails_after_the_retries(fetcher: Fetcher, standin: StandIn) -> None:
    standin.add_fault("status", symbol=SYMBOL, status=500)
    with pytest.raises(RetryableFetchError) as info:
        fetcher.fetch(SYMBOL, "en")
    assert (info.value.reason, info.value.attempts) == ("http_500", 3)
    [result] = fetcher.fetch_document(SYMBOL, ["en"])  # the batch API reports instead of raising
    assert (result.status, result.reason, result.attempts) == ("failed", "http_500", 3)


def test_429_retry_after_seconds_is_honoured(fetcher: Fetcher, standin: StandIn) -> None:
    standin.add_fault("retry_after", symbol=SYMBOL, retry_after="1", times=1)
    started = time.monotonic()
    result = fetcher.fetch(SYMBOL, "en")
    assert (result.status, result.attempts) == ("downloaded", 2)
    gap = standin.requests[1].at - standin.requests[0].at
    assert gap >= 0.9  # waited the second the server asked for (well above the 0.01 s backoff)
    assert time.monotonic() - started >= 0.9


def test_503_retry_after_http_date_is_honoured(fetcher: Fetcher, standin: StandIn) -> None:
    past = format_datetime(datetime.now(UTC) - timedelta(seconds=5), usegmt=True)
    standin.add_fault("retry_after", symbol=SYMBOL, status=503, retry_after=past, times=1)
    result = fetcher.fetch(SYMBOL, "en")
    assert (result.status, result.attempts) == ("downloaded", 2)


@pytest.mark.parametrize("retry_after", ["3600", "HTTP-DATE"])
def test_retry_after_beyond_the_cap_fails_clearly(
    fetcher: Fetcher, standin: StandIn, retry_after: str
) -> None:
    if retry_after == "HTTP-DATE":
        retry_after = format_datetime(datetime.now(UTC) + timedelta(hours=1), usegmt=True)
    standin.add_fault("retry_after", symbol=SYMBOL, retry_after=retry_after)
    with pytest.raises(RetryAfterTooLongError, match="over the 2s cap") as info:
        fetcher.fetch(SYMBOL, "en")
    assert info.value.reason == "retry_after_too_long"
    assert len(standin.requests) == 1


def test_a_slow_answer_times_out_and_is_retried(fetcher: Fetcher, standin: StandIn) -> None:
    standin.add_fault("slow", symbol=SYMBOL, delay=5.0, times=1)
    result = fetcher.fetch(SYMBOL, "en")
    assert (result.status, result.attempts) == ("downloaded", 2)


def test_a_lasting_timeout_fails_with_reason_timeout(fetcher: Fetcher, standin: StandIn) -> None:
    standin.add_fault("slow", symbol=SYMBOL, delay=5.0)
    [result] = fetcher.fetch_document(SYMBOL, ["en"])
    assert (result.status, result.reason, result.attempts) == ("failed", "timeout", 3)


def test_a_body_cut_off_in_transit_is_retried(fetcher: Fetcher, standin: StandIn) -> None:
    standin.add_fault("truncate", symbol=SYMBOL, mode="close", times=1)
    result = fetcher.fetch(SYMBOL, "en")
    assert (result.status, result.attempts) == ("downloaded", 2)
    standin.add_fault("truncate", symbol="A/80/604/Add.2", mode="close")
    [failed] = fetcher.fetch_document("A/80/604/Add.2", ["en"])
    assert (failed.reason, failed.attempts) == ("incomplete_body", 3)
    assert _stored(fetcher) == [result.sha256]
    assert not list(fetcher.store.root.glob(".tmp-*"))


def test_a_cut_off_file_served_whole_is_caught_by_the_eof_check(fetcher: Fetcher, standin: StandIn) -> None:
    standin.add_fault("truncate", symbol=SYMBOL, mode="short", fraction=0.6)
    with pytest.raises(CorruptPdfError) as info:
        fetcher.fetch(SYMBOL, "en")
    assert isinstance(info.value, FetchError)
    assert info.value.reason == "truncated_pdf"
    assert len(standin.requests) == 2  # the redirect and the file, not retried
    assert _stored(fetcher) == []


def test_an_html_page_with_status_200_is_not_a_pdf(fetcher: Fetcher, standin: StandIn) -> None:
    """At the file the access URL redirected to (at the access URL itself it means "unavailable")."""
    standin.add_fault("html", path=standin.file_path(SYMBOL, "en"))
    with pytest.raises(NotPdfError) as info:
        fetcher.fetch(SYMBOL, "en")
    assert isinstance(info.value, FetchError)
    assert info.value.reason == "not_pdf"
    assert "text/html" in str(info.value)
    assert _stored(fetcher) == []


def test_a_redirect_loop_fails(fetcher: Fetcher, standin: StandIn) -> None:
    standin.add_fault("redirect_loop", symbol=SYMBOL)
    with pytest.raises(RedirectError) as info:
        fetcher.fetch(SYMBOL, "en")
    assert info.value.reason == "redirect_loop"
    assert len(standin.requests) == 2


def test_an_endless_redirect_chain_fails(fetcher: Fetcher, standin: StandIn) -> None:
    standin.add_fault("redirect_chain", symbol=SYMBOL)
    with pytest.raises(RedirectError) as info:
        fetcher.fetch(SYMBOL, "en")
    assert info.value.reason == "too_many_redirects"
    assert len(standin.requests) == fetcher.settings.http_max_redirects + 1


def test_a_redirect_to_a_foreign_host_is_refused(fetcher: Fetcher, standin: StandIn) -> None:
    standin.add_fault("redirect_foreign", symbol=SYMBOL)  # to http://localhost:PORT, the same server
    with pytest.raises(ForeignHostError, match="redirected from"):
        fetcher.fetch(SYMBOL, "en")
    assert [r.headers["host"].split(":")[0] for r in standin.requests] == ["127.0.0.1"]


@pytest.mark.parametrize(
    "url", ["http://example.org/doc.pdf", "http://localhost:{port}/files/en/x.pdf", "file:///etc/passwd"]
)
def test_urls_off_the_configured_hosts_are_refused(fetcher: Fetcher, standin: StandIn, url: str) -> None:
    [result] = fetcher.fetch_document(SYMBOL, ["en"], urls={"en": url.format(port=standin.port)})
    assert (result.status, result.reason) == ("failed", "foreign_host")
    assert standin.requests == []


def test_host_rule_allows_an_https_upgrade_but_not_other_ports_or_downgrades(
    standin_settings: Settings,
) -> None:
    settings = _settings(
        standin_settings,
        ods_base_url="http://documents.example",
        undl_base_url="https://library.example",
        jiu_base_url="https://jiu.example",
    )
    with Fetcher(settings) as fetcher:
        assert fetcher.allows("http://documents.example/api/symbol/access?s=A/1")
        assert fetcher.allows("https://documents.example/doc.pdf")  # upgrade redirect
        assert fetcher.allows("https://LIBRARY.example:443/search")
        assert not fetcher.allows("http://library.example/search")  # downgrade
        assert not fetcher.allows("https://documents.example:8443/doc.pdf")
        assert not fetcher.allows("https://documents.example.evil.example/doc.pdf")
        assert not fetcher.allows("ftp://documents.example/doc.pdf")
        assert not fetcher.allows("https://user@/nohost")


def test_content_length_over_the_cap_fails_before_reading(
    standin_settings: Settings, standin: StandIn
) -> None:
    with Fetcher(
        _settings(standin_settings, max_download_bytes=10_000), limiter=RateLimiter(1000)
    ) as fetcher:
        with pytest.raises(TooLargeError, match="Content-Length"):
            fetcher.fetch(SYMBOL, "en")
        assert _stored(fetcher) == []
        assert len(standin.requests) == 2


def test_a_streamed_body_over_the_cap_fails(standin_settings: Settings, standin: StandIn) -> None:
    standin.add_fault("chunked", symbol=SYMBOL)
    with Fetcher(
        _settings(standin_settings, max_download_bytes=10_000), limiter=RateLimiter(1000)
    ) as fetcher:
        with pytest.raises(TooLargeError, match="body is over"):
            fetcher.fetch(SYMBOL, "en")
        assert _stored(fetcher) == []
        assert not list(fetcher.store.root.glob(".tmp-*"))


def test_a_chunked_body_under_the_cap_is_fine(fetcher: Fetcher, standin: StandIn) -> None:
    standin.add_fault("chunked", symbol=SYMBOL)
    assert fetcher.fetch(SYMBOL, "en").status == "downloaded"


def test_the_batch_api_never_raises(standin_settings: Settings, standin: StandIn, tmp_path: Path) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the store folder should be")
    standin.add_fault("html", symbol="A/80/604/Add.3", lang="en")
    with Fetcher(standin_settings, limiter=RateLimiter(1000)) as fetcher:
        results = fetcher.fetch_document("A/80/604/Add.3", ["en", "zh"])
        assert [(r.status, r.reason) for r in results] == [("unavailable", "unavailable")] * 2
    with Fetcher(standin_settings, store=type(fetcher.store)(blocked), limiter=RateLimiter(1000)) as broken:
        [result] = broken.fetch_document(SYMBOL, ["en"])
    assert (result.status, result.reason) == ("failed", "error")
    assert result.message and "Error" in result.message


# --- probe and pages ----------------------------------------------------------------------------


def test_probe_tells_pdf_from_missing_and_html(fetcher: Fetcher, standin: StandIn) -> None:
    standin.add_fault("html", symbol="A/80/604/Add.2")
    assert fetcher.probe(SYMBOL, "en") is True
    assert fetcher.probe("A/80/604/Add.2", "en") is False
    assert fetcher.probe("A/80/604/Add.99", "en") is False
    assert standin.requests[0].headers["range"] == "bytes=0-1023"


def test_get_bytes_follows_the_same_rules(fetcher: Fetcher, standin: StandIn) -> None:
    page = fetcher.get_bytes(f"{standin.url}/content/reports-notes")
    assert b"views-row" in page
    with pytest.raises(DocumentNotFoundError):
        fetcher.get_bytes(f"{standin.url}/no/such/page")
    with pytest.raises(ForeignHostError):
        fetcher.get_bytes("https://example.org/")


# --- the bot wall, throttling, the host budget -------------------------------------------------


def test_the_bot_wall_is_retried_and_never_taken_for_a_result(fetcher: Fetcher, standin: StandIn) -> None:
    standin.add_fault("waf", symbol=SYMBOL, times=1)
    result = fetcher.fetch(SYMBOL, "en")
    assert (result.status, result.attempts) == ("downloaded", 2)
    assert [r.status for r in standin.requests] == [202, 302, 200]
    standin.add_fault("waf", symbol="A/80/604/Add.2")
    with pytest.raises(BotChallengeError, match="x-amzn-waf-action: challenge") as info:
        fetcher.fetch("A/80/604/Add.2", "en")
    assert (info.value.reason, info.value.attempts) == ("bot_challenge", 3)
    assert fetcher.probe("A/80/604/Add.3", "en") is True  # other documents are not affected


def test_a_429_with_a_json_body_is_retried_and_explained(fetcher: Fetcher, standin: StandIn) -> None:
    standin.add_fault("rate_json", symbol=SYMBOL, times=1, retry_after=None)
    assert fetcher.fetch(SYMBOL, "en").status == "downloaded"
    standin.add_fault("rate_json", symbol="A/80/604/Add.2", retry_after=None)
    [failed] = fetcher.fetch_document("A/80/604/Add.2", ["en"])
    assert (failed.status, failed.reason, failed.attempts) == ("failed", "http_429", 3)
    assert failed.message and "Max 100 requests per 5 minutes" in failed.message


def test_a_host_that_keeps_throttling_is_left_alone_for_the_run(standin_settings: Settings, standin: StandIn) -> None:
    standin.add_fault("waf", path="/api/symbol/access")
    with Fetcher(_settings(standin_settings, http_host_failure_budget=4), limiter=RateLimiter(1000)) as fetcher:
        first, second, third = fetcher.fetch_document(SYMBOL, ["en", "zh", "fr"])
        assert [(r.reason, r.attempts) for r in (first, second, third)] == [
            ("bot_challenge", 3), ("host_budget_exhausted", 2), ("host_budget_exhausted", 1)]
        assert len(standin.requests) == 4
        fetcher.reset_budget()  # a new run
        standin.reset()
        assert fetcher.fetch(SYMBOL, "en").status == "downloaded"


# --- rate limiting and retry plumbing -----------------------------------------------------------


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_token_bucket_spaces_requests_per_host() -> None:
    clock = FakeClock()
    limiter = RateLimiter(2.0, clock=clock)
    assert [limiter.reserve("a") for _ in range(4)] == [0.0, 0.5, 1.0, 1.5]
    assert limiter.reserve("b") == 0.0  # another host has its own bucket
    clock.now = 10.0  # idle time refills, up to the burst size only
    assert [limiter.reserve("a") for _ in range(2)] == [0.0, 0.5]


def test_token_bucket_is_thread_safe() -> None:
    limiter = RateLimiter(10.0, clock=FakeClock())
    waits: list[float] = []
    lock = threading.Lock()

    def worker() -> None:
        for _ in range(50):
            wait = limiter.reserve("host")
            with lock:
                waits.append(wait)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # Every request got its own slot: 0, 0.1, 0.2 … 39.9 s, none shared, none skipped.
    assert sorted(round(w * 10) for w in waits) == list(range(400))


def test_pause_holds_back_the_host() -> None:
    clock = FakeClock()
    limiter = RateLimiter(5.0, clock=clock)
    limiter.pause("a", 3.0)
    assert limiter.reserve("a") == pytest.approx(3.0)
    assert limiter.reserve("b") == 0.0


def test_downloads_respect_the_rate_limit(standin_settings: Settings, standin: StandIn) -> None:
    settings = _settings(standin_settings, http_requests_per_second=20.0)
    with Fetcher(settings, limiter=RateLimiter(20.0)) as fetcher:
        started = time.monotonic()
        for _ in range(6):
            fetcher.probe(SYMBOL, "en")
        elapsed = time.monotonic() - started
    assert elapsed >= 0.5  # 11 gaps of 1/20 s (each probe: the access URL and its redirect); a lower bound
    access = standin.requests_for(path="/api/symbol/access")
    gaps = [b.at - a.at for a, b in pairwise(access)]
    assert min(gaps) >= 0.06  # two tokens between two documents' first requests


def test_call_with_retries_backs_off_exponentially() -> None:
    delays: list[float] = []
    calls: list[int] = []

    def attempt(n: int) -> str:
        calls.append(n)
        if n < 4:
            raise RetryableFetchError("flaky", reason="http_502")
        return "ok"

    assert call_with_retries(attempt, retries=3, backoff=0.5, jitter=0, sleep=delays.append) == "ok"
    assert calls == [1, 2, 3, 4]
    assert delays == [0.5, 1.0, 2.0]


def test_call_with_retries_prefers_retry_after_and_stops_on_permanent_errors() -> None:
    delays: list[float] = []

    def throttled(n: int) -> int:
        if n == 1:
            raise RetryableFetchError("slow down", reason="http_429", retry_after=7.0)
        return n

    assert call_with_retries(throttled, retries=2, backoff=0.1, sleep=delays.append) == 2
    assert delays == [7.0]

    def missing(n: int) -> int:
        raise DocumentNotFoundError("gone")

    with pytest.raises(PermanentFetchError) as info:
        call_with_retries(missing, retries=5, backoff=0.1, sleep=delays.append)
    assert info.value.attempts == 1 and delays == [7.0]


def test_prefect_helpers(standin_settings: Settings) -> None:
    assert backoff_delays(_settings(standin_settings, http_retries=3, http_backoff_seconds=2.0)) == [
        2.0,
        4.0,
        8.0,
    ]
    assert is_retryable(RetryableFetchError("x"))
    assert not is_retryable(DocumentNotFoundError("x"))


def test_single_attempt_for_prefect_retries(fetcher: Fetcher, standin: StandIn) -> None:
    standin.add_fault("status", symbol=SYMBOL, status=502, times=1)
    with pytest.raises(RetryableFetchError):
        fetcher.fetch_attempt(SYMBOL, "en")
    result = fetcher.fetch_attempt(SYMBOL, "en", attempt=2)
    assert (result.status, result.attempts) == ("downloaded", 2)


def test_parse_retry_after() -> None:
    now = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)
    assert parse_retry_after("120") == 120.0
    assert parse_retry_after("Thu, 01 Jan 2026 12:00:30 GMT", now=now) == 30.0
    assert parse_retry_after("Thu, 01 Jan 2026 11:00:00 GMT", now=now) == 0.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


def test_results_are_plain_data(fetcher: Fetcher) -> None:
    import pickle

    result = fetcher.fetch(SYMBOL, "en")
    assert pickle.loads(pickle.dumps(result)) == result
    assert isinstance(result, FetchResult) and result.ok
