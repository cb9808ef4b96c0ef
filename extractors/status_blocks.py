"""Status blocks without ruling: the layout of organizations' reports on the Board of Auditors.

Each recommendation is a paragraph, bold in the funds' reports and numbered in plain type in the
Secretary-General's ("In paragraph 38, the Board recommends that UNFPA …", "审计委员会在第 37 段中
建议…"), with labelled lines (Business unit responsible / Department responsible, Status, Priority,
Target date, Revised target date, sometimes a Management response) and the organization's response
in numbered paragraphs, after the labelled lines or before them. A paragraph that no labelled line
follows is prose that merely cites the Board, not a block. Whether the labelled lines are drawn as a small
ruled table or printed as plain lines does not matter: the blocks are read from the page lines.

The Board's report is named by the section heading: a symbol printed in it or in its footnote, or
the year it covers ("Report of the Board of Auditors for the year ended 31 December 2020"). A year
is turned into the Board's symbol for that year by the series' fixed rule: the report on year Y is
issued to the General Assembly's session Y - 1944 (2023 → ``A/79/5/Add.8``; a peacekeeping period
ending 30 June Y, to session Y - 1945), with the addendum or volume the document itself cites for
its Board reports.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

from extractors.lib.deadlines import parse_target_date
from extractors.lib.records import StatusEntry
from extractors.lib.symbols import find_citations
from extractors.lib.vocabulary import Vocabulary, read_status
from extractors.status_headings import footnote_symbol, running_texts, tracked_symbol
from pipeline.core.document import BBox, Line, Page, ParsedDocument
from pipeline.core.text import join_lines, normalize_text

_OPENING = re.compile(
    r"^(?:\d{1,3}\.\s+)?(?:In|At)\s+paragraphs?\s+(?P<n>\d{1,3}(?:\s*\([a-z]\))?)[^,]{0,80},\s*(?:[^,]{0,40},\s*)?"
    r"(?P<text>the\s+Board\b.*)$"
    r"|^(?:\d{1,3}\.\s*)?(?P<zh_body>审计委员会)?\s*在(?:其报告)?第\s*(?P<zn>\d{1,3})\s*段中?\s*[，,]?\s*(?P<zh_text>.*建议.*)$",
    re.IGNORECASE,
)
# The labelled lines of a block, longest label first so "Revised target date" wins over "Target date".
_LABELS: list[tuple[str, re.Pattern[str]]] = [
    ("revised", re.compile(r"^(?:Revised\s+(?:target|due|completion)\s+date|修订(?:后的)?(?:目标|预定)?(?:完成)?日期)",
                           re.IGNORECASE)),
    ("due", re.compile(r"^(?:(?:Original\s+)?(?:Target|Due|Completion)\s+date|Deadline|(?:目标|预定)(?:完成)?日期|完成日期)",
                       re.IGNORECASE)),
    ("responsible", re.compile(
        r"^(?:(?:Business\s+unit|Department|Office|Unit|Division|Entity|Bureau)(?:\(s\))?\s+responsible|"
        r"Responsible(?:\s+(?:office|unit|entity|department|division|bureau)(?:\(s\))?)?|Focal\s+point|"
        r"负责(?:的业务)?(?:部门|单位|实体|办公室|司)|责任(?:部门|单位))", re.IGNORECASE)),
    ("status", re.compile(r"^(?:(?:Implementation\s+)?status(?:\s+of\s+implementation)?|执行情况|落实情况|状况|状态)",
                          re.IGNORECASE)),
    ("acceptance", re.compile(r"^(?:Acceptance|Management\s+acceptance|接受情况)", re.IGNORECASE)),
    ("priority", re.compile(r"^(?:Priority|优先(?:级|次序|等级))", re.IGNORECASE)),
    ("remarks", re.compile(r"^(?:Management(?:'s|’s)?\s+(?:response|comments?)|Comments?|Remarks|"
                           r"管理层(?:的)?(?:答复|回应|意见|评论))", re.IGNORECASE)),
]
_REPORT_HEADING = re.compile(r"^(?:Report\s+of\s+the\s+(?:United\s+Nations\s+)?Board\s+of\s+Auditors|审计委员会.{0,30}报告)",
                             re.IGNORECASE)
_ABOUT_REPORTS = re.compile(r"recommendation|Board\s+of\s+Auditors|\breport\b|建议|审计委员会|报告", re.IGNORECASE)
_YEAR_COVERED = re.compile(
    r"(?:year|period|biennium)\s+ended\s+(?:on\s+)?\d{1,2}\s+(?P<month>[A-Z][a-z]+)\s+(?P<a>(?:19|20)\d{2})"
    r"|\bfor\s+(?:the\s+(?:year|biennium)\s+)?(?:(?:19|20)\d{2}\s*[-–]\s*)?(?P<b>(?:19|20)\d{2})\b"
    r"|截至\s*(?P<c>(?:19|20)\d{2})\s*年\s*(?P<zm>12|6)\s*月\s*3[01]\s*日|(?P<d>(?:19|20)\d{2})\s*年(?:度)?(?:财务)?(?:期间)?的?报告",
)
_TOP_SECTION = re.compile(r"^(?:[IVX]{1,5}\.\s+\S|[一二三四五六七八九十]{1,3}、)")
_PARAGRAPH_NUMBER = re.compile(r"^\d{1,3}\.\s+(?=\S)")
_BOARD_SYMBOL = re.compile(r"^A/(?P<session>\d{2,3})/5(?P<tail>(?:/Add\.\d+| \(Vol\. [IV]+\))?)$")


@dataclass
class _Block:
    """One recommendation block as it is read, line by line."""

    number: str
    page: int
    bbox: BBox
    report: str | None
    text: str
    size: float
    bold: bool
    values: dict[str, str] = field(default_factory=dict)
    labelled: bool = False
    last_role: str | None = None
    label_x: float | None = None
    remarks: list[str] = field(default_factory=list)
    reading: str = "text"  # text → (response) → labels → remarks


class _Reports:
    """The Board report a heading names, by symbol, footnote or year covered."""

    def __init__(self, doc: ParsedDocument) -> None:
        tails: Counter[str] = Counter()
        for page in doc.pages:
            for line in page.lines:
                for citation in find_citations(line.text):
                    match = _BOARD_SYMBOL.match(citation.symbol)
                    if match:
                        tails[match.group("tail")] += 1
        self.tail = tails.most_common(1)[0][0] if tails else None

    def from_heading(self, text: str, page: Page) -> str | None:
        symbol = tracked_symbol(text) or footnote_symbol(text, page)
        if symbol:
            return symbol
        match = _YEAR_COVERED.search(text)
        if match and self.tail is not None:
            year = int(next(match.group(g) for g in "abcd" if match.group(g)))
            # A peacekeeping period ending 30 June goes to the session that opens that September.
            june = match.group("month") == "June" or match.group("zm") == "6"
            return f"A/{year - (1945 if june else 1944)}/5{self.tail}"
        return None


def _label(text: str) -> tuple[str, str] | None:
    """A labelled line's role and value; without a colon the value must open like one ("Status Under
    implementation", not "Status of recommendations from prior years")."""
    for role, pattern in _LABELS:
        match = pattern.match(text)
        if not match or (match.end() < len(text) and text[match.end()].isalnum() and text.isascii()):
            continue
        rest = text[match.end():]
        value = rest.lstrip(" :：").strip()
        if value and not rest.lstrip().startswith((":", "：")) and not (value[0].isupper() or value[0].isdigit()
                                                                     or not value[0].isascii()):
            continue
        return role, value
    return None


