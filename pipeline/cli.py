"""The ``unpipe`` command line: a thin layer that parses arguments, calls the library, prints results.

Heavy imports (pdfplumber, spaCy, jieba, SQLAlchemy, Prefect) happen inside commands so that
``unpipe --help`` answers at once.
"""

from __future__ import annotations

import json
import sys
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


def main() -> None:
    """Console-script entry point."""
    app(prog_name="unpipe")


if __name__ == "__main__":
    sys.exit(main())
