"""Status blocks without ruling (extractors.status_blocks): real Board-of-Auditors status reports."""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

import pytest

from extractors.apply import run_extractors
from extractors.catalog import get_extractor
from extractors.lib.records import Deadline, StatusEntry
from extractors.lib.vocabulary import load_vocabulary
from extractors.status_blocks import block_entries
from pipeline.core.document import Line, Page, PageQuality, ParsedDocument, Table
from tests.corpus import parsed

FPA = "DP_FPA_2025_2.pdf"


@lru_cache(maxsize=4)
def entries(name: str) -> tuple[StatusEntry, ...]:
    extraction = run_extractors(parsed(name), [get_extractor("metadata"), get_extractor("status")])
    assert all(run.status == "ok" for run in extraction.runs), [run.error for run in extraction.runs]
    return tuple(extraction.records(StatusEntry))


def find(report: str, number: str) -> StatusEntry:
    [entry] = [e for e in entries(FPA) if e.report == report and e.number == number]
    return entry


def _fields(entry: StatusEntry) -> dict[str, object]:
    return {
        "report": entry.report, "number": entry.number, "text": entry.text, "acceptance": entry.acceptance,
        "implementation": entry.implementation, "implementation_raw": entry.implementation_raw,
        "responsible": entry.responsible, "due": entry.due, "page": entry.page,
    }


def test_current_year_block() -> None:
    """Section III, 2023 report (A/79/5/Add.8 from the summary's "31 December 2023 (A/79/5/Add.8)")."""
    entry = find("A/79/5/Add.8", "38")
    assert _fields(entry) == {
        "report": "A/79/5/Add.8",
        "number": "38",
        "text": "the Board recommends that UNFPA assess and update the terms of reference of its Humanitarian "
                "Response Division and establish a clear plan with activities implementation schedule and "
                "accountabilities.",
        "acceptance": None,
        "implementation": "in_progress",
        "implementation_raw": "Under implementation",
        "responsible": "Humanitarian Response Division",
        "due": Deadline(text="March 2025", kind="month", date="2025-03-31"),
        "page": 3,
    }
    assert entry.previous_status is None


def test_management_response_paragraphs_are_the_remarks() -> None:
    entry = find("A/79/5/Add.8", "39")
    assert entry.remarks == (
        "HRD is actively recruiting for vacant positions in the Division. HRD currently has seven vacant "
        "fixed-term positions. HRD is currently in the process of recruitment for five out of those vacant "
        "positions while two other positions are on hold pending the revision of the TORs of these positions."
    )
    # Two numbered paragraphs are two lines of the remarks; "agrees with" in them is the acceptance.
    many = find("A/78/5/Add.8", "169")
    assert many.remarks is not None and len(many.remarks.split("\n")) == 4
    assert (find("A/79/5/Add.8", "104").acceptance, find("A/79/5/Add.8", "156").acceptance) == ("accepted", "accepted")
    assert find("A/79/5/Add.8", "88").acceptance is None  # "welcomes the recommendation" accepts nothing


def test_prior_year_block_with_revised_target_date() -> None:
    """Section IV: the heading "Report of the Board of Auditors for the year ended 31 December 2022" (plain
    type, no symbol) names A/78/5/Add.8; the revised target date replaces the original one."""
    entry = find("A/78/5/Add.8", "54")
    assert _fields(entry) == {
        "report": "A/78/5/Add.8",
        "number": "54",
        "text": "the Board recommends that UNFPA accelerate the actions to define the modules developed on Atlas "
                "pending to be included in the enterprise resource planning Quantum.",
        "acceptance": "accepted",
        "implementation": "in_progress",
        "implementation_raw": "Under implementation",
        "responsible": "Information Technology Solutions Office",
        "due": Deadline(text="December 2024", kind="month", date="2024-12-31"),
        "page": 14,
    }


def test_revised_target_date_that_is_no_date_leaves_due_empty() -> None:
    """2019 report, para. 165: Target date June 2022, Revised target date "Closure requested"."""
    entry = find("A/75/5/Add.8", "165")
    assert (entry.implementation, entry.implementation_raw, entry.due, entry.page) == (
        "implemented", "Closure requested", None, 13)


