"""Query commands (``recs``, ``status``, ``show``, ``stats``, ``search``, ``browse``), registered on ``pipeline.cli.app.app``.

Why one decorator: every read command takes the same ``--format``, ``--output`` and ``--db`` options
(the sqlite-utils habit), so scripts can rely on them and the help reads the same everywhere. The
commands only parse arguments; the queries live in ``pipeline.query.queries`` and ``pipeline.query.search``.
"""

from __future__ import annotations

import datetime as dt
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum, StrEnum
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar, get_type_hints

import typer

from extractors.lib import records
from pipeline.cli.app import app, choices, clean_errors, err_console
from pipeline.core.errors import ConfigError
from pipeline.query.export import OutputFormat

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from pipeline.query.queries import Rows

F = TypeVar("F", bound=Callable[..., Any])

QUERY_COMMANDS = ("recs", "status", "show", "stats", "search", "browse", "report")
"""The commands this module adds; docs/schema.md must describe each (a test checks)."""


@dataclass
class Output:
    """What the shared options asked for: where the rows go, in which format, from which store."""

    format: OutputFormat
    path: Path | None
    database: str | None

    def engine(self) -> Engine:
        return open_engine(self.database)

    def write(self, result: Rows | list[Rows]) -> None:
        from pipeline.query.export import write

        write(result, self.format, self.path)
        if self.path is not None:
            count = sum(len(r) for r in result) if isinstance(result, list) else len(result)
            err_console.print(f"{count} row(s) written to {self.path}")


def open_engine(database: str | None) -> Engine:
    """The store of ``--db`` (``postgres://`` URLs accepted), else the configured one, opened read-only:
    a mistyped path is an error, never a new empty store."""
    from pipeline.core.settings import normalise_database_url
    from pipeline.store.db import open_store

    return open_store(normalise_database_url(database) if database else None, read_only=True)


DbOption = Annotated[
    str | None,
    typer.Option("--db", help="SQLAlchemy URL of the store (default: UNPIPE_DATABASE_URL, else data/unpipe.db).",
                 show_default=False),
]


def output_options(func: F) -> F:
    """Add ``--format/-f``, ``--output/-o`` and ``--db`` to a command; it receives them as ``out: Output``."""
    signature = inspect.signature(func, eval_str=True)
    hints = get_type_hints(func, include_extras=True)
    params = [p for p in signature.parameters.values() if p.name != "out"]
    extra = {
        "format_": (Annotated[OutputFormat, typer.Option(
            "--format", "-f", help="table for people; csv, tsv, json, jsonl or xlsx for scripts and spreadsheets.",
            case_sensitive=False)], OutputFormat.table),
        "output": (Annotated[Path | None, typer.Option(
            "--output", "-o", help="Write to this file instead of the terminal (needed for xlsx).",
            dir_okay=False, show_default=False)], None),
        "database": (DbOption, None),
    }
    params += [inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=annotation)
               for name, (annotation, default) in extra.items()]

    @wraps(func)
    def wrapper(*args: Any, format_: OutputFormat, output: Path | None, database: str | None,
                **kwargs: Any) -> Any:
        return func(*args, out=Output(OutputFormat(format_), output, database), **kwargs)

    wrapper.__signature__ = signature.replace(parameters=params)  # type: ignore[attr-defined]
    wrapper.__annotations__ = {k: v for k, v in hints.items() if k != "out"} | {
        name: annotation for name, (annotation, _) in extra.items()}
    return wrapper  # type: ignore[return-value]


if TYPE_CHECKING:  # mypy sees plain strings; at run time Typer gets enums built from the one declaration
    RecKind = str
    Addressee = str
    Acceptance = str
    Implementation = str
    SearchKind = str
else:
    RecKind = choices("RecKind", records.RecommendationKind)
    Addressee = choices("Addressee", records.Addressee)
    Acceptance = choices("Acceptance", records.Acceptance)
    Implementation = choices("Implementation", records.Implementation)
    SearchKind = choices("SearchKind", records.SearchableKind)


