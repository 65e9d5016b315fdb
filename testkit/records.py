"""Deterministic test forms: the example records varied from a seed, and planted mistakes.

The forms are the example projects (``xltools.api.example_records()``, taken from the
real seed forms) varied record by record: project and unit names, amounts, 5–20
indicators (:func:`vary`). A planted mistake (:data:`MISTAKES`) mutates a varied record
and returns the rule ID the checker must report for it. The same ``random.Random``
gives the same record: the benchmark corpora (:mod:`testkit.corpus`, the foreign
layouts of :mod:`testkit.foreign`) are built from here. The hypothesis-driven records
are in :mod:`testkit.strategies`.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from xltools.api import example_records
from xltools.model import DECLARATION, Indicator, Record, from_dict, to_dict

MISTAKE_RATE = 0.1  # the share of the benchmark corpus' files with a planted mistake
DISTRICTS = ("长宁", "徐汇", "静安", "普陀", "虹口", "杨浦", "闵行", "宝山", "嘉定", "浦东新")
# Self-evaluation weight structure of the default profile: 产出 50, 效益 30, 满意度 10 (+ 10 funds).
SE_WEIGHTS = {"产出指标": 50.0, "效益指标": 30.0, "满意度指标": 10.0}


# -- varying the example records ---------------------------------------------------------


def _copy(record: Record) -> Record:
    return from_dict(to_dict(record))


def bases() -> list[Record]:
    """The example projects without the ones that carry mistakes on purpose (示例：含错误)."""
    return [r for r in example_records() if "示例" not in (r.project_name or "")]


def pools(records: Sequence[Record]) -> dict[str, dict[str, list[Indicator]]]:
    """Indicators of each kind grouped by 一级指标, only fully scored ones for 自评表."""
    out: dict[str, dict[str, list[Indicator]]] = {}
    for record in records:
        for ind in record.indicators:
            if not (ind.name and ind.target):
                continue  # a seed indicator without a target (D11); planted mistakes cover it
            if record.kind != DECLARATION and (ind.score is None or ind.score != ind.weight):
                continue
            if (ind.level1, ind.level2) == ("产出指标", "经济效益指标"):
                continue  # a seed-form slip (D10); the planted mistakes cover that rule
            out.setdefault(record.kind, {}).setdefault(ind.level1 or "", []).append(ind)
    return out


def _counts(kind: str, n: int, rng: random.Random) -> dict[str, int]:
    """How many indicators of each 一级指标 a form of ``n`` indicators gets."""
    counts = {"满意度指标": 1 if n < 12 else 2}
    if kind == DECLARATION:
        counts["成本指标"] = 1 if n < 10 else 2
    rest = n - sum(counts.values())
    counts["效益指标"] = max(1, round(rest * rng.uniform(0.25, 0.4)))
    counts["产出指标"] = rest - counts["效益指标"]
    return counts


def _split(total: float, k: int) -> list[float]:
    """``total`` in ``k`` two-decimal parts that add up exactly: 50/3 → 16.67, 16.67, 16.66."""
    part = int(total * 100 / k) / 100
    return [part] * (k - 1) + [round(total - part * (k - 1), 2)]


def _indicators(record: Record, pools: dict, n: int, rng: random.Random) -> list[Indicator]:
    out: list[Indicator] = []
    seen: Counter[str] = Counter()
    for level1, k in _counts(record.kind, n, rng).items():
        weights = _split(SE_WEIGHTS[level1], k) if record.kind != DECLARATION else [None] * k
        for weight in weights:
            ind = replace(rng.choice(pools[record.kind][level1]), row=None)
            seen[ind.name or ""] += 1
            if seen[ind.name or ""] > 1:  # D14/S17: names must not repeat within a form
                ind.name = f"{ind.name}（{seen[ind.name or '']}）"
            if record.kind != DECLARATION:
                ind.weight = ind.score = weight
            out.append(ind)
    return out


def _amount(base: float | None, factor: float) -> float:
    return round((base or 100_000.0) * factor, 2)


def _declaration_funds(record: Any, factor: float, rng: random.Random) -> None:
    funds = record.funds
    funds.current_appropriation = _amount(funds.current_appropriation, factor)
    share = rng.random()
    funds.carryover = round(funds.current_appropriation * 0.2, 2) if share < 0.2 else 0.0
    funds.annual_other_funds = round(funds.current_appropriation * 0.1, 2) if share > 0.9 else 0.0
    funds.annual_total = round(
        funds.current_appropriation + funds.carryover + funds.annual_other_funds, 2
    )
    # A one-year project: the left column equals the right one (D07, D08, D09 hold).
    funds.fiscal_funds = round(funds.current_appropriation + funds.carryover, 2)
    funds.other_funds = funds.annual_other_funds
    funds.project_total = funds.annual_total
    record.overall_goal = record.overall_goal or record.annual_goal


def _self_evaluation_funds(record: Any, factor: float, rng: random.Random) -> None:
    budget = _amount(record.funds.total.adjusted_budget, factor)
    rate = 1.0 if rng.random() < 0.5 else rng.uniform(0.7, 1.0)
    values = {"initial_budget": budget, "adjusted_budget": budget}
    values["executed"] = round(budget * rate, 2)
    for line in ("total", "current_appropriation"):
        row = getattr(record.funds, line)
        for key, value in values.items():
            setattr(row, key, value)
        row.execution_rate = row.score = None  # formula cells: the writer computes them
    record.funds.total.weight = 10
    for line in ("carryover", "other"):
        row = getattr(record.funds, line)
        row.initial_budget = row.adjusted_budget = row.executed = 0
    record.expected_goal = record.expected_goal or record.actual_result
    record.actual_result = record.actual_result or record.expected_goal
    record.total_score = record.grade = None  # formulas


def vary(
    base: Record, i: int, pools: dict, rng: random.Random, indicators: tuple[int, int] = (5, 20)
) -> Record:
    """Project ``i``: ``base`` with its own names, amounts and 5–20 (``indicators``) indicators."""
    record = _copy(base)
    district = rng.choice(DISTRICTS)
    for key in ("department", "implementing_unit"):
        value = getattr(record, key)
        setattr(record, key, value.replace("长宁", district) if value else value)
    record.project_name = f"{base.project_name}（{district}区第{i:05d}号）"
    factor = rng.lognormvariate(0.0, 1.0)
    if record.kind == DECLARATION:
        _declaration_funds(record, factor, rng)
    else:
        _self_evaluation_funds(record, factor, rng)
    record.indicators = _indicators(record, pools, rng.randint(*indicators), rng)
    return record


# -- planted mistakes --------------------------------------------------------------------
# Each mutates a varied record and returns the rule ID the checker must report for it.


def _d06(r: Any, rng: random.Random) -> str:
    r.funds.annual_total = round(r.funds.annual_total + rng.choice((100.0, 1000.0, 0.5)), 2)
    r.funds.project_total = r.funds.annual_total
    return "D06"


def _d01(r: Any, rng: random.Random) -> str:
    r.implementing_unit = None
    return "D01"


def _d03(r: Any, rng: random.Random) -> str:
    r.start_date, r.end_date = r.end_date, r.start_date
    return "D03"


def _d11(r: Any, rng: random.Random) -> str:
    rng.choice(r.indicators).target = None
    return "D11"


def _d10(r: Any, rng: random.Random) -> str:
    ind = rng.choice([i for i in r.indicators if i.level1 == "产出指标"])
    ind.level2 = "社会效益指标"
    return "D10"


def _r04(r: Any, rng: random.Random) -> str:
    if r.kind == DECLARATION:
        r.funds.carryover = f"约{r.funds.carryover + 100:.0f}元"
    else:  # not a total-line amount: the writer computes the formulas from those
        executed = r.funds.current_appropriation.executed
        r.funds.current_appropriation.executed = f"约{executed:.0f}元"
    return "R04"


def _s08(r: Any, rng: random.Random) -> str:
    ind = rng.choice(r.indicators)
    ind.score = round(ind.weight + 2, 2)
    return "S08"


def _s09(r: Any, rng: random.Random) -> str:
    ind = rng.choice(r.indicators)
    ind.score, ind.deviation_reason = round(ind.weight / 2, 2), None
    return "S09"


def _s06(r: Any, rng: random.Random) -> str:
    ind = rng.choice(r.indicators)
    ind.weight = ind.score = round(ind.weight + 5, 2)
    return "S06"


def _s01(r: Any, rng: random.Random) -> str:
    r.department = None
    return "S01"


MISTAKES = {
    DECLARATION: (_d06, _d01, _d03, _d11, _d10, _r04),
    "self_evaluation": (_s08, _s09, _s06, _s01, _r04),
}


def plant(record: Record, rng: random.Random) -> str:
    """Plant one mistake of ``record``'s kind, chosen by ``rng``; the rule ID it must give."""
    return rng.choice(MISTAKES[record.kind])(record, rng)
