"""Indicator rules over the ``indicators`` frame: D10–D12, D16 (申报表); S08–S12, S16, S25 (自评表)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from xltools.catalogue import WARNING, message
from xltools.check.rules.base import RowRule, close, filled, pts, txt
from xltools.check.targets import ACHIEVED, tier_band
from xltools.model import DECLARATION, SELF_EVALUATION
from xltools.profiles import Profile


def _pairs(p: Profile) -> set[tuple[str, str]]:
    return {(l1, l2) for l1, l2s in p.framework().items() for l2 in l2s}


def structure_rules(p: Profile, kind: str) -> list[RowRule]:
    """Framework pairs and filled 三级/指标值: D10/D11 on declarations, S16 on self-evaluations."""
    pairs = _pairs(p)
    level1s, known = {a for a, _ in pairs}, p.known_level2s()
    pair_id, filled_id = ("D10", "D11") if kind == DECLARATION else ("S16", "S16")
    target_label = "指标目标值" if kind == DECLARATION else "年度指标值"

    def allowed(d: pd.DataFrame) -> pd.Series:
        # A 二级 no framework knows under a known 一级 is the reader's warning R14.
        # (Columns are walked as lists: a Series iterates through pandas, 20× slower.)
        return pd.Series(
            [
                (a, b) in pairs or (a in level1s and bool(b) and b not in known)
                for a, b in zip(d.level1.tolist(), d.level2.tolist(), strict=True)
            ],
            index=d.index,
            dtype=bool,
        )

    return [
        RowRule(
            pair_id,
            "indicators",
            "level2",
            allowed,
            lambda r: (
                message(pair_id, "pair", level1=txt(r.level1), level2=txt(r.level2)),
                f"{txt(r.level1)}/{txt(r.level2)}",
                "规则配置中的一级/二级指标搭配",
            ),
            kind=kind,
        ),
        RowRule(
            filled_id,
            "indicators",
            "name",
            lambda d: filled(d["name"]),
            lambda r: (message(filled_id, "name"), None, "三级指标名称"),
            kind=kind,
        ),
        RowRule(
            filled_id,
            "indicators",
            "target",
            lambda d: filled(d.target),
            lambda r: (
                message(filled_id, "target", name=txt(r["name"]), label=target_label),
                None,
                target_label,
            ),
            kind=kind,
        ),
    ]


def target_rules() -> list[RowRule]:
    def d12(d: pd.DataFrame) -> pd.Series:
        has_digits = d.target.astype("string").str.contains(r"\d", regex=True).fillna(False)
        unparsed_number = has_digits & ~d.target_quantitative
        sentence = (d.level2 == "数量指标") & d.target_sentence
        return ~filled(d.target) | ~(unparsed_number | sentence)

    return [
        RowRule(
            "D12",
            "indicators",
            "target",
            d12,
            lambda r: (
                message("D12", target=txt(r.target)),
                r.target,
                ">=80%、≥10000(人)、及时",
            ),
            kind=DECLARATION,
        ),
        RowRule(
            "D16",
            "indicators",
            "target",
            lambda d: ~d.target_vague.astype(bool),
            lambda r: (
                message("D16", name=txt(r["name"]), target=txt(r.target)),
                r.target,
                "运算符+数值+单位，如 ≥20次",
            ),
            kind=DECLARATION,
        ),
    ]


def _band(tier: object, weight: float) -> tuple[float, float] | None:
    """The tier's band on ``weight``; None when not a tier or nothing to score (W ≤ 0)."""
    if not isinstance(tier, str) or weight is None or pd.isna(weight) or weight <= 0:
        return None
    return tier_band(tier, float(weight))


