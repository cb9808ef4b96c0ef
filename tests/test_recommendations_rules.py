"""The recommendation extractors' rules on small documents built in code, for layouts the corpus lacks.

The corpus has no Chinese ACABQ report or Secretary-General's report and no English comments note,
so these documents reproduce their printed structure (numbering, bold boxes, headings) with UN
wording, the way ``pipeline.parse.pdf`` hands it to the extractors.
"""

from __future__ import annotations

import pytest

from extractors.acabq import AcabqRecommendations
from extractors.base import ExtractionContext
from extractors.ga_actions import GaActions
from extractors.jiu import JiuComments, JiuRecommendations
from extractors.lib.nlp import committee_recommendations, heading_kind
from extractors.lib.paragraphs import drop_footnote_marks
from extractors.lib.records import DocumentInfo, Recommendation
from pipeline.core.document import Page, PageQuality, Paragraph, ParsedDocument

Spec = tuple[int, str | None, str, float]
"""(page, number, text, bold share) of one paragraph; a bold short text with no number is a heading."""


def make_doc(specs: list[Spec], lang: str) -> ParsedDocument:
    paragraphs = []
    for page, number, text, bold in specs:
        heading = number is None and bold >= 0.8 and len(text) < 160 and not text.endswith((".", "。"))
        paragraphs.append(Paragraph(text=text, page=page, bbox=(72.0, 100.0, 500.0, 120.0),
                                    role="heading" if heading else "body", number=number, size=10.0,
                                    bold=bold, end_page=page))
    pages = [Page(number=n, width=595.0, height=842.0, lines=[], tables=[], quality=PageQuality())
             for n in range(1, max(s[0] for s in specs) + 1)]
    return ParsedDocument("test.pdf", "0" * 64, pages, paragraphs, "1", language_hint=lang)


def run(extractor: object, doc: ParsedDocument, symbol: str, lang: str) -> list[Recommendation]:
    context = ExtractionContext(DocumentInfo(symbol=symbol, language=lang))
    return [r for r in extractor.extract(doc, context) if isinstance(r, Recommendation)]  # type: ignore[attr-defined]


ACABQ_ZH: list[Spec] = [
    (1, None, "行政和预算问题咨询委员会的报告", 1.0),
    (1, "22.", "行预咨委会相信，将向大会提供关于计划部署情况的进一步说明。", 0.4),
    (1, "23.", "行预咨委会建议批准秘书长关于军事和警务人员的提议。", 1.0),
    (2, "35.", "拟议资源为289 700美元，与2025/26年度分摊额相比没有变化。行预咨委会考虑到过去的支出模式，"
               "建议将医疗项下拟议数额减少5%(14 500美元)。", 0.3),
    (2, "37.", "在不违反上文第32、33和35段所载建议的情况下，行预咨委会建议批准秘书长关于业务费用的提议。", 1.0),
    (2, "40.", "行预咨委会注意到审计委员会建议行政当局加强库存管理。", 0.0),
    (3, "41.", "行预咨委会重申其建议，即大会请秘书长审查薪金股的安排，并在第八十二届会议上提出备选方案。", 0.5),
    (3, "42.", "行预咨委会强调，应在下一次预算报告中提供最新资料。", 0.5),
    (3, "43.", "行预咨委会建议秘书长在2027年6月前完成对区域服务中心服务模式的审查。", 0.5),
]


def test_acabq_chinese() -> None:
    got = run(AcabqRecommendations(), make_doc(ACABQ_ZH, "zh"), "A/80/604/Add.1", "zh")
    assert [r.number for r in got] == ["23", "35", "37", "41", "43"]
    assert got[1].text.startswith("拟议资源为289 700美元") and got[1].text.endswith("(14 500美元)。")
    assert [r.addressee for r in got] == ["general_assembly"] * 4 + ["secretary_general"]
    assert got[3].deadline is not None and (got[3].deadline.kind, got[3].deadline.session) == ("session", 82)
    assert got[4].deadline is not None and got[4].deadline.date == "2027-06-30"
    assert all(r.report == "A/80/604/Add.1" and r.response is None for r in got)


def test_acabq_only_in_acabq_reports() -> None:
    """A Secretary-General's report quotes the Committee; without the ACABQ title nothing is taken."""
    assert run(AcabqRecommendations(), make_doc(ACABQ_ZH[1:], "zh"), "A/80/596", "zh") == []


