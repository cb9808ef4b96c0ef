"""Table finding on one page. Returns plain ``Table`` objects with cell boxes.

Two layouts cover the UN documents we read:

* **ruled** tables (every cell boxed, as WIPO's key/value blocks or the JIU annex matrix): pdfplumber's
  "lines" strategy gives the cells; their text is rebuilt here from the page's words so that wrapped
  lines join as the spec wants (Chinese without spaces, Latin with one) and footnote markers drop out.
* **rule-delimited** tables (UN house style: a rule above the column headings, one below them, maybe
  rules between groups and one at the end, no vertical lines): the header between the first two
  rules names the columns, the whitespace gutters of the body place their boundaries, and rows are
  cut where a blank band crosses every column and a new cell starts in the first column or in
  several columns at once. A line that runs across a gutter is a spanning row (a group heading).

Pages without at least two long horizontal rules, or a drawn grid, are not examined at all, which
keeps parsing cheap: the text strategy on a whole Chinese page turns prose into a two-column "table".

Why one file over 500 lines: the rule-delimited finder is one algorithm (header columns → gutters →
row cuts → spanning rows) whose steps share the same private row and unit types; the ruled grid,
the rules and the words it builds on live in their own modules.
"""

from __future__ import annotations

import itertools
import re
import statistics
from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from pipeline.core.document import BBox, Cell, Table
from pipeline.core.numbers import parse_number
from pipeline.core.text import normalize_text
from pipeline.parse.layout import FOOTER_BAND, HEADER_BAND
from pipeline.parse.ruled_tables import _LINES_SETTINGS, _cell_text, _ruled_table
from pipeline.parse.rules import MIN_RULE_SHARE, Rule, _has_vertical_edges, _not_a_fill, is_horizontal
from pipeline.parse.words import Word, _Lines, _lines_of, page_words

MAX_HEADER_HEIGHT = 90.0  # column headings between the top rule and the one below them
CAPTION = re.compile(r"^(?:Table|Annex table|Schedule|表)\s*[\dA-Z.IVX]+(?:\.\d+)*\b|^表\s*\d", re.IGNORECASE)


@dataclass
class _Unit:
    """Words of one printed line inside a table region, split by column."""

    top: float
    bottom: float
    cells: dict[int, list[Word]]
    spanning: bool = False
    bold: bool = False


@dataclass
class _Row:
    cells: dict[int, list[list[Word]]] = field(default_factory=dict)
    spanning: bool = False
    top: float = 0.0
    bottom: float = 0.0

    def add(self, unit: _Unit) -> None:
        if not self.cells and not self.spanning:
            self.top = unit.top
        for col, words in unit.cells.items():
            self.cells.setdefault(col, []).append(words)
        self.bottom = max(self.bottom, unit.bottom)


def find_tables(page: Any, page_number: int, rules: list[Rule]) -> list[Table]:
    """Tables on a pdfplumber page: ruled grids first, then rule-delimited ones outside them.

    ``rules`` are the page's ``horizontal_rules`` (the parser also measures lines against them)."""
    width, height = float(page.width), float(page.height)
    has_grid = _has_vertical_edges(page)
    body_rules = [r for r in rules if height * HEADER_BAND < r.y < height * FOOTER_BAND
                  and r.x1 - r.x0 >= width * MIN_RULE_SHARE]
    if not has_grid and len(body_rules) < 2:
        return []
    chars = page.chars
    words = page_words(chars)
    words.sort(key=lambda w: (w.top, w.x0))
    tables: list[Table] = []
    if has_grid:
        vertical = [c for c in chars if not is_horizontal(c)]
        for found in page.filter(_not_a_fill).find_tables(table_settings=_LINES_SETTINGS):
            table = _ruled_table(found, words, vertical, page_number)
            if table is not None:
                tables.append(table)
    free_rules = [r for r in body_rules if not any(_inside(r, t.bbox) for t in tables)]
    if len(free_rules) >= 2:
        limit = _body_limit(words, rules, width, height)
        body_words = [w for w in words if height * HEADER_BAND < w.top < limit]
        tables.extend(_rule_tables(free_rules, body_words, limit, page_number))
    lines_above = _Lines(words)
    for table in tables:
        table.caption = _caption(table.bbox, lines_above)
    tables.sort(key=lambda t: (t.bbox[1], t.bbox[0]))
    return tables


