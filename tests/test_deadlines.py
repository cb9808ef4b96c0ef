"""The deadline normaliser: real recommendation phrasings (corpus and UN usage), gold records, properties."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extractors.lib.deadlines import (
    chinese_number,
    english_ordinal,
    find_deadline,
    parse_deadline_phrase,
    parse_target_date,
    session_number,
)
from extractors.lib.records import Deadline
from tests.corpus import GOLD


def year_end(text: str, year: int) -> Deadline:
    return Deadline(text, "year_end", f"{year}-12-31")


def year(text: str, y: int) -> Deadline:
    return Deadline(text, "year", f"{y}-12-31")


def month(text: str, iso: str) -> Deadline:
    return Deadline(text, "month", iso)


def day(text: str, iso: str) -> Deadline:
    return Deadline(text, "day", iso)


def session(text: str, n: int) -> Deadline:
    return Deadline(text, "session", None, n)


def asap(text: str) -> Deadline:
    return Deadline(text, "asap")


EN_CASES: list[tuple[str, Deadline | None]] = [
    # JIU/REP/2025/2 and JIU/REP/2025/1 (boxed recommendations)
    (
        "Executive heads of United Nations system organizations should, by the end of 2027, review their respective "
        "policies, staff regulations and rules, and standards of conduct.",
        year_end("by the end of 2027", 2027),
    ),
    (
        "By the end of 2026, the Secretary-General should commission a report with regard to the feasibility of "
        "establishing shared and/or common services.",
        year_end("By the end of 2026", 2026),
    ),
    (
        "At its eighty-first session, the General Assembly should request that all allegations of SEA in the United "
        "Nations Secretariat entities be recorded in the iReport SEA Tracker.",
        session("At its eighty-first session", 81),
    ),
    (
        "At its eighty-second session, the General Assembly should consider endorsement of a new system-wide approach "
        "and strategy for addressing sexual misconduct.",
        session("At its eighty-second session", 82),
    ),
    (
        "At the beginning of 2028, legislative organs and/or governing bodies of United Nations system organizations "
        "should request an update from the executive heads.",
        month("At the beginning of 2028", "2028-01-31"),
    ),
    (
        "The United Nations Environment Assembly should, at its eighth session at the latest, clarify the mandate and "
        "role of the Committee of Permanent Representatives.",
        # another organ's session: no General Assembly session, the organ named instead
        Deadline("at its eighth session at the latest", "session", None, None, "United Nations Environment Assembly"),
    ),
    (
        "The Committee of Permanent Representatives should request the Executive Director to present in 2026 a "
        "monitoring framework for the Policy for One UNEP Delivery.",
        year("in 2026", 2026),
    ),
    (
        "The Executive Director should review and update, as appropriate, the current resource mobilization strategy "
        "and present it to the Committee of Permanent Representatives in 2026.",
        year("in 2026", 2026),
    ),
    # E/ICEF/2025/14, DP/2025/12/Add.1 (JIU recommendations quoted in status reports)
    (
        "The executive heads of the organizations administering health insurance plans should ensure that all groups "
        "of plan members are represented on management oversight committees by the end of 2026.",
        year_end("by the end of 2026", 2026),
    ),
    (
        "The executive heads of the United Nations system organizations who have not yet done so should ensure, at the "
        "earliest opportunity or in the context of established internal review cycles, that flexible working "
        "arrangements are defined.",
        asap("at the earliest opportunity"),
    ),
    (
        "The executive heads of the United Nations system organizations who have not yet done so should ensure, by "
        "2025, that a quantifiable definition of “commuting distance” is included in their organization’s policies.",
        year("by 2025", 2025),
    ),
    (
        "The executive heads of United Nations system organizations should, with immediate effect and on a continuing "
        "basis, provide information on the acceptance of JIU recommendations.",
        asap("with immediate effect"),
    ),
    (
        "By the end of 2024, each Executive Board should create an ad hoc committee to assess the recommendations "
        "(formal and informal) in the present review.",
        year_end("By the end of 2024", 2024),
    ),
    (
        "Taking into consideration the employment relationship principle, the executive heads of the United Nations "
        "system organizations should, by the end of 2026, develop social benefit policies.",
        year_end("by the end of 2026", 2026),
    ),
    # A/80/604/Add.4, para. 43 (ACABQ): a recalled session before, the governing one after "recommendation".
    (
        "The Advisory Committee reiterates its recommendation that the General Assembly request the Secretary-General "
        "to review arrangements for the payroll teams and present, at the eighty-second session, options that "
        "maintain centralized strategic guidance.",
        session("at the eighty-second session", 82),
    ),
    # UN phrasings
    (
        "The Secretary-General should present the revised framework to the General Assembly at its seventy-eighth "
        "session.",
        session("at its seventy-eighth session", 78),
    ),
    (
        "The Secretary-General should report to the General Assembly at its 78th session on the implementation of "
        "the policy.",
        session("at its 78th session", 78),
    ),
    (
        "The Secretary-General should submit the proposals to the General Assembly for consideration at the second "
        "part of its resumed eightieth session.",
        session("for consideration at the second part of its resumed eightieth session", 80),
    ),
    (
        "The General Assembly should consider the matter at the main part of its eighty-first session.",
        session("at the main part of its eighty-first session", 81),
    ),
    (
        "The General Assembly should, at its one hundred and first session, review the scale.",
        session("at its one hundred and first session", 101),
    ),
    (
        "The executive heads should, by the end of the first quarter of 2025, finalize their business continuity "
        "plans.",
        month("by the end of the first quarter of 2025", "2025-03-31"),
    ),
    (
        "The executive heads should complete the review by mid-2025 and report to their governing bodies.",
        month("by mid-2025", "2025-06-30"),
    ),
    (
        "The Secretary-General should submit the updated strategy by December 2024.",
        month("by December 2024", "2024-12-31"),
    ),
    (
        "The Secretary-General should, by the end of June 2025, issue guidelines on the use of consultants.",
        month("by the end of June 2025", "2025-06-30"),
    ),
    (
        "The executive heads should, no later than February 2028, establish an ethics focal point.",
        month("no later than February 2028", "2028-02-29"),
    ),
    (
        "The Administrator should issue the revised policy by 30 June 2024.",
        day("by 30 June 2024", "2024-06-30"),
    ),
    (
        "The Director-General should present the assessment no later than 31 March 2025.",
        day("no later than 31 March 2025", "2025-03-31"),
    ),
    (
        "The Executive Director should designate a Chief Risk Officer before 1 January 2026.",
        day("before 1 January 2026", "2026-01-01"),
    ),
    (
        "The High Commissioner should publish the data on or before June 30, 2026.",
        day("on or before June 30, 2026", "2026-06-30"),
    ),
    ("The executive heads should implement the revised procedures in 2025.", year("in 2025", 2025)),
    (
        "The executive heads should, during 2027, conduct a survey of all personnel.",
        year("during 2027", 2027),
    ),
    (
        "The policy adopted in 2019 should be revised before the end of 2026.",
        year_end("before the end of 2026", 2026),
    ),
    (
        "The executive heads should adopt the framework by the end of the first half of 2026.",
        month("by the end of the first half of 2026", "2026-06-30"),
    ),
    (
        "The governing bodies should review the policy during the second half of 2026.",
        year("during the second half of 2026", 2026),
    ),
    ("The executive heads should report on progress in early 2027.", month("in early 2027", "2027-01-31")),
    (
        "The executive heads should, by Q3 2025, publish the data on sexual misconduct.",
        month("by Q3 2025", "2025-09-30"),
    ),
    (
        "The executive heads should, by end-2025, adopt the term “affiliate personnel”.",
        year_end("by end-2025", 2025),
    ),
    (
        "The Executive Board should consider the report at its annual session 2026.",
        year("at its annual session 2026", 2026),
    ),
    (
        "The Secretary-General should take action as soon as possible to fill the vacant posts.",
        asap("as soon as possible"),
    ),
    (
        "The executive heads should ensure that the strategy is implemented without delay.",
        asap("without delay"),
    ),
    # Several limits: the first after "should" governs.
    (
        "The executive heads should, by the end of 2023, review their frameworks and report to the General Assembly "
        "at its seventy-ninth session.",
        year_end("by the end of 2023", 2023),
    ),
    # No time limit
    (
        "To take note of other revenue for the period ended 30 June 2025 amounting to $1,658,600 from investment "
        "revenue ($1,497,000);",
        None,
    ),
    (
        "To appropriate the amount $61,615,100, for the maintenance of the Force for the 12-month period from "
        "1 July 2026 to 30 June 2027;",
        None,
    ),
    (
        "To approve the apportionment of the amount of $2,530,200 among Member States in accordance with the "
        "applicable scale of assessment for 2025;",
        None,
    ),
    (
        "To take note of the unencumbered balance of $871,600 with respect to the period from 1 July 2024 to "
        "30 June 2025;",
        None,
    ),
    (
        "The Advisory Committee recommends that the Secretary-General provide updated information in the next budget "
        "submission.",
        None,
    ),
    (
        "The Advisory Committee notes expenditures of $211,900 in the 2024/25 period and recommends a reduction of "
        "10 per cent to the proposed resources for 2026/27.",
        None,
    ),
    (
        "The executive heads should implement the recommendations made by the General Assembly in its resolution of "
        "2019.",
        None,
    ),
    (
        "Since 2020, the Secretary-General has reported on the matter annually. The General Assembly should request "
        "the continuation of this practice.",
        None,
    ),
    (
        "The executive heads should ensure that ethics refresher training is held every three years, starting in "
        "2023.",
        None,
    ),
    (
        "The Advisory Committee was informed that, as at 28 February 2026, 12 posts were vacant, and recommends that "
        "the vacancy rate be reduced.",
        None,
    ),
    (
        "The Advisory Committee recommends the approval of the proposals of the Secretary-General for civilian "
        "personnel.",
        None,
    ),
    ("The Secretary-General should submit his proposals at the next session of the General Assembly.", None),
    (
        "The executive heads should review the policy within six months and at least once a year thereafter.",
        None,
    ),
    ("The executive heads should, by the end of the year, report to their governing bodies.", None),
]

ZH_CASES: list[tuple[str, Deadline | None]] = [
    # A/77/256/Add.1 and WO/PBC/34/6 (the same JIU recommendations in two translations)
    (
        "联合国系统各组织的行政首长应在2023年底前审查其业务连续性管理框架，并确保相关利益攸关方创建本报告确定的核心要素。",
        year_end("在2023年底前", 2023),
    ),
    (
        "联合国系统各组织的行政首长应在 2024 年底前向其立法机关和理事机构报告实施组织复原力管理系统政策的进展情况。",
        year_end("在 2024 年底前", 2024),
    ),
    (
        "2023 年，联合国系统各组织行政首长应对 COVID-19 大流行期间业务运行的连续性进行内部管理评估。",
        year("2023 年", 2023),
    ),
    (
        "联合国系统各组织的立法机关和理事机构应尽早审议各自组织的行政首长编写的关于 COVID-19 大流行期间业务连续性内部管理评估的结论。",
        asap("尽早"),
    ),
    (
        "联合国系统各组织的立法机关和理事机构若尚未要求该组织更新各自的审计和监督委员会职权范围，应在 2023 年年底之前要求更新。",
        year_end("在 2023 年年底之前", 2023),
    ),
    (
        "联合国系统各组织的立法机构（如果尚未这样做）应该在 2019 年 1 月之前取消所有级别工作人员和非工作人员乘坐头等舱旅行。",
        month("在 2019 年 1 月之前", "2019-01-31"),
    ),
    (
        "尚未这样做的联合国系统各组织行政首长应不迟于 2018 年 1 月将安全和安保遵守指标纳入每个管理层的业绩评估。",
        month("不迟于 2018 年 1 月", "2018-01-31"),
    ),
    (
        "联合国系统各组织的行政首长（若尚未这样做），在各自组织的道德操守职能部门的支持下，应不晚于 2025 年对其财务披露方案进行评价。",
        year("不晚于 2025 年", 2025),
    ),
    (
        "联合国系统各组织的行政首长应当作为优先事项，至迟于 2022 年编写一份关于其网络安全框架的全面报告，并尽早提交给各自的立法和理事机构。",
        year("至迟于 2022 年", 2022),
    ),
    (
        "联合国系统各组织的行政首长应确保到 2022 年底信息和通信技术部门的行动和项目符合环境可持续性规定。",
        year_end("到 2022 年底", 2022),
    ),
    (
        "联合国系统各组织行政首长应强制要求各种会议的举办方在 2021 年 12 月之前确保以各种残疾人可以无障碍完成的登记流程全面支持残疾人参加。",
        month("在 2021 年 12 月之前", "2021-12-31"),
    ),
    (
        "在 2019 年底前，联合国系统各组织的行政首长确保所有主管和管理人员必须接受关于举报政策的具体培训。",
        year_end("在 2019 年底前", 2019),
    ),
    (
        "联合国系统各组织的行政首长应在 2022 年年底以前，制定一个关于支持内陆发展中国家的明确的成果框架。",
        year_end("在 2022 年年底以前", 2022),
    ),
    (
        "联合国系统各组织的行政首长应于 2022 年底之前使本组织所有会议和活动以“节纸方式”举行，并从 2023 年起向其立法机关和理事机构报告执行情况。",
        year_end("于 2022 年底之前", 2022),
    ),
    (
        "联合国系统各组织的行政首长应在联合国可持续发展集团协商下，审查现有的备选方案，以便在 2021 年底之前提供关于《2030 年可持续发展议程》的全面联合课程。",
        year_end("在 2021 年底之前", 2021),
    ),
    (
        "联合国系统各组织的行政首长（如果尚未这样做）应立即确保新任命的道德操守办公室负责人的合同有完整任期。",
        asap("立即"),
    ),
    (
        "联合国系统各组织的行政首长（若尚未这样做）应确保从 2023 年起，每三年为各自组织的所有工作人员定期举办道德操守进修课程。",
        None,
    ),
    # UN phrasings: sessions, Chinese numerals, full-width digits, quarters, mid-year
    ("秘书长应向大会第七十八届会议提交关于该政策执行情况的报告。", session("大会第七十八届会议", 78)),
    (
        "大会应在其第八十一届会议上审议秘书长关于性剥削和性虐待问题特别措施的报告。",
        session("在其第八十一届会议上", 81),
    ),
    ("秘书长应尽快填补空缺员额，并向大会报告。", asap("尽快")),
    (
        "各行政首长应在二〇二三年底前完成对其机构风险管理实施情况的全面审查。",
        year_end("在二〇二三年底前", 2023),
    ),
    ("秘书长应在２０２５年６月３０日前提交订正战略。", day("在２０２５年６月３０日前", "2025-06-30")),
    ("联合国系统各组织的行政首长应到 2025 年全面落实该框架。", year("到 2025 年", 2025)),
    (
        "联合国系统各组织的行政首长应在 2025 年第一季度末之前完成业务连续性计划的更新。",
        month("在 2025 年第一季度末之前", "2025-03-31"),
    ),
    (
        "联合国系统各组织的行政首长应在 2025 年年中之前向其理事机构报告进展情况。",
        month("在 2025 年年中之前", "2025-06-30"),
    ),
    (
        "联合国系统各组织的立法机关和理事机构应在 2028 年初要求行政首长提供最新情况。",
        month("在 2028 年初", "2028-01-31"),
    ),
    ("秘书长应于 2024 年 12 月提交订正预算。", month("于 2024 年 12 月", "2024-12-31")),
    ("执行局应在 2026 年年度会议上审议该报告。", year("在 2026 年年度会议", 2026)),
    (
        "联合国系统各组织的行政首长应在 2024 年 3 月 31 日之前核准《数字化发展原则》。",
        day("在 2024 年 3 月 31 日之前", "2024-03-31"),
    ),
    ("秘书长应2024年12月提交订正战略。", month("2024年12月", "2024-12-31")),
    # No time limit
    ("大会第七十七届会议通过的决议请秘书长加强对维持和平特派团活动的全面监督。", None),
    ("行预咨委会建议大会请秘书长在下一次拟议预算中提供最新资料。", None),
    ("截至 2022 年 3 月 31 日，秘书处应报告所有未完成建议的落实情况。", None),
    # "注意到" (takes note of) is not "到" (by): the period noted is no deadline (A/80/596-style GA actions, zh).
    ("注意到2024年7月1日至2025年6月30日期间未支配余额871 600美元；", None),
    ("行预咨委会建议核准秘书长为 2026/27 年度提出的资源。", None),
    ("为了履行其监督作用和责任，立法/理事机构应至少每年一次将机构风险管理纳入其会议。", None),
]


@pytest.mark.parametrize(("text", "expected"), EN_CASES + ZH_CASES)
def test_find_deadline(text: str, expected: Deadline | None) -> None:
    assert find_deadline(text) == expected


def test_enough_real_phrasings() -> None:
    assert len(EN_CASES) + len(ZH_CASES) >= 50
    assert len(ZH_CASES) >= 20


def test_language_parameter_overrides_detection() -> None:
    assert find_deadline("The Secretary-General should report by the end of 2025.", language="zh") is None
    assert find_deadline("秘书长应在 2025 年底前报告。", language="zh-Hans") == year_end(
        "在 2025 年底前", 2025
    )
    assert (
        find_deadline("Le Secrétaire général devrait faire rapport d'ici à la fin de 2025.", language="fr")
        is None
    )


def _gold_deadlines() -> list[tuple[str, str, str, Deadline | None]]:
    rows: list[tuple[str, str, str, Deadline | None]] = []
    if not GOLD.exists():
        return rows
    for path in sorted(GOLD.glob("*.json")):
        record = json.loads(path.read_text(encoding="utf-8"))
        for rec in record.get("recommendations", []):
            if "deadline" in rec:  # a key left out is unscored in the gold
                expected = Deadline(**rec["deadline"]) if rec["deadline"] else None
                rows.append((path.stem, rec["number"], rec["text"], expected))
    return rows


def _scored(deadline: Deadline | None) -> tuple[str, str | None, int | None] | None:
    """What the scorer compares: the printed span's extent is the annotator's choice ("向大会第七十八届会议提交")."""
    return (deadline.kind, deadline.date, deadline.session) if deadline else None


@pytest.mark.parametrize(("doc", "number", "text", "expected"), _gold_deadlines())
def test_gold_recommendation_deadlines(doc: str, number: str, text: str, expected: Deadline | None) -> None:
    found = find_deadline(text)
    assert _scored(found) == _scored(expected), f"{doc} recommendation {number}"
    if found is not None:
        assert found.text in text


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("December 2024", month("December 2024", "2024-12-31")),
        ("2025", year("2025", 2025)),
        ("31 December 2024", day("31 December 2024", "2024-12-31")),
        ("2025-06-30", day("2025-06-30", "2025-06-30")),
        ("Q4 2025", month("Q4 2025", "2025-12-31")),
        ("End of 2026", year_end("End of 2026", 2026)),
        ("2024年12月", month("2024年12月", "2024-12-31")),
        ("2023 年底", year_end("2023 年底", 2023)),
        ("第七十九届会议", session("第七十九届会议", 79)),
        ("Seventy-ninth session", session("Seventy-ninth session", 79)),
        ("Immediately", asap("Immediately")),
        ("Target date: 30 September 2025", day("30 September 2025", "2025-09-30")),
        ("Ongoing", None),
        ("Not applicable", None),
        ("", None),
    ],
)
def test_parse_deadline_phrase(phrase: str, expected: Deadline | None) -> None:
    assert parse_deadline_phrase(phrase) == expected


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        # The quarter rule: the last day of the quarter's last month, kind "month", in every printed form.
        ("First quarter of 2025", month("First quarter of 2025", "2025-03-31")),
        ("Fourth quarter 2024", month("Fourth quarter 2024", "2024-12-31")),
        ("Quarter 2 2025", month("Quarter 2 2025", "2025-06-30")),
        ("Q3-2025", month("Q3-2025", "2025-09-30")),
        ("2025 Q1", month("2025 Q1", "2025-03-31")),
        ("2025 年第一季度", month("2025 年第一季度", "2025-03-31")),
        ("2025年三季度", month("2025年三季度", "2025-09-30")),
        ("2026 年第 4 季度", month("2026 年第 4 季度", "2026-12-31")),
        ("Q1 2025", month("Q1 2025", "2025-03-31")),
        ("Third quarter, 2025", month("Third quarter, 2025", "2025-09-30")),
        ("2025年第一季度末", month("2025年第一季度末", "2025-03-31")),
        # A span of years in a due-date column (实施日期 of an action plan): due at the end of the span.
        ("2018-2021年", year("2018-2021年", 2021)),
        ("2019–2020", year("2019–2020", 2020)),
        # A revision replaces the original date, even when it is no date.
        ("Original target date: December 2024 Revised target date: First quarter of 2025",
         month("First quarter of 2025", "2025-03-31")),
        ("Revised target date: Not applicable", None),
        ("Target date: Second quarter of 2025 Revised target date: Q4 2025", month("Q4 2025", "2025-12-31")),
        ("First quarter of 2026 (revised)", month("First quarter of 2026", "2026-03-31")),
        ("修订目标日期：2026年第三季度", month("2026年第三季度", "2026-09-30")),
        ("修订后的目标日期：2025 年第二季度", month("2025 年第二季度", "2025-06-30")),
        ("Not applicable", None),
        ("Closure requested", None),
        ("正在执行", None),
        ("从 2019 年起", None),
    ],
)
def test_target_dates(cell: str, expected: Deadline | None) -> None:
    assert parse_target_date(cell) == expected


@pytest.mark.parametrize("text", [
    "The Board recommended that UNDP align the programme budget for 2024-2025 with its strategic plan.",
    "审计委员会建议开发署将 2024-2025 年方案预算与战略计划保持一致。",
])
def test_a_span_of_years_in_running_text_is_no_deadline(text: str) -> None:
    assert find_deadline(text) is None


@pytest.mark.parametrize(
    ("numeral", "value"),
    [
        ("七十八", 78),
        ("七十七", 77),
        ("二〇二三", 2023),
        ("十", 10),
        ("十二", 12),
        ("二十", 20),
        ("一百零五", 105),
        ("一千九百四十五", 1945),
        ("两千零二十三", 2023),
        ("７８", 78),
        ("81", 81),
        ("三万", 30000),
    ],
)
def test_chinese_number(numeral: str, value: int) -> None:
    assert chinese_number(numeral) == value


@pytest.mark.parametrize("bad", ["", "第七十八届", "abc", "十十", "七八十"])
def test_chinese_number_rejects_non_numerals(bad: str) -> None:
    with pytest.raises(ValueError):
        chinese_number(bad)


@pytest.mark.parametrize(
    ("word", "value"),
    [
        ("first", 1),
        ("eighth", 8),
        ("twelfth", 12),
        ("eightieth", 80),
        ("seventy-eighth", 78),
        ("Eighty-First", 81),
        ("81st", 81),
        ("one hundred and first", 101),
    ],
)
def test_english_ordinal(word: str, value: int) -> None:
    assert english_ordinal(word) == value


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("第七十七届会议", 77),
        ("大会第 78 届会议", 78),
        ("Eightieth session", 80),
        ("at its 81st session", 81),
        ("no session here", None),
    ],
)
def test_session_number(text: str, value: int | None) -> None:
    assert session_number(text) == value


# --------------------------------------------------------------------------------------------
# Properties
# --------------------------------------------------------------------------------------------

_PIECES = [
    "The executive heads should",
    "秘书长应",
    "大会应",
    ", ",
    "，",
    ". ",
    "。",
    " ",
    "by the end of ",
    "in ",
    "at its ",
    "before ",
    "no later than ",
    "during ",
    "seventy-eighth session",
    "81st session",
    "2023",
    "2025/26",
    "２０２４",
    "二〇二三",
    "年",
    "年底",
    "前",
    "之前",
    "月",
    "日",
    "12",
    "30",
    "June ",
    "mid-",
    "第",
    "七十八",
    "届会议",
    "尽早",
    "as soon as possible",
    "since ",
    "从",
    "起",
    "截至",
    "for the period from 1 July 2026 to 30 June 2027",
    "\u00ad",
    "\u3000",
    "\n",
    "ﬁ",
    "①",
    "²",
]
_texts = st.one_of(
    st.text(max_size=200),
    st.lists(st.sampled_from(_PIECES) | st.text(max_size=5), max_size=25).map("".join),
)
_PROPS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_PROPS
@given(_texts)
def test_never_raises_and_text_is_printed_substring(text: str) -> None:
    found = find_deadline(text)
    if found is not None:
        assert found.text
        assert found.text in text
    phrase = parse_deadline_phrase(text)
    if phrase is not None:
        assert phrase.text in text


@_PROPS
@given(_texts)
def test_idempotent_on_own_text(text: str) -> None:
    found = find_deadline(text)
    if found is not None and found.organ is None:  # "at its eighth session" takes its organ from the sentence
        assert find_deadline(found.text) == found
        assert parse_deadline_phrase(found.text) == found


def organ_session(text: str, organ: str) -> Deadline:
    return Deadline(text, "session", None, None, organ)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A/81/6 (Sect. 2), para. 2.51: another organ's session is no General Assembly session
        ("In Vienna, such efforts enabled six resolutions and seven decisions at the sixty-eighth session of the "
         "Commission on Narcotic Drugs to be delivered in time for the votes.",
         organ_session("at the sixty-eighth session of the Commission on Narcotic Drugs", "Commission on Narcotic Drugs")),
        ("UNEP should report to the United Nations Environment Assembly at its eighth session.",
         organ_session("at its eighth session", "United Nations Environment Assembly")),
        ("The Secretary-General should report at the eighth session of the United Nations Environment Assembly.",
         organ_session("at the eighth session of the United Nations Environment Assembly",
                       "United Nations Environment Assembly")),
        # "its" is the Assembly's when the Assembly is the organ named before it (A/80/604/Add.4-style wording)
        ("The Advisory Committee recommends that the General Assembly request the Secretary-General to report "
         "thereon to the Assembly at its eighty-first session.", session("at its eighty-first session", 81)),
        ("The Secretary-General should report at the eightieth session of the General Assembly.",
         session("at the eightieth session of the General Assembly", 80)),
        ("行预咨委会建议大会请秘书长向联合国环境大会第八届会议提交报告。",
         organ_session("联合国环境大会第八届会议", "联合国环境大会")),
        ("环境署应向环境大会提交报告，供其第八届会议审议。", organ_session("其第八届会议", "环境大会")),
        # A/76/7/Add.38, para. 15
        ("因此，行预咨委会建议大会请秘书长向大会第七十八届会议提交一份关于 COVID-19 应对工作的单独报告。",
         session("大会第七十八届会议", 78)),
    ],
)
def test_sessions_of_other_organs(text: str, expected: Deadline) -> None:
    assert find_deadline(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # The year money is appropriated for is no time limit (A/79/352 wording, as a recommendation).
        ("The General Assembly is requested to appropriate the amount of SwF 26.5 million for the project in 2025.",
         None),
        ("The Advisory Committee recommends that the remainder of project costs to be financed by Member States be "
         "appropriated in its entirety at the beginning of 2025.", None),
        ("请大会为该项目在 2025 年批款 2 650 万瑞士法郎。", None),
        # ... but a report due that year is, and so is an explicit "by"
        ("The Secretary-General should submit the revised cost plan in 2025.", year("in 2025", 2025)),
        ("建议大会请秘书长在 2025 年提交关于经费的报告。", year("在 2025 年", 2025)),
        ("The Committee recommends that the Assembly appropriate the amount by the end of 2025.",
         year_end("by the end of 2025", 2025)),
        # A/80/604/Add.1, para. 44: a budget period
        ("Accordingly, the Committee recommends that the General Assembly appropriate the amount of $61,552,000 for "
         "the maintenance of the Force for the 12-month period from 1 July 2026 to 30 June 2027.", None),
    ],
)
def test_appropriation_years_are_no_deadlines(text: str, expected: Deadline | None) -> None:
    assert find_deadline(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # The documented rule: the beginning of a year is its first month, January (JIU/REP/2025/2, rec. 8).
        ("At the beginning of 2026, the legislative organs and governing bodies should review the policy.",
         month("At the beginning of 2026", "2026-01-31")),
        ("The executive heads should report at the start of 2026.", month("at the start of 2026", "2026-01-31")),
        ("The executive heads should report in early 2026.", month("in early 2026", "2026-01-31")),
        ("秘书长应在 2026 年初提交报告。", month("在 2026 年初", "2026-01-31")),
        ("秘书长应在2026年年初提交报告。", month("在2026年年初", "2026-01-31")),
        # A/76/644, para. 16: an intention with no directive verb is no deadline
        ("秘书处打算在 2022 年初与主要会员国组讨论拟议预算的格式。", None),
    ],
)
def test_beginning_of_a_year_is_its_january(text: str, expected: Deadline | None) -> None:
    assert find_deadline(text) == expected
