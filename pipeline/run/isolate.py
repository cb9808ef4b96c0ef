"""Per-document fault isolation: nothing one document does can stop the run.

Every step that handles one document runs through ``guard``: a transient database error (connection
lost, serialisation failure, SQLite "database is locked") is retried with backoff
(``db_retries``, ``db_backoff_seconds``); any other exception, or the last retry's, ends that document
``failed`` with the stage, the error class and a one-line reason, and the run goes on. The commands
then print their summary and exit non-zero.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import replace
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.exc import DBAPIError

from models import IngestItem
from pipeline.core.errors import TransientStoreError
from pipeline.core.settings import Settings
from pipeline.run.items import WorkItem

log = logging.getLogger(__name__)

T = TypeVar("T")

_TRANSIENT_SQLSTATES = frozenset({
    "40001",  # serialization_failure
    "40P01",  # deadlock_detected
    "57P01", "57P02", "57P03",  # admin_shutdown (pg_terminate_backend), crash_shutdown, cannot_connect_now
    "08000", "08001", "08003", "08004", "08006",  # connection exceptions
})
_TRANSIENT_WORDS = ("database is locked", "database table is locked", "server closed the connection",
                    "connection refused", "terminating connection", "consuming input failed",
                    "the connection is closed", "connection is lost")


def is_transient(error: BaseException) -> bool:
    """True for a database error that another try may not repeat: a lost connection, a lock, a
    serialisation failure (the error itself or any error it was raised from)."""
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, DBAPIError) and seen.connection_invalidated:
            return True
        if getattr(getattr(seen, "orig", seen), "sqlstate", None) in _TRANSIENT_SQLSTATES:
            return True
        if _is_driver_error(seen) and any(word in str(seen).lower() for word in _TRANSIENT_WORDS):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _is_driver_error(error: BaseException) -> bool:
    import sqlite3

    import psycopg

    return isinstance(error, (DBAPIError, sqlite3.OperationalError, psycopg.OperationalError))


def one_line(error: BaseException, limit: int = 300) -> str:
    """The error's message on one line, cut to ``limit`` characters (a driver's message spans several)."""
    text = " ".join(str(error).split()) or type(error).__name__
    return text if len(text) <= limit else text[: limit - 1] + "…"


def with_db_retries(settings: Settings, action: Callable[[], T], what: str) -> T:
    """``action()``, tried again after a transient database error, waiting ``db_backoff_seconds`` and
    doubling; past ``db_retries`` a ``TransientStoreError`` (whose cause is the last error)."""
    delay = settings.db_backoff_seconds
    for attempt in range(settings.db_retries + 1):
        try:
            return action()
        except Exception as exc:
            if not is_transient(exc):
                raise
            if attempt == settings.db_retries:
                raise TransientStoreError(
                    f"{what}: the database failed {attempt + 1} time(s): {type(exc).__name__}: {one_line(exc)}"
                ) from exc
            log.warning("%s: database error, try %d of %d in %.1f s: %s", what, attempt + 2,
                        settings.db_retries + 1, delay, one_line(exc, 120))
        time.sleep(delay)
        delay *= 2
    raise AssertionError("unreachable")


def failure_reason(stage: str, error: BaseException) -> str:
    """``code: stage: ErrorClass: one line`` — what a failed item's ``reason`` holds. The code is the
    error's own ``reason`` (``resource_limit``, ``timeout``, ``database`` …) or ``error``."""
    code = getattr(error, "reason", None)
    code = code if isinstance(code, str) else "error"
    return f"{code}: {stage}: {type(error).__name__}: {one_line(error)}"


def guard(stage: str, item: WorkItem, settings: Settings, action: Callable[[], T],
          failed: Callable[[WorkItem], T]) -> T:
    """Run one document's step (``action``) with database retries; whatever it raises ends the document
    ``failed`` (``failed`` turns the failed item into the step's result type) and the run goes on."""
    try:
        return with_db_retries(settings, action, f"{item.label} {stage}")
    except Exception as exc:
        return failed(fail_item(item, settings, stage, exc))


def fail_item(item: WorkItem, settings: Settings, stage: str, error: BaseException) -> WorkItem:
    """The item ``failed`` with its reason. The reason is stored (best effort) unless the database itself
    failed: then the stored row keeps the last stage reached, which the next run resumes from."""
    reason = failure_reason(stage, error)
    log.warning("%s failed: %s", item.label, reason)
    log.debug("%s: %s stage failed", item.label, stage, exc_info=error)
    if not isinstance(error, TransientStoreError):
        try:
            with_db_retries(settings, lambda: _store_failure(item, settings, reason), f"{item.label} record failure")
        except Exception as exc:
            log.warning("%s: its failure could not be recorded: %s", item.label, one_line(exc))
    return replace(item, state="failed", reason=reason, outcome="failed", next_stage="done")


def _store_failure(item: WorkItem, settings: Settings, reason: str) -> None:
    from pipeline.run.resources import store_engine, writing
    from pipeline.store.db import session_scope

    engine = store_engine(settings.resolved_database_url)
    with writing(engine), session_scope(engine) as session:
        row = session.scalars(
            select(IngestItem).where(IngestItem.symbol == item.symbol, IngestItem.language == item.language)
        ).one_or_none()
        if row is not None:
            row.state, row.reason = "failed", reason