def _inside(rule: Rule, box: BBox) -> bool:
    return box[1] - 3 <= rule.y <= box[3] + 3 and rule.x0 < box[2] and rule.x1 > box[0]


def _body_limit(words: list[Word], rules: list[Rule], width: float, height: float) -> float:
    """Where the body ends: the footnote separator (a short rule from the left margin, or a line of
    underscores), else the footer. A short rule further right groups a table's column headings."""
    limit = height * FOOTER_BAND
    for rule in rules:
        if rule.y > height * 0.45 and rule.x1 - rule.x0 < width * 0.3 and rule.x0 < width * 0.3:
            limit = min(limit, rule.y)
    for word in words:
        if word.top > height * 0.45 and len(word.text) >= 5 and set(word.text) == {"_"}:
            limit = min(limit, word.top)
    return limit


def _rule_tables(rules: list[Rule], words: list[Word], limit: float, page_number: int) -> list[Table]:
    groups: list[list[Rule]] = []
    for rule in sorted(rules, key=lambda r: r.y):
        for group in groups:
            if abs(group[0].x0 - rule.x0) < 8 and abs(group[0].x1 - rule.x1) < 8:
                group.append(rule)
                break
        else:
            groups.append([rule])
    tables: list[Table] = []
    for group in groups:
        i = 0
        while i < len(group) - 1:
            top, below = group[i], group[i + 1]
            region = [w for w in words if w.x0 >= top.x0 - 4 and w.x1 <= top.x1 + 4]
            head = [w for w in region if top.y < w.middle < below.y]
            after = _lines_of([w for w in region if w.top > below.y and w.top < limit])
            if not head or not after or below.y - top.y > MAX_HEADER_HEIGHT:
                i += 1
                continue
            body_size = statistics.median(w.size for line in after[:4] for w in line)
            if not _heading_like(head, body_size):
                i += 1
                continue
            columns = _header_columns(head)
            end_index, end_y = _table_end(group, i + 1, region, limit, body_size, columns)
            body = [w for w in region if below.y < w.middle < end_y]
            table = _build_rule_table(top, below.y, end_y, head, body, columns, group[i + 2: end_index + 1],
                                      page_number)
            if table is not None:
                tables.append(table)
            i = max(end_index, i + 1)
    return tables


def _heading_like(words: list[Word], body_size: float) -> bool:
    """Column headings are set apart from the body (italic, bold or smaller, never larger, on a few
    lines) and name at least two columns; a section heading between two tables does neither."""
    if len(_lines_of(words)) > 8 or statistics.median(w.size for w in words) > body_size + 0.5:
        return False
    styled = sum(1 for w in words if w.italic or w.bold or w.size < body_size - 0.5)
    figures = sum(1 for w in words if parse_number(w.text) is not None and not _YEAR.match(w.text))
    return styled * 2 > len(words) and figures * 2 <= len(words) and len(_header_columns(words)) >= 2


_YEAR = re.compile(r"^(?:19|20)\d\d$")


def _phrases(line: Sequence[Word]) -> list[tuple[float, float]]:
    """A line's runs of words separated by ordinary spaces (a gap wider than ~1 em ends a run)."""
    phrases: list[tuple[float, float]] = []
    start = end = line[0]
    for word in line[1:]:
        if word.x0 - end.x1 > 0.9 * word.size:
            phrases.append((start.x0, end.x1))
            start = word
        end = word
    phrases.append((start.x0, end.x1))
    return phrases


