"""Numbers as UN tables print them, and the unit a table's caption declares.

Tables keep their cells as printed (spec: `4 692.4`, `(973.2)`, `—`); the store turns numeric cells
into values with ``parse_number`` and scales them with the caption's unit. UN conventions handled:
thin or plain spaces and commas as thousands separators, parentheses for negative amounts, a dash for
nil, per cent written out, full-width digits in Chinese documents, a currency mark in front.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["UNIT_SCALES", "detect_unit", "parse_number", "unit_scale"]

_NIL = {"", "-", "–", "—", "‒", "―", "−", "--", "---", "…", "...", "n/a", "na", "nil", "－"}
_CURRENCY = re.compile(r"^(?:US\$|USD|CHF|SwF|EUR|\$|€|£|¥)\s*", re.IGNORECASE)
_PERCENT = re.compile(r"\s*(?:%|per\s*cent|percent)$", re.IGNORECASE)
_SCALE_WORDS = {
    "thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12, "万": 1e4, "亿": 1e8, "千": 1e3,
}
_SCALE = re.compile(r"\s*(thousand|million|billion|trillion|万|亿|千)$", re.IGNORECASE)
_PLAIN = re.compile(r"^\d+(?:\.\d+)?$")
# Groups of three digits after the first, separated by a comma, a space or a thin space.
_GROUPED = re.compile(r"^\d{1,3}(?:[ ,]\d{3})+(?:\.\d+)?$")
_DECIMAL_COMMA = re.compile(r"^\d+,\d{1,2}$")
_SPACES = re.compile(r"[\s\u00a0\u2009\u202f\u2007\u200a]+")
_DASHES = str.maketrans({"−": "-", "–": "-", "‒": "-", "—": "-", "﹣": "-", "－": "-"})


def parse_number(cell: str) -> float | None:
    """The value of a numeric cell, or ``None`` for nil, blank or non-numeric text.

    ``4 692.4`` → 4692.4, ``1,748,000`` → 1748000, ``(973.2)`` → -973.2, ``—`` → None,
    ``12.5%``/``12.5 per cent`` → 12.5 (per cent values stay in per cent), ``１２３`` → 123,
    ``$61,615,100`` → 61615100, ``SwF 2.3 million`` → 2300000.
    """
    text = unicodedata.normalize("NFKC", cell or "").strip()
    if text.casefold() in _NIL:
        return None
    text = _SPACES.sub(" ", text).translate(_DASHES)
    negative = False
    if text.startswith("(") and text.endswith(")"):
        negative, text = True, text[1:-1].strip()
    if text.startswith(("-", "+")):
        negative, text = negative or text[0] == "-", text[1:].strip()
    text = _CURRENCY.sub("", text)
    if text.startswith("-"):  # "$-5"
        negative, text = True, text[1:].strip()
    text = _PERCENT.sub("", text)
    scale = 1.0
    match = _SCALE.search(text)
    if match:
        scale = _SCALE_WORDS[match.group(1).casefold()]
        text = text[: match.start()]
    text = text.strip()
    if _PLAIN.match(text):
        value = float(text)
    elif _GROUPED.match(text):
        value = float(re.sub(r"[ ,]", "", text))
    elif _DECIMAL_COMMA.match(text):
        value = float(text.replace(",", "."))
    else:
        return None
    value *= scale
    return -value if negative else value


# Units as captions print them; the longest phrase that matches wins.
_UNITS: list[re.Pattern[str]] = [
    re.compile(r"(?:thousands?|millions?|billions?)\s+of\s+[A-Z][\w ]*?(?:dollars|francs|euros|pounds|yen|"
               r"shillings|pesos)", re.IGNORECASE),
    re.compile(r"(?:United States|Swiss|Canadian|Australian)\s+(?:dollars|francs)", re.IGNORECASE),
    re.compile(r"(?:十亿|百万|千|万|亿)?(?:美元|瑞士法郎|欧元)"),
    re.compile(r"\b(?:percentage|per cent(?:age)?)\b", re.IGNORECASE),
    re.compile(r"百分比"),
    re.compile(r"\b(?:number of [a-z ]+)\b", re.IGNORECASE),
]
UNIT_SCALES = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "千": 1e3, "百万": 1e6, "万": 1e4, "亿": 1e8,
               "十亿": 1e9}


def detect_unit(caption: str | None) -> str | None:
    """The unit a table caption declares, as printed (``thousands of United States dollars``, ``千美元``).

    UN captions put it in parentheses on the last line, "(Thousands of United States dollars)"; a
    bare currency phrase elsewhere in a title is taken only when nothing in parentheses names one.
    """
    if not caption:
        return None
    text = unicodedata.normalize("NFKC", caption)
    candidates = [*re.findall(r"\(([^()]{2,80})\)", text), text]
    for candidate in candidates:
        for pattern in _UNITS:
            match = pattern.search(candidate)
            if match:
                unit = match.group(0).strip()
                return unit[0].lower() + unit[1:] if unit[:1].isupper() and not unit.startswith("United") else unit
    return None


def unit_scale(unit: str | None) -> float:
    """Factor to multiply cell values by for a unit from ``detect_unit`` (1.0 when none is implied)."""
    if not unit:
        return 1.0
    lowered = unit.casefold()
    for word, factor in (("thousand", 1e3), ("million", 1e6), ("billion", 1e9)):
        if lowered.startswith(word):
            return factor
    for prefix in ("十亿", "百万", "千", "万", "亿"):
        if unit.startswith(prefix):
            return UNIT_SCALES[prefix]
    return 1.0
