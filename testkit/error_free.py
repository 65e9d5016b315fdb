"""Hypothesis strategies for forms with no error finding at all: validity built from the
rules themselves (shared/spec/rules.md: sums, bands, tiers, the official frameworks),
written out here independently of the code under test.

:mod:`testkit.strategies` draws any form our template can hold (round trips, merge);
these draw forms ``check`` must pass without an error, for the properties that corrupt
one cell and expect exactly its rule:

- :func:`declarations`, :func:`self_evaluations`: one form (tests/test_check_properties.py);
- :func:`batch_declarations`: a 申报表 with every required 一级 and distinct 三级指标 under
  one framework, the start of a batch that ``prefill`` turns into 自评表 with no X rule
  (tests/test_prefill.py).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from hypothesis import strategies as st

from xltools.model import (
    Declaration,
    DeclarationFunds,
    FundsRow,
    Indicator,
    SelfEvaluation,
    SelfEvaluationFunds,
)

# The official frameworks (rules.md, "Indicator frameworks"), as the default profile accepts them.
PAIRS = {
    "产出指标": ("数量指标", "质量指标", "时效指标", "成本指标"),
    "效益指标": ("经济效益指标", "社会效益指标", "生态效益指标", "可持续影响指标"),
    "满意度指标": ("服务对象满意度指标",),
    "成本指标": ("经济成本指标", "社会成本指标", "生态环境成本指标"),
}
WRONG_LEVEL2 = {
    "产出指标": "社会效益指标",
    "效益指标": "数量指标",
    "满意度指标": "质量指标",
    "成本指标": "时效指标",
}
NAMES = st.text(
    alphabet="信息系统维护经费公共服务窗口社区医疗互助帮困补助", min_size=2, max_size=12
)


def money(cents: int) -> float:
    return float(Decimal(cents) / 100)


@st.composite
def indicators(draw: st.DrawFn, n: int) -> list[Indicator]:
    out = []
    for i in range(n):
        level1 = draw(st.sampled_from(sorted(PAIRS)))
        level2 = draw(st.sampled_from(PAIRS[level1]))
        target = draw(
            st.sampled_from([">=95%", "≥10000.00(人)", "=100%", "<=2小时", "及时", "健全"])
        )
        out.append(Indicator(level1, level2, f"指标{i + 1}", target))
    return out


@st.composite
def declarations(draw: st.DrawFn) -> Declaration:
    year = draw(st.integers(2022, 2027))
    parts = [draw(st.integers(0, 10**10)) for _ in range(3)]
    fiscal, other = draw(st.integers(0, 10**10)), draw(st.integers(0, 10**10))
    funds = DeclarationFunds(
        project_total=money(fiscal + other),
        fiscal_funds=money(fiscal),
        other_funds=money(other),
        annual_total=money(sum(parts)),
        current_appropriation=money(parts[0]),
        carryover=money(parts[1]),
        annual_other_funds=money(parts[2]),
    )
    start = draw(st.integers(1, 6))
    return Declaration(
        year=year,
        project_name=draw(NAMES),
        project_category="特定目标类",
        project_nature="经常性专项业务费",
        department="上海市长宁区医疗保障局",
        implementing_unit="上海市长宁区医疗保险事务中心",
        start_date=f"{year}-{start:02d}-01",
        end_date=f"{year}-12-31",
        funds=funds,
        overall_goal="总目标",
        annual_goal="年度目标",
        indicators=draw(indicators(draw(st.integers(1, 12)))),
    )


def _split(total: int, n: int, draw: st.DrawFn) -> list[int]:
    """``total`` split into n non-negative whole parts."""
    cuts = sorted(draw(st.lists(st.integers(0, total), min_size=n - 1, max_size=n - 1)))
    return [b - a for a, b in zip([0, *cuts], [*cuts, total], strict=True)]


@st.composite
def self_evaluations(draw: st.DrawFn) -> SelfEvaluation:
    n = draw(st.integers(1, 10))
    inds = draw(indicators(n))
    weights = _split(90, n, draw)  # whole points, as real forms use; Σ = 90, funds row 10 → 100
    for ind, w in zip(inds, weights, strict=True):
        weight = Decimal(w)
        ind.weight = float(weight)
        kind = draw(st.sampled_from(["full", "partial", "tier"]))
        if kind == "full":
            ind.actual, ind.score = (
                "100%" if "%" in (ind.target or "") else "达成指标",
                float(weight),
            )
            if ind.actual == "100%" and not (ind.target or "").startswith((">", "≥", "=")):
                ind.actual = "达成指标"
        elif kind == "tier":
            ind.actual = "部分达成指标并具有一定效果"
            ind.score = float((weight * Decimal("0.7")).quantize(Decimal("0.01"), ROUND_HALF_UP))
            ind.deviation_reason = "部分完成"
        else:
            ind.actual = "按时"
            ind.score = float((weight / 2).quantize(Decimal("0.01"), ROUND_HALF_UP))
            ind.deviation_reason = "未完全完成" if ind.score < ind.weight else None
    adjusted = draw(st.integers(1, 10**10))
    executed = draw(st.integers(0, adjusted))
    total = FundsRow(adjusted, adjusted, executed, 10.0)
    funds = SelfEvaluationFunds(
        total=total,
        current_appropriation=FundsRow(adjusted, adjusted, executed),
        carryover=FundsRow(0, 0, 0),
        other=FundsRow(0, 0, 0),
    )
    return SelfEvaluation(
        year=draw(st.integers(2020, 2026)),
        project_name=draw(NAMES),
        department="上海市长宁区医疗保障局",
        implementing_unit="上海市长宁区医疗保险事务中心",
        funds=funds,
        expected_goal="预期",
        actual_result="完成",
        indicators=inds,
    )


# -- batches for prefill ----------------------------------------------------------------------

# The official frameworks (rules.md, "Indicator frameworks"); one per form, so S18 stays quiet.
BATCH_FRAMEWORKS = {
    "2021": {
        "产出指标": ("数量指标", "质量指标", "时效指标"),
        "效益指标": ("经济效益指标", "社会效益指标", "生态效益指标", "可持续影响指标"),
        "满意度指标": ("服务对象满意度指标",),
        "成本指标": ("经济成本指标", "社会成本指标", "生态环境成本指标"),
    },
    "2015": {
        "产出指标": ("数量指标", "质量指标", "时效指标", "成本指标"),
        "效益指标": ("经济效益指标", "社会效益指标", "生态效益指标", "可持续影响指标"),
        "满意度指标": ("服务对象满意度指标",),
    },
}
REQUIRED_LEVEL1 = ("产出指标", "效益指标", "满意度指标")  # D13: every declaration has these
BATCH_WORDS = "信息系统维护经费公共服务窗口社区医疗互助帮困补助覆盖率及时准确满意度响应"
BATCH_QUALITATIVE = ("及时", "有正面报道", "按文件规定", "健全", "符合", "按实", "建立健全")
BATCH_OPERATORS = ("≥", ">=", ">", "=", "", "≤", "<=", "<", "＞＝")
BATCH_UNITS = ("%", "(%)", "(人)", "次", "(小时)", "分钟", "万元", "")


@st.composite
def batch_targets(draw: st.DrawFn) -> str:
    """``≥95%``, ``<=2.50(小时)``, ``=0次``, ``100`` … or words (a quarter of the time)."""
    if draw(st.integers(0, 3)) == 0:
        return draw(st.sampled_from(BATCH_QUALITATIVE))
    hundredths = draw(st.one_of(st.integers(0, 100).map(lambda n: n * 100), st.integers(0, 10**7)))
    whole, rest = divmod(hundredths, 100)
    number = str(whole) if rest == 0 and draw(st.booleans()) else f"{whole}.{rest:02d}"
    return draw(st.sampled_from(BATCH_OPERATORS)) + number + draw(st.sampled_from(BATCH_UNITS))


@st.composite
def batch_declarations(draw: st.DrawFn) -> Declaration:
    """A correct 申报表 with every required 一级 present and distinct 三级指标."""
    year = draw(st.integers(2022, 2027))
    framework = BATCH_FRAMEWORKS[draw(st.sampled_from(sorted(BATCH_FRAMEWORKS)))]
    extra = draw(st.lists(st.sampled_from(sorted(framework)), min_size=1, max_size=9))
    level1s = draw(st.permutations([*REQUIRED_LEVEL1, *extra]))
    indicators = [
        Indicator(
            level1,
            draw(st.sampled_from(framework[level1])),
            draw(st.text(alphabet=BATCH_WORDS, min_size=1, max_size=10)) + str(i + 1),  # distinct
            draw(batch_targets()),
        )
        for i, level1 in enumerate(level1s)
    ]
    parts = [
        draw(st.integers(100, 10**10)),
        draw(st.integers(0, 10**9)),
        draw(st.integers(0, 10**9)),
    ]
    money = [float(Decimal(c) / 100) for c in parts]
    return Declaration(
        year=year,
        project_name=draw(st.text(alphabet=BATCH_WORDS, min_size=2, max_size=14)),
        project_category="特定目标类",
        project_nature="经常性专项业务费",
        department="上海市长宁区医疗保障局",
        implementing_unit=draw(
            st.sampled_from(("上海市长宁区医疗保险事务中心", "上海市医疗保险事业管理中心"))
        ),
        start_date=f"{year}-01-01",
        end_date=f"{year}-12-31",
        money_unit=draw(st.sampled_from(("元", "万元"))),
        funds=DeclarationFunds(
            project_total=float(Decimal(sum(parts)) / 100),
            fiscal_funds=float(Decimal(sum(parts)) / 100),
            other_funds=0.0,
            annual_total=float(Decimal(sum(parts)) / 100),
            current_appropriation=money[0],
            carryover=money[1],
            annual_other_funds=money[2],
        ),
        overall_goal="保障项目持续稳定运行。",
        annual_goal=draw(st.text(alphabet=BATCH_WORDS, min_size=1, max_size=30)),
        indicators=indicators,
    )
