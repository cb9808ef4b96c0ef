"""The ingest flow: discover → fetch → parse → extract → load, documents in parallel.

Each task is a thin wrapper over a stage in ``pipeline.run.stages``; items flow from stage to stage as
futures, so one document is parsed while the next is still downloading. Fetch has Prefect retries
(transient errors only: the stage returns permanent failures as failed items). Parsing runs in a
process pool of ``settings.workers`` processes, or directly in the Dask workers when the flow runs
on Dask (they are processes already).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from prefect import flow, get_run_logger, task, unmapped
from prefect.cache_policies import NO_CACHE
from prefect.context import FlowRunContext
from prefect.runtime import task_run
from prefect.task_runners import ThreadPoolTaskRunner

from pipeline.core.settings import Settings
from pipeline.fetch.retries import backoff_delays
from pipeline.run import resources, stages
from pipeline.run.items import Extracted, IngestReport, WorkItem

# NO_CACHE everywhere: resuming is the job of the ingest_items table, and settings objects are not
# worth hashing for cache keys.


@task(name="discover", cache_policy=NO_CACHE)
def discover(since: date | None, sources: list[str] | None, settings: Settings) -> list[WorkItem]:
    return stages.discover_items(settings, since, sources)


@task(name="fetch", cache_policy=NO_CACHE)
def fetch(item: WorkItem, settings: Settings) -> WorkItem:
    attempt = task_run.run_count or 1
    return stages.fetch_item(item, settings, attempt=attempt, last_try=attempt > settings.http_retries)


@task(name="parse", cache_policy=NO_CACHE)
def parse(item: WorkItem, settings: Settings, workers: int) -> WorkItem:
    return stages.parse_item(item, settings, workers=workers)


@task(name="extract", cache_policy=NO_CACHE)
def extract(item: WorkItem, settings: Settings) -> Extracted:
    return stages.extract_item(item, settings)


@task(name="load", cache_policy=NO_CACHE)
def load(extracted: Extracted, settings: Settings) -> WorkItem:
    return stages.load_item(extracted, settings)


THREADS: Any = ThreadPoolTaskRunner(max_workers=64)
"""A task waits for its upstream futures in its thread, so threads are many (they mostly sleep) and a
document's later stages start while other documents are still queued for parsing. Stages are submitted
in order and the pool is first-in first-out, so a waiting task's upstream is always already running:
no deadlock. (Typed Any: mypy rejects Prefect's own runner against the generic parameter.)"""


@flow(name="ingest", task_runner=THREADS)
def ingest(
    since: date | None = None, languages: list[str] | None = None, sources: list[str] | None = None
) -> IngestReport:
    """Bring the store up to date with what the sources list; safe to re-run and to resume after a crash."""
    settings = resources.run_settings(languages)
    resources.prepare(settings)
    workers = parse_processes(settings)
    retrying_fetch = fetch.with_options(retries=settings.http_retries,
                                        retry_delay_seconds=backoff_delays(settings) or 0)
    try:
        items = discover(since, sources, settings)
        fetched = retrying_fetch.map(items, settings=unmapped(settings))
        parsed = parse.map(fetched, settings=unmapped(settings), workers=unmapped(workers))
        extracted = extract.map(parsed, settings=unmapped(settings))
        loaded = load.map(extracted, settings=unmapped(settings))
        report = stages.finish(loaded.result(), settings)
    finally:
        resources.close_parse_pools()
    counts, logger = report.counts, get_run_logger()
    logger.info("%d document(s): %d loaded, %d unchanged, %d failed, %d unavailable", len(report.items),
                counts["loaded"], counts["unchanged"], counts["failed"], counts["unavailable"])
    if report.failures:  # shown in the UI for served runs; ingest_items holds each reason
        logger.warning("%d document(s) failed: %s", len(report.failures),
                       "; ".join(f"{i.label} {(i.reason or '').split(':')[0]}" for i in report.failures[:20]))
    return report


def parse_processes(settings: Settings) -> int:
    """Processes for the parse pool: ``settings.workers`` locally, none on Dask (its workers are processes)."""
    context = FlowRunContext.get()
    on_threads = context is None or isinstance(context.task_runner, ThreadPoolTaskRunner)
    return settings.workers if on_threads else 0
