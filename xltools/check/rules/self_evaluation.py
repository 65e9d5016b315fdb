"""自评表 rules over the ``projects`` and ``funds`` frames: S02, S03, S05, S14, S15, S20, S21."""

from __future__ import annotations

import numpy as np
import pandas as pd

from xltools import compute
from xltools.catalogue import message
from xltools.check.rules.base import RowRule, close, filled, money, pts, txt
from xltools.profiles import Profile

HALF_CENT = 0.005  # the uncertainty of an amount printed with two decimals


def exact_rate(d: pd.DataFrame) -> pd.Series:
    """执行率 in percent, unrounded; NaN where 全年预算数 is missing or 0."""
    return compute.exact_rate(d.adjusted_budget, d.executed)


def _places(value: float) -> int:
    """Decimals a stored figure shows: 50.0 → 0, 86.2 → 1, 85.47 → 2 (at most 2)."""
    for places in (0, 1):
        if abs(value - round(value, places)) < 1e-9:
            return places
    return 2


def at_printed_precision(shown: pd.Series, exact: pd.Series) -> pd.Series:
    """A figure with fewer decimals than computed ("50%" for 49.88 %) equals the computed
    value rounded (half up) or truncated to the decimals it shows."""
    out = []
    for value, computed in zip(shown, exact, strict=True):
        if pd.isna(value) or pd.isna(computed) or (places := _places(float(value))) >= 2:
            out.append(False)
            continue
        scale = 10**places
        half_up = np.floor(computed * scale + 0.5 + 1e-9) / scale
        truncated = np.floor(computed * scale + 1e-9) / scale
        out.append(abs(value - half_up) < 1e-9 or abs(value - truncated) < 1e-9)
    return pd.Series(out, index=shown.index, dtype=bool)


def funds_rules(p: Profile) -> list[RowRule]:
    tol = p.tolerance

    def s02(d: pd.DataFrame) -> pd.Series:
        exact = exact_rate(d)
        shown = d.execution_rate
        # 85.47 % may be typed as 85.47 or as the fraction 0.8547: both are accepted. The
        # reader scales a plain number in the percent cell by 100 (0.8547 → 85.47), so a
        # typed 85.47 arrives as 8547.
        # Amounts printed to the cent are known to ± 0.005 of their unit; in 万元 that moves
        # the rate: 61.53 / 72.00 万元 may be 61.5326 / 72.0000 (85.46 %, printed 85.47 %).
        budget = d.adjusted_budget.where(d.adjusted_budget > 0)
        slack = tol + (HALF_CENT / budget * 100 * (1 + d.executed.abs() / budget)).fillna(0.0)
        ok = pd.Series(False, index=d.index)
        for written in (shown, shown * 100, shown / 100):
            ok |= (written - exact).abs() <= slack + 1e-9
        ok |= d.printed & at_printed_precision(shown, exact)
        return (d.line != "total") | exact.isna() | shown.isna() | ok

    def expected_score(d: pd.DataFrame) -> pd.Series:
        return compute.exact_execution_score(exact_rate(d), d.weight)

    def s03(d: pd.DataFrame) -> pd.Series:
        expected = expected_score(d)
        ok = close(d.score.fillna(0.0), expected, tol)
        ok |= d.printed & at_printed_precision(d.score, expected)
        return (d.line != "total") | expected.isna() | ok

    def s05(d: pd.DataFrame) -> pd.Series:
        return (d.line != "total") | ~(exact_rate(d) > 100 + tol)

    def rate_of(r: pd.Series) -> float:
        return float(r.executed) / float(r.adjusted_budget) * 100

    def score_of(r: pd.Series) -> float:
        return compute.exact_execution_score(rate_of(r), r.weight)

    def spent_without_budget(d: pd.DataFrame) -> pd.Series:
        return (d.adjusted_budget == 0) & (d.executed > 0)

    def s20(d: pd.DataFrame) -> pd.Series:
        no_budget = d.adjusted_budget.isna() | (d.adjusted_budget == 0)
        return (d.line != "total") | ~no_budget | spent_without_budget(d)

    def s21(d: pd.DataFrame) -> pd.Series:
        return (d.line != "total") | ~spent_without_budget(d)

    return [
        RowRule(
            "S02",
            "funds",
            "funds.total.execution_rate",
            s02,
            lambda r: (
                message(
                    "S02",
                    executed=money(r.executed),
                    budget=money(r.adjusted_budget),
                    rate=rate_of(r),
                    shown=pts(r.execution_rate),
                ),
                r.execution_rate,
                round(rate_of(r), 2),
            ),
        ),
        RowRule(
            "S03",
            "funds",
            "funds.total.score",
            s03,
            lambda r: (
                message(
                    "S03",
                    rate=rate_of(r),
                    weight=pts(compute.funds_weight(r.weight)),
                    score=score_of(r),
                    shown=pts(r.score),
                ),
                r.score,
                round(score_of(r), 2),
            ),
        ),
        RowRule(
            "S05",
            "funds",
            "funds.total.execution_rate",
            s05,
            lambda r: (
                message("S05", rate=rate_of(r)),
                r.execution_rate,
                "≤ 100%",
            ),
        ),
        RowRule(
            "S20",
            "funds",
            "funds.total.adjusted_budget",
            s20,
            lambda r: (
                message("S20", "blank" if pd.isna(r.adjusted_budget) else "zero"),
                r.adjusted_budget,
                "> 0",
            ),
        ),
        RowRule(
            "S21",
            "funds",
            "funds.total.adjusted_budget",
            s21,
            lambda r: (
                message("S21", executed=money(r.executed)),
                r.adjusted_budget,
                f"≥ {money(r.executed)}",
            ),
        ),
    ]


def project_rules(p: Profile) -> list[RowRule]:
    def s14(d: pd.DataFrame) -> pd.Series:
        expected = compute.grades(d.total_score, p.grades)
        return (
            ~filled(d.grade)
            | d.total_score.isna()
            | (d.grade.astype("string").str.strip() == expected)
        )

    return [
        RowRule(
            "S14",
            "self_evaluations",
            "grade",
            s14,
            lambda r: (
                message(
                    "S14",
                    total=pts(r.total_score),
                    grade=txt(compute.grade(r.total_score, p.grades)),
                    shown=txt(r.grade),
                ),
                r.grade,
                compute.grade(r.total_score, p.grades),
            ),
        ),
        RowRule(
            "S15",
            "self_evaluations",
            "expected_goal",
            lambda d: filled(d.expected_goal),
            lambda r: (message("S15", "expected_goal"), None, "文字"),
        ),
        RowRule(
            "S15",
            "self_evaluations",
            "actual_result",
            lambda d: filled(d.actual_result),
            lambda r: (message("S15", "actual_result"), None, "文字"),
        ),
    ]
