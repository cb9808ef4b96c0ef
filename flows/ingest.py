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

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.context import FlowRunContext
from prefect.futures import PrefectFuture, as_completed
from prefect.task_runners import ThreadPoolTaskRunner

from pipeline.core.settings import Settings
from pipeline.run import resources, stages
from pipeline.run.items import IngestReport

# NO_CACHE everywhere: resuming is the job of the ingest_items table, and settings objects are not
# worth hashing for cache keys.


@task(name="discover", cache_policy=NO_CACHE)
def discover(
    since: date | None, sources: list[str] | None, settings: Settings
) -> tuple[list[stages.Batch], IngestReport]:
    return stages.plan_guarded(settings, since, sources)


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
        batches, discovery = discover(since, sources, settings)
        report = IngestReport.merge([discovery, run_batches(batches, settings, workers)])
    finally:
        resources.close_parse_pools()
    publish_summary(report)
    return report


IN_FLIGHT = 32
"""Batch tasks submitted ahead of the finished ones: twice ``THREADS``' workers keeps them all busy."""


def run_batches(batches: list[stages.Batch], settings: Settings, workers: int) -> IngestReport:
    """One ``ingest_batch`` task per batch, at most ``IN_FLIGHT`` at a time; each batch's report is folded
    into the run's as it ends and its future let go, so a run of 100,000 items never holds every
    batch's report (nor a future per batch)."""
    report = IngestReport()
    pending: set[PrefectFuture[IngestReport]] = set()
    for ids in batches:
        pending.add(ingest_batch.submit(ids.tolist(), settings, workers))
        while len(pending) >= IN_FLIGHT:
            report = _fold(report, pending)
    while pending:
        report = _fold(report, pending)
    return report


def _fold(report: IngestReport, pending: set[PrefectFuture[IngestReport]]) -> IngestReport:
    """Wait for the next batch to end; fold its report into ``report`` and drop it from ``pending``."""
    done = next(as_completed(list(pending)))
    pending.discard(done)
    return IngestReport.merge([report, done.result()])


FAILURES_LOGGED = 50
"""Failed documents named one per log line; the summary artifact lists those the report keeps
(``KEPT_PER_OUTCOME``)."""


def publish_summary(report: IngestReport) -> None:
    """The run's summary as Prefect artifacts (a table of documents, a markdown digest) and each failure as
    a warning in the run's logs, so a served run shows what it did in the UI."""
    from prefect.artifacts import create_markdown_artifact, create_table_artifact

    logger = get_run_logger()
    digest = report.summary_line()
    logger.info(digest)
    for item in report.failures[:FAILURES_LOGGED]:  # ingest_items keeps each reason too
        logger.warning("failed: %s: %s", item.label, item.reason)
    more = report.counts["failed"] - min(len(report.failures), FAILURES_LOGGED)
    if more:
        logger.warning("… and %d more failed document(s) (reasons in ingest_items)", more)
    rows = [{"symbol": i.symbol, "language": i.language, "source": i.source, "outcome": i.outcome,
             "reason": i.reason or "", "pages": i.pages} for i in report.items]
    create_table_artifact(rows, key="ingest-documents", description="Documents of this ingest run")
    failed = "".join(f"\n- `{i.label}`: {i.reason}" for i in report.failures)
    if report.more_failures:
        failed += f"\n- … and {report.more_failures} more (reasons in `ingest_items`)"
    create_markdown_artifact(f"## Ingest run\n\n{digest}\n" + (f"\n### Failed\n{failed}\n" if failed else ""),
                             key="ingest-summary", description=digest)


def parse_processes(settings: Settings) -> int:
    """Processes for the parse pool: ``settings.workers`` locally, none on Dask (its workers are processes)."""
    context = FlowRunContext.get()
    on_threads = context is None or isinstance(context.task_runner, ThreadPoolTaskRunner)
    return settings.workers if on_threads else 0
