"""Line roles on a page: masthead, running header and footer, footnote, table, body; columns."""

from __future__ import annotations

import itertools
import re
import statistics
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from pdfplumber.utils.text import chars_to_textmap

from pipeline.core.document import (
    BBox,
    Line,
    LineRole,
    Page,
)
from pipeline.parse.rules import Rule

HEADER_BAND = 0.085  # share of the page height at the top where running headers sit
FOOTER_BAND = 0.925  # a line starting below this share of the height is in the footer band
MASTHEAD_BAND = 0.25

_MASTHEAD_CUE = re.compile(
    r"^(Distr\.|Original:|United Nations|General Assembly|Security Council|Economic and Social Council"
    r"|Executive Board|联合国|大会|安全理事会|经济及社会理事会|Chinese|English|French|Spanish|Russian|Arabic"
    r"|Limited|Restricted)",
)
_RUNNING = re.compile(
    r"^(\d{1,4}\s*/\s*\d{1,4}|\d{2,4}-\d{5}.*|\*\d{5,}\*|Please recycle.*|请回收.*|[A-Z]{1,5}(/[\w.()\- ]+)+\*?|"
    r"\d{1,4}|\d{6}|(Annex [IVX]+, )?page \d{1,4}|(附件[一二三四五六七八九十]+[，,]\s*)?第\s*\d{1,4}\s*页)$",
    re.IGNORECASE,
)  # the last two: a WIPO annex page's running header ("Annex II, page 3", "附件二，第 3 页")
_FOOTNOTE_MARK = re.compile(r"^(\d{1,3}|[*†‡§]+|[a-z])(\s|[A-Z\u4e00-\u9fff(（])")
_SEPARATOR = re.compile(r"^[_\-–—]{5,}$")


@dataclass
class _RawLine:
    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    size: float
    bold: float
    barcode: bool
    gapped: bool = False
    """The line has a gap wider than a word space: table columns, not prose."""
    framed: bool = False
    ruled_above: bool = False
    """A horizontal rule runs just above the line (within ``RULE_REACH``)."""
    ruled_below: bool = False
    column: int = 0
    """0 outside two-column regions, else 1 (left) or 2 (right); see ``read_columns``."""
    column_top: float = 0.0


WIDE_GAP_EM = 1.0  # a gap inside a line this many character sizes wide is no word space (justified: < 0.9)
GUTTER_MIN_LINES = 5
COLUMN_MIN_SHARE = 0.3  # a line of a text column is at least this share of the page width
EDGE_SLACK = 3.0  # points a column's lines may stray from the edge most of them start at
TABLE_SHARE = 0.5  # a column with this share of its lines gapped (cells) is a table's half, not text
SMALL_PRINT = 0.75  # a character at most this share of its line's size is a mark (superscript, list number)


Gap = tuple[float, float]


@dataclass
class FoundLine:
    """A line as read from the characters, with its wide gaps and the column region it belongs to."""

    line: dict[str, Any]
    gaps: list[Gap]
    column: int = 0
    """0: the line spans its part of the page; 1, 2: left or right column of a two-column region."""
    column_top: float = 0.0
    """Top of the line's column region (its own top when ``column`` is 0): reading goes region by region."""


@dataclass
class _Row:
    """A line as first read over the whole page, reduced to what column detection needs."""

    index: int
    top: float
    bottom: float
    size: float
    segments: list[Gap]
    blocked: bool


@dataclass
class _Region:
    rows: list[_Row]
    cut: float


