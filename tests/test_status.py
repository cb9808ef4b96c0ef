"""Status entries (extractors.status) and the status vocabulary, on real status tables."""

from __future__ import annotations

import importlib.util
import json
from dataclasses import asdict
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from extractors.apply import run_extractors
from extractors.base import ExtractionContext
from extractors.catalog import get_extractor
from extractors.lib.records import Deadline, DocumentInfo, StatusEntry
from extractors.lib.vocabulary import load_vocabulary, organization_of
from extractors.status import StatusExtractor, table_entries
from extractors.status_headings import HeadingContext
from pipeline.core.document import Cell, Line, Page, PageQuality, ParsedDocument, Table
from tests.corpus import GOLD, SHARED, parsed

# --------------------------------------------------------------------------------------------------
# Vocabulary
# --------------------------------------------------------------------------------------------------


def test_vocabulary_ships_as_package_data() -> None:
    assert resources.files("extractors").joinpath("data", "status_vocabulary.csv").is_file()
    pyproject = (Path(__file__).resolve().parent.parent / "pyproject.toml").read_text(encoding="utf-8")
    assert '"extractors" = ["data/*"]' in pyproject


def test_vocabulary_labels_are_unique() -> None:
    labels = load_vocabulary().labels
    keys = [(label.organization, label.language, label.label.casefold()) for label in labels]
    assert len(keys) == len(set(keys))
    assert {label.language for label in labels} == {"en", "zh"}


@pytest.mark.parametrize(
    ("printed", "language", "acceptance", "implementation", "raw"),
    [
        ("Accepted and implemented", "en", "accepted", "implemented", "Accepted and implemented"),
        ("Accepted and in progress", "en", "accepted", "in_progress", "Accepted and in progress"),
        ("Under consideration", "en", "under_consideration", None, "Under consideration"),
        ("Not relevant", "en", "not_relevant", "not_relevant", "Not relevant"),
        ("In progress", "en", None, "in_progress", "In progress"),
        ("Under implementation", "en", None, "in_progress", "Under implementation"),
        ("implemented.", "en", None, "implemented", "implemented"),
        ("已接受", "zh", "accepted", None, "已接受"),
        ("已接受 之前为“正在落实”", "zh", "accepted", None, "已接受"),  # a change note after the label
        ("已接受与之前状态相比无变化评估已更新", "zh", "accepted", None, "已接受"),
        ("不相关 之前为“尚未启动”", "zh", "not_relevant", "not_relevant", "不相关"),
        ("已落实", "zh", None, "implemented", "已落实"),
        ("正在落实", "zh", None, "in_progress", "正在落实"),
        ("尚未启动", "zh", None, "not_started", "尚未启动"),
    ],
)
def test_lookup(
    printed: str, language: str, acceptance: str | None, implementation: str | None, raw: str
) -> None:
    label, matched = load_vocabulary().lookup(printed, language)
    assert label is not None
    assert (label.acceptance, label.implementation, matched) == (acceptance, implementation, raw)


@pytest.mark.parametrize(
    "printed",
    [
        "Outside sole remit of UNICEF",
        "Implementation of the plan has started",
        "Accepted by the Board in 2020",
        "",
        "建议正在审查中",
    ],
)
def test_unmapped_labels_give_nothing(printed: str) -> None:
    """Never guessed: what nobody mapped stays unmapped (a remark is no status)."""
    label, _ = load_vocabulary().lookup(
        printed, "en", strict_prefix=printed.startswith(("Implementation", "Acc"))
    )
    assert label is None


def test_remarks_need_the_label_to_end_at_punctuation() -> None:
    vocabulary = load_vocabulary()
    label, raw = vocabulary.lookup(
        "Implemented. The new policy took effect in 2024.", "en", strict_prefix=True
    )
    assert label is not None and label.implementation == "implemented" and raw == "Implemented"
    assert vocabulary.lookup("Implemented policies are reviewed yearly.", "en", strict_prefix=True) == (
        None,
        None,
    )


