"""Per-host token buckets, shared by every download of a process."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")


# --- Rate limiting ------------------------------------------------------------------------------


@dataclass
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    """A token bucket per host, shared by threads: at most ``rate`` requests/s, bursts up to ``burst``.

    ``acquire`` reserves a token under a lock and sleeps outside it, so waiting threads queue fairly
    instead of spinning. A 429/503 ``Retry-After`` calls ``pause`` so every thread backs off that host.
    """

    def __init__(
        self,
        rate: float,
        burst: float = 1.0,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError("rate must be > 0 and burst >= 1")
        self.rate = rate
        self.burst = burst
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._buckets: dict[str, _Bucket] = {}

    def _refill(self, host: str, now: float) -> _Bucket:
        bucket = self._buckets.get(host)
        if bucket is None:
            bucket = self._buckets[host] = _Bucket(self.burst, now)
        else:
            bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.updated) * self.rate)
            bucket.updated = now
        return bucket

    def reserve(self, host: str) -> float:
        """Take a token (possibly borrowed from the future); returns how long to wait before using it."""
        with self._lock:
            bucket = self._refill(host, self._clock())
            bucket.tokens -= 1
            return 0.0 if bucket.tokens >= 0 else -bucket.tokens / self.rate

    def acquire(self, host: str) -> float:
        """Block until a request to ``host`` is allowed; returns the seconds waited."""
        wait = self.reserve(host)
        if wait > 0:
            self._sleep(wait)
        return wait

    def pause(self, host: str, seconds: float) -> None:
        """Allow no request to ``host`` for ``seconds`` (from now)."""
        with self._lock:
            bucket = self._refill(host, self._clock())
            bucket.tokens = min(bucket.tokens, 1 - seconds * self.rate)


_shared_limiters: dict[float, RateLimiter] = {}
_shared_lock = threading.Lock()


def shared_limiter(rate: float) -> RateLimiter:
    """The process-wide limiter for a rate, so separate Fetchers still share each host's budget."""
    with _shared_lock:
        limiter = _shared_limiters.get(rate)
        if limiter is None:
            limiter = _shared_limiters[rate] = RateLimiter(rate)
        return limiter
