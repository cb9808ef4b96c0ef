"""Proposed actions of the General Assembly in a Secretary-General's report.

The section "Actions to be taken by the General Assembly" / "有待大会采取的行动" holds a numbered
paragraph whose chapeau ("The actions to be taken by the General Assembly … are:") introduces
lettered items; each item is one recommendation numbered "54(a)". The chapeau asks for nothing by
itself and is left out. A numbered paragraph in the section with no items that itself asks the
Assembly to act ("The General Assembly is requested to take note of the present report.") is one
recommendation under its paragraph number.

Some reports close instead on a "Recommendation(s)" / "建议" chapter ("四. 建议 — 102. 请大会注意本报告…").
Such a chapter is read the same way, but only its paragraphs that ask the Assembly itself count (a JIU
report's or the Board's recommendations chapter addresses others), and only outside ACABQ and JIU
documents, whose recommendations have their own extractors.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from extractors.base import ExtractionContext
from extractors.lib.deadlines import find_deadline
from extractors.lib.nlp import heading_kind, is_directive, language_key
from extractors.lib.paragraphs import (
    body_paragraphs,
    clean_text,
    document_language,
    document_symbol,
    footnote_marks,
    is_roman_item,
    is_section_heading,
    item_label,
    join_parts,
    labelled_text,
    letter_of,
    paragraph_number,
)
from extractors.lib.records import Recommendation, Record
from pipeline.core.document import Paragraph, ParsedDocument


@dataclass
class _Action:
    number: str
    parts: list[Paragraph] = field(default_factory=list)


@dataclass
class Section:
    """The paragraphs under one actions heading; ``asks_assembly`` for a "Recommendations" chapter, whose
    paragraphs count only where they ask the Assembly."""

    paragraphs: list[Paragraph] = field(default_factory=list)
    asks_assembly: bool = False


_SECTION_KINDS = ("GA_ACTIONS", "RECOMMENDATIONS")
_OWN_EXTRACTORS = ("acabq_report", "jiu_report", "jiu_note", "status_report")
# "The General Assembly is requested to …", "The Assembly may wish to …", "请大会…", "建议大会…", "大会不妨…".
_ASKS_ASSEMBLY = re.compile(
    r"\b(?:the\s+)?(?:General\s+)?Assembly\s+(?:is|may)\s+(?:also\s+|hereby\s+|therefore\s+)?"
    r"(?:requested|invited|wish|recommended)\b|\brecommended\s+that\s+the\s+General\s+Assembly\b"
    r"|(?<![申邀])(?:请|建议)大会|大会(?:不妨|似宜)",
    re.IGNORECASE,
)


def action_sections(paragraphs: list[Paragraph], lang: str, kind: str = "other") -> list[Section]:
    """Each "Actions to be taken by the General Assembly" section, and each "Recommendations" chapter
    of a document whose recommendations no other extractor reads."""
    sections: list[Section] = []
    current: Section | None = None
    for paragraph in paragraphs:
        titled = paragraph.number is None or is_section_heading(paragraph)
        found = heading_kind(paragraph.text, lang) if titled and len(paragraph.text) < 120 else None
        if found == "GA_ACTIONS" or (found == "RECOMMENDATIONS" and kind not in _OWN_EXTRACTORS):
            current = Section(asks_assembly=found == "RECOMMENDATIONS")
            sections.append(current)
        elif current is not None and _ends_section(paragraph):
            current = None
        elif current is not None:
            current.paragraphs.append(paragraph)
    return sections


def _ends_section(paragraph: Paragraph) -> bool:
    """The next chapter, an annex title or a large heading closes the section."""
    if is_section_heading(paragraph):
        return True
    if paragraph.text.startswith(("Annex", "附件")) and len(paragraph.text) < 120:
        return True
    return paragraph.role == "heading" and paragraph.number is None and paragraph.size >= 11.5


def actions(section: list[Paragraph]) -> list[_Action]:
    """Lettered items numbered after their paragraph; sub-items ("(i)") stay inside their item."""
    found: list[_Action] = []
    paragraph_no: str | None = None
    lettered = False
    letter: str | None = None
    current: _Action | None = None
    for paragraph in section:
        number = paragraph_number(paragraph)
        if number:
            paragraph_no, lettered, letter = number, False, None
            current = _Action(number, [paragraph])
            found.append(current)
            continue
        new_letter = letter_of(paragraph, letter)
        if paragraph_no and new_letter:
            if not lettered and found and found[-1].number == paragraph_no:
                found.pop()  # the chapeau
            lettered, letter = True, new_letter
            current = _Action(f"{paragraph_no}({new_letter})", [paragraph])
            found.append(current)
        elif current is not None and (is_roman_item(paragraph) or item_label(paragraph)[0] is None):
            current.parts.append(paragraph)
    return found


def _asks_assembly(section: list[Paragraph], action: _Action, marks: dict[int, set[str]]) -> bool:
    """Whether the action's numbered paragraph (for a lettered item, its chapeau) asks the Assembly to act."""
    number = action.number.split("(")[0]
    head = next((p for p in section if paragraph_number(p) == number), action.parts[0])
    return bool(_ASKS_ASSEMBLY.search(clean_text(head, marks)))


class GaActions:
    """Proposed actions of the General Assembly, one per lettered item, addressed to the Assembly."""

    name = "ga_actions"
    version = "1.1"

    def extract(self, doc: ParsedDocument, context: ExtractionContext) -> Iterator[Record]:
        lang = language_key(document_language(doc, context))
        sections = action_sections(body_paragraphs(doc), lang, context.document.kind)
        if not sections:
            return
        symbol = document_symbol(doc, context)
        if not symbol:
            return
        marks = footnote_marks(doc)
        for section in sections:
            for action in actions(section.paragraphs):
                texts = [clean_text(action.parts[0], marks)] + [labelled_text(p, marks) for p in action.parts[1:]]
                text = join_parts(texts, lang)
                if "(" not in action.number and (text.endswith((":", "：")) or not is_directive(text, lang)):
                    continue  # an explanatory paragraph, or a chapeau whose items did not parse
                if section.asks_assembly and not _asks_assembly(section.paragraphs, action, marks):
                    continue
                yield Recommendation(
                    report=symbol,
                    number=action.number,
                    text=text,
                    addressee="general_assembly",
                    deadline=find_deadline(text, lang),
                    response=None,
                    page=action.parts[0].page,
                    bbox=action.parts[0].bbox,
                    kind="ga_action",
                )