@pytest.mark.parametrize(("remark", "language", "acceptance", "implementation"), [
    ("UNFPA agrees with this recommendation and will update the policy.", "en", "accepted", None),
    ("UNFPA concurs with the Board’s recommendation to ensure the quality of data.", "en", "accepted", None),
    ("UNFPA does not consider the recommendation relevant to its mandate.", "en", "not_relevant", "not_relevant"),
    ("The organization considers the recommendation to be implemented.", "en", "accepted", "implemented"),
    ("UNFPA welcomes the recommendation.", "en", None, None),
    ("The review started in 2024. The Executive Board agreed with the recommendation.", "en", None, None),
    ("本组织认为该建议不相关。", "zh", "not_relevant", "not_relevant"),
    ("秘书处同意这项建议，并将更新政策。", "zh", "accepted", None),
])
def test_status_stated_in_words_in_the_first_sentence_of_a_remark(
    remark: str, language: str, acceptance: str | None, implementation: str | None,
) -> None:
    vocabulary = load_vocabulary()
    stated = vocabulary.phrase(remark, language)
    assert (stated.acceptance if stated else None, stated.implementation if stated else None) == (
        acceptance, implementation)
    assert all(not label.phrase for label in vocabulary.labels)  # the store's printed labels hold no phrase


def test_vocabulary_rejects_unknown_values(tmp_path: Path) -> None:
    bad = tmp_path / "vocabulary.csv"
    bad.write_text(
        "organization,language,label,acceptance,implementation\n*,en,Done,accepted,done\n", encoding="utf-8"
    )
    with pytest.raises(ValueError, match="unknown implementation 'done'"):
        load_vocabulary(str(bad))


def test_organization_specific_labels_win(tmp_path: Path) -> None:
    path = tmp_path / "vocabulary.csv"
    path.write_text(
        "organization,language,label,acceptance,implementation\n"
        "*,en,Closed,,\n"
        "UNICEF,en,Closed,accepted,implemented\n",
        encoding="utf-8",
    )
    vocabulary = load_vocabulary(str(path))
    assert vocabulary.lookup("Closed", "en", "UNICEF")[0].implementation == "implemented"  # type: ignore[union-attr]
    assert vocabulary.lookup("Closed", "en", "UNDP")[0].implementation is None  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("symbol", "organization"),
    [
        ("E/ICEF/2025/14", "UNICEF"),
        ("DP/FPA/2025/4 (Part II)", "UNFPA"),
        ("DP/OPS/2025/6", "UNOPS"),
        ("DP/2025/12/Add.1", "UNDP"),
        ("WO/PBC/34/6", "WIPO"),
        ("A/80/596", "United Nations"),
        (None, None),
    ],
)
def test_organization_of(symbol: str | None, organization: str | None) -> None:
    assert organization_of(symbol) == organization


# --------------------------------------------------------------------------------------------------
# Entries from real documents
# --------------------------------------------------------------------------------------------------


@lru_cache(maxsize=16)
def entries(name: str) -> tuple[StatusEntry, ...]:
    extraction = run_extractors(parsed(name), [get_extractor("metadata"), get_extractor("status")])
    assert all(run.status == "ok" for run in extraction.runs), [run.error for run in extraction.runs]
    return tuple(extraction.records(StatusEntry))


def find(name: str, report: str, number: str) -> StatusEntry:
    [entry] = [e for e in entries(name) if e.report == report and e.number == number]
    return entry


def test_wipo_key_value_blocks() -> None:
    found = entries("WO_PBC_34_6.pdf")
    assert len(found) == 51
    first = find("WO_PBC_34_6.pdf", "JIU/REP/2021/6", "6")
    assert (
        first.addressee,
        first.acceptance,
        first.implementation,
        first.implementation_raw,
        first.responsible,
    ) == ("legislative_bodies", "accepted", "implemented", "已落实", "业务连续性协调员")
    assert first.page == 4


