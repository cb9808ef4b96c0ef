"""Table finding on real corpus pages: exact rows, one table per layout kind.

Pages are read through the parser's own page reader (one page, not the whole document), so each test
costs a fraction of a second. Expected rows were checked against renderings of the pages.
"""

from __future__ import annotations

import json
from typing import Any

import pdfplumber
import pytest

from extractors.base import ExtractionContext
from extractors.lib.records import TableRecord
from extractors.tables import TablesExtractor, continued_tables, table_record
from pipeline.parse.pdf import _read_page
from pipeline.parse.words import Word, page_words
from tests.corpus import GOLD, corpus_pdf, parsed


def records(name: str, page_number: int) -> list[TableRecord]:
    """The table records the parser and the tables extractor make of one corpus page."""
    with pdfplumber.open(corpus_pdf(name)) as pdf:
        page, _ = _read_page(pdf.pages[page_number - 1], page_number)
    return [table_record(t) for t in page.tables]


def grid(*rows: str) -> list[list[str]]:
    """Rows written compactly, cells separated by "|" (for the wide annex matrix)."""
    return [row.split("|") for row in rows]


# --------------------------------------------------------------------------------------------------
# Ruled grid with vertical column headings and merged cells (landscape annex of a JIU report)
# --------------------------------------------------------------------------------------------------

ORGANIZATIONS = (
    "United Nations*|UNAIDS|UNCTAD|ITC|UNDP|UNEP|UNFPA|UN-Habitat|UNHCR|UNICEF|UNODC|UNOPS|UNRWA|UN-Women|WFP|FAO|"
    "IAEA|ICAO|ILO|IMO|ITU|UNESCO|UNIDO|UN Tourism|UPU|WHO|WIPO|WMO"
)
EMPTY_28 = "|" * 27


def test_ruled_matrix_with_vertical_headings() -> None:
    [table] = records("JIU_REP_2025_2.pdf", 33)
    assert table.caption is None
    assert table.header == ["", "", "Intended impact", *ORGANIZATIONS.split("|")]
    assert table.rows == grid(
        "Report|For action||" + EMPTY_28,
        "|For information||" + EMPTY_28,
        "Recommendation 1||a|E|E|E|E||E|E|E|||E|E||E||E|E|E|E|E|E|E|E|E|E|E|E|E",
        "Recommendation 2||a|E||E|E|E|E|E|E|||E|E|E|E|E|E|E|E|E|E|E|E|E|E|E||E|E",
        "Recommendation 3||a|L|L|L||L|L|L|L|||L|L|L|L|L|L|L|L|L|L|L|L|L|L|L|L|L|L",
        "Recommendation 4||a" + "|E" * 28,
        "Recommendation 5||d" + "|E" * 28,
    )


def test_ruled_tables_match_the_gold_transcription() -> None:
    gold = json.loads((GOLD / "JIU_REP_2025_2.json").read_text(encoding="utf-8"))
    for expected in gold["tables"]:
        found = records("JIU_REP_2025_2.pdf", expected["page"])
        assert any(t.rows == expected["rows"] and t.header == expected["header"] for t in found), expected["page"]


def test_chart_grid_is_not_a_table() -> None:
    """Page 21 draws stacked bars whose segments carry only percentages."""
    assert records("JIU_REP_2025_2.pdf", 21) == []


# --------------------------------------------------------------------------------------------------
# Rule-delimited (borderless) tables
# --------------------------------------------------------------------------------------------------


