"""Horizontal and vertical rules and frames drawn on a page (what tables and boxes are made of)."""

from __future__ import annotations

import statistics
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from pipeline.core.document import BBox

RULE_THICKNESS = 2.6  # a filled rectangle thinner than this is drawn as a rule
MIN_RULE_SHARE = 0.3  # a table rule spans at least this share of the page width


@dataclass
class Rule:
    """A horizontal rule across part of the page, at height ``y``."""

    x0: float
    x1: float
    y: float


# ---------------------------------------------------------------------------------------------
# Characters → words
# ---------------------------------------------------------------------------------------------


def is_horizontal(char: dict[str, Any]) -> bool:
    """Set left to right along the page (not a rotated margin header or column heading)."""
    matrix = char.get("matrix") or (1, 0, 0, 1, 0, 0)
    return abs(matrix[1]) < 0.01 and abs(matrix[2]) < 0.01 and matrix[0] > 0


# ---------------------------------------------------------------------------------------------
# Ruled tables
# ---------------------------------------------------------------------------------------------


def _has_vertical_edges(page: Any) -> bool:
    """A drawn grid has vertical strokes: lines, or rectangles taller than a rule."""
    return next(_vertical_strokes(page), None) is not None


def _vertical_strokes(page: Any) -> Iterator[tuple[float, float, float]]:
    """Vertical strokes as (x, top, bottom): lines, boxes thinner than a rule, sides of stroked boxes."""
    for line in page.lines:
        if abs(line["x0"] - line["x1"]) < 1 and line["bottom"] - line["top"] > 8:
            yield (line["x0"] + line["x1"]) / 2, line["top"], line["bottom"]
    for rect in page.rects:
        width = rect["x1"] - rect["x0"]
        if rect["bottom"] - rect["top"] <= RULE_THICKNESS or width <= 0:
            continue
        if width < RULE_THICKNESS:
            yield (rect["x0"] + rect["x1"]) / 2, rect["top"], rect["bottom"]
        elif rect.get("stroke"):
            yield rect["x0"], rect["top"], rect["bottom"]
            yield rect["x1"], rect["top"], rect["bottom"]


MIN_FRAME_SHARE = 0.3  # the sides of a frame stand at least this share of the page width apart
MIN_FRAME_HEIGHT = 12.0


def find_frames(page: Any) -> list[BBox]:
    """Boxes drawn around text: a vertical rule on each side, facing each other over a stretch of the
    page. UN reports print their summary in such a box (Word keeps it in a one-cell table, and it may
    run over pages, open at the page break); JIU prints recommendations, and charts their plot areas.

    Word draws a box side as one thin rectangle per paragraph, so the pieces of one side are joined
    first. Returns (x0, top, x1, bottom) per frame; a frame may enclose ruled tables or other frames.
    """
    strokes = sorted(_vertical_strokes(page))
    columns: list[list[tuple[float, float, float]]] = []
    for stroke in strokes:
        if columns and stroke[0] - columns[-1][-1][0] < 1.5:
            columns[-1].append(stroke)
        else:
            columns.append([stroke])
    sides: list[tuple[float, float, float]] = []
    for column in columns:
        x = statistics.median(s[0] for s in column)
        merged: list[list[float]] = []
        for _, top, bottom in sorted(column, key=lambda s: s[1]):
            if merged and top <= merged[-1][1] + 3:
                merged[-1][1] = max(merged[-1][1], bottom)
            else:
                merged.append([top, bottom])
        sides.extend((x, top, bottom) for top, bottom in merged if bottom - top >= MIN_FRAME_HEIGHT)
    frames: list[BBox] = []
    for left in sides:
        facing = [
            (right[0], max(left[1], right[1]), min(left[2], right[2]))
            for right in sides
            if right[0] - left[0] >= MIN_FRAME_SHARE * float(page.width)
        ]
        facing = [f for f in facing if f[2] - f[1] >= MIN_FRAME_HEIGHT]
        far = max((f[0] for f in facing), default=None)
        frames.extend((left[0], top, x1, bottom) for x1, top, bottom in facing if x1 == far)
    return frames


def _not_a_fill(obj: dict[str, Any]) -> bool:
    """Drop filled, unstroked boxes (chart bars, cell shading) from grid finding: their edges are not
    rules, and a bar chart's edges would otherwise make a grid of percentages."""
    if obj.get("object_type") != "rect" or obj.get("stroke") or not obj.get("fill"):
        return True
    return obj["x1"] - obj["x0"] < RULE_THICKNESS or obj["bottom"] - obj["top"] < RULE_THICKNESS


# ---------------------------------------------------------------------------------------------
# Rule-delimited tables
# ---------------------------------------------------------------------------------------------


def horizontal_rules(page: Any, width: float) -> list[Rule]:
    """Horizontal strokes merged into rules (Word draws a table rule as one thin box per cell)."""
    pieces: list[tuple[float, float, float]] = []
    for line in page.lines:
        if abs(line["top"] - line["bottom"]) < 1 and line["x1"] - line["x0"] > 3:
            pieces.append((line["x0"], line["x1"], (line["top"] + line["bottom"]) / 2))
    for rect in page.rects:
        if rect["bottom"] - rect["top"] < RULE_THICKNESS and rect["x1"] - rect["x0"] > 0.5:
            pieces.append((rect["x0"], rect["x1"], (rect["top"] + rect["bottom"]) / 2))
    pieces.sort(key=lambda p: (round(p[2]), p[0]))
    rules: list[Rule] = []
    for x0, x1, y in pieces:
        last = rules[-1] if rules else None
        if last is not None and abs(last.y - y) < 1.5 and x0 <= last.x1 + 3:
            last.x1 = max(last.x1, x1)
        else:
            rules.append(Rule(x0, x1, y))
    return [r for r in rules if r.x1 - r.x0 > 0.05 * width]
