"""Document metadata: symbol, language, kind, title, session, agenda items, date, job number, references.

The first extractor to run: the others read the document's kind and symbol from its ``DocumentInfo``.
Everything comes from the conventions of the UN page-1 layout (masthead, session and agenda lines, a
bold display-size title, the "Report of …"/"Note by …" author line, the job-number footer), never from
a file's name. A value the page does not show is ``None`` (or ``[]``): nothing is guessed.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from itertools import pairwise

from extractors.base import ExtractionContext
from extractors.lib import deadlines
from extractors.lib.deadlines import english_ordinal
from extractors.lib.records import DocumentInfo, DocumentKind, Record
from extractors.lib.symbols import (
    Citation,
    Organ,
    column_organ,
    find_document_symbols,
    find_listed_resolutions,
    find_references,
    find_tabled_resolutions,
    join_broken_symbol,
    joint_parts,
    listing_organ,
    normalize_space,
    normalize_symbol,
)
from pipeline.core.document import Line, Page, ParsedDocument
from pipeline.core.languages import LANGUAGE_NAMES
from pipeline.core.text import join_lines, language_of, normalize_text


class MetadataExtractor:
    """Yields one ``DocumentInfo``; registered first so later extractors find the kind and symbol."""

    name = "metadata"
    version = "1.2"

    def extract(self, doc: ParsedDocument, context: ExtractionContext) -> Iterator[Record]:
        yield document_info(doc)


def document_info(doc: ParsedDocument) -> DocumentInfo:
    """The ``document`` section of the extraction record for one parsed document."""
    symbol = own_symbol(doc)
    front = read_front_page(doc)
    if {"scanned", "cid_garbage"} & set(doc.quality_flags):
        front.title = None  # OCR or unmapped glyphs: free text is not to be trusted, patterns still are
    return DocumentInfo(
        symbol=symbol,
        language=detect_language(doc),
        kind=document_kind(symbol, front),
        title=front.title,
        session=front.session,
        agenda_items=front.agenda_items,
        date=document_date(doc),
        job_number=job_number(doc),
        references=references(doc, symbol),
    )


# --------------------------------------------------------------------------------------------------
# Symbol.

_LETTERS = re.compile(r"[A-Z]{1,5}(?: [A-Z]{1,5}){0,2}")
_FRAGMENT = re.compile(r"(?:^|\s)(/[A-Z0-9].*)$")


def own_symbol(doc: ParsedDocument) -> str | None:
    """The document's symbol as printed at the top of page 1, normalised.

    The UN masthead prints the series letter large and the rest small (``A`` + ``/80/604/Add.1``, for a
    joint document ``A S`` + ``/80/275- /2025/491``); other layouts print it whole (``JIU/REP/2025/2`` as
    a running header, ``WO/PBC/34/6`` beside the organization's name). Old verbatim records print it in
    a box at the foot of page 1; failing all that, the running header of the next pages gives it.
    """
    if not doc.pages:
        return None
    page = doc.pages[0]
    top = [ln for ln in _reading_order(page.lines) if ln.bbox[1] < page.height * 0.3 and ln.role != "footer"]
    split = _split_symbol(top)
    if split:
        return split
    for roles in (("masthead", "header"), ("body",)):
        for line in top:
            if line.role in roles and line.bbox[1] < page.height * 0.25:
                found = find_document_symbols(line.text)
                if found:
                    return found[0].symbol
    for line in page.lines:
        whole = normalize_symbol(line.text)
        if whole and find_document_symbols(line.text):
            return whole
    running: Counter[str] = Counter()
    for later in doc.pages[1:4]:
        for line in later.lines:
            if line.role in ("header", "footer"):
                whole = normalize_symbol(line.text)
                if whole:
                    running[whole] += 1
    return running.most_common(1)[0][0] if running else None


def _split_symbol(lines: list[Line]) -> str | None:
    letters = [ln for ln in lines if ln.size >= 15 and _LETTERS.fullmatch(ln.text)]
    fragments = [m.group(1) for ln in lines if (m := _FRAGMENT.search(ln.text)) and ln.size < 16]
    if not letters or not fragments:
        return None
    series = letters[0].text.split()
    pieces = re.split(r"-\s+(?=/)", fragments[0].strip())
    if len(series) != len(pieces):
        return None
    joined = "-".join(s + p.rstrip("-").strip() for s, p in zip(series, pieces, strict=True))
    return normalize_symbol(joined)


# --------------------------------------------------------------------------------------------------
# Language.

def detect_language(doc: ParsedDocument) -> str | None:
    """ISO 639-1 code of the document's text, from its script and, for Latin script, its commonest words.

    Arabic PDFs often carry presentation forms (U+FB50–U+FEFF), which count as Arabic. When the text
    says nothing (too short), the masthead's language line ("Chinese", "French") decides.
    """
    text = "\n".join(p.text for p in doc.paragraphs if p.role != "masthead")[:30000]
    found = language_of(text)
    if found:
        return found
    for line in doc.pages[0].lines if doc.pages else []:
        code = LANGUAGE_NAMES.get(line.text.strip().lower())
        if line.role == "masthead" and code:
            return code
    return None


# --------------------------------------------------------------------------------------------------
# Front page: session, agenda items, title and the author line.

@dataclass
class FrontPage:
    """What the top of page 1 says about the document."""

    session: int | None = None
    agenda_items: list[str] = field(default_factory=list)
    title: str | None = None
    author: str | None = None
    """The "Report of the Secretary-General" / "秘书长的说明" line(s) under the title."""
    resolution: bool = False
    """Page 1 reads "Resolution adopted by the General Assembly"."""


def ordinal_value(words: str) -> int | None:
    """``Eightieth`` → 80, ``Seventy-ninth`` → 79, ``one hundred and first`` → 101; else ``None``."""
    try:
        return english_ordinal(words)
    except ValueError:
        return None


def chinese_number(text: str) -> int | None:
    """``七十七`` → 77, ``三十四`` → 34, ``一百零一`` → 101, ``十`` → 10; else ``None``."""
    try:
        return deadlines.chinese_number(text)
    except ValueError:
        return None


_SESSION_EN = re.compile(r"^(?P<ord>[A-Z][A-Za-z]*(?:[- ][A-Za-z]+){0,3}?)\s+(?:session|Session|SESSION)\b")
# An Official Records cover: "General Assembly / Official Records / Eightieth Session / Supplement No. 11". That
# session is the Assembly's, whose records the document is in, and outranks the reporting body's own
# ("Report of the Committee on Contributions / Eighty-fifth session").
_OFFICIAL_RECORDS = re.compile(r"^(?:Official Records|正式记录|大会正式记录)$", re.IGNORECASE)
# A whole session line: an organ's name may precede the number and a place or dates follow it, but not a
# sentence ("…请秘书长向大会第六十三届会议提出…" in a summary is no session line).
_SESSION_ZH = re.compile(
    r"^(?:[\u4e00-\u9fff]{0,12}?)第(?P<num>[零〇一二两三四五六七八九十百]+)届(?:常会|会议|特别会议|续会)[^，。、；：]{0,24}$"
)
# A session line the parser cannot number ("Resumed session", "第六十三届会议续会"): short, no sentence
# punctuation, so a summary sentence that mentions "…第六十三届会议提出…" is not taken for one.
_SESSION_ANY = re.compile(
    r"^[A-Z][\w-]*(?:\s[\w-]+){0,2}\s(?:session|Session|SESSION)\b|^[^，。、；：,]{0,16}届(?:会议|常会|续会|特别会议)[^，。、；：,]{0,6}$"
)
_AGENDA_EN = re.compile(
    r"^(?:(?:Provisional|Preliminary)\s+)?(?:Agenda\s+)?(?:items?|Items?)\s+(?P<list>[0-9][0-9a-z()\s,]*?(?:\s+and\s+[0-9(][0-9a-z()\s]*)?)"
    r"(?:\s+of the (?:revised |annotated )?(?:provisional |preliminary )?(?:agenda|list))?\s*$",
    re.IGNORECASE,
)
_AGENDA_ZH = re.compile(r"^(?:临时|暂定)?(?:议程)?(?:项目)\s*(?P<list>[0-9][0-9a-z()\s,、和及]*?)\s*$")
# Footnote marks the agenda line carries ("临时议程*项目 121", "Item 121* of the provisional agenda"): an
# asterisk in any of its printed forms (ASCII, the operator ∗, full-width ＊, ⁎).
_FOOTNOTE_MARKS = re.compile(r"[*∗⁎＊]+")
_AUTHOR_EN = re.compile(  # under a title: who submits it ("Report of the Secretary-General", "Note by …")
    r"^(?:[A-Z][a-z]+(?:-[a-z]+)?\s+)?(?i:annual\s+|progress\s+)?(?i:report|note|statement)s?\s+(?:of|by)\s+(?:the\s+)?[A-Z]"
    r"|^(?i:Identical\s+)?(?i:letters?|note verbale)\s+dated\b"
    r"|^(?:Rapport|Note)\s+(?:du|de la|des)\s+[A-Z]|^(?:Informe|Nota)\s+(?:del|de la|de los)\s+[A-Z]",
)
# The organ opens the line; what it wrote may be numbered and may name its subject ("秘书长的第十一次进度报告",
# "行政和预算问题咨询委员会关于 2022 年拟议方案预算的第三十八次报告"), and a long one breaks over two lines
# (the first ends "…的第三"), so the line may stop after "的" or a partial ordinal.
_AUTHOR_ZH = re.compile(
    r"^(?:秘书长|行政和预算问题咨询委员会|行预咨委会|联合检查组|联检组|秘书处|审计委员会|内部监督事务厅)"
    r"(?:关于[^。；]{1,80}?)?的?(?:第[一二三四五六七八九十百]*次?)?(?:年度|进度|进展|综合|补充)?(?:报告|说明|$)"
    r"|^秘书处编拟|^(?:Prepared by|编写人)"
)
_PREPARED = re.compile(r"^(?:Prepared by|编写人|撰写人)", re.IGNORECASE)
_SECTION_START = re.compile(
    r"^(?:Summary|Contents|Abstract|Introduction|Executive summary|Background|概要|摘要|目录|导言|内容提要"
    r"|Agenda|议程|[IVX]{1,5}\.\s|[一二三四五六七八九十]+[.、．]\s?)"
)
_MASTHEAD_WORDS = re.compile(
    r"^(?:United Nations|Nations Unies|联合国|General Assembly|Security Council|Economic and Social Council"
    r"|Distr\.|Original|WIPO|OMPI|世界知识产权组织|Executive Board|Official Records|Supplement No\."
    r"|(?:New York|Geneva|Vienna|Nairobi|纽约|日内瓦|维也纳|内罗毕)$)(?!\w)",  # a meeting record's place line
    re.IGNORECASE,
)
_ORGAN_LINE = re.compile(
    r"^(?:[A-Z][a-z]+\s){0,3}(?:Committee|Commission|Council|Board)$|^第[一二三四五六]委员会$|^(?:Executive Board|执行局)\b"
)
_DATE_RANGE_LINE = re.compile(
    r"^\d{1,2}(?:\s*(?:–|-|to|and)\s*\d{1,2})?\s+[A-Z][a-z]+(?:\s+\d{4})?(?:,\s*[A-Z].*)?$|^\d{4}年\d{1,2}月\d{1,2}日至"
)
_RESOLUTION_HEAD = re.compile(r"^Resolution adopted by the|^大会.{0,8}通过的决议")
_RESOLUTION_NUMBER = re.compile(r"^(?:\d{1,3}/\d{1,4}|\d{1,4}\s*\([IVXL]+\)|[A-Z]{1,2}-\d+/\d+)\.\s*(?P<title>.+)$")


def read_front_page(doc: ParsedDocument) -> FrontPage:
    """Session, agenda items, title and author line from the top of page 1."""
    front = FrontPage()
    if not doc.pages:
        return front
    page = doc.pages[0]
    lines = [ln for ln in _reading_order(page.lines) if ln.role in ("body", "masthead")]
    display = _display_size(doc)
    preamble_end = -1
    display_preamble = False
    for i, line in enumerate(lines):
        official = i > 0 and bool(_OFFICIAL_RECORDS.match(lines[i - 1].text.strip()))
        if line.bbox[1] > page.height * 0.55 and not official:
            break
        text = line.text.strip()
        if i > 0 and continues_agenda(lines[i - 1].text, text):
            preamble_end = i  # the rest of a long agenda line, read with it below
            continue
        session = _session(text)
        agenda = agenda_items(text)
        if agenda and i + 1 < len(lines) and continues_agenda(text, lines[i + 1].text):
            agenda = agenda_items(f"{text} {lines[i + 1].text.strip()}")
        if session is not None and (front.session is None or official):
            front.session = session
        if agenda and not front.agenda_items:
            front.agenda_items = agenda
        follows = preamble_end >= 0 and i == preamble_end + 1  # session dates or the committee's name
        if (
            session is not None
            or agenda
            or (_SESSION_ANY.search(text) and len(text) < 50)
            or (follows and (_DATE_RANGE_LINE.match(text) or _ORGAN_LINE.match(text)))
        ):
            preamble_end = i
            display_preamble = display_preamble or (line.size >= display and line.bold >= 0.6)
    start = _title_start(lines, preamble_end + 1, display, page)
    if start is None and display_preamble:
        start = _title_start(lines, 0, display, page)  # a cover page: the title comes before the session
    if start is None:
        front.author = _plain_author(lines, preamble_end + 1, page)
        return front
    if _RESOLUTION_HEAD.match(lines[start].text):
        front.resolution = True
        front.title = _resolution_title(lines, start)
        return front
    block = _block(lines, start)
    front.title = _FOOTNOTE_MARKS.sub("", _join(block)).strip() or None  # "…问责制*": the mark is no part of it
    if front.title and re.search("[\ufb50-\ufdff\ufe70-\ufeff]", front.title):
        front.title = None  # Arabic presentation forms are glyphs in visual order, not the title's text
    after = start + len(block)
    if after < len(lines) and _is_author(lines[after].text):
        front.author = _join(_block(lines, after, author=True))
    return front


def _plain_author(lines: list[Line], first: int, page: Page) -> str | None:
    """The author line of a page 1 set in one type (typewriter-era documents: no bold display title), under
    the agenda title ("THE SITUATION IN AFGHANISTAN …" / "Report of the Secretary-General" / "I. INTRODUCTION")."""
    for line in lines[max(first, 0):max(first, 0) + 8]:
        text = line.text.strip()
        if line.bbox[1] > page.height * 0.7 or _SECTION_START.match(text) or re.match(r"^\d{1,3}\.\s", text):
            return None
        if _is_author(text):
            return text
    return None


def _session(text: str) -> int | None:
    match = _SESSION_ZH.match(text)
    if match:
        return chinese_number(match.group("num"))
    match = _SESSION_EN.match(re.sub(r"^[a-z](?=[A-Z][a-z])", "", text))  # a stray glyph before the word
    if match and len(text) < 60:
        words = match.group("ord")
        for candidate in (words, words.split(" ", 1)[-1]):
            value = ordinal_value(candidate)
            if value is not None:
                return value
    return None


def agenda_items(text: str) -> list[str]:
    """Agenda item numbers from a page-1 agenda line, as printed without the word "item".

    ``Agenda item 156 (a)`` → ``["156 (a)"]``; ``Items 138 and 139 of the preliminary list`` →
    ``["138", "139"]``; ``临时议程*项目 145`` → ``["145"]``. A verbatim record's "(continued)" line is
    a debate's item, not the document's, and is not read.
    """
    text = normalize_space(text)
    if "continued" in text.lower() or "续" in text:
        return []
    text = normalize_space(_FOOTNOTE_MARKS.sub("", text))
    match = _AGENDA_EN.match(text) or _AGENDA_ZH.match(text)
    if not match:
        return []
    items: list[str] = []
    for token in re.findall(r"\d{1,4}(?:\s*\([a-z]{1,3}\))?|\([a-z]{1,3}\)", match.group("list")):
        token = re.sub(r"\s*\(", " (", token).strip()
        if token.startswith("(") and items:
            items.append(items[-1].split(" (")[0] + " " + token)
        elif not token.startswith("("):
            items.append(token)
    return items


def continues_agenda(line: str, following: str) -> bool:
    """A long list of agenda items runs onto the next line: "Agenda items 14, 16, …, 69," / "71, 120 and 135"."""
    return (
        bool(agenda_items(line))
        and bool(re.search(r"(?:,|\band|、|，|和|及)\s*$", line.strip()))
        and bool(re.match(r"^\d{1,4}(?:\s*\([a-z]{1,3}\))?\s*(?:,|、|，|and\b|和|及|$)", following.strip()))
    )


def _title_start(lines: list[Line], first: int, display: float, page: Page) -> int | None:
    """Index of the first line of the title: bold, display size, with words, after the session/agenda lines.

    It starts in the top 70 % of the page, unless only bold lines stand between it and the agenda line
    (a letter under a dozen agenda items prints each item's title in bold first).
    """
    plain = False  # a line in body type seen: what follows is the text, not the page-1 heading block
    for i in range(max(first, 0), len(lines)):
        line = lines[i]
        text = line.text.strip()
        if line.bbox[1] > page.height * (0.7 if plain or first <= 0 else 0.9):
            return None
        plain = plain or (line.role != "masthead" and line.bold < 0.6)
        if line.role == "masthead" or line.bold < 0.6 or line.size < display:
            continue
        if len(re.findall(r"[^\W\d_]", text)) < 3 or _MASTHEAD_WORDS.match(text) or _is_preamble(text):
            continue
        if _SECTION_START.match(text) or _PREPARED.match(text):
            return None
        return _indented_title(lines, i, display) or i
    return None


def _indented_title(lines: list[Line], first: int, display: float) -> int | None:
    """The UN layout sets the title in the indented column; a bold block at the left margin above it
    (a committee's name, an agenda item's title) is not the title."""
    after = first + len(_block(lines, first))
    for i in range(after, min(len(lines), first + 12)):
        line = lines[i]
        text = line.text.strip()
        if _is_author(text) or _SECTION_START.match(text) or line.bold < 0.6:
            return None
        if line.size >= max(display, lines[first].size) and line.bbox[0] > lines[first].bbox[0] + 20:
            return i
    return None


def _is_preamble(text: str) -> bool:
    return _session(text) is not None or bool(agenda_items(text)) or bool(_SESSION_ANY.search(text) and len(text) < 50)


def _block(lines: list[Line], start: int, author: bool = False, hanging: bool = False) -> list[Line]:
    """The title's lines: bold, one column, close together, up to the author line or a section heading.

    ``hanging``: the first line starts with a number set out to the left (a resolution's "79/258.").
    """
    block = [lines[start]]
    for line in lines[start + 1:]:
        previous = block[-1]
        text = line.text.strip()
        gap = line.bbox[1] - previous.bbox[3]
        same_column = (hanging and len(block) == 1) or abs(line.bbox[0] - block[0].bbox[0]) <= 4 or abs(
            (line.bbox[0] + line.bbox[2]) / 2 - (previous.bbox[0] + previous.bbox[2]) / 2
        ) <= 6
        if line.bold < 0.6 or not same_column or gap > 2.2 * max(line.size, previous.size) or gap < -2:
            break
        if _SECTION_START.match(text) or _is_subtitle(text):
            break
        if not author and (_is_author(text) or _PREPARED.match(text) or _is_preamble(text)):
            break
        if author and abs(line.size - previous.size) > 0.6:
            break
        block.append(line)
    return block


def _is_subtitle(text: str) -> bool:
    """A parenthesised line with a place or dates ("(United Nations Headquarters, New York, 1 and 2 April
    2025)") ends a title; a short one ("(2016–2025)") belongs to it."""
    return text.startswith(("(", "（")) and text.endswith((")", "）")) and ("," in text or len(text.split()) >= 4)


def _is_author(text: str) -> bool:
    return bool(_AUTHOR_EN.match(text) or _AUTHOR_ZH.match(text))


def _resolution_title(lines: list[Line], start: int) -> str | None:
    """A resolution's title is the line after its number ("79/281. Joint Inspection Unit")."""
    for i in range(start + 1, min(len(lines), start + 8)):
        match = _RESOLUTION_NUMBER.match(lines[i].text.strip())
        if match and lines[i].bold >= 0.6:
            block = _block(lines, i, hanging=True)
            text = _join(block)
            return _RESOLUTION_NUMBER.sub(r"\g<title>", text) or None
    return None


def _join(lines: list[Line]) -> str:
    text = ""
    for line in lines:
        text = join_lines(text, line.text.strip())
    return normalize_text(text)


# --------------------------------------------------------------------------------------------------
# Kind.

_STATUS_TITLE = re.compile(
    r"(?:report|status|implementation|progress|follow-up)\b.{0,80}\brecommendations\s+of\s+the\s+"
    r"(?:United\s+Nations\s+)?(?:Joint Inspection Unit|JIU|Board of Auditors|oversight bodies|Office of Internal Oversight Services)"
    r"|\bJIU recommendations\b.{0,40}\b(?:status|implementation|report)"
    r"|(?:联合检查组|联检组|审计委员会|监督机构).{0,12}建议.{0,20}(?:落实|执行|实施|状况|情况).{0,10}报告"
    r"|关于(?:联合检查组|联检组).{0,6}建议的报告",
    re.IGNORECASE,
)
_FASCICLE = re.compile(r"^A/\d+/6 \(Sect\. [0-9]+[A-Z]?\)")
_ACABQ = re.compile(
    r"Advisory Committee on Administrative and Budgetary Questions|行政和预算问题咨询委员会|行预咨委会"
    r"|Comité consultatif pour les questions administratives et budgétaires"
    r"|Comisión Consultiva en Asuntos Administrativos y de Presupuesto"
)
_JIU_REPORT = re.compile(r"^report of the Joint Inspection Unit|^联合检查组的报告", re.IGNORECASE)
_JIU_NOTE = re.compile(r"^note (?:by|of) the Joint Inspection Unit|^联合检查组的说明", re.IGNORECASE)
_SG_REPORT = re.compile(
    r"^(?:[A-Z][a-z]+(?:-[a-z]+)?\s+)?(?:annual\s+|progress\s+)?report of the Secretary-General"
    r"|^秘书长(?:关于.{1,80}?)?的(?:第[一二三四五六七八九十百]+次)?(?:年度|进度|进展|综合|补充)?报告"
    r"|^Rapport du Secrétaire général|^Informe del Secretario General",
    re.IGNORECASE,
)
_SG_NOTE = re.compile(
    r"^note by the Secretary-General|^秘书长(?:关于.{1,80}?)?的说明|^Note du Secrétaire général|^Nota del Secretario General",
    re.IGNORECASE,
)


def document_kind(symbol: str | None, front: FrontPage) -> DocumentKind:
    """The document's kind from the conventions of its symbol and its page-1 author line."""
    author = front.author or ""
    title = front.title or ""
    if symbol and symbol.startswith("JIU/REP/"):
        return "jiu_report"
    if symbol and symbol.startswith("JIU/NOTE/"):
        return "jiu_note"
    if front.resolution or (symbol and re.search(r"/RES/|/PV\.|/SR\.", symbol)):
        return "other"
    if symbol and _FASCICLE.match(symbol):
        return "budget_fascicle"
    if _ACABQ.search(author):
        return "acabq_report"
    if _STATUS_TITLE.search(title) or _STATUS_TITLE.search(author):
        return "status_report"
    if _JIU_REPORT.search(author):
        return "jiu_report"
    if _JIU_NOTE.search(author):
        return "jiu_note"
    if _SG_REPORT.search(author) or (not author and _SG_REPORT.search(title)):
        return "sg_report"  # an Official Records cover's title is its author line: "Report of the Secretary-General on …"
    if _SG_NOTE.search(author):
        return "sg_note"
    return "other"


# --------------------------------------------------------------------------------------------------
# Date and job number.

_MONTHS = {
    name: i + 1
    for names in (
        ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
         "november", "december"),
        ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
         "novembre", "décembre"),
        ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre",
         "noviembre", "diciembre"),
    )
    for i, name in enumerate(names)
}
_DATE_EN = re.compile(
    r"(?<![\d–-])(?P<d>\d{1,2})(?:er)?\s+(?:de\s+)?(?P<m>[A-Za-zéû]+)\s+(?:de\s+)?(?P<y>(?:19|20)\d{2})(?![\d–-])"
)
_DATE_ZH = re.compile(r"(?P<y>(?:19|20)\d{2})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日(?!\s*至)")
_RANGE = re.compile(r"\d\s*(?:–|-|to|and|au|al|至)\s*\d{1,2}\s+[A-Za-z]|日\s*至|\d\s*至")
_WEEKDAY = re.compile(
    r"^(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|Lundi|Mardi|Mercredi|Jeudi|Vendredi|Samedi"
    r"|Dimanche|星期.|Date)\b",
    re.IGNORECASE,
)


