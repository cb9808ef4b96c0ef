"""Text normalisation shared by the parser and the extractors.

The rules are the spec's: NFC, no soft hyphens, no spaces between two CJK characters or between a
CJK character and CJK punctuation, single spaces elsewhere.
"""

from __future__ import annotations

import re
import unicodedata

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


def cjk_share(text: str) -> float:
    """Share of non-space characters that are CJK."""
    chars = [c for c in text if not c.isspace()]
    if not chars:
        return 0.0
    return sum(1 for c in chars if is_cjk(c)) / len(chars)


def normalize_text(text: str) -> str:
    """NFC, soft hyphens gone, spaces folded, no spaces between CJK characters."""
    text = unicodedata.normalize("NFC", text).replace("\u00ad", "")
    text = _MULTISPACE.sub(" ", text)
    text = _SPACE_BETWEEN_CJK.sub("", text)
    return text.strip()


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
    if is_cjk(last) or is_cjk(first):
        # "在 2023" across a line break keeps no space on the CJK side.
        return previous + following
    if last == "-" and len(previous) > 1 and previous[-2].isalpha():
        return (previous if keep_hyphen else previous[:-1]) + following
    if last == "/" or first in ",.;:)":
        return previous + following
    return previous + " " + following
