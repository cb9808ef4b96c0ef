"""Two-column pages whose columns share baselines: lines are cut at the gutter, and only there.

Plain character dicts as pdfplumber gives them, so the rule is checked on Chinese and English alike
(the corpus has an English record of this kind, tested in test_parse.py, and no Chinese one).
"""

from __future__ import annotations

from typing import Any

from pipeline.parse.layout import _split_at_gutter

WIDTH = 612.0


def split_lines(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The lines ``_split_at_gutter`` gives back (without their gaps)."""
    return [found for found, _gaps in _split_at_gutter(lines, WIDTH)]


def chars(
    text: str, x0: float, top: float, size: float = 10.0, advance: float | None = None
) -> list[dict[str, Any]]:
    """One character dict per character of ``text``, set from ``x0`` at ``advance`` points each."""
    step = advance or size * 0.5
    result = []
    for i, char in enumerate(text):
        left = x0 + i * step
        result.append(
            {
                "text": char,
                "x0": left,
                "x1": left + step,
                "top": top,
                "bottom": top + size,
                "doctop": top,
                "upright": True,
                "size": size,
                "fontname": "Times",
                "object_type": "char",
                "width": step,
                "height": size,
                "y0": 792 - top - size,
                "y1": 792 - top,
                "matrix": (1, 0, 0, 1, left, 0),
            }
        )
    return result


def line(parts: list[list[dict[str, Any]]]) -> dict[str, Any]:
    flat = [c for part in parts for c in part]
    return {
        "text": "".join(c["text"] for c in flat),
        "chars": flat,
        "x0": flat[0]["x0"],
        "x1": flat[-1]["x1"],
        "top": flat[0]["top"],
        "bottom": flat[0]["bottom"],
    }


def two_column_page(left: list[str], right: list[str], advance: float) -> list[dict[str, Any]]:
    """Lines of a justified left column (54 to 297 pt) and right column (315 to 558 pt) on shared baselines."""
    return [
        line([chars(a, 54, 80 + 12 * i, advance=advance), chars(b, 315, 80 + 12 * i, advance=advance)])
        for i, (a, b) in enumerate(zip(left, right, strict=True))
    ]


def test_english_columns_on_shared_baselines_are_cut_at_the_gutter() -> None:
    left = [f"left column line {i:02} text, justified to edge"[:48].ljust(48, "x") for i in range(8)]
    right = [f"right column line {i:02} and more words set"[:48].ljust(48, "y") for i in range(8)]
    lines = two_column_page(left, right, advance=243 / 48)
    cut = split_lines(lines)
    assert [entry["text"] for entry in cut] == [
        text for pair in zip(left, right, strict=True) for text in pair
    ]
    assert all(entry["x1"] <= 297.5 or entry["x0"] >= 314.5 for entry in cut)


def test_chinese_columns_on_shared_baselines_are_cut_at_the_gutter() -> None:
    left = ["联合检查组建议各组织行政首长在二〇二七年底前审查各自的业务连续性政策和框架"[:24]] * 6
    right = ["行预咨委会建议大会请秘书长在下一次预算报告中提供有关资料并说明进展情况"[:24]] * 6
    lines = two_column_page(left, right, advance=243 / 24)
    cut = split_lines(lines)
    assert [entry["text"] for entry in cut] == [left[0], right[0]] * 6


def test_a_contents_page_with_ragged_titles_is_not_cut() -> None:
    """Contents entries have a gap between title and page number, but its left edge is ragged: no gutter."""
    titles = [
        "Introduction",
        "Mandate and background",
        "Budget performance for the period",
        "Recommendations",
        "Analysis of variances in detail",
        "Actions to be taken by the General Assembly",
    ]
    lines = [
        line([chars(title, 72, 100 + 14 * i), chars(str(3 + i), 530, 100 + 14 * i)])
        for i, title in enumerate(titles)
    ]
    assert split_lines(lines) == lines


def test_a_page_with_prose_across_the_gutter_keeps_its_table_rows_whole() -> None:
    """A table whose columns meet at the middle of the page sits among full-width prose: nothing is cut."""
    rows = [
        line([chars("Recommendation", 72, 100 + 12 * i), chars("Accepted", 340, 100 + 12 * i)])
        for i in range(6)
    ]
    prose = [
        line(
            [
                chars(
                    "The Advisory Committee recommends that the General Assembly request " * 1,
                    72,
                    200 + 12 * i,
                    advance=5.8,
                )
            ]
        )
        for i in range(8)
    ]
    lines = rows + prose
    assert split_lines(lines) == lines


def test_a_list_with_a_narrow_label_column_is_not_cut() -> None:
    """Numbered entries ("105) 1 Sep:" then a name) share a straight gap, but the labels are no text column."""
    lines = [
        line(
            [
                chars(f"{105 + i}) {i + 1} Sep:", 120, 100 + 14 * i, advance=7),
                chars("Name of a person, Rafah (Gaza)", 219, 100 + 14 * i),
            ]
        )
        for i in range(8)
    ]
    assert split_lines(lines) == lines
