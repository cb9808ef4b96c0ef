"""Document metadata on real corpus PDFs, English and Chinese: exact expected values (extractors/metadata.py).

Expected values were read off page 1 of each PDF (and the gold records where one exists). The rules
are the page-1 layout conventions; no rule in the code knows a file's name.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extractors.base import ExtractionContext
from extractors.catalog import get_extractor
from extractors.metadata import (
    FrontPage,
    agenda_items,
    chinese_number,
    continues_agenda,
    document_info,
    document_kind,
    language_of,
    ordinal_value,
    parse_date,
    read_front_page,
)
from pipeline.core.document import ParsedDocument
from pipeline.parse.pdf import parse_pdf
from tests.corpus import BENCH, parsed

DOCUMENTS: dict[str, dict[str, Any]] = {
    # ACABQ report; the symbol is printed as a large "A" and a small "/80/604/Add.1".
    "A_80_604_Add.1.pdf": {
        "symbol": "A/80/604/Add.1", "language": "en", "kind": "acabq_report", "session": 80,
        "agenda_items": ["156 (a)"], "date": "2026-04-07", "job_number": "26-04887",
        "title": "Budget performance for the period from 1 July 2024 to 30 June 2025 and budget for the period "
                 "from 1 July 2026 to 30 June 2027 for the United Nations Disengagement Observer Force",
    },
    "A_80_604_Add.5.pdf": {
        "symbol": "A/80/604/Add.5", "language": "en", "kind": "acabq_report", "session": 80,
        "agenda_items": ["148"], "date": "2026-04-07", "job_number": "26-04891",
        "title": "Budget performance for the period from 1 July 2024 to 30 June 2025 and budget for the period "
                 "from 1 July 2026 to 30 June 2027 for the United Nations Logistics Base",
    },
    "A_80_596.pdf": {
        "symbol": "A/80/596", "kind": "sg_report", "session": 80, "date": "2026-01-23", "job_number": "26-00883",
    },
    "A_79_352.pdf": {
        "symbol": "A/79/352", "language": "en", "kind": "sg_report", "session": 79, "agenda_items": ["139"],
        "date": "2024-10-15", "job_number": "24-16783",
        "title": "Eleventh annual progress report on the strategic heritage plan of the United Nations Office at "
                 "Geneva",
    },
    # Secretary-General's note; "Item 72 (b) of the provisional agenda*".
    "A_80_188.pdf": {
        "symbol": "A/80/188", "kind": "sg_note", "session": 80, "agenda_items": ["72 (b)"], "date": "2025-07-17",
        "title": "Promotion and protection of human rights in the context of climate change",
    },
    # Joint General Assembly / Security Council symbol: "A S" over "/80/275- /2025/491".
    "A_80_275.pdf": {
        "symbol": "A/80/275-S/2025/491", "kind": "sg_note", "session": 80, "agenda_items": ["129"],
        "date": "2025-07-29", "job_number": "25-12331",
        "title": "International Residual Mechanism for Criminal Tribunals",
    },
    # Budget fascicle: the title is the whole block down to the programme.
    "A_81_6_Sect.3.pdf": {
        "symbol": "A/81/6 (Sect. 3)/Part A", "kind": "budget_fascicle", "session": 81,
        "agenda_items": ["138", "139"], "date": "2026-04-09", "job_number": "26-05086",
        "title": "Proposed programme budget for 2027 Part II Political affairs Section 3 Political affairs "
                 "Programme 2 Political affairs",
    },
    # JIU report: symbol as a running header, "[Expanded report]" dropped; no date or session printed.
    "JIU_REP_2025_1.pdf": {
        "symbol": "JIU/REP/2025/1", "language": "en", "kind": "jiu_report", "session": None, "agenda_items": [],
        "date": None, "job_number": "25-10420",
        "title": "Review of management and administration in the United Nations Environment Programme "
                 "(expanded report)",
    },
    # Organizations' reports on JIU recommendations; "Annual session 2025" has no session number.
    "DP_2025_12_Add.1.pdf": {
        "symbol": "DP/2025/12/Add.1", "kind": "status_report", "session": None, "agenda_items": ["9"],
        "date": "2025-03-26", "job_number": "25-04933",
        "title": "Report of UNDP on the recommendations of the Joint Inspection Unit in 2024",
    },
    "DP_OPS_2025_6.pdf": {
        "symbol": "DP/OPS/2025/6", "kind": "other", "session": None, "agenda_items": ["18"],
        "date": "2025-04-03", "job_number": "25-05392",
        "title": "Implementation of the restated UNOPS strategic plan, 2022-2025",
    },
    # A General Assembly resolution: its title follows its number.
    "A_RES_79_281.pdf": {
        "symbol": "A/RES/79/281", "kind": "other", "session": 79, "agenda_items": ["146"], "date": "2025-04-16",
        "job_number": "25-06206", "title": "Joint Inspection Unit",
    },
    # Verbatim record of the Security Council: a "year", not a session; no title.
    "S_PV.10100.pdf": {
        "symbol": "S/PV.10100", "language": "en", "kind": "other", "session": None, "agenda_items": [],
        "date": "2026-01-30", "job_number": "26-01225", "title": None,
    },
    # Chinese: Secretary-General's note transmitting comments on a JIU report.
    "A_77_256_Add.1.pdf": {
        "symbol": "A/77/256/Add.1", "language": "zh", "kind": "sg_note", "session": 77, "agenda_items": ["145"],
        "title": "联合国系统各组织业务连续性管理审查", "date": None, "job_number": None,
        "references": ["A/76/607", "A/77/150", "A/77/256", "JIU/REP/2021/6"],
    },
    # Chinese WIPO status report: "第三十四届会议" is session 34; the session's dates are not the document's.
    "WO_PBC_34_6.pdf": {
        "symbol": "WO/PBC/34/6", "language": "zh", "kind": "status_report", "session": 34, "agenda_items": [],
        "title": "联合检查组（联检组）建议的落实进展报告", "date": None, "job_number": None,
    },
    # Chinese ACABQ report: the author line names the report's subject and number, over two lines
    # ("行政和预算问题咨询委员会关于 2022 年拟议方案预算的第三" / "十八次报告"); it is not part of the title.
    "A_76_7_Add.38.pdf": {
        "symbol": "A/76/7/Add.38", "language": "zh", "kind": "acabq_report", "session": 76, "agenda_items": ["138"],
        "title": "组织复原力管理系统实施进展情况",
    },
    # Chinese SG report: a three-line title above "秘书长的报告"; "临时议程∗项目 121" carries a footnote mark;
    # the summary's "…请秘书长向大会第六十三届会议提出…" is no session line.
    "A_63_359.pdf": {
        "symbol": "A/63/359", "language": "zh", "kind": "sg_report", "session": 63, "agenda_items": ["121"],
        "title": "与 2008-2009 两年期方案预算关于业务连续性管理的第 3、17、18、20、21、27、28C、28D、28E、28F、28G、33 和 "
                 "35款有关的订正概算",
    },
    # The title's footnote mark ("…问责制*") is no part of it.
    "A_76_644.pdf": {
        "symbol": "A/76/644", "language": "zh", "kind": "sg_report", "session": 76, "agenda_items": ["136"],
        "title": "关于问责制的第十一次进展报告：加强联合国秘书处的问责制",
    },
    # "Report on the recommendations of the United Nations Board of Auditors …": a status report.
    "DP_FPA_2025_2.pdf": {"symbol": "DP/FPA/2025/2", "kind": "status_report", "agenda_items": ["2"]},
    "UDHR_zh.pdf": {"symbol": None, "language": "zh", "kind": "other", "session": None, "job_number": None},
    # French summary record (a scan): its language is read from the text.
    "A_C.4_SR.985_fr.pdf": {"language": "fr", "kind": "other", "title": None},
    # Arabic in presentation forms; the glyphs are in visual order, so no title is offered.
    "UDHR_note_ar.pdf": {"language": "ar", "symbol": None, "title": None},
}


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_document_info_on_corpus_pdfs(name: str) -> None:
    info = document_info(parsed(name))
    got = {key: getattr(info, key) for key in DOCUMENTS[name]}
    assert got == DOCUMENTS[name]


def test_references_of_an_acabq_report() -> None:
    info = document_info(parsed("A_80_604_Add.1.pdf"))
    assert info.references == [
        "A/80/5 (Vol. II)", "A/80/596", "A/80/604", "A/80/604/Add.4", "A/80/633", "A/RES/79/307",
        "S/RES/2811 (2025)", "S/RES/350 (1974)",
    ]


def test_references_skip_internal_codes_and_split_footnote_marks() -> None:
    refs = document_info(parsed("E_ICEF_2025_14.pdf")).references
    assert "JIU/REP/2021/4" in refs  # printed with a superscript footnote mark "1" right after it
    assert "JIU/REP/2021/41" not in refs
    assert "JIU/REP/2024/3" in refs  # "JIU/REP/2024/3 Part I"
    assert "DP/FPA-ICEF-UNW/2020/1" in refs
    assert not [r for r in refs if r.startswith(("PROCEDURE", "POLICY"))]
    assert "E/ICEF/2025/14" not in refs  # its own symbol


def test_fascicle_legislative_mandates_give_bare_resolution_numbers() -> None:
    refs = document_info(parsed("A_81_6_Sect.2.pdf")).references
    for symbol in ("A/RES/174 (II)", "A/RES/1472 (XIV) A", "A/RES/43/222 E", "A/RES/79/258", "E/RES/36 (IV)",
                   "E/RES/2025/25", "S/96/Rev.7", "A/81/6 (Sect. 2)"):
        assert symbol in refs
    assert "A/81/6 (Sect. 2)/Part A" not in refs


def test_fascicle_mandates_leave_out_the_decisions_listed_with_resolutions() -> None:
    """A/81/6 (Sect. 9) lists "resolutions and decisions" of the Assembly and the Council together."""
    refs = document_info(parsed("A_81_6_Sect.9.pdf")).references
    for decision in ("A/RES/78/558", "A/RES/75/511 B", "E/RES/2025/315", "E/RES/2011/274", "E/RES/2026/302"):
        assert decision not in refs
    for resolution in ("A/RES/77/335", "A/RES/118 (II)", "E/RES/2009/32", "E/RES/2025/31"):
        assert resolution in refs


def test_references_read_a_dated_list_of_resolutions() -> None:
    """A/RES/78/276 recalls 26 resolutions as "31/192 of 22 December 1976, 50/233 of 7 June 1996, …"."""
    refs = document_info(parsed("A_RES_78_276.pdf")).references
    resolutions = [r for r in refs if r.startswith("A/RES/")]
    assert len(resolutions) == 27  # 57/284 A and B are two
    for symbol in ("A/RES/31/192", "A/RES/57/284 B", "A/RES/69/275", "A/RES/73/287", "A/RES/77/279"):
        assert symbol in refs


def test_references_from_an_annex_table_of_resolutions_zh() -> None:
    """A/76/644, annex I: the "决议" column prints bare numbers ("75/254 A 至 C：2021年方案预算"), and one cell
    runs over a page break ("…、A/76/6" + "(Sect. 3)/Add.2、…")."""
    refs = document_info(parsed("A_76_644.pdf")).references
    for symbol in ("A/RES/75/2", "A/RES/75/242 A", "A/RES/75/254 C", "A/RES/74/261 B", "A/RES/75/306",
                   "A/76/6 (Sect. 3)/Add.2", "A/76/6 (Sect. 4)"):
        assert symbol in refs
    assert "A/76/6" not in refs  # the half before the page break
    assert "OS/14/101" not in refs  # "OS/14/101 号决定": a decision's number
    assert "A/76/644" not in refs


def test_references_follow_ons_are_siblings_zh() -> None:
    refs = document_info(parsed("A_63_359.pdf")).references  # "(A/62/701 和Corr.1 和 Add.1)"
    assert {"A/62/701", "A/62/701/Corr.1", "A/62/701/Add.1"} <= set(refs)
    assert not [r for r in refs if "/Corr.1/Add." in r]


@pytest.mark.parametrize(
    ("author", "kind"),
    [
        ("行政和预算问题咨询委员会关于 2022 年拟议方案预算的第三十八次报告", "acabq_report"),  # A/76/7/Add.38
        ("Thirty-eighth report of the Advisory Committee on Administrative and Budgetary Questions on the proposed "
         "programme budget for 2022", "acabq_report"),  # the same report's English title page
        ("秘书长的报告", "sg_report"),
        ("秘书长的第十一次进度报告", "sg_report"),
        ("Eleventh progress report of the Secretary-General", "sg_report"),
        ("秘书长的说明", "sg_note"),
    ],
)
def test_kind_from_the_author_line(author: str, kind: str) -> None:
    assert document_kind(None, FrontPage(title="…", author=author)) == kind


@pytest.mark.parametrize(
    "title", ["Report of the Secretary-General on the work of the Organization", "秘书长关于本组织工作的报告"]
)
def test_kind_from_a_title_that_names_the_author(title: str) -> None:
    """An Official Records cover (A/80/1) prints no author line: the title says who reports."""
    assert document_kind("A/80/1", FrontPage(title=title)) == "sg_report"
    assert document_kind("A/80/1", FrontPage(title=title, author="Note by the Secretariat")) == "other"


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("A_52_826.pdf", "sg_report"),  # "Report of the Secretary-General" under "THE SITUATION IN AFGHANISTAN …"
        ("A_47_435.pdf", "sg_report"),  # "Progress report of the Secretary-General"
        ("A_52_613.pdf", "other"),  # "Report of the Special Political and Decolonization Committee"
    ],
)
def test_kind_of_a_typewriter_era_report(name: str, kind: str) -> None:
    """1990s pages set everything in one type: no bold display title, yet the author line is there."""
    assert document_info(_bench(name)).kind == kind


def test_a_letters_title_is_display_size_against_its_own_page_not_its_annex() -> None:
    """A/79/876: the annex, circulated in Arabic only and set larger, has most of the document's text; the
    letter's 12-point bold title is still its title."""
    assert read_front_page(_bench("A_79_876.pdf")).title == (
        "Identical letters dated 10 April 2025 from the Chargé d’affaires a.i. of the Permanent Mission of Lebanon "
        "to the United Nations addressed to the Secretary-General and the President of the Security Council"
    )


