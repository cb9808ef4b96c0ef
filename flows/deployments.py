"""Scheduled deployments of the flows, served by ``unpipe serve`` (``prefect.serve``).

Schedules fire only when a Prefect server runs (``prefect server start``) and ``PREFECT_API_URL``
points at it: the ephemeral server lives only as long as one process and has no scheduler.
"""

from __future__ import annotations

import os
import signal
import threading
from types import FrameType
from typing import Any

from prefect.schedules import Cron

from flows.ingest import ingest
from flows.reextract import reextract
from flows.run import task_runner
from pipeline.core.errors import ConfigError

INGEST_CRON = "0 3 * * *"
"""Every day at 03:00: new documents appear on ODS in the (New York) working day."""
REEXTRACT_CRON = "30 4 * * 0"
"""Sundays at 04:30: picks up extractor upgrades deployed during the week."""


def build_deployments(
    ingest_cron: str = INGEST_CRON,
    reextract_cron: str = REEXTRACT_CRON,
    timezone: str = "UTC",
    dask_address: str | None = None,
) -> list[Any]:
    """The ``ingest`` and ``reextract`` deployments with their cron schedules (not yet registered)."""
    runner = task_runner(dask_address)
    ingest_flow, reextract_flow = (
        (ingest.with_options(task_runner=runner), reextract.with_options(task_runner=runner))
        if runner is not None
        else (ingest, reextract)
    )
    return [
        ingest_flow.to_deployment(
            name="unpipe-ingest", schedules=[Cron(ingest_cron, timezone=timezone)], tags=["unpipe", "ingest"],
            description="Discover new UN oversight documents (Digital Library, JIU, watch list, inbox), fetch "
                        "them in Chinese and English, parse, extract and load them; resumes a crashed run. "
                        "Each run publishes its summary as artifacts (ingest-summary, ingest-documents)."),
        reextract_flow.to_deployment(
            name="unpipe-reextract", schedules=[Cron(reextract_cron, timezone=timezone)],
            tags=["unpipe", "reextract"],
            description="Re-run the extractors whose version changed over the stored layouts (no download, "
                        "no PDF parsing), so an extractor upgrade reaches every stored document."),
    ]


def serve_deployments(deployments: list[Any]) -> None:
    """Register the deployments and run their scheduled runs in this process until interrupted."""
    from prefect.settings import PREFECT_API_URL

    if not PREFECT_API_URL.value():
        raise ConfigError(
            "schedules need a Prefect server",
            hint="start one with `prefect server start` and set PREFECT_API_URL=http://127.0.0.1:4200/api",
        )
    from prefect import serve

    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    serve(*deployments, print_starting_message=True)


STOP_SECONDS = 5.0
"""How long ``serve`` may take to shut down after SIGTERM before the process ends anyway."""


def _stop_on_sigterm(signum: int, _frame: FrameType | None) -> None:
    """SIGTERM stops serving as Ctrl-C does; if Prefect's shutdown hangs (its server is gone and the client
    retries), the process exits after ``STOP_SECONDS`` all the same, as a supervisor expects."""
    timer = threading.Timer(STOP_SECONDS, os._exit, args=(128 + signum,))
    timer.daemon = True
    timer.start()
    raise KeyboardInterrupt