GA_ZH: list[Spec] = [
    (1, "53.", "拟议预算反映了效率提高。", 0.0),
    (2, "四.", "有待大会采取的行动", 1.0),
    (2, "54.", "就联合国脱离接触观察员部队的经费筹措有待大会采取的行动如下：", 1.0),
    (2, "(a)", "注意到2024年7月1日至2025年6月30日期间的未支配余额871 600美元；", 1.0),
    (2, "(b)", "批款61 615 100美元，用于部队2026年7月1日至2027年6月30日12个月期间的维持费；", 1.0),
    (3, None, "（c）", 1.0),
    (3, "五.", "为落实大会第79/307号决议所提决定和要求而采取的后续行动摘要", 1.0),
    (3, "55.", "大会请秘书长确保充分执行任务。", 0.0),
]


def test_ga_actions_chinese() -> None:
    doc = make_doc(GA_ZH[:5] + GA_ZH[6:], "zh")
    got = run(GaActions(), doc, "A/80/596", "zh")
    assert [r.number for r in got] == ["54(a)", "54(b)"]
    assert got[0].text == "注意到2024年7月1日至2025年6月30日期间的未支配余额871 600美元；"
    assert all(r.addressee == "general_assembly" for r in got)
    assert got[1].deadline is None  # a budget period is no deadline


def test_ga_actions_full_width_letters_and_romans() -> None:
    specs: list[Spec] = [
        (1, "IV.", "Action to be taken by the General Assembly", 1.0),
        (1, "30.", "The General Assembly is requested:", 1.0),
        (1, None, "（a） To take note of the present report;", 1.0),
        (1, "(b)", "To approve the following:", 1.0),
        (1, "(i)", "the establishment of one post;", 1.0),
        (1, "(ii)", "the abolishment of two posts;", 1.0),
        (1, "(c)", "To decide on the financing by the end of 2026.", 1.0),
        (1, "31.", "The General Assembly is also requested to take note of the present report.", 1.0),
        (2, None, "Annex", 1.0),
        (2, "1.", "The General Assembly is requested to ignore this annex paragraph.", 0.0),
    ]
    got = run(GaActions(), make_doc(specs, "en"), "A/80/1", "en")
    assert [r.number for r in got] == ["30(a)", "30(b)", "30(c)", "31"]
    assert got[0].text == "To take note of the present report;"
    assert got[1].text == "To approve the following: (i) the establishment of one post; (ii) the abolishment of two posts;"
    assert got[2].deadline is not None and got[2].deadline.date == "2026-12-31"


def test_table_of_contents_is_no_action_section() -> None:
    specs: list[Spec] = [
        (1, "IV.", "Actions to be taken by the General Assembly. . . . . . . . . . 20", 0.0),
        (1, "(a)", "To take note of the report;", 0.0),
        (2, None, "The actions to be taken by the General Assembly are set out in section IV.", 0.0),
    ]
    assert run(GaActions(), make_doc(specs, "en"), "A/80/1", "en") == []


NOTE_EN: list[Spec] = [
    (1, None, "Note by the Secretary-General", 1.0),
    (1, None, "The Secretary-General has the honour to transmit his comments and those of CEB on the report "
              "of the Joint Inspection Unit entitled “Review of X” (JIU/REP/2024/3).", 0.0),
    (1, "I.", "Introduction", 1.0),
    (1, "1.", "In its report (see A/79/500), the Joint Inspection Unit reviewed X. The Inspectors recommend "
              "that executive heads act.", 0.0),
    (1, "III.", "Comments on specific recommendations", 1.0),
    (1, None, "Recommendation 1", 1.0),
    (1, None, "Executive heads of the United Nations system organizations should, by the end of 2025, adopt a "
              "policy on X.", 1.0),
    (1, "5.", "Organizations support recommendation 1.", 0.0),
    (1, "6.", "Some entities noted that policies already exist.", 0.0),
    (2, None, "Recommendation 2: The General Assembly should, at its eightieth session, take note of the policies.",
     0.0),
    (2, "7.", "Organizations note that the recommendation is addressed to the General Assembly.", 0.0),
    (2, None, "Recommendation 3", 1.0),
    (2, None, "The Secretary-General should review the framework.", 1.0),
    (2, "8.", "Organizations do not support this recommendation.", 0.0),
]


