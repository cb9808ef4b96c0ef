"""Find the time limit a recommendation sets and normalise it, for English and Chinese text.

One normaliser serves every extractor (JIU recommendations, ACABQ paragraphs, status-table due
dates), so that "by the end of 2023" and "在2023年底前" land in the same ``Deadline``. Matching runs
on an NFKC, whitespace-collapsed copy of the text; ``Deadline.text`` is always the printed words,
cut from the input through a character map, so it is a substring of what the caller passed.

Doubtful phrasings, decided here once (see ``../shared/spec/extraction-v1.md``):

* end of a quarter ("by the end of the first quarter of 2025", "Q1 2025", "2025年第一季度") and
  "by mid-2025" / "first half of 2025" / "2025年年中": kind ``month``, the last day of the quarter's
  last month (2025-03-31) or of June (2025-06-30): that *is* the last day allowed.
* a quarter in any of its printed forms ("First quarter of 2025", "fourth quarter 2024",
  "Quarter 1 2025", "Q1-2025", "2025 Q1", "2025 年第一季度", "2025年一季度"): the same rule, so a
  status report's target date "First quarter of 2025" is due 2025-03-31, kind ``month``.
* a revised target date ("Revised target date: First quarter of 2026", "修订后的目标日期：2026 年第一季度",
  "First quarter of 2026 (revised)") replaces the original date printed beside it; a revision that
  is no date ("Revised target date: Not applicable") leaves the row without one.
* a due-date cell that is a span of years ("2019-2021年", "2024–2025") is due at the end of the
  span: kind ``year``, the last year's 31 December. In running text a span is a budget or
  reporting period and sets no limit.
* "second half of 2025" / "2025年下半年": kind ``year``, 2025-12-31; "late 2025": ``year_end``.
* the beginning of a year ("at the beginning of 2026", "at the start of 2026", "in early 2026", "2026年初",
  "2026年年初"): kind ``month``, the last day of January (2026-01-31). The spec's date is the last day
  the words allow, and the beginning of a year is its first month: reading it as the year (12-31) would
  allow December, which is no beginning. The spec names no kind for it; the gold leaves it unscored
  (JIU/REP/2025/2, recommendations 3 and 8).
* "before" is read like "by" (Chinese "前" is how "by" is translated): "before June 2024" gives
  2024-06-30, not 2024-05-31.
* Executive Board sessions named by year ("at its annual session 2026") give kind ``year``.
* Relative limits with no computable date ("at its next session", "within six months", "by the
  end of the year", "in the next budget submission") give ``None``.
* "immediately", "without delay", "立即" are ``asap`` like "as soon as possible".

Not deadlines: budget/reporting periods ("for the period from 1 July 2026 to 30 June 2027",
"2024/25", "applicable scale of assessment for 2025"), the year money is appropriated or assessed for
("appropriate … for the project in 2025", "在 2025 年为该项目批款": a budget year, not a time limit),
start dates ("from 2023", "从 2023 年起"), history ("in its resolution of 2019", "since 2020",
"adopted in 2019", "截至 2022 年 3 月 31 日").
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from extractors.lib.records import Deadline, DeadlineKind
from pipeline.core.text import phrase_language

__all__ = [
    "chinese_number",
    "english_ordinal",
    "find_deadline",
    "parse_deadline_phrase",
    "parse_target_date",
    "session_number",
]

# --------------------------------------------------------------------------------------------
# Numbers
# --------------------------------------------------------------------------------------------

_ZH_DIGITS = {
    "零": 0,
    "〇": 0,
    "○": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_ZH_UNITS = {"十": 10, "百": 100, "千": 1000}


def chinese_number(text: str) -> int:
    """Read a Chinese (or Arabic, or full-width) numeral: ``"七十八"`` → 78, ``"二〇二三"`` → 2023.

    Other modules need this for session numbers ("第七十七届会议") and years; it is strict (raises
    ``ValueError`` on anything that is not a numeral) so a caller never gets a guessed number.
    """
    s = unicodedata.normalize("NFKC", text).strip()
    if not s:
        raise ValueError("empty numeral")
    if s.isascii() and s.isdigit():
        return int(s)
    if any(ch not in _ZH_DIGITS and ch not in _ZH_UNITS and ch != "万" for ch in s):
        raise ValueError(f"not a Chinese numeral: {text!r}")
    if all(ch in _ZH_DIGITS for ch in s):
        # Digit-by-digit form used for years: 二〇二三.
        value = 0
        for ch in s:
            value = value * 10 + _ZH_DIGITS[ch]
        return value
    if s.count("万") > 1:
        raise ValueError(f"unsupported Chinese numeral: {text!r}")
    if "万" in s:
        high, _, low = s.partition("万")
        low_value = _small_chinese_number(low) if low else 0
        return (_small_chinese_number(high) if high else 1) * 10000 + low_value
    return _small_chinese_number(s)


def _small_chinese_number(s: str) -> int:
    """Positional Chinese numeral below 10 000 (七十八, 一百零五, 一千九百四十五)."""
    total = 0
    digit: int | None = None
    last_unit = 10_000
    for ch in s:
        if ch in _ZH_DIGITS:
            if digit is not None and _ZH_DIGITS[ch] != 0 and digit != 0:
                raise ValueError(f"malformed Chinese numeral: {s!r}")
            digit = _ZH_DIGITS[ch]
        else:
            unit = _ZH_UNITS[ch]
            if unit >= last_unit:
                raise ValueError(f"malformed Chinese numeral: {s!r}")
            total += (1 if digit is None or digit == 0 else digit) * unit
            digit = None
            last_unit = unit
    if digit is not None:
        total += digit
    return total


_UNIT_ORDINALS = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "eighth": 8,
    "ninth": 9,
}
_TEEN_ORDINALS = {
    "tenth": 10,
    "eleventh": 11,
    "twelfth": 12,
    "thirteenth": 13,
    "fourteenth": 14,
    "fifteenth": 15,
    "sixteenth": 16,
    "seventeenth": 17,
    "eighteenth": 18,
    "nineteenth": 19,
}
_TENS = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
_TENS_ORDINALS = {
    "twentieth": 20,
    "thirtieth": 30,
    "fortieth": 40,
    "fiftieth": 50,
    "sixtieth": 60,
    "seventieth": 70,
    "eightieth": 80,
    "ninetieth": 90,
}


def _alt(words: dict[str, int]) -> str:
    return "|".join(sorted(words, key=len, reverse=True))


_ORDINAL = (
    rf"(?:(?:one[\s-]+)?hundred(?:\s+and)?[\s-]+)?"
    rf"(?:(?:{_alt(_TENS)})[\s-]*(?:{_alt(_UNIT_ORDINALS)})|{_alt(_TENS_ORDINALS)}|{_alt(_TEEN_ORDINALS)}"
    rf"|{_alt(_UNIT_ORDINALS)})|(?:one[\s-]+)?hundredth|\d{{1,3}}(?:st|nd|rd|th)"
)


def english_ordinal(text: str) -> int:
    """Read an English ordinal: ``"seventy-eighth"`` → 78, ``"81st"`` → 81 (``ValueError`` otherwise)."""
    s = unicodedata.normalize("NFKC", text).strip().lower()
    s = re.sub(r"[‐‑‒–—-]", "-", s)
    m = re.fullmatch(r"(\d{1,3})(?:st|nd|rd|th)", s)
    if m:
        return int(m.group(1))
    words = [w for w in re.split(r"[\s-]+", s) if w and w != "and"]
    total = 0
    if words[:2] == ["one", "hundred"] or words[:1] == ["hundred"]:
        total = 100
        words = words[2:] if words[0] == "one" else words[1:]
    elif words in (["one", "hundredth"], ["hundredth"]):
        return 100
    if len(words) == 2 and words[0] in _TENS and words[1] in _UNIT_ORDINALS:
        return total + _TENS[words[0]] + _UNIT_ORDINALS[words[1]]
    if len(words) == 1:
        for table in (_UNIT_ORDINALS, _TEEN_ORDINALS, _TENS_ORDINALS):
            if words[0] in table:
                return total + table[words[0]]
    raise ValueError(f"not an English ordinal: {text!r}")


_SESSION_ZH = re.compile(r"第\s*([\d一二三四五六七八九十百零〇两]+)\s*届")
_SESSION_EN = re.compile(rf"\b({_ORDINAL})\s+(?:special\s+)?session\b", re.IGNORECASE)


def session_number(text: str) -> int | None:
    """The first session number in ``text`` ("第七十七届会议", "Eightieth session", "78th session")."""
    s = unicodedata.normalize("NFKC", text)
    m = _SESSION_ZH.search(s)
    if m:
        try:
            return chinese_number(m.group(1))
        except ValueError:
            pass
    m = _SESSION_EN.search(s)
    if m:
        try:
            return english_ordinal(m.group(1))
        except ValueError:
            return None
    return None


# --------------------------------------------------------------------------------------------
# Normalisation with a map back to the printed text
# --------------------------------------------------------------------------------------------

_DASHES = dict.fromkeys(map(ord, "‐‑‒–—―−"), "-")


@dataclass(frozen=True)
class _Norm:
    """NFKC, whitespace-collapsed text plus, per character, the source span it came from."""

    text: str
    src_start: list[int]
    src_end: list[int]
    first: list[bool]
    """True where the character is the first one produced by its source character."""

    def is_boundary(self, i: int) -> bool:
        return i >= len(self.text) or self.first[i]


def _normalise(raw: str) -> _Norm:
    chars: list[str] = []
    src_start: list[int] = []
    src_end: list[int] = []
    first: list[bool] = []
    for i, ch in enumerate(raw):
        if unicodedata.category(ch) == "Cf":  # soft hyphen, zero-width space, BOM
            continue
        out = unicodedata.normalize("NFKC", ch).translate(_DASHES)
        if not out:
            continue
        if out.isspace():
            if chars and chars[-1] == " ":
                src_end[-1] = i + 1
                continue
            out = " "
        for k, c in enumerate(out):
            chars.append(c)
            src_start.append(i)
            src_end.append(i + 1)
            first.append(k == 0)
    return _Norm("".join(chars), src_start, src_end, first)




# --------------------------------------------------------------------------------------------
# Candidate patterns
# --------------------------------------------------------------------------------------------

_MONTHS = {
    name: n
    for n, names in enumerate(
        [
            (),
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sept", "sep"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ]
    )
    for name in names
}
_MONTH = rf"(?P<month>(?:{_alt(_MONTHS)})\b\.?)"
_YEAR = r"(?<!\d)(?<!\d/)(?<!\d-)(?P<year>(?:19|20)\d{2})(?!\d|\s*/\s*\d|-\d)"
# A year beside a quarter number ("Q1-2025", "2025/Q1"): the number rules out a budget period.
_QYEAR = r"(?<!\d)(?P<year>(?:19|20)\d{2})(?!\d)"
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_STRONG = (
    r"by(?:\s+no\s+later\s+than)?|before|no\s+later\s+than|not\s+later\s+than|prior\s+to"
    r"|on\s+or\s+before"
)
_WEAK = r"in|during|within|in\s+the\s+course\s+of|throughout"
_AT = r"at|towards?|around"
_ALL = f"{_STRONG}|{_WEAK}|{_AT}"
_QUARTERS = {
    "first": 1,
    "1st": 1,
    "second": 2,
    "2nd": 2,
    "third": 3,
    "3rd": 3,
    "fourth": 4,
    "4th": 4,
    "final": 4,
    "last": 4,
}

_ZH_YEAR = (
    r"(?P<year>(?<![\d/-])(?:19|20)\d{2}(?!\d)"
    r"|(?<![〇零一二三四五六七八九])[〇零一二三四五六七八九○]{4})\s*年"
)
_ZH_PRE = r"至迟于|至迟在|最迟于|最迟在|最晚于|最晚在|不迟于|不晚于|迟至|在|于|(?<!注意)(?<![收得达])到"
_ZH_SUF = r"之前|以前|前|为止"
_ZH_MONTH = r"(?P<month>1[0-2]|0?[1-9]|十[一二]?|[一二三四五六七八九])\s*月"
_ZH_DAY = r"(?P<day>3[01]|[12]\d|0?[1-9]|三十一?|二?十[一二三四五六七八九]?|[一二三四五六七八九])\s*[日号]"


@dataclass(frozen=True)
class _Found:
    kind: DeadlineKind
    date: str | None = None
    session: int | None = None
    organ: str | None = None
    """The organ whose session it is, when not the General Assembly's."""