def _runs_across(line: Sequence[Word], columns: list[tuple[float, float]]) -> bool:
    return any(sum(1 for c in columns if x0 < c[1] and x1 > c[0]) >= 2 for x0, x1 in _phrases(line))


# A source or note line set under a table ends it.
_NOTE = re.compile(r"^(?:Sources?|Notes?|Abbreviations|资料来源|来源|注)[:：]")


def _table_end(
    group: list[Rule], header_index: int, region: list[Word], limit: float, size: float,
    columns: list[tuple[float, float]],
) -> tuple[int, float]:
    """The rule that closes the table (index, y), or the last body line above ``limit`` when it runs on.

    A rule closes the table when what follows it is far below, in another type size, running text
    across the columns (a "Source:" line, the next numbered paragraph, a heading over a paragraph),
    or the next table's headings.
    """
    width = group[header_index].x1 - group[header_index].x0
    for k in range(header_index + 1, len(group)):
        rule = group[k]
        below = _lines_of([w for w in region if rule.y < w.top < limit])
        if not below:
            return k, rule.y
        first = below[0]
        first_size = statistics.median(w.size for w in first)
        if min(w.top for w in first) - rule.y > 1.8 * size or abs(first_size - size) > 1:
            return k, rule.y
        if _running_text(below, columns, width):
            return k, rule.y
        if k + 1 < len(group):
            nxt = group[k + 1]
            between = [w for w in region if rule.y < w.middle < nxt.y]
            if nxt.y - rule.y <= MAX_HEADER_HEIGHT and between and all(w.size < size - 0.5 for w in between):
                return k, rule.y
    start = group[header_index].y
    lines = _lines_of([w for w in region if start < w.top < limit])
    if not lines:
        return header_index, start
    # Runs on to the page end, unless a wide blank band, a bigger heading or running text separates it
    # from what follows (bold headings right above that text go with it).
    end = kept = max(w.bottom for w in lines[0])
    for index in range(1, len(lines)):
        line = lines[index]
        if min(w.top for w in line) - max(w.bottom for w in lines[index - 1]) > 3.5 * size:
            break
        if statistics.median(w.size for w in line) > size + 1.5:
            break  # a section heading
        if _running_text(lines[index:], columns, width):
            end = kept
            break
        end = max(w.bottom for w in line)
        if not (_bold(line) and _runs_across(line, columns)):
            kept = end
    return len(group) - 1, end + 1


def _bold(line: Sequence[Word]) -> bool:
    return all(w.bold for w in line)


def _running_text(lines: list[list[Word]], columns: list[tuple[float, float]], width: float) -> bool:
    """Whether the text starting at ``lines[0]`` is outside the table: a note or source line, a line
    of prose across the columns, or bold headings across the columns over such prose (a bold line
    over tabular lines is a group heading inside the table)."""
    first = lines[0]
    if _NOTE.match(first[0].text):
        return True
    if not _runs_across(first, columns) or _tabular(first):
        return False
    if not _bold(first):
        return first[-1].x1 - first[0].x0 > 0.85 * width or len(lines) == 1 or _runs_across(lines[1], columns)
    for line in lines[1:6]:
        if not _bold(line):
            return line[-1].x1 - line[0].x0 > 0.85 * width and _runs_across(line, columns) and not _tabular(line)
    return False


def _tabular(line: Sequence[Word]) -> bool:
    """A label followed by figures: most words are numbers or nil dashes (a row, however wide, is no prose)."""
    return sum(1 for w in line if w.text in _NIL or parse_number(w.text) is not None) * 2 > len(line)


