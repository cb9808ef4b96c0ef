"""UN document symbols and resolution citations found in text, normalised per the spec's ``references`` rules.

Matching runs on the text itself (after a same-length clean-up), never on tokens: word segmenters
such as jieba split ``A/76/7/Add.29`` apart, and Chinese text glues symbols to the characters around
them (``报告(A/77/256)进行``). Every match keeps its character span, so a caller holding a spaCy
``Doc`` of the same text can map it back with ``doc.char_span(start, end, alignment_mode="expand")``.

Conventions (spec ``references``):
- documents as printed: ``A/80/5 (Vol. II)``, ``A/81/6 (Sect. 2)/Part A``, ``DP/FPA-ICEF-UNW/2020/1``;
  a trailing ``*``, ``[Expanded report]`` or ``(advance version)`` is not part of the symbol, nor is a
  JIU report's part (``JIU/REP/2024/3 Part I`` → ``JIU/REP/2024/3``);
- resolutions as their own symbols: General Assembly ``A/RES/73/279 B`` (old style ``A/RES/174 (II)``),
  Economic and Social Council ``E/RES/2025/25``, Security Council ``S/RES/2811 (2025)``, Human Rights
  Council ``A/HRC/RES/5/1``; a range ``74/261 A–C`` gives each part; decisions are not citations.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

Organ = Literal["GA", "SC", "ECOSOC", "HRC", "COUNCIL", "OTHER"]
"""Who adopted a resolution. ``COUNCIL`` is an unnamed "Council" (decided by the number's shape);
``OTHER`` an organ whose resolutions have no symbol of the forms above (boards, commissions …)."""

CitationKind = Literal["document", "resolution"]


@dataclass(frozen=True)
class Citation:
    """One symbol found in a text: the normalised symbol and the span of the printed words."""

    symbol: str
    start: int
    end: int
    kind: CitationKind


# --------------------------------------------------------------------------------------------------
# Same-length clean-up: full-width forms, odd hyphens and spaces become ASCII, so offsets stay valid.

_DASHES = {"\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2212": "-", "\ufe63": "-", "\uff0d": "-"}
_SPACES = {"\u00a0": " ", "\u2007": " ", "\u202f": " ", "\u3000": " ", "\u2009": " ", "\u200a": " "}


_PREPARE = str.maketrans({**{chr(code): chr(code - 0xFEE0) for code in range(0xFF01, 0xFF5F)}, **_DASHES, **_SPACES})
"""One character for one: ``str.translate`` does in C what a loop over every character did in Python."""


_PREPARED = re.compile("[" + "".join(re.escape(chr(code)) for code in sorted(_PREPARE)) + "]")
"""Any character ``prepare`` changes: most texts hold none, and a search is cheaper than ``translate``."""


def prepare(text: str) -> str:
    """Same-length text for matching: full-width ASCII (``Ａ／７７``, ``（``) folded, hyphens and spaces unified."""
    if text.isascii() or not _PREPARED.search(text):
        return text
    return text.translate(_PREPARE)


# --------------------------------------------------------------------------------------------------
# Document symbols.

# Not preceded by a Latin letter, digit or symbol punctuation (CJK is fine: ``中(A/77/256)`` and
# ``首长JIU/REP/2020/6``); a symbol inside an undocs.org address counts.
_BEFORE = r"(?:(?<=undocs\.org/)|(?<=undocs\.org/en/)|(?<![A-Za-z0-9/.\-_@]))"
_SERIES = r"[A-Z]{1,8}(?:\.\d{1,4}(?!\d))?"  # A, JIU, UNEP; a governing body's numbered session: IDB.52, GB.347
_COMPONENT = (
    r"(?:\d{1,5}(?:-[A-Z](?![A-Za-z/]))?"  # session, year, number: 80, 2025, 604; a lettered item: 5-B
    r"|Part\ [A-Z]{1,4}(?![A-Za-z])"  # /Part A of a budget fascicle
    r"|(?:Add|Corr|Rev|Amend)\.\ ?\d{1,3}(?![\d/])"  # "Add. 1" as some texts space it
    r"|[A-Z]{1,8}(?:-[A-Z0-9]{1,8})+"  # FPA-ICEF-UNW, ES-10, S-29
    r"|[A-Z]{1,9}\.[IVXL]{1,6}(?![A-Za-z0-9])"  # a Roman session: UNEP/GCSS.VII/6, TD/B/C.I/CLP/37
    r"|[A-Z]{1,8}\(\d{1,3}\)"  # a conference's session in brackets: ICCD/COP(16)/2
    r"|[A-Z]{1,4}\.[A-Z](?![A-Za-z0-9])"  # a board's session letter: WFP/EB.A/2024/5-B
    r"|[A-Z][A-Za-z]{0,9}(?:\.\d{1,5}[A-Z]?)?)"  # RES, C.5, CN.4, Add.1, Corr.1, Rev.21, PV.25, L.1
)
_QUALIFIER = (
    r"\ ?\(\ ?(?:Vol\.?|Sect\.?|Part|Suppl?\.?|Income\ sect\.?|Introduction|Summary)"
    r"(?:\ ?[0-9IVXLA-Z]{1,6}[A-Z]?)?\ ?\)"
)
_ONE_SYMBOL = rf"{_SERIES}(?:/{_COMPONENT})+(?:{_QUALIFIER}(?:/{_COMPONENT})*)?"
_DOCUMENT = re.compile(
    rf"{_BEFORE}(?P<sym>(?>{_ONE_SYMBOL})(?:-(?>{_ONE_SYMBOL}))?)(?P<after>[A-Za-z0-9/]?)"
)
_LEADING_ZERO = re.compile(r"(?:^|/)0\d")
_JIU_PART = re.compile(r"^(JIU/[A-Z]+/\d{4}/\d+)(?:\s*\(?\s*Part\s+[IVX]+\s*\)?)$")
_TRAILING_JUNK = re.compile(r"\s*(?:\*+|\[[^\]]*\]|\((?:advance|unedited|provisional)[^)]*\))\s*$", re.IGNORECASE)
_QUALIFIER_NORMAL = re.compile(r"\s*\(\s*(Vol|Sect|Suppl|Supp|Income sect)\.?\s*([0-9IVXLA-Z]{1,6}[A-Z]?)?\s*\)")


def normalize_symbol(raw: str) -> str | None:
    """A printed symbol in its canonical form, or ``None`` if it is no UN document symbol.

    ``A/80/604/Add.1*`` → ``A/80/604/Add.1``; ``JIU/REP/2025/1 [Expanded report]`` → ``JIU/REP/2025/1``;
    ``A/80/5(Vol.II)`` → ``A/80/5 (Vol. II)``; ``JIU/REP/2024/3 Part I`` → ``JIU/REP/2024/3``.
    """
    text = prepare(unicodedata.normalize("NFC", raw)).strip()
    text = re.sub(r"\s+", " ", text)
    text = re.sub(r"\s*/\s*", "/", text)
    text = re.sub(r"\b(Add|Corr|Rev|Amend|PV|SR)\.\s+(\d)", r"\1.\2", text)
    previous = None
    while previous != text:
        previous = text
        text = _TRAILING_JUNK.sub("", text)
    jiu = _JIU_PART.match(text)
    if jiu:
        return jiu.group(1)
    match = _DOCUMENT.match(text)
    if not match or match.group("after") or match.end("sym") != len(text):
        return None
    symbol = match.group("sym")
    if not _valid_document(symbol):
        return None
    return _canonical(symbol)


def _canonical(symbol: str) -> str:
    symbol = re.sub(r"\b(Add|Corr|Rev|Amend)\. (\d)", r"\1.\2", symbol)
    def qualifier(m: re.Match[str]) -> str:
        word = {"Supp": "Suppl"}.get(m.group(1), m.group(1))
        number = f" {m.group(2)}" if m.group(2) else ""
        return f" ({word}.{number})"

    symbol = _QUALIFIER_NORMAL.sub(qualifier, symbol)
    symbol = re.sub(r"\s*\(\s*Part\s*([IVX]+|[A-Z])\s*\)", r" (Part \1)", symbol)
    symbol = re.sub(r"\s*\(\s*(Introduction|Summary)\s*\)", r" (\1)", symbol)
    if symbol.startswith("JIU/"):
        symbol = re.sub(r"\s*\(Part [IVX]+\)$", "", symbol)
    return symbol


_NEEDS_NUMBER = {"Add", "Corr", "Rev", "Amend", "L", "PV", "SR", "CRP", "WP", "R", "Res", "RES"}


def _valid_document(symbol: str) -> bool:
    """Structural checks that set UN symbols apart from look-alikes (``PROCEDURE/DHR/2022/003``, ``HIV/AIDS``)."""
    for part in joint_parts(symbol):
        core = re.sub(r"\s*\(.*?\)", "", part)
        components = core.split("/")
        if len(components) < 2 or not any(ch.isdigit() for ch in core):
            return False
        if _LEADING_ZERO.search(core):
            return False  # UN symbols never zero-pad numbers; internal reference codes do
        if re.fullmatch(r"[IVXL]{2,}", components[0]):
            return False  # a Roman session number, as in the IAEA's ``GC(XXXVII)/RES/624``
        if components[-1] in _NEEDS_NUMBER:
            return False  # cut short or a placeholder: ``A/80/7/Add.__``, ``JIU/NOTE/2022/1/Rev.`` + line break
        if len(components) == 2 and not re.fullmatch(r"[A-Z]+\.\d+", components[1]) and "." not in components[0]:
            return False  # ``X/12`` is a ratio or a code; two-part symbols are records such as ``S/PV.10100``
    return True


def find_document_symbols(text: str) -> list[Citation]:
    """Document symbols printed in a text (resolutions printed as symbols, ``A/RES/79/281``, included).

    A short follow-on names a further document: "A/71/818 and Corr.1" cites ``A/71/818/Corr.1`` too,
    "A/79/724/Add.1 and Add.2" cites ``A/79/724/Add.2``.
    """
    prepared = prepare(text)
    found: list[Citation] = []
    if "/" not in prepared:
        return found  # every symbol has one (``_ONE_SYMBOL``); most paragraphs have none
    for match in _DOCUMENT.finditer(prepared):
        if match.group("after"):
            continue  # ``POLICY/OED/2024//001``: the look-alike runs on; no shorter reading is taken
        symbol = match.group("sym")
        if not _valid_document(symbol):
            continue
        normal = _canonical(symbol)
        end = match.end("sym")
        jiu_part = re.match(r"\s*Part\s+[IVX]+\b", prepared[end:])
        if jiu_part and normal.startswith("JIU/"):
            end += jiu_part.end()
        if _DECISION_AFTER.match(prepared, end):
            continue  # "OS/14/101 号决定": a decision's number; "draft decision A/76/L.79" is a document
        found.append(Citation(normal, match.start("sym"), end, "document"))
        for more in _FOLLOW_ON.finditer(prepared, end):
            if more.start() != end:
                break
            kind = more.group("kind")
            # Each follow-on is a sibling of the printed document: "A/62/701 and Corr.1 and Add.1" cites
            # A/62/701/Add.1 (not …/Corr.1/Add.1); "A/79/724/Add.1 and Add.2" cites A/79/724/Add.2.
            sibling = re.sub(rf"/{kind}\.\d+$", "", normal) + f"/{kind}.{more.group('n')}"
            found.append(Citation(sibling, more.start("kind"), more.end(), "document"))
            end = more.end()
    return found


_DECISION_AFTER = re.compile(r"\s?号\s?决定")


_FOLLOW_ON = re.compile(r"\s?(?:,|and|et|y|和|及|、)\s?(?P<kind>Add|Corr|Rev|Amend)\.\s?(?P<n>\d{1,3})(?![\d/.]\d)")


# --------------------------------------------------------------------------------------------------
# Resolutions.

_RNUM = (
    r"(?:\d{1,4}\ ?\(\ ?\d{4}\ ?\)"  # Security Council: 2811 (2025)
    r"|\d{1,4}\ ?(?:[A-H]\ )?\(\ ?(?:ES-|S-)?[IVXL]{1,7}\ ?\)"  # old style: 174 (II), 36 (IV); 2200 A (XXI)
    r"|(?:ES|S)-\d{1,2}/\d{1,3}"  # emergency and special sessions
    r"|\d{4}/\d{1,3}"  # Economic and Social Council: 2025/25
    r"|\d{1,3}/\d{1,3})"  # General Assembly, Human Rights Council: 73/279
    r"(?![\d/]|\.\d)"
)
_PART_SEP = r"(?:\ ?(?:–|—|-|to|至|and|和|及|与|,|、)\ ?)"
_PARTS = rf"(?:\ ?[A-Z](?![A-Za-z0-9/(])(?:{_PART_SEP}[A-Z](?![A-Za-z0-9/(]))*)"
_ITEM = rf"(?P<num>{_RNUM})(?P<parts>{_PARTS})?"
# What may follow a listed number before the next one: a place in it ("sect. II"), or its date, as a
# resolution's preamble cites them ("resolutions 31/192 of 22 December 1976, 50/233 of 7 June 1996").
_TAIL = (
    r"(?:,?\ (?:sect\.|section|sects\.|part|para\.|paras\.|paragraph|paragraphs|annex)\ ?[\w.–-]{1,12}"
    r"|\ of\ \d{1,2}\ [A-Z][a-z]{2,8}\ \d{4})*"
)
_ZH_DATE = r"(?:\d{4}\ ?年\ ?\d{1,2}\ ?月\ ?\d{1,2}\ ?日\ ?)"  # "1996年6月7日第50/233号": the date before the number
_LIST_SEP = r"(?:\ ?,\ ?and\ |\ ?,\ ?|\ and\ |\ as\ well\ as\ |\ ?;\ ?|\ or\ )"
_EN_LIST = re.compile(
    rf"(?<![A-Za-z])(?P<kw>[Rr]esolutions?)\ (?:No\.\ ?|Nos\.\ ?)?"
    rf"(?P<list>{_RNUM}{_PARTS}?{_TAIL}(?:{_LIST_SEP}(?:(?:resolutions?|its)\ )?{_RNUM}{_PARTS}?{_TAIL})*)"
)
_ZH_LIST = re.compile(
    rf"第\ ?(?P<list>{_RNUM}{_PARTS}?\ ?号?(?:\ ?(?:和|、|，|,|及|以及|与)\ ?{_ZH_DATE}?第?\ ?{_RNUM}{_PARTS}?\ ?号?)*)"
    r"\ ?(?:各项)?决议"
)
_ZH_AFTER_KEYWORD = re.compile(rf"决议\ ?(?P<list>{_RNUM}{_PARTS}?(?:\ ?(?:和|、|，|,|及)\ ?{_RNUM}{_PARTS}?)*)")
_ITEM_RE = re.compile(rf"(?<![A-Za-z0-9/.-]){_ITEM}")
_KEYWORD = re.compile(r"(?<![A-Za-z])(?:[Rr]esolutions?)(?![A-Za-z])")
_GA_SHAPED = re.compile(r"(?<![A-Za-z0-9/.\-])(?:\d{1,3}/\d{1,3}|\d{1,4} ?\(\d{4}\))(?![\d/]|\.\d)")
_DECISION = re.compile(r"[Dd]ecisions?\b|决定")

_ORGANS_EN: list[tuple[str, Organ]] = [
    (r"Economic and Social Council|ECOSOC", "ECOSOC"),
    (r"Security Council", "SC"),
    (r"Human Rights Council", "HRC"),
    (r"Trusteeship Council|Governing Council|Council of\b|Council for\b", "OTHER"),
    (r"(?:World Health|Environment|Health|Parliamentary|Tourism|Meteorological|UNEP) Assembly"
     r"|Assembly of (?:States|the)", "OTHER"),
    (r"General Assembly|Assembly", "GA"),
    (r"Council", "COUNCIL"),
    (r"Executive Board|Board|Commission|Conference|Committee|Forum|Governing Body|Congress"
     r"|Organization|Programme|Fund|Agency", "OTHER"),
]
_ORGANS_ZH: list[tuple[str, Organ]] = [
    (r"经济及社会理事会|经社理事会", "ECOSOC"),
    (r"安全理事会|安理会", "SC"),
    (r"人权理事会", "HRC"),
    (r"世界卫生大会|环境大会|缔约方大会|卫生大会", "OTHER"),
    (r"大会", "GA"),
    (r"理事会", "COUNCIL"),
    (r"执行局|委员会|会议|理事机构|论坛", "OTHER"),
]
_ORGAN_EN = re.compile("|".join(f"(?P<o{i}>{pattern})" for i, (pattern, _) in enumerate(_ORGANS_EN)))
_ORGAN_ZH = re.compile("|".join(f"(?P<o{i}>{pattern})" for i, (pattern, _) in enumerate(_ORGANS_ZH)))
_ATTACHED_EN = re.compile(  # "Security Council resolution", "the Assembly, in its resolution"
    rf"(?:{_ORGAN_EN.pattern})(?:'s|’s)?\s*(?:\([A-Za-z]+\)\s*)?(?:,?\s*(?:in|by|through|under|with)\s+its\s*)?"
    r"(?:draft\s+)?$"
)
# The organ that "its resolution" belongs to, named right after the citation: "The Committee recalled that, by
# its resolution 52/215, the General Assembly had decided …" (the Committee named before is not the author).
_ORGAN_AFTER_EN = re.compile(rf",\s*(?:the\s+)?(?:{_ORGAN_EN.pattern})\b")
_LISTING_HEADING = re.compile(
    r"^(?P<organ>General Assembly|Economic and Social Council|Security Council|Human Rights Council"
    r"|大会|经济及社会理事会|经社理事会|安全理事会|人权理事会)\s*(?:resolutions?(?: and decisions)?|决议(?:和决定)?)\s*:?$"
)


def _organ_of(match: re.Match[str], table: list[tuple[str, Organ]]) -> Organ:
    for i, (_, organ) in enumerate(table):
        if match.group(f"o{i}"):
            return organ
    return "OTHER"


def listing_organ(heading: str) -> Organ | None:
    """The organ of a list heading such as "General Assembly resolutions" / "大会决议", else ``None``.

    Budget fascicles list their legislative mandates as bare numbers under such headings.
    """
    match = _LISTING_HEADING.match(normalize_space(heading))
    return _named_organ(match.group("organ")) if match else None


def _named_organ(name: str) -> Organ:
    """The organ a heading names (one of the four whose resolutions have symbols)."""
    name = name.lower()
    if name in ("general assembly", "大会"):
        return "GA"
    if name in ("economic and social council", "经济及社会理事会", "经社理事会"):
        return "ECOSOC"
    if name in ("security council", "安全理事会"):
        return "SC"
    return "HRC"


_COLUMN_HEADING = re.compile(
    r"^(?:(?P<organ>General Assembly|Economic and Social Council|Security Council|Human Rights Council"
    r"|大会|经济及社会理事会|经社理事会|安全理事会|人权理事会)\s*)?(?:resolutions?|决议)(?:\s*(?:and|和)\s*(?:decisions?|决定))?"
    r"(?:\s*(?:No\.|number|编号|号))?\s*:?$",
    re.IGNORECASE,
)


def column_organ(heading: str) -> Organ | None:
    """The organ whose resolutions a table column lists, from the column's heading, else ``None``.

    An annex table of resolutions heads the column "决议" / "Resolution" and prints each row's number
    bare ("75/242 A：财务报告…"); a heading that names no organ means the General Assembly's.
    """
    match = _COLUMN_HEADING.match(normalize_space(heading))
    if not match:
        return None
    return _named_organ(match.group("organ")) if match.group("organ") else "GA"


def find_tabled_resolutions(cell: str, organ: Organ) -> list[Citation]:
    """The resolution numbers that open a cell of a resolution column, before its title ("75/254 A 至 C：…")."""
    head = re.split(r"[:：]", prepare(cell), maxsplit=1)[0]
    return find_listed_resolutions(head.strip(), organ)


_CUT_SYMBOL = re.compile(r"(?<![A-Za-z0-9/.\-])[A-Z]{1,8}(?:/[A-Za-z0-9.\-]+)+/?$")
_CONTINUATION = re.compile(r"^\s*(?:\(\s*(?:Sect|Vol|Part|Suppl?|Income sect)\b|/?(?:Add|Corr|Rev|Amend)\.\s?\d)")


def join_broken_symbol(before: str, after: str) -> str | None:
    """One text when a symbol is cut between two pieces (a table cell that runs over a page break:
    "…、A/76/6" + "(Sect. 3)/Add.2、…"), else ``None``."""
    head, tail = prepare(before).rstrip(), prepare(after)
    if not _CUT_SYMBOL.search(head) or not _CONTINUATION.match(tail):
        return None
    glue = "" if head.endswith("/") or tail.lstrip().startswith("/") else " "
    return head + glue + tail.lstrip()


def normalize_space(text: str) -> str:
    return re.sub(r"\s+", " ", prepare(text)).strip()


def resolution_symbols(number: str, parts: str = "", organ: Organ | None = None) -> list[str]:
    """Symbols for one cited resolution number: ``("74/261", "A–C")`` → three GA symbols; ``[]`` when the
    organ's resolutions have no such symbol or the number's shape does not fit the organ."""
    number = re.sub(r"\s+", "", prepare(number))
    number = re.sub(r"\(", " (", number)
    lettered = re.fullmatch(r"(\d{1,4})([A-H]) (\((?:ES-|S-)?[IVXL]+\))", number)
    if lettered:  # "2200 A (XXI)": the part is printed before the session, the symbol puts it last
        number, parts = f"{lettered.group(1)} {lettered.group(3)}", lettered.group(2)
    base: str | None = None
    if re.fullmatch(r"\d{1,4} \(\d{4}\)", number):
        if organ in (None, "SC", "COUNCIL", "GA"):
            # Only the Security Council numbers its resolutions with the year ("1267 (1999)"); an Assembly
            # named nearby ("the Assembly welcomed resolution 2719 (2023)") does not make it the Assembly's.
            return [f"S/RES/{number}"]  # Security Council resolutions carry their year, never parts
        return []
    if re.fullmatch(r"\d{4}/\d{1,3}", number):
        if organ in (None, "ECOSOC", "COUNCIL"):
            base = f"E/RES/{number}"
    elif re.fullmatch(r"\d{1,4} \((?:ES-|S-)?[IVXL]+\)", number):
        if organ in (None, "GA"):
            base = f"A/RES/{number}"
        elif organ in ("ECOSOC", "COUNCIL"):
            base = f"E/RES/{number}"
    elif re.fullmatch(r"(?:(?:ES|S)-)?\d{1,3}/\d{1,3}", number):
        if organ in (None, "GA"):
            base = f"A/RES/{number}"
        elif organ == "HRC":
            base = f"A/HRC/RES/{number}"
    if base is None:
        return []
    letters = _expand_parts(parts)
    return [f"{base} {letter}" for letter in letters] if letters else [base]


def _expand_parts(parts: str) -> list[str]:
    """``"A–C"`` → A, B, C; ``"A and B"`` → A, B; ``"A 至 C"`` → A, B, C."""
    parts = prepare(parts or "").strip()
    if not parts:
        return []
    letters: list[str] = []
    for chunk in re.split(r"\s*(?:,|、|and|和|及|与)\s*", parts):
        chunk = chunk.strip()
        if not chunk:
            continue
        span = re.fullmatch(r"([A-Z])\s*(?:–|—|-|to|至)\s*([A-Z])", chunk)
        if span and span.group(1) <= span.group(2):
            letters.extend(chr(c) for c in range(ord(span.group(1)), ord(span.group(2)) + 1))
        elif re.fullmatch(r"[A-Z]", chunk):
            letters.append(chunk)
    return letters


def _items(listing: str, offset: int, organ: Organ | None) -> list[Citation]:
    found: list[Citation] = []
    for item in _ITEM_RE.finditer(listing):
        for symbol in resolution_symbols(item.group("num"), item.group("parts") or "", organ):
            found.append(Citation(symbol, offset + item.start(), offset + item.end(), "resolution"))
    return found


def _sentence_bounds(text: str, position: int) -> tuple[int, int]:
    """Start and end of the sentence around ``position`` (abbreviations such as "para." do not end one)."""
    ends = list(_sentence_ends(text))
    start = 0
    for end in ends:
        if end < position:
            start = end + 1
        else:
            return start, end
    return start, len(text)


_ABBREVIATIONS = re.compile(
    r"(?:para|paras|sect|sects|Sect|Vol|vol|No|Nos|no|art|arts|Add|Corr|Rev|ch|Part|e\.g|i\.e|Mr|Ms|Mrs|Dr|St|al|"
    r"Amend|Suppl|annex|p|pp)$"
)


def _sentence_ends(text: str) -> Iterable[int]:
    for match in re.finditer(r"[.!?](?=\s|$)|[。；;！？]", text):
        if match.group() == ".":
            head = text[max(0, match.start() - 6):match.start()]
            if _ABBREVIATIONS.search(head):
                continue
        yield match.start()


def _organ_before(text: str, keyword_start: int, sentence_start: int, chinese: bool) -> Organ | None:
    """The organ whose resolution this is, from the words just before the keyword.

    "Security Council resolution", "the Assembly, in its resolution", "安全理事会第…号决议". A resolution
    cited without an organ is the General Assembly's (``None``) unless its number's shape says otherwise.
    """
    before = text[sentence_start:keyword_start]
    if chinese:
        tail = before[-14:]
        if tail.rstrip().endswith("其") or not tail.strip():
            matches = list(_ORGAN_ZH.finditer(before))
            return _organ_of(matches[-1], _ORGANS_ZH) if matches else None
        near = list(_ORGAN_ZH.finditer(tail))
        if near and tail[near[-1].end():].strip(" 的关于第") == "":
            return _organ_of(near[-1], _ORGANS_ZH)
        return None
    attached = _ATTACHED_EN.search(before)
    if attached and attached.group(0).strip():
        return _organ_of(attached, _ORGANS_EN)
    if re.search(r"\b(?:its|their)\s*$", before):
        matches = list(_ORGAN_EN.finditer(before))
        return _organ_of(matches[-1], _ORGANS_EN) if matches else None
    return None


def find_resolutions(text: str) -> list[Citation]:
    """Resolutions cited in running text, English or Chinese, as their symbols."""
    prepared = prepare(text)
    found: list[Citation] = []
    if "esolution" not in prepared and "决议" not in prepared:
        return found  # every pattern below needs "resolution(s)" or "决议"; most paragraphs have neither
    covered: list[tuple[int, int]] = []
    for match in _EN_LIST.finditer(prepared):
        if re.search(r"\bdraft\s*$", prepared[max(0, match.start() - 8):match.start()]):
            continue
        start, _ = _sentence_bounds(prepared, match.start())
        organ = _organ_before(prepared, match.start(), start, chinese=False)
        named_after = _ORGAN_AFTER_EN.match(prepared, match.end())
        if named_after and re.search(r"\b(?:its|their)\s*$", prepared[start:match.start()]):
            organ = _organ_of(named_after, _ORGANS_EN)  # "by its resolution 52/215, the General Assembly …"
        found.extend(_items(match.group("list"), match.start("list"), organ))
        covered.append((match.start(), match.end()))
    for pattern in (_ZH_LIST, _ZH_AFTER_KEYWORD):
        for match in pattern.finditer(prepared):
            if any(a <= match.start() < b for a, b in covered):
                continue
            start, _ = _sentence_bounds(prepared, match.start())
            organ = _organ_before(prepared, match.start(), start, chinese=True)
            found.extend(_items(match.group("list"), match.start("list"), organ))
            covered.append((match.start(), match.end()))
    found.extend(_loose_resolutions(prepared, covered))
    return found


def _loose_resolutions(text: str, covered: list[tuple[int, int]]) -> list[Citation]:
    """Numbers a keyword governs without being next to it.

    "the General Assembly resolutions on the pattern of conferences (43/222, the most recent being
    80/234)", and table text where a column break separates "its resolution" from "61/276". Only
    General Assembly and Security Council shapes are taken, within the keyword's sentence, before
    any "decision".
    """
    found: list[Citation] = []
    for keyword in _KEYWORD.finditer(text):
        if re.search(r"\bdraft\s*$", text[max(0, keyword.start() - 8):keyword.start()]):
            continue
        start, end = _sentence_bounds(text, keyword.start())
        rest = text[keyword.end():min(end, keyword.end() + 400)]
        stop = _DECISION.search(rest)
        if stop:
            rest = rest[:stop.start()]
        organ = _organ_before(text, keyword.start(), start, chinese=False)
        if organ is None and not re.search(r"\b(?:its|their)\s*$", text[start:keyword.start()]):
            continue  # "the resolution of 42/43 cases" is no citation; "its resolution" and "Assembly resolution" are
        window = re.match(r"(?:\s+[A-Za-z’'-]+){1,6}?\s+\(?(?=\d)", rest)
        candidates: list[re.Match[str]] = []
        if window and not re.search(r"[,;:]", window.group(0)):
            first = _GA_SHAPED.match(rest, window.end())
            if first:
                candidates.append(first)
        for group in re.finditer(r"\(([^()]{0,120})\)", rest):
            inner_start = group.start(1)
            if _GA_SHAPED.match(rest, inner_start):
                candidates.extend(_GA_SHAPED.finditer(rest, inner_start, group.end(1)))
        for number in candidates:
            position = keyword.end() + number.start()
            if any(a <= position < b for a, b in covered):
                continue
            parts = re.match(_PARTS, rest[number.end():])
            for symbol in resolution_symbols(number.group(), parts.group() if parts else "", organ):
                found.append(Citation(symbol, position, keyword.end() + number.end(), "resolution"))
    return found


# Where an organ's decisions are numbered in the same series as its resolutions, from this serial on:
# the Assembly's decisions from 401 ("78/558"), the Council's from 201 ("2025/315").
_DECISION_SERIALS: dict[Organ, tuple[str, int]] = {"GA": (r"\d{1,3}/(\d{1,3})", 401), "ECOSOC": (r"\d{4}/(\d{1,3})", 201)}


def is_decision_number(number: str, organ: Organ) -> bool:
    """Whether a bare number under "resolutions and decisions" is a decision's (``78/558``, ``2025/315``)."""
    if organ not in _DECISION_SERIALS:
        return False
    shape, first = _DECISION_SERIALS[organ]
    match = re.fullmatch(shape, number)
    return match is not None and int(match.group(1)) >= first


