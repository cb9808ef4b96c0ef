"""Addressee and position cues, on real recommendation and response wording in English and Chinese."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extractors.lib.cues import classify_addressee, classify_position
from extractors.lib.records import Addressee, Position
from tests.corpus import GOLD

ADDRESSEE_CASES: list[tuple[str, Addressee | None]] = [
    (
        "The executive heads of the United Nations system organizations should, by the end of 2023, review their "
        "business continuity management frameworks.",
        "executive_heads",
    ),
    (
        "By the end of 2026, executive heads of United Nations system organizations who have not yet done so should "
        "incorporate SEA into their enterprise risk management processes.",
        "executive_heads",
    ),
    (
        "Taking into consideration the employment relationship principle, the executive heads of the United Nations "
        "system organizations should, by the end of 2026, develop social benefit policies.",
        "executive_heads",
    ),
    (
        "The executive heads of the JIU participating organizations, in their capacity as members of CEB, should, by "
        "the end of 2027, update the Glossary of financial and budgetary terms.",
        "executive_heads",
    ),
    (
        "The Executive Director should conclude, by the end of 2025, the review of the UNEP Delegation of Authority "
        "Policy and Framework.",
        "executive_heads",
    ),
    (
        "The legislative organs and governing bodies of the United Nations system organizations should request the "
        "executive heads to report annually.",
        "legislative_bodies",
    ),
    (
        "At the beginning of 2028, legislative organs and/or governing bodies of United Nations system organizations "
        "should request an update from the executive heads.",
        "legislative_bodies",
    ),
    (
        "By the end of 2024, each Executive Board should create an ad hoc committee to assess the recommendations.",
        "legislative_bodies",
    ),
    (
        "The United Nations Environment Assembly should, at its eighth session at the latest, clarify the mandate of "
        "the Committee of Permanent Representatives.",
        "legislative_bodies",
    ),
    (
        "At its eighty-first session, the General Assembly should request that all allegations of SEA be recorded in "
        "the iReport SEA Tracker.",
        "general_assembly",
    ),
    (
        "The General Assembly should request the Secretary-General to present a comprehensive proposal.",
        "general_assembly",
    ),
    (
        "The Advisory Committee recommends the approval of the proposals of the Secretary-General for civilian "
        "personnel.",
        "general_assembly",
    ),
    (
        "The proposed resources amount to $289,700. The report of the Secretary-General indicates that UNDOF will "
        "continue repairs. The Advisory Committee, taking the past spending patterns into consideration, recommends a "
        "reduction of 5 per cent ($14,500).",
        "general_assembly",
    ),
    (
        "By the end of 2026, the Secretary-General should commission a report with regard to the feasibility of "
        "establishing shared and/or common services.",
        "secretary_general",
    ),
    (
        "The Secretary-General, in his capacity as Chair of CEB, should ensure system-wide coherence.",
        "secretary_general",
    ),
    ("Member States should consider providing voluntary contributions to the trust fund.", "member_states"),
    ("The High-level Committee on Management should establish a working group on common services.", "other"),
    (
        "The Committee of Permanent Representatives should request the Executive Director to present in 2026 a "
        "monitoring framework.",
        "other",
    ),
    (
        "The Inspectors recommend that participating organizations frame their policy language around prohibited "
        "conduct.",
        "other",
    ),
    (
        "Requests the Secretary-General to improve comprehensive oversight of the activities of peacekeeping missions.",
        None,
    ),
    (
        "To take note of the unencumbered balance of $871,600 with respect to the period from 1 July 2024 to "
        "30 June 2025;",
        None,
    ),
    ("", None),
    # Variants of "legislative organs and governing bodies" and of "executive heads" (E/ICEF/2025/14)
    (
        "The legislative and/or governing bodies of the United Nations system organizations should request the "
        "executive heads who have not yet done so to include in their reports on human resources relevant data.",
        "legislative_bodies",
    ),
    (
        "Legislative and/or governing bodies of United Nations system organizations should request that executive "
        "heads provide, by the end of 2026, an update on the development and implementation of the mental health "
        "and well-being workplace action plan.",
        "legislative_bodies",
    ),
    (
        "Based on their own approved terms of reference, the Executive Boards should develop terms of reference for "
        "Board members that are aligned with the JIU benchmark, including for specialized positions, such as Bureau "
        "members.",
        "legislative_bodies",
    ),
    (
        "The executive heads of the United Nations system organization who are not already doing so should include "
        "non-staff personnel in their regular workforce assessments.",
        "executive_heads",
    ),
    ("The heads of the United Nations system organizations should ensure that staff are consulted.", "executive_heads"),
    ("Heads of participating organizations should report annually.", "executive_heads"),
    ("Heads of departments should review the policy.", "other"),  # the Secretary-General's managers
    # Chinese
    ("各组织首长应在 2026 年底前审查政策。", "executive_heads"),
    ("各参与组织的立法机构和（或）理事机构应尽早审议该报告。", "legislative_bodies"),
    ("联合国系统各组织的行政首长应在2023年底前审查其业务连续性管理框架。", "executive_heads"),
    (
        "2023 年，联合国系统各组织行政首长应对 COVID-19 大流行期间业务运行的连续性进行内部管理评估。",
        "executive_heads",
    ),
    (
        "在 2019 年底前，联合国系统各组织的行政首长确保所有主管和管理人员必须接受关于举报政策的具体培训。",
        "executive_heads",
    ),
    (
        "联合国系统各组织的行政首长作为联合国系统行政首长协调理事会成员，应指示管理问题高级别委员会制定全系统的方法。",
        "executive_heads",
    ),
    (
        "联合国系统各组织的立法机关和理事机构应尽早审议各自组织的行政首长编写的关于业务连续性内部管理评估的结论。",
        "legislative_bodies",
    ),
    ("为了履行其监督作用和责任，立法/理事机构应至少每年一次将机构风险管理纳入其会议。", "legislative_bodies"),
    ("联合国系统各组织的理事机构应鼓励会员国与联合国国际贸易法委员会合作。", "legislative_bodies"),
    ("执行局应在 2026 年年度会议上审议该报告。", "legislative_bodies"),
    ("大会应请秘书长在第八十一届会议上提交报告。", "general_assembly"),
    ("行预咨委会建议大会核准秘书长的提议。", "general_assembly"),
    ("秘书长应确保在 2025 年底前完成审查。", "secretary_general"),
    ("会员国应考虑向信托基金提供自愿捐款。", "member_states"),
    (
        "行政首长协调理事会管理问题高级别委员会成员应在 2021 年底前确保其风险管理问题跨部门工作队继续开展工作。",
        "other",
    ),
    ("联合国系统行政首长协调理事会应在 2025 年底前制定共同办法。", "other"),
]

POSITION_CASES: list[tuple[str, Position | None]] = [
    ("Organizations support this recommendation.", "supported"),
    ("Organizations generally support recommendation 3 and note that work is under way.", "supported"),
    ("UNFPA fully accepts this recommendation.", "supported"),
    ("Accepted and implemented", "supported"),
    ("Organizations partially support this recommendation.", "partially_supported"),
    (
        "Organizations support this recommendation in part, as some of its elements fall outside their mandates.",
        "partially_supported",
    ),
    ("Organizations do not fully support this recommendation.", "partially_supported"),
    ("Partially accepted", "partially_supported"),
    ("Organizations do not support this recommendation.", "not_supported"),
    ("Bearing this in mind, UNDP does not accept this recommendation.", "not_supported"),
    ("Not accepted", "not_supported"),
    (
        "Organizations note that the recommendation is addressed to the legislative organs and governing bodies.",
        "noted",
    ),
    ("Organizations note that recommendation 6 is directed to the General Assembly.", "noted"),
    ("Organizations take note of the recommendation.", "noted"),
    ("UNICEF notes that this recommendation is directed to the Executive Board.", "noted"),
    ("Under consideration", None),
    ("Not relevant", None),
    ("With the support of CEB, organizations have begun work on a common definition.", None),
    # Chinese (A/77/256/Add.1, WO/PBC/34/6 and SG-note wording)
    ("各组织支持这项建议。", "supported"),
    ("各组织支持这项建议，确认加强包含事后管理审查及定期管理审查的业务连续性学习机制很有助益。", "supported"),
    ("产权组织支持这项建议，并在对产权组织网络安全管理进行的独立审计的支持下开展工作。", "supported"),
    ("各组织不仅支持这项建议，还提议扩大其范围。", "supported"),
    ("已接受", "supported"),
    (
        "各组织部分支持这项建议。各实体作为组织复原力管理系统网络的当前成员，定期提供信息。",
        "partially_supported",
    ),
    ("各组织不完全支持这项建议。", "partially_supported"),
    ("各组织不支持这项建议。", "not_supported"),
    ("未予接受", "not_supported"),
    ("各组织指出这项建议是针对立法机关和理事机构提出的。", "noted"),
    ("各组织注意到这项建议。", "noted"),
    ("不相关", None),
    ("正在考虑", None),
]


@pytest.mark.parametrize(("text", "expected"), ADDRESSEE_CASES)
def test_classify_addressee(text: str, expected: Addressee | None) -> None:
    assert classify_addressee(text) == expected


@pytest.mark.parametrize(("text", "expected"), POSITION_CASES)
def test_classify_position(text: str, expected: Position | None) -> None:
    assert classify_position(text) == expected


def _gold_rows(section: str) -> list[tuple[str, dict[str, object]]]:
    if not GOLD.exists():
        return []
    rows = []
    for path in sorted(GOLD.glob("*.json")):
        for row in json.loads(path.read_text(encoding="utf-8")).get(section, []):
            rows.append((path.stem, row))
    return rows


@pytest.mark.parametrize(
    ("doc", "rec"),
    [(doc, rec) for doc, rec in _gold_rows("recommendations") if doc in {"A_77_256_Add.1", "JIU_REP_2025_2"}],
)
def test_gold_jiu_addressees_and_positions(doc: str, rec: dict[str, object]) -> None:
    """JIU recommendations name their addressee as the subject, so the gold must agree exactly."""
    assert classify_addressee(str(rec["text"])) == rec["addressee"], f"{doc} {rec['number']}"
    response = rec.get("response")
    if isinstance(response, dict):
        assert classify_position(str(response["text"])) == response["position"], f"{doc} {rec['number']}"


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_cues_never_raise(text: str) -> None:
    classify_addressee(text)
    classify_position(text)
