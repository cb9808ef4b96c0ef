"""Output formats of the query commands: rich tables for people; CSV, JSON and XLSX for scripts and analysts.

Why one module: every read command prints through ``write``, so ``--format`` means the same everywhere
and the machine formats stay stable (fixed column order, ISO dates, ``null``/empty for missing values,
UTF-8 without escapes so Chinese stays readable).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import sys
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline.core.errors import ConfigError

if TYPE_CHECKING:  # queries imports SQLAlchemy; this module stays light for `unpipe --help`
    from pipeline.query.queries import Rows


class OutputFormat(StrEnum):
    """Values of ``--format``."""

    table = "table"
    csv = "csv"
    json = "json"
    xlsx = "xlsx"


TABLE_TEXT_WIDTH = 110
"""Long texts are cut to this many characters in the ``table`` format only (the others keep everything)."""

_BOLD = re.compile(r"<b>(.*?)</b>", re.S)


def write(result: Rows | list[Rows], fmt: OutputFormat | str, output: Path | None = None) -> None:
    """Write one result (or the sections of one, for ``show``) to ``output`` or stdout."""
    fmt = OutputFormat(fmt)
    sections = result if isinstance(result, list) else [result]
    if fmt is OutputFormat.xlsx:
        if output is None:
            raise ConfigError("the xlsx format needs a file", hint="add --output FILE.xlsx")
        to_xlsx(sections, output)
        return
    if fmt is OutputFormat.csv:
        if len(sections) > 1:
            raise ConfigError("CSV holds one table and this result has several",
                              hint="use --section NAME, or --format json or xlsx")
        data = to_csv(sections[0])
    elif fmt is OutputFormat.json:
        data = to_json(result)
    else:
        tty = output is None and sys.stdout.isatty()
        data = to_text(sections, color=tty, width=None if tty else 180)
    if output is None:
        sys.stdout.write(data)
        sys.stdout.flush()
    else:
        output.write_text(data, encoding="utf-8")


def plain(value: Any) -> Any:
    """A JSON-ready value: dates as ISO strings, decimals as floats."""
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def to_json(result: Rows | list[Rows]) -> str:
    """A list of objects; for several sections, an object of such lists keyed by section title."""
    if isinstance(result, list):
        data: Any = {(s.title or f"section_{i}").replace(" ", "_"): _records(s) for i, s in enumerate(result)}
    else:
        data = _records(result)
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def _records(rows: Rows) -> list[dict[str, Any]]:
    return [{name: plain(row.get(name)) for name in rows.columns} for row in rows.rows]


def to_csv(rows: Rows) -> str:
    """Header row, then one line per row; missing values are empty; ``<b>`` marks are kept."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(rows.columns)
    for row in rows.rows:
        writer.writerow(["" if row.get(n) is None else plain(row.get(n)) for n in rows.columns])
    return buffer.getvalue()


def to_xlsx(sections: list[Rows], output: Path) -> None:
    """One worksheet per section, with a bold header row and real date cells."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    if workbook.active is not None:
        workbook.remove(workbook.active)
    used: set[str] = set()
    for i, section in enumerate(sections):
        name = re.sub(r"[\[\]:*?/\\]", "_", section.title or f"sheet {i + 1}")[:31]
        while name in used:
            name = f"{name[:28]}_{i}"
        used.add(name)
        sheet = workbook.create_sheet(name)
        sheet.append(section.columns)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in section.rows:
            sheet.append([_xlsx_value(row.get(n)) for n in section.columns])
    output.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(output)


def _xlsx_value(value: Any) -> Any:
    if isinstance(value, str):
        return _BOLD.sub(r"\1", value)
    if isinstance(value, Decimal):
        return float(value)
    return value


def to_text(sections: list[Rows], *, color: bool = True, width: int | None = None) -> str:
    """Rich tables, one per section (its ``brief`` columns), with a row count under each."""
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=color, color_system="auto" if color else None,
                      width=width, soft_wrap=False)
    for section in sections:
        columns = section.brief or section.columns
        table = Table(*columns, title=section.title, title_justify="left", show_lines=False)
        for row in section.rows:
            table.add_row(*[_cell(row.get(n), escape) for n in columns])
        console.print(table)
        console.print(f"{len(section)} row(s)", style="dim", highlight=False)
    return buffer.getvalue()


def _cell(value: Any, escape: Any) -> str:
    if value is None:
        return "—"
    value = plain(value)
    if isinstance(value, float):
        return f"{value:.3f}".rstrip("0").rstrip(".")
    text = str(value).replace("\n", " ")
    if len(text) > TABLE_TEXT_WIDTH:
        text = text[: TABLE_TEXT_WIDTH - 1] + "…"
        if text.count("<b>") > text.count("</b>"):
            text += "</b>"
    parts = _BOLD.split(text)
    # Odd parts are the matched words of a search snippet.
    return "".join(f"[bold yellow]{escape(p)}[/]" if i % 2 else escape(p) for i, p in enumerate(parts))
