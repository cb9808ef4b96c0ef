"""Status stated in prose: one body paragraph per tracked recommendation, its status in a sentence.

Organizations' reports on JIU recommendations often give no status table for a report's
recommendations but a paragraph each, under a heading naming the report ("Detailed
recommendations: (JIU/REP/2023/6)"):

    11. Recommendation 1. UNFPA has updated its policies … This recommendation is fully accepted
        and in progress.
    14. Recommendation 4, addressed to legislative bodies. UNFPA commits to … This recommendation
        is accepted.
    12. 建议 2（向立法机构提出）。儿基会已更新其政策…。该建议已被接受，正在落实。

Conventions read here (English and Chinese alike):

* A paragraph is a status entry only if it opens with the recommendation's label ("Recommendation N",
  "建议 N") and holds a **status sentence**: one that names the recommendation ("this
  recommendation", "该建议", "这项建议") and states its acceptance or implementation. A paragraph
  that only restates a recommendation is no status entry.
* ``report`` is the symbol of the nearest heading above that names one (running heads left out).
* ``acceptance`` and ``implementation`` come from the status sentence's own words; a sentence that
  states only acceptance leaves ``implementation`` null. ``implementation_raw`` is the sentence.
* ``text`` is the paragraph between the label and the status sentence (the organization's
  account of the recommendation, the only text of it the document prints); ``remarks`` too.
* ``addressee``: the label's clause ("addressed to the legislative bodies", "（向立法机构提出）"); a
  JIU recommendation without one is addressed to the executive head, the JIU's only other
  addressee.

Where a table later in the document (an annex) lists the same recommendation, the two are one
entry: ``merge_prose`` fills the table row's missing status from the paragraph.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from extractors.lib.cues import classify_addressee
from extractors.lib.records import Acceptance, Addressee, Implementation, StatusEntry
from extractors.status_headings import running_texts, tracked_symbol
from pipeline.core.document import Paragraph, ParsedDocument
from pipeline.core.text import is_cjk, normalize_text

_LABEL = re.compile(
    r"^(?:Recommendation\s+(?P<n>\d{1,3}[a-z]?)(?P<clause>\s*[,(]\s*(?:addressed|directed)\s+to\b[^.;)]*\)?)?"
    r"\s*[.:]\s*"
    r"|建议\s*(?P<zn>\d{1,3})(?P<zclause>\s*[（(，,][^。）)]*(?:提出|对象)[^。）)]*[）)]?)?\s*[。：:.]?\s*)",
    re.IGNORECASE,
)
_SENTENCES = re.compile(r"(?<=[.!?])\s+(?=[A-Z“\"(])|(?<=[。！？])")
_NAMES_IT = re.compile(r"\b(?:this|the)\s+recommendation\b|(?:该|这项|此项|本项|这一)建议", re.IGNORECASE)

_ACCEPTANCE: list[tuple[Acceptance, re.Pattern[str]]] = [
    ("not_relevant", re.compile(r"\bnot\s+relevant\b|不相关", re.IGNORECASE)),
    ("not_accepted", re.compile(r"\bnot\s+(?:been\s+)?accepted\b|\bdo(?:es)?\s+not\s+accept\b|\brejected\b"
                                r"|不(?:予)?接受|未(?:被|获|予)?接受", re.IGNORECASE)),
    ("partially_accepted", re.compile(r"\bpartially\s+accept(?:ed|s)?\b|\baccept(?:ed|s)?\s+in\s+part\b|部分接受",
                                      re.IGNORECASE)),
    ("under_consideration", re.compile(r"\bunder\s+(?:consideration|review)\b|正在审议|审议中", re.IGNORECASE)),
    ("accepted", re.compile(r"\baccept(?:ed|s)\b|接受", re.IGNORECASE)),
]
# First match wins: the negated and ongoing forms before the bare "implemented" / "落实".
_IMPLEMENTATION: list[tuple[Implementation, re.Pattern[str]]] = [
    ("not_started", re.compile(r"\bnot\s+(?:yet\s+)?(?:been\s+)?(?:started|begun|initiated)\b|尚未(?:启动|开始)|未启动",
                               re.IGNORECASE)),
    ("not_implemented", re.compile(r"\bnot\s+(?:yet\s+)?(?:been\s+)?implemented\b|尚未落实|未落实|未执行",
                                   re.IGNORECASE)),
    ("in_progress", re.compile(
        r"\bin\s+progress\b|\bunder\s+(?:implementation|way)\b|\bunderway\b|\b(?:being|actively|partially)\s+"
        r"implemented\b|\bimplementation\s+(?:is\s+)?(?:ongoing|started|has\s+started)\b|\bmade\s+(?:\w+\s+)?progress\b"
        r"|正在(?:落实|执行|实施)|执行中|进行中|部分落实", re.IGNORECASE)),
    ("implemented", re.compile(r"\b(?:fully\s+)?implemented\b|\bhas\s+been\s+completed\b|已(?:全面)?(?:落实|执行|实施|完成)",
                               re.IGNORECASE)),
]


def _status_sentence(sentence: str) -> tuple[Acceptance | None, Implementation | None] | None:
    """What a sentence naming the recommendation says of its status; ``None`` if it says nothing."""
    if not _NAMES_IT.search(sentence):
        return None
    acceptance = next((value for value, pattern in _ACCEPTANCE if pattern.search(sentence)), None)
    implementation = next((value for value, pattern in _IMPLEMENTATION if pattern.search(sentence)), None)
    if acceptance is None and implementation is None:
        return None
    if acceptance == "not_relevant":
        implementation = "not_relevant"
    return acceptance, implementation


def _heading_symbol(paragraph: Paragraph, running: set[str], own: str | None) -> str | None:
    """The report a heading names; a running head (the document's own symbol, or a line repeated on
    many pages) names none."""
    if paragraph.bold < 0.6 and paragraph.role != "heading":
        return None
    if paragraph.text in running or len(paragraph.text) > 400:
        return None
    symbol = tracked_symbol(normalize_text(paragraph.text))
    return None if symbol is not None and symbol == own else symbol


def _labelled(paragraph: Paragraph) -> str:
    """The paragraph's text with a "建议 N"/"Recommendation N" the parser took for its number put back."""
    number = paragraph.number or ""
    if re.match(r"^(?:Recommendation|建议)", number, re.IGNORECASE):
        return normalize_text(f"{number} {paragraph.text}")
    return normalize_text(paragraph.text)


