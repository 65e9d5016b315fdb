"""Hypothesis strategies for VALID records, built from the form declarations.

Which fields exist, their types, which are required and which lists they choose from
all come from the layouts in :mod:`xltools.forms` and the profile's indicator framework;
a field a layout does not have stays ``None`` (a 2022/2023 declaration has no
项目性质). Cross-field facts a valid form keeps are added on top: totals are the sum of
their parts, the plan starts before it ends, a score lies between 0 and its weight.

The self-evaluation's formula cells (执行率, 执行率得分, 总分, 评分等级) are derived here,
with :mod:`decimal` and the rules printed on the form, never by calling
``xltools.compute``: the round-trip tests then also check the values the writer caches
(and, after LibreOffice recalculated, the template's formulas) against this code.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from hypothesis import strategies as st

from xltools.forms import Column, Field, Layout, T, layout_for
from xltools.model import Declaration, Indicator, Record, SelfEvaluation
from xltools.profiles import load_profile

FRAMEWORK: dict[str, tuple[str, ...]] = load_profile().framework()
PAIRS = [(level1, level2) for level1, level2s in FRAMEWORK.items() for level2 in level2s]
MAX_AMOUNT_CENTS = 10**13 - 1  # amounts < 1e11 (元 or 万元), two decimals
CENT = Decimal("0.01")
GRADE_BANDS = ((Decimal(90), "优"), (Decimal(80), "良"), (Decimal(60), "中"))  # below 60: 差

# -- text --------------------------------------------------------------------------------------

# Characters and phrases of real forms (seeds 000/002/004), so that text looks like what
# clerks type; random pieces from the same pool add variety.
CJK = (
    "上海市长宁区医疗保障局保险事务中心信息系统维护经费公共服务窗口运行社区互助帮困补助市民"
    "工作服专项资金数量质量时效成本效益满意度指标率次人个月分钟小时年度按时完成及时健全正面"
    "报道文件规定逐步提高提升办事便捷性经办优化费用审核结算平台咨询热线智能支出目标预算执行"
    "对象政策补贴标准准确发放夯实托底解决退休回沪定居人员基本覆盖范围以外人群问题受益生活水平"
    "制度可持续硬件软件故障恢复响应稳定顺利开展建立后续运管护机制业务好评推动化规范便利方便"
    "群众长效接听控制合格流失投诉处理改造面积按标准要求进行改建合同期限内限额符合使用环保材料"
    "，。；：、（）《》“”—％×"
)
ASCII = "".join(chr(c) for c in range(0x20, 0x7F))  # printable ASCII, space included
PHRASES = (
    "社区医疗互助帮困补助经费",
    "信息系统维护经费",
    "公共服务窗口运行经费",
    "工作服专项经费",
    "上海市长宁区医疗保障局",
    "上海市长宁区医疗保险事务中心",
    "上海市医疗保险事业管理中心",
    "服务对象满意度",
    "补贴资金发放及时率",
    "系统故障响应时间",
    "12393服务热线",
    "7×24小时",
    "每周 2-3 次",
    "维保次数",
    "项目总成本",
    "业务结算量",
    "(支疆)",
    "1.5",
    "2025",
    "0",
    "_x0041_",  # looks like an OOXML escape: must come back literally
)
# Text that a careless writer would turn into formulas, numbers or dates.
TRICKY = (
    "=100%",
    "=SUM(A1:A3)",
    "+86 21 1234",
    "-",
    "-5%",
    "@提醒",
    "'引号",
    "2025-01-01",
    "TRUE",
    "1E5",
    "0012",
    "#N/A",
)
TARGETS_QUALITATIVE = (
    "及时",
    "有正面报道",
    "按文件规定",
    "健全",
    "逐步提高",
    "符合",
    "降低",
    "建立健全",
    "立即响应",
)
ACTUALS = (
    "达成指标",
    "部分达成指标并具有一定效果",
    "未达成指标且效果较差",
    "100%",
    "12次",
    "按时",
    "满意",
    "良好",
)
OPERATORS = (">=", "≥", ">", "<=", "≤", "<", "=", "", "＞＝")
UNITS = ("%", "(%)", "(人)", "(元)", "(小时)", "分钟", "次", "个月", "件", "万元", "")
PREFIXES = ("=", "+", "-", "@")


# "_x0008_" is how an xlsx file spells a control character, and is read as one (removed):
# realistic text holds neither (hypothesis once drew "_x0008_" from printable ASCII).
_CONTROL_ESCAPE = re.compile(r"_x(00[01][0-9A-Fa-f]|007[Ff])_")


def _clean(text: str) -> str:
    while _CONTROL_ESCAPE.search(text):  # removing one may join the pieces of another
        text = _CONTROL_ESCAPE.sub("", text)
    return text.strip()


def _pieces() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(PHRASES),
        st.text(alphabet=CJK, min_size=1, max_size=12),
        st.text(alphabet=ASCII, min_size=1, max_size=8),
    )


@st.composite
def texts(draw: st.DrawFn, max_pieces: int = 3) -> str:
    """One line of realistic text: no control characters, no outer whitespace, not empty."""
    if draw(st.integers(0, 9)) == 0:
        return draw(st.sampled_from(TRICKY))
    body = "".join(draw(st.lists(_pieces(), min_size=1, max_size=max_pieces)))
    prefix = draw(st.sampled_from(("",) * 6 + PREFIXES))
    text = _clean(prefix + body)
    return text or draw(st.sampled_from(PHRASES))


def long_texts() -> st.SearchStrategy[str]:
    """Goal texts and deviation reasons: several sentences."""
    return texts(max_pieces=12)


@st.composite
def targets(draw: st.DrawFn) -> str:
    """指标值 notation: ``>=80%``, ``≥10000.00(人)``, ``=100%``, ``<=90分钟`` or words."""
    if draw(st.booleans()):
        return draw(st.sampled_from(TARGETS_QUALITATIVE))
    number = draw(
        st.one_of(st.integers(0, 20000).map(str), st.decimals(0, 100000, places=2).map(str))
    )
    return draw(st.sampled_from(OPERATORS)) + number + draw(st.sampled_from(UNITS))


def optional(strategy: st.SearchStrategy[Any], required: bool) -> st.SearchStrategy[Any]:
    return strategy if required else st.one_of(st.none(), strategy, strategy)


# -- numbers and dates ---------------------------------------------------------------------------


def cents_to_float(cents: int) -> float:
    return float(Decimal(cents) * CENT)


def amounts_cents(max_cents: int = MAX_AMOUNT_CENTS) -> st.SearchStrategy[int]:
    """Amounts in cents: round figures (as budgets usually are) and arbitrary ones."""
    return st.one_of(
        st.integers(0, max_cents),
        st.integers(0, max_cents // 100_000).map(lambda n: n * 100_000),  # whole thousands
        st.just(0),
    )


def weights() -> st.SearchStrategy[float]:
    return st.one_of(
        st.sampled_from((10.0, 5.0, 12.0, 15.0, 20.0, 0.0, 100.0)),
        st.integers(0, 10_000).map(cents_to_float),
    )


def dates(year: int) -> st.SearchStrategy[dt.date]:
    return st.dates(dt.date(year - 1, 1, 1), dt.date(year + 1, 12, 31))


# -- derived self-evaluation values ----------------------------------------------------------------


def _dec(value: float | None) -> Decimal | None:
    return None if value is None else Decimal(repr(value))


def execution_rate(adjusted: float | None, executed: float | None) -> Decimal | None:
    """执行率 in percent, 2 decimals, half-up; none without a positive budget or spending.

    The template computes ROUND(executed/adjusted, 4) as a fraction: the same figure.
    """
    a, e = _dec(adjusted), _dec(executed)
    if a is None or e is None or a == 0:
        return None
    return (e / a * 100).quantize(CENT, rounding=ROUND_HALF_UP)


def execution_score(rate: Decimal | None, weight: float | None) -> Decimal | None:
    """执行率得分 = min(执行率, 100 %) × 分值, 2 decimals, half-up."""
    if rate is None:
        return None
    return (min(rate, Decimal(100)) / 100 * (_dec(weight) or 0)).quantize(CENT, ROUND_HALF_UP)


def grade(total: Decimal | None) -> str | None:
    if total is None:
        return None
    return next((name for floor, name in GRADE_BANDS if total >= floor), "差")


def derive(record: SelfEvaluation) -> SelfEvaluation:
    """Fill the formula fields of ``record`` from its inputs (in place) and return it."""
    total = record.funds.total
    rate = execution_rate(total.adjusted_budget, total.executed)
    score = execution_score(rate, total.weight)
    parts = [s for s in (score, *(_dec(i.score) for i in record.indicators)) if s is not None]
    overall = sum(parts, Decimal(0)) if parts else None
    total.execution_rate = None if rate is None else float(rate)
    total.score = None if score is None else float(score)
    record.total_score = None if overall is None else float(overall)
    record.grade = grade(overall)
    return record


# -- building records from a layout ----------------------------------------------------------------


def _assign(record: Any, key: str, value: Any) -> None:
    *path, last = key.split(".")
    for part in path:
        record = getattr(record, part)
    setattr(record, last, value)


def _plain_value(fld: Field, layout: Layout, year: int) -> st.SearchStrategy[Any]:
    """A value for one input field, by its declared type (formula fields are derived)."""
    if fld.choices:
        value = st.one_of(st.sampled_from(layout.choices[fld.choices]), texts())
    elif fld.type == T.TEXT:
        value = texts()
    elif fld.type == T.LONG_TEXT:
        value = long_texts()
    elif fld.type == T.DATE:
        value = dates(year).map(dt.date.isoformat)
    elif fld.type == T.WEIGHT:
        # A blank 分值 prints as its default (10), so a valid record always has one.
        return weights()
    else:
        raise AssertionError(f"no strategy for {fld.key} ({fld.type})")
    return optional(value, fld.required)


def input_fields(layout: Layout) -> list[Field]:
    """Fields the user types into, except amounts (drawn with their totals, see _summed)."""
    return [
        f
        for f in layout.all_fields()
        if not f.formula and not f.key.startswith("_") and f.type != T.MONEY
    ]


def _check_amounts(layout: Layout, keys: set[str]) -> None:
    """Every amount a layout declares must be drawn: fail loudly when a form gains one."""
    declared = {f.key for f in layout.all_fields() if f.type == T.MONEY}
    assert declared == keys, f"amount fields not covered: {declared ^ keys}"


@st.composite
def _indicator(draw: st.DrawFn, columns: tuple[Column, ...], share: int) -> Indicator:
    """One indicator row; ``share`` is its part of the 90 points (cents) the indicators carry."""
    level1, level2 = draw(st.sampled_from(PAIRS))
    ind = Indicator(level1=level1, level2=level2)
    keys = {c.key: c for c in columns}
    ind.name = draw(texts())
    ind.target = draw(targets())
    if "actual" in keys:
        actual = st.one_of(st.sampled_from(ACTUALS), targets(), texts())
        ind.actual = draw(optional(actual, keys["actual"].required))
    if "weight" in keys:
        weight = draw(st.one_of(st.just(share), st.just(share), st.integers(0, 3000), st.none()))
        if weight is not None:
            ind.weight = cents_to_float(weight)
            score = draw(
                st.one_of(
                    st.just(weight),  # target reached
                    st.integers(max(0, weight - 300), weight),  # a few points off
                    st.integers(0, weight),
                    st.none(),
                )
            )
            ind.score = None if score is None else cents_to_float(score)
    if "deviation_reason" in keys:
        ind.deviation_reason = draw(optional(long_texts(), keys["deviation_reason"].required))
    return ind


@st.composite
def indicators(draw: st.DrawFn, layout: Layout, max_size: int = 25) -> list[Indicator]:
    """0–``max_size`` rows, sizes spread evenly (plain lists would be mostly short)."""
    n = draw(st.integers(0, max_size))
    share = 9000 // max(n, 1)
    return draw(st.lists(_indicator(layout.columns, share), min_size=n, max_size=n))


@st.composite
def _summed(draw: st.DrawFn, parts: list[str], required: bool) -> dict[str, float | None]:
    """Amounts for ``parts`` plus their total (first key): total = Σ present parts."""
    total_key, *sub_keys = parts
    cap = MAX_AMOUNT_CENTS // max(len(sub_keys), 1)
    subs = {k: draw(optional(amounts_cents(cap), False)) for k in sub_keys}
    present = [c for c in subs.values() if c is not None]
    total = sum(present) if present else draw(optional(amounts_cents(), required))
    out = {k: None if c is None else cents_to_float(c) for k, c in subs.items()}
    out[total_key] = None if total is None else cents_to_float(total)
    return out


def _required(layout: Layout, key: str) -> bool:
    return next(f.required for f in layout.all_fields() if f.key == key)


@st.composite
def declarations(draw: st.DrawFn, years: tuple[int, int] = (2022, 2030)) -> Declaration:
    """A valid 申报表: the 2022 layout (no 项目性质) before 2024, the 2025 layout after."""
    year = draw(st.integers(*years))
    layout = layout_for("declaration", year)
    record = Declaration(year=year, money_unit=draw(st.sampled_from(("元", "万元"))))
    for fld in input_fields(layout):
        _assign(record, fld.key, draw(_plain_value(fld, layout, year)))
    start, end = sorted([record.start_date, record.end_date])
    record.start_date, record.end_date = start, end
    funds = [
        (
            "funds.annual_total",
            "funds.current_appropriation",
            "funds.carryover",
            "funds.annual_other_funds",
        ),
        ("funds.project_total", "funds.fiscal_funds", "funds.other_funds"),
    ]
    _check_amounts(layout, {k for keys in funds for k in keys})
    for keys in funds:
        for key, value in draw(_summed(list(keys), _required(layout, keys[0]))).items():
            _assign(record, key, value)
    record.indicators = draw(indicators(layout))
    return record


_FUNDS_ROWS = ("total", "current_appropriation", "carryover", "other")


@st.composite
def self_evaluations(draw: st.DrawFn, years: tuple[int, int] = (2020, 2030)) -> SelfEvaluation:
    """A valid 自评表 with its 执行率, 得分, 总分 and 评分等级 derived by :func:`derive`."""
    year = draw(st.integers(*years))
    layout = layout_for("self_evaluation", year)
    record = SelfEvaluation(year=year, money_unit=draw(st.sampled_from(("元", "万元"))))
    for fld in input_fields(layout):
        _assign(record, fld.key, draw(_plain_value(fld, layout, year)))
    _check_amounts(
        layout,
        {
            f"funds.{row}.{column}"
            for row in _FUNDS_ROWS
            for column in ("initial_budget", "adjusted_budget", "executed")
        },
    )
    for column in ("initial_budget", "adjusted_budget"):
        keys = [f"funds.{row}.{column}" for row in _FUNDS_ROWS]
        for key, value in draw(_summed(keys, _required(layout, keys[0]))).items():
            _assign(record, key, value)
    _spend(draw, record)
    record.indicators = draw(indicators(layout))
    return derive(record)


def _cents(amount: float | None) -> int:
    return 0 if amount is None else int(Decimal(repr(amount)) * 100)


def _spend(draw: st.DrawFn, record: SelfEvaluation) -> None:
    """全年执行数: each row within 120 % of its budget, the total within 120 % of the total
    budget (execution rates of thousands of percent are typing errors, not valid forms),
    and the total the sum of the rows."""
    left = _cents(record.funds.total.adjusted_budget) * 6 // 5
    spent: list[int] = []
    for row in _FUNDS_ROWS[1:]:
        budget = getattr(record.funds, row).adjusted_budget
        cap = left if budget is None else min(left, _cents(budget) * 6 // 5)
        cents = draw(optional(st.one_of(st.integers(0, cap), st.just(cap * 5 // 6)), False))
        getattr(record.funds, row).executed = None if cents is None else cents_to_float(cents)
        if cents is not None:
            spent.append(cents)
            left -= cents
    if spent:
        record.funds.total.executed = cents_to_float(sum(spent))
    else:
        total = draw(optional(st.integers(0, left), False))
        record.funds.total.executed = None if total is None else cents_to_float(total)


def records() -> st.SearchStrategy[Record]:
    return st.one_of(declarations(), self_evaluations())