def score_rules(p: Profile) -> list[RowRule]:
    tol, w = p.tolerance, p.weight_word
    scoring = p.section("scoring")
    threshold, deduction = scoring["over_achievement"], float(scoring["over_achievement_deduction"])

    def s08(d: pd.DataFrame) -> pd.Series:
        return d.score.isna() | ((d.score >= 0) & (d.weight.isna() | (d.score <= d.weight + 1e-9)))

    def below_without_reason(d: pd.DataFrame) -> pd.Series:
        below = d.score.notna() & d.weight.notna() & (d.score < d.weight - 1e-9)
        return below & ~filled(d.deviation_reason)

    def inside_achieved(d: pd.DataFrame) -> pd.Series:
        """达成 tier and a score inside its band: a deduction, not a shortfall."""
        lo = pd.Series(
            [
                b[0] if (b := _band(t, wt)) and t == ACHIEVED else float("nan")
                for t, wt in zip(d.tier.tolist(), d.weight.tolist(), strict=True)
            ],
            index=d.index,
            dtype="float64",
        )
        return d.score >= lo - 1e-9

    def s09_error(d: pd.DataFrame) -> pd.Series:
        return ~(below_without_reason(d) & ~inside_achieved(d))

    def s09_warning(d: pd.DataFrame) -> pd.Series:
        return ~(below_without_reason(d) & inside_achieved(d))

    def s10(d: pd.DataFrame) -> pd.Series:
        return d.computed.isna() | d.score.isna() | close(d.score, d.computed, tol)

    def s11(d: pd.DataFrame) -> pd.Series:
        return ~d.over_achieved.astype(bool) | filled(d.deviation_reason)

    def s12(d: pd.DataFrame) -> pd.Series:
        ok = []
        for tier, weight, score in zip(
            d.tier.tolist(), d.weight.tolist(), d.score.tolist(), strict=True
        ):
            band = _band(tier, weight)
            if band is None or pd.isna(score):
                ok.append(True)
                continue
            lo, hi = band
            closed = tier == ACHIEVED  # 达成 [lo, W]; the others [lo, hi)
            ok.append(score >= lo - 1e-9 and (score <= hi + 1e-9 if closed else score < hi - 1e-9))
        return pd.Series(ok, index=d.index, dtype=bool)

    def s25(d: pd.DataFrame) -> pd.Series:
        if deduction <= 0:
            return pd.Series(True, index=d.index)
        over = d.over_achieved.astype(bool) & d.score.notna() & d.weight.notna()
        return ~over | (d.score <= d.weight - deduction + tol + 1e-9)

    def tier(r: pd.Series) -> str:
        lo, hi = tier_band(r.tier, float(r.weight))
        return f"{lo:.2f}–{hi:.2f}" if r.tier == ACHIEVED else f"{lo:.2f} 至 {hi:.2f}（不含）"

    def s09_message(r: pd.Series) -> tuple[str, Any, Any]:
        return (
            message("S09", "below", score=pts(r.score), word=w, weight=pts(r.weight)),
            None,
            "偏差原因",
        )

    s = SELF_EVALUATION
    return [
        RowRule(
            "S08",
            "indicators",
            "score",
            s08,
            lambda r: (
                message("S08", score=pts(r.score), word=w, weight=pts(r.weight)),
                r.score,
                f"0–{pts(r.weight)}",
            ),
            kind=s,
        ),
        RowRule("S09", "indicators", "deviation_reason", s09_error, s09_message, kind=s),
        RowRule(
            "S09",
            "indicators",
            "deviation_reason",
            s09_warning,
            lambda r: (
                message(
                    "S09",
                    "achieved",
                    actual=txt(r.actual),
                    score=pts(r.score),
                    word=w,
                    weight=pts(r.weight),
                ),
                None,
                "偏差原因",
            ),
            kind=s,
            severity=WARNING,
            key="deviation_reason:达成",
        ),
        RowRule(
            "S10",
            "indicators",
            "score",
            s10,
            lambda r: (
                message(
                    "S10",
                    target=txt(r.target),
                    actual=txt(r.actual),
                    computed=r.computed,
                    word=w,
                    weight=pts(r.weight),
                    shown=pts(r.score),
                ),
                r.score,
                round(r.computed, 2),
            ),
            kind=s,
        ),
        RowRule(
            "S11",
            "indicators",
            "deviation_reason",
            s11,
            lambda r: (
                message("S11", actual=txt(r.actual), target=txt(r.target), times=threshold),
                None,
                "原因说明",
            ),
            kind=s,
        ),
        RowRule(
            "S12",
            "indicators",
            "score",
            s12,
            lambda r: (
                message(
                    "S12",
                    actual=txt(r.actual),
                    tier=txt(r.tier).replace("指标", ""),
                    band=tier(r),
                    shown=pts(r.score),
                ),
                r.score,
                tier(r),
            ),
            kind=s,
        ),
        RowRule(
            "S25",
            "indicators",
            "score",
            s25,
            lambda r: (
                message(
                    "S25",
                    actual=txt(r.actual),
                    target=txt(r.target),
                    times=threshold,
                    deduction=deduction,
                    most=r.weight - deduction,
                    shown=pts(r.score),
                ),
                r.score,
                f"≤ {r.weight - deduction:.2f}",
            ),
            kind=s,
        ),
    ]
