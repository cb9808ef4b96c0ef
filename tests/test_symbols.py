"""UN document symbols and resolution citations in English and Chinese text (extractors/symbols.py)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from extractors.lib.symbols import (
    column_organ,
    find_citations,
    find_document_symbols,
    find_listed_resolutions,
    find_references,
    find_tabled_resolutions,
    join_broken_symbol,
    listing_organ,
    normalize_symbol,
    prepare,
    resolution_symbols,
)

# (printed symbol, canonical form or None when it is no UN symbol)
NORMALISE = [
    ("A/80/604/Add.1", "A/80/604/Add.1"),
    ("A/80/604/Add.1*", "A/80/604/Add.1"),
    ("A/81/6 (Sect. 2)/Part A*", "A/81/6 (Sect. 2)/Part A"),
    ("JIU/REP/2025/1 [Expanded report]", "JIU/REP/2025/1"),
    ("JIU/REP/2024/3 Part I", "JIU/REP/2024/3"),
    ("JIU/REP/2024/3 (Part II)", "JIU/REP/2024/3"),
    ("A/76/281 (Part I)", "A/76/281 (Part I)"),
    ("A/80/5(Vol.II)", "A/80/5 (Vol. II)"),
    ("A/80/5 (Vol. II)", "A/80/5 (Vol. II)"),
    ("A/80/596 (advance version)", "A/80/596"),
    ("A / 80 / 596", "A/80/596"),
    ("A/80/604/Add. 1", "A/80/604/Add.1"),
    ("DP/FPA-ICEF-UNW/2020/1", "DP/FPA-ICEF-UNW/2020/1"),
    ("DP/FPA/2025/4 (Part II)", "DP/FPA/2025/4 (Part II)"),
    ("JIU/NOTE/2022/1/Rev.1", "JIU/NOTE/2022/1/Rev.1"),
    ("A/520/Rev.21", "A/520/Rev.21"),
    ("S/96/Rev.7", "S/96/Rev.7"),
    ("S/PV.10100", "S/PV.10100"),
    ("A/C.5/80/L.1", "A/C.5/80/L.1"),
    ("A/80/275-S/2025/491", "A/80/275-S/2025/491"),
    ("WO/PBC/34/6", "WO/PBC/34/6"),
    # other UN-system bodies, with a Roman session component
    ("UNEP/GCSS.VII/6", "UNEP/GCSS.VII/6"),
    ("TD/B/C.I/CLP/37", "TD/B/C.I/CLP/37"),
    ("CEB/2014/HLCM/17/Rev.1", "CEB/2014/HLCM/17/Rev.1"),
    ("ICCD/COP(16)/2", "ICCD/COP(16)/2"),  # a conference's session in brackets
    ("WFP/EB.A/2024/5-B", "WFP/EB.A/2024/5-B"),  # a board's session letter, a lettered item
    ("IDB.52/2", "IDB.52/2"),  # a governing body's numbered session as the series
    ("GB.347/PFA/1", "GB.347/PFA/1"),
    ("No.5/2", None),
    # compound symbols
    ("A/74/73/Add.1", "A/74/73/Add.1"),
    ("E/2019/14/Add.1", "E/2019/14/Add.1"),
    ("A/76/6 (Sect. 3)/Add.2", "A/76/6 (Sect. 3)/Add.2"),
    ("A/76/6(Sect.3)/Add.2", "A/76/6 (Sect. 3)/Add.2"),
    ("Ａ/７７/２５６/Ａｄｄ.１", "A/77/256/Add.1"),
    ("A／77／256", "A/77/256"),
    ("PROCEDURE/DHR/2022/003", None),  # internal code: UN symbols never zero-pad numbers
    ("POLICY/OED/2024//001", None),
    ("HIV/AIDS", None),
    ("UNDP/UNFPA/UNOPS", None),
    ("A/4", None),
]


@pytest.mark.parametrize(("printed", "expected"), NORMALISE)
def test_normalize_symbol(printed: str, expected: str | None) -> None:
    assert normalize_symbol(printed) == expected


# (running text, the symbols it cites, in text order)
CITATIONS = [
    # English: documents
    ("the report of the Secretary-General (A/80/596 (advance version)).", ["A/80/596"]),
    ("the Board of Auditors (A/80/5 (Vol. II), chap. II)", ["A/80/5 (Vol. II)"]),
    ("see A/71/818 and A/71/818/Corr.1", ["A/71/818", "A/71/818/Corr.1"]),
    ("as listed in ST/SGB/2015/3.", ["ST/SGB/2015/3"]),
    ("policy (DP/FPA-ICEF-UNW/2020/1)) which", ["DP/FPA-ICEF-UNW/2020/1"]),
    ("(JIU/REP/2024/3 Part I) (JIU/REP/2024/3 Part II)", ["JIU/REP/2024/3", "JIU/REP/2024/3"]),
    ("arrangements (PROCEDURE/DHR/2022/003 v. 4 February 2025)", []),
    ("framework (POLICY/OED/2024//001) effective", []),
    ("JIU/REP/2021/4 1 (6) Incorporate", ["JIU/REP/2021/4"]),
    ("available at https://undocs.org/en/A/76/607.", ["A/76/607"]),
    ("the Executive Boards of UNDP/UNFPA/UNOPS, UNICEF", []),
    ("(A/71/818 and Corr.1)", ["A/71/818", "A/71/818/Corr.1"]),
    ("A/79/724/Add.1 and Add.2", ["A/79/724/Add.1", "A/79/724/Add.2"]),
    ("A/80/7/Add.__ Report of the Advisory Committee", []),  # a placeholder, not a symbol
    ("IAEA resolution GC(XXXVII)/RES/624 of 1 October 1993", []),
    # English: resolutions
    ("in its resolution 73/279 B, the Assembly", ["A/RES/73/279 B"]),
    ("General Assembly resolution 74/261 A–C", ["A/RES/74/261 A", "A/RES/74/261 B", "A/RES/74/261 C"]),
    ("by its resolution 174 (II) of 21 November 1947", ["A/RES/174 (II)"]),
    ("in its resolutions 76/274 and 79/307,", ["A/RES/76/274", "A/RES/79/307"]),
    ("resolutions 72/266 A, 73/281 and 74/271", ["A/RES/72/266 A", "A/RES/73/281", "A/RES/74/271"]),
    ("Economic and Social Council resolution 2025/25", ["E/RES/2025/25"]),
    ("authorized by the Council in its resolution 2811 (2025), by which", ["S/RES/2811 (2025)"]),
    ("in its resolutions 2737 (2024) and 2766 (2024).", ["S/RES/2737 (2024)", "S/RES/2766 (2024)"]),
    ("the Human Rights Council, in its resolution 5/1,", ["A/HRC/RES/5/1"]),
    ("resolution ES-11/1 on aggression", ["A/RES/ES-11/1"]),
    ("1 Resolution 31/192, annex.", ["A/RES/31/192"]),
    ("in its decision 74/550 B, the Assembly", []),
    # A/RES/78/276, preamble: each listed resolution is followed by its date
    ("in particular resolutions 31/192 of 22 December 1976, 50/233 of 7 June 1996, 54/16 of 29 October 1999, "
     "57/284 A and B of 20 December 2002, 76/261 of 13 April 2022 and 77/279 of 18 April 2023,",
     ["A/RES/31/192", "A/RES/50/233", "A/RES/54/16", "A/RES/57/284 A", "A/RES/57/284 B", "A/RES/76/261",
      "A/RES/77/279"]),
    ("resolution 2719 (2023) of 21 December 2023 and the report", ["S/RES/2719 (2023)"]),
    # A/80/150, items 69 (a) and 70: an old-style resolution's part printed before its session
    ("(a) Implementation of human rights instruments (resolutions 2200 A (XXI), 39/46, 68/268, 77/209 and 78/195);",
     ["A/RES/2200 (XXI) A", "A/RES/39/46", "A/RES/68/268", "A/RES/77/209", "A/RES/78/195"]),
    ("related intolerance (resolutions 2106 A (XX), 3381 (XXX) and 79/161);",
     ["A/RES/2106 (XX) A", "A/RES/3381 (XXX)", "A/RES/79/161"]),
    # A/80/275, p. 6: a Security Council resolution cited bare, its year in brackets
    ("Most recently, resolution 2740 (2024) continued the Mechanism’s mandate until 30 June 2026.",
     ["S/RES/2740 (2024)"]),
    # A/48/PV.46, p. 2
    ("under Security Council resolution 715 (1991), to accept long-term monitoring", ["S/RES/715 (1991)"]),
    ("The Assembly welcomed resolution 2719 (2023) of the Security Council", ["S/RES/2719 (2023)"]),
    # A/76/PV.102: a draft decision is a document; "decision 74/550 B" (above) is not
    ("draft decision A/76/L.79", ["A/76/L.79"]),
    ("established by decision 2024/12 of the UNDP/UNFPA/UNOPS Executive Board", []),
    ("draft resolution A/C.5/80/L.1", ["A/C.5/80/L.1"]),
    ("General Assembly resolutions on multilingualism (50/11, the most recent being 78/330)",
     ["A/RES/50/11", "A/RES/78/330"]),
    # a table's column break between "its resolution" and its number
    ("Recalls section XVIII of its resolution UNDOF conducts regular internal assessments 61/276, recognizes",
     ["A/RES/61/276"]),
    ("an astounding 519 claims were pending a resolution of 42/43 cases", []),
    # A/80/11, para. 9: "its" is the Assembly's, named after the number, not the Committee named before it
    ("The Committee recalled that, by its resolution 52/215, the General Assembly had decided",
     ["A/RES/52/215"]),
    ("The Commission, in its resolution 45/2, the Committee", []),  # a commission's resolution has no symbol
    # Chinese
    ("检查组在题为“…”的报告中(A/77/256)进行了一次审查", ["A/77/256"]),
    ("联合国系统 2 行政首长JIU/REP/2020/6 联合国系统使用多种语文情况", ["JIU/REP/2020/6"]),
    ("作为PBC第三十三届会议（WO/PBC/33/7）的附件提供", ["WO/PBC/33/7"]),
    ("报告（ JIU/REP/2020/5）中的建议2", ["JIU/REP/2020/5"]),
    ("1 A/76/607。", ["A/76/607"]),
    ("大会第 73/279 B 号决议", ["A/RES/73/279 B"]),
    ("大会第74/261 A至C号决议", ["A/RES/74/261 A", "A/RES/74/261 B", "A/RES/74/261 C"]),
    ("安全理事会第2811(2025)号决议", ["S/RES/2811 (2025)"]),
    ("安全理事会第２８１１（２０２５）号决议", ["S/RES/2811 (2025)"]),
    ("大会第76/274号和第79/307号决议", ["A/RES/76/274", "A/RES/79/307"]),
    ("大会在其第76/274和79/307号决议中", ["A/RES/76/274", "A/RES/79/307"]),
    ("经济及社会理事会第2025/25号决议", ["E/RES/2025/25"]),
    ("大会第174(II)号决议", ["A/RES/174 (II)"]),
    ("《世界人权宣言》(大会第 217 A (III)号决议)", ["A/RES/217 (III) A"]),
    ("执行局第2024/12号决定", []),
    # the same dated list in the Chinese form: each date stands before its "第…号"
    ("特别是 1976 年 12 月 22 日第 31/192 号、1996 年 6 月 7 日第 50/233 号和 2002 年 12 月 20 日第 57/284 A 和 B 号决议",
     ["A/RES/31/192", "A/RES/50/233", "A/RES/57/284 A", "A/RES/57/284 B"]),
    # A/63/359, p. 9: follow-ons are siblings of the printed symbol
    ("秘书长报告(A/62/701 和Corr.1 和 Add.1)所述的企业风险管理", ["A/62/701", "A/62/701/Corr.1", "A/62/701/Add.1"]),
    # A/76/644, annex I: a Human Rights Council decision's number is no document
    ("人权理事会第十五个周期组织会议通过的OS/14/101 号决定引起的订正估计数", []),
    # A/76/7/Add.38, para. 4: a CEB document
    ("的能力(CEB/2014/HLCM/17/Rev.1，第 7 段)。", ["CEB/2014/HLCM/17/Rev.1"]),
    ("安全理事会第1267 (1999)号、第1989(2011)号和第2253(2015)号决议",
     ["S/RES/1267 (1999)", "S/RES/1989 (2011)", "S/RES/2253 (2015)"]),
    ("大会第 74/261 A 至 C 号决议", ["A/RES/74/261 A", "A/RES/74/261 B", "A/RES/74/261 C"]),
    ("2020/21年产权组织绩效报告", []),
]


@pytest.mark.parametrize(("text", "expected"), CITATIONS)
def test_find_citations(text: str, expected: list[str]) -> None:
    assert [c.symbol for c in find_citations(text)] == expected


def test_spans_point_at_the_printed_symbol() -> None:
    text = "中(A/77/256)进行；大会第 73/279 B 号决议"
    found = find_citations(text)
    assert text[found[0].start:found[0].end] == "A/77/256"
    assert text[found[1].start:found[1].end] == "73/279 B"


def test_references_are_sorted_unique_and_exclude_the_own_symbol() -> None:
    texts = ["A/80/596 and A/80/604", "A/80/604/Add.1* cites A/80/596 (advance version)"]
    assert find_references(texts, exclude=["A/80/604/Add.1*"]) == ["A/80/596", "A/80/604"]


def test_a_joint_symbol_is_cited_as_each_document_however_joined() -> None:
    for printed in ("(A/74/73/Add.1-E/2019/14/Add.1)", "(A/74/73/Add.1–E/2019/14/Add.1)"):
        assert find_references([printed]) == ["A/74/73/Add.1", "E/2019/14/Add.1"]
    # A/80/275 cites the joint report A/79/249-S/2024/570
    assert find_references(["(A/79/249-S/2024/570)"]) == ["A/79/249", "S/2024/570"]


@pytest.mark.parametrize(
    ("heading", "organ"),
    [("决议", "GA"), ("Resolution", "GA"), ("General Assembly resolutions", "GA"), ("安全理事会决议", "SC"),
     ("Security Council resolution", "SC"), ("议程项目", None), ("秘书处根据决议提交的报告或采取的其他行动", None)],
)
def test_column_organ(heading: str, organ: str | None) -> None:
    assert column_organ(heading) == organ


def test_tabled_resolutions_read_the_numbers_before_the_title() -> None:
    """Cells of A/76/644's annex I, "决议" column."""
    cells = {
        "75/254 A 至 C：2021年方案预算": ["A/RES/75/254 A", "A/RES/75/254 B", "A/RES/75/254 C"],
        "75/2：联合国经费分摊比额表：根据《宪章》第十九条提出的请求": ["A/RES/75/2"],
        "75/306 ：安全理事会第 1863(2009)号决议引起的活动经费的筹措": ["A/RES/75/306"],
        "75/253 A：与 2021 年拟议方案预算有关的特别专题：汇率和通货膨胀率变动的影响": ["A/RES/75/253 A"],
    }
    for cell, symbols in cells.items():
        assert [c.symbol for c in find_tabled_resolutions(cell, "GA")] == symbols


