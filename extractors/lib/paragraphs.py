"""Shared pieces of the recommendation extractors (``jiu``, ``acabq``, ``sg``).

They all read the same things off a parsed document: its language and own symbol, its body
paragraphs in reading order with their UN numbering, and the page's footnote marks (which the
parser leaves glued to the word they follow and the spec wants gone). Keeping those here means
the three extractors agree on them.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from extractors.base import ExtractionContext
from pipeline.core.document import BBox, Paragraph, ParsedDocument
from pipeline.core.text import normalize_text

# A UN document symbol at the start of a running header or the masthead ("A/80/596", "JIU/REP/2025/1").
_SYMBOL_AT = re.compile(r"(?<![\w/])([A-Z][A-Z.]{0,9}(?:/[A-Za-z0-9.\-]+){2,})")
JIU_SYMBOL = re.compile(r"JIU/(?:REP|NOTE|ML)/\s?\d{4}/\s?\d{1,3}(?:/Rev\.\s?\d+)?")
SECTION_NUMBER = re.compile(r"^(?:[IVXL]{1,6}|[A-Z]|[一二三四五六七八九十]{1,3})[.、．]$")
PARAGRAPH_NUMBER = re.compile(r"^((?:[IVXL]{1,6}\.)?\d{1,3})\.?$")
# Chapter-numbered paragraphs of the Advisory Committee's main report ("VIII.81 The Advisory Committee …"):
# the parser splits off "VIII." and leaves "81 …" (a paragraph, not a title: it runs on past a line).
_CHAPTER_PARAGRAPH = re.compile(r"^(\d{1,3})\.?\s+(?=\S)(?=.{100})")
LETTER = re.compile(r"^[(（]([a-z]{1,2})[)）]$|^([㈠-㈩])$")
_ROMAN_ITEM = re.compile(r"^[(（]([ivxl]{1,5})[)）]$")
_CJK = "\u4e00-\u9fff"
_TERMINAL = tuple(".;:。；：!?！？)”’")


def document_language(doc: ParsedDocument, context: ExtractionContext) -> str:
    """The document's language: the metadata extractor's when it has one, else the parser's guess."""
    return context.document.language or doc.language_hint or "en"


def document_symbol(doc: ParsedDocument, context: ExtractionContext) -> str | None:
    """The document's own symbol: the metadata extractor's, else the most printed running-header symbol.

    The fallback keeps these extractors useful while metadata is being written; a document whose
    symbol cannot be read yields no recommendations rather than records with an invented ``report``.
    """
    if context.document.symbol:
        return context.document.symbol
    counts: Counter[str] = Counter()
    for page in doc.pages:
        top = [ln for ln in page.lines if ln.bbox[1] < page.height * 0.12]
        for line in page.lines:
            if line.role in ("header", "masthead") or line in top[:2]:
                match = _SYMBOL_AT.match(line.text.strip())
                if match and any(ch.isdigit() for ch in match.group(1)):
                    counts[match.group(1).rstrip(".")] += 1
    return counts.most_common(1)[0][0] if counts else None


def paragraph_number(paragraph: Paragraph) -> str | None:
    """The bare number of a numbered paragraph ("23." → "23", "VIII.81"), ``None`` for headings and sub-items."""
    match = PARAGRAPH_NUMBER.match(item_label(paragraph)[0] or "")
    return match.group(1) if match else None


def is_section_heading(paragraph: Paragraph) -> bool:
    """A chapter or section title ("IV. Actions …", "B. Resource requirements", "四. …")."""
    return bool(SECTION_NUMBER.match(paragraph.number or "")) and _CHAPTER_PARAGRAPH.match(paragraph.text) is None


_FULLWIDTH_ITEM = re.compile(r"^（([a-z]{1,2})）\s*")


def item_label(paragraph: Paragraph) -> tuple[str | None, str]:
    """A paragraph's numbering and text; a full-width "（a）" or the "81" of "VIII.81" left in the text too."""
    if paragraph.number and re.fullmatch(r"[IVXL]{1,6}\.", paragraph.number):
        match = _CHAPTER_PARAGRAPH.match(paragraph.text)
        if match:
            return f"{paragraph.number}{match.group(1)}.", paragraph.text[match.end():]
    if paragraph.number is None:
        match = _FULLWIDTH_ITEM.match(paragraph.text)
        if match:
            return f"({match.group(1)})", paragraph.text[match.end():]
    return paragraph.number, paragraph.text


def letter_of(paragraph: Paragraph, previous_letter: str | None) -> str | None:
    """The letter of a lettered sub-item, telling "(i)" the letter (after "(h)") from "(i)" the numeral."""
    number = item_label(paragraph)[0] or ""
    match = LETTER.match(number)
    if match:
        if match.group(2):
            return "abcdefghij"[ord(match.group(2)) - ord("㈠")]
        letter = match.group(1)
        if _ROMAN_ITEM.match(number) and not _follows(letter, previous_letter):
            return None
        return letter
    return None


def is_roman_item(paragraph: Paragraph) -> bool:
    return bool(_ROMAN_ITEM.match(item_label(paragraph)[0] or ""))


def _follows(letter: str, previous: str | None) -> bool:
    return previous is not None and len(letter) == 1 and len(previous) == 1 and ord(letter) == ord(previous) + 1


def body_paragraphs(doc: ParsedDocument) -> list[Paragraph]:
    """Body paragraphs and headings in reading order (footnotes and masthead left out)."""
    return [p for p in doc.paragraphs if p.role in ("body", "heading")]


def footnote_marks(doc: ParsedDocument) -> dict[int, set[str]]:
    """Per page, the numbers of the footnotes printed at its foot."""
    marks: dict[int, set[str]] = {}
    for paragraph in doc.paragraphs:
        if paragraph.role == "footnote":
            match = re.match(r"(\d{1,3})\s", paragraph.text)
            if match:
                marks.setdefault(paragraph.page, set()).add(match.group(1))
    return marks