def _header_columns(head: list[Word]) -> list[tuple[float, float]]:
    """Column extents from the headings: narrow labels first; a label over two columns spans them."""
    # Leaf labels sit on the lowest heading line: take lines bottom-up, so that a group label above
    # them ("Variance" over "Amount | Percentage") spans their columns instead of founding one.
    phrases = [(-line[0].top, phrase) for line in _lines_of(head) for phrase in _phrases(line)]
    columns: list[list[float]] = []
    for _, (x0, x1) in sorted(phrases, key=lambda p: (p[0], p[1][1] - p[1][0])):
        hits = [c for c in columns if x0 < c[1] - 1 and x1 > c[0] + 1]
        if not hits:
            columns.append([x0, x1])
        elif len(hits) == 1:
            hits[0][0], hits[0][1] = min(hits[0][0], x0), max(hits[0][1], x1)
    return sorted((c[0], c[1]) for c in columns)


def _coverage(body: list[Word], x0: float, x1: float) -> list[int]:
    """How many body words cover each point (1 pt steps) between x0 and x1."""
    span = max(1, int(x1 - x0) + 1)
    counts = [0] * span
    for word in body:
        a, b = max(0, int(word.x0 - x0)), min(span, int(word.x1 - x0) + 1)
        for i in range(a, b):
            counts[i] += 1
    return counts


def _boundaries(columns: list[tuple[float, float]], body: list[Word], x0: float, x1: float) -> list[float]:
    """Boundaries between columns: inside each gap between headings, the middle of the emptiest run of the
    body's coverage; plus any wide gutter of the body that no heading sits over."""
    counts = _coverage(body, x0, x1)
    bounds: list[float] = _unheaded_first_column(columns, body, counts, x0)
    for (_, right), (left, _) in itertools.pairwise(columns):
        a, b = int(right - x0) + 1, int(left - x0)
        if b <= a:
            bounds.append((right + left) / 2)
            continue
        window = counts[a:b]
        low = min(window)
        best, best_len, i = a, 0, 0
        while i < len(window):
            if window[i] == low:
                j = i
                while j < len(window) and window[j] == low:
                    j += 1
                if j - i > best_len:
                    best, best_len = a + i, j - i
                i = j
            else:
                i += 1
        bounds.append(x0 + best + best_len / 2)
    # Body gutters (no word at all) wider than 8 pt, bounded by text, not under a heading.
    i = 0
    first = next((k for k, v in enumerate(counts) if v), len(counts))
    last = max((k for k, v in enumerate(counts) if v), default=-1)
    i = first
    while i <= last:
        if counts[i] == 0:
            j = i
            while j <= last and counts[j] == 0:
                j += 1
            gx0, gx1 = x0 + i, x0 + j
            if (j - i >= 8 and not any(c[0] + 1 < gx1 and c[1] - 1 > gx0 for c in columns)
                    and not any(gx0 - 1 <= b <= gx1 + 1 for b in bounds)):
                bounds.append((gx0 + gx1) / 2)
            i = j
        else:
            i += 1
    return sorted(bounds)


def _unheaded_first_column(
    columns: list[tuple[float, float]], body: list[Word], counts: list[int], x0: float,
) -> list[float]:
    """Row labels often have no heading: when body text starts left of the first heading, the widest
    blank run before that heading's right edge separates the label column from it (a long label line
    may reach under the heading, so the run may too)."""
    if not columns or not any(w.x1 < columns[0][0] for w in body):
        return []
    start = int(min(w.x0 for w in body) - x0)
    end = min(len(counts), int(columns[0][1] - x0))
    best, best_len, i = 0, 0, start
    while i < end:
        if counts[i] == 0:
            j = i
            while j < end and counts[j] == 0:
                j += 1
            if j - i > best_len:
                best, best_len = i, j - i
            i = j
        else:
            i += 1
    if best_len < 6:
        return []
    # Keep the boundary left of the heading, which the blank run may pass under.
    return [max(x0 + best + 1, min(x0 + best + best_len / 2, columns[0][0] - 1))]