def test_a_symbol_cut_by_a_page_break_is_joined() -> None:
    """A/76/644, annex I: one cell runs from the foot of p. 20 to the top of p. 21."""
    before, after = "A/76/6 (Sect. 3)/Add.1、A/76/6", "(Sect. 3)/Add.2、A/76/6 (Sect. 3)/Add.3"
    joined = join_broken_symbol(before, after)
    assert joined is not None
    assert find_references([joined]) == ["A/76/6 (Sect. 3)/Add.1", "A/76/6 (Sect. 3)/Add.2", "A/76/6 (Sect. 3)/Add.3"]
    assert join_broken_symbol("A/76/303", "在报告中，秘书长介绍了") is None
    assert join_broken_symbol("Advisory Committee", "(Sect. 3)") is None


@pytest.mark.parametrize(
    ("number", "parts", "organ", "expected"),
    [
        ("43/222", "A–E", "GA", [f"A/RES/43/222 {p}" for p in "ABCDE"]),
        ("1472 (XIV)", "A", "GA", ["A/RES/1472 (XIV) A"]),
        ("36 (IV)", "", "ECOSOC", ["E/RES/36 (IV)"]),
        ("2025/27", "", None, ["E/RES/2025/27"]),
        ("350 (1974)", "", None, ["S/RES/350 (1974)"]),
        ("79/307", "", "OTHER", []),  # a board's or commission's resolution has no such symbol
        ("2025/26", "", "GA", []),  # a budget period under a General Assembly heading
    ],
)
def test_resolution_symbols(number: str, parts: str, organ: str | None, expected: list[str]) -> None:
    assert resolution_symbols(number, parts, organ) == expected  # type: ignore[arg-type]