def read_columns(
    lines: list[dict[str, Any]], page_width: float, page_height: float, blocked: list[BBox]
) -> list[FoundLine]:
    """Find the page's two-column regions and read each column on its own; return all lines in reading
    order (regions and full-width lines top to bottom, in a region the left column before the right).

    pdfplumber reads a page line by line across its whole width, so two columns whose baselines meet are
    interleaved into one line. A region is a run of consecutive lines (top to bottom) that leave a common
    vertical strip free, the gutter: at least ``GUTTER_MIN_LINES`` lines, text columns (lines at least
    ``COLUMN_MIN_SHARE`` of the page wide) with straight left edges on both sides, two lines at least on
    the short side. Headings, prose and tables spanning the page break a region, so full-width parts
    above and below are read as they are; lines in ``blocked`` areas (tables found first) never join one,
    as a table's column gap is no gutter, nor do running headers and footers. Small print hanging left of a column's edge (a list number
    drawn in a circle in the margin) is a mark, not text, and is left out of that column's lines.
    """
    rows = sorted((_row(i, line, blocked) for i, line in enumerate(lines)), key=lambda r: r.top)
    _block_running_lines(rows, page_height)
    regions = _column_regions(rows, page_width)
    in_region = {row.index for region in regions for row in region.rows}
    found = [
        FoundLine(line, _wide_gaps(line["chars"]), 0, line["top"])
        for i, line in enumerate(lines)
        if i not in in_region
    ]
    for region in regions:
        chars = [c for row in region.rows for c in _marked(lines[row.index]["chars"], row.size)]
        top = min(row.top for row in region.rows)
        sides = ([c for c in chars if c["x0"] < region.cut], [c for c in chars if c["x0"] >= region.cut])
        for column, side in enumerate(sides, start=1):
            for line in chars_to_textmap(_without_marks(side), **_LINE_SETTINGS).extract_text_lines(
                return_chars=True
            ):
                found.append(FoundLine(line, _wide_gaps(line["chars"]), column, top))
    return sorted(found, key=lambda f: (f.column_top, f.column, f.line["top"], f.line["x0"]))


def _row(index: int, line: dict[str, Any], blocked: list[BBox]) -> _Row:
    printed = [c for c in line["chars"] if not c["text"].isspace()]
    size = statistics.median(c["size"] for c in printed) if printed else 0.0
    segments: list[Gap] = []
    for char in sorted((c for c in printed if c["size"] > SMALL_PRINT * size), key=lambda c: c["x0"]):
        if segments and char["x0"] - segments[-1][1] < WIDE_GAP_EM * char["size"]:
            segments[-1] = (segments[-1][0], max(segments[-1][1], char["x1"]))
        else:
            segments.append((char["x0"], char["x1"]))
    x, y = (line["x0"] + line["x1"]) / 2, (line["top"] + line["bottom"]) / 2
    inside = any(b[0] - 1 <= x <= b[2] + 1 and b[1] - 1 <= y <= b[3] + 1 for b in blocked)
    return _Row(index, line["top"], line["bottom"], size, segments, inside)


def _block_running_lines(rows: list[_Row], page_height: float) -> None:
    """Lines in the header or footer band set apart from the text by a wider space than between lines
    are running headers and footers, which join no column. Text may run into the bands on pages with
    narrow margins, and then reads on at the usual line spacing."""
    for before, after in itertools.pairwise(rows):
        space = after.top - before.bottom
        if before.bottom <= page_height * HEADER_BAND and space > 1.5 * before.size:
            before.blocked = True
        if after.top >= page_height * FOOTER_BAND and space > 1.5 * after.size:
            after.blocked = True


def _column_regions(rows: list[_Row], page_width: float) -> list[_Region]:
    """Regions found for every candidate gutter position, the largest first, none sharing a line."""
    found: dict[tuple[int, int], _Region] = {}
    for x in _gutter_candidates(rows, page_width):
        run: list[_Row] = []
        for row in [*rows, None]:
            if row is not None and not row.blocked and not any(a < x < b for a, b in row.segments):
                run.append(row)
                continue
            key = (run[0].index, run[-1].index) if run else (-1, -1)
            if run and key not in found:
                region = _region(run, x, page_width)
                if region is not None:
                    found[key] = region
            run = []
    taken: set[int] = set()
    regions: list[_Region] = []
    for region in sorted(found.values(), key=lambda r: -len(r.rows)):
        indexes = {row.index for row in region.rows}
        if not indexes & taken:
            taken |= indexes
            regions.append(region)
    return regions


def _gutter_candidates(rows: list[_Row], page_width: float) -> list[float]:
    """Middles of wide gaps in the middle third of the page: inside a line (columns sharing a baseline)
    or between two lines side by side (columns whose baselines differ)."""
    gaps: list[Gap] = []
    for row in rows:
        gaps.extend((a[1], b[0]) for a, b in itertools.pairwise(row.segments))
    for first, second in itertools.pairwise(rows):
        if first.segments and second.segments and second.top < first.bottom:
            for left, right in ((first, second), (second, first)):
                gaps.append((left.segments[-1][1], right.segments[0][0]))
    middles = {
        round((a + b) / 2)
        for a, b in gaps
        if b - a >= 6 and page_width / 3 <= (a + b) / 2 <= page_width * 2 / 3
    }
    return sorted(middles)