def test_comments_note_english() -> None:
    doc = make_doc(NOTE_EN, "en")
    got = run(JiuComments(), doc, "A/79/500/Add.1", "en")
    assert [r.number for r in got] == ["1", "2", "3"]
    assert {r.report for r in got} == {"JIU/REP/2024/3"}
    assert [r.addressee for r in got] == ["executive_heads", "general_assembly", "secretary_general"]
    assert [r.response.position if r.response else None for r in got] == ["supported", "noted", "not_supported"]
    assert got[0].response is not None
    assert got[0].response.text == "Organizations support recommendation 1.\nSome entities noted that policies already exist."
    assert got[1].deadline is not None and got[1].deadline.session == 80
    assert run(JiuRecommendations(), doc, "A/79/500/Add.1", "en") == []


def test_comments_note_without_heading() -> None:
    """A note that transmits comments but prints no "Comments on specific recommendations" heading."""
    specs = [s for s in NOTE_EN if s[2] != "Comments on specific recommendations"]
    got = run(JiuComments(), make_doc(specs, "en"), "A/79/500/Add.1", "en")
    assert [r.number for r in got] == ["1", "2", "3"]


JIU_WITH_SUMMARY: list[Spec] = [
    (1, None, "Report of the Joint Inspection Unit", 1.0),
    (2, None, "Executive summary", 1.0),
    (2, None, "Recommendation 1", 1.0),
    (2, None, "By the end of 2026, executive heads should adopt a policy.", 1.0),
    (2, None, "Recommendation 2", 1.0),
    (2, None, "The legislative organs and governing bodies should, in 2027, review the policy.", 1.0),
    (3, "I.", "Introduction", 1.0),
    (3, "1.", "The review was part of the programme of work.", 0.0),
    (3, "2.", "The Inspectors recommend that the Secretary-General should consider this.", 0.6),
    (4, None, "Recommendation 1", 1.0),
    (4, None, "By the end of 2026, executive heads should adopt a policy.", 1.0),
    (4, None, "Vacancy rates", 1.0),
    (5, None, "Recommendation 2", 1.0),
    (5, None, "The legislative organs and governing bodies should, in 2027, review the policy:", 1.0),
    (5, "(a)", "its scope;", 1.0),
    (5, "(b)", "its funding.", 1.0),
    (5, "3.", "The following paragraph is not part of the box.", 0.0),
    (6, None, "Annex", 1.0),
    (6, None, "Recommendation 1 a E E E E", 1.0),
]


def test_jiu_report_summary_copy_and_annex_matrix_left_out() -> None:
    got = run(JiuRecommendations(), make_doc(JIU_WITH_SUMMARY, "en"), "JIU/REP/2026/1", "en")
    assert [(r.number, r.page) for r in got] == [("1", 4), ("2", 5)]
    assert got[0].text == "By the end of 2026, executive heads should adopt a policy."
    assert got[1].text.endswith("review the policy: (a) its scope; (b) its funding.")
    assert [r.addressee for r in got] == ["executive_heads", "legislative_bodies"]
    assert got[1].deadline is not None and got[1].deadline.kind == "year"


def test_jiu_report_chinese_boxes() -> None:
    specs: list[Spec] = [
        (1, None, "联合检查组的报告", 1.0),
        (2, "20.", "以下建议旨在加强问责。", 0.0),
        (2, None, "建议 1", 1.0),
        (2, None, "联合国系统各组织的行政首长应在2027年底前审查各自的政策。", 1.0),
        (2, "21.", "检查专员鼓励行政首长在政策中提及建议 1。", 0.4),
        (3, None, "建议2", 1.0),
        (3, None, "大会应在第八十一届会议上请所有实体记录指控。", 1.0),
    ]
    got = run(JiuRecommendations(), make_doc(specs, "zh"), "JIU/REP/2025/2", "zh")
    assert [r.number for r in got] == ["1", "2"]
    assert got[0].addressee == "executive_heads" and got[1].addressee == "general_assembly"
    assert got[0].deadline is not None and got[0].deadline.date == "2027-12-31"
    assert got[1].deadline is not None and got[1].deadline.session == 81