def test_a_title_under_a_long_list_of_agenda_titles_is_found_low_on_the_page() -> None:
    """A/79/870 prints 14 agenda item titles in bold before the letter's title, which starts at 73 % of the page."""
    assert read_front_page(_bench("A_79_870.pdf")).title == (
        "Letter dated 15 April 2025 from the Chargé d’affaires a.i. of the Permanent Mission of the Bolivarian "
        "Republic of Venezuela to the United Nations addressed to the Secretary-General"
    )


def test_the_registered_extractor_yields_one_document_info() -> None:
    extractor = get_extractor("metadata")
    records = list(extractor.extract(parsed("A_77_256_Add.1.pdf"), ExtractionContext()))
    assert len(records) == 1
    assert records[0] == document_info(parsed("A_77_256_Add.1.pdf"))


@pytest.mark.parametrize(
    ("words", "value"),
    [("Eightieth", 80), ("Seventy-ninth", 79), ("Eighty-first", 81), ("FORTY-EIGHTH", 48), ("Sixtieth", 60),
     ("one hundred and first", 101), ("Annual", None)],
)
def test_ordinal_value(words: str, value: int | None) -> None:
    assert ordinal_value(words) == value


@pytest.mark.parametrize(("text", "value"), [("七十七", 77), ("三十四", 34), ("八十", 80), ("十", 10), ("一百零一", 101)])
def test_chinese_number(text: str, value: int) -> None:
    assert chinese_number(text) == value