def drop_footnote_marks(text: str, marks: set[str]) -> str:
    """Remove footnote reference numbers glued to a word ("报告1定期", "represented.2 The").

    Only numbers that are footnotes on the paragraph's pages, and only where a number cannot be
    part of the sentence: right after a CJK character, or after a word's last letter or its
    punctuation and before the next word, never after "第", "para." or other words that take a number.
    """
    if not marks:
        return text
    alternatives = "|".join(sorted((re.escape(m) for m in marks), key=len, reverse=True))
    cjk = re.compile(rf"(?<=[{_CJK}”’）)])(?<![第约共逾近])({alternatives})(?=[{_CJK}，。；：、])"
                     r"(?![年月日段项条个名次届号页%％])")
    text = cjk.sub("", text)
    latin = re.compile(rf"(?<=[A-Za-z)”’])([.,;:]?)( ?)({alternatives})(?=[\s,.;:]|$)")

    def drop(match: re.Match[str]) -> str:
        word = re.search(r"([A-Za-z]+)[)”’]?$", text[: match.start()])
        if word and word.group(1).lower() in _TAKES_NUMBER:
            return match.group(0)
        after = text[match.end():match.end() + 2]
        if match.group(2) and not (match.group(1) == "." and re.match(r"\s[A-Z]", after)):
            return match.group(0)  # "posts, 1 National Officer": spaced, it is a mark only after a full stop
        return match.group(1)

    return latin.sub(drop, text)


# Words a number follows as part of the sentence ("paragraph 3", "para. 3", "Add.1", "Article 5").
_TAKES_NUMBER = {
    "para", "paras", "paragraph", "paragraphs", "no", "nos", "number", "sect", "section", "sections", "vol",
    "volume", "art", "article", "articles", "add", "rev", "corr", "fig", "figure", "table", "tables", "annex",
    "p", "pp", "page", "pages", "chap", "chapter", "item", "items", "recommendation", "recommendations",
    "resolution", "decision", "rule", "rules", "regulation", "part", "phase", "stage", "group", "level", "grade",
    "step", "option", "component", "pillar", "goal", "target", "indicator", "objective", "outcome", "output",
    "subprogramme", "programme", "schedule", "box", "appendix", "principle", "standard", "benchmark", "tier",
    "category", "class", "type", "model", "version", "year", "years", "session", "round", "wave",
    "cohort", "track", "q", "window", "un", "sdg", "unit", "team", "zone", "sector", "region", "district", "block",
}


def clean_text(paragraph: Paragraph, marks: dict[int, set[str]]) -> str:
    """The paragraph's text (numbering left out) with the footnote marks of its pages dropped."""
    pages = range(paragraph.page, max(paragraph.end_page, paragraph.page) + 1)
    found = set().union(*(marks.get(page, set()) for page in pages))
    return normalize_text(drop_footnote_marks(item_label(paragraph)[1], found))


def labelled_text(paragraph: Paragraph, marks: dict[int, set[str]]) -> str:
    """A sub-item's text with its label in front ("(a) …"), as it is printed inside its paragraph."""
    label = item_label(paragraph)[0]
    text = clean_text(paragraph, marks)
    return f"{label} {text}" if label else text


def join_parts(parts: list[str], lang: str) -> str:
    """Join the paragraphs of one item: Chinese without a space, other scripts with one."""
    return ("" if lang == "zh" else " ").join(part for part in parts if part)


@dataclass
class Item:
    """Paragraphs read as one unit (a numbered paragraph with its sub-items), with provenance."""

    parts: list[Paragraph] = field(default_factory=list)

    @property
    def first(self) -> Paragraph:
        return self.parts[0]

    @property
    def page(self) -> int:
        return self.first.page

    @property
    def bbox(self) -> BBox:
        return self.first.bbox


def numbered_items(doc: ParsedDocument) -> list[Item]:
    """Numbered paragraphs with what belongs to them: lettered sub-items and run-on text.

    A body paragraph with no number that opens a page in the paragraph's type size continues the
    numbered paragraph before it (the parser starts a new paragraph when a sentence ends at a page
    break); sub-items ("(a)") belong to the paragraph they follow.
    """
    items: list[Item] = []
    current: Item | None = None
    first_on_page: set[int] = set()
    seen_pages: set[int] = set()
    for paragraph in body_paragraphs(doc):
        if paragraph.page not in seen_pages:
            seen_pages.add(paragraph.page)
            first_on_page.add(id(paragraph))
    for paragraph in body_paragraphs(doc):
        if paragraph_number(paragraph):
            current = Item([paragraph])
            items.append(current)
        elif current is None:
            continue
        elif is_section_heading(paragraph) or paragraph.role == "heading":
            current = None
        elif (paragraph.number and (LETTER.match(paragraph.number) or is_roman_item(paragraph))) or (
            paragraph.number is None
            and id(paragraph) in first_on_page
            and abs(paragraph.size - current.parts[-1].size) < 0.3
            and paragraph.bold < 0.5
            and len(paragraph.text) >= 40
            and paragraph.text.endswith(_TERMINAL)  # an unpunctuated line is a heading
        ):
            current.parts.append(paragraph)
        else:
            current = None
    return items


__all__ = [
    "JIU_SYMBOL",
    "Item",
    "body_paragraphs",
    "clean_text",
    "document_language",
    "document_symbol",
    "drop_footnote_marks",
    "footnote_marks",
    "is_section_heading",
    "item_label",
    "join_parts",
    "labelled_text",
    "letter_of",
    "numbered_items",
    "paragraph_number",
]