@dataclass(frozen=True)
class _Candidate:
    start: int
    end: int
    found: _Found
    strength: str
    """``strong`` (explicit limit), ``weak`` ("in 2025": may be history) or ``bare`` (no governing word)."""


def _last_day(year: int, month: int) -> str:
    return date(year, month, calendar.monthrange(year, month)[1]).isoformat()


def _year(m: re.Match[str]) -> int:
    value = chinese_number(m.group("year"))
    if not 1900 <= value <= 2199:
        raise ValueError("year out of range")
    return value


def _month_num(raw: str) -> int:
    key = raw.rstrip(".").lower()
    value = _MONTHS[key] if key in _MONTHS else chinese_number(key)
    if not 1 <= value <= 12:
        raise ValueError("month out of range")
    return value


def _b_day(m: re.Match[str]) -> _Found:
    day = chinese_number(m.group("day"))
    return _Found("day", date(_year(m), _month_num(m.group("month")), day).isoformat())


def _b_iso(m: re.Match[str]) -> _Found:
    return _Found("day", date(_year(m), int(m.group("m")), int(m.group("d"))).isoformat())


def _b_month(m: re.Match[str]) -> _Found:
    return _Found("month", _last_day(_year(m), _month_num(m.group("month"))))


def _b_quarter(m: re.Match[str]) -> _Found:
    raw = m.group("q").lower()
    q = _QUARTERS[raw] if raw in _QUARTERS else chinese_number(raw)
    if not 1 <= q <= 4:
        raise ValueError("quarter out of range")
    return _Found("month", _last_day(_year(m), 3 * q))