def parse_date(text: str) -> str | None:
    """The first single date in a text as ISO ``YYYY-MM-DD`` (``7 April 2026``, ``2022年8月1日``); ranges are skipped."""
    if _RANGE.search(text):
        return None
    for pattern in (_DATE_ZH, _DATE_EN):
        for match in pattern.finditer(text):
            month_text = match.group("m")
            month = int(month_text) if month_text.isdigit() else _MONTHS.get(month_text.lower())
            day, year = int(match.group("d")), int(match.group("y"))
            if month and 1 <= day <= 31:
                return f"{year:04d}-{month:02d}-{day:02d}"
    return None


def document_date(doc: ParsedDocument) -> str | None:
    """The document's date: the one printed under "Distr.", else the masthead's or a record's meeting date.

    Session dates ("10–13 June 2025", "2022年6月27日至7月1日") are not the document's date.
    """
    if not doc.pages:
        return None
    page = doc.pages[0]
    lines = [ln for ln in _reading_order(page.lines) if ln.bbox[1] < page.height * 0.35 and ln.role != "footer"]
    for i, line in enumerate(lines):
        if "Distr" in line.text:
            after = line.text.split("Distr", 1)[1]
            for text in [after] + [ln.text for ln in lines[i + 1:i + 4]]:
                found = parse_date(text)
                if found:
                    return found
            break
    for line in lines:
        if line.role == "masthead" or _WEEKDAY.match(line.text.strip()) or line.text.strip().startswith("日期"):
            found = parse_date(line.text)
            if found:
                return found
    return None


