"""Two-column regions: each column is read on its own, and only real text columns are.

First plain character dicts as pdfplumber gives them, so the rule is checked on Chinese and English
alike (the corpus has English two-column pages and no Chinese one); then real corpus pages, read by
both character readers.
"""

from __future__ import annotations

from typing import Any

import pytest

from extractors.base import ExtractionContext
from extractors.jiu import JiuRecommendations
from extractors.lib.records import Recommendation
from pipeline.core.document import ParsedDocument
from pipeline.parse.layout import read_columns
from pipeline.parse.paragraphs import reading_order
from pipeline.parse.pdf import ParserName, parse_pdf
from tests.corpus import corpus_pdf

WIDTH = 612.0
HEIGHT = 792.0


def split_lines(
    lines: list[dict[str, Any]], blocked: list[tuple[float, float, float, float]] | None = None
) -> list[dict[str, Any]]:
    """The lines ``read_columns`` gives back (without their gaps), in reading order."""
    return [found.line for found in read_columns(lines, WIDTH, HEIGHT, blocked or [])]


def texts(lines: list[dict[str, Any]]) -> list[str]:
    return [entry["text"] for entry in lines]


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
    assert texts(cut) == left + right  # the left column, then the right one
    assert all(entry["x1"] <= 297.5 or entry["x0"] >= 314.5 for entry in cut)


def test_chinese_columns_on_shared_baselines_are_cut_at_the_gutter() -> None:
    left = ["联合检查组建议各组织行政首长在二〇二七年底前审查各自的业务连续性政策和框架"[:24]] * 6
    right = ["行预咨委会建议大会请秘书长在下一次预算报告中提供有关资料并说明进展情况"[:24]] * 6
    lines = two_column_page(left, right, advance=243 / 24)
    cut = split_lines(lines)
    assert texts(cut) == [left[0]] * 6 + [right[0]] * 6


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
    assert texts(split_lines(lines)) == texts(lines)


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
    assert texts(split_lines(lines)) == texts(lines)


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
    assert texts(split_lines(lines)) == texts(lines)


def prose(words: str, count: int, x0: float, top: float, advance: float) -> list[dict[str, Any]]:
    """``count`` lines of one column, 12 pt apart."""
    return [line([chars(f"{words} {i:02}", x0, top + 12 * i, advance=advance)]) for i in range(count)]


def test_full_width_parts_above_and_below_a_two_column_region_stay_whole() -> None:
    """A heading and a paragraph spanning the page, two columns, then a closing full-width line: the
    columns are read one after the other between them; full-width lines are never cut."""
    heading = line([chars("A heading set across the whole width of the page, centred", 90, 60, advance=7.5)])
    intro = prose(
        "An introduction that runs across the whole measure of the page, from margin to margin",
        2,
        54,
        80,
        5.6,
    )
    left = [
        chars(f"left column line {i} with words enough to fill", 54, 120 + 12 * i, advance=5.0)
        for i in range(6)
    ]
    right = [
        chars(f"right column line {i} with words enough too", 315, 120 + 12 * i, advance=5.5)
        for i in range(6)
    ]
    columns = [line([a, b]) for a, b in zip(left, right, strict=True)]
    closing = prose(
        "A closing paragraph spanning the page again, margin to margin, as full-width text does",
        2,
        54,
        200,
        5.6,
    )
    cut = split_lines([heading, *intro, *columns, *closing])
    assert texts(cut) == [
        heading["text"],
        *texts(intro),
        *[f"left column line {i} with words enough to fill" for i in range(6)],
        *[f"right column line {i} with words enough too" for i in range(6)],
        *texts(closing),
    ]


def test_a_table_area_is_never_read_as_columns() -> None:
    """The same two columns inside an area a table was found in stay whole rows."""
    rows = [
        line(
            [
                chars(f"first cell of row {i} set wide enough", 54, 120 + 12 * i, advance=6.5),
                chars(f"second cell of row {i} also wide", 315, 120 + 12 * i, advance=7.0),
            ]
        )
        for i in range(6)
    ]
    assert texts(split_lines(rows)) != texts(rows)  # as plain text they are two columns
    assert texts(split_lines(rows, blocked=[(50, 115, 560, 200)])) == texts(rows)


def test_a_short_side_needs_two_lines() -> None:
    """One line beside a column is a side note or a figure, not a second column."""
    left = prose("a column of text that is long enough to count as one", 6, 54, 100, 4.5)
    beside = line([chars("a lone line set beside the column text", 315, 100, advance=6.0)])
    lines = [line([left[0]["chars"], beside["chars"]]), *left[1:]]
    assert texts(split_lines(lines)) == texts(lines)


# Real pages, read by both character readers.

BROCHURE = "JIU_NOTE_2022_1_Rev.1_review.pdf"
RECORD = "A_48_PV.46.pdf"


@pytest.fixture(scope="module", params=["pdfium", "pdfplumber"])
def reader(request: pytest.FixtureRequest) -> ParserName:
    return request.param  # type: ignore[no-any-return]