def test_borderless_numeric_table_with_caption() -> None:
    """Right-aligned figures sit on the last line of a wrapped row label; a rule sets off the total."""
    [table] = records("JIU_REP_2025_2.pdf", 11)
    assert table.caption == (
        "Table 1 Outcomes of sexual exploitation and abuse investigations, by personnel category, 2017–2024"
    )
    assert table.header == [
        "Outcome of investigation", "United Nations system staff and affiliate personnel",
        "Personnel of implementing partners", "Personnel of peace operations", "Total", "Percentage of total",
    ]
    assert table.rows == [
        ["Allegation substantiated", "107", "636", "336", "1 079", "34"],
        ["Allegation unsubstantiated or incident determined not to be SEA", "279", "446", "25", "750", "24"],
        ["Insufficient information, no participation from victims or no jurisdiction", "375", "579", "234",
         "1 188", "38"],
        ["Subject was dismissed, resigned or separated during process", "31", "81", "–", "112", "4"],
        ["Total", "792", "1 742", "595", "3 129", "100"],
    ]
    assert table.unit is None


def test_borderless_text_table_of_follow_up_action() -> None:
    """A Secretary-General's follow-up section: two text columns, rows set apart by blank space."""
    tables = records("A_80_596.pdf", 21)
    assert [t.header for t in tables] == [["Decision/request", "Action taken to implement decision/request"]]
    assert tables[0].rows == [
        ["Requests the Secretary-General to improve comprehensive oversight of the activities of peacekeeping "
         "missions and implement the recommendations of relevant oversight bodies in this regard to avoid "
         "deficiencies in management and related economic losses, with the aim of ensuring full compliance with "
         "the Financial Regulations and Rules of the United Nations (para. 17).",
         "As at 31 December 2025, 1 of the 3 recommendations (33.3 per cent) issued by the Office of Internal "
         "Oversight Services and 11 of the 13 recommendations (84.6 per cent) issued by the Board of Auditors "
         "were implemented. Regular follow-up is undertaken to ensure the timely closure of the remaining "
         "recommendations."],
        ["Requests that future budget proposals demonstrate the scalability of mission support components, "
         "including their staffing and operational costs, be proportionate in relation to the changing level of "
         "other mission components and include standard indicators (para. 27).",
         "The mission support ratio (total number of mission support and security personnel per 1,000 total "
         "mission personnel) in the 2025/26 period is 98.3, lower than 100 in the 2020/21 period."],
        ["Requests the Secretary-General to consider options for greater nationalization of functions when "
         "formulating budget submissions, commensurate with mission mandates and requirements where "
         "applicable (para. 34).",
         "UNDOF will continue to review its staffing requirements in line with its priorities and the "
         "nationalization of functions."],
    ]


def test_two_tables_on_one_page_separated_by_a_heading() -> None:
    """The closing rule of one table and the headings of the next are told apart from a section
    heading between them."""
    tables = records("A_80_596.pdf", 22)
    assert [t.header for t in tables] == [
        ["Decision/request", "Action taken to implement decision/request"],
        ["Request/recommendation", "Action taken to implement request/recommendation"],
    ]
    assert [len(t.rows) for t in tables] == [1, 1]
    assert tables[0].rows[0][0].endswith("requests the Secretary-General to enhance their impact (para. 82).")
    assert tables[1].rows[0][0].endswith("in the context of the next proposed budget report (para. 28).")


def test_group_headings_span_the_columns() -> None:
    """UNICEF's annex: report headings and addressee sub-headings inside the table, a status beside
    each "Recommendation N" line, the text and remarks below it."""
    [table] = records("E_ICEF_2025_14.pdf", 7)
    assert table.header == ["Relevant recommendations", "Remarks"]
    firsts = [(row[0][:60], row[1][:40]) for row in table.rows]
    assert firsts == [
        ("Flexible working arrangements in United Nations system organ", ""),
        ("1. Recommendations addressed to the legislative body/Executi", ""),
        ("Recommendation 4", "Accepted and implemented"),
        ("The legislative organs and governing bodies of the United Na", "UNICEF notes that this recommendation is"),
        ("2. Recommendations addressed to the executive head", ""),
        ("Recommendation 1", "Accepted and in progress"),
        ("The executive heads of the United Nations system organizatio", "The UNICEF Procedure on flexible working"),
        ("Recommendation 2", "Accepted and implemented"),
        ("The executive heads of the United Nations system organizatio", "In UNICEF, FWAs are voluntarily requeste"),
    ]
    # The footnote mark after the heading's symbol is not part of the text.
    assert table.rows[0][0] == (
        "Flexible working arrangements in United Nations system organizations (JIU/REP/2023/6)"
    )