_JOB = re.compile(r"(?<![\d-])(?P<job>\d{2}-\d{5}|\d{4}-\d{5})(?P<x>X?)(?:\s*\((?P<lang>[A-Z])\))?(?![\d-])")
_JOB_LINE = re.compile(
    r"^(?:[\divxlc]{1,4}(?:/\d{1,4})?\s+)?(?:\d{2}|\d{4})-\d{5}X?(?:\s*\([A-Z]\))?(?:\s+\d{6})?"
    r"(?:\s+[\divxlc]{1,4}(?:/\d{1,4})?)?$",
    re.IGNORECASE,
)


def job_number(doc: ParsedDocument) -> str | None:
    """The job number printed in the footers (``26-05123 (E)``, ``4/27 26-03928``), without the language letter.

    Only whole footer-like lines count, and the number printed on most pages wins, so a number in the
    text is never taken. The ``X`` that marks a document processed outside the UN (``25-04933X``) is
    not part of the number: the barcode beside it reads ``*2504933*``.
    """
    counts: Counter[str] = Counter()
    for page in doc.pages:
        for line in page.lines:
            text = line.text.strip()
            in_band = line.bbox[1] > page.height * 0.8 or line.bbox[3] < page.height * 0.12
            if (line.role in ("footer", "header") or in_band) and _JOB_LINE.match(text):
                match = _JOB.search(text)
                if match:
                    counts[match.group("job")] += 2 if match.group("lang") else 1
    return counts.most_common(1)[0][0] if counts else None


