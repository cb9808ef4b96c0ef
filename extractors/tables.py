"""Every table the parser found, as text cells (spec: ``tables``).

The parser keeps tables per page with cell boxes; this extractor only shapes them into records: the
heading rows joined per column, the body rows as strings, the unit the caption declares.

A table that runs over a page break (``continued_tables`` tells which ones belong together) is one
record when the document numbers it ("Table 2.5", "表 1" above it): a numbered table is one unit,
cited as a whole, and its continuation repeats the headings without the caption, so the record
starts on the caption's page and its rows run on (``end_page`` says where they stop, the repeated
headings dropped). An unnumbered grid (an annex matrix) stays one record per page, located by page.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from extractors.base import ExtractionContext
from extractors.lib.records import Record, TableRecord
from pipeline.core.document import BBox, Page, ParsedDocument, Table
from pipeline.core.numbers import detect_unit
from pipeline.core.text import normalize_text

__all__ = ["TablesExtractor", "continued_tables", "table_header", "table_record"]


class TablesExtractor:
    name = "tables"
    version = "1.1"

    def extract(self, doc: ParsedDocument, context: ExtractionContext) -> Iterator[Record]:
        pages = {page.number: page for page in doc.pages}
        for group in continued_tables(doc):
            if group[0].caption and len(group) > 1:
                yield _numbered_table(group, pages)
                continue
            for table in group:
                yield table_record(table, pages.get(table.page))


def _numbered_table(group: list[Table], pages: dict[int, Page]) -> TableRecord:
    """A numbered table over several pages as one record; each continuation's repeated heading rows
    (marked as headings or repeating the first page's leading rows) are dropped."""
    record = table_record(group[0], pages.get(group[0].page))
    for table in group[1:]:
        more = table_record(table)
        repeated = 0
        while repeated < min(len(more.rows), len(record.rows)) and more.rows[repeated] == record.rows[repeated]:
            repeated += 1
        record.rows += more.rows[repeated:]
        record.cell_bboxes += more.cell_bboxes[repeated:]
        record.end_page = table.page
    return record


def table_header(table: Table) -> list[str]:
    """Column headings, the heading rows joined per column.

    A heading that spans several columns over headings of its own ("Participating organizations"
    over one column per organization) groups them and is left out of each column's name.
    """
    rows = table.rows[: table.header_rows]
    width = max((len(r) for r in table.rows), default=0)
    parts: list[list[str]] = [[] for _ in range(width)]
    for index, row in enumerate(rows):
        for col, cell in enumerate(row):
            if cell is None or not cell.text:
                continue
            span = col + 1
            while span < len(row) and row[span] is None:
                span += 1
            below = [r[c] for r in rows[index + 1:] for c in range(col, min(span, len(r)))]
            if span - col > 1 and any(c is not None and c.text for c in below):
                continue
            parts[col].append(cell.text)
    return [normalize_text(" ".join(p)) for p in parts]


def table_record(table: Table, page: Page | None = None) -> TableRecord:
    """The spec's table entry; ``page`` lets the unit come from a "(Thousands of United States
    dollars)" line printed above a table that has no "Table N" caption."""
    body = table.rows[table.header_rows:]
    rows = [[cell.text if cell else "" for cell in row] for row in body]
    boxes: list[list[BBox | None]] = [[cell.bbox if cell else None for cell in row] for row in body]
    return TableRecord(
        page=table.page,
        caption=table.caption,
        header=table_header(table),
        rows=rows,
        bbox=table.bbox,
        cell_bboxes=boxes,
        unit=detect_unit(table.caption) or (_unit_above(table, page) if page is not None else None),
    )


def _unit_above(table: Table, page: Page) -> str | None:
    """The unit line set in parentheses just above a table (within three lines)."""
    above = [line for line in page.lines
             if line.role == "body" and line.bbox[3] <= table.bbox[1] + 1 and table.bbox[1] - line.bbox[3] < 45
             and line.bbox[0] < table.bbox[2] and line.bbox[2] > table.bbox[0]]
    for line in sorted(above, key=lambda ln: -ln.bbox[3])[:3]:
        if line.text.startswith(("(", "（")):
            unit = detect_unit(line.text)
            if unit:
                return unit
    return None


def continued_tables(doc: ParsedDocument) -> list[list[Table]]:
    """Tables in reading order, those that run on over a page break grouped together.

    A table continues on the next page when it is the last thing in the body of its page, the next
    page's body starts with a table, and the two have the same number of columns (a repeated header,
    if any, must repeat the same headings).
    """
    groups: list[list[Table]] = []
    previous_page: Page | None = None
    for page in doc.pages:
        for index, table in enumerate(page.tables):
            last = groups[-1][-1] if groups else None
            if (
                index == 0 and last is not None and previous_page is not None
                and last.page == previous_page.number
                and _ends_page(last, previous_page) and _starts_page(table, page)
                and _same_shape(last, table)
            ):
                groups[-1].append(table)
            else:
                groups.append([table])
        if page.tables or _has_body(page):
            previous_page = page
    return groups


# A page number and job number ("14 25-04933") the parser left in the body.
_RUNNING = re.compile(r"^(?:\d{1,4}(?:/\d{1,4})?\s+)?\d{2,4}-\d{5}(?:\s*\([A-Z]\))?(?:\s+\d{1,4}(?:/\d{1,4})?)?$|^\d{1,4}$")


def _body_lines(page: Page) -> list[tuple[float, float, float, float]]:
    """Body lines outside the running-header and footer bands (a header the parser did not
    recognise, "附件一，第 2 页", must not count as text above a table)."""
    top, bottom = page.height * 0.085, page.height * 0.925
    return [
        line.bbox for line in page.lines
        if line.role == "body" and line.bbox[3] > top and line.bbox[1] < bottom
        and not (line.bbox[1] > page.height * 0.85 and _RUNNING.match(line.text))
    ]


def _lines_below(page: Page, table: Table) -> list[tuple[float, float, float, float]]:
    """Body lines below a table, less a short note set just under it ("之前为“正在落实”")."""
    return [
        b for b in _body_lines(page)
        if b[1] > table.bbox[3] - 2 and _outside(b, table)
        and not (b[1] - table.bbox[3] < 40 and b[2] - b[0] < page.width * 0.2)
    ]


def _has_body(page: Page) -> bool:
    return any(line.role == "body" for line in page.lines)


def _outside(bbox: tuple[float, float, float, float], table: Table) -> bool:
    middle = (bbox[1] + bbox[3]) / 2
    return not (table.bbox[1] - 2 <= middle <= table.bbox[3] + 2)


def _ends_page(table: Table, page: Page) -> bool:
    return not _lines_below(page, table)


def _starts_page(table: Table, page: Page) -> bool:
    return not any(b[3] < table.bbox[1] + 2 and _outside(b, table) for b in _body_lines(page))


def _same_shape(first: Table, second: Table) -> bool:
    width_a = max((len(r) for r in first.rows), default=0)
    width_b = max((len(r) for r in second.rows), default=0)
    if width_a != width_b:
        return False
    if first.header_rows and second.header_rows:
        return table_header(first) == table_header(second)
    return True