def test_wipo_not_relevant_with_empty_implementation_cell() -> None:
    """Spec: where the only status printed is 不相关, acceptance and implementation are both not_relevant."""
    entry = find("WO_PBC_34_6.pdf", "JIU/REP/2020/6", "5")
    assert (entry.acceptance, entry.implementation, entry.implementation_raw) == (
        "not_relevant",
        "not_relevant",
        None,
    )
    assert (entry.acceptance_raw, entry.previous_status) == ("不相关", "之前为“尚未启动”")  # the note kept apart
    assert entry.addressee == "executive_heads"


def test_wipo_block_split_over_pages_keeps_its_status() -> None:
    entry = find("WO_PBC_34_6.pdf", "JIU/REP/2020/2", "1")
    assert entry.text.startswith("联合国系统各组织的行政首长（如果尚未这样做）应为学习方案的效率")
    assert (entry.acceptance, entry.implementation, entry.responsible, entry.page) == (
        "accepted",
        "implemented",
        "人力部部长",
        19,
    )
    assert (entry.acceptance_raw, entry.previous_status) == ("已接受", "之前为“正在落实”")


def test_unicef_annexes() -> None:
    found = entries("E_ICEF_2025_14.pdf")
    assert len(found) == 43
    # Annex I: report and addressee from the group and sub-group headings inside the table.
    entry = find("E_ICEF_2025_14.pdf", "JIU/REP/2023/6", "4")
    assert (entry.addressee, entry.acceptance, entry.implementation, entry.implementation_raw) == (
        "legislative_bodies",
        "accepted",
        "implemented",
        "Accepted and implemented",
    )
    assert entry.text.startswith("The legislative organs and governing bodies of the United Nations system")
    assert entry.text.endswith("decision-making on flexible working arrangements management.")
    # A status nobody mapped stays null, its words kept for `unpipe status --unmapped`.
    outside = find("E_ICEF_2025_14.pdf", "JIU/REP/2024/3", "1")
    assert (outside.acceptance, outside.implementation, outside.implementation_raw) == (
        None,
        None,
        "Outside sole remit of UNICEF",
    )
    # Annex II: symbol column carried down, "(N)" numbers, accepted by the annex's scope.
    entry = find("E_ICEF_2025_14.pdf", "JIU/REP/2023/4", "3")
    assert (entry.addressee, entry.acceptance, entry.implementation, entry.page) == (
        "legislative_bodies",
        "accepted",
        "implemented",
        18,
    )
    assert entry.text.startswith("Legislative and/or governing bodies of United Nations system organizations")
    assert (
        find("E_ICEF_2025_14.pdf", "JIU/REP/2021/4", "6").report == "JIU/REP/2021/4"
    )  # footnote mark dropped


def test_unicef_recommendation_text_across_a_page_break() -> None:
    entry = find("E_ICEF_2025_14.pdf", "JIU/REP/2023/6", "2")
    assert "the effects of prolonged teleworking modalities" in entry.text
    assert entry.page == 7


def test_secretary_general_follow_up_section() -> None:
    found = entries("A_80_596.pdf")
    assert [(e.report, e.number, e.page) for e in found] == [
        ("A/RES/76/274", "17", 21),
        ("A/RES/76/274", "27", 21),
        ("A/RES/76/274", "34", 21),
        ("A/RES/76/274", "82", 22),
        ("A/79/724/Add.1", "28", 22),
    ]
    assert found[0].text.endswith("Financial Regulations and Rules of the United Nations.")
    assert all(e.acceptance is None and e.implementation is None for e in found)


