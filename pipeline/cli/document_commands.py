"""The document commands: ``unpipe extract``, ``ingest``, ``docs``, ``extractors`` and ``db upgrade``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from pipeline.cli.app import app, clean_errors, console, err_console, print_report, progress_bar, say_error
from pipeline.cli.query_commands import Output, output_options
from pipeline.core.errors import UnpipeError
from pipeline.query.export import OutputFormat, write


@app.command()
@clean_errors
def extract(
    files: Annotated[list[Path], typer.Argument(help="PDF files to extract.", exists=False)],
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder for the JSON records.")],
) -> None:
    """Write one extraction record (JSON, spec v1) per PDF, without any database.

    Example: unpipe extract ../shared/corpus/en/A_80_604_Add.1.pdf --out out/
    """
    from extractors.apply import run_extractors
    from pipeline.core.settings import get_settings
    from pipeline.run.isolate import failure_reason
    from pipeline.run.record import build_record
    from pipeline.run.resources import parse_file, ready_to_extract

    out.mkdir(parents=True, exist_ok=True)
    ready_to_extract()  # language models in, then the heap frozen, before the first parse
    failed = 0
    for path in files:
        stage = "parse"
        try:
            if not path.is_file():
                raise UnpipeError(f"no such file: {path}", hint="check the path")
            doc = parse_file(path, get_settings())  # in a worker process, under the memory and time limits
            stage = "extract"
            record = build_record(doc, run_extractors(doc))
        except Exception as exc:  # whatever one file raises fails that file only
            failed += 1
            say_error("failed", f"{path}: {failure_reason(stage, exc)}")
            continue
        target = out / (path.stem + ".json")
        target.write_text(json.dumps(record, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    ok = len(files) - failed
    err_console.print(f"{ok} record(s) written to {out}, {failed} failed")
    if failed:
        raise typer.Exit(1)


db_app = typer.Typer(help="Database schema commands.", no_args_is_help=True)
app.add_typer(db_app, name="db")


@db_app.command("upgrade")
@clean_errors
def db_upgrade() -> None:
    """Create or migrate the store's schema to the newest version.

    Example: UNPIPE_DATABASE_URL=postgresql+psycopg://localhost/unpipe unpipe db upgrade
    """
    from pipeline.store.db import open_store

    engine = open_store()
    console.print(f"schema is current at {engine.url.render_as_string(hide_password=True)}")


@app.command()
@clean_errors
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="PDF files or folders of PDFs.")],
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """Parse, extract and store PDFs (files or folders). Re-ingesting the same file changes nothing.

    Example: unpipe ingest samples/
    """
    from pipeline.core.settings import get_settings
    from pipeline.run.files import find_pdfs, ingest_paths
    from pipeline.run.layouts import file_name_for
    from pipeline.run.resources import store_engine

    files = list(find_pdfs(paths))
    settings = get_settings()
    with progress_bar(disable=quiet) as progress:
        task = progress.add_task("ingesting", total=len(files))

        def advance(path: Path, item: Any) -> None:
            progress.update(task, advance=1, description=path.name)

        report = ingest_paths(files, settings, on_progress=advance)
    print_report(report)
    engine = store_engine(settings.resolved_database_url)  # prepared (migrated) by ingest_paths
    write(_document_rows(engine, {file_name_for(item) for item in report.items}), OutputFormat.table)
    if report.failures:
        raise typer.Exit(1)


def _document_rows(engine: Any, names: set[str] | None = None, *, failed: bool = False) -> Any:
    """Stored documents (those stored under ``names``, else all, or only the failed) with what was extracted."""
    from pipeline.query.queries import Rows, list_documents

    rows = [
        {"symbol": d.symbol or d.file_name, "language": d.language, "kind": d.kind, "date": d.date,
         "pages": d.pages, "recommendations": d.recommendations, "status_entries": d.status_entries,
         "tables": d.tables, "references": d.references, "status": d.status, "reason": d.reason,
         "file_name": d.file_name, "document_id": d.id}
        for d in list_documents(engine, status="failed" if failed else None)
        if names is None or d.file_name in names
    ]
    columns = ["symbol", "language", "kind", "date", "pages", "recommendations", "status_entries", "tables",
               "references", "status", "reason", "file_name", "document_id"]
    return Rows(columns, rows, "documents", brief=columns[:11])


@app.command()
@clean_errors
@output_options
def docs(
    out: Output,
    failed: Annotated[
        bool, typer.Option("--failed", help="Only documents that failed, with the reason.")
    ] = False,
) -> None:
    """List stored documents with what was extracted from each.

    Example: unpipe docs --failed
    """
    out.write(_document_rows(out.engine(), failed=failed))


@app.command()
@clean_errors
def extractors() -> None:
    """List the registered extractors (name and version), in run order.

    Example: unpipe extractors
    """
    from extractors.catalog import all_extractors

    for extractor in all_extractors():
        console.print(f"{extractor.name}\t{extractor.version}")