def _build_rule_table(
    top: Rule, header_bottom: float, end_y: float, head: list[Word], body: list[Word],
    columns: list[tuple[float, float]], inner_rules: list[Rule], page_number: int,
) -> Table | None:
    """Cells of a rule-delimited table: one heading row, then body rows (spanning rows carry their
    text in the first cell and ``None`` after it)."""
    if not body:
        return None
    bounds = _boundaries(columns, body, top.x0, top.x1)
    ncols = len(bounds) + 1
    if ncols < 2:
        return None
    edges = [top.x0, *bounds, top.x1]

    def column_of(word: Word) -> int:
        return bisect_right(bounds, word.center)

    units = _units(body, bounds, column_of)
    rows = _rows(units, [r.y for r in inner_rules])
    if len([r for r in rows if not r.spanning]) < 1:
        return None
    header_cells: list[Cell | None] = []
    for col in range(ncols):
        words = [w for w in head if column_of(w) == col and not _crosses(w, bounds)]
        text = _cell_text(_lines_of(words))
        header_cells.append(Cell(text=text, bbox=(round(edges[col], 2), round(top.y, 2),
                                                  round(edges[col + 1], 2), round(header_bottom, 2))))
    table_rows: list[list[Cell | None]] = [header_cells]
    for row in rows:
        cells: list[Cell | None] = []
        if row.spanning:
            lines = row.cells.get(0, [])
            cells.append(Cell(text=_cell_text(lines), bbox=_box(edges[0], edges[-1], row)))
            cells.extend([None] * (ncols - 1))
        else:
            for col in range(ncols):
                lines = row.cells.get(col, [])
                cells.append(Cell(text=_cell_text(lines), bbox=_box(edges[col], edges[col + 1], row)))
        table_rows.append(cells)
    bbox = (round(top.x0, 2), round(top.y, 2), round(top.x1, 2), round(end_y, 2))
    return Table(page=page_number, bbox=bbox, rows=table_rows, strategy="rules", header_rows=1)


def _box(x0: float, x1: float, row: _Row) -> BBox:
    return (round(x0, 2), round(row.top, 2), round(x1, 2), round(row.bottom, 2))


def _crosses(word: Word, bounds: list[float]) -> bool:
    return any(word.x0 + 2 < b < word.x1 - 2 for b in bounds)


def _units(body: list[Word], bounds: list[float], column_of: Callable[[Word], int]) -> list[_Unit]:
    """Printed lines of the body, split into columns; a line running across a gutter is spanning."""
    units: list[_Unit] = []
    for line in _lines_of(body):
        spanning = any(_crosses(w, bounds) for w in line)
        if not spanning:
            for left, right in itertools.pairwise(line):
                if column_of(left) != column_of(right) and right.x0 - left.x1 < 0.6 * right.size:
                    spanning = True  # an ordinary word space straddles the boundary
                    break
        cells: dict[int, list[Word]] = {}
        if spanning:
            cells[0] = line
        else:
            for word in line:
                cells.setdefault(column_of(word), []).append(word)
        units.append(_Unit(
            top=min(w.top for w in line), bottom=max(w.bottom for w in line), cells=cells, spanning=spanning,
            bold=sum(1 for w in line if w.bold) * 2 > len(line),
        ))
    return units