def test_board_of_auditors_annex_names_its_report_in_a_footnote() -> None:
    found = entries("A_79_352.pdf")
    assert [e.report for e in found] == ["A/77/94"] * 3 + ["A/78/5 (Vol. I)"] * 2 + ["A/79/166"] * 8
    assert {(e.implementation, e.implementation_raw) for e in found} == {
        ("in_progress", "Under implementation")
    }


def test_summary_of_reports_is_not_a_status_table() -> None:
    """UNDP's annexes I, III and IV count recommendations per report; of the tables, only annex II tracks
    them. (Read on the table path alone: status stated in the body's prose is ``extractors.status_prose``'s.)"""
    doc = parsed("DP_2025_12_Add.1.pdf")
    found = list(table_entries(doc, load_vocabulary(), "en", "UNDP"))
    assert len(found) == 15
    assert {e.page for e in found} == {13, 14, 15, 16, 17}
    assert all(e.acceptance is None and e.implementation is None for e in found)
    assert find("DP_2025_12_Add.1.pdf", "JIU/REP/2023/7", "8").text.endswith("to ensure independence.")


def test_documents_without_status_tables() -> None:
    assert entries("A_80_604_Add.1.pdf") == ()
    assert entries("A_77_256_Add.1.pdf") == ()


# --------------------------------------------------------------------------------------------------
# Against the hand-checked gold records
# --------------------------------------------------------------------------------------------------


