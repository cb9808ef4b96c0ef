"""Numbers as UN tables print them (pipeline.core.numbers): table-driven cases plus a round-trip property."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.core.numbers import detect_unit, parse_number, unit_scale


@pytest.mark.parametrize(
    ("cell", "value"),
    [
        ("4 692.4", 4692.4),  # thin-space thousands separator (JIU and budget tables)
        ("4\u2009692.4", 4692.4),
        ("4\u00a0692.4", 4692.4),
        ("1,748,000", 1748000.0),
        ("1 079", 1079.0),
        ("(973.2)", -973.2),  # negative amounts in parentheses
        ("(1 234)", -1234.0),
        ("-5", -5.0),
        ("−3.2", -3.2),  # U+2212 minus sign
        ("+2.5", 2.5),
        ("0.5", 0.5),
        ("100", 100.0),
        ("12.5%", 12.5),  # per cent values stay in per cent
        ("12.5 per cent", 12.5),
        ("12.5 percent", 12.5),
        ("33.3%", 33.3),
        ("１２３", 123.0),  # full-width digits in Chinese documents
        ("１，２３４．５", 1234.5),
        ("（９７３.２）", -973.2),
        ("$61,615,100", 61615100.0),
        ("US$ 5,000", 5000.0),
        ("SwF 2.3 million", 2300000.0),
        ("12.5万", 125000.0),
        ("12,5", 12.5),  # decimal comma (only with one or two decimals)
    ],
)
def test_parse_number(cell: str, value: float) -> None:
    assert parse_number(cell) == pytest.approx(value)


@pytest.mark.parametrize(
    "cell",
    ["", "   ", "—", "–", "-", "‒", "…", "n/a", "N/A", "－", "Total", "abc", "2023年", "A/80/596", "1.2.3", "12 34"],
)
def test_not_a_number(cell: str) -> None:
    assert parse_number(cell) is None


@pytest.mark.parametrize(
    ("caption", "unit", "scale"),
    [
        ("Table 3 Resources (Thousands of United States dollars)", "thousands of United States dollars", 1e3),
        ("Table 2 Post changes (Millions of United States dollars)", "millions of United States dollars", 1e6),
        ("Figure A.IV.II Earned value (Millions of Swiss francs)", "millions of Swiss francs", 1e6),
        ("表 2 所需资源（千美元）", "千美元", 1e3),
        ("表 5 百万美元", "百万美元", 1e6),
        ("Table 1 Financial resources (United States dollars)", "United States dollars", 1.0),
        ("Table 4 Vacancy rates (Percentage)", "percentage", 1.0),
        ("Table 1 Outcomes of sexual exploitation and abuse investigations, by personnel category, 2017–2024",
         None, 1.0),
        (None, None, 1.0),
    ],
)
def test_detect_unit(caption: str | None, unit: str | None, scale: float) -> None:
    assert detect_unit(caption) == unit
    assert unit_scale(detect_unit(caption)) == scale


def _grouped(value: int, separator: str) -> str:
    return f"{value:,}".replace(",", separator)


@given(st.integers(min_value=0, max_value=10**12), st.sampled_from([",", " ", "\u2009", "\u00a0"]),
       st.booleans())
def test_printed_integers_round_trip(value: int, separator: str, negative: bool) -> None:
    printed = _grouped(value, separator)
    if negative:
        printed = f"({printed})"
    assert parse_number(printed) == (-value if negative else value)
