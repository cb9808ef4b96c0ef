"""The ``unpipe`` Typer app and what every command shares: consoles and the clean-error wrapper.

Heavy imports (pdfplumber, spaCy, jieba, SQLAlchemy, Prefect) happen inside commands so that
``unpipe --help`` answers at once.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from enum import StrEnum
from functools import wraps
from typing import Annotated, Any, TypeVar, get_args

import typer
from rich.text import Text
from typer.core import TyperGroup

from pipeline.core.console import plain_console
from pipeline.core.errors import UnpipeError


class OneLineErrors(TyperGroup):
    """The root command: a usage mistake (unknown option, bad value, missing argument) is one line on
    stderr that names the help to read, as unpipe's own errors are, instead of a framed block."""

    def main(self, args: Sequence[str] | None = None, prog_name: str | None = None,
             complete_var: str | None = None, standalone_mode: bool = True, windows_expand_args: bool = True,
             **extra: Any) -> Any:
        from typer._click.exceptions import ClickException, NoArgsIsHelpError, UsageError

        try:
            result = super().main(args=args, prog_name=prog_name, complete_var=complete_var,
                                  standalone_mode=False, windows_expand_args=windows_expand_args, **extra)
        except NoArgsIsHelpError as exc:  # the help itself, already shown
            _fail("", exc.exit_code, standalone_mode)
        except UsageError as exc:
            where = exc.ctx.command_path if exc.ctx is not None else "unpipe"
            _fail(f"{exc.format_message()} (see `{where} --help`)", exc.exit_code, standalone_mode)
        except ClickException as exc:
            _fail(exc.format_message(), exc.exit_code, standalone_mode)
        except typer.Abort:
            _fail("aborted", 1, standalone_mode)
        if standalone_mode:
            sys.exit(result if isinstance(result, int) else 0)
        return result


def _fail(message: str, code: int, standalone_mode: bool) -> None:
    if message:
        say_error("error", " ".join(message.split()))
    if standalone_mode:
        sys.exit(code)
    raise typer.Exit(code)


app = typer.Typer(
    name="unpipe",
    cls=OneLineErrors,
    help="Turn UN oversight documents (JIU, ACABQ, Secretary-General) into a database analysts can query.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    # Choices (--kind JIU, --format CSV) match whatever the case: each value is lower case.
    context_settings={"help_option_names": ["-h", "--help"], "token_normalize_func": str.lower},
)


console = plain_console()
err_console = plain_console(stderr=True, soft_wrap=True)


def progress_bar(*, disable: bool) -> Any:
    """Rich's default progress bar on stderr, its description (a file name) printed as given, not as markup."""
    from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeRemainingColumn

    return Progress(TextColumn("{task.description}", markup=False), BarColumn(), TaskProgressColumn(),
                    TimeRemainingColumn(), console=err_console, disable=disable, transient=True)


def say_error(label: str, message: str) -> None:
    """One line on stderr: ``label:`` in red, then the message exactly as given."""
    err_console.print(Text.assemble((f"{label}:", "red"), " ", message))

F = TypeVar("F", bound=Callable[..., Any])


def _show_version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        typer.echo(f"unpipe {version('unpipe')}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[bool, typer.Option("--version", callback=_show_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
) -> None:
    """Parse, extract, store and query UN oversight documents. Settings come from UNPIPE_* variables."""
    from pipeline.core.logs import quiet_pdf_libraries

    quiet_pdf_libraries()


def clean_errors(func: F) -> F:
    """Turn unpipe's own errors into one line on stderr and exit code 1, never a traceback."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except UnpipeError as exc:
            say_error("error", str(exc))
            raise typer.Exit(1) from None
        except (typer.Exit, typer.Abort, KeyboardInterrupt):
            raise
        except Exception as exc:
            if os.environ.get("UNPIPE_DEBUG"):
                raise
            say_error("internal error", f"{type(exc).__name__}: {exc} "
                      "(a bug: please report it; UNPIPE_DEBUG=1 shows the traceback)")
            raise typer.Exit(2) from None

    return wrapper  # type: ignore[return-value]


def choices(name: str, values: Any) -> type[StrEnum]:
    """A Typer choice type whose values are exactly a ``Literal``'s: the values are declared once.

    Values are lower case and the app normalises choice tokens to lower case (``token_normalize_func``),
    so ``--kind JIU`` is ``--kind jiu``; a value that is not lower case would be unreachable, hence refused.
    """
    if any(value != value.lower() for value in get_args(values)):
        raise ValueError(f"choice values of {name} must be lower case: {get_args(values)}")
    return StrEnum(name, {value: value for value in get_args(values)})  # type: ignore[return-value]


def print_report(report: Any) -> None:
    """What an ingest did, in the same words for ``unpipe ingest`` and ``unpipe run``: each failure on
    stderr with its reason and what to do about it, then one summary line (plain text: never wrapped,
    cut or read as markup when piped)."""
    from pipeline.core.errors import bad_input_hint

    for item in report.failures:
        reason = item.reason or "failed"
        code = reason.split(":")[0]
        hint = bad_input_hint(code) if code != reason else ""
        typer.echo(f"failed: {item.path or item.label}: {reason}" + (f" ({hint})" if hint else ""), err=True)
    if report.more_failures:  # a large run's report keeps the first failures; the store keeps every reason
        typer.echo(f"… and {report.more_failures} more failed (reasons in the store's ingest_items table)", err=True)
    typer.echo(report.summary_line())
