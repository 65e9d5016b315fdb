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

# The profile's rounding modes: half-up, truncate (上海市级 2023), ceil / 进一 (上海区级 2022).
# The figures are never negative, so Excel's ROUNDUP (away from zero) is the ceiling.
_MODES = {"half-up": ROUND_HALF_UP, "truncate": ROUND_DOWN, "ceil": ROUND_CEILING}
EXCEL_FUNCTION = {"half-up": "ROUND", "truncate": "ROUNDDOWN", "ceil": "ROUNDUP"}


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
    """评分等级 from the profile's bands, best first; below the last band → 差."""
    if total is None:
        return None
    for name, floor in bands:
        if total >= floor:
            return name
    return "差"