def _score_module() -> Any:
    path = SHARED / "eval" / "score.py"
    if not path.exists():
        pytest.skip("shared/eval/score.py not found")
    spec = importlib.util.spec_from_file_location("unpipe_score", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("name", ["WO_PBC_34_6", "E_ICEF_2025_14", "A_80_596"])
def test_status_entries_match_gold(name: str) -> None:
    score = _score_module()
    gold = json.loads((GOLD / f"{name}.json").read_text(encoding="utf-8"))
    predicted = [asdict(e) for e in entries(f"{name}.pdf")]
    tally = score.Tally()
    log: list[str] = []
    score.score_items("status", gold["status_entries"], predicted, tally, log, name)
    figures = score.summary(tally)
    assert figures["status.f1"] >= 0.95, log
    for field in ("acceptance", "implementation", "text", "addressee"):
        assert figures.get(f"status.{field}", 1.0) >= 0.95, log
    # The scorer pairs leftovers by text, so a wrong report symbol can still score: check the keys.
    keys = sorted((e["report"], e["number"]) for e in predicted)
    assert keys == sorted((g["report"], g["number"]) for g in gold["status_entries"])


def test_action_plan_dates_are_each_rows_due() -> None:
    """A/76/644 annex II (项目 | 活动 | 实施日期 | 状态): the 实施日期 cell is the row's due, a span of
    years due at its end; a date cell that gives no date ("正在执行") leaves due null, whatever the
    activity's text says; the headings repeated on each page are no row, and item 14's text, cut by a
    page break, stays one entry."""
    found = {e.number: e for e in entries("A_76_644.pdf") if e.report is None}
    assert sorted(found, key=int) == [str(n) for n in range(1, 15)]
    assert (found["2"].due, found["9"].due) == (
        Deadline(text="2018-2021年", kind="year", date="2021-12-31"),
        Deadline(text="2019 年 3 月", kind="month", date="2019-03-31"),
    )
    assert found["14"].due is None
    assert found["14"].text == "将于 2021年底对此行动计划的成果进行独立评价，以评估成果管理制的实施情况并为其未来发展制定进一步行动"
    assert (found["1"].implementation, found["1"].implementation_raw, found["1"].remarks) == (
        "implemented", "已完成", "(A/73/688 和 A/73/688/Corr.1)")


def test_previous_status_note_is_kept_apart() -> None:
    entry = find("WO_PBC_34_6.pdf", "JIU/REP/2020/6", "1")
    assert (entry.acceptance, entry.acceptance_raw, entry.previous_status) == ("accepted", "已接受", "之前为“正在落实”")


# --------------------------------------------------------------------------------------------------
# Layouts the corpus lacks, built as parsed pages (cells with their boxes)
# --------------------------------------------------------------------------------------------------


def _page(number: int, lines: list[Line], tables: list[Table]) -> Page:
    return Page(number=number, width=612, height=792, lines=lines, tables=tables, quality=PageQuality())


def _line(text: str, top: float, bold: float = 1.0) -> Line:
    return Line(text=text, bbox=(60, top, 550, top + 12), size=12, bold=bold)


def _table(page: int, top: float, columns: list[tuple[float, float]], rows: list[list[str | None]]) -> Table:
    """Row 0 is the header; ``None`` continues the cell to its left (a heading across the columns)."""
    built: list[list[Cell | None]] = []
    y = top
    for row in rows:
        cells: list[Cell | None] = []
        for col, text in enumerate(row):
            if text is None:
                cells.append(None)
                continue
            right = col
            while right + 1 < len(row) and row[right + 1] is None:
                right += 1
            cells.append(Cell(text=text, bbox=(columns[col][0], y, columns[right][1], y + 30)))
        built.append(cells)
        y += 34
    return Table(
        page=page, bbox=(columns[0][0], top, columns[-1][1], y), rows=built, strategy="rules", header_rows=1
    )


def _extract(doc: ParsedDocument, language: str) -> list[StatusEntry]:
    context = ExtractionContext(document=DocumentInfo(language=language))
    return [r for r in StatusExtractor().extract(doc, context) if isinstance(r, StatusEntry)]


def test_budget_fascicle_follow_up_annex() -> None:
    """Annex "Summary of follow-up action taken to implement relevant recommendations of the oversight
    bodies": groups by body, the report as a sub-heading or inside the paragraph reference."""
    two = [(60.0, 300.0), (310.0, 550.0)]
    table = _table(
        3,
        150,
        two,
        [
            ["Brief description of the recommendation", "Action taken to implement the recommendation"],
            ["Advisory Committee on Administrative and Budgetary Questions", None],
            ["A/78/7", None],
            [
                "The Advisory Committee recommends that the General Assembly request the Secretary-General to present "
                "a review of the structure of the Department (para. IV.12).",
                "The review is presented in paragraphs 3.14 to 3.20 of the present report.",
            ],
            ["Board of Auditors", None],
            ["A/78/5 (Vol. I), chap. II", None],
            [
                "The Board recommended that the Administration update its procurement manual (para. 120).",
                "Implemented. The manual was issued in March 2025.",
            ],
            ["Office of Internal Oversight Services", None],
            [
                "OIOS recommended that the Department develop a risk register (A/78/64, para. 33).",
                "Under implementation.",
            ],
        ],
    )
    lines = [
        _line("Annex II", 80),
        _line(
            "Summary of follow-up action taken to implement relevant recommendations of the oversight bodies",
            100,
        ),
    ]
    doc = ParsedDocument(
        file_name="x.pdf", sha256="0", pages=[_page(3, lines, [table])], paragraphs=[], parser_version="test"
    )
    found = [
        (e.report, e.number, e.acceptance, e.implementation, e.implementation_raw)
        for e in _extract(doc, "en")
    ]
    assert found == [
        ("A/78/7", "IV.12", None, None, None),
        ("A/78/5 (Vol. I)", "120", None, "implemented", "Implemented"),
        ("A/78/64", "33", None, "in_progress", "Under implementation"),
    ]


def test_chinese_action_plan_with_status_column() -> None:
    """行动计划：项目 | 活动 | 实施日期 | 状态 — the item number, the activity, its date, its status."""
    four = [(60.0, 100.0), (110.0, 330.0), (340.0, 440.0), (450.0, 550.0)]
    table = _table(
        2,
        150,
        four,
        [
            ["项目", "活动", "实施日期", "状态"],
            ["1", "修订采购手册，纳入环境可持续性标准", "2025 年 12 月", "已完成"],
            ["2", "为采购人员举办培训", "2026 年 6 月", "正在执行"],
            ["3", "建立供应商绩效数据库", "2026 年 12 月", "尚未启动"],
        ],
    )
    doc = ParsedDocument(
        file_name="y.pdf",
        sha256="0",
        pages=[_page(2, [_line("行动计划", 100)], [table])],
        paragraphs=[],
        parser_version="test",
    )
    found = _extract(doc, "zh")
    assert [(e.number, e.text, e.implementation, e.implementation_raw) for e in found] == [
        ("1", "修订采购手册，纳入环境可持续性标准", "implemented", "已完成"),
        ("2", "为采购人员举办培训", "in_progress", "正在执行"),
        ("3", "建立供应商绩效数据库", "not_started", "尚未启动"),
    ]
    assert found[0].report is None  # the document's own actions
    assert found[0].due is not None and found[0].due.date == "2025-12-31"


def test_headings_in_plain_type_still_name_the_columns() -> None:
    """A grid whose first row was not marked as headings (no bold or italic) is read by its words."""
    three = [(60.0, 120.0), (130.0, 420.0), (430.0, 550.0)]
    table = _table(
        1,
        150,
        three,
        [
            ["Report", "Recommendation", "Status"],
            [
                "JIU/REP/2022/2",
                "Recommendation 3: Executive heads should review their policies by the end of 2023.",
                "Implemented",
            ],
            ["", "Recommendation 4: Executive heads should report on the review.", "Not implemented"],
        ],
    )
    table.header_rows = 0
    doc = ParsedDocument(
        file_name="z.pdf", sha256="0", pages=[_page(1, [], [table])], paragraphs=[], parser_version="test"
    )
    found = _extract(doc, "en")
    assert [(e.report, e.number, e.implementation, e.text) for e in found] == [
        (
            "JIU/REP/2022/2",
            "3",
            "implemented",
            "Executive heads should review their policies by the end of 2023.",
        ),
        ("JIU/REP/2022/2", "4", "not_implemented", "Executive heads should report on the review."),
    ]
    assert found[0].due is not None and found[0].due.date == "2023-12-31"


# --------------------------------------------------------------------------------------------------
# The vocabulary in the store, and an analyst's extension of it
# --------------------------------------------------------------------------------------------------


def test_store_holds_the_vocabulary_and_an_analysts_extra_labels(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy import select

    from extractors.lib.vocabulary import current_vocabulary
    from models import StatusLabel as LabelRow
    from pipeline.core.settings import get_settings
    from pipeline.store.db import session_scope
    from pipeline.store.vocabulary import sync_vocabulary
    from tests.databases import migrated_engine

    extra = tmp_path / "labels.csv"
    extra.write_text(
        "organization,language,label,acceptance,implementation\nWIPO,zh,已部分落实,accepted,in_progress\n",
        encoding="utf-8",
    )
    with migrated_engine("sqlite", tmp_path) as engine:
        assert sync_vocabulary(engine, current_vocabulary()) is True
        assert sync_vocabulary(engine, current_vocabulary()) is False  # idempotent
        with session_scope(engine) as session:
            shipped = session.scalars(select(LabelRow)).all()
        assert len(shipped) == len(load_vocabulary().labels)
        assert not any(row.label == "已部分落实" for row in shipped)

        monkeypatch.setenv("UNPIPE_STATUS_VOCABULARY_FILE", str(extra))
        get_settings.cache_clear()
        try:
            vocabulary = current_vocabulary()
            assert vocabulary.lookup("已部分落实", "zh", "WIPO")[0] is not None
            assert sync_vocabulary(engine, vocabulary) is True
            with session_scope(engine) as session:
                added = session.scalars(select(LabelRow).where(LabelRow.label == "已部分落实")).one()
            assert (added.organization, added.acceptance, added.implementation) == (
                "WIPO",
                "accepted",
                "in_progress",
            )
        finally:
            get_settings.cache_clear()


def test_status_in_words_addressee_from_annex_heading_and_other_bodies_rows() -> None:
    """A Remarks cell that states the status only in words; the addressee given once by the annex heading;
    Board of Auditors rows under a JIU table keep their own (missing) numbers and are never merged."""
    two = [(60.0, 300.0), (310.0, 550.0)]
    table = _table(2, 150, two, [
        ["Recommendation", "Remarks"],
        ["Recommendation 1: The Executive Board should review the policy.",
         "UNFPA does not consider the recommendation relevant to its mandate."],
        ["Recommendation 2: The Executive Board should approve the charter.",
         "UNFPA considers the recommendation to be implemented."],
        ["Board of Auditors", None],
        ["Review the vendor policy.", "Under consideration."],
        ["Update the travel guidance.", "Implemented."],
    ])
    doc = ParsedDocument(file_name="z.pdf", sha256="0", parser_version="test", paragraphs=[], pages=[
        _page(2, [_line("Annex II: JIU recommendations directed to the Executive Board as the legislative body", 100)],
              [table])])
    found = _extract(doc, "en")
    assert [(e.number, e.addressee, e.acceptance, e.implementation) for e in found] == [
        ("1", "legislative_bodies", "not_relevant", "not_relevant"),
        ("2", "legislative_bodies", "accepted", "implemented"),
        (None, "legislative_bodies", "under_consideration", None),
        (None, "legislative_bodies", None, "implemented"),
    ]
    assert found[0].remarks == "UNFPA does not consider the recommendation relevant to its mandate."


def test_action_plan_rows_track_the_recommendation_above_them() -> None:
    """Key action | Time frame | Responsible | Status | Comments under "Recommendation 2": each action is an
    entry of recommendation 2, its time frame the due date; an empty status cell stays null."""
    five = [(60.0, 200.0), (210.0, 280.0), (290.0, 360.0), (370.0, 440.0), (450.0, 550.0)]
    table = _table(2, 200, five, [
        ["Key action", "Time frame", "Responsible", "Status", "Comments"],
        ["Revise the procurement manual", "First quarter of 2025", "Procurement Division", "Completed",
         "Issued in March."],
        ["Train procurement staff", "Q2 2025", "Human Resources", "", "Planned."],
    ])
    doc = ParsedDocument(file_name="p.pdf", sha256="0", parser_version="test", paragraphs=[], pages=[_page(2, [
        _line("Review of procurement (JIU/REP/2024/3)", 100),
        _line("Recommendation 2: The executive heads should revise their procurement manuals.", 150),
    ], [table])])
    found = _extract(doc, "en")
    assert [(e.report, e.number, e.text, e.implementation, e.due.date if e.due else None) for e in found] == [
        ("JIU/REP/2024/3", "2", "Revise the procurement manual", "implemented", "2025-03-31"),
        ("JIU/REP/2024/3", "2", "Train procurement staff", None, "2025-06-30"),
    ]
    assert [e.remarks for e in found] == ["Issued in March.", "Planned."]


@pytest.mark.parametrize(("heading", "addressee"), [
    ("Annex IV-A. Recommendations of the Joint Inspection Unit addressed to the Executive Board", "legislative_bodies"),
    ("Annex II: JIU recommendations directed to the Executive Board as the legislative body", "legislative_bodies"),
    ("Recommendations for consideration by the Executive Board", "legislative_bodies"),
    ("Recommendations addressed to the executive head", "executive_heads"),
    ("附件二：向执行局作为立法机构提出的联检组建议", "legislative_bodies"),
    ("供执行局审议的建议", "legislative_bodies"),
])
def test_addressee_given_once_by_the_heading(heading: str, addressee: str) -> None:
    context = HeadingContext()
    context.read(heading, bold=True)
    assert context.addressee == addressee
