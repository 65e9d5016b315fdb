"""Rules that span tables or rows — one small function per rule ID.

Each takes the :class:`Context` (frames, records, profile) and reports through
``ctx.hit``, which files a :class:`~xltools.findings.Finding` under its record; location
keys are the record keys the reader filled in ``cells``. The repeated 三级指标 (D14/S17)
are pandera's ``unique`` (:mod:`xltools.check.schemas`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from xltools import compute
from xltools.catalogue import message
from xltools.check.frames import Frames
from xltools.check.rules.base import close, money, pts
from xltools.findings import Finding, record_cell, record_finding
from xltools.model import DECLARATION, SELF_EVALUATION, Record
from xltools.profiles import Profile

LEVEL1_REQUIRED = ("产出指标", "效益指标", "满意度指标")


@dataclass
class Context:
    frames: Frames
    records: list[Record]
    profile: Profile
    found: list[tuple[int, Finding]] = field(default_factory=list)

    def cell(self, pid: int, key: str, row: int | None = None) -> str | None:
        return record_cell(self.records[pid], key, row)

    def hit(
        self,
        rule: str,
        pid: int,
        cell: str | None,
        message: str,
        value: Any = None,
        expected: Any = None,
    ) -> None:
        found = record_finding(rule, self.records[pid], cell, message, value, expected)
        self.found.append((pid, found))

    def indicators(self, kind: str) -> pd.DataFrame:
        ind = self.frames.indicators
        return ind[ind.kind == kind]


def no_indicators(ctx: Context) -> None:
    """D01/S01: at least one indicator."""
    projects = ctx.frames.projects
    for pid, kind in projects.loc[projects.n_indicators == 0, ["pid", "kind"]].itertuples(
        index=False
    ):
        rule = "D01" if kind == DECLARATION else "S01"
        ctx.hit(
            rule,
            pid,
            ctx.cell(pid, "indicators"),
            message(rule, "indicators"),
            None,
            "至少一个指标",
        )


def d13_levels_present(ctx: Context) -> None:
    framework = ctx.profile.framework()
    required = [x for x in LEVEL1_REQUIRED if x in framework]
    if "成本指标" in framework and "成本指标" not in framework.get("产出指标", ()):
        required.append("成本指标")  # 2021 only: 成本指标 is a 一级 of its own
    ind = ctx.indicators(DECLARATION)
    present = ind.groupby("pid").level1.agg(set)
    for pid, levels in present.items():
        missing = [x for x in required if x not in levels]
        if missing:
            ctx.hit(
                "D13",
                int(pid),
                ctx.cell(int(pid), "indicators"),
                message("D13", missing="、".join(missing)),
                None,
                "、".join(required),
            )


def mixed_frameworks(ctx: Context) -> None:
    """D15/S18: 成本指标 both as a 一级 (2021) and as a 二级 under 产出指标 (2015)."""
    ind = ctx.frames.indicators
    as_level1 = set(ind.loc[ind.level1 == "成本指标", "pid"])
    old = ind[(ind.level1 == "产出指标") & (ind.level2 == "成本指标")]
    for pid, kind, row in old.drop_duplicates("pid")[["pid", "kind", "row"]].itertuples(
        index=False
    ):
        if pid in as_level1:
            rule = "D15" if kind == DECLARATION else "S18"
            ctx.hit(
                rule,
                pid,
                ctx.cell(pid, "level2", row),
                message(rule),
                "产出指标/成本指标",
                "同一种指标体系",
            )


def s04_funds_lines(ctx: Context) -> None:
    tol = ctx.profile.tolerance
    funds = ctx.frames.funds
    if funds.empty:
        return
    names = {
        "initial_budget": "年初预算数",
        "adjusted_budget": "全年预算数",
        "executed": "全年执行数",
    }
    for col, label in names.items():
        wide = funds.pivot(index="pid", columns="line", values=col)
        parts = wide[["current_appropriation", "carryover", "other"]]
        total = parts.fillna(0).sum(axis=1)
        applies = parts.notna().any(axis=1)
        bad = applies & ~close(wide["total"].fillna(0), total, tol)
        for pid in wide.index[bad]:
            ctx.hit(
                "S04",
                int(pid),
                ctx.cell(int(pid), f"funds.total.{col}"),
                message(
                    "S04", column=label, total=money(wide.at[pid, "total"]), parts=money(total[pid])
                ),
                wide.at[pid, "total"],
                total[pid],
            )


def _funds_total(ctx: Context) -> pd.DataFrame:
    funds = ctx.frames.funds
    return funds[funds.line == "total"].set_index("pid")


def s06_weights_sum(ctx: Context) -> None:
    tol = ctx.profile.tolerance
    # Plain dicts: a Series' scalar lookups cost microseconds each, per project.
    weights = ctx.indicators(SELF_EVALUATION).groupby("pid").weight.sum(min_count=1).to_dict()
    funds_weights = _funds_total(ctx).weight.to_dict()
    for pid, weight in funds_weights.items():
        funds_weight = compute.funds_weight(weight)
        total = funds_weight + (weights.get(pid, 0.0) if pd.notna(weights.get(pid, 0.0)) else 0.0)
        if not abs(total - 100) <= tol + 1e-9:
            ctx.hit(
                "S06",
                int(pid),
                ctx.cell(int(pid), "_total_weight"),
                message("S06", total=total),
                round(total, 2),
                100,
            )


def s07_weight_split(ctx: Context) -> None:
    tol, w = ctx.profile.tolerance, ctx.profile.section("weights")
    ind = ctx.indicators(SELF_EVALUATION).copy()
    if ind.empty:
        return
    cost_as = w["cost_counts_as"]
    ind["bucket"] = ind.level1.where(ind.level1 != "成本指标", cost_as)
    sums = ind.groupby(["pid", "bucket"]).weight.sum().to_dict()
    firsts = ind.drop_duplicates(["pid", "bucket"]).set_index(["pid", "bucket"]).row.to_dict()
    for pid in ind.pid.unique():
        for bucket in (*LEVEL1_REQUIRED, *(["成本指标"] if cost_as == "成本指标" else [])):
            expected = float(w.get(bucket, 0))
            actual = float(sums.get((pid, bucket), 0.0))
            if abs(actual - expected) > tol + 1e-9:
                row = firsts.get((pid, bucket))
                cell = (
                    ctx.cell(int(pid), "weight", int(row))
                    if row is not None
                    else ctx.cell(int(pid), "indicators")
                )
                ctx.hit(
                    "S07",
                    int(pid),
                    cell,
                    message("S07", "level1", level1=bucket, actual=actual, expected=expected),
                    round(actual, 2),
                    expected,
                )
    for pid, weight in _funds_total(ctx).weight.to_dict().items():
        if pd.notna(weight) and abs(weight - float(w["funds"])) > tol + 1e-9:
            ctx.hit(
                "S07",
                int(pid),
                ctx.cell(int(pid), "funds.total.weight"),
                message("S07", "funds", weight=weight, expected=w["funds"]),
                weight,
                w["funds"],
            )


def s13_total(ctx: Context) -> None:
    tol = ctx.profile.tolerance
    scores = ctx.indicators(SELF_EVALUATION).groupby("pid").score.sum().to_dict()
    funds_scores = _funds_total(ctx).score.to_dict()
    shown_totals = ctx.frames.projects.set_index("pid").total_score.to_dict()
    for pid, funds_score in funds_scores.items():
        shown = shown_totals[pid]
        if pd.isna(shown):
            continue
        expected = compute.summed_total(funds_score, scores.get(pid, 0.0))
        if abs(shown - expected) > tol + 1e-9:  # 100.01 vs 100 is within 0.01
            ctx.hit(
                "S13",
                int(pid),
                ctx.cell(int(pid), "total_score"),
                message(
                    "S13",
                    funds_score=pts(funds_score),
                    scores=float(scores.get(pid, 0.0)),
                    expected=expected,
                    shown=pts(shown),
                ),
                shown,
                round(expected, 2),
            )


CROSS_RULES: tuple[Callable[[Context], None], ...] = (
    no_indicators,
    d13_levels_present,
    mixed_frameworks,
    s04_funds_lines,
    s06_weights_sum,
    s07_weight_split,
    s13_total,
)
