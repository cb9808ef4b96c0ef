"""What the listing commands print: whole tables when piped, every format, Excel sheets an analyst can
filter, CJK-aware widths in a terminal; on the gold store (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

from rich.cells import cell_len

from pipeline.query.export import to_text
from pipeline.query.queries import Rows
from tests.query_data import QueryStore, cli, cli_json

pytest_plugins = ["tests.query_store"]


def unpipe(store: QueryStore, *args: str) -> subprocess.CompletedProcess[str]:
    """The real command in a child process, its stdout a pipe (not a terminal), as in ``unpipe … > f``."""
    return subprocess.run([sys.executable, "-m", "pipeline.cli", *args, "--db", store.url], capture_output=True,
                          text=True, check=True, env=os.environ | {"COLUMNS": "80"}, timeout=300)


def test_docs_piped_to_a_file_is_complete(gold_store: QueryStore, tmp_path: Path) -> None:
    target = tmp_path / "f.txt"
    with target.open("w", encoding="utf-8") as out:
        subprocess.run([sys.executable, "-m", "pipeline.cli", "docs", "--db", gold_store.url], stdout=out,
                       check=True, env=os.environ | {"COLUMNS": "80"}, timeout=300)
    printed = target.read_text(encoding="utf-8")
    documents = cli_json(gold_store, "docs")
    assert f"{len(documents)} row(s)" in printed
    for doc in documents:
        line = next(line for line in printed.splitlines() if f" {doc['symbol']} " in line and
                    f" {doc['language']} " in line)
        assert doc["kind"] in line and f" {doc['recommendations']} " in line
    assert "…" not in printed and max(len(line) for line in printed.splitlines()) > 80


def test_recs_tsv_has_one_line_per_row(gold_store: QueryStore) -> None:
    tsv = unpipe(gold_store, "recs", "--format", "tsv").stdout
    rows = cli_json(gold_store, "recs")
    lines = tsv.splitlines()
    assert len(lines) == len(rows) + 1 == tsv.count("\n")
    header = lines[0].split("\t")
    assert all(len(line.split("\t")) == len(header) for line in lines)
    texts = {line.split("\t")[header.index("text")] for line in lines[1:]}
    assert {" ".join(r["text"].split()) for r in rows} == texts  # whole, not cut


def test_piped_table_keeps_long_texts_whole(gold_store: QueryStore) -> None:
    table = unpipe(gold_store, "recs", "--report", "JIU/REP/2021/6", "--language", "zh").stdout
    for row in cli_json(gold_store, "recs", "--report", "JIU/REP/2021/6", "--language", "zh"):
        assert " ".join(row["text"].split()) in table
    assert "…" not in table


def test_jsonl_and_json_agree(gold_store: QueryStore) -> None:
    lines = cli(gold_store, "status", "--report", "JIU/REP/2021/6", "--format", "jsonl").stdout.splitlines()
    assert [json.loads(line) for line in lines] == cli_json(gold_store, "status", "--report", "JIU/REP/2021/6")
    sections = cli(gold_store, "show", "JIU/REP/2021/6", "--format", "jsonl").stdout.splitlines()
    assert {json.loads(line)["section"] for line in sections} >= {"recommendations", "status"}


def test_xlsx_sheets_filter_freeze_widths_and_dates(gold_store: QueryStore, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    target = tmp_path / "show.xlsx"
    cli(gold_store, "show", "WO/PBC/34/6", "--format", "xlsx", "--output", str(target))
    book = load_workbook(target)
    assert {"documents", "status", "references"} <= set(book.sheetnames)
    sheet = book["status"]
    header = [cell.value for cell in sheet[1]]
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == f"A1:{sheet.cell(1, len(header)).column_letter}" \
        f"{sheet.max_row}"
    as_of = sheet.cell(2, header.index("as_of") + 1)
    assert isinstance(as_of.value, dt.datetime) and as_of.number_format == "yyyy-mm-dd"
    widths = {name: sheet.column_dimensions[sheet.cell(1, i + 1).column_letter].width for i, name in enumerate(header)}
    assert widths["number"] < widths["organization"] < widths["text"] <= 62  # Chinese texts: capped, wrapped
    docs = tmp_path / "docs.xlsx"
    cli(gold_store, "docs", "--format", "xlsx", "--output", str(docs))
    assert load_workbook(docs).sheetnames == ["documents"]


def test_terminal_table_never_wraps_numbers_and_counts_cjk_double() -> None:
    rows = Rows(["report", "number", "deadline_date", "text"], [
        {"report": "JIU/REP/2021/6", "number": "70(a)", "deadline_date": dt.date(2023, 12, 31),
         "text": "联合国系统各组织的行政首长应在 2023 年底之前审查其业务连续性管理框架，并确保本组织的框架反映报告所述的核心要素。" * 2},
    ], "recommendations")
    text = to_text([rows], color=False, full=False, width=72)
    lines = text.splitlines()
    assert all(cell_len(line) <= 72 for line in lines)
    assert any("JIU/REP/2021/6" in line and "70(a)" in line and "2023-12-31" in line for line in lines)
