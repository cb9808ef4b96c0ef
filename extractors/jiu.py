"""Formal recommendations of the Joint Inspection Unit (JIU), in JIU reports and in the notes by which
the Secretary-General transmits comments on them.

Both print a recommendation the same way: a "Recommendation N" / "建议 N" label, then the
recommendation in bold (in a box, in a report). In a report that is the whole record; in a note the
numbered paragraphs after it are the organizations' comments, so they become the response. The
informal recommendations of a report (bold sentences in the running text, with no label) are not
tracked by the JIU and are left out, as are the label-only rows of the annex matrix.

A short JIU publication (a brochure, a note's summary) may print no labels: its recommendations are
commands under a lead-in naming who must act ("The executive heads … are called on to:", "Legislative
bodies should:", "请各组织行政首长：", "呼吁立法机构："). Each command paragraph after the lead-in is one
recommendation, addressed to the lead-in's subject, numbered in order over the document.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from extractors.base import ExtractionContext
from extractors.lib.deadlines import find_deadline
from extractors.lib.nlp import heading_kind, is_directive, language_key
from extractors.lib.paragraphs import (
    JIU_SYMBOL,
    body_paragraphs,
    clean_text,
    document_language,
    document_symbol,
    footnote_marks,
    is_section_heading,
    join_parts,
    labelled_text,
    paragraph_number,
)
from extractors.lib.records import Position, Recommendation, Record, Response
from pipeline.core.document import Paragraph, ParsedDocument

_LABEL = re.compile(r"^(?:Recommendation|建议)\s*(?P<n>\d{1,2})(?![\d.,、，和至-])\s*[:：.]?\s*")
# A second label inside a paragraph, after the end of the recommendation before it.
_INLINE_LABEL = re.compile(r"(?<=[.。])\s*(?=(?:Recommendation|建议)\s*\d{1,2}\s*[:：.]?\s*[A-Z\u4e00-\u9fff])")
_TERMINAL = tuple(".;:。；：")
_JIU_TITLE = re.compile(r"^(?:Report|Note) of the Joint Inspection Unit|^联合检查组的?(?:报告|说明)")
_NOTE_TITLE = re.compile(r"^(?:Note by the Secretary-General|秘书长的说明)\s*$")
_COMMENTS_WORD = re.compile(r"\bcomments\b|评论|意见")


# A lead-in: who must act, then "are called on to:" ("is requested to:", "should:"), and nothing after it.
_LEAD_IN = re.compile(
    r"^(?P<subject>\S.{2,200}?)\s+(?:(?:are|is)\s+(?:hereby\s+)?(?:called\s+(?:up)?on|requested|invited|urged"
    r"|encouraged|asked)\s+to|should|shall|must)\s*[:：]$"
    r"|^(?:请|呼吁|促请|吁请)(?P<zh_subject>[^，。；：:]{2,60})[:：]$"
    r"|^(?P<zh_should>[^，。；：:]{2,60})应[:：]$"
)
_COMMAND_END = tuple(".;。；")


@dataclass
class Block:
    """One labelled recommendation as printed: its number, text paragraphs and where it ends."""

    number: str
    text: str
    page: int
    paragraph: Paragraph
    start: int
    """Index (in the body paragraphs) of the label."""
    end: int
    """Index of the first paragraph after the recommendation's text."""


def find_blocks(
    paragraphs: list[Paragraph], lang: str, marks: dict[int, set[str]], *, quoted: bool = False
) -> list[Block]:
    """Every labelled recommendation with a text that asks someone to act, in document order.

    ``quoted``: in a note's comments section a label and its text may share a plain paragraph;
    elsewhere such a paragraph must be bold (a report's box), since status tables print
    "Recommendation 4 Accepted …" and running text says "建议 3 和建议 5".
    """
    blocks: list[Block] = []
    i = 0
    while i < len(paragraphs):
        paragraph = paragraphs[i]
        label = _LABEL.match(paragraph.text) if paragraph.number is None else None
        if label is None:
            i += 1
            continue
        rest = paragraph.text[label.end():].strip()
        if rest:
            blocks.extend(_inline_blocks(paragraph, i, lang, marks, quoted=quoted))
            i += 1
            continue
        parts, j = _text_after(paragraphs, i + 1)
        text = join_parts([labelled_text(p, marks) for p in parts], lang)
        if parts and is_directive(text, lang):
            blocks.append(Block(label.group("n"), text, parts[0].page, parts[0], i, j))
        i = max(j, i + 1)
    return blocks


