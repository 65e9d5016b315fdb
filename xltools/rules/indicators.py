"""Indicator rules over the ``indicators`` frame: D10–D12 (申报表), S08–S12 and S16 (自评表)."""

from __future__ import annotations

import pandas as pd

from xltools.model import DECLARATION, SELF_EVALUATION
from xltools.profiles import Profile
from xltools.rules.base import RowRule, close, filled, pts, txt
from xltools.targets import TIERS


def _pairs(p: Profile) -> set[tuple[str, str]]:
    return {(l1, l2) for l1, l2s in p.framework().items() for l2 in l2s}


def structure_rules(p: Profile, kind: str) -> list[RowRule]:
    """Framework pairs and filled 三级/指标值: D10/D11 on declarations, S16 on self-evaluations."""
    pairs = _pairs(p)
    level1s, level2s = {a for a, _ in pairs}, {b for _, b in pairs}
    pair_id, filled_id = ("D10", "D11") if kind == DECLARATION else ("S16", "S16")
    target_label = "指标目标值" if kind == DECLARATION else "年度指标值"

    def allowed(d: pd.DataFrame) -> pd.Series:
        # A 二级 no framework knows under a known 一级 is the reader's warning R14.
        return pd.Series(
            [
                (a, b) in pairs or (a in level1s and bool(b) and b not in level2s)
                for a, b in zip(d.level1, d.level2, strict=True)
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
                f"“{txt(r.level1)}”下没有二级指标“{txt(r.level2)}”（不符合指标体系）",
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
            lambda r: ("指标行没有填写三级指标", None, "三级指标名称"),
            kind=kind,
        ),
        RowRule(
            filled_id,
            "indicators",
            "target",
            lambda d: filled(d.target),
            lambda r: (f"三级指标“{txt(r['name'])}”没有填写{target_label}", None, target_label),
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
                f"指标目标值“{txt(r.target)}”无法识别：应写作 运算符+数值+单位（如 >=80%、≥10000(人)），"
                "或简短的定性表述",
                r.target,
                ">=80%、≥10000(人)、及时",
            ),
            kind=DECLARATION,
        )
    ]


def score_rules(p: Profile) -> list[RowRule]:
    tol = p.tolerance
    threshold = p.section("scoring")["over_achievement"]

    def s08(d: pd.DataFrame) -> pd.Series:
        return d.score.isna() | ((d.score >= 0) & (d.weight.isna() | (d.score <= d.weight + 1e-9)))

    def s09(d: pd.DataFrame) -> pd.Series:
        below = d.score.notna() & d.weight.notna() & (d.score < d.weight - 1e-9)
        return ~below | filled(d.deviation_reason)

    def s10(d: pd.DataFrame) -> pd.Series:
        return d.computed.isna() | d.score.isna() | close(d.score, d.computed, tol)

    def s11(d: pd.DataFrame) -> pd.Series:
        return ~d.over_achieved.astype(bool) | filled(d.deviation_reason)

    def s12(d: pd.DataFrame) -> pd.Series:
        actual = d.actual.astype("string").str.strip()
        lo = actual.map(lambda a: TIERS.get(a, (None, None))[0] if isinstance(a, str) else None)
        hi = actual.map(lambda a: TIERS.get(a, (None, None))[1] if isinstance(a, str) else None)
        lo, hi = pd.to_numeric(lo), pd.to_numeric(hi)
        applies = lo.notna() & d.score.notna() & d.weight.notna()
        inside = (d.score >= lo * d.weight - 1e-9) & (d.score <= hi * d.weight + 1e-9)
        return ~applies | inside

    def tier(r: pd.Series) -> str:
        lo, hi = TIERS[str(r.actual).strip()]
        return f"{lo * r.weight:.2f}–{hi * r.weight:.2f}"

    s = SELF_EVALUATION
    return [
        RowRule(
            "S08",
            "indicators",
            "score",
            s08,
            lambda r: (
                f"得分 {pts(r.score)} 应在 0 与分值 {pts(r.weight)} 之间",
                r.score,
                f"0–{pts(r.weight)}",
            ),
            kind=s,
        ),
        RowRule(
            "S09",
            "indicators",
            "deviation_reason",
            s09,
            lambda r: (
                f"得分({pts(r.score)})低于分值({pts(r.weight)})，须填写偏差原因分析及改进措施",
                None,
                "偏差原因",
            ),
            kind=s,
        ),
        RowRule(
            "S10",
            "indicators",
            "score",
            s10,
            lambda r: (
                f"按年度指标值“{txt(r.target)}”与实际完成值“{txt(r.actual)}”计算，得分应为 "
                f"{r.computed:.2f}（分值 {pts(r.weight)}），表中为 {pts(r.score)}",
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
                f"实际完成值“{txt(r.actual)}”达到年度指标值“{txt(r.target)}”的 {threshold:g} 倍以上，"
                "请说明原因（目标是否定得过低）",
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
                f"实际完成值为“{str(r.actual).strip()}”，得分应在 {tier(r)} 之间，"
                f"表中为 {pts(r.score)}",
                r.score,
                tier(r),
            ),
            kind=s,
        ),
    ]