def test_acabq_chapter_numbered_paragraphs() -> None:
    """The Committee's main report numbers paragraphs per chapter ("VIII.81"); the parser splits off "VIII."."""
    specs: list[Spec] = [
        (1, None, "Report of the Advisory Committee on Administrative and Budgetary Questions", 1.0),
        (2, "VIII.", "Section 29A, Department of Management Strategy, Policy and Compliance", 1.0),
        (2, "VIII.", "80 The Advisory Committee trusts that the Secretary-General will provide the information to the "
                     "General Assembly at the time of its consideration of the present report.", 0.4),
        (2, "VIII.", "81 Subject to its comments above, the Advisory Committee recommends that the General Assembly "
                     "approve the proposals of the Secretary-General for section 29A.", 0.6),
    ]
    got = run(AcabqRecommendations(), make_doc(specs, "en"), "A/80/7", "en")
    assert [(r.number, r.text[:16]) for r in got] == [("VIII.81", "Subject to its c")]


def test_no_symbol_no_records() -> None:
    """Extraction never invents a ``report``: without a symbol an ACABQ report yields nothing."""
    assert run(AcabqRecommendations(), make_doc(ACABQ_ZH, "zh"), "", "zh") == []


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("The Advisory Committee recommends the approval of the proposals.", "en", True),
        ("The Advisory Committee, taking the past spending patterns into consideration, recommends a reduction.",
         "en", True),
        ("The Committee commends the Mission and recommends that the Assembly take note.", "en", True),
        ("The Committee does not recommend the approval of the post.", "en", True),
        ("The Advisory Committee reiterates its recommendation that the General Assembly request a review.",
         "en", True),
        ("The Committee notes that the Board recommends that the Administration improve it.", "en", False),
        ("The Independent Audit Advisory Committee recommends that the Secretariat adopt it.", "en", False),
        ("The Advisory Committee trusts that the recommendations will be implemented.", "en", False),
        ("The Advisory Committee recalls that it recommended the post.", "en", False),
        ("行预咨委会认为，部队所受限制可能影响项目执行，因此建议将拟议数额减少5%。", "zh", True),
        ("委员会还建议大会请秘书长确保分类数据。", "zh", True),
        ("行预咨委会注意到审计委员会建议行政当局改进。", "zh", False),
        ("行预咨委会相信这些建议将及时得到执行。", "zh", False),
        ("在不违反上文第32段所载建议的情况下，秘书长提出了提议。", "zh", False),
        # A/76/7/Add.38 (paras 21, 35, 15, 28, 8, 19): a reiterated recommendation and one made on the
        # condition of the above are recommendations; one recalled ("曾建议"), an expectation ("重申其期望"),
        # trust and looking forward are observations.
        ("行预咨委会重申其建议，即秘书长作为联合国行政首长协调理事会主席，继续以全面和协调一致的方式并在东道国的参与下，"
         "加强全系统的组织复原力管理系统协调和规划职能(另见 A/73/775，第 23 段)。", "zh", True),
        ("请大会采取的行动载于秘书长报告第 98 段。行预咨委会以上文意见和建议为前提，建议大会表示注意到秘书长的报告。",
         "zh", True),
        ("行预咨委会还回顾曾建议秘书长在方案预算和维持和平预算中提供综合信息，说明从 COVID-19疫情中(例如见 "
         "A/76/7/Add.29，第 63 段)以及在其他具体领域(例如见 A/76/722，第 20 段)所得的经验教训和最佳做法以及增效情况。",
         "zh", False),
        ("行预咨委会重申其期望，即提交大会第七十七届会议的全面信通技术计划将清楚列明必要的所需资源并说明理由，"
         "随附费用和任何预期增效等信息。", "zh", False),
        ("行预咨委会相信，考虑到本报告所述期间取得的经验，将继续取得更多进展，期待下次报告提供最新情况。", "zh", False),
        ("行预咨委会期待秘书长下次报告提供最新信息，说明订正政策和主要业绩指标的执行情况。", "zh", False),
        # A/80/604/Add.4, para. 43: the English reiterated form, after a recollection
        ("The Committee also noted that the redeployment of payroll posts from the RSCE budget would exclude them "
         "from the application of the existing scalability model (A/80/7/Add.9, para. VIII.81). The Advisory "
         "Committee reiterates its recommendation that the General Assembly request the Secretary-General to review "
         "arrangements for the payroll teams and present, at the eighty-second session, options.", "en", True),
    ],
)
def test_committee_recommends(text: str, lang: str, expected: bool) -> None:
    assert bool(committee_recommendations(text, lang)) is expected