def _rows(units: list[_Unit], rule_ys: list[float]) -> list[_Row]:
    """Cut the body into rows: at inner rules, at blank bands where the first column or several columns
    start, and wherever a number would land in a cell that already holds one."""
    gaps = []
    last_bottom: dict[int, float] = {}
    for unit in units:
        for col in unit.cells:
            if col in last_bottom:
                gap = unit.top - last_bottom[col]
                if 0 <= gap < 12:
                    gaps.append(gap)
            last_bottom[col] = unit.bottom
    line_gap = _line_gap(gaps)
    rows: list[_Row] = []
    current: _Row | None = None
    col_bottom: dict[int, float] = {}
    for unit in units:
        size = statistics.median(w.size for ws in unit.cells.values() for w in ws)
        threshold = line_gap + 0.3 * size
        new = current is None
        if current is not None:
            row_bottom = current.bottom
            band = unit.top - row_bottom > threshold
            ruled = any(row_bottom - 1 < y < unit.top + 1 for y in rule_ys)
            if unit.spanning and not current.spanning:
                new = True
            elif unit.spanning:
                new = band or ruled
            elif current.spanning:
                # the last line of a group heading can fit inside the first column
                new = band or ruled or set(unit.cells) != {0}
            elif ruled:
                new = True
            else:
                starting = [c for c in unit.cells if c not in current.cells
                            or unit.top - col_bottom.get(c, row_bottom) > threshold]
                new = _starts_row(unit, current, band, starting)
        if new:
            current = _Row(spanning=unit.spanning, top=unit.top, bottom=unit.bottom)
            rows.append(current)
            col_bottom = {}
        assert current is not None
        current.add(unit)
        for col in unit.cells:
            col_bottom[col] = unit.bottom
    return rows


def _line_gap(gaps: list[float]) -> float:
    """The blank between two lines of one cell: the smallest gap that recurs."""
    if not gaps:
        return 2.0
    gaps = sorted(gaps)
    for a, b in itertools.pairwise(gaps):
        if b - a <= 0.5:
            return a
    return gaps[0]


def _starts_row(unit: _Unit, current: _Row, band: bool, starting: list[int]) -> bool:
    """Whether a line opens a new row (given that no rule or spanning heading decides it)."""
    if band:
        # After blank space: a new row when the first column starts, or several columns at once.
        return 0 in unit.cells or len(starting) >= 2
    if any(c in current.cells and _figure(unit.cells[c]) and _figure(current.cells[c][-1]) for c in unit.cells):
        return True  # a figure under a figure: single-line rows set without spacing
    if 0 in unit.cells and set(current.cells) == {0} and _new_label(current.cells[0][-1], unit.cells[0]):
        return True  # a group label ("Civilian personnel") over its first item
    # The next label under a row of figures (UN tables set figures on a label's last line); a label
    # running on to a second line starts in lower case.
    return set(unit.cells) == {0} and _figures_only(current) and not unit.cells[0][0].text[:1].islower()


_CONNECTOR = re.compile(r"(?:\b(?:of|and|or|the|to|for|in|on|by|with|a|an)|[,;:(/-])$", re.IGNORECASE)


def _new_label(previous: list[Word], line: list[Word]) -> bool:
    """A capitalised line under a label that is complete (no trailing "of", "and", comma) or set in
    another weight: a new label, not the label's second line."""
    if not line[0].text[:1].isupper():
        return False
    bold_before = sum(w.bold for w in previous) * 2 > len(previous)
    bold_now = sum(w.bold for w in line) * 2 > len(line)
    return bold_before != bold_now or not _CONNECTOR.search(previous[-1].text)


_NIL = {"–", "—", "-", "‒", "…"}


def _figure(words: list[Word]) -> bool:
    """A number, or the dash printed for nil."""
    text = " ".join(w.text for w in words)
    return bool(words) and (text in _NIL or parse_number(text) is not None)


def _figures_only(row: _Row) -> bool:
    """A row whose cells beside the label hold figures only (a row of a financial table)."""
    others = [lines for col, lines in row.cells.items() if col != 0]
    return bool(others) and all(_figure(lines[-1]) for lines in others)




def _caption(box: BBox, lines: _Lines) -> str | None:
    """The "Table N"/"表 N" line above a table, with the title and unit lines under it."""
    above = lines.above(box)
    block: list[list[Word]] = []
    edge = box[1]
    for top, bottom, words in reversed(above):
        size = statistics.median(w.size for w in words)
        if edge - bottom > (2.5 if not block else 1.2) * size:
            break
        block.insert(0, words)
        edge = top
        text = normalize_text(" ".join(w.text for w in words))
        if CAPTION.match(text):
            return _cell_text(block)
        if len(block) >= 4:
            break
    return None
