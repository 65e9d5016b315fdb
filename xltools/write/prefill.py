"""``prefill``: a 自评表 for each 申报表, carrying the approved indicators and targets.

财预〔2020〕10号: 单位自评指标是预算批复时确定的绩效指标 — so the 自评表 starts from the
declaration, not from a clerk retyping it: names, unit, year, every indicator with
its declared target as 年度指标值, 年初预算数 from 年度资金申请总额, and suggested
分值 from the profile (产出 50, 效益 30, 满意度 10, funds 10), split evenly inside each
一级指标 to 0.01 and summing exactly to 100.
"""

from __future__ import annotations

from collections import OrderedDict

from xltools.model import Declaration, FundsRow, Indicator, SelfEvaluation, SelfEvaluationFunds
from xltools.profiles import Profile

BUCKETS = ("产出指标", "效益指标", "满意度指标")


def _bucket(level1: str | None, cost_counts_as: str) -> str:
    if level1 == "成本指标":
        return cost_counts_as
    return level1 or ""


def split_cents(total_cents: int, n: int) -> list[int]:
    """``total_cents`` in n parts that differ by at most one cent, larger parts first."""
    base, extra = divmod(total_cents, n)
    return [base + (1 if i < extra else 0) for i in range(n)]


def suggest_weights(indicators: list[Indicator], profile: Profile) -> list[float]:
    """分值 per indicator: each 一级's share of the profile's points, split evenly.

    The indicator points (100 − funds row) are shared among the 一级 present in
    proportion to the profile's weights, so the form adds up to 100 even when a
    declaration lacks, say, a 满意度指标.
    """
    w = profile.section("weights")
    cost_as = w["cost_counts_as"]
    groups: OrderedDict[str, list[int]] = OrderedDict()
    for i, ind in enumerate(indicators):
        groups.setdefault(_bucket(ind.level1, cost_as), []).append(i)
    if not groups:
        return []
    points = round((100 - float(w["funds"])) * 100)
    shares = {b: float(w.get(b, 0)) for b in groups}
    if sum(shares.values()) <= 0:
        shares = dict.fromkeys(groups, 1.0)
    weights: list[float] = [0.0] * len(indicators)
    remaining, buckets = points, list(groups)
    for n, bucket in enumerate(buckets):
        cents = (
            remaining
            if n == len(buckets) - 1
            else round(points * shares[bucket] / sum(shares.values()))
        )
        remaining -= cents
        for i, part in zip(groups[bucket], split_cents(cents, len(groups[bucket])), strict=True):
            weights[i] = part / 100
    return weights


def self_evaluation_from(declaration: Declaration, profile: Profile) -> SelfEvaluation:
    funds = declaration.funds
    weights = suggest_weights(declaration.indicators, profile)
    indicators = [
        Indicator(ind.level1, ind.level2, ind.name, ind.target, weight=weight)
        for ind, weight in zip(declaration.indicators, weights, strict=True)
    ]
    return SelfEvaluation(
        year=declaration.year,
        project_name=declaration.project_name,
        department=declaration.department,
        implementing_unit=declaration.implementing_unit,
        money_unit=declaration.money_unit,
        funds=SelfEvaluationFunds(
            total=FundsRow(
                initial_budget=funds.annual_total, weight=float(profile.section("weights")["funds"])
            ),
            current_appropriation=FundsRow(initial_budget=funds.current_appropriation),
            carryover=FundsRow(initial_budget=funds.carryover),
            other=FundsRow(initial_budget=funds.annual_other_funds),
        ),
        expected_goal=declaration.annual_goal,
        indicators=indicators,
    )