# A/76/7/Add.38, paras 15, 21, 33 and 35, as printed.
ACABQ_ZH_REAL: list[Spec] = [
    (1, None, "行政和预算问题咨询委员会关于 2022 年拟议方案预算的第三十八次报告", 1.0),
    (3, "15.", "行预咨委会忆及秘书长提交大会第七十五和七十六届会议的多项报告载有关于 COVID-19 疫情对本组织业务的影响"
               "和相关经验教训的信息。行预咨委会还回顾曾建议秘书长在方案预算和维持和平预算中提供综合信息，说明从 COVID-19"
               "疫情中(例如见 A/76/7/Add.29，第 63 段)以及在其他具体领域(例如见 A/76/722，第 20 段)所得的经验教训和最佳"
               "做法以及增效情况。行预咨委会注意到，目前可通过不同报告看到关于疫情对本组织影响的信息，但认为，鉴于疫情对本"
               "组织目前、而且有可能对今后的活动和做法产生重大影响，有必要提供概览报告。因此，行预咨委会建议大会请秘书长"
               "向大会第七十八届会议提交一份关于 COVID-19 应对工作的单独报告。", 0.0),
    (4, "19.", "行预咨委会期待秘书长下次报告提供最新信息，说明订正政策和主要业绩指标的执行情况。", 0.0),
    (4, "21.", "行预咨委会重申其建议，即秘书长作为联合国行政首长协调理事会主席，继续以全面和协调一致的方式并在东道国的"
               "参与下，加强全系统的组织复原力管理系统协调和规划职能(另见 A/73/775，第 23 段)。", 0.0),
    (7, "33.", "行预咨委会忆及大会一再要求详细说明组织复原力管理系统的实际费用(例如，见第 70/248 B 号决议，第二节；"
               "第 68/247 B 号决议，第三节)。行预咨委会建议大会请秘书长在今后的报告中详细说明支持组织复原力管理系统的"
               "活动的全部费用。", 0.0),
    (7, "35.", "请大会采取的行动载于秘书长报告第 98 段。行预咨委会以上文意见和建议为前提，建议大会表示注意到秘书长的"
               "报告。", 0.0),
]


def test_acabq_chinese_numbered_report_and_its_conventions() -> None:
    """Found by the "…第三十八次报告" title alone (no kind from metadata); the recommendation that follows a
    recollection is the paragraph's, addressed to the Assembly; "重申其建议，即秘书长…" to the Secretary-General."""
    doc = make_doc(ACABQ_ZH_REAL, "zh")
    got = [r for r in AcabqRecommendations().extract(doc, ExtractionContext(DocumentInfo(symbol="A/76/7/Add.38")))
           if isinstance(r, Recommendation)]
    assert [r.number for r in got] == ["15", "21", "33", "35"]
    assert [r.addressee for r in got] == ["general_assembly", "secretary_general", "general_assembly",
                                          "general_assembly"]
    assert got[0].deadline is not None and (got[0].deadline.kind, got[0].deadline.session) == ("session", 78)
    assert [r.deadline for r in got[1:]] == [None, None, None]


@pytest.mark.parametrize(
    ("sentence", "addressee"),
    [
        ("行预咨委会重申其建议，即秘书长作为联合国行政首长协调理事会主席，继续以全面和协调一致的方式并在东道国的参与下，"
         "加强全系统的组织复原力管理系统协调和规划职能。", "secretary_general"),  # A/76/7/Add.38, para. 21
        ("行预咨委会建议大会请秘书长在今后的报告中提供更全面和清晰的信息。", "general_assembly"),  # para. 25
        ("行预咨委会建议，秘书长应在下次报告中提供资料。", "secretary_general"),
    ],
)
def test_acabq_addressee_chinese(sentence: str, addressee: str) -> None:
    from extractors.acabq import addressee_of
    from extractors.lib.nlp import Cue

    assert addressee_of(Cue(sentence, 0, len(sentence), "建议"), "zh") == addressee


def test_acabq_reiterated_recommendation_addressee_english() -> None:
    from extractors.acabq import addressee_of
    from extractors.lib.nlp import Cue

    sentence = ("The Advisory Committee reiterates its recommendation that the General Assembly request the "
                "Secretary-General to review arrangements for the payroll teams.")  # A/80/604/Add.4, para. 43
    assert addressee_of(Cue(sentence, 0, len(sentence), "reiterates its recommendation"), "en") == "general_assembly"
    to_sg = sentence.replace("that the General Assembly request the Secretary-General to review",
                             "that the Secretary-General review")
    assert addressee_of(Cue(to_sg, 0, len(to_sg), "reiterates its recommendation"), "en") == "secretary_general"


