"""The reextract flow: run changed (or named) extractors again over stored layouts.

No download and no PDF parsing: the layout kept at load time (``parsed_layouts``) is the input. All of
a document's selected extractors run in one pass and their output is stored in one transaction
(``store.replace_runs``); documents go in batches of ``settings.batch_size`` per Prefect task, so
Prefect's cost is paid per batch, not per document.

``unpipe reextract`` runs this flow only when its runs are to be seen on a Prefect server
(``PREFECT_API_URL``) or its tasks to run on Dask; otherwise it calls the same functions in its own
process (``pipeline.run.reextract.reextract_here``). Deployments (``unpipe serve``) always use the flow.
"""

from __future__ import annotations

from typing import Any

from prefect import flow, task, unmapped
from prefect.cache_policies import NO_CACHE
from prefect.task_runners import ThreadPoolTaskRunner

from pipeline.core.settings import Settings, get_settings
from pipeline.run import reextract as reextraction
from pipeline.run import resources
from pipeline.run.reextract import ReextractJob, ReextractReport, ReextractResult


@task(name="plan", cache_policy=NO_CACHE)
def plan(extractors: list[str] | None, settings: Settings) -> list[list[ReextractJob]]:
    return reextraction.in_batches(reextraction.plan_reextract(settings, extractors), settings.batch_size)


@task(name="reextract-batch", cache_policy=NO_CACHE)
def reextract_batch(jobs: list[ReextractJob], settings: Settings) -> list[ReextractResult]:
    return reextraction.reextract_batch(jobs, settings)


THREADS: Any = ThreadPoolTaskRunner(max_workers=4)
"""Typed Any: mypy rejects Prefect's own runner against the generic ``task_runner`` parameter."""


@flow(name="reextract", task_runner=THREADS)
def reextract(extractors: list[str] | None = None) -> ReextractReport:
    """Re-run extractors whose version changed since their output was stored (or the ones named)."""
    settings = get_settings()
    resources.prepare(settings)
    batches = plan(extractors, settings)
    results = reextract_batch.map(batches, settings=unmapped(settings))
    return ReextractReport([result for batch in results.result() for result in batch])
