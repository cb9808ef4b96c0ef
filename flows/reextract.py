"""The reextract flow: run changed (or named) extractors again over stored layouts.

No download and no PDF parsing: the layout kept at load time (``parsed_layouts``) is the input, and
each document's old output is swapped for the new in one transaction (``store.replace_runs``).
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
def plan(extractor: str | None, settings: Settings) -> list[ReextractJob]:
    return reextraction.plan_reextract(settings, extractor)


@task(name="reextract-document", cache_policy=NO_CACHE)
def reextract_document(job: ReextractJob, settings: Settings) -> ReextractResult:
    return reextraction.reextract_document(job, settings)


THREADS: Any = ThreadPoolTaskRunner(max_workers=4)
"""Typed Any: mypy rejects Prefect's own runner against the generic ``task_runner`` parameter."""


@flow(name="reextract", task_runner=THREADS)
def reextract(extractor: str | None = None) -> ReextractReport:
    """Re-run extractors whose version changed since their output was stored (or the one named)."""
    settings = get_settings()
    resources.prepare(settings)
    jobs = plan(extractor, settings)
    results = reextract_document.map(jobs, settings=unmapped(settings))
    return ReextractReport(results.result())