def _b_half(m: re.Match[str]) -> _Found:
    if m.group("h").lower() in ("second", "下半年"):
        return _Found("year", f"{_year(m)}-12-31")
    return _Found("month", _last_day(_year(m), 6))


def _b_mid(m: re.Match[str]) -> _Found:
    return _Found("month", _last_day(_year(m), 6))


def _b_begin(m: re.Match[str]) -> _Found:
    return _Found("month", _last_day(_year(m), 1))


def _b_year_end(m: re.Match[str]) -> _Found:
    return _Found("year_end", f"{_year(m)}-12-31")


def _b_year(m: re.Match[str]) -> _Found:
    return _Found("year", f"{_year(m)}-12-31")


def _session(n: int, organ: str | None) -> _Found:
    """A session limit: the number only for the General Assembly's own sessions, else the organ named."""
    if n < 1:
        raise ValueError("session out of range")
    organ = _other_organ(organ)
    return _Found("session", None, None, organ) if organ else _Found("session", None, n)


def _other_organ(name: str | None) -> str | None:
    """An organ's name as printed, or ``None`` for the General Assembly (and its Main Committees, which meet
    in its sessions): "United Nations Environment Assembly", "执行局"."""
    if not name:
        return None
    name = re.sub(r"^(?:the|The)\s+", "", name.strip())
    if re.fullmatch(r"(?:the\s+)?(?:General\s+)?Assembly|(?:Fifth|Main|First|Second|Third|Fourth|Sixth)\s+Committee"
                    r"|大会|第[一二三四五六]委员会", name, re.IGNORECASE):
        return None
    return name