@pytest.mark.parametrize(
    ("line", "items"),
    [
        ("Agenda item 156 (a)", ["156 (a)"]),
        ("Items 138 and 139 of the preliminary list**", ["138", "139"]),
        ("Item 3 of the provisional agenda*", ["3"]),
        ("Agenda items 72 (b) and (c)", ["72 (b)", "72 (c)"]),
        ("临时议程*项目 145", ["145"]),
        ("临时议程∗项目 121", ["121"]),  # A/63/359: the mark printed as U+2217
        ("Item 72 (b) of the provisional agenda*", ["72 (b)"]),  # A/80/188
        ("Agenda item 74 (continued)", []),
        ("Item 9 of the provisional agenda", ["9"]),
    ],
)
def test_agenda_items(line: str, items: list[str]) -> None:
    assert agenda_items(line) == items


@pytest.mark.parametrize(
    ("line", "following", "continues"),
    [
        ("Agenda items 14, 16, 18, 22 (b), 30, 34, 35, 38, 58, 69,", "71, 120, 123 and 135", True),  # A/79/870
        ("Agenda items 138 and", "139", True),
        ("临时议程项目 14、16、18、", "71、120 和 135", True),
        ("Item 129 of the provisional agenda*", "International Residual Mechanism for Criminal Tribunals", False),
        ("Agenda items 72 (b) and (c)", "2024", False),
        ("Eightieth session,", "71, 120", False),
    ],
)
def test_an_agenda_line_continues_on_the_next(line: str, following: str, continues: bool) -> None:
    assert continues_agenda(line, following) is continues


