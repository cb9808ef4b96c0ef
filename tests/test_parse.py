"""The parse stage on real corpus PDFs, Chinese and English: exact expectations."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.core.document import ParsedDocument
from pipeline.core.text import is_cjk, normalize_text
from pipeline.parse.paragraphs import split_number
from tests.corpus import parsed

EN = "A_80_604_Add.1.pdf"
ZH = "A_77_256_Add.1.pdf"


def body_numbers(doc: ParsedDocument) -> list[str]:
    return [
        p.number for p in doc.paragraphs if p.role == "body" and p.number and re.fullmatch(r"\d+\.", p.number)
    ]


def test_chinese_text_has_no_spaces_between_cjk_characters() -> None:
    doc = parsed(ZH)
    assert doc.language_hint == "zh"
    first = next(p for p in doc.paragraphs if p.number == "1.")
    # pdfplumber gives "1. 联合 检查 组在 题为 “联 合国 系统…" for this line.
    assert first.text.startswith(
        "联合检查组在题为“联合国系统各组织的业务连续性管理”的报告中(A/77/256)进行了一次审查"
    )
    for paragraph in doc.paragraphs:
        assert not re.search(r"[\u4e00-\u9fff] [\u4e00-\u9fff，。、]", paragraph.text), paragraph.text


def test_udhr_text_layer_with_spaced_characters_is_joined() -> None:
    doc = parsed("UDHR_zh.pdf")
    assert any(p.text.startswith("第一条人人生而自由") for p in doc.paragraphs)


def test_running_headers_footers_and_masthead_are_not_body_text() -> None:
    doc = parsed(EN)
    body = doc.text
    assert "26-04887" not in body  # job number footer
    assert "*2604887*" not in body  # barcode
    assert not re.search(r"^\d+/13\b", body, re.MULTILINE)  # page number "2/13"
    assert "A/80/604/Add.1" not in body.splitlines()  # running header
    roles = {line.role for page in doc.pages for line in page.lines}
    assert {"header", "footer", "masthead", "body", "footnote"} <= roles
    masthead = " ".join(ln.text for ln in doc.pages[0].lines if ln.role == "masthead")
    assert "Distr.: General" in masthead and "7 April 2026" in masthead


def test_annex_page_numbers_are_running_headers() -> None:
    doc = parsed("WO_PBC_34_6.pdf")
    assert [ln.text for ln in doc.pages[5].lines if ln.role == "header"] == ["WO/PBC/34/6", "附件一，第 3 页"]
    assert not re.search(r"附件[一二三]，第 \d+ 页", doc.text)


def test_paragraph_numbers_are_split_off_and_complete() -> None:
    numbers = body_numbers(parsed(EN))
    paragraph_numbers = [n for n in numbers if int(n[:-1]) <= 44]
    for expected in range(1, 45):
        assert f"{expected}." in paragraph_numbers
    zh_numbers = body_numbers(parsed(ZH))
    assert zh_numbers == [f"{n}." for n in range(1, 18)]
    headings = [p.number for p in parsed(ZH).paragraphs if p.number and not p.number[0].isdigit()]
    assert headings == ["一.", "二.", "三."]


def test_paragraph_continues_across_a_page_break() -> None:
    doc = parsed(EN)
    para5 = next(p for p in doc.paragraphs if p.number == "5.")
    assert (para5.page, para5.end_page) == (2, 3)
    assert para5.text.startswith("The unencumbered balance, in gross terms, amounts to $871,600")
    assert para5.text.endswith("implementation of mandates (see para. 43 below).")


def test_footnotes_are_kept_apart_from_the_paragraph_they_interrupt() -> None:
    doc = parsed(ZH)
    footnotes = [p.text for p in doc.paragraphs if p.role == "footnote"]
    assert "1 A/76/607。" in footnotes
    para12 = next(p for p in doc.paragraphs if p.number == "12.")
    assert "A/76/607" not in para12.text
    assert para12.text.endswith("而额外提交报告会重复这项工作。")


@pytest.mark.parametrize("name", ["A_45_189_1990_scan.pdf", "S_PV.492_1950_scan.pdf"])
def test_ocr_scans_are_flagged_scanned(name: str) -> None:
    assert "scanned" in parsed(name).quality_flags


def test_typeset_documents_carry_no_quality_flags() -> None:
    assert parsed(EN).quality_flags == []
    assert parsed(ZH).quality_flags == []


def test_an_old_typeset_record_is_not_taken_for_a_scan() -> None:
    """A/48/PV.46 (1993) has no page image: its pages are text in base-14 Times set by Acrobat Distiller
    2.1, and its only image is the UN emblem on page 1, drawn as thin strips (the corpus's SOURCES.tsv
    lists it as a plain meeting record, the two scans as scanned). Flagging it would take a rule keyed to
    the file, so it stays unflagged."""
    doc = parsed("A_48_PV.46.pdf")
    assert doc.quality_flags == []
    assert max(page.quality.image_area_share for page in doc.pages) < 0.01


def test_two_column_verbatim_record_is_read_column_by_column() -> None:
    doc = parsed("A_48_PV.46.pdf")
    texts = [p.text for p in doc.paragraphs]
    assert "REPORT OF THE INTERNATIONAL ATOMIC ENERGY AGENCY" in texts
    # From page 2 on the two columns share baselines, so pdfplumber reads each pair of lines as one.
    assert (
        "These inspections are essential to give the international community confidence that the declared "
        "nuclear facilities of the Democratic People’s Republic of Korea are being used exclusively for "
        "peaceful purposes." in " ".join(texts)
    )
    # A paragraph that runs from the foot of the left column to the head of the right one is one paragraph.
    latin_america = next(t for t in texts if t.startswith("The United States welcomes the stabilizing effect"))
    assert "We look forward to the early entry into force of the quadripartite safeguards agreement" in latin_america


def test_running_headers_the_patterns_do_not_know_are_found_by_repetition() -> None:
    """The record's running headers ("2 General Assembly - Forty-eighth session", "46th meeting - Monday,
    1 November 1993 3") name no symbol; they repeat at the same height on every other page."""
    doc = parsed("A_48_PV.46.pdf")
    headers = [line.text for page in doc.pages for line in page.lines if line.role == "header"]
    assert len([h for h in headers if h.endswith("General Assembly - Forty-eighth session")]) == 14  # even pages
    assert len([h for h in headers if h.startswith("46th meeting - Monday, 1 November 1993")]) == 13  # odd pages from 3
    assert not any("Forty-eighth session" in p.text or "46th meeting" in p.text for p in doc.paragraphs)