def _b_session_en(m: re.Match[str]) -> _Found:
    return _session(english_ordinal(m.group("n")), m.group("organ"))


def _b_session_zh(m: re.Match[str]) -> _Found:
    return _session(chinese_number(m.group("n")), m.group("organ"))


def _b_asap(m: re.Match[str]) -> _Found:
    return _Found("asap")


@dataclass(frozen=True)
class _Pattern:
    regex: re.Pattern[str]
    build: Callable[[re.Match[str]], _Found]
    always_strong: bool = False
    """True when the words themselves set a limit (asap); otherwise strength comes from ``pre``/``suf``."""


def _en(pattern: str, build: Callable[[re.Match[str]], _Found], always_strong: bool = False) -> _Pattern:
    return _Pattern(re.compile(pattern, re.IGNORECASE | re.VERBOSE), build, always_strong)


def _zh(pattern: str, build: Callable[[re.Match[str]], _Found], always_strong: bool = False) -> _Pattern:
    return _Pattern(re.compile(pattern, re.VERBOSE), build, always_strong)


# An organ's name, capitalised words with their small joining words: "United Nations Environment Assembly",
# "Commission on Narcotic Drugs", "Conference of the Parties" (case-sensitive inside case-blind patterns).
_ORGAN_NAME = r"(?-i:[A-Z][\w-]*(?:(?:\s+(?:of|on|for|and|the|to))*\s+[A-Z][\w-]*){0,8})"
_ZH_ORGAN = r"(?:联合国)?(?:环境大会|世界卫生大会|卫生大会|缔约方大会|执行局|人权理事会|经济及社会理事会|理事会|委员会)"
_PRE = rf"(?:(?P<pre>{_ALL})\s+)?"
_ZPRE = rf"(?:(?P<pre>{_ZH_PRE})\s*)?"
_ZSUF = rf"(?:\s*(?P<suf>{_ZH_SUF}))?"

# Order matters only for ties (same start and end): more specific first.
_EN_PATTERNS: list[_Pattern] = [
    _en(rf"\b{_PRE}(?:or\s+before\s+)?(?:the\s+)?{_DAY}\s+(?:of\s+)?{_MONTH},?\s+{_YEAR}", _b_day),
    _en(rf"\b{_PRE}{_MONTH}\s+{_DAY},?\s+{_YEAR}", _b_day),
    _en(r"(?<![\d/-])(?P<year>(?:19|20)\d{2})-(?P<m>0[1-9]|1[0-2])-(?P<d>[0-3]\d)(?![\d-])", _b_iso),
    _en(rf"\b{_PRE}(?:the\s+)?end(?:\s+of\s+|-)\s*{_MONTH}\s+(?:of\s+)?{_YEAR}", _b_month),
    _en(rf"\b{_PRE}{_MONTH}\s+(?:of\s+)?{_YEAR}", _b_month),
    _en(
        rf"\b{_PRE}(?:the\s+)?(?:end\s+of\s+(?:the\s+)?)?(?P<q>{_alt(_QUARTERS)})\s+quarter\s*,?\s+(?:of\s+)?{_YEAR}",
        _b_quarter,
    ),
    _en(rf"\b{_PRE}(?:the\s+)?(?:end\s+of\s+)?(?:Q|quarter\s+)(?P<q>[1-4])\s*(?:[-/,]\s*|of\s+)?{_QYEAR}",
        _b_quarter),
    _en(rf"\b{_PRE}{_QYEAR}\s*[-/,]?\s*Q(?P<q>[1-4])\b", _b_quarter),
    _en(
        rf"\b{_PRE}(?:the\s+)?(?:end\s+of\s+(?:the\s+)?)?(?P<h>first|second)\s+half\s+of\s+(?:the\s+year\s+)?{_YEAR}",
        _b_half,
    ),
    _en(rf"\b{_PRE}(?:mid\s*-?\s*|the\s+middle\s+of\s+)(?:the\s+year\s+)?{_YEAR}", _b_mid),
    _en(
        rf"\b{_PRE}(?:(?:the\s+)?(?:beginning|start|outset)\s+of\s+(?:the\s+year\s+)?|early\s+(?:in\s+)?){_YEAR}",
        _b_begin,
    ),
    _en(rf"\b{_PRE}late\s+(?:in\s+)?{_YEAR}", _b_year_end),
    _en(
        rf"\b{_PRE}(?:the\s+)?(?:end|close)\s+of\s+(?:the\s+)?(?:(?:calendar|financial|fiscal)\s+)?(?:year\s+)?"
        rf"{_YEAR}",
        _b_year_end,
    ),
    _en(rf"\b{_PRE}(?:the\s+)?(?:year\s*-?\s*end|end)\s*-?\s*{_YEAR}", _b_year_end),
    _en(
        rf"\b(?:(?P<pre>at|during|by|before|in)\s+)?(?:its|their|the)\s+(?:(?:first|second)\s+regular|annual)"
        rf"\s+session(?:\s+of|\s+in|,)?\s+{_YEAR}",
        _b_year,
    ),
    _en(
        rf"\b(?:(?P<pre>at|during|by|before|in)\s+)?(?:its|their|the)\s+{_YEAR}\s+(?:(?:first|second)\s+regular"
        rf"|annual)\s+session",
        _b_year,
    ),
    _en(
        rf"\b(?:(?P<pre>{_STRONG}|{_WEAK})\s+)?(?:the\s+(?:calendar\s+)?year\s+)?{_YEAR}"
        r"(?!\s+(?:budget|dollars|prices|terms|rates|levels?)\b)",
        _b_year,
    ),
    _en(
        rf"""\b(?:(?P<pre>at|during|by|before|no\s+later\s+than|not\s+later\s+than|prior\s+to|in\s+time\s+for
              |for\s+(?:its\s+)?consideration\s+(?:at|during|by))\s+)?
            (?:(?:its|the|their)\s+)?
            (?:(?:first|second|third|main)\s+(?:resumed\s+)?part\s+of\s+(?:its|the|their)\s+)?
            (?:resumed\s+)?(?P<n>{_ORDINAL})(?:\s+and\s+(?:{_ORDINAL}))?\s+(?:special\s+)?sessions?\b
            (?:\s+of\s+the\s+(?P<organ>{_ORGAN_NAME}))?(?:,?\s+at\s+the\s+latest)?""",
        _b_session_en,
    ),
    _en(
        r"""\b(?:as\s+soon\s+as\s+(?:possible|practicable|feasible)
            |at\s+the\s+earliest\s+(?:possible\s+)?(?:opportunity|date|convenience|stage)
            |without\s+(?:further\s+|undue\s+)?delay|with\s+immediate\s+effect|as\s+a\s+matter\s+of\s+urgency
            |urgently|immediately(?!\s+(?:after|following|before|prior|upon|preceding)\b))\b""",
        _b_asap,
        always_strong=True,
    ),
]

