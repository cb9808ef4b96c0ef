"""A server that trickles is cut off: the per-read timeout alone never ends a body sent one byte at a time.
Real HTTP on 127.0.0.1 from a threaded ``http.server`` that sends its body slowly; small limits."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from pipeline.core.errors import RetryableFetchError
from pipeline.core.settings import Settings
from pipeline.fetch.fetcher import Fetcher
from pipeline.fetch.ratelimit import RateLimiter
from pipeline.fetch.retries import is_retryable

BODY = b"%PDF-1.4\n" + b"0" * 400_000 + b"\n%%EOF\n"
PACES = {  # path: (bytes per write, seconds between writes)
    "/fast.pdf": (len(BODY), 0.0),
    "/one-byte-a-tick.pdf": (1, 0.05),  # 20 bytes/s: each read comes well within the read timeout
    "/steady.pdf": (2_000, 0.01),  # about 200 kB/s: fast enough, but 400 kB take longer than the deadline
}


class Trickle(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        size, pause = PACES[self.path]
        self.send_response(200)
        self.send_header("Content-Type", "application/pdf")
        self.send_header("Content-Length", str(len(BODY)))
        self.end_headers()
        try:
            for start in range(0, len(BODY), size):
                self.wfile.write(BODY[start : start + size])
                self.wfile.flush()
                time.sleep(pause)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client cut us off: what the test wants

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def trickle() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Trickle)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _fetcher(base: str, folder: Path, **limits: float) -> Fetcher:
    settings = Settings(ods_base_url=base, undl_base_url=base, jiu_base_url=base, data_dir=folder,
                        http_timeout_seconds=1.0, http_retries=0, **limits)
    return Fetcher(settings, limiter=RateLimiter(1000))


def _cut_off(fetcher: Fetcher, url: str) -> tuple[RetryableFetchError, float]:
    started = time.monotonic()
    with pytest.raises(RetryableFetchError) as caught:
        fetcher.fetch_attempt("A/80/1", "en", url=url)
    return caught.value, time.monotonic() - started


def test_a_fast_server_is_downloaded_whole(trickle: str, tmp_path: Path) -> None:
    with _fetcher(trickle, tmp_path, http_min_bytes_per_second=100_000, http_download_deadline_seconds=5) as f:
        result = f.fetch_attempt("A/80/1", "en", url=f"{trickle}/fast.pdf")
    assert result.status == "downloaded" and result.size == len(BODY)


def test_a_trickling_server_is_cut_off_under_the_minimum_rate(trickle: str, tmp_path: Path) -> None:
    with _fetcher(trickle, tmp_path, http_min_bytes_per_second=1_000, http_download_deadline_seconds=60) as f:
        error, seconds = _cut_off(f, f"{trickle}/one-byte-a-tick.pdf")
        assert not any(f.store.root.rglob(".tmp-*"))  # nothing half-written is kept
    assert error.reason == "too_slow" and is_retryable(error)
    assert "bytes/s" in str(error) and "UNPIPE_HTTP_MIN_BYTES_PER_SECOND" in str(error)
    assert 1.0 <= seconds < 10  # after the read timeout's grace, long before the 60 s deadline


def test_a_download_past_its_deadline_is_cut_off(trickle: str, tmp_path: Path) -> None:
    with _fetcher(trickle, tmp_path, http_min_bytes_per_second=1_000, http_download_deadline_seconds=0.5) as f:
        error, seconds = _cut_off(f, f"{trickle}/steady.pdf")
    assert error.reason == "deadline" and is_retryable(error)
    assert "UNPIPE_HTTP_DOWNLOAD_DEADLINE_SECONDS" in str(error)
    assert 0.5 <= seconds < 10