def test_continued_table_with_repeated_header() -> None:
    [table] = records("E_ICEF_2025_14.pdf", 18)
    assert table.header == ["JIU report symbol", "Recommendation (number) and summary text", "Addressee",
                            "Current status"]
    assert table.rows == [
        ["", "(3) Legislative and/or governing bodies of United Nations system organizations should request that "
         "executive heads provide, by the end of 2026, an update on the development and implementation of the "
         "mental health and well-being workplace action plan developed according to their evidence-based and "
         "data-driven organizational approach on the matter.", "Legislative body", "Implemented"],
        ["", "(4) By the end of 2024, review the rules governing the return to work of personnel, including "
         "provisions for granting accommodations to facilitate the return process, in order to ensure the "
         "inclusiveness of mental health-related considerations, and develop standard operating procedures that "
         "clearly identify roles and responsibilities, including decision-making.", "Executive head",
         "Implemented"],
        ["", "(5) By the end of 2024, executive heads should assess and identify any gaps or areas to improve their "
         "counselling function in their organizational context, using the guidance on professional standards for "
         "counsellors prepared by the United Nations Staff/Stress Counsellors Group and endorsed by the Human "
         "Resources Network of the United Nations System Chief Executives Board for Coordination, as well as key "
         "elements highlighted by the Joint Inspection Unit in the present report.", "Executive head",
         "In progress"],
        ["", "(8) Collaborate on the mapping of psychosocial support capacity available in all locations and "
         "consider the system-wide capacity when designing workplace action plans, capitalizing on shared "
         "services, cost-sharing and other models for cost-effective and efficient delivery.", "Executive head",
         "In progress"],
    ]


def test_multi_page_tables_are_grouped() -> None:
    doc = parsed("E_ICEF_2025_14.pdf")
    assert [[t.page for t in group] for group in continued_tables(doc)] == [
        [7, 8, 9, 10, 11, 12, 13, 14, 15, 16], [17, 18, 19],
    ]


def test_landscape_annex_table() -> None:
    """A landscape page (792 × 612) whose margin header and page number are set vertically."""
    [table] = records("A_79_352.pdf", 55)
    assert table.header == ["Buildings/Sections", "Description", "Potential savings",
                            "Potential financial implications", "Description of works", "Risks", "Loss of benefits"]
    assert [row[:3] for row in table.rows] == [
        ["Section S2 fire and life safety works only", "Works limited to essential interventions only",
         "SwF 2.3 million"],
        ["Building B", "Variant 1: Omit main works and maintain current operations",
         "SwF 14 million and potential risk avoidance of cost of up to SwF 10–14 million to remove and store all "
         "library materials during the works"],
    ]
    assert table.rows[0][6] == (
        "The modernization of the working space would not be achieved and accessibility measures would not be "
        "included. New security systems that have been installed as part of the United Nations Security Master "
        "Plan would not be sufficiently supported to render the intended security enhancements to the United "
        "Nations Office at Geneva, thereby representing a loss of return on funds already invested in upgraded "
        "systems. The safety and security of staff would be compromised until the new security operations centre "
        "was built."
    )
    assert table.rows[1][5].startswith("It might not be possible to de-scope due to the critical nature")


# --------------------------------------------------------------------------------------------------
# Key/value blocks (WIPO, Chinese)
# --------------------------------------------------------------------------------------------------


