"""What headings say about the status rows under them: the report tracked, the addressee, the scope.

Shared by the status tables (``extractors.status``) and the unruled blocks (``extractors.status_blocks``).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from extractors.lib.cues import classify_addressee
from extractors.lib.records import Addressee
from extractors.lib.symbols import find_citations
from pipeline.core.document import Page, ParsedDocument
from pipeline.core.text import normalize_text

# A group heading naming an oversight body opens that body's recommendations: a report named by an
# earlier group no longer applies.
BODY_HEADING = re.compile(
    r"^(?:Advisory Committee on Administrative and Budgetary Questions|Board of Auditors|Office of Internal "
    r"Oversight Services|Joint Inspection Unit|Independent Audit Advisory Committee|General Assembly|"
    r"行政和预算问题咨询委员会|审计委员会|内部监督事务厅|联合检查组|独立审计咨询委员会|大会)\b", re.IGNORECASE)
ADDRESSED = re.compile(
    r"addressed to|directed to|for (?:the )?(?:consideration|action) (?:of|by)|提出的建议|向.{0,40}提出|供.{0,20}审议",
    re.IGNORECASE)
# "Annex IV-A. ", "Annex II: ", "附件二：" before the words naming the addressee.
_LABEL_PREFIX = re.compile(r"^(?:Annex|ANNEX|附件)\s*[IVXLC\d一二三四五六七八九十]*(?:-[A-Z])?\s*[.:：]?\s*|^[^:：]{0,30}[:：]\s*")
_ANNEX = re.compile(r"^(?:Annex|ANNEX|附件)\s*[IVXLC\d一二三四五六七八九十]*(?:-[A-Z])?\s*$")
_SECTION = re.compile(r"^(?:[A-H]|[IVX]{1,5})\.\s+\S|^[一二三四五六七八九十]{1,3}、")
# The recommendation a heading or bold paragraph opens: "Recommendation 3: …", "建议 3", "In paragraph 37,
# the Board recommended that …" (an action-plan table under it tracks that recommendation).
_RECOMMENDATION_HEADING = re.compile(
    r"^(?:Recommendation|建议)\s*(?P<r>\d{1,3}[a-z]?)\b(?!\s*[)）])|^(?:\d{1,3}\.\s+)?(?:In|At)\s+paragraphs?\s+"
    r"(?P<p>\d{1,3})[^,]{0,80},\s*(?:[^,]{0,40},\s*)?the\s+Board\b|^(?:审计委员会)?\s*在(?:其报告)?第\s*(?P<z>\d{1,3})\s*段",
    re.IGNORECASE,
)
# The opening sentence of an annex or section saying whose recommendations it lists ("This annex
# provides an overview of JIU recommendations addressed to the Executive Board …", "本附件列出向执行局提出的建议"):
# the addressee of every row below, like a heading's.
_SCOPE_SENTENCE = re.compile(
    r"^This\s+(?:special\s+)?(?:annex|section|table|chapter)\b[^.]{0,120}?\brecommendations\s+(?:addressed|directed)\s+"
    r"to\s+(?P<en>.+)|^本(?:附件|节|表|章)[^。]{0,40}?向(?P<zh>[^。]{1,40}?)提出的[^。]{0,10}建议", re.IGNORECASE)
_ACCEPTED_SCOPE = re.compile(r"(?<!not )\baccepted\b(?! and)[^.]*\brecommendations\b|已接受的.{0,10}建议", re.IGNORECASE)


@dataclass
class HeadingContext:
    """The report, addressee and scope that the headings read so far give the rows below them."""

    report: str | None = None
    addressee: Addressee | None = None
    accepted_only: bool = False
    recommendation: str | None = None
    """The number of the recommendation the last bold heading opened, if it opened one."""

    def read(self, text: str, bold: bool, page: Page | None = None) -> None:
        """Update from a heading line or a group-heading row of a table."""
        text = normalize_text(text)
        if not text:
            return
        if bold:
            opened = _RECOMMENDATION_HEADING.match(text)
            self.recommendation = next((g for g in opened.groups() if g), None) if opened else None
        if _ANNEX.match(text):
            self.report, self.addressee, self.accepted_only = None, None, False
            return
        if (_SECTION.match(text) or (bold and BODY_HEADING.match(text))) and len(text) < 200:
            self.report = None
        if len(text) > (600 if bold else 300):
            return  # a paragraph, not a heading
        bracketed = text.startswith(("(", "（")) and text.endswith((")", "）"))  # "(Resolution 76/274)"
        if bold or bracketed or re.match(r"^JIU/", text):
            symbol = tracked_symbol(text) or (footnote_symbol(text, page) if page and bold else None)
            if symbol:
                self.report = symbol
        if bold and ADDRESSED.search(text):
            addressee = classify_addressee(_LABEL_PREFIX.sub("", text, count=1))
            if addressee and addressee != "other":
                self.addressee = addressee
        scope = _SCOPE_SENTENCE.match(text)
        if scope:
            addressee = classify_addressee(scope.group("en") or scope.group("zh"))
            if addressee and addressee != "other":
                self.addressee = addressee
        if bold and _ACCEPTED_SCOPE.search(text):
            self.accepted_only = True


def running_texts(doc: ParsedDocument) -> set[str]:
    """Lines repeated at the top or foot of several pages: running headers the parser kept as body
    ("DP/FPA/2023/4 (Part II)"), which must not pass for a heading naming a report. Table lines do
    not count: a block's "Status Under implementation" may well open several pages."""
    counts: Counter[str] = Counter()
    for page in doc.pages:
        for line in page.lines:
            if line.role == "body" and (line.bbox[3] < page.height * 0.15 or line.bbox[1] > page.height * 0.85):
                counts[line.text] += 1
    return {text for text, n in counts.items() if n >= 3}


def tracked_symbol(text: str) -> str | None:
    """The report a heading names: its first document or resolution symbol."""
    citations = find_citations(text)
    return citations[0].symbol if citations else None


def footnote_symbol(text: str, page: Page) -> str | None:
    """A heading that names its report only through a footnote ("… 31 December 2021¹", "¹ A/77/94.")."""
    if not text[-1:].isdigit():
        return None
    for line in page.lines:
        if line.role != "footnote":
            continue
        match = re.match(r"^(\d{1,2})\s+(.+)$", line.text)
        if match and text.endswith(match.group(1)):
            citations = find_citations(match.group(2))
            if citations and len(match.group(2)) < 60:
                return citations[0].symbol
    return None
