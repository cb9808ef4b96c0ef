"""Table finding on one page. Returns plain ``Table`` objects with cell boxes."""

from __future__ import annotations

from typing import Any

from pipeline.document import Cell, Table
from pipeline.text import normalize_text

_LINES_SETTINGS: dict[str, Any] = {"vertical_strategy": "lines", "horizontal_strategy": "lines"}


def find_tables(page: Any, page_number: int) -> list[Table]:
    """Ruled tables on a pdfplumber page (cheap: skipped when the page draws no lines or boxes)."""
    if not (page.rects or page.lines):
        return []
    tables: list[Table] = []
    for found in page.find_tables(table_settings=_LINES_SETTINGS):
        texts = found.extract(x_tolerance=3, y_tolerance=3)
        rows: list[list[Cell | None]] = []
        for row, row_texts in zip(found.rows, texts, strict=False):
            cells: list[Cell | None] = []
            for bbox, text in zip(row.cells, row_texts, strict=False):
                if bbox is None:
                    cells.append(None)
                else:
                    cells.append(Cell(text=normalize_text((text or "").replace("\n", " ")), bbox=tuple(bbox)))
            rows.append(cells)
        if _is_real_table(rows):
            tables.append(Table(page=page_number, bbox=tuple(found.bbox), rows=rows, strategy="lines"))
    return tables


def _is_real_table(rows: list[list[Cell | None]]) -> bool:
    """A box around a paragraph is not a table: ask for two rows or two columns with text."""
    filled = [[c for c in row if c is not None and c.text] for row in rows]
    non_empty_rows = [r for r in filled if r]
    return len(non_empty_rows) >= 2 and max((len(r) for r in non_empty_rows), default=0) >= 2