def test_key_value_block_in_chinese() -> None:
    tables = records("WO_PBC_34_6.pdf", 4)
    assert len(tables) == 2
    assert tables[0].header == ["", ""]
    assert tables[0].rows == [
        ["建议 6", "联合国系统各组织的立法机关和理事机构应尽早审议各自组织行政首长编写的关于 2019 冠状病毒病大流行期间"
                 "业务连续性的内部管理评估结论，并在此基础上作出适当决定，解决已查明的差距和风险，确保业务活动的连续性。"],
        ["管理层/联络点评估", "这项工作于 2021 年完成，产权组织内部监督司对产权组织的 2019 冠状病毒病危机管理进行了全面审查，"
                       "审查结果在产权组织成员国大会期间提交给成员国，并在产权组织独立咨询监督委员会第六十一届会议上向其提交。"],
        ["接受情况", "已接受"],
        ["落实情况", "已落实"],
        ["负责人", "业务连续性协调员"],
    ]
    assert tables[1].rows[-1] == ["负责人", "助理总干事/行政和管理部门以及计划编制和财务部主任（财务主任）"]


def test_key_value_block_split_over_a_page_break() -> None:
    """The last block on page 19 stops after its assessment; its status rows open page 20."""
    assert records("WO_PBC_34_6.pdf", 19)[-1].rows[0][0] == "建议 1"
    assert [row[0] for row in records("WO_PBC_34_6.pdf", 20)[0].rows] == ["接受情况", "落实情况", "负责人"]
    doc = parsed("WO_PBC_34_6.pdf")
    pages = [[t.page for t in group] for group in continued_tables(doc)]
    assert [19, 20] in pages
    assert [5, 6] in pages  # a one-row block ("建议 1 | text") at the foot of page 5


def test_ruled_table_with_caption_in_chinese() -> None:
    [table] = records("WO_PBC_34_6.pdf", 2)
    assert table.caption == "表 2. 2022 年联检组计划进行的与产权组织相关的审查"
    assert table.header == ["", ""]  # no heading row: the first row is data
    assert table.rows[0] == ["A457 - 审查联合国系统内防止和处理种族主义和种族歧视的政策、措施、机制和做法", "2021 年工作计划"]
    assert table.rows[-1] == ["A468 - 审查联合国系统各组织使用编外人员情况及有关合同模式", "2022 年工作计划"]
    assert len(table.rows) == 8


# --------------------------------------------------------------------------------------------------
# Words
# --------------------------------------------------------------------------------------------------


def _char(text: str, x0: float, bottom: float, size: float = 10.0) -> dict[str, Any]:
    return {"text": text, "x0": x0, "x1": x0 + size * 0.5, "top": bottom - size, "bottom": bottom, "size": size,
            "fontname": "Times", "matrix": (1, 0, 0, 1, 0, 0)}


def test_superscript_footnote_mark_is_dropped() -> None:
    chars = [_char(c, 10 + 5 * i, 100) for i, c in enumerate("JIU/REP/2021/4")]
    chars.append(_char("1", 10 + 5 * 14, 96, size=6.0))
    words = page_words(chars)
    assert [w.text for w in words] == ["JIU/REP/2021/4"]


def test_staggered_columns_do_not_merge() -> None:
    left = [_char(c, 10 + 5 * i, 100 + 12 * line) for line in range(3) for i, c in enumerate("abc")]
    right = [_char(c, 200 + 5 * i, 106 + 12 * line) for line in range(3) for i, c in enumerate("xyz")]
    words: list[Word] = page_words(left + right)
    assert sorted(w.text for w in words) == ["abc"] * 3 + ["xyz"] * 3


@pytest.mark.parametrize("page_number", [1, 2, 3])
def test_prose_pages_have_no_tables(page_number: int) -> None:
    """Chinese prose is never read as a table (the text strategy's failure on these pages)."""
    assert records("A_77_256_Add.1.pdf", page_number) == []