def _opening(line: Line) -> tuple[str, str] | None:
    match = _OPENING.match(line.text)
    if not match:
        return None
    if match.group("n"):
        return re.sub(r"\s+", "", match.group("n")), match.group("text")
    return match.group("zn"), (match.group("zh_body") or "") + match.group("zh_text")


def _lines(doc: ParsedDocument, running: set[str]) -> Iterator[tuple[Page, Line]]:
    for page in doc.pages:
        for line in page.lines:
            if line.role in ("body", "table") and line.text not in running:
                yield page, line


def block_entries(
    doc: ParsedDocument, vocabulary: Vocabulary, language: str | None, organization: str | None,
) -> Iterator[StatusEntry]:
    """One status entry per recommendation block, in reading order."""
    reports = _Reports(doc)
    running = running_texts(doc)
    report: str | None = None
    block: _Block | None = None
    heading: list[Line] = []
    heading_page: Page | None = None
    for page, line in _lines(doc, running):
        opening = _opening(line)
        bold = line.bold >= 0.6
        report_heading = line.role == "body" and (bold or _is_report_heading(line.text))
        if block is not None and block.reading == "text" and bold == block.bold and opening is None and (
            abs(line.size - block.size) < 0.5 and _label(line.text) is None and line.role == "body"
            and (bold or not _PARAGRAPH_NUMBER.match(line.text))
        ):
            block.text = join_lines(block.text, line.text)
            continue
        if block is not None and not report_heading and opening is None and _continues(block, line):
            continue
        if block is not None:
            yield from _finish(block, vocabulary, language, organization)
            block = None
        if opening is not None:
            report = _read_heading(heading, heading_page, reports, report)
            heading = []
            block = _Block(number=opening[0], page=page.number, bbox=line.bbox, report=report, text=opening[1],
                           size=line.size, bold=bold)
            continue
        if report_heading:
            if heading and heading_page is page and abs(heading[-1].size - line.size) < 0.5:
                heading.append(line)
                continue
            report = _read_heading(heading, heading_page, reports, report)
            heading, heading_page = [line], page
            continue
        report = _read_heading(heading, heading_page, reports, report)
        heading = []
    if block is not None:
        yield from _finish(block, vocabulary, language, organization)


