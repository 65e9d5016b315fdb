"""申报表 rules over the ``projects`` frame (declarations only): D02–D09."""

from __future__ import annotations

from typing import Any

import pandas as pd

from xltools.catalogue import message
from xltools.check.frames import DECLARATION_FUNDS
from xltools.check.rules.base import ISO, RowRule, close, filled, money, txt, year_of, zero, zero_of
from xltools.profiles import Profile


def declaration_rules(p: Profile) -> list[RowRule]:
    tol = p.tolerance
    parts = ("funds.current_appropriation", "funds.carryover", "funds.annual_other_funds")

    def parts_sum(r: Any) -> float:
        return sum(0.0 if pd.isna(r[c]) else r[c] for c in parts)

    def dates_parse(d: pd.DataFrame) -> pd.Series:
        ok = [
            d[c].isna() | d[c].astype("string").str.match(ISO).fillna(False)
            for c in ("start_date", "end_date")
        ]
        return ok[0] & ok[1]

    def dates_order(d: pd.DataFrame) -> pd.Series:
        both = d.start_date.astype("string").str.match(ISO).fillna(False) & d.end_date.astype(
            "string"
        ).str.match(ISO).fillna(False)
        return ~both | (d.start_date.astype("string") <= d.end_date.astype("string"))

    def in_year(d: pd.DataFrame) -> pd.Series:
        start, end = year_of(d.start_date), year_of(d.end_date)
        one_year = start.notna() & (start == end)
        return ~one_year | d.year.isna() | (start == d.year)

    def d06(d: pd.DataFrame) -> pd.Series:
        any_part = d[list(parts)].notna().any(axis=1)
        total = sum(zero(d[c]) for c in parts)
        return ~any_part | close(zero(d["funds.annual_total"]), total, tol)

    def d07(d: pd.DataFrame) -> pd.Series:
        left = d["funds.fiscal_funds"].notna() | d["funds.other_funds"].notna()
        applies = d["funds.project_total"].notna() & left
        total = zero(d["funds.fiscal_funds"]) + zero(d["funds.other_funds"])
        return ~applies | close(d["funds.project_total"], total, tol)

    def d08(d: pd.DataFrame) -> pd.Series:
        both = d["funds.annual_total"].notna() & d["funds.project_total"].notna()
        return ~both | (d["funds.annual_total"] <= d["funds.project_total"] + tol)

    def d09(d: pd.DataFrame) -> pd.Series:
        one_year = year_of(d.start_date) == year_of(d.end_date)
        some = d["funds.other_funds"].notna() | d["funds.annual_other_funds"].notna()
        left, right = zero(d["funds.other_funds"]), zero(d["funds.annual_other_funds"])
        same = close(left, right, tol)
        # A real 2023 district form writes the carry-over under the left 其他资金.
        carried = close(left, right + zero(d["funds.carryover"]), tol)
        return ~(one_year & some) | same | carried

    def label(r: Any, c: str) -> str:
        return {"start_date": "计划开始日期", "end_date": "计划完成日期"}[c]

    rules = [
        RowRule(
            "D02",
            "declarations",
            "project_category",
            lambda d: filled(d.project_category) | filled(d.project_nature),
            lambda r: (message("D02", "category"), None, "项目类别"),
        ),
        RowRule(
            "D02",
            "declarations",
            "funds.project_total",
            lambda d: d["funds.project_total"].notna(),
            lambda r: (message("D02", "project_total"), None, "金额"),
        ),
        RowRule(
            "D02",
            "declarations",
            "overall_goal",
            lambda d: filled(d.overall_goal),
            lambda r: (message("D02", "overall_goal"), None, "文字"),
        ),
        RowRule(
            "D04",
            "declarations",
            "start_date",
            in_year,
            lambda r: (
                message("D04", start=txt(r.start_date), end=txt(r.end_date), year=r.year),
                r.start_date,
                f"{r.year:g} 年内的日期",
            ),
        ),
        RowRule(
            "D06",
            "declarations",
            "funds.annual_total",
            d06,
            lambda r: (
                message("D06", total=money(r["funds.annual_total"]), parts=money(parts_sum(r))),
                r["funds.annual_total"],
                parts_sum(r),
            ),
        ),
        RowRule(
            "D07",
            "declarations",
            "funds.project_total",
            d07,
            lambda r: (
                message(
                    "D07",
                    total=money(r["funds.project_total"]),
                    parts=money(zero_of(r, "funds.fiscal_funds") + zero_of(r, "funds.other_funds")),
                ),
                r["funds.project_total"],
                zero_of(r, "funds.fiscal_funds") + zero_of(r, "funds.other_funds"),
            ),
        ),
        RowRule(
            "D08",
            "declarations",
            "funds.annual_total",
            d08,
            lambda r: (
                message(
                    "D08",
                    annual=money(r["funds.annual_total"]),
                    project=money(r["funds.project_total"]),
                ),
                r["funds.annual_total"],
                f"≤ {money(r['funds.project_total'])}",
            ),
        ),
        RowRule(
            "D09",
            "declarations",
            "funds.annual_other_funds",
            d09,
            lambda r: (
                message(
                    "D09",
                    annual=money(r["funds.annual_other_funds"]),
                    project=money(r["funds.other_funds"]),
                ),
                r["funds.annual_other_funds"],
                r["funds.other_funds"],
            ),
        ),
    ]
    for col in ("start_date", "end_date"):
        rules.append(
            RowRule(
                "D03",
                "declarations",
                col,
                lambda d, c=col: d[c].isna() | d[c].astype("string").str.match(ISO).fillna(False),
                lambda r, c=col: (
                    message("D03", "unreadable", label=label(r, c), value=txt(r[c])),
                    r[c],
                    "日期",
                ),
            )
        )
    rules.append(
        RowRule(
            "D03",
            "declarations",
            "start_date",  # the start is what the clerk typed wrong (issue 14)
            lambda d: ~dates_parse(d) | dates_order(d),
            lambda r: (
                message("D03", "order", start=txt(r.start_date), end=txt(r.end_date)),
                r.start_date,
                f"不晚于 {txt(r.end_date)}",
            ),
            key="start_date<=end_date",
        )
    )
    for key in ("funds." + k for k in DECLARATION_FUNDS):
        rules.append(
            RowRule(
                "D05",
                "declarations",
                key,
                lambda d, k=key: ~(d[k] < 0),
                lambda r, k=key: (message("D05", amount=money(r[k])), r[k], "≥ 0"),
            )
        )
    return rules