# --------------------------------------------------------------------------------------------------
# References.


def references(doc: ParsedDocument, own: str | None) -> list[str]:
    """Symbols cited in the body, footnotes and tables, including bare resolution numbers listed under an
    organ's heading (a fascicle's "Legislative mandates"); the document's own symbol left out."""
    texts = [p.text for p in doc.paragraphs if p.role != "masthead"]
    texts.extend(_table_texts(doc))
    listed = {c.symbol for c in _listed_resolutions(doc)} | {c.symbol for c in _tabled_resolutions(doc)}
    exclude = _own_parts(own)
    return sorted(set(find_references(texts, exclude=exclude)) | (listed - exclude))


def _tables(doc: ParsedDocument) -> list[list[list[str]]]:
    return [table.text_rows() for page in doc.pages for table in page.tables if table.rows]


def _table_texts(doc: ParsedDocument) -> list[str]:
    """Every table cell; a cell that runs over a page break ends on the next page's table, in the same
    column, so the two halves are also read as one ("…、A/76/6" + "(Sect. 3)/Add.2、…")."""
    tables = _tables(doc)
    for rows, following in pairwise(tables):
        last = rows[-1]
        for nearby in following[:2]:  # the next page may repeat the column headings first
            if len(nearby) == len(last):
                for k, after in enumerate(nearby):
                    last[k] = join_broken_symbol(last[k], after) or last[k]
    return [cell for rows in tables for row in rows for cell in row if cell]