_parsed: dict[tuple[str, str], ParsedDocument] = {}


def read(name: str, parser: ParserName) -> ParsedDocument:
    if (name, parser) not in _parsed:
        _parsed[name, parser] = parse_pdf(corpus_pdf(name), parser=parser)
    return _parsed[name, parser]


def body_text(doc: ParsedDocument, page: int) -> list[str]:
    lines = [ln for ln in doc.pages[page - 1].lines if ln.role == "body"]
    return [ln.text for ln in reading_order(lines)]


def test_brochure_page_reads_each_column_of_each_region_in_turn(reader: ParserName) -> None:
    """Page 4 of a JIU brochure: findings in two columns, a full-width heading and lead-in, then the
    recommendations in two columns with another gutter. The circled list numbers in the margins are left out."""
    lines = body_text(read(BROCHURE, reader), 4)
    assert lines[:4] == [
        "8. Big difference between large size and medium and",
        "small size organizations with the former showing very",
        "high levels of performance",
        "There are, however, four large-sized organizations that are well",
    ]
    start = lines.index("10. The importance of collective leadership for impact")
    assert (
        lines[start - 1] == "necessary resources for capacity to do so."
    )  # the left column is read to its foot first
    assert lines[start + 1] == "and sustainability"
    lead = lines.index("The executive heads of the United Nations system organizations are called on to:")
    assert lines[lead - 1] == "of the Participating Organizations"
    assert lines[lead + 1 : lead + 4] == [
        "Collaborate, in the framework of the CEB, to establish a",
        "common set of categories for voluntary self-",
        "identification by personnel by June 2024, for the",
    ]
    assert lines[-2:] == [
        "the continued relevance and value of the various efforts",
        "at both the organizational and the system-wide levels.",
    ]
    page = read(BROCHURE, reader).pages[3]
    assert {ln.column for ln in page.lines if ln.text.startswith("Provide sufficient resources")} == {2}
    assert {ln.column for ln in page.lines if ln.text == "What the JIU recommends"} == {0}


def test_brochure_recommendations_are_the_commands_under_the_lead_in(reader: ParserName) -> None:
    records = [
        r
        for r in JiuRecommendations().extract(read(BROCHURE, reader), ExtractionContext())
        if isinstance(r, Recommendation)
    ]
    assert [(r.number, r.page, r.addressee, r.text[:40]) for r in records] == [
        ("1", 4, "executive_heads", "Collaborate, in the framework of the CEB"),
        ("2", 4, "executive_heads", "Direct their respective training and lea"),
        ("3", 4, "executive_heads", "Provide sufficient resources to support "),
        ("4", 4, "executive_heads", "As members of the CEB, jointly develop a"),
        ("5", 5, "executive_heads", "Establish, by 2024, an accountability fr"),
        ("6", 5, "executive_heads", "Strengthen the equal distribution of opp"),
    ]
    assert records[0].text == (
        "Collaborate, in the framework of the CEB, to establish a common set of categories for voluntary "
        "self-identification by personnel by June 2024, for the purposes of monitoring, analysing, evaluating "
        "and reporting on progress and success in achieving the goals of equality, equity, diversity and "
        "inclusion in addressing racism and racial discrimination."
    )
    assert records[3].text.endswith("at both the organizational and the system-wide levels.")


def test_verbatim_record_columns_are_not_interleaved(reader: ParserName) -> None:
    """A/48/PV.46, page 2: the two columns share baselines; the left one is read to its foot first."""
    doc = read(RECORD, reader)
    lines = body_text(doc, 2)
    assert lines[:3] == [
        "These inspections are essential to give the international",
        "community confidence that the declared nuclear facilities of",
        "the Democratic People’s Republic of Korea are being used",
    ]
    right = lines.index("to the early entry into force of the quadripartite safeguards")
    assert all(ln.column == 1 for ln in doc.pages[1].lines if ln.text in lines[:right])
    assert lines[right + 1] == "agreement involving the IAEA, Argentina, Brazil and the"
    paragraphs = [p.text for p in doc.paragraphs if p.page == 2]
    assert any(
        p.startswith(
            "The IAEA effort to find and destroy Iraq’s nuclear programme has been an impressive success."
        )
        for p in paragraphs
    )


def test_a_borderless_table_beside_text_is_not_read_as_columns() -> None:
    """A "legislative history" table no rule frames: labels on the left, figures, symbols and dates in
    cells on the right. The right half's lines are gapped cells, so it is no text column: rows stay whole."""
    rows = [
        line(
            [
                chars(f"Proposed budget {i} of the Secretary-General", 64, 300 + 12 * i, advance=5.2),
                chars(f"70 71{i}.0", 316, 300 + 12 * i, advance=5.0),
                chars(f"A/79/73{i}", 380, 300 + 12 * i, advance=5.0),
                chars("20 January 2025", 440, 300 + 12 * i, advance=5.0),
            ]
        )
        for i in range(6)
    ]
    assert texts(split_lines(rows)) == texts(rows)
