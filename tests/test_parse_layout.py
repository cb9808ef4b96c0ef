"""Page layout the body text must be told apart from, on real corpus pages: framed boxes, small ruled
tables set in the text, and contents entries wrapped over lines. Word keeps all of them out of its
running paragraphs; the parser keeps boxes as (framed) body text, so no extractor loses them."""

from __future__ import annotations

from pipeline.core.document import Line, ParsedDocument
from tests.corpus import parsed

UNDOF = "A_80_596.pdf"  # budget report: summary box over pages 3-5, variance boxes, wrapped contents


def paragraph(doc: ParsedDocument, start: str) -> tuple[str, bool]:
    """Role and framed flag of the paragraph starting with ``start``."""
    found = next(p for p in doc.paragraphs if p.text.startswith(start))
    return found.role, found.framed


def line(doc: ParsedDocument, page: int, text: str) -> Line:
    return next(ln for ln in doc.pages[page - 1].lines if ln.text == text)


def test_summary_box_is_framed_body_text_over_three_pages() -> None:
    doc = parsed(UNDOF)
    assert paragraph(doc, "Summary") == ("body", True)
    assert paragraph(doc, "The present report contains the budget performance") == ("body", True)
    assert paragraph(doc, "Financial resources") == ("heading", True)
    assert paragraph(doc, "The proposed budget provides for the deployment") == ("body", True)  # page 4
    last = next(p for p in doc.paragraphs if p.text.startswith("The actions to be taken by the General Assembly are"))
    assert (last.page, last.role, last.framed) == (5, "body", True)  # above the box's closing rule
    assert last.text == "The actions to be taken by the General Assembly are set out in section IV of the present report."
    first = next(p for p in doc.paragraphs if p.number == "1.")
    assert not first.framed and first.text.startswith("The mandate of the United Nations Disengagement")


def test_recommendation_box_stays_body_text() -> None:
    doc = parsed("JIU_REP_2025_2.pdf")
    assert paragraph(doc, "Recommendation 1") == ("heading", True)
    assert paragraph(doc, "Executive heads of United Nations system organizations should, by the end of 2027, "
                          "review their respective policies") == ("body", True)
    numbered = next(p for p in doc.paragraphs if p.number == "21.")
    assert (numbered.role, numbered.framed) == ("body", False)


def test_wrapped_contents_entries_and_group_headings_are_not_body() -> None:
    page = parsed(UNDOF).pages[1]  # the contents run on from page 1
    assert {ln.role for ln in page.lines} == {"header", "table", "footer"}
    assert line(parsed(UNDOF), 2, "Annex").role == "table"
    jiu = parsed("JIU_REP_2025_2.pdf")
    for text in ("B. System-wide data collection and reporting on allegations of sexual exploitation and", "9",
                 "abuse"):
        assert line(jiu, 5, text).role == "table"  # page number printed on a line of its own
    assert paragraph(jiu, "Abbreviations and acronyms")[0] == "heading"  # where the contents stop


def test_label_and_figure_boxes_between_rules_are_table_rows() -> None:
    doc = parsed(UNDOF)
    assert line(doc, 19, "2024/25 variance").role == "table"  # its heading, sitting on the rule
    assert line(doc, 19, "Consultants and consulting services ($20.8) (742.9%)").role == "table"
    explained = next(p for p in doc.paragraphs if p.number == "46.")  # the paragraph under that box
    assert (explained.role, explained.framed) == ("body", False)
    assert explained.text.startswith("For the 2024/25 period, increased requirements were attributable primarily")


def test_ruled_row_of_prose_under_a_framework_table_is_framed() -> None:
    doc = parsed(UNDOF)
    assert line(doc, 11, "External factors").role == "table"
    assert paragraph(doc, "Security situation will remain stable within the UNDOF area") == ("body", True)


def test_hyperlink_underlines_are_not_rules() -> None:
    doc = parsed("DP_2025_12_Add.1.pdf")
    assert paragraph(doc, "The reports are: (a) Flexible working arrangements") == ("body", False)
    assert line(doc, 3, "Comments of the CEB that were available at the time of drafting of this report are "
                        "also included.").role == "body"
