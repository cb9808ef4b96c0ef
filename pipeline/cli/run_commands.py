"""The flow commands: ``unpipe run``, ``unpipe reextract`` and ``unpipe serve``.

Registered on the main ``app`` by one import at the bottom of ``pipeline/cli.py``. Prefect is
imported inside the commands, through ``flows`` (which configures it first), so ``unpipe --help``
stays instant.
"""

from __future__ import annotations

import os
from datetime import datetime
from typing import Annotated, Any

import typer

from pipeline.cli.app import app, clean_errors, console, print_report, say_error

DaskOption = Annotated[
    str | None,
    typer.Option("--dask-address", help="Run the tasks on this Dask scheduler (tcp://host:8786); "
                 "default UNPIPE_DASK_ADDRESS, else locally."),
]


@app.command("run")
@clean_errors
def run(
    since: Annotated[datetime | None, typer.Option(formats=["%Y-%m-%d"], help="Only documents dated on or after this day.")] = None,
    languages: Annotated[str | None, typer.Option(help="Comma-separated languages (default UNPIPE_LANGUAGES: zh,en).")] = None,
    source: Annotated[list[str] | None, typer.Option("--source", help="Discovery source to use (repeatable; default all).")] = None,
    dask_address: DaskOption = None,
) -> None:
    """Run the ingest flow once: discover → fetch → parse → extract → load. Resumes a crashed run.

    Example: unpipe run --since 2025-01-01 --languages zh,en --source undl
    """
    from pipeline.discover.catalog import get_source

    wanted = _languages(languages) if languages else None
    for name in source or []:
        get_source(name)  # an unknown name fails here, with the valid ones, before Prefect starts
    from flows.run import run_ingest

    report = run_ingest(since.date() if since else None, wanted, source or None, dask_address)
    print_report(report)
    if report.failures:
        raise typer.Exit(1)


def _languages(text: str) -> list[str]:
    from pydantic import ValidationError

    from pipeline.core.errors import ConfigError
    from pipeline.core.settings import Settings

    try:
        return Settings.model_validate({"languages": text}).languages
    except ValidationError as exc:
        raise ConfigError(f"--languages {text!r}: {exc.errors()[0]['msg']}") from None


@app.command("reextract")
@clean_errors
def reextract(
    extractor: Annotated[list[str] | None, typer.Option(
        "--extractor", help="Re-run this extractor on every document, changed or not (repeatable).")] = None,
    all_extractors: Annotated[bool, typer.Option("--all", help="Re-run every extractor on every document.")] = False,
    dask_address: DaskOption = None,
) -> None:
    """Re-run extractors whose version changed (or the ones named) over stored layouts, all of a
    document's in one pass; no PDF is read. Runs in this process, or as the Prefect flow when
    PREFECT_API_URL or a Dask scheduler is set.

    Example: unpipe reextract --extractor jiu_recommendations --extractor status
    """
    from extractors.catalog import all_extractors as catalog
    from extractors.catalog import get_extractor
    from pipeline.core.settings import get_settings
    from pipeline.run.reextract import ReextractReport, plan_reextract, reextract_here
    from pipeline.run.resources import prepare

    names = [e.name for e in catalog()] if all_extractors else [get_extractor(n).name for n in extractor or []]
    settings = get_settings()
    prepare(settings)
    jobs = plan_reextract(settings, names or None)  # one query; nothing to do starts nothing
    if not jobs:
        report = ReextractReport()
    elif os.environ.get("PREFECT_API_URL") or dask_address or settings.dask_address:
        from flows.run import run_reextract  # a run to be seen on the server, or tasks on Dask

        report = run_reextract(names or None, dask_address)
    else:  # locally, the flow's functions without Prefect: its ephemeral server costs more than the work
        report = reextract_here(jobs, settings)
    for result in report.failures:
        say_error("failed", f"{result.job.label}: {result.error}")
    runs = ", ".join(f"{name} ×{n}" for name, n in sorted(report.runs.items())) or "nothing to do"
    console.print(f"{len(report.results)} document(s) re-extracted: {runs}")
    if report.failures:
        raise typer.Exit(1)


@app.command("serve")
@clean_errors
def serve(
    ingest_cron: Annotated[str, typer.Option(help="Cron schedule of the ingest flow.")] = "0 3 * * *",
    reextract_cron: Annotated[str, typer.Option(help="Cron schedule of the reextract flow.")] = "30 4 * * 0",
    timezone: Annotated[str, typer.Option(help="Time zone of the schedules.")] = "UTC",
    dask_address: DaskOption = None,
) -> None:
    """Serve the ingest and reextract flows on cron schedules (needs `prefect server start`).

    Example: PREFECT_API_URL=http://127.0.0.1:4200/api unpipe serve --ingest-cron "0 3 * * *"
    """
    from flows.deployments import build_deployments, serve_deployments

    deployments: list[Any] = build_deployments(ingest_cron, reextract_cron, timezone, dask_address)
    serve_deployments(deployments)
