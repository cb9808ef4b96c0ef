"""Retries with backoff for transient HTTP failures, and Retry-After parsing."""

from __future__ import annotations

import email.utils
import logging
import random
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TypeVar

from pipeline.core.errors import (
    PermanentFetchError,
    RetryableFetchError,
)
from pipeline.core.settings import Settings, get_settings

log = logging.getLogger(__name__)

T = TypeVar("T")


# --- Retries ------------------------------------------------------------------------------------


def backoff_delays(settings: Settings | None = None) -> list[float]:
    """Delays before each retry: backoff, 2·backoff, 4·backoff … (for Prefect's ``retry_delay_seconds``)."""
    s = settings or get_settings()
    return [s.http_backoff_seconds * 2**i for i in range(s.http_retries)]


def is_retryable(exc: BaseException) -> bool:
    """Whether another try may succeed (for Prefect's ``retry_condition_fn``)."""
    return isinstance(exc, RetryableFetchError)


def call_with_retries(
    attempt: Callable[[int], T],
    *,
    retries: int,
    backoff: float,
    jitter: float = 0.1,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """Call ``attempt(n)`` (n = 1, 2, …) until it returns; retry ``RetryableFetchError`` ``retries`` times.

    The delay before retry k is ``backoff · 2^(k-1)`` plus up to ``jitter`` of it (so many clients do
    not retry in step), or exactly the server's ``Retry-After`` when the error carries one. Any other
    exception propagates at once. The raised error's ``attempts`` tells how many tries were made.
    """
    n = 1
    while True:
        try:
            return attempt(n)
        except RetryableFetchError as exc:
            exc.attempts = n
            if n > retries:
                raise
            if exc.retry_after is not None:
                delay = exc.retry_after
            else:
                delay = backoff * 2 ** (n - 1)
                delay += random.uniform(0, jitter * delay)
            log.info("retrying in %.2fs after %s (try %d of %d)", delay, exc.reason, n, retries + 1)
            sleep(delay)
            n += 1
        except PermanentFetchError as exc:
            exc.attempts = n
            raise


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (seconds or an HTTP date); None if absent or bad."""
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())
