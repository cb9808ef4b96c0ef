"""Recommendations of the Advisory Committee on Administrative and Budgetary Questions (ACABQ).

One record per numbered paragraph in which the Committee recommends ("The Advisory Committee
recommends …", "reiterates its recommendation", "行预咨委会建议…", "重申其建议"): the spec makes the
whole paragraph the text, so a paragraph with two recommending sentences is one record. Paragraphs
that only trust, expect, request or emphasise are observations and are skipped. Only ACABQ reports
are read: Secretary-General's reports quote the Committee's recommendations in their follow-up
tables, and those quotations are not recommendations made by the document.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from extractors.base import ExtractionContext
from extractors.lib.deadlines import find_deadline
from extractors.lib.nlp import Cue, committee_recommendations, language_key
from extractors.lib.paragraphs import (
    Item,
    clean_text,
    document_language,
    document_symbol,
    footnote_marks,
    join_parts,
    labelled_text,
    numbered_items,
    paragraph_number,
)
from extractors.lib.records import Addressee, Recommendation, Record
from pipeline.core.document import ParsedDocument

_ACABQ_TITLE = re.compile(
    r"Report of the Advisory Committee on Administrative and Budgetary Questions"
    r"|(?:行政和预算问题咨询委员会|行预咨委会|咨询委员会)(?:关于[^。；]{1,80}?)?的(?:第[一二三四五六七八九十百]+次)?报告",
    re.IGNORECASE,
)
# "recommends that the Secretary-General …" addresses the Secretary-General, unless he is to "be requested".
_THAT_CLAUSE_EN = re.compile(r"\brecommend(?:s|ation|ations)?\s+that\s+(?P<rest>.{0,120})", re.IGNORECASE)
_PASSIVE_EN = re.compile(r"^(?:the\s+)?[\w\s-]{0,40}?\bbe\s+(?:requested|asked|invited|encouraged|urged)\b",
                         re.IGNORECASE)
# "建议大会…", and the reiterated form "重申其建议，即秘书长…", whose "即" introduces what was recommended.
_ZH_DIRECT = re.compile(r"建议\s*[，,:：]?\s*(?:即\s*)?(?P<rest>.{0,40})")


def is_acabq_report(doc: ParsedDocument, context: ExtractionContext) -> bool:
    """An ACABQ report says so under its title on the first page(s)."""
    if context.document.kind == "acabq_report":
        return True
    return any(
        p.page <= 2 and p.role in ("heading", "body") and len(p.text) < 200 and _ACABQ_TITLE.search(p.text)
        for p in doc.paragraphs
    )


def addressee_of(cue: Cue, lang: str) -> Addressee:
    """The General Assembly, to whom the Committee reports, unless the sentence names another actor.

    "recommends that the General Assembly request the Secretary-General" and "recommends that the
    Secretary-General be requested to" both stay with the Assembly; "recommends that Member States …"
    does not.
    """
    from extractors.lib.cues import classify_addressee

    if lang == "zh":
        match = _ZH_DIRECT.search(cue.sentence)
        rest = match.group("rest") if match else ""
        if rest.startswith(("大会", "请", "核准", "批准", "不")):
            return "general_assembly"
    else:
        match = _THAT_CLAUSE_EN.search(cue.sentence)
        rest = match.group("rest") if match else ""
        if not rest or _PASSIVE_EN.match(rest) or re.match(r"(?:the\s+)?(?:General\s+)?Assembly\b", rest):
            return "general_assembly"
    head = re.split(r"[,，;；]", rest, maxsplit=1)[0]
    found = classify_addressee(head) if head else None
    if found in ("secretary_general", "member_states", "executive_heads", "legislative_bodies"):
        return found
    return "general_assembly"


class AcabqRecommendations:
    """Advisory Committee recommendations, one per numbered paragraph of an ACABQ report."""

    name = "acabq_recommendations"
    version = "1.1"

    def extract(self, doc: ParsedDocument, context: ExtractionContext) -> Iterator[Record]:
        if not is_acabq_report(doc, context):
            return
        symbol = document_symbol(doc, context)
        if not symbol:
            return
        lang = language_key(document_language(doc, context))
        marks = footnote_marks(doc)
        for item in numbered_items(doc):
            record = self._record(item, symbol, lang, marks)
            if record is not None:
                yield record

    def _record(self, item: Item, symbol: str, lang: str, marks: dict[int, set[str]]) -> Recommendation | None:
        head = clean_text(item.first, marks)
        subitems = [labelled_text(part, marks) for part in item.parts[1:]]
        text = join_parts([head, *subitems], lang)
        cues = committee_recommendations(text, lang)
        if not cues:
            return None
        recommending = join_parts([cue.sentence for cue in cues], lang)
        if recommending.endswith((":", "：")):
            recommending = join_parts([recommending, *subitems], lang)  # "recommends that the Assembly: (a) …"
        return Recommendation(
            report=symbol,
            number=paragraph_number(item.first) or "",
            text=text,
            addressee=addressee_of(cues[0], lang),
            deadline=find_deadline(recommending, lang),
            response=None,
            page=item.page,
            bbox=item.bbox,
            kind="acabq",
        )
