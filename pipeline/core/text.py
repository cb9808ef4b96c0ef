"""Text normalisation shared by the parser and the extractors.

The rules are the spec's: NFC, no soft hyphens, no spaces between two CJK characters or between a
CJK character and CJK punctuation, single spaces elsewhere.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

# CJK ideographs, compatibility ideographs, enclosed numerals (㈠), and CJK / full-width punctuation.
CJK_CHARS = r"\u2e80-\u2fdf\u3000-\u303f\u3200-\u32ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65"
CJK_PUNCT = "，。、；：？！“”‘’（）《》〈〉【】「」『』—…·％"
_CJK = f"[{CJK_CHARS}{CJK_PUNCT}]"
_SPACE_BETWEEN_CJK = re.compile(f"(?<={_CJK})[ \t\u00a0\u3000]+(?={_CJK})")
_MULTISPACE = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f]+")
_CJK_RE = re.compile(f"[{CJK_CHARS}]")


def is_cjk(char: str) -> bool:
    """True for a CJK ideograph or CJK punctuation mark."""
    return bool(char) and (bool(_CJK_RE.match(char)) or char in CJK_PUNCT)


_WHITESPACE = re.compile(r"\s+")  # on str patterns, \s is exactly str.isspace()
_CJK_ANY = re.compile(_CJK)


def cjk_share(text: str) -> float:
    """Share of non-space characters that are CJK (by regular expression: a document's text is
    counted in C, not one Python call per character)."""
    chars = _WHITESPACE.sub("", text)
    if not chars:
        return 0.0
    return len(_CJK_ANY.findall(chars)) / len(chars)


def normalize_text(text: str) -> str:
    """NFC, soft hyphens gone, spaces folded, no spaces between CJK characters."""
    text = unicodedata.normalize("NFC", text).replace("\u00ad", "")
    text = _MULTISPACE.sub(" ", text)
    text = _SPACE_BETWEEN_CJK.sub("", text)
    return text.strip()


_SHARED_QUOTES = "“”‘’"


def join_lines(previous: str, following: str, *, keep_hyphen: bool = True) -> str:
    """Join two printed lines of one paragraph.

    Chinese lines join without a space. A Latin line ending in a hyphen joins without a space; the
    hyphen is kept (UN documents are rarely hyphenated by the typesetter, so ``health-`` + ``related``
    is a compound) unless the caller knows it is typesetter hyphenation.
    """
    if not previous:
        return following
    if not following:
        return previous
    last, first = previous[-1], following[0]
    # Curly quotes are set in both scripts: the character beside one says which script it belongs to.
    before = previous.rstrip(_SHARED_QUOTES)[-1:] or last
    after = following.lstrip(_SHARED_QUOTES)[:1] or first
    if is_cjk(before) or is_cjk(after):
        # "在 2023" across a line break keeps no space on the CJK side.
        return previous + following
    if last == "-" and len(previous) > 1 and previous[-2].isalpha():
        return (previous if keep_hyphen else previous[:-1]) + following
    if last == "/" or first in ",.;:)":
        return previous + following
    return previous + " " + following


_STOPWORDS = {
    "en": {"the", "and", "of", "to", "in", "is", "that", "for", "with", "on", "by", "be"},
    "fr": {"le", "la", "les", "et", "des", "du", "est", "que", "pour", "dans", "une", "sur", "aux"},
    "es": {"el", "la", "los", "las", "y", "del", "que", "para", "por", "con", "una", "se"},
}


_ARABIC = re.compile("[\u0600-\u06ff\ufb50-\ufdff\ufe70-\ufeff]")
_CYRILLIC = re.compile("[\u0400-\u04ff]")


def language_of(text: str) -> str | None:
    """The language of a text: ``zh``, ``ar``, ``ru``, or by common words ``en``, ``fr``, ``es``."""
    letters = "".join(filter(str.isalpha, text))
    if len(letters) < 20:
        return None
    if cjk_share(text) > 0.2:
        return "zh"
    arabic = len(_ARABIC.findall(letters))
    cyrillic = len(_CYRILLIC.findall(letters))
    if arabic > len(letters) * 0.3:
        return "ar"
    if cyrillic > len(letters) * 0.3:
        return "ru"
    words = Counter(w.lower() for w in re.findall(r"[A-Za-zÀ-ÿ]+", text))
    scores = {lang: sum(words[w] for w in stop) for lang, stop in _STOPWORDS.items()}
    best = max(scores, key=lambda lang: scores[lang])
    ranked = sorted(scores.values(), reverse=True)
    if not ranked[0] or ranked[0] < 1.5 * ranked[1]:
        return None
    return best


_IDEOGRAPH = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff〇]")
_LATIN = re.compile(r"[A-Za-z]")


def phrase_language(text: str) -> str:
    """``"zh"`` when CJK ideographs make up a fair share of the letters, else ``"en"``.

    For short phrases (a deadline, a table cell) where ``language_of`` has too few letters to judge.
    """
    cjk = len(_IDEOGRAPH.findall(text))
    latin = len(_LATIN.findall(text))
    return "zh" if cjk and cjk * 3 >= latin else "en"
