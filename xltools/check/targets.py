"""The 指标值 notation: ``>=98.00(人)`` → (">=", 98.0, "人"), and the score it implies.

Targets and actuals are written in a small notation (shared/spec/forms.md §1):
an optional operator (``>= ≥ ＞= > ＞ <= ≤ ＜= < ＜ = ＝``), a number (thousands
separators, decimals, full-width digits), and a unit in or out of brackets
(``≥10000.00(人)``, ``<=90分钟``, ``=1次/季``, ``100%``). Anything else is
qualitative (``及时``, ``达成指标``) and is not scored by formula.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

from xltools.compute import excel_round

OPERATORS = {
    ">=": ">=",
    "≥": ">=",
    "=>": ">=",
    ">": ">",
    "<=": "<=",
    "≤": "<=",
    "=<": "<=",
    "<": "<",
    "=": "=",
    "≦": "<=",
    "≧": ">=",
}
_VALUE = re.compile(
    r"^(?P<op>>=|=>|<=|=<|≥|≤|≧|≦|>|<|=)?"
    r"(?P<num>[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)"
    r"(?P<unit>.*)$"
)
_UNIT_OK = re.compile(r"^[^\d<>=≥≤,，。;；:：]{0,8}$")
ACHIEVED, PARTIAL, NOT_ACHIEVED = "达成指标", "部分达成指标并具有一定效果", "未达成指标且效果较差"
# Score tiers of qualitative actuals (S12), as fractions of the weight, as a production
# performance system scores them: 达成 [80 %, 100 %], 部分达成 [60 %, 80 %), 未达成 [0, 60 %),
# each bound rounded to 0.01 point.
TIERS = {ACHIEVED: (0.8, 1.0), PARTIAL: (0.6, 0.8), NOT_ACHIEVED: (0.0, 0.6)}
# The wordings of each tier: the national one (达成年度指标 / 部分达成年度指标并具有一定效果 /
# 未达成年度指标且效果较差), 达成预期指标 (安徽池州 2022) and the Shanghai short forms.
_TIER_WORDS = {
    ACHIEVED: ("达成年度指标", "达成预期指标", "达成指标", "全部达成年度指标"),
    PARTIAL: (
        "部分达成年度指标并具有一定效果",
        "部分达成预期指标并具有一定效果",
        "部分达成指标并具有一定效果",
        "部分达成年度指标",
        "部分达成预期指标",
        "部分达成指标",
    ),
    NOT_ACHIEVED: (
        "未达成年度指标且效果较差",
        "未达成预期指标且效果较差",
        "未达成指标且效果较差",
        "未达成年度指标",
        "未达成预期指标",
        "未达成指标",
    ),
}
_TIER_OF = {word: tier for tier, words in _TIER_WORDS.items() for word in words}


def tier_of(text: object) -> str | None:
    """The tier a qualitative actual names (``达成年度指标。`` → 达成指标), or None."""
    return _tier_of(text) if isinstance(text, str) else None


@functools.lru_cache(maxsize=16384)  # actuals repeat across forms, like targets
def _tier_of(text: str) -> str | None:
    folded = re.sub(r"[\s。.，,、；;！!]+", "", unicodedata.normalize("NFKC", text))
    return _TIER_OF.get(folded)


def tier_band(tier: str, weight: float) -> tuple[float, float]:
    """The points a tier allows on ``weight``: bounds rounded to 0.01 (half-up)."""
    lo, hi = TIERS[tier]
    return excel_round(lo * weight, 2), excel_round(hi * weight, 2)


@dataclass(frozen=True)
class Value:
    """A parsed 指标值: quantitative (op, number, unit) or qualitative (text only)."""

    text: str
    op: str | None = None  # ">=", ">", "<=", "<", "="; None for qualitative
    number: float | None = None
    unit: str = ""
    normalised: bool = False  # full-width digits/operators were turned half-width (R06)

    @property
    def quantitative(self) -> bool:
        return self.number is not None

    @property
    def upper_bound(self) -> bool:
        """≤ and < targets: smaller is better (reverse indicators)."""
        return self.op in ("<=", "<")


def _unit(raw: str) -> str:
    unit = raw.strip()
    if len(unit) >= 2 and unit[0] in "(（[【" and unit[-1] in ")）]】":
        unit = unit[1:-1].strip()
    return unit


def parse_value(text: object) -> Value | None:
    """Parse a target or an actual. ``None`` for a blank cell."""
    if text is None:
        return None
    return _parse(text) if isinstance(text, str) else _parse_uncached(text)


@functools.lru_cache(maxsize=65536)
def _parse(text: str) -> Value | None:
    # Cached: targets like ">=95%" repeat across thousands of forms, and check parses
    # each twice (frames and scoring help). Value is immutable, so sharing is safe.
    return _parse_uncached(text)


def _parse_uncached(text: object) -> Value | None:
    raw = str(text).strip()
    if not raw:
        return None
    folded = re.sub(r"\s+", "", unicodedata.normalize("NFKC", raw))
    m = _VALUE.match(folded)
    if m and _UNIT_OK.match(unit := _unit(m.group("unit"))):
        op = OPERATORS[m.group("op")] if m.group("op") else "="
        number = float(m.group("num").replace(",", ""))
        return Value(raw, op, number, unit, normalised=folded != re.sub(r"\s+", "", raw))
    return Value(raw)


def looks_like_sentence(value: Value) -> bool:
    """A qualitative target that is really a sentence (数量指标 ``保证每周2-3次``)."""
    return not value.quantitative and (len(value.text) > 12 or bool(re.search(r"\d", value.text)))


def same_unit(target: Value, actual: Value) -> bool:
    return target.unit == actual.unit


def computed_score(
    target: Value | None, actual: Value | None, weight: float | None, reverse: str = "linear"
) -> float | None:
    """The score rules.md gives a quantitative indicator, or None when it does not apply.

    ≥, >, = with T > 0: A ≥ T → W, else W × A / T.   = with T = 0: A ≤ 0 → W, else 0.
    ≤, <: A ≤ T → W; T < A < 2T → W × (1 − (A − T) / T); A ≥ 2T → 0
    (``reverse="ratio"``: W × T / A, as some regions score reverse indicators).
    """
    if target is None or actual is None or weight is None:
        return None
    if not (target.quantitative and actual.quantitative) or not same_unit(target, actual):
        return None
    t, a = float(target.number), max(float(actual.number), 0.0)  # type: ignore[arg-type]
    if target.upper_bound:
        return _reverse_score(t, a, weight, reverse)
    if t <= 0:
        return weight if a <= 0 else 0.0
    return weight if a >= t else weight * a / t


def _reverse_score(t: float, a: float, weight: float, reverse: str) -> float:
    if a <= t:
        return weight
    if reverse == "ratio":  # a target at or below 0 that was missed scores 0 (and no ÷ 0)
        return weight * t / a if t > 0 else 0.0
    if t <= 0 or a >= 2 * t:
        return 0.0
    return weight * (1 - (a - t) / t)


def over_achieved(target: Value | None, actual: Value | None, threshold: float) -> bool:
    """Actual ≥ threshold × target on a ≥/>/= indicator (S11): was the target set too low?"""
    if target is None or actual is None or target.upper_bound:
        return False
    if not (target.quantitative and actual.quantitative) or not same_unit(target, actual):
        return False
    t = float(target.number)  # type: ignore[arg-type]
    return t > 0 and float(actual.number) >= threshold * t  # type: ignore[arg-type]


def explain_score(target: Value, actual: Value, weight: float, reverse: str = "linear") -> str:
    """Why the computed score is what it is, in the words of the 评分 rules."""
    t, a = float(target.number), max(float(actual.number), 0.0)  # type: ignore[arg-type]
    unit = target.unit
    if target.upper_bound:
        if a <= t:
            return f"实际 {a:g}{unit} 不超过目标 {t:g}{unit}，得满分 {weight:g}"
        if reverse == "ratio":
            return f"反向指标：分值 {weight:g} × 目标 {t:g} ÷ 实际 {a:g}"
        if t <= 0 or a >= 2 * t:
            return f"实际 {a:g}{unit} 达到目标 {t:g}{unit} 的 2 倍及以上，得 0 分"
        return f"反向指标：分值 {weight:g} × (1 − (实际 {a:g} − 目标 {t:g}) ÷ 目标 {t:g})"
    if t <= 0:
        return f"目标为 {t:g}{unit}：实际 {a:g}{unit} {'不超过 0，得满分' if a <= 0 else '超过 0，得 0 分'}"
    if a >= t:
        return f"实际 {a:g}{unit} 达到目标 {t:g}{unit}，得满分 {weight:g}"
    return f"分值 {weight:g} × 实际 {a:g} ÷ 目标 {t:g}（{a / t:.2%} 完成）"


# Indicators that call for a number (财预〔2015〕88号: targets 细化、量化): 数量 and 成本
# indicators, and any indicator named after a measure (…率, …次数, …金额, …成本).
_QUANTITATIVE_LEVELS = frozenset(
    ("数量指标", "成本指标", "经济成本指标", "社会成本指标", "生态环境成本指标")
)
_MEASURE_NAME = re.compile(r"(率|数|量|额|成本|费用|时长|天数|周期|次)$")


def quantitative_looking(level1: str | None, level2: str | None, name: str | None) -> bool:
    if level1 == "成本指标" or level2 in _QUANTITATIVE_LEVELS:
        return True
    folded = unicodedata.normalize("NFKC", name or "").strip()
    return bool(_MEASURE_NAME.search(folded))


def vague_target(text: object, words: tuple[str, ...]) -> bool:
    """A target like 按实, 按文件规定, 符合相关规定: a word of the profile, no number."""
    return _vague(text, words) if isinstance(text, str) else False


@functools.lru_cache(maxsize=16384)
def _vague(text: str, words: tuple[str, ...]) -> bool:
    folded = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))
    if not folded or re.search(r"\d", folded) or len(folded) > 10:
        return False
    return any(folded == w or folded.startswith(w) for w in words)
