"""Prefect flows: ``ingest`` (discover → fetch → parse → extract → load) and ``reextract``.

Importing this package first sets Prefect's defaults for unpipe, so any ``import flows.…`` does it
before Prefect itself is imported (Prefect reads its settings once, at import):

- ``PREFECT_HOME`` in the data folder (the ephemeral server's database and logs stay with the data);
- no telemetry (``PREFECT_SERVER_ANALYTICS_ENABLED=false``: offline it only logs connection errors);
- ``PREFECT_LOGGING_LEVEL=WARNING`` and, for the throw-away ephemeral server only, server logs at
  CRITICAL: on exit Prefect stops that server while it is still flushing task-run events, which logs
  cancelled-write tracebacks that mean nothing;
- a 90 s ephemeral start-up timeout (the first start creates its database, slow on a busy machine).

A variable already set in the environment wins, so a real server (``PREFECT_API_URL``) or another
home can always be chosen.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from pipeline.core.settings import get_settings


def prefect_environment() -> dict[str, str]:
    """The Prefect variables unpipe sets by default (see the module docstring for why)."""
    env = {
        "PREFECT_HOME": str(get_settings().prefect_home.resolve()),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_LOGGING_LEVEL": "WARNING",
        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "90",
    }
    if not os.environ.get("PREFECT_API_URL"):
        env["PREFECT_SERVER_LOGGING_LEVEL"] = "CRITICAL"
    return env


def configure_prefect() -> None:
    """Apply ``prefect_environment`` (variables already set win). Call before ``import prefect``."""
    if "prefect" in sys.modules:
        return  # too late to matter; whoever imported Prefect configured it
    for name, value in prefect_environment().items():
        os.environ.setdefault(name, value)
    # Prefect creates its home without parents: a first run in a new data folder would fail.
    Path(os.environ["PREFECT_HOME"]).expanduser().mkdir(parents=True, exist_ok=True)


def plain_prefect_consoles() -> None:
    """Make Prefect's console log handlers print text as given: they print through Rich with emoji codes
    on, so a document's ``:x:`` in a logged failure would become an emoji. Call after ``import prefect``
    (which sets up its logging)."""
    import logging

    from prefect.logging.handlers import PrefectConsoleHandler

    from pipeline.core.console import plain_console

    loggers = [logging.getLogger(), *(logger for logger in logging.Logger.manager.loggerDict.values()
                                      if isinstance(logger, logging.Logger))]
    for logger in loggers:
        for handler in logger.handlers:
            if isinstance(handler, PrefectConsoleHandler):
                handler.console = plain_console(file=handler.stream)


configure_prefect()