def find_listed_resolutions(text: str, organ: Organ) -> list[Citation]:
    """Bare resolution numbers in a list under an organ's heading ("43/222 A–E; Pattern of conferences 50/11").

    Only the shapes that organ uses are taken, so a budget period ``2025/26`` under a General Assembly
    heading is not read as a resolution, nor is a decision listed under "resolutions and decisions".
    """
    prepared = prepare(text)
    found: list[Citation] = []
    for item in re.finditer(rf"(?<![A-Za-z0-9/.\-(]){_ITEM}(?=$|[\s;,.)])", prepared):
        if re.search(r"(?:[Dd]ecisions?|决定)\s*(?:No\.\s*)?$", prepared[max(0, item.start() - 14):item.start()]):
            continue  # "Consideration of decision 14/1 of the Open-ended Working Group", in a title
        number = item.group("num")
        shape_ok = {
            "GA": re.fullmatch(r"(?:(?:ES|S)-)?\d{1,3}/\d{1,3}|\d{1,4} ?(?:[A-H] )?\((?:ES-|S-)?[IVXL]+\)", number),
            "ECOSOC": re.fullmatch(r"\d{4}/\d{1,3}|\d{1,4} ?(?:[A-H] )?\([IVXL]+\)", number),
            "SC": re.fullmatch(r"\d{1,4} ?\(\d{4}\)", number),
            "HRC": re.fullmatch(r"(?:S-)?\d{1,3}/\d{1,3}", number),
        }.get(organ)
        if not shape_ok or is_decision_number(number, organ):
            continue
        for symbol in resolution_symbols(number, item.group("parts") or "", organ):
            found.append(Citation(symbol, item.start(), item.end(), "resolution"))
    return found