def _inline_blocks(
    paragraph: Paragraph, index: int, lang: str, marks: dict[int, set[str]], *, quoted: bool
) -> list[Block]:
    """Label and text in one paragraph, possibly several recommendations run together."""
    if paragraph.bold < 0.5 and not quoted:
        return []  # "建议 3 和建议 5 …" in running text, a status table's cell
    found = []
    for piece in _INLINE_LABEL.split(clean_text(paragraph, marks)):
        label = _LABEL.match(piece.strip())
        if label is None:
            continue
        text = piece.strip()[label.end():].strip()
        if text and is_directive(text, lang):
            found.append(Block(label.group("n"), text, paragraph.page, paragraph, index, index + 1))
    return found


def _text_after(paragraphs: list[Paragraph], start: int) -> tuple[list[Paragraph], int]:
    """The paragraphs of the recommendation after its label: unnumbered (or sub-item) bold text."""
    parts: list[Paragraph] = []
    j = start
    while j < len(paragraphs):
        paragraph = paragraphs[j]
        if _LABEL.match(paragraph.text) or paragraph_number(paragraph) or is_section_heading(paragraph):
            break
        if parts and (
            parts[0].bold >= 0.5 > paragraph.bold
            or (paragraph.number is None and parts[0].bold < 0.5)
            or abs(paragraph.size - parts[0].size) > 0.5  # an annex title after the last box
            or (paragraph.number is None and parts[-1].text.endswith(_TERMINAL)
                and not paragraph.text.endswith(_TERMINAL))  # a subheading after the box
        ):
            break
        parts.append(paragraph)
        j += 1
    return parts, j


def command_blocks(paragraphs: list[Paragraph], marks: dict[int, set[str]]) -> list[tuple[Block, str]]:
    """Commands under lead-ins, each with the lead-in's subject: the paragraphs after a lead-in, in the
    lead-in's type size and ending a sentence (or a list item), up to a heading or other text."""
    found: list[tuple[Block, str]] = []
    for i, paragraph in enumerate(paragraphs):
        lead = _LEAD_IN.match(paragraph.text) if paragraph.role == "body" else None
        if lead is None:
            continue
        subject = next(group for group in lead.groups() if group)
        j = i + 1
        while j < len(paragraphs):
            command = paragraphs[j]
            if (
                command.role != "body"
                or is_section_heading(command)
                or abs(command.size - paragraph.size) > 0.5
                or not command.text.endswith(_COMMAND_END)
                or _LEAD_IN.match(command.text)
            ):
                break
            number = str(len(found) + 1)
            found.append((Block(number, clean_text(command, marks), command.page, command, j, j + 1), subject))
            j += 1
    return found


def _record(
    block: Block, report: str, response: Response | None, addressee_text: str | None = None
) -> Recommendation:
    from extractors.lib.cues import classify_addressee

    return Recommendation(
        report=report,
        number=block.number,
        text=block.text,
        addressee=classify_addressee(addressee_text or block.text),
        deadline=find_deadline(block.text),
        response=response,
        page=block.page,
        bbox=block.paragraph.bbox,
        kind="jiu",
    )


def comments_start(paragraphs: list[Paragraph], lang: str) -> int | None:
    """Where a Secretary-General's note starts commenting on the recommendations, if it is one.

    Either its "Comments on specific recommendations" / "对具体建议的意见" heading, or, for a note
    with no such heading, its "Note by the Secretary-General" title when the note transmits comments
    on a JIU report (and is not itself the transmitted report).
    """
    for i, paragraph in enumerate(paragraphs):
        if len(paragraph.text) < 120 and heading_kind(paragraph.text, lang) == "COMMENTS":
            return i
    early = [p for p in paragraphs if p.page <= 2]
    if any(_JIU_TITLE.match(p.text) for p in early if len(p.text) < 100):
        return None
    title = next((i for i, p in enumerate(paragraphs) if p.page <= 2 and _NOTE_TITLE.match(p.text)), None)
    if title is not None and any(JIU_SYMBOL.search(p.text) and _COMMENTS_WORD.search(p.text) for p in early):
        return title
    return None


def _compact(symbol: str) -> str:
    return re.sub(r"\s+", "", symbol)