class Origin(StrEnum):
    """Where a tracked recommendation is known from (``tracked_v.origin``)."""

    recommendation = "recommendation"
    status = "status"


class Section(StrEnum):
    documents = "documents"
    recommendations = "recommendations"
    status = "status"
    tables = "tables"
    references = "references"
    cited_by = "cited_by"


LimitOption = Annotated[int | None, typer.Option("--limit", "-n", min=1, help="At most this many rows.")]


SinceOption = Annotated[dt.datetime | None, typer.Option(
    formats=["%Y-%m-%d"], help="Status observed on or after this day (YYYY-MM-DD).", show_default=False)]
UntilOption = Annotated[dt.datetime | None, typer.Option(
    formats=["%Y-%m-%d"], help="Status observed on or before this day (YYYY-MM-DD).", show_default=False)]


def _day(value: dt.datetime | None) -> dt.date | None:
    return value.date() if value is not None else None


def _value(value: Enum | str | None) -> str | None:
    return value.value if isinstance(value, Enum) else value


@app.command()
@clean_errors
@output_options
def recs(
    out: Output,
    report: Annotated[str | None, typer.Option("--report", "-r", help="Symbol of the report that made them.")] = None,
    kind: Annotated[RecKind | None, typer.Option(help="jiu, acabq or ga_action.")] = None,
    addressee: Annotated[Addressee | None, typer.Option(help="Who the recommendation is addressed to.")] = None,
    language: Annotated[str | None, typer.Option("--language", "-l", help="zh, en, …")] = None,
    deadline_before: Annotated[dt.datetime | None, typer.Option(
        formats=["%Y-%m-%d"], help="Deadline before this day (YYYY-MM-DD).", show_default=False)] = None,
    deadline_after: Annotated[dt.datetime | None, typer.Option(
        formats=["%Y-%m-%d"], help="Deadline after this day (YYYY-MM-DD).", show_default=False)] = None,
    deadline_session: Annotated[int | None, typer.Option(
        min=1, help="Deadline is this General Assembly session (e.g. 80).", show_default=False)] = None,
    overdue: Annotated[bool, typer.Option(
        "--overdue", help="Deadline passed and the latest status observation is not 'implemented'.")] = False,
    as_of: Annotated[dt.datetime | None, typer.Option(
        formats=["%Y-%m-%d"], help="Judge --overdue on this day instead of today.", show_default=False)] = None,
    include_proposals: Annotated[bool, typer.Option(
        "--include-proposals", help="With --overdue, also actions proposed to the General Assembly.")] = False,
    organization: Annotated[str | None, typer.Option(
        help="The organization that reported the latest status (WIPO, UNICEF …).")] = None,
    origin: Annotated[Origin | None, typer.Option(
        help="Only recommendations stored from a report (recommendation), or known from status rows only.")]
        = None,
    since: SinceOption = None,
    until: UntilOption = None,
    text: Annotated[str | None, typer.Option(
        "--text", "-t", help="Words the text must contain (full-text; Chinese works).")] = None,
    both_languages: Annotated[bool, typer.Option(
        "--both-languages", help="Chinese and English text side by side (same report and number).")] = False,
    limit: LimitOption = None,
) -> None:
    """List tracked recommendations (made in a stored report, or named in a status report) with their
    deadline and latest reported status, in natural number order.

    Example: unpipe recs --kind jiu --overdue --format csv -o overdue.csv
    """
    from pipeline.query.queries import (
        RecommendationFilter,
        find_recommendations,
        find_recommendations_bilingual,
    )

    filters = RecommendationFilter(
        report=report, kind=_value(kind), addressee=_value(addressee), language=language,
        deadline_before=_day(deadline_before), deadline_after=_day(deadline_after),
        deadline_session=deadline_session, overdue=overdue, as_of=_day(as_of),
        include_proposals=include_proposals, organization=organization, origin=_value(origin), since=_day(since),
        until=_day(until),
        text=text, limit=limit,
    )
    engine = out.engine()
    out.write(find_recommendations_bilingual(engine, filters) if both_languages
              else find_recommendations(engine, filters))


