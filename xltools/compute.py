"""The figures a self-evaluation derives from others, computed like the template's formulas.

The template writes each formula together with the value computed here, so a reader
that does not recalculate (python-calamine, pandas) still sees the right number, and
``check`` compares what the form shows with the same computation.

Spreadsheet applications round a double to 15 significant digits before ROUND and
ROUNDDOWN look at it, so 0.8545 × 10 (8.545000000000002 in binary) rounds to 8.55,
not 8.54. ``excel_round`` does the same through :class:`decimal.Decimal`.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_CEILING, ROUND_DOWN, ROUND_HALF_UP, Decimal
from typing import Any

# The profile's rounding modes: half-up, truncate (上海市级 2023), ceil / 进一 (上海区级 2022).
# The figures are never negative, so Excel's ROUNDUP (away from zero) is the ceiling.
_MODES = {"half-up": ROUND_HALF_UP, "truncate": ROUND_DOWN, "ceil": ROUND_CEILING}
EXCEL_FUNCTION = {"half-up": "ROUND", "truncate": "ROUNDDOWN", "ceil": "ROUNDUP"}
# 预算执行率分值 when the form leaves it blank: the template's default and the scoring rules'.
DEFAULT_FUNDS_WEIGHT = 10.0


def excel_round(value: float, digits: int, mode: str = "half-up") -> float:
    exact = Decimal(f"{value:.15g}")
    return float(exact.quantize(Decimal(1).scaleb(-digits), rounding=_MODES[mode]))


def tidy(value: float) -> float:
    """Drop binary noise (95.55000000000001 → 95.55) so equal figures compare equal."""
    return round(value, 9) + 0.0


def execution_fraction(adjusted: float | None, executed: float | None, mode: str) -> float | None:
    """执行率 as the template stores it: a fraction rounded to 0.01 % (4 decimals)."""
    if adjusted is None or executed is None or adjusted <= 0:
        return None
    return excel_round(executed / adjusted, 4, mode)


def execution_rate(adjusted: float | None, executed: float | None, mode: str) -> float | None:
    """执行率 in the record's unit, percent: 615326.02 / 720000 → 85.46."""
    fraction = execution_fraction(adjusted, executed, mode)
    return None if fraction is None else tidy(fraction * 100)


def execution_score(rate_percent: float | None, weight: float | None, mode: str) -> float | None:
    """执行率得分 = min(执行率, 100 %) × 分值, rounded to 0.01 point."""
    if rate_percent is None:
        return None
    return excel_round(min(rate_percent / 100, 1.0) * (weight or 0.0), 2, mode)


def total_score(funds_score: float | None, scores: Iterable[float | None]) -> float | None:
    """总分 = 执行率得分 + Σ 指标得分; None when nothing is scored yet."""
    parts = [s for s in (funds_score, *scores) if s is not None]
    return tidy(sum(parts)) if parts else None


def grade(total: float | None, bands: list[tuple[str, float]]) -> str | None:
    """评分等级 from the profile's bands, best first; below the last band → 差 (None/NaN: none)."""
    if total is None or total != total:
        return None
    for name, floor in bands:
        if total >= floor:
            return name
    return "差"


def _series(x: Any) -> bool:
    """A pandas Series (the check's frames); floats, numpy scalars and None are not."""
    return hasattr(x, "fillna")


def funds_weight(weight: Any) -> Any:
    """预算执行率分值, the default where blank: a float (None/NaN → 10) or a pandas Series."""
    if _series(weight):
        return weight.fillna(DEFAULT_FUNDS_WEIGHT)
    return DEFAULT_FUNDS_WEIGHT if weight is None or weight != weight else weight


# -- the unrounded figures check compares a form with --------------------------------------------
# Each accepts floats or pandas Series (the check's frames), so the rules are vectorised.


def exact_rate(adjusted: Any, executed: Any) -> Any:
    """执行率 in percent, unrounded: executed ÷ adjusted × 100; NaN (None for floats) where
    全年预算数 is missing or not positive."""
    if _series(adjusted):
        return executed / adjusted.where(adjusted > 0) * 100
    if adjusted is None or executed is None or not adjusted > 0:
        return None
    return executed / adjusted * 100


def exact_execution_score(rate_percent: Any, weight: Any) -> Any:
    """执行率得分 unrounded: min(执行率, 100 %) × 分值 (blank 分值 → 10)."""
    if _series(rate_percent):
        import numpy as np

        return np.minimum(rate_percent, 100.0) / 100 * funds_weight(weight)
    if rate_percent is None:
        return None
    return min(rate_percent, 100) / 100 * funds_weight(weight)


def rate_or_shown(adjusted: float | None, executed: float | None, shown: float | None):
    """执行率 in percent from the amounts (unrounded), else the rate the form shows."""
    if adjusted and executed is not None and adjusted > 0:
        return executed / adjusted * 100
    return shown


def summed_total(funds_score: Any, indicator_scores: Any) -> Any:
    """总分 as check expects it: 执行率得分 (blank → 0) + Σ 指标得分, unrounded."""
    if _series(funds_score):
        return funds_score.fillna(0.0) + indicator_scores
    return (0.0 if funds_score is None or funds_score != funds_score else funds_score) + float(
        indicator_scores
    )


def grades(totals: Any, bands: list[tuple[str, float]]) -> Any:
    """:func:`grade` of every total of a pandas Series."""
    return totals.map(lambda t: grade(t, bands))


def figures(
    adjusted: float | None,
    executed: float | None,
    weight: float | None,
    scores: Iterable[float | None],
    weights: Iterable[float | None],
    mode: str,
    bands: list[tuple[str, float]],
) -> dict[str, Any]:
    """The values a self-evaluation's formulas show (the template's cached results)."""
    weight = funds_weight(weight)
    fraction = execution_fraction(adjusted, executed, mode)
    rate = None if fraction is None else tidy(fraction * 100)
    score = execution_score(rate, weight, mode)
    overall = total_score(score, scores)
    return {
        "funds.total.execution_rate": fraction,
        "funds.total.score": score,
        "_total_weight": tidy(weight + sum(w or 0.0 for w in weights)),
        "total_score": overall,
        "grade": grade(overall, bands),
    }