# A/76/644, chapter IV: the report closes on "建议", whose one paragraph asks the Assembly to take note.
RECOMMENDATION_CHAPTER_ZH: list[Spec] = [
    (17, "101.", "2021 年，世界面临全球性挑战，需要联合国采取强有力的全面对策，包括转向新的工作方式。", 0.0),
    (17, "四.", "建议", 1.0),
    (17, "102.", "请大会注意本报告所述继续加强秘书处问责制和问责文化的进展情况和计划。", 0.0),
    (18, None, "附件一", 1.0),
    (18, "1.", "请大会忽略附件中的这一段。", 0.0),
]


@pytest.mark.parametrize("kind", ["sg_report", "other"])
def test_ga_action_as_a_numbered_paragraph_of_a_recommendations_chapter(kind: str) -> None:
    context = ExtractionContext(DocumentInfo(symbol="A/76/644", language="zh", kind=kind))  # type: ignore[arg-type]
    got = [r for r in GaActions().extract(make_doc(RECOMMENDATION_CHAPTER_ZH, "zh"), context)
           if isinstance(r, Recommendation)]
    assert [(r.number, r.text, r.addressee, r.kind) for r in got] == [
        ("102", "请大会注意本报告所述继续加强秘书处问责制和问责文化的进展情况和计划。", "general_assembly", "ga_action"),
    ]


def test_recommendations_chapter_counts_only_what_asks_the_assembly() -> None:
    """A/80/188, chapter VI "Conclusions and recommendations" addresses States: nothing for the Assembly. The
    English counterpart of A/76/644's paragraph 102 is taken; a JIU report's chapter is left to its extractor."""
    specs: list[Spec] = [
        (17, "VI.", "Conclusions and recommendations", 1.0),
        (17, "60.", "In order to manage energy demand and “defossilize” economies, States should, first, reduce "
                    "energy demand.", 0.0),
        (17, "61.", "The General Assembly is requested to take note of the progress and plans described in the "
                    "present report.", 0.0),
    ]
    context = ExtractionContext(DocumentInfo(symbol="A/80/188", language="en", kind="sg_report"))
    got = [r for r in GaActions().extract(make_doc(specs, "en"), context) if isinstance(r, Recommendation)]
    assert [r.number for r in got] == ["61"]
    jiu = ExtractionContext(DocumentInfo(symbol="JIU/REP/2025/2", language="en", kind="jiu_report"))
    assert list(GaActions().extract(make_doc(specs, "en"), jiu)) == []


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("Actions to be taken by the General Assembly", "en", "GA_ACTIONS"),
        ("Recommended actions to be taken by the General Assembly", "en", "GA_ACTIONS"),
        ("有待大会采取的行动", "zh", "GA_ACTIONS"),
        ("需要大会采取的行动", "zh", "GA_ACTIONS"),  # A/63/359's summary names its chapter so
        ("有待大会第八十届会议采取的行动", "zh", "GA_ACTIONS"),
        ("Actions to be taken by the General Assembly at its eightieth session", "en", "GA_ACTIONS"),
        ("Proposed action by the General Assembly", "en", "GA_ACTIONS"),
        ("需要大会采取的行动列于报告的第十章。", "zh", None),
        ("Comments on specific recommendations", "en", "COMMENTS"),
        ("对具体建议的意见", "zh", "COMMENTS"),
        ("The actions to be taken by the General Assembly are set out in section IV", "en", None),
        ("Recommendations", "en", "RECOMMENDATIONS"),
        ("建议", "zh", "RECOMMENDATIONS"),
        ("Recommendations of the Board of Auditors", "en", None),
    ],
)
def test_heading_kind(text: str, lang: str, expected: str | None) -> None:
    assert heading_kind(text, lang) == expected


