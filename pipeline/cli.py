"""The ``unpipe`` command line: a thin layer that parses arguments, calls the library, prints results.

Heavy imports (pdfplumber, spaCy, jieba, SQLAlchemy, Prefect) happen inside commands so that
``unpipe --help`` answers at once.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console

from pipeline.errors import UnpipeError

app = typer.Typer(
    name="unpipe",
    help="Turn UN oversight documents (JIU, ACABQ, Secretary-General) into a database analysts can query.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
console = Console()
err_console = Console(stderr=True, soft_wrap=True)

F = TypeVar("F", bound=Callable[..., Any])


@app.callback()
def _root() -> None:
    """Parse, extract, store and query UN oversight documents. Settings come from UNPIPE_* variables."""


def clean_errors(func: F) -> F:
    """Turn unpipe's own errors into one line on stderr and exit code 1, never a traceback."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except UnpipeError as exc:
            err_console.print(f"[red]error:[/red] {exc}", highlight=False)
            raise typer.Exit(1) from None
        except (typer.Exit, typer.Abort, KeyboardInterrupt):
            raise
        except Exception as exc:
            if os.environ.get("UNPIPE_DEBUG"):
                raise
            err_console.print(
                f"[red]internal error:[/red] {type(exc).__name__}: {exc} "
                "(a bug: please report it; UNPIPE_DEBUG=1 shows the traceback)",
                highlight=False,
            )
            raise typer.Exit(2) from None

    return wrapper  # type: ignore[return-value]


@app.command()
@clean_errors
def extract(
    files: Annotated[list[Path], typer.Argument(help="PDF files to extract.", exists=False)],
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder for the JSON records.")],
) -> None:
    """Write one extraction record (JSON, spec v1) per PDF, without any database.

    Example: unpipe extract ../shared/corpus/en/A_80_604_Add.1.pdf --out out/
    """
    from pipeline.extract import build_record, run_extractors
    from pipeline.parse import parse_pdf

    out.mkdir(parents=True, exist_ok=True)
    failed = 0
    for path in files:
        try:
            if not path.is_file():
                raise UnpipeError(f"no such file: {path}", hint="check the path")
            doc = parse_pdf(path)
            record = build_record(doc, run_extractors(doc))
        except UnpipeError as exc:
            failed += 1
            err_console.print(f"[red]failed:[/red] {path}: {exc}", highlight=False)
            continue
        target = out / (path.stem + ".json")
        target.write_text(json.dumps(record, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    ok = len(files) - failed
    err_console.print(f"{ok} record(s) written to {out}, {failed} failed", highlight=False)
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
    from pipeline.db import open_store

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
    from rich.progress import Progress

    from pipeline.db import open_store
    from pipeline.filestore import default_store
    from pipeline.ingest import find_pdfs, ingest_paths

    engine = open_store()
    files = list(find_pdfs(paths))
    with Progress(console=err_console, disable=quiet, transient=True) as progress:
        task = progress.add_task("ingesting", total=len(files))

        def advance(path: Path, result: Any) -> None:
            progress.update(task, advance=1, description=path.name)
            if result.status == "failed" or result.reason:
                err_console.print(f"[red]failed:[/red] {path}: {result.reason}", highlight=False)

        summary = ingest_paths(engine, files, default_store(), on_progress=advance)
    counts = summary.counts
    console.print(
        f"{len(summary.results)} file(s): {counts['inserted']} inserted, {counts['updated']} updated, "
        f"{counts['unchanged']} unchanged, {len(summary.failures)} failed",
        highlight=False,
    )
    _print_documents([result.document_id for _, result in summary.results])
    if summary.failures:
        raise typer.Exit(1)


def _print_documents(ids: list[int] | None = None) -> None:
    from rich.table import Table

    from pipeline.db import open_store
    from pipeline.queries import list_documents

    rows = [d for d in list_documents(open_store()) if ids is None or d.id in ids]
    table = Table(box=None, header_style="bold", pad_edge=False)
    for name in ("symbol", "lang", "kind", "date", "pp", "recs", "status", "tables", "refs"):
        table.add_column(name, no_wrap=True)
    for d in rows:
        kind = f"failed: {d.reason}" if d.status == "failed" else d.kind or "—"
        table.add_row(d.symbol or d.file_name, d.language or "—", kind, d.date or "—", str(d.pages or "—"),
                      str(d.recommendations), str(d.status_entries), str(d.tables), str(d.references))
    console.print(table)


@app.command()
@clean_errors
def docs(
    failed: Annotated[
        bool, typer.Option("--failed", help="Only documents that failed, with the reason.")
    ] = False,
) -> None:
    """List stored documents with what was extracted from each.

    Example: unpipe docs --failed
    """
    from pipeline.db import open_store
    from pipeline.queries import list_documents

    ids = [d.id for d in list_documents(open_store(), status="failed" if failed else None)]
    _print_documents(ids)


@app.command()
@clean_errors
def extractors() -> None:
    """List the registered extractors (name and version), in run order.

    Example: unpipe extractors
    """
    from extractors.registry import all_extractors

    for extractor in all_extractors():
        console.print(f"{extractor.name}\t{extractor.version}", highlight=False)


def main() -> None:
    """Console-script entry point."""
    app(prog_name="unpipe")


# Command modules register themselves on `app`; imported last because they import `app` from here.
import pipeline.cli_flows  # noqa: E402  # run, reextract, serve
import pipeline.cli_query  # noqa: E402,F401  # recs, status, show, stats, search, browse

if __name__ == "__main__":
    main()