def _region(run: list[_Row], x: float, page_width: float) -> _Region | None:
    """The run of lines as a two-column region around ``x``, or None when it is not one."""
    left = [[s for s in row.segments if s[1] <= x] for row in run]
    right = [[s for s in row.segments if s[0] >= x] for row in run]
    left, right = [s for s in left if s], [s for s in right if s]
    if len(left) + len(right) < GUTTER_MIN_LINES or min(len(left), len(right)) < 2:
        return None
    gutter_left = max(s[-1][1] for s in left)
    gutter_right = min(s[0][0] for s in right)
    size = statistics.median(row.size for row in run)
    if gutter_right - gutter_left < WIDE_GAP_EM * size:
        return None
    for side in (left, right):
        if sum(1 for s in side if s[-1][1] - s[0][0] >= COLUMN_MIN_SHARE * page_width) < 2:
            return None
        if sum(1 for s in side if len(s) > 1) >= TABLE_SHARE * len(side):
            return None  # its lines are cells with wide gaps between them: a borderless table, not prose
        starts = [s[0][0] for s in side]
        if max(sum(1 for x0 in starts if abs(x0 - edge) <= EDGE_SLACK) for edge in starts) < len(side) / 2:
            return None  # no straight edge that most lines start at (hanging numbers and indents aside)
    return _Region(run, gutter_left + 0.25)


def _marked(chars: list[dict[str, Any]], size: float) -> list[dict[str, Any]]:
    """The line's characters, each noted whether it is small print for its line (a superscript, a list
    number): measured against its own line, as a whole line may be set small."""
    return [{**c, "small": c["size"] <= SMALL_PRINT * size} for c in chars]