@pytest.mark.parametrize(
    ("text", "marks", "expected"),
    [
        ("为秘书长的报告1定期提供信息", {"1"}, "为秘书长的报告定期提供信息"),
        ("见第1段和2023年", {"1"}, "见第1段和2023年"),
        ("were represented.2 The Committee", {"2"}, "were represented. The Committee"),
        ("posts. 3 Noting the efforts", {"3"}, "posts. Noting the efforts"),
        ("Field Service, 1 National Officer", {"1"}, "Field Service, 1 National Officer"),
        ("see paras. 3 and 4 of A/80/604/Add.1 and table 1.", {"1", "3"},
         "see paras. 3 and 4 of A/80/604/Add.1 and table 1."),
        ("the report1 and", set(), "the report1 and"),
    ],
)
def test_footnote_marks(text: str, marks: set[str], expected: str) -> None:
    assert drop_footnote_marks(text, marks) == expected


def test_every_section_title_pattern_requires_one_of_the_heading_words() -> None:
    """``heading_kind`` skips a heading without any of ``HEADING_WORDS``: sound only while every
    title pattern has a required token whose every accepted value contains one of them."""
    from extractors.lib.nlp import HEADING_WORDS, _en_patterns, _zh_patterns

    def requires_word(token: dict[str, object], words: tuple[str, ...]) -> bool:
        if token.get("OP") not in (None, "+"):
            return False
        value = token.get("LOWER", token.get("ORTH"))
        values = value["IN"] if isinstance(value, dict) else [value]
        return all(isinstance(v, str) and any(w in v.lower() for w in words) for v in values)

    for lang, patterns in (("en", _en_patterns()), ("zh", _zh_patterns())):
        for label in ("GA_ACTIONS", "RECOMMENDATIONS", "COMMENTS"):
            for pattern in patterns[label]:
                assert any(requires_word(token, HEADING_WORDS[lang]) for token in pattern), (lang, label, pattern)
    assert heading_kind("Actions to be taken by the General Assembly", "en") == "GA_ACTIONS"
    assert heading_kind("有待大会采取的行动", "zh") == "GA_ACTIONS"
    assert heading_kind("Specific comments", "en") == "COMMENTS"
    assert heading_kind("Introduction", "en") is None


@pytest.mark.parametrize(
    ("lang", "lead", "commands", "addressee"),
    [
        (
            "en",
            "Legislative organs and governing bodies of the United Nations system organizations are called on to:",
            ["Request the executive heads to report annually on progress made.",
             "Review, by 2027, the arrangements set out in the present note."],
            "legislative_bodies",
        ),
        (
            "zh",
            "请联合国系统各组织行政首长：",
            ["在 2026 年底前制定问责框架，并定期向立法机构报告进展情况；",
             "加强对所有人员的培训。"],
            "executive_heads",
        ),
        (
            "zh",
            "呼吁各组织的立法机关和理事机构：",
            ["请行政首长每年报告进展情况。"],
            "legislative_bodies",
        ),
    ],
)
def test_jiu_commands_under_a_lead_in(lang: str, lead: str, commands: list[str], addressee: str) -> None:
    """With no "Recommendation N" label, each command after a lead-in naming who must act is one
    recommendation, addressed to the lead-in's subject and numbered in order; a heading ends the list."""
    doc = make_doc(
        [(1, None, "Note of the Joint Inspection Unit" if lang == "en" else "联合检查组的说明", 1.0),
         (2, None, lead, 0.0)]
        + [(2, None, text, 0.0) for text in commands]
        + [(2, None, "Approach and methodology" if lang == "en" else "方法", 1.0),
           (3, None, "The review was conducted by desk review and interviews." if lang == "en"
            else "审查采用了案头审查和访谈。", 0.0)],
        lang,
    )
    found = run(JiuRecommendations(), doc, "JIU/NOTE/2026/1", lang)
    assert [(r.number, r.text, r.addressee) for r in found] == [
        (str(i), text, addressee) for i, text in enumerate(commands, start=1)
    ]


def test_jiu_labelled_report_ignores_lead_ins() -> None:
    """A report with labelled recommendations keeps only them: a lead-in in its summary adds nothing."""
    doc = make_doc(
        [(1, None, "Report of the Joint Inspection Unit", 1.0),
         (2, None, "The executive heads are called on to:", 0.0),
         (2, None, "Strengthen the training of all personnel.", 0.0),
         (5, None, "Recommendation 1", 1.0),
         (5, None, "The executive heads should strengthen the training of all personnel by the end of 2027.", 1.0)],
        "en",
    )
    found = run(JiuRecommendations(), doc, "JIU/REP/2026/1", "en")
    assert [r.number for r in found] == ["1"]
    assert found[0].text.startswith("The executive heads should")