def _own_jiu_symbol(doc: ParsedDocument, context: ExtractionContext) -> str | None:
    """The symbol a JIU report's recommendations are filed under: its JIU symbol."""
    own = document_symbol(doc, context)
    if own and own.startswith("JIU/"):
        return own
    for paragraph in doc.paragraphs:
        if paragraph.page <= 2:
            match = JIU_SYMBOL.search(paragraph.text)
            if match:
                return _compact(match.group(0))
    return own


def is_jiu_report(doc: ParsedDocument, context: ExtractionContext) -> bool:
    """A JIU report or note: by its symbol, its kind, or the "Report of the Joint Inspection Unit" title."""
    if context.document.kind in ("jiu_report", "jiu_note"):
        return True
    own = document_symbol(doc, context)
    if own and own.startswith("JIU/"):
        return True
    return any(p.page <= 3 and len(p.text) < 100 and _JIU_TITLE.match(p.text) for p in doc.paragraphs)


class JiuRecommendations:
    """Each formal (labelled) recommendation of a JIU report once, with addressee and deadline."""

    name = "jiu_recommendations"
    version = "1.2"

    def extract(self, doc: ParsedDocument, context: ExtractionContext) -> Iterator[Record]:
        lang = language_key(document_language(doc, context))
        paragraphs = body_paragraphs(doc)
        if comments_start(paragraphs, lang) is not None or not is_jiu_report(doc, context):
            return
        report = _own_jiu_symbol(doc, context)
        if not report:
            return
        marks = footnote_marks(doc)
        blocks = find_blocks(paragraphs, lang, marks)
        for block in _once(blocks, paragraphs):
            yield _record(block, report, None)
        if not blocks:
            for block, subject in command_blocks(paragraphs, marks):
                yield _record(block, report, None, addressee_text=subject)


def _once(blocks: list[Block], paragraphs: list[Paragraph]) -> list[Block]:
    """One block per number: the one in the body, not the executive summary's copy.

    The body starts at the first numbered paragraph; a summary before it repeats the
    recommendations, so the first occurrence after that point is kept (or the only one).
    """
    body_start = next((i for i, p in enumerate(paragraphs) if paragraph_number(p) == "1"), 0)
    chosen: dict[str, Block] = {}
    for block in blocks:
        current = chosen.get(block.number)
        if current is None or (current.start < body_start <= block.start):
            chosen[block.number] = block
    return sorted(chosen.values(), key=lambda b: b.start)


class JiuComments:
    """JIU recommendations quoted in a Secretary-General's note, with the organizations' comments."""

    name = "jiu_comments"
    version = "1.1"

    def extract(self, doc: ParsedDocument, context: ExtractionContext) -> Iterator[Record]:
        lang = language_key(document_language(doc, context))
        paragraphs = body_paragraphs(doc)
        start = comments_start(paragraphs, lang)
        if start is None:
            return
        report = self._report(doc, context, paragraphs)
        if not report:
            return
        marks = footnote_marks(doc)
        blocks = [b for b in find_blocks(paragraphs, lang, marks, quoted=True) if b.start > start]
        for k, block in enumerate(blocks):
            stop = blocks[k + 1].start if k + 1 < len(blocks) else len(paragraphs)
            yield _record(block, report, self._response(paragraphs[block.end:stop], marks))

    @staticmethod
    def _report(doc: ParsedDocument, context: ExtractionContext, paragraphs: list[Paragraph]) -> str | None:
        """The JIU report commented on: the first JIU symbol in the note's text (its opening sentence
        names it), else the report's General Assembly symbol when the note is its addendum."""
        for paragraph in paragraphs:
            match = JIU_SYMBOL.search(paragraph.text)
            if match:
                return _compact(match.group(0))
        own = document_symbol(doc, context)
        base = re.sub(r"/Add\.\d+$", "", own or "")
        if base and base != own and any(base in p.text for p in paragraphs):
            return base
        return None

    @staticmethod
    def _response(paragraphs: list[Paragraph], marks: dict[int, set[str]]) -> Response | None:
        """The comment paragraphs up to the next section: numbers dropped, one per line."""
        from extractors.lib.cues import classify_position

        texts: list[str] = []
        for paragraph in paragraphs:
            if is_section_heading(paragraph) or (paragraph.role == "heading" and texts):
                break
            if paragraph.role == "body" and (paragraph_number(paragraph) or texts):
                texts.append(clean_text(paragraph, marks))
        if not texts:
            return None
        position: Position | None = classify_position(texts[0]) or classify_position("\n".join(texts))
        return Response(position=position, text="\n".join(texts))