def _tabled_resolutions(doc: ParsedDocument) -> Iterator[Citation]:
    """Bare numbers in a resolution column of an annex table ("决议" / "Resolution": "75/242 A：…").

    A table continued on the next page without its headings keeps the columns of the one before.
    """
    columns: list[Organ | None] = []
    for rows in _tables(doc):
        found = [column_organ(cell) for cell in rows[0]]
        if any(found):
            columns, rows = found, rows[1:]
        elif len(columns) != len(rows[0]):
            columns = []
            continue
        for row in rows:
            for organ, cell in zip(columns, row, strict=False):
                if organ and cell:
                    yield from find_tabled_resolutions(cell, organ)


def _own_parts(own: str | None) -> set[str]:
    if not own:
        return set()
    return {own, *joint_parts(own)}


def _listed_resolutions(doc: ParsedDocument) -> Iterator[Citation]:
    """Bare numbers under "General Assembly resolutions"-style headings, to the next line as large as the heading."""
    organ: Organ | None = None
    heading_size = 0.0
    for page in doc.pages:
        for line in _reading_order(page.lines):
            if line.role in ("header", "footer", "masthead"):
                continue
            heading = listing_organ(line.text)
            if heading:
                organ, heading_size = heading, line.size
                continue
            if organ is None:
                continue
            starts_with_number = re.match(r"^\s*(?:\d{1,4}\s*\(|\d{1,4}/\d)", line.text)
            if line.size >= heading_size - 0.1 and not starts_with_number:
                organ = None
                continue
            yield from find_listed_resolutions(line.text, organ)