@app.command()
@clean_errors
@output_options
def status(
    out: Output,
    report: Annotated[str | None, typer.Option("--report", "-r", help="Symbol of the tracked report.")] = None,
    number: Annotated[str | None, typer.Option(help="Recommendation number within the report.")] = None,
    organization: Annotated[str | None, typer.Option(help="Reporting organization (WIPO, UNICEF …).")] = None,
    acceptance: Annotated[Acceptance | None, typer.Option(help="Canonical acceptance.")] = None,
    implementation: Annotated[Implementation | None, typer.Option(help="Canonical implementation.")] = None,
    language: Annotated[str | None, typer.Option("--language", "-l", help="zh, en, …")] = None,
    document: Annotated[str | None, typer.Option(help="Symbol of the status report printed in.")] = None,
    since: SinceOption = None,
    until: UntilOption = None,
    history: Annotated[bool, typer.Option(
        "--history", help="Every observation over time, not only the latest per organization.")] = False,
    unmapped: Annotated[bool, typer.Option(
        "--unmapped", help="Printed status labels the status vocabulary does not map, with counts.")] = False,
    limit: LimitOption = None,
) -> None:
    """Status of recommendations as organizations report it (latest observation, or --history by date),
    with the organization's own remarks.

    Example: unpipe status --report JIU/REP/2021/6 --number 6 --history
    """
    from pipeline.query.queries import StatusFilter, find_status, unmapped_labels

    filters = StatusFilter(report=report, number=number, organization=organization,
                           acceptance=_value(acceptance), implementation=_value(implementation),
                           language=language, document=document, since=_day(since), until=_day(until),
                           history=history, limit=limit)
    engine = out.engine()
    out.write(unmapped_labels(engine, filters) if unmapped else find_status(engine, filters))


@app.command()
@clean_errors
@output_options
def show(
    out: Output,
    symbol: Annotated[str, typer.Argument(help="Document symbol, e.g. A/80/604/Add.1 or JIU/REP/2021/6.")],
    section: Annotated[Section | None, typer.Option(help="Only this section (needed for CSV).")] = None,
) -> None:
    """One document in every stored language, with its recommendations, status rows, tables and references.

    Also lists the stored documents that cite it. A report symbol that is not stored itself (a JIU
    report quoted in a note) shows its recommendations and status observations.

    Example: unpipe show A/77/256/Add.1 --format json
    """
    from pipeline.query.queries import show_document

    sections = show_document(out.engine(), symbol)
    if section is not None:
        wanted = section.value.replace("_", " ")
        out.write(next(s for s in sections if s.title == wanted))
        return
    out.write(sections)


@app.command()
@clean_errors
@output_options
def stats(
    out: Output,
    by: Annotated[str, typer.Option(help="Group by any of addressee, year, organization, report (comma-separated).")]
        = "addressee,year",
    organization: Annotated[str | None, typer.Option(help="Only this reporting organization.")] = None,
    as_of: Annotated[dt.datetime | None, typer.Option(
        formats=["%Y-%m-%d"], help="Count ages up to this day instead of today.", show_default=False)] = None,
) -> None:
    """Acceptance and implementation rates, and ageing of open recommendations (under 1, 1-3, 3-5, 5+ years).

    Rates count the latest observation per recommendation and organization; the year is the year of the
    recommendation's report.

    Example: unpipe stats --by organization,year
    """
    from pipeline.query.queries import status_stats

    dimensions = [part.strip() for part in by.split(",") if part.strip()]
    out.write(status_stats(out.engine(), dimensions, as_of=_day(as_of), organization=organization))


