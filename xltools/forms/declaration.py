"""财政项目支出绩效目标申报表 (declaration), declared once.

Two layout versions, as seen in real forms: ``2022`` carries 项目类别 only
(经常性项目 / 一次性项目, seed 000); ``2025`` carries 项目性质 and 项目类别
(经常性专项业务费 / 特定目标类, seed 002). Every row below the fourth is shared.
"""

from __future__ import annotations

from dataclasses import replace

from xltools.forms.base import LEVEL_COLUMNS, Column, Field, Layout, T
from xltools.model import DECLARATION

TITLE = "财政项目支出绩效目标申报表"
TABLE_ROWS_START = 14

_MONEY_PROMPT = "填写金额（数字，不含单位），单位见左侧“项目资金”标签。"


def _money(key: str, label: str, label_cell: str, value_cell: str, **kw: object) -> Field:
    return Field(f"funds.{key}", label, T.MONEY, label_cell, value_cell, prompt=_MONEY_PROMPT, **kw)


_COMMON = (
    Field(
        "project_name",
        "项目名称",
        T.TEXT,
        "A3",
        "B3:E3",
        required=True,
        prompt="填写预算批复中的项目全称。",
    ),
    Field(
        "department",
        "主管部门",
        T.TEXT,
        "A5",
        "B5:C5",
        required=True,
        prompt="填写主管部门全称，例如：上海市长宁区医疗保障局。",
    ),
    Field(
        "implementing_unit",
        "实施单位",
        T.TEXT,
        "D5",
        "E5",
        required=True,
        prompt="填写项目实施单位全称。",
    ),
    Field(
        "start_date",
        "计划开始日期",
        T.DATE,
        "A6",
        "B6:C6",
        required=True,
        prompt="日期，例如 2025-01-01。",
    ),
    Field(
        "end_date",
        "计划完成日期",
        T.DATE,
        "D6",
        "E6",
        required=True,
        prompt="日期，例如 2025-12-31；不得早于计划开始日期。",
    ),
    _money("project_total", "项目资金总额", "B7", "C7", aliases=("项目资金总额",)),
    _money("fiscal_funds", "其中：财政资金", "B8", "C8", aliases=("财政资金",)),
    _money("other_funds", "其他资金", "B10", "C10"),
    _money("annual_total", "年度资金申请总额", "D7", "E7", required=True),
    _money("current_appropriation", "其中：当年财政拨款", "D8", "E8", aliases=("当年财政拨款",)),
    _money("carryover", "上年结转资金", "D9", "E9"),
    _money("annual_other_funds", "其他资金", "D10", "E10"),
    Field(
        "overall_goal",
        "项目总目标",
        T.LONG_TEXT,
        "B11:C11",
        "B12:C12",
        prompt="项目整个实施期的总目标（可跨年度）。",
    ),
    Field(
        "annual_goal",
        "年度总目标",
        T.LONG_TEXT,
        "D11:E11",
        "D12:E12",
        required=True,
        aliases=("年度总体目标",),
        prompt="本年度要达到的产出和效果，应与绩效指标对应。",
    ),
)

_CATEGORY_2022 = Field(
    "project_category",
    "项目类别",
    T.TEXT,
    "A4",
    "B4:E4",
    choices="category",
    prompt="从下拉列表选择，也可直接填写。",
)
_NATURE_2025 = Field(
    "project_nature",
    "项目性质",
    T.TEXT,
    "A4",
    "B4:C4",
    choices="nature",
    prompt="从下拉列表选择，也可直接填写。",
)
_CATEGORY_2025 = Field(
    "project_category",
    "项目类别",
    T.TEXT,
    "D4",
    "E4",
    choices="category",
    prompt="从下拉列表选择，也可直接填写。",
)

COLUMNS = (
    *LEVEL_COLUMNS,
    Column(
        "name", "三级指标", "D", T.TEXT, required=True, unique=True, prompt="具体的绩效指标名称。"
    ),
    Column(
        "target",
        "指标目标值",
        "E",
        T.TEXT,
        required=True,
        aliases=("年度指标值", "年度(/项目)指标值", "年度/项目指标值", "指标值"),
        prompt="运算符+数值+单位，如 >=80%、≥10000(人)、<=90分钟；定性指标填“及时”“健全”等。",
    ),
)

_STATICS = (("A7:A10", "项目资金\n（{unit}）"), ("A11:A12", "项目绩效目标"), ("B9:C9", ""))
_WIDTHS = {"A": 12, "B": 18, "C": 18, "D": 34, "E": 24}


def _relabel(fields: tuple, labels: dict[str, str]) -> tuple:
    """The 2025 form prints 年度总体目标 and 年度(/项目)指标值 where 2022 printed other words."""
    out = []
    for item in fields:
        if item.key in labels:
            item = replace(item, label=labels[item.key], aliases=(item.label, *item.aliases))
        out.append(item)
    return tuple(out)


def _layout(
    version: str,
    variant_fields: tuple[Field, ...],
    choices: dict,
    labels: dict[str, str] | None = None,
) -> Layout:
    labels = labels or {}
    return Layout(
        kind=DECLARATION,
        version=version,
        sheet_name="申报表",
        title=TITLE,
        widths=_WIDTHS,
        fields=_relabel((_COMMON[0], *variant_fields, *_COMMON[1:]), labels),
        statics=_STATICS,
        table_block="绩效指标",
        header_row=13,
        columns=_relabel(COLUMNS, labels),
        choices=choices,
        tall_rows={12: 150},
    )


LAYOUT_2022 = _layout("2022", (_CATEGORY_2022,), {"category": ("经常性项目", "一次性项目")})
LAYOUT_2025 = _layout(
    "2025",
    (_NATURE_2025, _CATEGORY_2025),
    {
        "category": ("特定目标类", "其他运转类"),
        "nature": ("经常性专项业务费", "一次性专项业务费", "跨年度专项业务费"),
    },
    labels={"annual_goal": "年度总体目标", "target": "年度(/项目)指标值"},
)