# --------------------------------------------------------------------------------------------------
# Layout helpers.


def _reading_order(lines: list[Line]) -> list[Line]:
    return sorted(lines, key=lambda ln: (round(ln.bbox[1]), ln.bbox[0]))


def _body_size(pages: Sequence[Page], least_chars: int = 0) -> float | None:
    """The commonest font size of body text on ``pages``, weighted by characters; None with fewer than
    ``least_chars`` characters of it."""
    weights: Counter[float] = Counter()
    for page in pages:
        for line in page.lines:
            if line.role == "body":
                weights[round(line.size * 2) / 2] += len(line.text)
    if not weights or sum(weights.values()) < least_chars:
        return None
    return weights.most_common(1)[0][0]


def _display_size(doc: ParsedDocument) -> float:
    """The least size of a display line (a title): above the body size of the document, or of page 1 where
    it has a paragraph's worth of body text and is set smaller. A letter's annex "circulated in the language
    of submission only" may be set larger and outweigh the letter itself, which would lift the letter's
    12-point title to body size."""
    body = _body_size(doc.pages) or 10.0
    first_page = _body_size(doc.pages[:1], least_chars=300)
    return max(body if first_page is None else min(body, first_page), 9.5) + 1.5


__all__ = [
    "FrontPage",
    "MetadataExtractor",
    "agenda_items",
    "chinese_number",
    "continues_agenda",
    "detect_language",
    "document_date",
    "document_info",
    "document_kind",
    "job_number",
    "language_of",
    "ordinal_value",
    "own_symbol",
    "parse_date",
    "read_front_page",
    "references",
]