def test_two_level_headings_over_figures() -> None:
    """"Variance" heads two columns ("Unencumbered balance", "Percentage"); the unit comes from the
    parenthesised line above the table, which has no "Table N" caption."""
    tables = records("A_80_600.pdf", 4)
    table = tables[0]
    assert table.header == [
        "Category", "2024/25 apportionment", "2024/25 expenditure", "Unencumbered balance", "Percentage",
        "2025/26 apportionment", "2026/27 cost estimates", "Amount", "Percentage",
    ]
    assert table.rows[:2] == [
        ["Military and police personnel", "7 425.1", "8 320.5", "(895.4)", "(12.1)", "8 879.5", "7 064.6",
         "(1 814.9)", "(20.4)"],
        ["Civilian personnel", "25 334.7", "25 157.5", "177.2", "0.7", "26 196.6", "23 620.3", "(2 576.3)",
         "(9.8)"],
    ]


def test_unit_from_the_line_above_the_table() -> None:
    doc = parsed("A_80_600.pdf")
    page = doc.pages[3]
    assert table_record(page.tables[0], page).unit == "thousands of United States dollars"


def test_unheaded_label_column_and_source_line() -> None:
    """Row labels without a heading, whose first line reaches under the first figure's heading; the
    "Source:" line under the closing rule is not part of the table."""
    tables = records("JIU_REP_2025_1.pdf", 57)
    assert [t.caption for t in tables] == [
        "Table 12 Opinion of staff members about staff-management relations and staff representation "
        "(Aggregate percentage of “strongly agree” and “partially agree” responses)",
        "Table 13 Overview of the United Nations Environment Programme workforce, 2020 and 2024",
    ]
    assert tables[0].header == ["", "Headquarters", "Field", "MEAs", "Overall"]
    assert tables[0].rows == [
        ["I think that staff-management relations within UNEP are positive and constructive", "48", "56", "44", "50"],
        ["I feel that my concerns are adequately relayed by staff representatives to the UNEP management", "42",
         "42", "30", "39"],
        ["I feel that management is receptive to the concerns raised by staff representatives and takes follow-up "
         "actions", "37", "37", "31", "36"],
        ["I think that staff representatives adequately communicate on subject matters discussed with UNEP "
         "management", "39", "41", "34", "38"],
    ]
    assert tables[1].rows == [
        ["Staff members", "1 268", "1 383", "+9"],
        ["Affiliate workforce", "784", "1 450", "+85"],
        ["UNEP personnel", "2 052", "2 833", "+38"],
    ]


def test_year_headings() -> None:
    [table] = records("JIU_REP_2025_1.pdf", 13)
    assert table.header == ["", "2012", "2024"]
    assert table.rows == [["Accredited", "95", "149"], ["On-site representation in Nairobi", "79", "94"],
                          ["Representation outside Nairobi", "16", "55"], ["Not accredited", "88", "44"]]


def test_table_closed_by_a_rule_before_headings_and_prose() -> None:
    """A budget fascicle's performance measure: five text columns; the bold result heading and the
    numbered paragraphs after the closing rule stay out of the table."""
    tables = records("A_81_6_Sect.2.pdf", 9)
    assert [t.caption for t in tables] == ["Table 2.2 Performance measure", "Table 2.3 Performance measure"]
    first = tables[0]
    assert first.header == ["2023 (actual)", "2024 (actual)", "2025 (actual)", "2026 (planned)", "2027 (planned)"]
    assert first.rows == [[
        "Member States have access to information on intergovernmental decision-making, but this varies in "
        "content and form from one body to another",
        "New module providing information on proposals, amendments, and resolutions and decisions available in "
        "e-deleGATE",
        "Member States have access to new module in e-deleGATE providing information on proposals, amendments, "
        "and resolutions and decisions",
        "Member States have access to new module in e-deleGATE providing information on proposals, amendments, "
        "and resolutions and decisions, with automated quality assurance of key elements (logical progression, "
        "naming conventions, etc.)",
        "Member States have access to new module in e-deleGATE providing information on proposals, amendments, "
        "and resolutions and decisions",
    ]]
    assert len(tables[1].rows) == 1


