"""Words of a page with their font traits, the unit tables are built from."""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from pipeline.core.document import BBox
from pipeline.parse.rules import is_horizontal


@dataclass
class Word:
    """A run of characters without a word gap, on one printed line."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    bold: bool = False
    italic: bool = False

    @property
    def center(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def middle(self) -> float:
        return (self.top + self.bottom) / 2


@lru_cache(maxsize=4096)
def is_bold(fontname: str) -> bool:
    """Whether a font name marks a bold face (``Times-Bold``, ``Arial,Bold``, ``SimHei-B``).

    Cached: it is asked once per character (7% of a pdfium parse), about a handful of names."""
    name = fontname.lower()
    return any(mark in name for mark in ("bold", "black", "heavy", ",b", "-b", "semibold"))


@lru_cache(maxsize=4096)
def is_italic(fontname: str) -> bool:
    name = fontname.lower()
    return "italic" in name or "oblique" in name or name.endswith(",i")


def page_words(chars: Iterable[dict[str, Any]], gap_ratio: float = 0.15) -> list[Word]:
    """Horizontal characters grouped into words (split at gaps wider than ``gap_ratio`` × size).

    Lines are clustered on the baseline, anchored at the first character of each cluster, so that
    two cells printed side by side with staggered baselines never merge into one line. Superscript
    footnote marks (smaller, raised, touching a word of the line below) are dropped: in a cell,
    "JIU/REP/2021/4¹" is the symbol JIU/REP/2021/4.
    """
    glyphs = sorted((c for c in chars if is_horizontal(c) and not c["text"].isspace()), key=lambda c: c["bottom"])
    lines: list[list[dict[str, Any]]] = []
    anchor = -1e9
    for char in glyphs:
        if lines and char["bottom"] - anchor <= max(1.5, 0.2 * char["size"]):
            lines[-1].append(char)
        else:
            lines.append([char])
            anchor = char["bottom"]
    sizes = [statistics.median(c["size"] for c in line) for line in lines]
    words: list[Word] = []
    for i, line in enumerate(lines):
        if i + 1 < len(lines) and sizes[i] < 0.85 * sizes[i + 1]:
            below = lines[i + 1]
            if 0 < below[0]["bottom"] - line[0]["bottom"] <= 0.7 * sizes[i + 1]:
                line = [c for c in line if not _touches(c, below)]
                if not line:
                    continue
        words.extend(_line_words(line, gap_ratio))
    return words


def _touches(char: dict[str, Any], line: list[dict[str, Any]]) -> bool:
    """A raised mark sits right after (or over) a character of the line below it."""
    return any(c["x0"] - 1 <= char["x0"] <= c["x1"] + 1.5 for c in line)


def _line_words(line: list[dict[str, Any]], gap_ratio: float) -> list[Word]:
    line = sorted(line, key=lambda c: c["x0"])
    words: list[Word] = []
    current: list[dict[str, Any]] = []
    for char in line:
        if current and char["x0"] - current[-1]["x1"] > gap_ratio * max(char["size"], current[-1]["size"]):
            words.append(_word(current))
            current = []
        current.append(char)
    if current:
        words.append(_word(current))
    return words


def _word(chars: list[dict[str, Any]]) -> Word:
    bold = sum(1 for c in chars if is_bold(c.get("fontname", ""))) * 2 > len(chars)
    italic = sum(1 for c in chars if is_italic(c.get("fontname", ""))) * 2 > len(chars)
    return Word(
        text="".join(c["text"] for c in chars),
        x0=min(c["x0"] for c in chars),
        x1=max(c["x1"] for c in chars),
        top=min(c["top"] for c in chars),
        bottom=max(c["bottom"] for c in chars),
        size=statistics.median(c["size"] for c in chars),
        bold=bold,
        italic=italic,
    )


def _lines_of(words: Sequence[Word]) -> list[list[Word]]:
    """Words grouped into printed lines, each sorted left to right.

    A word joins a line when its middle lies within the first word's height: lines of two columns
    set with staggered baselines stay apart instead of chaining into one.
    """
    lines: list[list[Word]] = []
    top = bottom = 0.0
    for word in sorted(words, key=lambda w: w.top):
        if lines and top <= word.middle <= bottom:
            lines[-1].append(word)
        else:
            lines.append([word])
            top, bottom = word.top, word.bottom
    for line in lines:
        line.sort(key=lambda w: w.x0)
    return lines


# ---------------------------------------------------------------------------------------------
# Captions
# ---------------------------------------------------------------------------------------------


class _Lines:
    """The page's printed lines, for looking up what stands just above a table."""

    def __init__(self, words: list[Word]) -> None:
        self.lines = [(min(w.top for w in ln), max(w.bottom for w in ln), ln) for ln in _lines_of(words)]

    def above(self, box: BBox) -> list[tuple[float, float, list[Word]]]:
        x0, top, x1, _ = box
        return [ln for ln in self.lines if ln[1] <= top + 1 and ln[2][0].x0 < x1 and ln[2][-1].x1 > x0]


def _round_box(box: Sequence[float]) -> BBox:
    return (round(box[0], 2), round(box[1], 2), round(box[2], 2), round(box[3], 2))