def test_layout_round_trips_through_its_stored_form() -> None:
    doc = parsed(ZH)
    again = ParsedDocument.from_bytes(doc.to_bytes())
    assert again == doc


@pytest.mark.parametrize(
    ("line", "number", "rest"),
    [
        ("12. The Advisory Committee recommends", "12.", "The Advisory Committee recommends"),
        ("(a) To take note", "(a)", "To take note"),
        ("㈠ 导言", "㈠", "导言"),
        ("二. 一般性评论", "二.", "一般性评论"),
        ("II. Budget performance", "II.", "Budget performance"),
        ("2.16 The programme", "2.16", "The programme"),
        ("2025. A total allotment", None, "2025. A total allotment"),
        ("建议 1", None, "建议 1"),
    ],
)
def test_split_number(line: str, number: str | None, rest: str) -> None:
    assert split_number(line) == (number, rest)


@given(st.text())
def test_normalize_is_idempotent_and_keeps_every_cjk_character(text: str) -> None:
    once = normalize_text(text)
    assert normalize_text(once) == once
    cjk_in = [c for c in __import__("unicodedata").normalize("NFC", text) if is_cjk(c) and not c.isspace()]
    cjk_out = [c for c in once if is_cjk(c) and not c.isspace()]
    assert cjk_in == cjk_out


@pytest.mark.parametrize(
    ("previous", "following", "joined"),
    [
        ("the roles and", "‘three lines of defense’ model", "the roles and ‘three lines of defense’ model"),
        ("the ‘three lines of defense’", "model", "the ‘three lines of defense’ model"),
        ("题为", "“联合国系统各组织的业务连续性管理”的报告", "题为“联合国系统各组织的业务连续性管理”的报告"),
        ("“联合国系统各组织的业务连续性管理”", "的报告", "“联合国系统各组织的业务连续性管理”的报告"),
        ("在", "2023年底前", "在2023年底前"),
        ("health-", "related", "health-related"),
    ],
)
def test_lines_join_by_the_script_beside_a_curly_quote(previous: str, following: str, joined: str) -> None:
    """Curly quotes are set in Chinese and English text alike: they decide nothing by themselves."""
    from pipeline.core.text import join_lines

    assert join_lines(previous, following) == joined