def test_column_group_rule_is_not_a_footnote_separator() -> None:
    """The short rule grouping "Cost estimates | Variance" sits right of the margin, low on the page: the
    table under it is found whole (it once cut the body off as if it were the footnote separator)."""
    tables = records("A_80_604_Add.1.pdf", 9)
    assert len(tables) == 2
    table = tables[1]
    assert table.header == [
        "Category", "Apportionment (2024/25) (1)", "Expenditure (2024/25) (2)", "Apportionment (2025/26) (3)",
        "Expenditure as at 28 February 2026 (4)", "Cost estimates (2026/27) (5)", "Amount (6)=(5)-(3)",
        "Percentage (7)=(6)÷(3)",
    ]
    assert table.rows[:3] == [
        ["Operational costs", "", "", "", "", "", "", ""],
        ["Civilian electoral observers", "–", "–", "–", "–", "–", "–", "–"],
        ["Consultants and consulting services", "2.8", "23.6", "–", "–", "–", "–", "–"],
    ]
    assert table.rows[-2:] == [
        ["Medical", "299.9", "233.8", "289.7", "96.3", "289.7", "–", "–"],
        ["Special equipment", "–", "–", "–", "–", "–", "–", "–"],
    ]


def test_wide_rows_of_figures_under_a_group_rule_are_not_prose() -> None:
    """A bold subtotal over rows of figures spanning every column stays in the table: the table of
    financial resources runs from its headings to "Total requirements" over its group rules."""
    [table] = records("A_80_596.pdf", 13)
    labels = [row[0] for row in table.rows]
    assert labels[0] == "Military and police personnel" and labels[-1] == "Total requirements"
    assert len(labels) == 33
    assert labels.count("Subtotal") == 3


def _extracted_tables(name: str) -> list[TableRecord]:
    return [r for r in TablesExtractor().extract(parsed(name), ExtractionContext()) if isinstance(r, TableRecord)]


def test_numbered_table_over_a_page_break_is_one_record() -> None:
    """表 1 of A/63/359 starts on p. 16 and ends on p. 17 (headings repeated, two rows: 其他 and 共计): one
    record from the caption's page, the repeated headings dropped; 表 2 below it on p. 17 is its own."""
    tables = _extracted_tables("A_63_359.pdf")
    [first] = [t for t in tables if t.caption and t.caption.startswith("表 1")]
    assert (first.page, first.end_page) == (16, 17)
    assert first.rows[:3] == [
        ["支出用途", "资源(千美元)", "", "", "", ""],
        ["", "2008-2009年度初步批款", "变动", "从现有批款中匀支", "净变动", "2008-2009年度订正估计数"],
        ["", "1", "2", "3", "4=(2-3)", "5=(1+4)"],
    ]
    assert first.rows[3] == ["员额", "889 138.5", "860.6", "—", "860.6", "889 999.1"]
    assert first.rows[-3:] == [
        ["赠款和捐款", "78 794.7", "—", "—", "—", "78 794.7"],
        ["其他", "461 366.0", "127.7", "-", "127.7", "461 493.7"],
        ["共计", "2 190 454.0", "4 692.4", "(973.2)", "3 719.2", "2 194 173.2"],
    ]
    assert len(first.cell_bboxes) == len(first.rows)
    [second] = [t for t in tables if t.caption and t.caption.startswith("表 2")]
    assert (second.page, second.end_page, second.rows[3][0]) == (17, None, "3. 政治事务")


def test_unnumbered_grid_over_a_page_break_stays_one_record_per_page() -> None:
    """An annex matrix without a "Table N" caption is located by page: JIU/REP/2025/2 pp. 33 and 34."""
    pages = [t.page for t in _extracted_tables("JIU_REP_2025_2.pdf") if t.page in (33, 34)]
    assert pages == [33, 34]
