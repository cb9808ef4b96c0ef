"""Ruled tables: grids whose cells are drawn, read with pdfplumber's table finder."""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from typing import Any

from pipeline.core.document import Cell, Table
from pipeline.core.numbers import parse_number
from pipeline.core.text import join_lines, normalize_text
from pipeline.parse.words import Word, _lines_of, _round_box

_LINES_SETTINGS: dict[str, Any] = {"vertical_strategy": "lines", "horizontal_strategy": "lines"}


def _cell_text(lines: Iterable[Sequence[Word]]) -> str:
    """Lines of one cell joined the spec's way: no space between CJK, hyphens of compounds kept, and
    a range broken after its dash ("SwF 10–" / "14 million") closed up again."""
    text = ""
    for line in lines:
        following = normalize_text(" ".join(w.text for w in line))
        if text[-2:-1].isdigit() and text.endswith(("–", "—")) and following[:1].isdigit():
            text += following
        else:
            text = join_lines(text, following)
    return normalize_text(text)


def _vertical_text(chars: list[dict[str, Any]]) -> str:
    """Text set vertically (rotated column headings): columns of glyphs, read along their direction."""
    if not chars:
        return ""
    upward = (chars[0].get("matrix") or (0, 1))[1] > 0
    columns: list[list[dict[str, Any]]] = []
    for char in sorted(chars, key=lambda c: c["x0"]):
        if columns and char["x0"] < columns[-1][-1]["x1"] - 0.3 * (char["x1"] - char["x0"]):
            columns[-1].append(char)
        else:
            columns.append([char])
    if not upward:
        columns.reverse()
    parts = []
    for column in columns:
        column.sort(key=lambda c: c["top"], reverse=upward)
        pieces: list[str] = []
        previous: dict[str, Any] | None = None
        for char in column:
            if previous is not None:
                gap = (previous["top"] - char["bottom"]) if upward else (char["top"] - previous["bottom"])
                if gap > 0.15 * char["size"]:
                    pieces.append(" ")
            pieces.append(char["text"])
            previous = char
        parts.append("".join(pieces))
    return normalize_text(" ".join(parts))


def _ruled_table(found: Any, words: list[Word], vertical: list[dict[str, Any]], page_number: int) -> Table | None:
    tops = [w.top for w in words]
    rows: list[list[Cell | None]] = []
    styled_rows: list[bool] = []
    for row in found.rows:
        boxes = [tuple(b) if b is not None else None for b in row.cells]
        present = [b for b in boxes if b is not None]
        if not present:
            continue
        top, bottom = min(b[1] for b in present), max(b[3] for b in present)
        band = words[bisect_left(tops, top - 20): bisect_right(tops, bottom)]
        cells: list[Cell | None] = []
        plain = 0
        for box in boxes:
            if box is None:
                cells.append(None)
                continue
            x0, y0, x1, y1 = box
            inside = [w for w in band if x0 <= w.center <= x1 and y0 <= w.middle <= y1]
            plain += sum(1 for w in inside if not (w.bold or w.italic))
            text = _cell_text(_lines_of(inside))
            if not text and vertical:
                text = _vertical_text([c for c in vertical if x0 <= (c["x0"] + c["x1"]) / 2 <= x1
                                       and y0 <= (c["top"] + c["bottom"]) / 2 <= y1])
            cells.append(Cell(text=text, bbox=(round(x0, 2), round(y0, 2), round(x1, 2), round(y1, 2))))
        if any(c is not None and c.text for c in cells):
            rows.append(cells)
            styled_rows.append(plain == 0)
    if not _is_real_table(rows):
        return None
    return Table(page=page_number, bbox=_round_box(found.bbox), rows=rows, strategy="lines",
                 header_rows=_ruled_header_rows(rows, styled_rows))


def _is_real_table(rows: list[list[Cell | None]]) -> bool:
    """A box around a paragraph is not a table, nor is a chart's grid of bars with a few labels."""
    filled = [[c for c in row if c is not None and c.text] for row in rows]
    non_empty = [r for r in filled if r]
    if not non_empty or max(len(r) for r in non_empty) < 2:
        return False
    cells = sum(1 for row in rows for c in row if c is not None)
    if not any(_WORDY.search(c.text) for row in non_empty for c in row):
        return False  # a chart's grid: percentages and figures, no label anywhere
    return sum(len(r) for r in non_empty) >= 0.25 * cells


_WORDY = re.compile(r"[A-Za-z\u4e00-\u9fff]{2}")


def _ruled_header_rows(rows: list[list[Cell | None]], styled: list[bool]) -> int:
    """Leading rows that name columns: every drawn cell filled with a short bold or italic label, or a
    blank first cell over labels, as in two-level headings. A key/value block has no header."""
    count = 0
    for row, emphasised in zip(rows, styled, strict=True):
        cells = [c for c in row if c is not None]
        texts = [c.text for c in cells]
        labels = [t for t in texts if t]
        if not labels or any(len(t) > 60 or parse_number(t) is not None or t.endswith(("。", "."))
                             for t in labels):
            break
        if all(texts) and count == 0 and len(texts) >= 2 and emphasised:
            count += 1
            continue
        first_blank = row[0] is None or not row[0].text
        if first_blank:
            count += 1
            continue
        break
    return count if count < len(rows) else 0
