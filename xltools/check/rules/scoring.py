"""Record-level scoring rules reviewers apply: S19 (points printed in headings), S22 (funds
sub-rows carry no points), and the regional options of a profile: S23 (total capped by
执行率), S24 (a reason when 执行率 is low)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from xltools import compute
from xltools.catalogue import message
from xltools.check.rules.base import pts
from xltools.check.rules.cross import Context
from xltools.model import SelfEvaluation
from xltools.text import normalise_label

SUB_ROWS = {
    "current_appropriation": "当年财政拨款",
    "carryover": "上年结转资金",
    "other": "其他资金",
}
FUNDS_HEADINGS = ("预算执行", "资金")  # "预算执行情况(10分)", "预算执行率(10分)", "资金(10分)"


def _self_evaluations(ctx: Context) -> Iterator[tuple[int, SelfEvaluation]]:
    for pid, record in enumerate(ctx.records):
        if isinstance(record, SelfEvaluation):
            yield pid, record


def exact_rate(record: SelfEvaluation) -> float | None:
    """执行率 in percent from the amounts (unrounded), else the rate the form shows."""
    total = record.funds.total
    return compute.rate_or_shown(total.adjusted_budget, total.executed, total.execution_rate)


def _children(record: SelfEvaluation, heading: str) -> tuple[str, float | None]:
    """What a heading's points cover, and the sum of their weights (None: nothing to add)."""
    key = normalise_label(heading)
    if key == "绩效指标":
        weights = [i.weight for i in record.indicators if i.weight is not None]
        return "全部指标", sum(weights) if weights else None
    if any(word in key for word in FUNDS_HEADINGS) and "指标" not in key:
        return "预算执行率", record.funds.total.weight
    weights = [
        i.weight
        for i in record.indicators
        if normalise_label(i.level1) == key and i.weight is not None
    ]
    return f"{heading}下各指标", sum(weights) if weights else None


def s19_heading_points(ctx: Context) -> None:
    tol, word = ctx.profile.tolerance, ctx.profile.weight_word
    for pid, record in _self_evaluations(ctx):
        for heading, printed in record.declared_points.items():
            what, actual = _children(record, heading)
            if actual is None or abs(actual - printed) <= tol + 1e-9:
                continue
            ctx.hit(
                "S19",
                pid,
                record.cells.get(f"declared_points.{heading}"),
                message(
                    "S19", heading=heading, printed=printed, what=what, word=word, actual=actual
                ),
                round(actual, 2),
                printed,
            )


def s22_sub_rows_unscored(ctx: Context) -> None:
    for pid, record in _self_evaluations(ctx):
        for line, label in SUB_ROWS.items():
            row = getattr(record.funds, line)
            for col, name in (("weight", ctx.profile.weight_word), ("score", "得分")):
                value = getattr(row, col)
                if value is None:
                    continue
                cell = record.cells.get(f"funds.{line}.{col}") or record.cells.get(
                    f"funds.{line}.adjusted_budget"
                )
                ctx.hit(
                    "S22",
                    pid,
                    cell,
                    message("S22", line=label, what=name, value=pts(value)),
                    value,
                    None,
                )


def s24_rate_caps(ctx: Context) -> None:
    caps = sorted(ctx.profile.section("scoring")["rate_caps"])
    if not caps:
        return
    tol = ctx.profile.tolerance
    for pid, record in _self_evaluations(ctx):
        rate, total = exact_rate(record), record.total_score
        if rate is None or total is None:
            continue
        limits = [(below, most) for below, most in caps if rate < below - 1e-9]
        if not limits:
            continue
        below, most = min(limits, key=lambda c: c[1])
        if total > most + tol + 1e-9:
            ctx.hit(
                "S23",
                pid,
                record.cells.get("total_score"),
                message("S23", rate=rate, below=below, most=most, total=total),
                total,
                f"≤ {most:g}",
            )


def s25_reason_for_low_rate(ctx: Context) -> None:
    below = float(ctx.profile.section("scoring")["reason_below_rate"])
    if below <= 0:
        return
    for pid, record in _self_evaluations(ctx):
        rate = exact_rate(record)
        reason = record.funds.total.reason
        if rate is None or rate >= below - 1e-9 or (reason and reason.strip()):
            continue
        cell = record.cells.get("funds.total.reason") or record.cells.get(
            "funds.total.execution_rate"
        )
        ctx.hit(
            "S24",
            pid,
            cell,
            message("S24", rate=rate, below=below),
            round(rate, 2),
            f"≥ {below:g}% 或填写原因",
        )


SCORING_RULES: tuple[Callable[[Context], None], ...] = (
    s19_heading_points,
    s22_sub_rows_unscored,
    s24_rate_caps,
    s25_reason_for_low_rate,
)