def test_locator_words_and_wrapped_values() -> None:
    """"In paragraph 89, in addition, the Board …"; a responsible unit wrapped onto a second line; a block
    whose bold paragraph ends one page and whose labelled lines open the next."""
    assert find("A/76/5/Add.8", "89").text.startswith("the Board recommends that UNFPA incorporate preventive")
    assert find("A/79/5/Add.8", "174").responsible == "Humanitarian Response Division and Supply Chain Management Unit"
    split = find("A/79/5/Add.8", "143")
    assert (split.page, split.responsible, split.due) == (
        8, "Programme Division", Deadline(text="December 2025", kind="month", date="2025-12-31"))


def test_every_block_once_under_its_report() -> None:
    counts = Counter(e.report for e in entries(FPA))
    assert counts == {"A/79/5/Add.8": 32, "A/78/5/Add.8": 13, "A/77/5/Add.8": 2, "A/76/5/Add.8": 1,
                      "A/75/5/Add.8": 1}
    keys = [(e.report, e.number) for e in entries(FPA)]
    assert len(keys) == len(set(keys))  # para. 89 of 2020 and of 2023 stay two recommendations


def _summary_totals(table: Table) -> dict[str, int] | None:
    """The "Total" row of a summary table (counts per thematic area and status), by column heading."""
    header = [cell.text if cell else "" for cell in table.rows[0]]
    if "Total" not in header:
        return None
    for row in table.rows[1:]:
        cells = [cell.text if cell else "" for cell in row]
        if cells and cells[0] == "Total":
            return {h: int(c) if re.fullmatch(r"\d+", c) else 0 for h, c in zip(header, cells, strict=False) if h}
    return None


def test_summary_table_totals_agree_with_the_entries() -> None:
    """A summary table is no status table, but its totals count the blocks below it: a missed or an extra
    block shows here. Each block is counted by the nearest summary table above it."""
    doc = parsed(FPA)
    summaries = [(t.page, t.bbox[1], totals) for page in doc.pages for t in page.tables
                 if (totals := _summary_totals(t)) is not None]
    assert [totals["Total"] for _, _, totals in summaries] == [32, 17]  # tables 2 and 3 (table 1: main ones)
    found = sorted(entries(FPA), key=lambda e: (e.page or 0, e.bbox[1] if e.bbox else 0))
    for k, (page, top, totals) in enumerate(summaries):
        following = summaries[k + 1] if k + 1 < len(summaries) else (10**6, 0.0, {})
        counted = [e for e in found if (page, top) < (e.page or 0, e.bbox[1] if e.bbox else 0) < following[:2]]
        assert totals["Total"] == len(counted)
        assert totals["Closure requested"] == sum(e.implementation == "implemented" for e in counted)
        assert totals["Under implementation"] == sum(e.implementation in ("in_progress", "not_implemented")
                                                     for e in counted)


# --------------------------------------------------------------------------------------------------
# Variants the corpus lacks, built as parsed lines
# --------------------------------------------------------------------------------------------------


def _line(text: str, top: float, x0: float = 100.0, bold: float = 0.0, role: str = "body") -> Line:
    return Line(text=text, bbox=(x0, top, 500.0, top + 10), size=10.0, bold=bold, role=role)  # type: ignore[arg-type]


def _blocks(lines: list[Line], language: str) -> list[StatusEntry]:
    page = Page(number=1, width=595, height=842, lines=lines, tables=[], quality=PageQuality())
    doc = ParsedDocument(file_name="x.pdf", sha256="0", pages=[page], paragraphs=[], parser_version="test")
    return list(block_entries(doc, load_vocabulary(), language, "UNDP"))