def prose_entries(doc: ParsedDocument, own_symbol: str | None = None) -> Iterator[StatusEntry]:
    """One status entry per "Recommendation N … <status sentence>" paragraph, in reading order."""
    running = running_texts(doc)
    report: str | None = None
    for paragraph in doc.paragraphs:
        if paragraph.role not in ("body", "heading"):
            continue
        symbol = _heading_symbol(paragraph, running, own_symbol)
        if symbol is not None:
            report = symbol
            continue
        text = _labelled(paragraph)
        label = _LABEL.match(text)
        if label is None:
            continue
        sentences = [s.strip() for s in _SENTENCES.split(text[label.end():]) if s.strip()]
        statuses: list[str] = []
        acceptance: Acceptance | None = None
        implementation: Implementation | None = None
        while sentences:
            stated = _status_sentence(sentences[-1])
            if stated is None:
                break
            statuses.insert(0, sentences.pop())
            acceptance = acceptance or stated[0]
            implementation = implementation or stated[1]
        if not statuses:
            continue
        clause = label.group("clause") or label.group("zclause")
        addressee: Addressee | None = classify_addressee(clause.strip(" ,，(（)）")) if clause else None
        if addressee in (None, "other") and report and report.startswith("JIU/"):
            addressee = "executive_heads"
        separator = "" if any(is_cjk(ch) for ch in text) else " "
        account = separator.join(sentences) or None
        yield StatusEntry(
            report=report,
            number=label.group("n") or label.group("zn"),
            text=account or "",
            addressee=addressee,
            acceptance=acceptance,
            implementation=implementation,
            implementation_raw=separator.join(statuses),
            page=paragraph.page,
            bbox=paragraph.bbox,
            remarks=account,
        )


def merge_prose(entries: list[StatusEntry], prose: Iterator[StatusEntry]) -> list[StatusEntry]:
    """Add the prose entries; one that a table row already tracks (same report and number) only
    fills the row's missing acceptance and implementation: one entry per recommendation."""
    rows: dict[tuple[str | None, str | None], StatusEntry] = {
        (e.report, e.number): e for e in entries if e.report and e.number}
    merged = list(entries)
    for entry in prose:
        row = rows.get((entry.report, entry.number))
        if row is None:
            merged.append(entry)
            rows[(entry.report, entry.number)] = entry
            continue
        row.acceptance = row.acceptance or entry.acceptance
        if row.implementation is None and entry.implementation is not None:
            row.implementation = entry.implementation
        row.implementation_raw = row.implementation_raw or entry.implementation_raw
        row.addressee = row.addressee or entry.addressee
        row.remarks = "\n".join(r for r in (entry.remarks, row.remarks) if r) or None
    return merged
