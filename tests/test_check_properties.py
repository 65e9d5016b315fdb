"""Properties of `check` over generated forms (issue: check).

* A valid generated form — every error rule of shared/spec/rules.md respected — has no
  error finding.
* Corrupting one chosen cell yields exactly the expected error rule at that cell.

The generator below builds validity from the rules themselves (sums, bands, tiers), written
out here independently of the code under test.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from tempfile import TemporaryDirectory

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xltools import api
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
SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
NAMES = st.text(
    alphabet="信息系统维护经费公共服务窗口社区医疗互助帮困补助", min_size=2, max_size=12
)
# First indicator row in our templates: 申报表 row 14, 自评表 row 13 (header one row above).
DECL_FIRST, SELF_FIRST = 14, 13


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


def errors(record, edit=None) -> set[tuple[str, str]]:
    with TemporaryDirectory() as tmp:
        path = api.write_form(Path(tmp) / "form.xlsx", record)
        if edit:
            edit(path)
        report = api.check([path])
        return {(f.rule, f.cell) for f in report.findings if f.severity == "错误"}


@SETTINGS
@given(st.one_of(declarations(), self_evaluations()))
def test_valid_generated_form_has_no_errors(record) -> None:
    assert errors(record) == set()


@SETTINGS
@given(declarations(), st.data())
def test_one_corrupted_declaration_cell_gives_exactly_its_rule(record: Declaration, data) -> None:
    i = data.draw(st.integers(0, len(record.indicators) - 1))
    row = DECL_FIRST + i
    ind = record.indicators[i]
    corruptions = {
        "D01": (lambda r: replace(r, project_name=None), "B3"),
        "D03": (
            lambda r: (
                replace(r, start_date=r.end_date, end_date=r.start_date.replace("-01", "-02", 1))
                if r.start_date != r.end_date
                else r
            ),
            "B6",  # the start date is marked, not the end date
        ),
        "D06": (
            lambda r: replace(r, funds=replace(r.funds, annual_total=r.funds.annual_total + 1)),
            "E7",
        ),
        "D10": (lambda r: _with_indicator(r, i, level2=WRONG_LEVEL2[ind.level1]), f"C{row}"),
        "D11": (lambda r: _with_indicator(r, i, target=None), f"E{row}"),
    }
    rule = data.draw(st.sampled_from(sorted(corruptions)))
    mutate, cell = corruptions[rule]
    if rule == "D03":
        bad = replace(record, start_date=f"{record.year}-12-31", end_date=f"{record.year}-01-01")
    else:
        bad = mutate(record)
    assert errors(bad) == {(rule, cell)}


@SETTINGS
@given(self_evaluations(), st.data())
def test_one_corrupted_self_evaluation_cell_gives_exactly_its_rule(
    record: SelfEvaluation, data
) -> None:
    i = data.draw(st.integers(0, len(record.indicators) - 1))
    row = SELF_FIRST + i
    total_row = SELF_FIRST + max(20, len(record.indicators))  # 总分 row below the table
    ind = record.indicators[i]
    options = {
        # The funds row's 分值 10 → 11: the weights no longer sum to 100 (shown on the 总分 row).
        "S06": (
            lambda r: replace(r, funds=replace(r.funds, total=replace(r.funds.total, weight=11.0))),
            f"G{total_row}",
        ),
        "S16": (lambda r: _with_indicator(r, i, level2=WRONG_LEVEL2[ind.level1]), f"C{row}"),
    }
    if (
        ind.weight
        and ind.weight >= 0.02
        and ind.actual not in ("达成指标", "部分达成指标并具有一定效果")
    ):
        options["S09"] = (
            lambda r: _with_indicator(r, i, score=ind.weight - 0.01, deviation_reason=None),
            f"I{row}",
        )
    if ind.actual == "部分达成指标并具有一定效果" and ind.weight and ind.weight >= 1:
        options["S12"] = (
            lambda r: _with_indicator(r, i, score=round(ind.weight * 0.5, 2)),
            f"H{row}",
        )
    rule = data.draw(st.sampled_from(sorted(options)))
    mutate, cell = options[rule]
    assert errors(mutate(record)) == {(rule, cell)}


def _with_indicator(record, i: int, **changes):
    inds = list(record.indicators)
    inds[i] = replace(inds[i], **changes)
    return replace(record, indicators=inds)