def _without_marks(chars: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A column's characters without the small print hanging in its left margin (list numbers)."""
    edge = min((c["x0"] for c in chars if not c["small"] and not c["text"].isspace()), default=0.0)
    return [c for c in chars if not c["small"] or c["x0"] >= edge - 1]


def _wide_gaps(chars: list[dict[str, Any]]) -> list[Gap]:
    """Gaps between printed characters of a line wider than any word space: a gutter or a table's column gap."""
    gaps: list[Gap] = []
    previous: dict[str, Any] | None = None
    for char in chars:  # a plain loop: this runs over every character of every page
        if char["text"].isspace():
            continue
        if previous is not None:
            start, end = previous["x1"], char["x0"]
            size = previous["size"] if previous["size"] > char["size"] else char["size"]
            if end - start >= WIDE_GAP_EM * size:
                gaps.append((start, end))
        previous = char
    return gaps


RULE_REACH = 9.0  # a rule this close above or below a line is drawn for it (a table row's rules)


def _measure_rules(lines: list[_RawLine], rules: list[Rule]) -> None:
    """Note whether a horizontal rule runs close above and below each line: small tables set in the text
    (a label and its figures between two rules) are told apart from prose by them. A stroke through a
    line's own box is an underline (a hyperlink) or a strike-through, not a rule."""
    rules = [r for r in rules if not any(ln.top < r.y < ln.bottom and r.x0 < ln.x1 and r.x1 > ln.x0 for ln in lines)]
    for line in lines:
        for rule in rules:
            if rule.x0 < line.x1 and rule.x1 > line.x0:
                line.ruled_above = line.ruled_above or -1 <= line.top - rule.y <= RULE_REACH
                line.ruled_below = line.ruled_below or -1 <= rule.y - line.bottom <= RULE_REACH


def _mark_framed(lines: list[_RawLine], frames: list[BBox], page: Page) -> None:
    """Flag the lines printed inside a drawn frame. A frame around the running header or footer is a
    page border, not a box."""

    boxes = [f for f in frames if not any(_in_band(line, page) and _centred_in(line, f) for line in lines)]
    for line in lines:
        line.framed = any(_centred_in(line, box) for box in boxes)


def _centred_in(line: _RawLine, box: BBox, slack: float = 0.0) -> bool:
    """The line's centre lies in the box (widened by ``slack`` on every side)."""
    x, y = (line.x0 + line.x1) / 2, (line.top + line.bottom) / 2
    return box[0] - slack <= x <= box[2] + slack and box[1] - slack <= y <= box[3] + slack


def _assign_roles(raw_pages: list[tuple[Page, list[_RawLine]]]) -> list[Page]:
    """Give every line a role: masthead, header, footer, footnote, table or body."""
    body_size = _body_font_size(line for _, lines in raw_pages for line in lines)
    repeated = _repeated_band_lines(raw_pages)
    pages: list[Page] = []
    contents: float | None = None
    for page, raw_lines in raw_pages:
        roles: list[LineRole] = ["body"] * len(raw_lines)
        for i, line in enumerate(raw_lines):
            if line.barcode or (_in_band(line, page) and len(line.text) <= 100 and _is_running(line, repeated)):
                roles[i] = "header" if line.top < page.height / 2 else "footer"
        if page.number == 1:
            _mark_masthead(raw_lines, roles, page)
        _mark_footnotes(raw_lines, roles, page, body_size)
        contents = _mark_table_lines(raw_lines, roles, page, contents)
        _mark_ruled_blocks(raw_lines, roles, body_size)
        page.lines = [
            Line(
                text=line.text,
                bbox=(line.x0, line.top, line.x1, line.bottom),
                size=line.size,
                bold=line.bold,
                role=role,
                framed=line.framed,
                column=line.column,
                column_top=line.column_top,
            )
            for line, role in zip(raw_lines, roles, strict=True)
        ]
        pages.append(page)
    return pages


def _mark_table_lines(
    lines: list[_RawLine], roles: list[LineRole], page: Page, contents: float | None
) -> float | None:
    """Lines printed inside a table are the table's cells, not running text; so are the lines of a table
    of contents and figure rows that no ruled table framed (small borderless variance boxes).

    ``contents`` is None outside a table of contents, else the right edge of its page numbers (0 before
    the first entry); it is returned, as a table of contents runs on to the next page."""
    boxes = [table.bbox for table in page.tables]
    for i, line in enumerate(lines):
        if roles[i] != "body":
            continue
        if _CONTENTS_HEADING.match(line.text):
            contents = 0.0
            continue
        if contents is not None and not line.framed:
            if _CONTENTS_ENTRY.search(line.text) or line.text in ("Page", "页次"):
                roles[i] = "table"
                contents = max(contents, line.x1)
                continue
            if _entry_runs_on(lines, roles, i, contents):
                roles[i] = "table"
                continue
        contents = None
        in_table = any(_centred_in(line, box, slack=1.0) for box in boxes)
        if in_table or (line.gapped and _is_figure_row(line.text)):
            roles[i] = "table"
    return contents


MAX_RULED_LINES = 6


def _mark_ruled_blocks(lines: list[_RawLine], roles: list[LineRole], body_size: float) -> None:
    """A few lines hugged by a rule above and one below are set apart from the running text, which keeps
    clear of rules: a small table (a label and its figures, in small print or as a figure row) or a
    ruled box of prose (a results framework's closing "External factors" row), which stays body text
    but framed. A small-print heading sitting on the rule over such a table row belongs to it."""
    order = sorted((i for i, r in enumerate(roles) if r in ("body", "table")), key=lambda i: lines[i].top)
    for start, i in enumerate(order):
        if not lines[i].ruled_above:
            continue
        block = [i]
        for j in order[start + 1 : start + MAX_RULED_LINES]:
            if lines[block[-1]].ruled_below or lines[j].ruled_above:
                break
            previous = lines[block[-1]]
            if lines[j].top - previous.bottom > 1.2 * max(previous.size, lines[j].size):
                break
            block.append(j)
        if not lines[block[-1]].ruled_below:
            continue
        for k in block:
            if roles[k] == "table" or lines[k].size <= body_size - 1 or _is_figure_row(lines[k].text):
                roles[k] = "table"
            else:
                lines[k].framed = True
    for before, after in itertools.pairwise(order):
        on_rule = lines[before].ruled_below and lines[after].ruled_above
        if on_rule and lines[before].size <= body_size - 1 and (roles[before], roles[after]) == ("body", "table"):
            roles[before] = "table"


def _entry_runs_on(lines: list[_RawLine], roles: list[LineRole], i: int, right: float) -> bool:
    """A contents entry without a page number is a long title wrapped over lines, or a group heading
    ("Annex"): one of the next three lines carries the page number, in the page-number column."""
    following = [j for j in range(i + 1, len(lines)) if roles[j] == "body"][:3]
    for j in following:
        if _CONTENTS_ENTRY.search(lines[j].text):
            return not right or abs(lines[j].x1 - right) <= 3
    return False


_CONTENTS_HEADING = re.compile(r"^(Contents|目录|Table des matières|Índice)$")
_CONTENTS_ENTRY = re.compile(r"(?:^|\s)(\d{1,3}|[ivx]{1,5})$")
_FIGURE = re.compile(r"^[(\[]?[-–—$€£%]*\d[\d,. ]*[%)\]]*$|^[-–—]$|^\d{4}/\d{2}$")


def _is_figure_row(text: str) -> bool:
    """A printed line made mostly of figures (amounts, percentages, periods) is a table row. Measured in
    characters, not tokens: Chinese prose has few spaces, so its numbers would look like most tokens."""
    tokens = text.split()
    figures = [token for token in tokens if _FIGURE.match(token)]
    printed = sum(map(len, tokens))
    return len(figures) >= 2 and sum(map(len, figures)) >= 0.5 * printed


REPEATED_SHARE = 0.25  # a header-band line on this share of the pages (and on three) is a running one


def _repeated_band_lines(raw_pages: list[tuple[Page, list[_RawLine]]]) -> set[tuple[str, int]]:
    """Running headers the patterns do not know ("46th meeting - Monday, 1 November 1993 13"): lines in
    the header or footer band printed at the same height on many pages, their numbers aside."""
    pages_with: Counter[tuple[str, int]] = Counter()
    for page, lines in raw_pages:
        pages_with.update({_band_key(line) for line in lines if _in_band(line, page)})
    least = max(3, REPEATED_SHARE * len(raw_pages))
    return {key for key, count in pages_with.items() if count >= least}


def _is_running(line: _RawLine, repeated: set[tuple[str, int]]) -> bool:
    """A header-band line is running text when its pattern says so or it repeats over the pages."""
    return _looks_running(line.text) or _band_key(line) in repeated


def _band_key(line: _RawLine) -> tuple[str, int]:
    return re.sub(r"\d+", "#", line.text), round(line.top)


def _in_band(line: _RawLine, page: Page) -> bool:
    return line.bottom <= page.height * HEADER_BAND or line.top >= page.height * FOOTER_BAND


def _looks_running(text: str) -> bool:
    """Running header/footer text: symbol, page number, job number, stamp, or a combination of them."""
    parts = re.split(r"\s{1,}(?=\d{1,4}\s*/\s*\d|\d{2,4}-\d{5}|\(\w\)\s*\d{6})", text)
    return all(_RUNNING.match(part.strip()) for part in parts if part.strip()) or bool(
        re.fullmatch(
            r"(\d{1,4}/\d{1,4}\s+)?\d{2,4}-\d{5}\s*(\([A-Z]\))?(\s*\d{6})?(\s+\d{1,4}/\d{1,4})?", text
        )
    )


def _body_font_size(lines: Iterable[_RawLine]) -> float:
    weights: Counter[float] = Counter()
    for line in lines:
        weights[round(line.size * 2) / 2] += len(line.text)
    return weights.most_common(1)[0][0] if weights else 10.0


def _mark_masthead(lines: list[_RawLine], roles: list[LineRole], page: Page) -> None:
    """On page 1, the UN masthead (organ, symbol, distribution, date, original language) sits at the top."""
    cue_bottoms = [
        line.bottom
        for line, role in zip(lines, roles, strict=True)
        if role == "body" and line.top < page.height * MASTHEAD_BAND and _MASTHEAD_CUE.match(line.text)
    ]
    if not cue_bottoms:
        return
    limit = max(cue_bottoms) + 2
    for i, line in enumerate(lines):
        if roles[i] == "body" and line.top <= limit:
            roles[i] = "masthead"


def _mark_footnotes(lines: list[_RawLine], roles: list[LineRole], page: Page, body_size: float) -> None:
    """Small-print lines at the foot of the body, starting with a footnote mark, are footnote bodies."""
    order = sorted((i for i, r in enumerate(roles) if r == "body"), key=lambda i: lines[i].top)
    separators = [i for i in order if _SEPARATOR.match(lines[i].text) and lines[i].top > page.height * 0.3]
    if separators:  # Word's footnote separator: what follows it on the page is footnotes
        first = separators[-1]
        for i in order:
            if lines[i].top >= lines[first].top:
                roles[i] = "footnote"
        return
    block: list[int] = []
    for i in reversed(order):
        line = lines[i]
        if line.size <= body_size - 0.75 and line.top > page.height * 0.45:
            block.append(i)
        else:
            break
    if not block:
        return
    block.reverse()
    if _FOOTNOTE_MARK.match(lines[block[0]].text):
        for i in block:
            roles[i] = "footnote"


_LINE_SETTINGS: dict[str, Any] = {"x_tolerance_ratio": 0.15, "y_tolerance": 3}