_ZH_AFTER_YEAR = (
    r"(?!\s*(?:年|月|底|末|终|初|中期|度|起|以来|以后|之后|后|上半年|下半年|的?\s*第|\d"
    r"|[一二三四五六七八九十]+\s*月))"
)

_ZH_PATTERNS: list[_Pattern] = [
    _zh(rf"{_ZPRE}{_ZH_YEAR}\s*{_ZH_MONTH}\s*{_ZH_DAY}{_ZSUF}", _b_day),
    _zh(rf"{_ZPRE}{_ZH_YEAR}\s*{_ZH_MONTH}(?:\s*[底末])?{_ZSUF}", _b_month),
    _zh(rf"{_ZPRE}{_ZH_YEAR}\s*(?:的\s*)?第?\s*(?P<q>[一二三四1-4])\s*季度(?:\s*[末底])?{_ZSUF}", _b_quarter),
    _zh(rf"{_ZPRE}{_ZH_YEAR}\s*(?P<h>上半年|下半年){_ZSUF}", _b_half),
    _zh(rf"{_ZPRE}{_ZH_YEAR}\s*(?:年中|中期){_ZSUF}", _b_mid),
    _zh(rf"{_ZPRE}{_ZH_YEAR}\s*年?初{_ZSUF}", _b_begin),
    _zh(rf"{_ZPRE}{_ZH_YEAR}\s*(?:年\s*)?[底末终]{_ZSUF}", _b_year_end),
    _zh(rf"{_ZPRE}{_ZH_YEAR}\s*(?:年度会议|第[一二]届常会){_ZSUF}", _b_year),  # Executive Board sessions
    _zh(rf"{_ZPRE}{_ZH_YEAR}{_ZH_AFTER_YEAR}(?:\s*(?P<suf>{_ZH_SUF}|内|期间))?", _b_year),
    _zh(
        r"(?:(?P<pre>至迟于|至迟在|最迟于|最迟在|不迟于|不晚于|在|于)\s*)?(?:(?:(?P<organ>"
        + _ZH_ORGAN
        + r")|大会|其)\s*)?"
        r"第\s*(?P<n>[\d一二三四五六七八九十百零〇两]+)\s*届\s*(?:常会|会议|特别会议)(?:\s*续会)?(?:\s*(?:上|期间))?"
        rf"(?:\s*(?P<suf>{_ZH_SUF}))?",
        _b_session_zh,
        always_strong=True,
    ),
    _zh(r"尽早|尽快|及早|尽速|从速|立即|立刻|毫不拖延地?|刻不容缓地?", _b_asap, always_strong=True),
]

_WEAK_PRE = re.compile(rf"^(?:{_WEAK}|{_AT}|on|在|于)$", re.IGNORECASE)


