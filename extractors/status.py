"""Status entries: one per row of a table that tracks recommendations, requests or planned actions.

Which tables count (spec ``status_entries``): an organization's report on JIU recommendations, an
annex "Summary of follow-up action taken to implement relevant recommendations of the oversight
bodies", a Secretary-General's "Summary of follow-up action taken to implement the decisions and
requests of the General Assembly …", an action plan with a status column. They come in two shapes:

* **column tables** — a text column (``Recommendation``, ``Decision/request``, ``活动``) beside a
  status, action-taken or remarks column, maybe symbol, addressee, responsible and date columns.
  Rows are either labelled (``Recommendation 4``, ``(6)``, ``建议 2``; unlabelled rows continue the
  entry) or one entry each (``… (para. 17).``). A table whose rows are whole reports (a ``Title`` or
  ``Total recommendations`` column) is a summary, not a status table.
* **key/value blocks** (WIPO): ``建议 6 | text``, ``接受情况 | 已接受``, ``落实情况 | 已落实``, ``负责人 | …``.

The tracked report comes from a symbol column, a group-heading row inside the table, or the
headings above it ("JIU/REP/2021/6 “…”", "(Resolution 76/274)", "(A/79/724/Add.1 and General
Assembly resolution 79/307)", a heading whose footnote gives the symbol). The addressee comes from
an addressee column or an "addressed to"/"提出的建议" heading; printed status words map to the
spec's values through ``data/status_vocabulary.csv``, and a label nobody mapped stays ``null``
with its raw text kept.

The unruled Board-of-Auditors blocks are read by ``extractors.status_blocks``, status stated in
prose paragraphs by ``extractors.status_prose``; what headings say about the rows under them by
``extractors.status_headings``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from extractors.base import ExtractionContext
from extractors.lib.cues import classify_addressee
from extractors.lib.deadlines import find_deadline, parse_target_date
from extractors.lib.records import Addressee, Record, StatusEntry
from extractors.lib.symbols import find_citations
from extractors.lib.vocabulary import Vocabulary, current_vocabulary, organization_of, read_status
from extractors.status_blocks import block_entries
from extractors.status_headings import ADDRESSED, BODY_HEADING, HeadingContext, running_texts, tracked_symbol
from extractors.status_prose import merge_prose, prose_entries
from extractors.tables import continued_tables, table_header
from pipeline.core.document import BBox, Cell, Line, Page, ParsedDocument, Table
from pipeline.core.text import join_lines, normalize_text

# ---------------------------------------------------------------------------------------------
# Table shapes
# ---------------------------------------------------------------------------------------------

# First match wins, so "Action taken to implement decision/request" is an action column.
_COLUMN_ROLES: list[tuple[str, re.Pattern[str]]] = [
    ("symbol", re.compile(r"symbol|文号|^jiu reports?$|^reports?$|^报告$", re.IGNORECASE)),
    ("due", re.compile(r"target|deadline|time ?frame|timeline|completion date|due date|日期|期限|时限",
                       re.IGNORECASE)),
    ("action", re.compile(r"actions? (?:taken|reported)|remarks|comments?|response|评论|意见|说明|进展|采取的行动",
                          re.IGNORECASE)),
    ("acceptance", re.compile(r"accept|接受", re.IGNORECASE)),
    ("status", re.compile(r"status|状态|状况|落实情况|执行情况|implementation", re.IGNORECASE)),
    ("addressee", re.compile(r"addressee|addressed to|对象", re.IGNORECASE)),
    ("responsible", re.compile(r"responsib|负责|focal point|牵头", re.IGNORECASE)),
    ("number", re.compile(r"^(?:no\.?|number|#|ref\.?|item|序号|编号|项目)$", re.IGNORECASE)),
    ("text", re.compile(r"recommendation|decision|request|建议|决定|要求|请求|活动|activit|action|measure|措施",
                        re.IGNORECASE)),
]
# Rows that are whole reports: a title or a count of recommendations per report.
_REPORT_LEVEL = re.compile(r"\btitle\b|\btotal\b|标题|数量|number of recommendations|链接", re.IGNORECASE)

_KEY_ROLES: list[tuple[str, re.Pattern[str]]] = [
    ("acceptance", re.compile(r"接受情况|^acceptance|^accepted", re.IGNORECASE)),
    ("status", re.compile(r"落实情况|执行情况|^status|^implementation", re.IGNORECASE)),
    ("responsible", re.compile(r"负责|responsib", re.IGNORECASE)),
    ("due", re.compile(r"日期|期限|target|deadline|due", re.IGNORECASE)),
    ("addressee", re.compile(r"addressee|对象", re.IGNORECASE)),
    ("action", re.compile(r"评估|管理层|remarks|comments|response|action", re.IGNORECASE)),
]

# "Recommendation 4", "Recommendation 4.", "建议 6", "(6)", "Rec. 2": the item's printed number.
_LABEL = re.compile(r"^(?:(?:Recommendation|Rec\.|建议)\s*(?P<a>\d{1,3}[a-z]?)\b\s*[.:：]?|[(（](?P<b>\d{1,3}[a-z]?)[)）])\s*")
# "(para. 17)", "(paras. 26–35)", "(para. VIII.12)", "(A/78/7, para. 12)", "（第 17 段）" closing an item.
_PARA_REF = re.compile(
    r"\s*[(（](?:(?P<sym>[A-Z][A-Z0-9.]*/[^,，()（）]*(?:\([^()]*\))?)\s*[,，]\s*)?"
    r"(?:paras?\.|paragraphs?|第)\s*(?P<n>(?:[IVXL]+\.)?\d{1,3}(?:\.\d{1,3})?(?:\s*\([a-z]\))?)(?:\s*段)?[)）]"
    r"(?P<end>[.。;；]?)\s*$"
)
_ITEM_NUMBER = re.compile(r"^(?P<n>\d{1,3})\.\s+(?=\S)")
_ACTION_PLAN = re.compile(r"key actions?|^(?:planned )?actions?$|activit|措施|行动|活动", re.IGNORECASE)
_TERMINAL = tuple(".;:。；：!?！？")


@dataclass
class _Shape:
    kind: str  # "columns" or "keyvalue"
    columns: list[tuple[float, float, str]] = field(default_factory=list)
    """For column tables: the x-range of each column whose role is known, and that role."""
    plain_header: bool = False
    """The first row names the columns although the parser did not mark it (headings in plain type)."""
    action_plan: bool = False
    """Rows are actions ("Key action", "Activity", "措施"): under a recommendation, they track it."""


def _role(label: str) -> str | None:
    for role, pattern in _COLUMN_ROLES:
        if label and pattern.search(label):
            return role
    return None


def _shape(tables: list[Table]) -> _Shape | None:
    """How a (possibly multi-page) table tracks items, or ``None`` when it is no status table."""
    first = tables[0]
    width = max((len(r) for r in first.rows), default=0)
    if first.header_rows:
        return _column_shape(table_header(first), first.rows[: first.header_rows])
    if first.rows and all(c is None or (c.text and len(c.text) <= 60) for c in first.rows[0]):
        shape = _column_shape([_text(c) for c in first.rows[0]], first.rows[:1])
        if shape is not None:
            shape.plain_header = True
            return shape
    if width == 2:
        keys = [_text(row[0]) for t in tables for row in t.rows if row and row[0] is not None]
        items = sum(1 for k in keys if _LABEL.match(k) and len(k) < 12)
        known = {role for k in keys for role, pattern in _KEY_ROLES if pattern.search(k) and len(k) < 30}
        if items and known & {"acceptance", "status"}:
            return _Shape("keyvalue")
    return _labelled_shape(first)


def _column_shape(header: list[str], rows: list[list[Cell | None]]) -> _Shape | None:
    """Roles of the columns from their headings; a status table needs a text column beside a status,
    acceptance or action-taken column, and no column counting recommendations per report."""
    if any(_REPORT_LEVEL.search(h) for h in header):
        return None
    columns: list[tuple[float, float, str]] = []
    for col, label in enumerate(header):
        role = _role(label)
        boxes = [box for row in rows if col < len(row) and (box := _bbox(row[col])) is not None]
        if role and boxes and role not in {r for _, _, r in columns}:
            columns.append((boxes[-1][0], boxes[-1][2], role))
    roles = {r for _, _, r in columns}
    if "text" in roles and roles & {"status", "action", "acceptance"}:
        return _Shape("columns", columns, action_plan=any(
            _ACTION_PLAN.search(label) and _role(label) == "text" for label in header))
    return None


def _labelled_shape(table: Table) -> _Shape | None:
    """A table without headings whose rows start "Recommendation N …" beside a comment: the
    recommendation and its remarks (an annex continued without repeating its headings)."""
    for row in table.rows:
        cells = [c for c in row if c is not None and c.text and c.bbox]
        if len(cells) == 2 and _LABEL.match(cells[0].text) and len(cells[0].text) > 20:
            text, action = cells[0].bbox, cells[1].bbox
            assert text is not None and action is not None
            return _Shape("columns", [(text[0], text[2], "text"), (action[0], action[2], "action")])
    return None


def _cell_role(cell: Cell, columns: list[tuple[float, float, str]]) -> str | None:
    """The role of the column a cell sits under (by horizontal overlap: grids of the header and of
    the body need not line up when rows have merged cells)."""
    if cell.bbox is None:
        return None
    x0, x1 = cell.bbox[0], cell.bbox[2]
    best, best_overlap = None, 0.0
    for c0, c1, role in columns:
        overlap = min(x1, c1) - max(x0, c0)
        if overlap > best_overlap:
            best, best_overlap = role, overlap
    return best if best_overlap > 0.3 * min(x1 - x0, max(1.0, max(c1 - c0 for c0, c1, _ in columns))) else None


def _spans(cell: Cell, columns: list[tuple[float, float, str]]) -> bool:
    if cell.bbox is None:
        return False
    hits = [1 for c0, c1, _ in columns if min(cell.bbox[2], c1) - max(cell.bbox[0], c0) > 0.5 * (c1 - c0)]
    return len(hits) >= 2


def _bbox(cell: Cell | None) -> BBox | None:
    return cell.bbox if cell is not None else None


def _text(cell: Cell | None) -> str:
    return cell.text if cell is not None else ""


# ---------------------------------------------------------------------------------------------
# Entries
# ---------------------------------------------------------------------------------------------


@dataclass
class _Draft:
    number: str | None
    page: int
    bbox: BBox | None
    report: str | None
    addressee: Addressee | None
    accepted_only: bool
    text: list[str] = field(default_factory=list)
    cells: dict[str, list[str]] = field(default_factory=dict)
    first_action: str | None = None
    status_hint: str | None = None
    """Short words printed beside a bare "Recommendation N" line: the status, mapped or not."""
    has_due_column: bool = False

    def add(self, role: str, text: str) -> None:
        if text:
            self.cells.setdefault(role, []).append(text)
            if role == "action" and self.first_action is None:
                self.first_action = text


def _split_label(text: str) -> tuple[str | None, str]:
    match = _LABEL.match(text)
    if not match:
        return None, text
    return match.group("a") or match.group("b"), text[match.end():].strip()


def _para_number(text: str) -> tuple[str | None, str, str | None]:
    """"… of the United Nations (para. 17)." → ("17", "… of the United Nations.", None); a symbol in
    the reference ("(A/78/7, para. 12)") names the report the item comes from."""
    match = _PARA_REF.search(text)
    if not match:
        return None, text, None
    number = re.sub(r"\s+", "", match.group("n"))
    symbol = tracked_symbol(match.group("sym")) if match.group("sym") else None
    return number, text[: match.start()] + match.group("end"), symbol


def _is_heading_row(cells: list[tuple[Cell, str | None]], spanning: bool, labelled: bool) -> bool:
    """A group heading inside the table: a row spanning the columns, or a lone first-column line
    naming a report or an addressee group ("1. Recommendations addressed to the legislative body")."""
    if spanning:
        return True
    if len(cells) != 1:
        return False
    text, role = cells[0][0].text, cells[0][1]
    if _LABEL.match(text) or role not in (None, "text", "symbol", "number"):
        return False  # a lone status or remarks cell continues the row above (it may cite a document)
    if ADDRESSED.search(text) or (find_citations(text) and len(text) < 300):
        return True
    if labelled:
        return False
    return len(text) < 150 and not text.endswith(_TERMINAL)


def _column_entries(
    tables: list[Table], shape: _Shape, ctx: HeadingContext, pages: dict[int, Page],
) -> list[_Draft]:
    columns = shape.columns
    header = [_text(c) for c in tables[0].rows[0]] if shape.plain_header else None
    rows: list[tuple[int, list[Cell]]] = []
    continued: set[int] = set()
    """Ids of first rows on a continuation page: without a number of their own they go on the row above."""
    for i, t in enumerate(tables):
        body = t.rows[t.header_rows:]
        if header is not None and body and [_text(c) for c in body[0]] == header:
            body = body[1:]  # the plain headings, repeated on every page
        for k, printed in enumerate(body):
            rows.append((t.page, [c for c in printed if c is not None]))
            if i and not k:
                continued.add(id(rows[-1][1]))
    labelled = labelled_table = not any(role == "number" for _, _, role in columns) and any(
        _split_label(c.text)[0] for _, row in rows for c in row if c.text and _cell_role(c, columns) == "text"
    )
    has_symbols = any(role == "symbol" for _, _, role in columns)
    numbered_column = any(role == "number" for _, _, role in columns)
    drafts: list[_Draft] = []
    draft: _Draft | None = None
    symbol: str | None = None
    for page, row in rows:
        filled = [(c, _cell_role(c, columns)) for c in row if c.text]
        if not filled:
            continue
        spanning = len(filled) == 1 and (len(row) == 1 or _spans(filled[0][0], columns))
        values: dict[str, list[Cell]] = {}
        for cell, role in filled:
            if role:
                values.setdefault(role, []).append(cell)
        text_cells = values.get("text", [])
        fills_text = labelled and draft is not None and not draft.text and bool(text_cells) and len(filled) == 1
        if _is_heading_row(filled, spanning, labelled) and not fills_text:
            ctx.read(filled[0][0].text, bold=True, page=pages.get(page))
            draft = None
            named_body = BODY_HEADING.match(normalize_text(filled[0][0].text))
            if named_body and labelled_table:
                # Rows of the Board of Auditors or OIOS carry no "Recommendation N" label: each row is
                # its own recommendation, with its printed number or none, never merged into a JIU one.
                labelled = bool(re.match(r"Joint Inspection Unit|联合检查组", named_body.group(0)))
            continue
        text = normalize_text(" ".join(c.text for c in text_cells))
        number, rest = _split_label(text)
        numbered = " ".join(c.text for c in values.get("number", [])).strip().rstrip(".")
        if number is None and numbered and len(numbered) <= 15:
            number = numbered
        for cell in values.get("symbol", []):
            symbol = tracked_symbol(cell.text) or symbol
        if labelled:
            start = number is not None or draft is None
        elif id(row) in continued and draft is not None and number is None and numbered_column:
            start = False
        elif text:
            continues = draft is not None and bool(draft.text) and text[:1].islower() and not (
                draft.text[-1].endswith(_TERMINAL))
            start = not continues
        elif draft is None:
            continue
        else:
            start = False
        if start:
            if number is None and not labelled and not _PARA_REF.search(rest):
                match = _ITEM_NUMBER.match(rest)
                if match:
                    number, rest = match.group("n"), rest[match.end():]
            if number is None and shape.action_plan:
                number = ctx.recommendation  # the recommendation the plan sits under, if any
            box = text_cells[0].bbox if text_cells else filled[0][0].bbox
            draft = _Draft(number=number, page=page, bbox=box,
                           report=symbol if has_symbols and symbol else ctx.report,
                           addressee=ctx.addressee, accepted_only=ctx.accepted_only,
                           has_due_column=any(role == "due" for _, _, role in columns))
            drafts.append(draft)
            if rest:
                draft.text.append(rest)
        elif rest:
            assert draft is not None
            if draft.text and rest[:1].islower() and not draft.text[-1].endswith(_TERMINAL):
                draft.text[-1] = join_lines(draft.text[-1], rest)
            else:
                draft.text.append(rest)
        assert draft is not None
        for role, cells in values.items():
            if role not in ("text", "symbol"):
                for cell in cells:
                    draft.add(role, cell.text)
        if start and labelled and not rest and len(values.get("action", [])) == 1:
            hint = values["action"][0].text
            if len(hint) <= 60 and not hint.endswith(_TERMINAL):
                draft.status_hint = hint
    return drafts


def _keyvalue_entries(tables: list[Table], ctx: HeadingContext) -> list[_Draft]:
    drafts: list[_Draft] = []
    draft: _Draft | None = None
    for table in tables:
        for row in table.rows:
            key, value = _text(row[0]), _text(row[1]) if len(row) > 1 else ""
            number, _rest = _split_label(key)
            if number is not None and len(key) < 12:
                draft = _Draft(number=number, page=table.page, bbox=row[1].bbox if row[1] else None,
                               report=ctx.report, addressee=ctx.addressee, accepted_only=ctx.accepted_only)
                drafts.append(draft)
                if value:
                    draft.text.append(value)
                continue
            if draft is None:
                continue
            for role, pattern in _KEY_ROLES:
                if pattern.search(key):
                    draft.cells.setdefault(role, []).append(value)
                    break
    return drafts


def _entry(draft: _Draft, vocabulary: Vocabulary, language: str | None, organization: str | None) -> StatusEntry:
    text = normalize_text(" ".join(draft.text))
    if draft.number is None:
        draft.number, text, symbol = _para_number(text)
        draft.report = symbol or draft.report
    status_text = normalize_text(" ".join(t for t in draft.cells.get("status", []) if t)) or None
    acceptance_text = normalize_text(" ".join(t for t in draft.cells.get("acceptance", []) if t)) or None
    reading = read_status(vocabulary, status_text, acceptance_text, language, organization)
    if not status_text and draft.first_action and "acceptance" not in draft.cells:
        label, raw = vocabulary.lookup(draft.first_action, language, organization, strict_prefix=True)
        if label:
            reading.acceptance, reading.implementation, reading.implementation_raw = (
                label.acceptance, label.implementation, draft.status_hint or raw)
        elif draft.status_hint:
            reading.implementation_raw = draft.status_hint  # printed as a status, mapped by nobody: kept raw
    remarks = normalize_text(" ".join(draft.cells.get("action", []))) or reading.rest
    reading.read_remarks(vocabulary, remarks, language, organization)
    if reading.acceptance is None and reading.implementation in ("implemented", "in_progress", "not_started") and (
        draft.accepted_only
    ):
        reading.acceptance = "accepted"  # a table of accepted recommendations prints only their progress
    addressee = draft.addressee
    for value in draft.cells.get("addressee", []):
        addressee = classify_addressee(value) or addressee
        break
    responsible = normalize_text(" ".join(draft.cells.get("responsible", []))) or None
    due = None
    for value in draft.cells.get("due", []):
        due = parse_target_date(value, language)
        if due:
            break
    if due is None and text and not draft.has_due_column:
        due = find_deadline(text, language)  # a due-date column that gives no date leaves the row without one
    return StatusEntry(
        report=draft.report,
        number=draft.number,
        text=text,
        addressee=addressee,
        acceptance=reading.acceptance,
        implementation=reading.implementation,
        implementation_raw=reading.implementation_raw,
        acceptance_raw=reading.acceptance_raw,
        responsible=responsible,
        due=due,
        page=draft.page,
        bbox=draft.bbox,
        remarks=remarks,
        previous_status=reading.previous_status,
    )


# ---------------------------------------------------------------------------------------------
# The extractor
# ---------------------------------------------------------------------------------------------


def _outside_tables(line: Line, tables: list[Table]) -> bool:
    middle = (line.bbox[1] + line.bbox[3]) / 2
    return not any(t.bbox[1] - 2 <= middle <= t.bbox[3] + 2 and line.bbox[0] < t.bbox[2]
                   and line.bbox[2] > t.bbox[0] for t in tables)


class StatusExtractor:
    name = "status"
    version = "1.3"

    def extract(self, doc: ParsedDocument, context: ExtractionContext) -> Iterator[Record]:
        language = context.document.language or doc.language_hint
        organization = organization_of(context.document.symbol)
        vocabulary = current_vocabulary()
        entries = list(table_entries(doc, vocabulary, language, organization))
        entries += block_entries(doc, vocabulary, language, organization)
        if context.document.kind == "status_report":
            # Prose status paragraphs only where the document reports on recommendations' status: in a
            # note transmitting comments, "Organizations accept this recommendation" is a response.
            entries = merge_prose(entries, prose_entries(doc, context.document.symbol))
        yield from entries


def table_entries(
    doc: ParsedDocument, vocabulary: Vocabulary, language: str | None, organization: str | None,
) -> Iterator[StatusEntry]:
    """The entries of the document's status tables (column tables and key/value blocks), in reading order."""
    groups = continued_tables(doc)
    pages = {page.number: page for page in doc.pages}
    starts = {(g[0].page, g[0].bbox[1], g[0].bbox[0]): g for g in groups}
    ctx = HeadingContext()
    running = running_texts(doc)
    for page in doc.pages:
        items: list[tuple[float, int, Line | None, list[Table] | None]] = []
        for line in page.lines:
            if line.role == "body" and _outside_tables(line, page.tables) and line.text not in running:
                items.append((line.bbox[1], 1, line, None))
        for table in page.tables:
            group = starts.get((table.page, table.bbox[1], table.bbox[0]))
            if group is not None:
                items.append((table.bbox[1], 0, None, group))
        items.sort(key=lambda item: (item[0], item[1]))
        heading: list[Line] = []
        for _, _, item_line, group in items:
            if item_line is not None:
                if item_line.bold >= 0.6 and (not heading or _same_heading(heading[-1], item_line)):
                    heading.append(item_line)
                    continue
                _read_heading(ctx, heading, page)
                heading = [item_line] if item_line.bold >= 0.6 else []
                if not heading:
                    ctx.read(item_line.text, bold=False, page=page)
                continue
            _read_heading(ctx, heading, page)
            heading = []
            assert group is not None
            shape = _shape(group)
            if shape is None:
                continue
            if shape.kind == "keyvalue":
                drafts = _keyvalue_entries(group, ctx)
            else:
                drafts = _column_entries(group, shape, ctx, pages)
            for draft in drafts:
                entry = _entry(draft, vocabulary, language, organization)
                if entry.text:
                    yield entry
        _read_heading(ctx, heading, page)


def _same_heading(previous: Line, line: Line) -> bool:
    """Bold lines in one type size and without a paragraph gap form one heading."""
    return abs(previous.size - line.size) < 0.5 and 0 <= line.bbox[1] - previous.bbox[3] < 0.8 * line.size


def _read_heading(ctx: HeadingContext, lines: list[Line], page: Page) -> None:
    if lines:
        text = ""
        for line in lines:
            text = join_lines(text, line.text)
        ctx.read(text, bold=True, page=page)