def test_listed_resolutions_take_only_the_organs_number_shapes() -> None:
    assert listing_organ("General Assembly resolutions") == "GA"
    assert listing_organ("经济及社会理事会决议") == "ECOSOC"
    assert listing_organ("General Assembly mandate") is None
    line = "43/222 A–E; Pattern of conferences 50/11; 78/330 Multilingualism for 2025/26"
    assert [c.symbol for c in find_listed_resolutions(line, "GA")] == [
        *(f"A/RES/43/222 {p}" for p in "ABCDE"), "A/RES/50/11", "A/RES/78/330",
    ]
    assert [c.symbol for c in find_listed_resolutions("36 (IV) Economic Commission 2025/27 Multilingualism",
                                                      "ECOSOC")] == ["E/RES/36 (IV)", "E/RES/2025/27"]


def test_a_decision_listed_under_resolutions_and_decisions_is_no_resolution() -> None:
    """A/81/6 (Sect. 9), legislative mandates: the Assembly numbers its decisions from 401 and the Council
    from 201, in the same series as their resolutions."""
    assert listing_organ("General Assembly resolutions and decisions") == "GA"
    assert listing_organ("大会决议和决定") == "GA"
    lines = {
        ("78/558 Enhancing action on sea level rise", "GA"): [],
        ("75/511 B United Nations Pledging Conference for", "GA"): [],
        ("77/335 Modalities for the Fourth International Conference", "GA"): ["A/RES/77/335"],
        ("2009/32; 2025/328 African countries emerging from conflict", "ECOSOC"): ["E/RES/2009/32"],
        ("2025/315 Report of the Statistical Commission on its", "ECOSOC"): [],
        ("78/558 加强应对海平面上升的行动", "GA"): [],
    }
    for (line, organ), symbols in lines.items():
        assert [c.symbol for c in find_listed_resolutions(line, organ)] == symbols  # type: ignore[arg-type]


@given(st.text(alphabet=st.sampled_from(list("A/0123456789 ().SectVolPartAddRev-，（）中文")), max_size=60))
def test_prepare_keeps_length_and_symbols_are_idempotent(text: str) -> None:
    assert len(prepare(text)) == len(text)
    for citation in find_document_symbols(text):
        assert normalize_symbol(citation.symbol) == citation.symbol