def _is_report_heading(text: str) -> bool:
    """A plain-type sub-heading naming a Board report ("Report of the Board of Auditors for 2020")."""
    return _REPORT_HEADING.match(text) is not None and len(text) < 160 and not text.endswith((".", "。"))


def _read_heading(lines: list[Line], page: Page | None, reports: _Reports, report: str | None) -> str | None:
    """The report in force after a heading: the one it names, none after a new top-level section."""
    if not lines or page is None:
        return report
    text = ""
    for line in lines:
        text = join_lines(text, line.text)
    if len(text) > 250 or not _ABOUT_REPORTS.search(text):
        return None if _TOP_SECTION.match(text) else report
    named = reports.from_heading(text, page)
    if named:
        return named
    return None if _TOP_SECTION.match(text) else report


def _continues(block: _Block, line: Line) -> bool:
    """Take a line into the block: a labelled line, a label's wrapped value, or the response."""
    labelled = _label(line.text)
    if block.reading != "remarks" and labelled is not None:
        role, value = labelled
        block.reading, block.last_role, block.label_x, block.labelled = "labels", role, line.bbox[0], True
        if role == "remarks":
            block.reading = "remarks"
            if value:
                block.remarks.append(value)
        else:
            block.values[role] = value
        return True
    if block.reading == "labels" and block.last_role and block.label_x is not None and (
        line.bbox[0] > block.label_x + 20 or (line.role == "table" and not block.values.get(block.last_role))
    ):
        block.values[block.last_role] = join_lines(block.values.get(block.last_role, ""), line.text)
        return True
    if line.role != "body":
        return False
    # The response: after the labelled lines, or between the recommendation and its labels.
    block.reading = "response" if block.reading in ("text", "response") else "remarks"
    number = _PARAGRAPH_NUMBER.match(line.text)
    if number or not block.remarks:
        block.remarks.append(line.text[number.end():] if number else line.text)
    else:
        block.remarks[-1] = join_lines(block.remarks[-1], line.text)
    return True


def _finish(block: _Block, vocabulary: Vocabulary, language: str | None, organization: str | None) -> Iterator[StatusEntry]:
    """The entry of a finished block; a paragraph without labelled lines is no block."""
    if not block.labelled:
        return
    values = {role: normalize_text(value) for role, value in block.values.items()}
    reading = read_status(vocabulary, values.get("status"), values.get("acceptance"), language, organization)
    remarks = "\n".join(normalize_text(r) for r in block.remarks if r.strip()) or reading.rest
    reading.read_remarks(vocabulary, remarks, language, organization)
    due_cell = values["revised"] if "revised" in values else values.get("due")
    yield StatusEntry(
        report=block.report,
        number=block.number,
        text=normalize_text(block.text),
        acceptance=reading.acceptance,
        implementation=reading.implementation,
        implementation_raw=reading.implementation_raw,
        acceptance_raw=reading.acceptance_raw,
        responsible=values.get("responsible") or None,
        due=parse_target_date(due_cell, language) if due_cell else None,
        page=block.page,
        bbox=block.bbox,
        remarks=remarks,
        previous_status=reading.previous_status,
    )
