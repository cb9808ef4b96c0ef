"""Run the flows once, locally or on Dask: what ``unpipe run`` calls, and ``unpipe reextract`` when a
Prefect server (``PREFECT_API_URL``) or Dask is given (else it runs the same functions in-process).

Without ``PREFECT_API_URL`` the flows run against Prefect's ephemeral server (started on first use,
state kept under ``PREFECT_HOME``); with it, against that server, where the runs show in the UI.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

from flows import plain_prefect_consoles
from flows.ingest import ingest
from flows.reextract import reextract
from pipeline.core.settings import get_settings
from pipeline.run.items import IngestReport
from pipeline.run.reextract import ReextractReport


def task_runner(dask_address: str | None = None) -> Any:
    """A ``DaskTaskRunner`` for a scheduler address (argument, else ``UNPIPE_DASK_ADDRESS``), or None.

    None keeps each flow's own thread-pool runner.
    """
    address = dask_address or get_settings().dask_address
    if not address:
        return None
    from prefect_dask import DaskTaskRunner

    return DaskTaskRunner(address=address)


@contextmanager
def one_off_run() -> Iterator[None]:
    """Settings for a run started by hand: no run heartbeat (it only serves crash detection for
    served deployments, and costs about a second at the end of every run)."""
    plain_prefect_consoles()
    with temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        yield


def run_ingest(
    since: date | None = None,
    languages: list[str] | None = None,
    sources: list[str] | None = None,
    dask_address: str | None = None,
) -> IngestReport:
    """Run the ingest flow once and return its report."""
    runner = task_runner(dask_address)
    chosen = ingest.with_options(task_runner=runner) if runner is not None else ingest
    with one_off_run():
        return chosen(since=since, languages=languages, sources=sources)


def run_reextract(extractors: list[str] | None = None, dask_address: str | None = None) -> ReextractReport:
    """Run the reextract flow once and return its report."""
    runner = task_runner(dask_address)
    chosen = reextract.with_options(task_runner=runner) if runner is not None else reextract
    with one_off_run():
        return chosen(extractors=extractors)