def _bench(name: str) -> ParsedDocument:
    path = BENCH / name
    if not path.exists():
        pytest.skip(f"bench file {name} not found under {BENCH}")
    return parse_pdf(str(path))


def test_a_long_agenda_line_is_read_over_two_lines() -> None:
    """A/79/870 lists 14 items over two lines, then 14 agenda titles."""
    front = read_front_page(_bench("A_79_870.pdf"))
    assert front.agenda_items == ["14", "16", "18", "22 (b)", "30", "34", "35", "38", "58", "69", "71", "120", "123",
                                  "135"]


@pytest.mark.parametrize(
    ("name", "session"),
    [
        ("A_80_11.pdf", 80),  # "Eighty-fifth session" is the Committee on Contributions'
        ("A_79_19.pdf", 79),  # "Seventy-ninth Session" below the middle of the cover
        ("A_80_1.pdf", 80),
    ],
)
def test_an_official_records_cover_gives_the_assemblys_session(name: str, session: int) -> None:
    """"General Assembly / Official Records / Eightieth Session / Supplement No. 11", "Session" capitalised."""
    assert read_front_page(_bench(name)).session == session


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("7 April 2026", "2026-04-07"),
        ("Thursday, 29 September 2005, 3 p.m.", "2005-09-29"),
        ("2022年8月1日", "2022-08-01"),
        ("Vendredi 4 décembre 1959,", "1959-12-04"),
        ("10–13 June 2025", None),
        ("2022年6月27日至7月1日，日内瓦", None),
    ],
)
def test_parse_date(text: str, iso: str | None) -> None:
    assert parse_date(text) == iso


