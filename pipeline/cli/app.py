"""The ``unpipe`` Typer app and what every command shares: consoles and the clean-error wrapper.

Heavy imports (pdfplumber, spaCy, jieba, SQLAlchemy, Prefect) happen inside commands so that
``unpipe --help`` answers at once.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from enum import StrEnum
from functools import wraps
from typing import Any, TypeVar, get_args

import typer
from rich.console import Console

from pipeline.core.errors import UnpipeError

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


def choices(name: str, values: Any) -> type[StrEnum]:
    """A Typer choice type whose values are exactly a ``Literal``'s: the values are declared once."""
    return StrEnum(name, {value: value for value in get_args(values)})  # type: ignore[return-value]


def print_report(report: Any) -> None:
    """What an ingest did, in the same words for ``unpipe ingest`` and ``unpipe run``: each failure on
    stderr with its reason, then one summary line."""
    for item in report.failures:
        where = item.path or item.label
        err_console.print(f"[red]failed:[/red] {where}: {item.reason}", highlight=False)
    counts = report.counts
    console.print(
        f"{report.total} document(s): {counts['loaded']} loaded, {counts['unchanged']} unchanged, "
        f"{counts['failed']} failed; {report.pages} page(s) parsed",
        highlight=False,
    )
