"""Paragraphs rebuilt from body lines across line, column and page breaks."""

from __future__ import annotations

import itertools
import re
import statistics
from collections import Counter

from pipeline.core.document import (
    Line,
    Page,
    Paragraph,
    ParagraphRole,
)
from pipeline.core.text import join_lines, normalize_text
from pipeline.parse.layout import _FOOTNOTE_MARK, _SEPARATOR

PARAGRAPH_NUMBER = re.compile(
    r"^(?P<num>\d{1,3}\.\d{1,3}(?=\s)|\d{1,3}(?:\.\d{1,3})*\.|\([a-z]{1,3}\)|\([ivx]{1,5}\)|[㈠-㈩]|[一二三四五六七八九十]{1,3}[.、．]"
    r"|[IVX]{1,5}\.|[A-H]\.)\s*(?=\S)"
)
_TERMINAL = tuple(".。;；:：!?！？")
_LEADER = re.compile(r"(?:\s?[.·]){4,}\s?|…{2,}")


def build_paragraphs(pages: list[Page]) -> list[Paragraph]:
    """Rebuild paragraphs from body lines, across line and page breaks; footnotes and masthead apart."""
    vocabulary = _vocabulary(pages)
    gap = _typical_line_gap(pages)
    paragraphs: list[Paragraph] = []
    open_body: _Builder | None = None
    for page in pages:
        current: _Builder | None = None
        previous: Line | None = None
        roles: tuple[ParagraphRole, ...] = ("masthead", "footnote")
        for role in roles:
            paragraphs.extend(_simple_paragraphs(page, role, gap, vocabulary))
        body_lines = reading_order([ln for ln in page.lines if ln.role == "body"])
        for line in body_lines:
            if previous is None:
                if open_body is not None and _runs_on(open_body, line):
                    current = open_body
                    current.add(line, page.number, vocabulary)  # the run-on line itself belongs to it
                else:
                    current = _Builder.start(line, page.number)
                    paragraphs.append(current.paragraph)
            elif current is not None and _next_column(previous, line) and _runs_on(current, line):
                current.add(line, page.number, vocabulary)
            elif _starts_new_paragraph(previous, line, gap):
                current = _Builder.start(line, page.number)
                paragraphs.append(current.paragraph)
            else:
                assert current is not None
                current.add(line, page.number, vocabulary)
            previous = line
        if current is not None:
            open_body = current
    for paragraph in paragraphs:
        _finish(paragraph)
    return [p for p in paragraphs if p.text or p.number]


class _Builder:
    """Accumulates the lines of one paragraph."""

    def __init__(self, paragraph: Paragraph, last: Line, sizes: list[float], bolds: list[float]) -> None:
        self.paragraph = paragraph
        self.last = last
        self.sizes = sizes
        self.bolds = bolds

    @classmethod
    def start(cls, line: Line, page: int, role: ParagraphRole = "body") -> _Builder:
        number, text = split_number(line.text)
        paragraph = Paragraph(
            text=text,
            page=page,
            bbox=line.bbox,
            role=role,
            number=number,
            size=line.size,
            bold=line.bold,
            end_page=page,
            framed=line.framed,
        )
        return cls(paragraph, line, [line.size], [line.bold])

    def add(self, line: Line, page: int, vocabulary: set[str]) -> None:
        p = self.paragraph
        p.text = join_lines(p.text, line.text, keep_hyphen=_keep_hyphen(p.text, line.text, vocabulary))
        if page == p.page:
            x0, top, x1, bottom = p.bbox
            p.bbox = (min(x0, line.bbox[0]), top, max(x1, line.bbox[2]), max(bottom, line.bbox[3]))
        p.end_page = page
        self.sizes.append(line.size)
        self.bolds.append(line.bold)
        p.size = round(statistics.median(self.sizes), 2)
        p.bold = round(sum(self.bolds) / len(self.bolds), 2)
        self.last = line


def reading_order(lines: list[Line]) -> list[Line]:
    """Column region by column region (``Line.column_top``), top to bottom; in a two-column region the
    left column before the right one."""
    return sorted(
        lines, key=lambda ln: (ln.column_top if ln.column else ln.bbox[1], ln.column, ln.bbox[1], ln.bbox[0])
    )