def _candidates(norm: _Norm, lang: str) -> list[_Candidate]:
    """All deadline-shaped spans, leftmost-longest, non-overlapping."""
    patterns = _ZH_PATTERNS if lang == "zh" else _EN_PATTERNS
    raw: list[tuple[int, int, int, _Candidate]] = []
    text = norm.text
    for rank, pat in enumerate(patterns):
        for m in pat.regex.finditer(text):
            start, end = m.start(), m.end()
            while start < end and text[start] == " ":
                start += 1
            while end > start and text[end - 1] == " ":
                end -= 1
            if start == end or not (norm.is_boundary(start) and norm.is_boundary(end)):
                continue
            try:
                found = pat.build(m)
            except (ValueError, KeyError):
                continue
            groups = m.groupdict()
            pre, suf = groups.get("pre"), groups.get("suf")
            if pat.always_strong or suf:
                strength = "strong"
            elif pre:
                weak = _WEAK_PRE.match(pre.strip()) and found.kind in ("year", "day", "month")
                strength = "weak" if weak else "strong"
            else:
                strength = "bare"
            raw.append((start, -(end - start), rank, _Candidate(start, end, found, strength)))
    raw.sort(key=lambda r: r[:3])
    chosen: list[_Candidate] = []
    taken_until = -1
    for start, _neg_len, _rank, cand in raw:
        if start >= taken_until:
            chosen.append(cand)
            taken_until = cand.end
    return chosen


# --------------------------------------------------------------------------------------------
# Which candidate governs the recommendation
# --------------------------------------------------------------------------------------------

_MODAL_EN = re.compile(
    r"\b(?:should|shall|must|recommends?|requests?|invites?|urges?|encourages?|calls\s+(?:up)?on"
    r"|(?:is|are)\s+(?:requested|invited|encouraged|urged|called\s+upon)|may\s+wish\s+to|needs?\s+to)\b",
    re.IGNORECASE,
)
_MODAL_ZH = re.compile(
    r"应当|应该|(?<![相供适响回反对效呼答照报])应(?![对用急付邀收享缴])|必须|(?<![必无])须|(?<![所])需(?!求)"
    r"|(?<![项条该此的])建议(?!\s*\d)|(?<![申邀提聘])请|促请|敦促|鼓励|不妨"
)
# Words that make a nearby date history or a reporting reference, not a limit.
_HISTORY_EN = re.compile(
    r"\b(?:adopted|issued|established|launched|made|created|introduced|published|received|signed|held|began"
    r"|begun|started|approved|endorsed|decided|agreed|conducted|noted|recalled|reported|compared|was|were|been"
    r"|had|ended|ending|since|from|as(?:\s+(?:of|at))?|starting|beginning|effective)\b(?:\s+[\w/().,-]+){0,3}\s*$",
    re.IGNORECASE,
)
_HISTORY_PREFIX_EN = re.compile(
    r"\b(?:recall(?:s|ed)?|not(?:es|ed)|was\s+informed|were\s+informed|decided|adopted|in\s+its\s+resolution)\b",
    re.IGNORECASE,
)
_HISTORY_ZH = re.compile(r"(?:截至|截止|自从|自|从|始于|开始于)\s*$")
_HISTORY_PREFIX_ZH = re.compile(r"回顾|注意到|决定|通过了|曾")
_HISTORY_AFTER_ZH = re.compile(r"^\s*(?:通过|发布|印发|设立|成立|提出|核可|作出|商定|启动|开始)的")
_LEADING = re.compile(
    r"^\s*(?:(?:recommendation|建议)\s*\d+\s*[:：.]?\s*)?(?:\(?[a-z0-9]{1,4}[.)]\s*)?"
    r"(?:(?:and|also|further(?:more)?|moreover|then|finally|in\s+addition|此外|同时|另外|并且?|而且)[\s,，、]*)?"
    r"[\"“‘'(（]*\s*$",
    re.IGNORECASE,
)
_ABBREV = re.compile(
    r"\b(?:paras?|Nos?|e\.g|i\.e|Sect|Vol|Add|Corr|Rev|art|arts|Mr|Ms|Mrs|Dr|St|cf|vs|approx|incl|ibid|op|cit|[A-Z])\.$",
    re.IGNORECASE,
)
_SENT_END_EN = re.compile(r"[.!?][\"”’')]*\s+(?=[A-Z\"“‘(\u4e00-\u9fff])")
_SENT_END_ZH = re.compile(r"[。！？](?:[”’」』)]*)\s*")

_ZH_MODAL_JUST_BEFORE = re.compile(r"(?:应当|应该|应|必须|须)\s*$")
_COMMA = re.compile(r"\s*[,，、]")
_PERIOD_EN = re.compile(
    r"\b(?:period|ended|ending|as(?:\s+(?:of|at))?)\b(?:\s+[\w/().,-]+){0,3}\s*$", re.IGNORECASE
)


