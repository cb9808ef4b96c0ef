"""The ingest flow: discover, then batches of items through fetch → parse → extract → load.

One Prefect task discovers and plans; then one task per batch of ``settings.batch_size`` items
(``pipeline.run.stages.run_planned``). Prefect's cost (a task run, its states and events in Prefect's
database) is paid per batch, not per item: an unchanged or unavailable item costs one HTTP request.
Each item's state is kept in the store's ``ingest_items``, which is what a crashed run resumes from.
Downloads are retried inside the batch (transient errors only). Parsing runs in ``settings.workers``
bounded worker processes (memory and time limits, ``pipeline.run.sandbox``); on Dask, whose worker
processes are daemonic and may not start their own, directly in them, with the stream caps only.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from prefect import flow, get_run_logger, task, unmapped
from prefect.cache_policies import NO_CACHE
from prefect.context import FlowRunContext
from prefect.task_runners import ThreadPoolTaskRunner

from pipeline.core.settings import Settings
from pipeline.run import resources, stages
from pipeline.run.isolate import with_db_retries
from pipeline.run.items import IngestReport

# NO_CACHE everywhere: resuming is the job of the ingest_items table, and settings objects are not
# worth hashing for cache keys.


@task(name="discover", cache_policy=NO_CACHE)
def discover(since: date | None, sources: list[str] | None, settings: Settings) -> list[list[int]]:
    return with_db_retries(settings, lambda: stages.plan_batches(settings, since, sources), "discover")


@task(name="ingest-batch", cache_policy=NO_CACHE)
def ingest_batch(ids: list[int], settings: Settings, workers: int) -> IngestReport:
    return stages.run_planned(ids, settings, workers=workers)


THREADS: Any = ThreadPoolTaskRunner(max_workers=16)
"""Batches run side by side: their downloads overlap (the per-host rate limit keeps them polite) and
their parses share the process pool. (Typed Any: mypy rejects Prefect's own runner against the generic
parameter.)"""


@flow(name="ingest", task_runner=THREADS)
def ingest(
    since: date | None = None, languages: list[str] | None = None, sources: list[str] | None = None
) -> IngestReport:
    """Bring the store up to date with what the sources list; safe to re-run and to resume after a crash."""
    settings = resources.run_settings(languages)
    resources.prepare(settings)
    workers = parse_processes(settings)
    try:
        batches = discover(since, sources, settings)
        done = ingest_batch.map(batches, settings=unmapped(settings), workers=unmapped(workers))
        report = IngestReport.merge(done.result())
    finally:
        resources.close_parse_pools()
    publish_summary(report)
    return report


FAILURES_LOGGED = 50
"""Failed documents named one per log line; the summary artifact lists them all."""


def publish_summary(report: IngestReport) -> None:
    """The run's summary as Prefect artifacts (a table of documents, a markdown digest) and each failure as
    a warning in the run's logs, so a served run shows what it did in the UI."""
    from prefect.artifacts import create_markdown_artifact, create_table_artifact

    logger = get_run_logger()
    digest = report.summary_line()
    logger.info(digest)
    for item in report.failures[:FAILURES_LOGGED]:  # ingest_items keeps each reason too
        logger.warning("failed: %s: %s", item.label, item.reason)
    if len(report.failures) > FAILURES_LOGGED:
        logger.warning("… and %d more failed document(s)", len(report.failures) - FAILURES_LOGGED)
    rows = [{"symbol": i.symbol, "language": i.language, "source": i.source, "outcome": i.outcome,
             "reason": i.reason or "", "pages": i.pages} for i in report.items]
    create_table_artifact(rows, key="ingest-documents", description="Documents of this ingest run")
    failed = "".join(f"\n- `{i.label}`: {i.reason}" for i in report.failures)
    create_markdown_artifact(f"## Ingest run\n\n{digest}\n" + (f"\n### Failed\n{failed}\n" if failed else ""),
                             key="ingest-summary", description=digest)


def parse_processes(settings: Settings) -> int:
    """Processes for the parse pool: ``settings.workers`` locally, none on Dask (its workers are processes)."""
    context = FlowRunContext.get()
    on_threads = context is None or isinstance(context.task_runner, ThreadPoolTaskRunner)
    return settings.workers if on_threads else 0