def split_number(text: str) -> tuple[str | None, str]:
    """Split UN paragraph numbering (``12.``, ``(a)``, ``㈠``, ``二.``) from the start of a line."""
    match = PARAGRAPH_NUMBER.match(text)
    if not match:
        return None, text
    return match.group("num"), text[match.end() :]


def _starts_new_paragraph(previous: Line, line: Line, gap: float) -> bool:
    if previous.framed != line.framed:
        return True
    space = line.bbox[1] - previous.bbox[3]
    if space > gap + 0.4 * max(line.size, previous.size) or space < -2:
        return True
    if abs(line.size - previous.size) > 0.9:
        return True
    if PARAGRAPH_NUMBER.match(line.text) and (previous.text.endswith(_TERMINAL) or space > gap + 1.5):
        return True
    return bool(previous.bold >= 0.9 > line.bold + 0.5 and len(previous.text) < 120 and space > gap + 1)


def _next_column(previous: Line, line: Line) -> bool:
    """The line starts the next column: it sits right of the previous line and higher up."""
    return line.bbox[0] >= previous.bbox[2] and line.bbox[1] < previous.bbox[1]


def _runs_on(builder: _Builder, line: Line) -> bool:
    """A paragraph runs on to the next page or column when it did not end a sentence and the next line
    is no new item."""
    paragraph = builder.paragraph
    if paragraph.role != "body" or not paragraph.text or paragraph.text.endswith(_TERMINAL):
        return False
    if PARAGRAPH_NUMBER.match(line.text) or line.framed != paragraph.framed:
        return False
    return abs(line.size - builder.last.size) <= 0.9


def _simple_paragraphs(page: Page, role: ParagraphRole, gap: float, vocabulary: set[str]) -> list[Paragraph]:
    """Masthead and footnote lines: a new paragraph at each footnote mark or wide gap."""
    result: list[Paragraph] = []
    current: _Builder | None = None
    previous: Line | None = None
    for line in (ln for ln in page.lines if ln.role == role and not _SEPARATOR.match(ln.text)):
        new = previous is None or line.bbox[1] - previous.bbox[3] > gap + 0.4 * line.size
        if role == "footnote" and _FOOTNOTE_MARK.match(line.text) and previous is not None:
            new = new or line.bbox[0] <= previous.bbox[0] + 1
        if new or current is None:
            current = _Builder.start(line, page.number, role)
            current.paragraph.number = None
            current.paragraph.text = line.text
            result.append(current.paragraph)
        else:
            current.add(line, page.number, vocabulary)
        previous = line
    return result


def _finish(paragraph: Paragraph) -> None:
    paragraph.text = normalize_text(paragraph.text)
    if paragraph.role == "body" and paragraph.number is None and _is_heading(paragraph):
        paragraph.role = "heading"


def _is_heading(paragraph: Paragraph) -> bool:
    return len(paragraph.text) < 160 and paragraph.bold >= 0.8 and not paragraph.text.endswith((".", "。"))


def _typical_line_gap(pages: list[Page]) -> float:
    """The usual space between two lines of one paragraph (the mode over the document)."""
    gaps: Counter[float] = Counter()
    for page in pages:
        body = sorted((ln for ln in page.lines if ln.role == "body"), key=lambda ln: ln.bbox[1])
        for a, b in itertools.pairwise(body):
            space = b.bbox[1] - a.bbox[3]
            if 0 <= space < 20 and abs(a.size - b.size) < 0.5:
                gaps[round(space * 2) / 2] += 1
    return gaps.most_common(1)[0][0] if gaps else 2.0


def _vocabulary(pages: list[Page]) -> set[str]:
    words: set[str] = set()
    for page in pages:
        for line in page.lines:
            words.update(w.lower() for w in re.findall(r"[A-Za-z][A-Za-z-]+[A-Za-z]", line.text))
    return words


def _keep_hyphen(previous: str, following: str, vocabulary: set[str]) -> bool:
    """Keep a line-end hyphen unless the document spells the joined word without it elsewhere."""
    if not previous.endswith("-"):
        return True
    head = re.search(r"([A-Za-z]+)-$", previous)
    tail = re.match(r"([A-Za-z]+)", following)
    if not head or not tail:
        return True
    joined = (head.group(1) + tail.group(1)).lower()
    hyphenated = f"{head.group(1)}-{tail.group(1)}".lower()
    return not (joined in vocabulary and hyphenated not in vocabulary)
