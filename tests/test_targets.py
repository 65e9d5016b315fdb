"""The 指标值 notation (shared/spec/rules.md, forms.md §1) and the score it implies.

Expected values are written by hand from the notation and the formulas in rules.md:
≥, >, = with T > 0: A ≥ T → W, else W × A / T; = with T = 0: A ≤ 0 → W, else 0;
≤, <: A ≤ T → W, T < A < 2T → W × (1 − (A − T) / T), A ≥ 2T → 0 (or W × T / A, "ratio").
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xltools.check.targets import (
    Value,
    computed_score,
    looks_like_sentence,
    over_achieved,
    parse_value,
    same_unit,
)


def parsed(text: str) -> tuple[str | None, float | None, str]:
    value = parse_value(text)
    assert value is not None
    return value.op, value.number, value.unit


# -- the notation --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "op"),
    [
        (">=95%", ">="),
        ("≥95%", ">="),
        ("＞=95%", ">="),
        ("＞＝95%", ">="),
        ("=>95%", ">="),
        ("≧95%", ">="),
        (">95%", ">"),
        ("＞95%", ">"),
        ("<=95%", "<="),
        ("≤95%", "<="),
        ("＜=95%", "<="),
        ("=<95%", "<="),
        ("≦95%", "<="),
        ("<95%", "<"),
        ("＜95%", "<"),
        ("=95%", "="),
        ("＝95%", "="),
        ("95%", "="),  # no operator: the value itself
    ],
)
def test_operators(text: str, op: str) -> None:
    assert parsed(text) == (op, 95.0, "%")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("≥10000.00(人)", (">=", 10000.0, "人")),  # seed 002
        ("≥10000.00（人）", (">=", 10000.0, "人")),  # full-width brackets
        ("=100.00(%)", ("=", 100.0, "%")),
        ("≤100000.00(元)", ("<=", 100000.0, "元")),
        ("≤2.00(小时)", ("<=", 2.0, "小时")),
        ("<=90分钟", ("<=", 90.0, "分钟")),
        ("=1次/季", ("=", 1.0, "次/季")),
        ("100%", ("=", 100.0, "%")),
        ("12次", ("=", 12.0, "次")),
        ("≥90", (">=", 90.0, "")),
        (">=1,738.49万元", (">=", 1738.49, "万元")),  # thousands separator
        ("≥29,620,000", (">=", 29620000.0, "")),
        ("≥0.5%", (">=", 0.5, "%")),
        ("＞＝９５％", (">=", 95.0, "%")),  # full-width digits, operator and percent sign
        ("≥１，０００人", (">=", 1000.0, "人")),
        ("≥ 95 %", (">=", 95.0, "%")),  # spaces
        ("-5%", ("=", -5.0, "%")),
        ("≥6次", (">=", 6.0, "次")),
    ],
)
def test_quantitative_values(text: str, expected: tuple[str, float, str]) -> None:
    value = parse_value(text)
    assert value is not None
    assert value.quantitative
    assert (value.op, value.number, value.unit) == expected
    assert value.text == text  # the original spelling is kept for messages


@pytest.mark.parametrize(
    "text",
    [
        "及时",
        "达成指标",
        "部分达成指标并具有一定效果",
        "按实",
        "按文件规定",
        "健全",
        "保证每周2-3次",  # a number inside a sentence
        "95%-100%",  # a range is not one target
        "约100人",
    ],
)
def test_qualitative_values(text: str) -> None:
    value = parse_value(text)
    assert value == Value(text)
    assert not value.quantitative
    assert (value.op, value.number, value.unit) == (None, None, "")


@pytest.mark.parametrize("blank", [None, "", "   "])
def test_blank_is_none(blank: str | None) -> None:
    assert parse_value(blank) is None


def test_normalised_flag_for_full_width() -> None:
    assert parse_value("＞＝９５％").normalised  # type: ignore[union-attr]
    assert parse_value("≥１０００人").normalised  # type: ignore[union-attr]
    assert not parse_value(">=95%").normalised  # type: ignore[union-attr]
    assert not parse_value("≥95%").normalised  # type: ignore[union-attr]  # ≥ is not full-width


@pytest.mark.parametrize(
    ("text", "upper"),
    [("≤2(小时)", True), ("<90分钟", True), ("≥95%", False), ("=100%", False), ("及时", False)],
)
def test_upper_bound_is_a_reverse_indicator(text: str, upper: bool) -> None:
    assert parse_value(text).upper_bound is upper  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("text", "sentence"),
    [
        ("保证每周2-3次", True),
        ("按照合同约定完成全部维护保养工作", True),  # 16 characters
        ("及时", False),
        ("按文件规定", False),
        (">=95%", False),
    ],
)
def test_looks_like_sentence(text: str, sentence: bool) -> None:
    assert looks_like_sentence(parse_value(text)) is sentence  # type: ignore[arg-type]


def test_same_unit() -> None:
    assert same_unit(parse_value("≥95%"), parse_value("80%"))  # type: ignore[arg-type]
    assert same_unit(parse_value("≥10000.00(人)"), parse_value("12000人"))  # type: ignore[arg-type]
    assert not same_unit(parse_value("≥95%"), parse_value("80人"))  # type: ignore[arg-type]


# -- computed score --------------------------------------------------------------------------------


def score(target: str, actual: str, weight: float | None = 10, reverse: str = "linear") -> float:
    result = computed_score(parse_value(target), parse_value(actual), weight, reverse)
    assert result is not None
    return result


@pytest.mark.parametrize(
    ("target", "actual", "weight", "expected"),
    [
        ("≥95%", "100%", 10, 10),
        ("≥95%", "95%", 10, 10),
        ("≥95%", "80%", 10, 8.421052631578947),  # 10 × 80 / 95
        ("≥85%", "80%", 7, 6.588235294117647),  # seed 004: 7 × 80 / 85
        ("≥90%", "85%", 9, 8.5),  # seed 004: 9 × 85 / 90
        (">90", "45", 10, 5),
        ("=100%", "90%", 12, 10.8),
        ("=100.00(%)", "100(%)", 12, 12),
        ("≥10000.00(人)", "8000(人)", 20, 16),
        ("≥6次", "12次", 10, 10),
        ("=0次", "0次", 10, 10),  # = with T = 0: A ≤ 0 → W
        ("=0次", "2次", 10, 0),  # … else 0
        ("≥95%", "-5%", 10, 0),  # A < 0 read as 0
        ("≤2(小时)", "1.5(小时)", 10, 10),
        ("≤2(小时)", "2(小时)", 10, 10),
        ("≤2(小时)", "3(小时)", 10, 5),  # 10 × (1 − 1 / 2)
        ("<=90分钟", "135分钟", 12, 6),  # 12 × (1 − 45 / 90)
        ("<=90分钟", "99分钟", 10, 9),  # 10 × (1 − 9 / 90)
        ("≤2(小时)", "4(小时)", 10, 0),  # A = 2T → 0
        ("≤2(小时)", "5(小时)", 10, 0),
        ("<2(小时)", "-1(小时)", 10, 10),
        ("≤0次", "0次", 10, 10),
        ("≤0次", "1次", 10, 0),
    ],
)
def test_computed_score_linear(target: str, actual: str, weight: float, expected: float) -> None:
    assert score(target, actual, weight) == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize(
    ("target", "actual", "weight", "expected"),
    [
        ("≤2(小时)", "1(小时)", 10, 10),
        ("≤2(小时)", "3(小时)", 10, 6.666666666666667),  # 10 × 2 / 3
        ("≤2(小时)", "4(小时)", 10, 5),  # the linear formula gives 0 here
        ("≤2(小时)", "8(小时)", 12, 3),
        ("≥95%", "80%", 10, 8.421052631578947),  # forward indicators unchanged
        ("≤0次", "1次", 10, 0),
        ("≤-5%", "0%", 10, 0),  # a target below zero, missed: 0 like the linear formula
        ("≤-5%", "-8%", 10, 0),  # A < 0 is read as 0, which is above T
    ],
)
def test_computed_score_ratio(target: str, actual: str, weight: float, expected: float) -> None:
    assert score(target, actual, weight, "ratio") == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize(
    ("target", "actual", "weight"),
    [
        ("≥95%", "80人", 10),  # units differ
        ("≥10000(人)", "8000(人次)", 10),
        ("≥95%", "达成指标", 10),  # qualitative actual
        ("≥95%", "按实", 10),
        ("及时", "及时", 10),
        ("及时", "100%", 10),
        ("≥95%", None, 10),
        (None, "95%", 10),
        ("≥95%", "100%", None),  # no weight
    ],
)
def test_computed_score_not_applicable(target: str | None, actual: str | None, weight) -> None:
    assert computed_score(parse_value(target), parse_value(actual), weight) is None


@pytest.mark.parametrize(
    ("target", "actual", "threshold", "over"),
    [
        ("≥6次", "12次", 1.2, True),
        ("≥6次", "7.2次", 1.2, True),  # exactly 1.2 × target
        ("≥6次", "7次", 1.2, False),
        ("≥6次", "8次", 1.5, False),
        ("=100%", "120%", 1.2, True),
        (">50人", "61人", 1.2, True),
        ("≤2(小时)", "0.5(小时)", 1.2, False),  # reverse indicators are never over-achieved
        ("≥6次", "12(人次)", 1.2, False),  # units differ
        ("≥0次", "5次", 1.2, False),  # T = 0
        ("≥6次", "超额完成", 1.2, False),
    ],
)
def test_over_achieved(target: str, actual: str, threshold: float, over: bool) -> None:
    assert over_achieved(parse_value(target), parse_value(actual), threshold) is over


# -- properties --------------------------------------------------------------------------------

OPERATOR_SPELLINGS = [
    (">=", ">="),
    ("≥", ">="),
    ("＞=", ">="),
    ("＞＝", ">="),
    (">", ">"),
    ("＞", ">"),
    ("<=", "<="),
    ("≤", "<="),
    ("＜=", "<="),
    ("<", "<"),
    ("＜", "<"),
    ("=", "="),
    ("＝", "="),
    ("", "="),
]
UNITS = st.one_of(
    st.sampled_from(["", "%", "人", "次", "分钟", "小时", "次/季", "元", "万元", "户", "个"]),
    st.text(alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5), max_size=6),
)
FULL_WIDTH = str.maketrans("0123456789,.", "０１２３４５６７８９，．")


@st.composite
def notation(draw: st.DrawFn) -> tuple[str, str, float, str]:
    spelling, op = draw(st.sampled_from(OPERATOR_SPELLINGS))
    number = draw(st.decimals(min_value=0, max_value=10**9, places=2))
    unit = draw(UNITS)
    text = draw(st.sampled_from([f"{number}", f"{number:,}", f"{number:.2f}"]))
    if draw(st.booleans()):
        text = text.translate(FULL_WIDTH)
    if unit and draw(st.booleans()):
        unit_text = draw(st.sampled_from(["({})", "（{}）"])).format(unit)
    else:
        unit_text = unit
    return f"{spelling}{text}{unit_text}", op, float(number), unit


@given(notation())
def test_format_then_parse_returns_the_same_op_number_unit(
    case: tuple[str, str, float, str],
) -> None:
    text, op, number, unit = case
    assert parsed(text) == (op, number, unit)


VALUES = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)


@given(
    op=st.sampled_from([">=", ">", "=", "<=", "<"]),
    target=VALUES,
    actual=VALUES,
    weight=st.floats(min_value=0, max_value=100, allow_nan=False),
    reverse=st.sampled_from(["linear", "ratio"]),
)
def test_computed_score_is_within_0_and_weight(
    op: str, target: float, actual: float, weight: float, reverse: str
) -> None:
    result = computed_score(
        Value("t", op, target, "次"), Value("a", "=", actual, "次"), weight, reverse
    )
    assert result is not None
    assert math.isfinite(result)
    assert 0 <= result <= weight + 1e-9


@given(
    target=st.floats(min_value=0.01, max_value=1e6, allow_nan=False),
    weight=st.floats(min_value=0, max_value=100, allow_nan=False),
)
def test_meeting_the_target_gives_full_marks(target: float, weight: float) -> None:
    for op in (">=", ">", "=", "<=", "<"):
        met = Value("a", "=", target, "%")
        assert computed_score(Value("t", op, target, "%"), met, weight) == weight
