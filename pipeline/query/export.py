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
    tsv = "tsv"
    json = "json"
    jsonl = "jsonl"
    xlsx = "xlsx"


TABLE_TEXT_WIDTH = 110
"""Long texts are cut to this many characters in a terminal's ``table`` (piped tables and the other
formats keep everything)."""
XLSX_MAX_WIDTH = 60
"""Widest spreadsheet column, in characters (a CJK character counts two); longer texts wrap in the cell."""

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
    if fmt in (OutputFormat.csv, OutputFormat.tsv):
        if len(sections) > 1:
            raise ConfigError(f"{fmt.value.upper()} holds one table and this result has several",
                              hint="use --section NAME, or --format json, jsonl or xlsx")
        data = to_csv(sections[0], delimiter="\t" if fmt is OutputFormat.tsv else ",")
    elif fmt is OutputFormat.json:
        data = to_json(result)
    elif fmt is OutputFormat.jsonl:
        data = to_jsonl(sections)
    else:
        tty = output is None and sys.stdout.isatty()
        data = to_text(sections, color=tty, full=not tty)
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


def to_jsonl(sections: list[Rows]) -> str:
    """One JSON object per line; rows of several sections carry their section's title as ``section``."""
    lines = []
    for section in sections:
        extra = {"section": section.title} if len(sections) > 1 else {}
        lines += [json.dumps(extra | record, ensure_ascii=False) for record in _records(section)]
    return "".join(line + "\n" for line in lines)


def to_csv(rows: Rows, delimiter: str = ",") -> str:
    """Header row, then one line per row; missing values are empty; ``<b>`` marks are kept. In TSV, tabs and
    line breaks inside a value become spaces, so each row stays one line for ``wc -l``, ``cut`` and ``awk``."""
    buffer = io.StringIO()
    if delimiter == "\t":
        writer = csv.writer(buffer, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_NONE, escapechar=None,
                            quotechar=None)
        writer.writerow(rows.columns)
        for row in rows.rows:
            writer.writerow(["" if row.get(n) is None else " ".join(str(plain(row.get(n))).split())
                             for n in rows.columns])
        return buffer.getvalue()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(rows.columns)
    for row in rows.rows:
        writer.writerow(["" if row.get(n) is None else plain(row.get(n)) for n in rows.columns])
    return buffer.getvalue()


def to_xlsx(sections: list[Rows], output: Path) -> None:
    """One worksheet per section: a bold, frozen header row with filters, columns as wide as their
    contents (up to ``XLSX_MAX_WIDTH``, CJK counted double), real date cells."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

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
        sheet.freeze_panes = "A2"
        if section.columns:
            sheet.auto_filter.ref = f"A1:{get_column_letter(len(section.columns))}{max(1, len(section) + 1)}"
        for index, name in enumerate(section.columns, start=1):
            values = [row.get(name) for row in section.rows]
            width = max([display_width(name), *(display_width(str(plain(v))) for v in values if v is not None)])
            sheet.column_dimensions[get_column_letter(index)].width = min(XLSX_MAX_WIDTH, width + 2)
            for cell in sheet[get_column_letter(index)][1:]:
                if isinstance(cell.value, dt.date):
                    cell.number_format = "yyyy-mm-dd"
                elif width > XLSX_MAX_WIDTH:
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
    output.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(output)


def display_width(text: str) -> int:
    """Columns a text takes in a terminal or a spreadsheet: East Asian wide characters count two."""
    from rich.cells import cell_len

    return cell_len(text)


_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _xlsx_value(value: Any) -> Any:
    if isinstance(value, str) and _ISO_DAY.fullmatch(value):
        return dt.date.fromisoformat(value)
    if isinstance(value, str):
        return _BOLD.sub(r"\1", value)
    if isinstance(value, Decimal):
        return float(value)
    return value


def to_text(sections: list[Rows], *, color: bool = True, full: bool = False, width: int | None = None) -> str:
    """Rich tables, one per section (its ``brief`` columns), with a row count under each.

    In a terminal, short columns (numbers, dates, symbols) never wrap and long texts are cut and wrap;
    widths count CJK characters as two columns. ``full`` (output to a file or a pipe) prints every
    column of every row whole, on one line per row, however wide that makes the table. ``width`` is the
    terminal's (found out by Rich when not given).
    """
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=color, color_system="auto" if color else None, emoji=False,
                      soft_wrap=False, width=1_000_000 if full else width)
    for section in sections:
        columns = section.brief or section.columns
        cells = [[_cell(row.get(n), escape, cut=not full) for n in columns] for row in section.rows]
        table = Table(title=section.title, title_justify="left", show_lines=False)
        widest = [max([display_width(name), *(_plain_width(row[i]) for row in cells)])
                  for i, name in enumerate(columns)]
        limit = _short_limit(widest, console.width)
        for name, width in zip(columns, widest, strict=True):
            short = width <= limit
            table.add_column(name, no_wrap=full or short, min_width=width if full or short else None,
                             overflow="fold" if not full else "ignore")
        for row in cells:
            table.add_row(*row)
        if full:
            console.width = sum(widest) + 3 * len(columns) + 1
        console.print(table)
        console.print(f"{len(section)} row(s)", style="dim", highlight=False)
    return buffer.getvalue()


SHORT_COLUMN = 24
"""Columns no wider than this (numbers, dates, symbols, status values) are never wrapped in a terminal..."""
TINY_COLUMN = 12
"""... unless they do not fit beside the long ones: then only these (numbers, dates, codes) are kept whole."""
LONG_MIN = 16
"""Room counted for each wrapped column (a text, a remark) when deciding whether the short ones fit."""


def _short_limit(widths: list[int], terminal: int) -> int:
    """The widest column kept on one line: ``SHORT_COLUMN`` if those and the long ones fit, else ``TINY_COLUMN``."""
    needed = sum(w if w <= SHORT_COLUMN else LONG_MIN for w in widths) + 3 * len(widths) + 1
    return SHORT_COLUMN if needed <= terminal else TINY_COLUMN


def _plain_width(markup: str) -> int:
    from rich.text import Text

    return display_width(Text.from_markup(markup, emoji=False).plain)


def _cell(value: Any, escape: Any, *, cut: bool = True) -> str:
    if value is None:
        return "—"
    value = plain(value)
    if isinstance(value, float):
        return f"{value:.3f}".rstrip("0").rstrip(".")
    text = " ".join(str(value).split())
    if cut and len(text) > TABLE_TEXT_WIDTH:
        text = text[: TABLE_TEXT_WIDTH - 1] + "…"
        if text.count("<b>") > text.count("</b>"):
            text += "</b>"
    parts = _BOLD.split(text)
    # Odd parts are the matched words of a search snippet.
    return "".join(f"[bold yellow]{escape(p)}[/]" if i % 2 else escape(p) for i, p in enumerate(parts))