def test_labelled_management_response_and_not_applicable() -> None:
    """UNDP's variant: "Department responsible:" lines, a "Not applicable" target date, a labelled response."""
    found = _blocks([
        _line("A. Report of the Board of Auditors for 2023 (A/79/5/Add.1)", 120, bold=1.0),
        _line("In paragraph 37, the Board recommended that UNDP review its vendor", 150, bold=1.0),
        _line("management policy.", 162, bold=1.0),
        _line("Department responsible: Bureau for Management Services", 180),
        _line("Status: Implemented (previously: in progress)", 192),
        _line("Priority: Medium", 204),
        _line("Target date: Not applicable", 216),
        _line("Management response: UNDP considers the recommendation to be implemented.", 228),
        _line("In paragraph 38, the Board recommended that UNDP update its guidance.", 260, bold=1.0),
        _line("Responsible: Bureau for Policy and Programme Support", 272),
        _line("Status: Under implementation", 284),
        _line("Target date: First quarter of 2025", 296),
    ], "en")
    assert [(e.report, e.number, e.implementation, e.implementation_raw, e.previous_status, e.due) for e in found] == [
        ("A/79/5/Add.1", "37", "implemented", "Implemented", "previously: in progress", None),
        ("A/79/5/Add.1", "38", "in_progress", "Under implementation", None,
         Deadline(text="First quarter of 2025", kind="month", date="2025-03-31")),
    ]
    assert found[0].remarks == "UNDP considers the recommendation to be implemented."
    assert found[0].responsible == "Bureau for Management Services"
    assert found[0].text == "the Board recommended that UNDP review its vendor management policy."


def test_secretary_general_layout_numbered_plain_paragraphs() -> None:
    """A Secretary-General's report: the recommendation is a numbered paragraph in plain type, the response
    comes before the labelled lines, the heading gives the symbol; a period ended 30 June 2023 went to the
    seventy-eighth session."""
    found = _blocks([
        _line("Report of the Board of Auditors on the United Nations peacekeeping operations for the", 100),
        _line("period ended 30 June 2024", 110),
        _line("II. Status of implementation of recommendations", 120, bold=1.0),
        _line("Report of the Board of Auditors for the year ended 31 December 2023 (A/79/5 (Vol. I))", 130),
        _line("12. In paragraph 23, the Board recommended that the Administration strengthen the", 150),
        _line("monitoring of its travel policy.", 162),
        _line("13. The Administration accepted the recommendation and has started a review.", 174),
        _line("Department responsible: Department of Management Strategy, Policy and Compliance", 186),
        _line("Status: Under implementation", 198),
        _line("Priority: Medium", 210),
        _line("Target date: Fourth quarter of 2025", 222),
        _line("14. In 2022 the Board also noted that travel costs rose.", 240),
        _line("Report of the Board of Auditors for the period ended 30 June 2023", 260),
        _line("15. In paragraph 40, the Board recommended that the Administration close the dormant accounts.", 280),
        _line("Department responsible: Department of Operational Support", 292),
        _line("Status: Overtaken by events", 304),
        _line("Target date: Not applicable", 316),
    ], "en")
    assert [(e.report, e.number, e.text, e.implementation, e.due) for e in found] == [
        ("A/79/5 (Vol. I)", "23", "the Board recommended that the Administration strengthen the monitoring of its "
         "travel policy.", "in_progress", Deadline(text="Fourth quarter of 2025", kind="month", date="2025-12-31")),
        ("A/78/5 (Vol. I)", "40", "the Board recommended that the Administration close the dormant accounts.",
         "not_relevant", None),
    ]
    assert found[0].remarks == ("The Administration accepted the recommendation and has started a review.\n"
                                "In 2022 the Board also noted that travel costs rose.")
    assert found[0].acceptance == "accepted"  # "The Administration accepted the recommendation"


def test_chinese_block() -> None:
    found = _blocks([
        _line("审计委员会 2023 年报告(A/79/5/Add.1)", 120, bold=1.0),
        _line("审计委员会在第 37 段中建议开发署审查其供应商管理政策。", 150, bold=1.0),
        _line("负责部门：管理事务局", 170),
        _line("状况：正在落实", 182),
        _line("目标日期：2025 年第一季度", 194),
    ], "zh")
    assert [(e.report, e.number, e.text, e.responsible, e.implementation, e.due) for e in found] == [
        ("A/79/5/Add.1", "37", "审计委员会建议开发署审查其供应商管理政策。", "管理事务局", "in_progress",
         Deadline(text="2025 年第一季度", kind="month", date="2025-03-31")),
    ]


@pytest.mark.parametrize("text", [
    "In paragraph 12 of its report, the Board recommended that the Administration review the policy.",
])
def test_a_bold_paragraph_without_labelled_lines_is_no_block(text: str) -> None:
    assert _blocks([_line(text, 150, bold=1.0), _line("The Administration agreed.", 170)], "en") == []