@app.command()
@clean_errors
@output_options
def search(
    out: Output,
    query: Annotated[str, typer.Argument(help="Words to find (all must match); word* is a prefix.")],
    language: Annotated[str | None, typer.Option("--language", "-l", help="zh, en, …")] = None,
    kind: Annotated[SearchKind | None, typer.Option(help="Only paragraphs or only recommendations.")] = None,
    document: Annotated[str | None, typer.Option(help="Only in the document with this symbol.")] = None,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="At most this many hits.")] = 20,
) -> None:
    """Full-text search over paragraphs and recommendations, best first, with a highlighted snippet.

    Chinese is segmented with jieba, so a word inside a longer one is found (业务连续性 finds
    业务连续性管理) and two-character queries work.

    Example: unpipe search 业务连续性 --language zh
    """
    from pipeline.query.queries import Rows
    from pipeline.query.search import search as run_search

    hits = run_search(out.engine(), query, language=language, kind=_value(kind), document=document,
                      limit=limit)
    columns = ["rank", "kind", "symbol", "language", "page", "item", "snippet", "score", "document_id",
               "ref_id"]
    out.write(Rows(columns, [{name: getattr(hit, name) for name in columns} for hit in hits], "search",
                   brief=columns[:7]))


@app.command()
@clean_errors
def report(
    output: Annotated[Path, typer.Option("--output", "-o", help="The HTML file to write.", dir_okay=False)],
    organization: Annotated[str | None, typer.Option(help="Only this reporting organization.")] = None,
    as_of: Annotated[dt.datetime | None, typer.Option(
        formats=["%Y-%m-%d"], help="Judge overdue and ages on this day instead of today.",
        show_default=False)] = None,
    database: DbOption = None,
) -> None:
    """Write a self-contained HTML report (opens offline): acceptance and implementation by organization
    and report, overdue recommendations by addressee and age, recent changes of status.

    Example: unpipe report --organization WIPO --output wipo.html
    """
    from pipeline.query.report import build_report

    html = build_report(open_engine(database), organization=organization, as_of=_day(as_of))
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(html, encoding="utf-8")
    err_console.print(f"report written to {output}")


@app.command()
@clean_errors
def browse(
    database: DbOption = None,
    port: Annotated[int, typer.Option(help="Port to serve on (127.0.0.1).")] = 8001,
    open_browser: Annotated[bool, typer.Option("--open", help="Open a web browser.")] = False,
    metadata_out: Annotated[Path | None, typer.Option(
        "--metadata-out", help="Where to write Datasette's metadata file (default: next to the store).",
        show_default=False)] = None,
    get: Annotated[str | None, typer.Option(
        "--get", help="Fetch one path (e.g. /unpipe/overdue.json), print it and exit; no server.",
        show_default=False)] = None,
) -> None:
    """Open the SQLite store in Datasette, with the views described and canned queries ready.

    Example: unpipe browse --open
    """
    from pipeline.query.browse import (
        datasette_command,
        file_store_root,
        run,
        sqlite_path,
        write_metadata,
        write_templates,
    )

    engine = open_engine(database)
    path = sqlite_path(engine.url.render_as_string(hide_password=False))
    meta = write_metadata(path, metadata_out or path.with_name(f"{path.stem}.datasette.json"),
                          base_url=f"http://127.0.0.1:{port}")
    templates = write_templates(meta.with_name(f"{path.stem}.datasette-templates"))
    command = datasette_command(path, meta, port=port, open_browser=open_browser, get=get, templates=templates,
                                files=file_store_root(path))
    if get is None:
        err_console.print(f"serving {path} on http://127.0.0.1:{port}/ (Ctrl-C stops it)")
    result = run(command, capture=get is not None)
    if get is not None:
        typer.echo(result.stdout, nl=False)
        if result.returncode != 0:
            raise ConfigError(f"datasette failed: {result.stderr.strip().splitlines()[-1:]}")
