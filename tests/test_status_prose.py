"""Status stated in prose (extractors.status_prose): "Recommendation N. … This recommendation is fully
accepted and in progress." — one entry per recommendation, linked to an annex row for the same one."""

from __future__ import annotations

from functools import lru_cache

import pytest

from extractors.apply import run_extractors
from extractors.base import ExtractionContext
from extractors.catalog import get_extractor
from extractors.lib.records import DocumentInfo, StatusEntry
from extractors.status import StatusExtractor
from pipeline.core.document import Paragraph, ParsedDocument
from tests.corpus import parsed

REPORT = "DP_FPA_2025_4_Part_II.pdf"


@lru_cache(maxsize=4)
def entries(name: str) -> tuple[StatusEntry, ...]:
    extraction = run_extractors(parsed(name), [get_extractor("metadata"), get_extractor("status")])
    assert all(run.status == "ok" for run in extraction.runs), [run.error for run in extraction.runs]
    return tuple(extraction.records(StatusEntry))


def _row(entry: StatusEntry) -> tuple[str | None, ...]:
    return (entry.report, entry.number, entry.addressee, entry.acceptance, entry.implementation,
            entry.implementation_raw)


def test_prose_paragraphs_of_a_jiu_status_report() -> None:
    """UNFPA's report on JIU recommendations, p. 3: one paragraph per recommendation under
    "Detailed recommendations: (JIU/REP/2023/6)"; the status sentence gives acceptance and progress."""
    found = [e for e in entries(REPORT) if e.report == "JIU/REP/2023/6"]
    assert [_row(e) for e in found if e.number != "4"] == [
        ("JIU/REP/2023/6", "1", "executive_heads", "accepted", "in_progress",
         "This recommendation is fully accepted and in progress."),
        ("JIU/REP/2023/6", "2", "executive_heads", "accepted", "in_progress",
         "This recommendation is fully accepted and actively implemented."),
        ("JIU/REP/2023/6", "3", "executive_heads", "accepted", "in_progress",
         "UNFPA fully accepts this recommendation and has made significant progress."),
        ("JIU/REP/2023/6", "5", "executive_heads", "accepted", "in_progress",
         "This recommendation is accepted, and implementation is underway."),
        ("JIU/REP/2023/6", "6", "executive_heads", "accepted", "in_progress",
         "This recommendation is fully accepted and in progress."),
    ]
    first = next(e for e in found if e.number == "1")
    assert first.text == ("UNFPA has updated its policies to ensure clarity in defining flexible working "
                          "arrangements, distinguishing between remote work and teleworking.")
    assert first.page == 3


def test_acceptance_in_the_body_joins_the_annex_row() -> None:
    """Recommendation 4 is detailed in the body ("addressed to legislative bodies … This recommendation is
    accepted.") and listed again in annex IV with the JIU's own text: one entry, the annex text, the
    body's acceptance; the sentence states no progress, so implementation stays null."""
    [entry] = [e for e in entries(REPORT) if (e.report, e.number) == ("JIU/REP/2023/6", "4")]
    assert _row(entry) == ("JIU/REP/2023/6", "4", "legislative_bodies", "accepted", None,
                           "This recommendation is accepted.")
    assert entry.text.startswith("The legislative organs and governing bodies of the United Nations system "
                                 "organizations should request, by the end of 2025,")
    assert entry.remarks is not None and entry.remarks.startswith("UNFPA commits to providing periodic updates")
    keys = [(e.report, e.number) for e in entries(REPORT)]
    assert len(keys) == len(set(keys)) == 28  # annex I: 28 relevant recommendations, each listed once


def test_annex_intro_sentence_gives_the_addressee() -> None:
    """Annex IV-A has no addressee heading, only "This special annex IV-A provides an overview of JIU
    recommendations addressed to the Executive Boards …": every row is the legislative bodies'."""
    rows = [e for e in entries(REPORT) if e.report == "JIU/REP/2023/7"]
    assert [e.number for e in rows] == [str(n) for n in range(1, 11)]
    assert {e.addressee for e in rows} == {"legislative_bodies"}
    assert {(e.acceptance, e.implementation) for e in rows} == {(None, None)}  # no status printed per row


def _doc(paragraphs: list[tuple[str, float]], lang: str) -> ParsedDocument:
    built = [Paragraph(text=text, page=1, bbox=(60, 100 + 20 * i, 550, 115 + 20 * i), bold=bold)
             for i, (text, bold) in enumerate(paragraphs)]
    return ParsedDocument("t.pdf", "0" * 64, [], built, "test", language_hint=lang)


def _prose(doc: ParsedDocument, lang: str, kind: str = "status_report") -> list[StatusEntry]:
    context = ExtractionContext(document=DocumentInfo(  # type: ignore[arg-type]
        symbol="DP/FPA/2025/4 (Part II)", language=lang, kind=kind))
    return [r for r in StatusExtractor().extract(doc, context) if isinstance(r, StatusEntry)]


CHINESE = [
    ("详细建议：（JIU/REP/2023/6）", 1.0),
    ("建议 1。人口基金已更新其政策，明确界定灵活工作安排，区分远程工作和远距离办公。该建议已被接受，正在落实。", 0.0),
    ("DP/FPA/2025/4 (Part II)", 1.0),  # the running head over a page break names no tracked report
    ("建议 2（向立法机构提出）。人口基金承诺定期向执行局提供最新情况。该建议已获接受。", 0.0),
    ("建议 3。人口基金已将灵活工作安排纳入 2030 年人事战略。这项建议已接受，已落实。", 0.0),
    ("建议 4。人口基金将审查其准则。这项建议部分接受，尚未启动。", 0.0),
    ("建议 5。人口基金认为现行政策已足够。人口基金不接受该建议。", 0.0),
    ("建议 6。人口基金将在下一个战略计划中考虑这一问题。", 0.0),  # no status sentence: no entry
]


def test_chinese_status_sentences() -> None:
    found = _prose(_doc(CHINESE, "zh"), "zh")
    assert [_row(e) for e in found] == [
        ("JIU/REP/2023/6", "1", "executive_heads", "accepted", "in_progress", "该建议已被接受，正在落实。"),
        ("JIU/REP/2023/6", "2", "legislative_bodies", "accepted", None, "该建议已获接受。"),
        ("JIU/REP/2023/6", "3", "executive_heads", "accepted", "implemented", "这项建议已接受，已落实。"),
        ("JIU/REP/2023/6", "4", "executive_heads", "partially_accepted", "not_started", "这项建议部分接受，尚未启动。"),
        ("JIU/REP/2023/6", "5", "executive_heads", "not_accepted", None, "人口基金不接受该建议。"),
    ]
    assert found[0].text == "人口基金已更新其政策，明确界定灵活工作安排，区分远程工作和远距离办公。"


@pytest.mark.parametrize("kind", ["sg_note", "jiu_report", "other"])
def test_prose_read_only_in_status_reports(kind: str) -> None:
    """In a note transmitting comments, "Organizations accept this recommendation" is a response to a
    recommendation, not a tracked status."""
    doc = _doc([("Review of flexible working (JIU/REP/2023/6)", 1.0),
                ("Recommendation 1. Organizations note that this is under way. This recommendation is accepted.",
                 0.0)], "en")
    assert _prose(doc, "en", kind) == []
    assert [e.number for e in _prose(doc, "en")] == ["1"]