def find_citations(text: str) -> list[Citation]:
    """Every document symbol and resolution cited in a text, in text order."""
    found = set(find_document_symbols(text) + find_resolutions(text))
    return sorted(found, key=lambda c: (c.start, c.end, c.symbol))


_JOINT = re.compile(r"(?<=[\d)])-(?=[A-Z]{1,8}/)")


def joint_parts(symbol: str) -> list[str]:
    """The documents a joint symbol names: ``A/74/73/Add.1-E/2019/14/Add.1`` → both; any other → itself."""
    return _JOINT.split(symbol)


def find_references(texts: Iterable[str], exclude: Iterable[str] = ()) -> list[str]:
    """Sorted, de-duplicated symbols cited in the texts, without those in ``exclude`` (the document's own).

    A joint document is cited as each of its symbols, however the joint is printed (a hyphen joins the
    parts into one match, an en dash does not), so the two printings give the same references.
    """
    excluded = {normalize_symbol(s) or s for s in exclude}
    symbols = {part for text in texts for c in find_citations(text) for part in joint_parts(c.symbol)}
    return sorted(symbols - excluded)


__all__ = [
    "Citation",
    "Organ",
    "column_organ",
    "find_citations",
    "find_document_symbols",
    "find_listed_resolutions",
    "find_references",
    "find_resolutions",
    "find_tabled_resolutions",
    "join_broken_symbol",
    "joint_parts",
    "listing_organ",
    "normalize_symbol",
    "prepare",
    "resolution_symbols",
]