def _sentences(text: str, lang: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    start = 0
    splitter = _SENT_END_ZH if lang == "zh" else _SENT_END_EN
    for m in splitter.finditer(text):
        if lang != "zh" and _ABBREV.search(text[start : m.start() + 1]):
            continue
        spans.append((start, m.end()))
        start = m.end()
    if start < len(text):
        spans.append((start, len(text)))
    return spans


def _first_modal(text: str, start: int, end: int, lang: str) -> int | None:
    m = (_MODAL_ZH if lang == "zh" else _MODAL_EN).search(text, start, end)
    return m.start() if m else None


def _is_history(text: str, sent_start: int, cand: _Candidate, lang: str) -> bool:
    if cand.found.kind == "asap":
        return False
    before = text[sent_start : cand.start]
    if lang == "zh":
        return bool(_HISTORY_ZH.search(before) or _HISTORY_AFTER_ZH.match(text[cand.end :]))
    explicit = cand.strength == "strong" and cand.found.kind in ("year_end", "month", "day")
    if explicit and not _PERIOD_EN.search(before):
        return False
    return bool(_HISTORY_EN.search(before))


# The verb a year belongs to: money voted for that year, or something to be done by then. In English the
# verb comes before the year ("appropriate … for the project in 2025"), in Chinese after it ("在 2025 年…批款").
_BUDGET_VERB_EN = re.compile(
    r"\b(?:appropriat\w*|apportion\w*|assess(?:es|ed|ing|ment|ments)?|commitment\s+authority|expend\w*)\b", re.IGNORECASE
)
_ACTION_VERB_EN = re.compile(
    r"\b(?:submit\w*|report\w*|present\w*|provid\w*|complet\w*|implement\w*|conclud\w*|finali[sz]\w*"
    r"|review\w*|undertak\w*|establish\w*|develop\w*|ensur\w*)\b",
    re.IGNORECASE,
)
_BUDGET_VERB_ZH = re.compile(r"批款|拨款|摊款|分摊|承付|追加经费|核拨")
_ACTION_VERB_ZH = re.compile(r"提交|报告|提出|提供|完成|执行|实施|落实|审查|制定|确保")


def _is_budget_year(text: str, sent: tuple[int, int], cand: _Candidate, lang: str) -> bool:
    """A year or month, not governed by "by", that says when money is voted, not by when something is due
    ("appropriate … for the project in 2025", "appropriated in its entirety at the beginning of 2025")."""
    if cand.found.kind not in ("year", "month") or cand.strength == "strong":
        return False
    if lang == "zh":
        clause = re.split(r"[，,。；;]", text[cand.end : sent[1]], maxsplit=1)[0]
        budget, action = _BUDGET_VERB_ZH.search(clause), _ACTION_VERB_ZH.search(clause)
        return budget is not None and (action is None or budget.start() < action.start())
    before = text[sent[0] : cand.start]
    budgets = [m.end() for m in _BUDGET_VERB_EN.finditer(before)]
    actions = [m.end() for m in _ACTION_VERB_EN.finditer(before)]
    return bool(budgets) and (not actions or budgets[-1] > actions[-1])


def _acceptable(text: str, sent: tuple[int, int], modal: int | None, cand: _Candidate, lang: str) -> bool:
    if _is_history(text, sent[0], cand, lang) or _is_budget_year(text, sent, cand, lang):
        return False
    leading = bool(_LEADING.match(text[sent[0] : cand.start]))
    if cand.strength == "bare":
        # A date with no governing word counts only as a sentence opener ("2023 年，…应…"), or in
        # Chinese right after the modal ("应 2024 年 12 月提交"), where no preposition is needed.
        if lang == "zh" and _ZH_MODAL_JUST_BEFORE.search(text, sent[0], cand.start):
            return True
        return leading and bool(_COMMA.match(text, cand.end))
    if leading or (modal is not None and cand.start >= modal):
        return True
    if modal is None:
        # No directive verb anywhere (an infinitive GA action, a table cell): explicit limits only.
        return cand.strength == "strong"
    # Before the verb and not the opener: only an explicit limit, and not in a recalled fact.
    prefix_history = _HISTORY_PREFIX_ZH if lang == "zh" else _HISTORY_PREFIX_EN
    return cand.strength == "strong" and not prefix_history.search(text[sent[0] : cand.start])


def _to_deadline(raw: str, norm: _Norm, cand: _Candidate) -> Deadline:
    printed = raw[norm.src_start[cand.start] : norm.src_end[cand.end - 1]]
    found = cand.found
    return Deadline(text=printed, kind=found.kind, date=found.date, session=found.session, organ=found.organ)


_ITS = re.compile(r"\b(?:its|their)\b|其", re.IGNORECASE)
_ORGAN_MENTION_EN = re.compile(
    r"(?:United\s+Nations\s+)?(?:[A-Z][\w-]*\s+){0,3}(?:Assembly|Council|Board|Conference|Forum)"
    r"(?:\s+of\s+the\s+Parties)?|Commission\s+(?:on|for)(?:\s+(?:the\s+)?[A-Z][\w-]*)+"
)
_ORGAN_MENTION_ZH = re.compile(rf"{_ZH_ORGAN}|大会")


def _sentence_end(text: str, position: int, lang: str) -> int:
    end = (_SENT_END_ZH if lang == "zh" else _SENT_END_EN).search(text, position)
    return end.start() if end else len(text)


def _whose_session(text: str, sent_start: int, cand: _Candidate, lang: str) -> _Candidate:
    """"at its eighth session" is the session of the organ named last before it in the sentence (or, when
    the phrase opens the sentence, of its subject): the General Assembly's keeps its number, another organ's
    ("the United Nations Environment Assembly at its eighth session") is recorded as that organ's, with no
    Assembly session."""
    if cand.found.kind != "session" or cand.found.session is None or not _ITS.search(text, cand.start, cand.end):
        return cand
    mention = _ORGAN_MENTION_ZH if lang == "zh" else _ORGAN_MENTION_EN
    before = list(mention.finditer(text, sent_start, cand.start))
    after = mention.search(text, cand.end, _sentence_end(text, cand.end, lang))  # "At its eighth session, the …"
    named = before[-1] if before else after
    organ = _other_organ(named.group()) if named else None
    if organ is None:
        return cand
    return _Candidate(cand.start, cand.end, _Found("session", None, None, organ), cand.strength)


def _language(text: str, language: str | None) -> str | None:
    lang = (language or phrase_language(text)).lower()
    if lang.startswith("zh"):
        return "zh"
    if lang.startswith("en"):
        return "en"
    return None


def _whole(raw: str, norm: _Norm, lang: str) -> Deadline | None:
    """The deadline when ``raw`` is nothing but a deadline phrase (a due-date cell, a ``Deadline.text``)."""
    stripped = norm.text.strip()
    if not stripped:
        return None
    lo = len(norm.text) - len(norm.text.lstrip())
    hi = lo + len(stripped)
    for cand in _candidates(norm, lang):
        if cand.start == lo and cand.end == hi:
            return _to_deadline(raw, norm, cand)
    return None


def parse_deadline_phrase(phrase: str, language: str | None = None) -> Deadline | None:
    """Normalise a phrase that is known to be a deadline, such as a status table's due-date cell.

    Unlike ``find_deadline`` it accepts a date with no governing word ("December 2024", "2025",
    "2024年12月") and takes the first deadline-shaped span, since the column already says "due".
    """
    lang = _language(phrase, language)
    if lang is None:
        return None
    norm = _normalise(phrase)
    whole = _whole(phrase, norm, lang)
    if whole is not None:
        return whole
    span = _YEAR_SPAN.match(norm.text)
    if span:
        return Deadline(text=phrase.strip(), kind="year", date=f"{span.group('last')}-12-31")
    cands = _candidates(norm, lang)
    return _to_deadline(phrase, norm, cands[0]) if cands else None


# A due-date cell that is a span of years, and nothing else ("2019-2021年", "2024–2025").
_YEAR_SPAN = re.compile(r"^\s*(?:19|20)\d{2}\s*(?:年\s*)?(?:-|至|到)\s*(?P<last>(?:19|20)\d{2})\s*(?:年)?\s*$")


# "Revised target date: June 2025", "修订后的目标日期：2025年6月": the revision replaces the original date.
_REVISED = re.compile(r"revised(?:\s+target)?(?:\s+date)?\s*[:：]?|修订(?:后的)?(?:目标|预定)?日期\s*[:：]?", re.IGNORECASE)


def parse_target_date(cell: str, language: str | None = None) -> Deadline | None:
    """A status row's target date: the revised date when the cell prints one (an original date
    and its revision), ``None`` for words that are no date ("Not applicable", "Closure requested")."""
    revisions = list(_REVISED.finditer(cell))
    if revisions:
        last = revisions[-1]
        after = cell[last.end():]
        if re.search(r"\w", after):
            return parse_deadline_phrase(after, language)
        # "First quarter of 2026 (revised)": the mark follows the date it qualifies.
        return parse_deadline_phrase(cell[: last.start()].rstrip(" (（"), language)
    return parse_deadline_phrase(cell, language)


def find_deadline(text: str, language: str | None = None) -> Deadline | None:
    """The deadline that governs a recommendation's text, or ``None`` if it sets no time limit.

    Only sentences with a directive verb ("should", "recommends", "应", "建议") are searched when
    there are any, because the other sentences of a paragraph describe past facts and budget
    periods. Within such a sentence the first limit after the verb wins, or one that opens the
    sentence ("By the end of 2026, executive heads should …", "2023 年，…应…").
    """
    lang = _language(text, language)
    if lang is None:
        return None
    norm = _normalise(text)
    whole = _whole(text, norm, lang)
    if whole is not None:
        return whole
    cands = _candidates(norm, lang)
    if not cands:
        return None
    spans = _sentences(norm.text, lang)
    modals = [_first_modal(norm.text, s, e, lang) for s, e in spans]
    directive: list[tuple[tuple[int, int], int | None]] = [
        (span, modal) for span, modal in zip(spans, modals, strict=True) if modal is not None
    ]
    searched = directive or [(span, None) for span in spans]
    for sent, modal in searched:
        for cand in cands:
            if sent[0] <= cand.start < sent[1] and _acceptable(norm.text, sent, modal, cand, lang):
                return _to_deadline(text, norm, _whose_session(norm.text, sent[0], cand, lang))
    return None