def test_language_of_short_or_mixed_text_is_unknown() -> None:
    assert language_of("A/80/596") is None
    assert language_of("The Advisory Committee recommends the approval of the proposal of the Secretary-General.") == "en"


def _cjk_share_per_char(text: str) -> float:
    """The definition, one character at a time (what ``cjk_share`` computes with regular expressions)."""
    from pipeline.core.text import is_cjk

    chars = [c for c in text if not c.isspace()]
    return sum(1 for c in chars if is_cjk(c)) / len(chars) if chars else 0.0


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(
    [*"ab Z9\t\n\u00a0\u2003\u3000，。、“”—…·％() ", "行", "预", "㈠", "\u3400", "\uf900", "\uff01", "\uff5e",
     "\u0627", "\u0414", "\ufb50", "\u2e80", "\u303f"])))
def test_cjk_share_counts_as_the_per_character_definition(text: str) -> None:
    from pipeline.core.text import cjk_share

    assert cjk_share(text) == _cjk_share_per_char(text)


def test_a_meeting_records_place_line_is_no_title() -> None:
    """A/48/PV.46's masthead, read column by column, ends with its place line "NEW YORK" in bold display
    type; a city alone is the meeting's place, never the record's title (the record prints none)."""
    front = read_front_page(parsed("A_48_PV.46.pdf"))
    assert (front.session, front.title) == (48, None)
