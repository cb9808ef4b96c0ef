"""Scheduled deployments of the flows, served by ``unpipe serve`` (``prefect.serve``).

Schedules fire only when a Prefect server runs (``prefect server start``) and ``PREFECT_API_URL``
points at it: the ephemeral server lives only as long as one process and has no scheduler.
"""

from __future__ import annotations

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
        ingest_flow.to_deployment(name="unpipe-ingest", schedules=[Cron(ingest_cron, timezone=timezone)],
                               description="Discover, fetch, parse, extract and load new documents."),
        reextract_flow.to_deployment(name="unpipe-reextract", schedules=[Cron(reextract_cron, timezone=timezone)],
                               description="Re-run extractors whose version changed."),
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

    serve(*deployments, print_starting_message=True)
