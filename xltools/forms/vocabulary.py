"""The labels of the forms and their regional synonyms, declared once.

Every region prints the same fields under its own words: 项目名称 / 项目支出名称,
主管部门 / 预算部门, 全年执行数 / 预算执行数, 分值 / 权重 … Each entry lists the
synonyms of one field (record key) or one column; the layouts in this package take
their aliases from here, and the reader, the rules and the messages use these lists
and nothing else. Matching goes through :func:`xltools.text.normalise_label`, so
spaces, line breaks, colons and a trailing bracket with a period, unit, points or
letter (``（2023年-2023年）``, ``(万元)``, ``(50分)``, ``(B/A)``, ``（盖章）``) never matter.
"""

from __future__ import annotations

from dataclasses import replace

from xltools.forms.base import Column, Field, Layout
from xltools.text import normalise_label

# Header, funds and goals fields: record key → synonyms (the printed label of our own
# template comes first in each layout; these are the other words seen in real forms).
FIELDS: dict[str, tuple[str, ...]] = {
    "project_name": ("项目名称", "项目支出名称"),
    "project_category": ("项目类别",),
    "project_nature": ("项目性质",),
    "department": ("主管部门", "主管部门及代码", "预算部门"),
    "implementing_unit": ("实施单位", "填报单位"),
    "start_date": ("计划开始日期",),
    "end_date": ("计划完成日期",),
    "funds.project_total": ("项目资金总额",),
    "funds.fiscal_funds": ("其中：财政资金", "财政资金"),
    "funds.other_funds": ("其他资金",),
    "funds.annual_total": ("年度资金申请总额", "年度本级预算金额"),
    "funds.current_appropriation": ("其中：当年财政拨款", "当年财政拨款"),
    "funds.carryover": ("上年结转资金",),
    "funds.annual_other_funds": ("其他资金",),
    "overall_goal": ("项目总目标", "项目总体目标", "实施期绩效目标", "中期目标", "实施期目标"),
    "annual_goal": ("年度总目标", "年度总体目标", "本年度绩效目标", "年度绩效目标"),
    "expected_goal": ("预期目标", "预算目标", "项目年度目标"),
    "actual_result": ("实际完成情况", "年度目标完成情况"),
    "total_score": ("总分", "合计"),
    "grade": ("评分等级",),
}

# One cell for both 计划开始日期 and 计划完成日期: "2023.07-2024.01" (湖南).
PERIOD = ("项目支出实施期", "项目实施期", "实施期限", "项目期限", "实施周期")

# 自评表 funds grid rows: record line → row labels.
FUNDS_ROWS: dict[str, tuple[str, ...]] = {
    "total": ("年度资金总额", "资金总额", "总额"),
    "current_appropriation": (
        "其中：当年财政拨款",
        "当年财政拨款",
        "本年财政拨款",
        "本年一般公共预算拨款",
        "财政资金",
        "财政拨款",
    ),
    "carryover": ("上年结转资金", "上年结转"),
    "other": ("其他资金",),
}
# Funds rows some regions add that the record has no place for (四川: 财政专户管理资金,
# 单位资金): read as labels, never as values; an amount in them is reported (R12).
EXTRA_FUNDS_ROWS = ("财政专户管理资金", "单位资金")

# 自评表 funds grid columns: record column → headers.
FUNDS_COLUMNS: dict[str, tuple[str, ...]] = {
    "initial_budget": ("年初预算数", "年初预算"),
    "adjusted_budget": ("全年预算数", "全年预算", "预算数", "调整后预算数"),
    "executed": ("全年执行数", "全年执行", "执行数", "实际执行数", "预算执行数"),
    "weight": ("分值", "分数", "权重"),
    "execution_rate": ("执行率", "预算执行率"),
    "score": ("得分",),
}
# The reason column some regions print right of the funds grid (四川: 原因), read into
# funds.<row>.reason. Kept apart from FUNDS_COLUMNS, whose order is the printed order of
# the figures (R17 reads a header-less grid by it); our own template has no such column.
FUNDS_REASON = ("原因", "偏差原因", "原因说明", "未完成原因", "偏差原因分析", "未完成原因分析")

# Indicator table columns: record key → headers.
COLUMNS: dict[str, tuple[str, ...]] = {
    "level1": ("一级指标",),
    "level2": ("二级指标",),
    "name": ("三级指标",),
    "target": (
        "年度指标值",
        "指标目标值",
        "年度(/项目)指标值",
        "年度/项目指标值",
        "指标值",
        "指标值及单位",
    ),
    "actual": ("实际完成值", "完成值", "全年实际值", "实际值"),
    "weight": ("分值", "分数", "权重"),
    "score": ("得分",),
    "deviation_reason": ("偏差原因分析及改进措施", "偏差原因", "未完成原因分析", "原因"),
}
# A target split over three columns (四川): operator, value, unit.
TARGET_PARTS: dict[str, tuple[str, ...]] = {
    "operator": ("指标性质",),
    "unit": ("度量单位", "计量单位"),
}
# Columns some regions add, kept in the record as ``extras`` (never taken for values).
EXTRA_COLUMNS: dict[str, tuple[str, ...]] = {
    "standard": ("绩效标准", "评(扣)分标准", "评扣分标准", "评分标准"),
    "method": ("得分计算方法", "计分方法"),
}

# Where an indicator table ends when no 总分 row follows it: the labels of the blocks
# printed below it (a row starting with one of them is not an indicator).
BELOW_TABLE = (
    "财政部门审核意见",
    "审核意见",
    "填表人",
    "填报人",
    "评价结论",
    "存在问题",
    "改进措施",
    "项目负责人",
    "财务负责人",
    "单位负责人",
    "联系电话",
    "填报日期",
)
# Headings that may print their points, "绩效指标(90分)" (besides the 一级 names).
HEADINGS = frozenset(("绩效指标", "预算执行情况", "项目资金", "年度总体目标"))
# Block labels (left of a block, no value of their own).
BLOCKS = ("项目资金", "项目绩效目标", "绩效指标", "年度总体目标", "项目基本情况", "预算执行情况")
# Labels that name no field but sit among them (their neighbours are not their values).
OTHER_LABELS = (
    "年度预算数",
    "该项目支出上级资金",
    *PERIOD,
    "单位：万元",
    "单位：元",
    "项目实施内容及过程概述",
    "项目年度目标完成情况",
    *EXTRA_FUNDS_ROWS,
    *BELOW_TABLE,
)

# 二级 names as regions print them → the framework's name (forms.md §1).
LEVEL2_SYNONYMS: dict[str, str] = {
    "社会效益": "社会效益指标",
    "经济效益": "经济效益指标",
    "生态效益": "生态效益指标",
    "环境效益": "生态效益指标",
    "环境效益指标": "生态效益指标",
    "可持续影响": "可持续影响指标",
    "社会公众或服务对象满意度指标": "服务对象满意度指标",
    "社会公众或服务对象满意度": "服务对象满意度指标",
    "服务对象满意度": "服务对象满意度指标",
    "满意度": "服务对象满意度指标",
    "数量": "数量指标",
    "质量": "质量指标",
    "时效": "时效指标",
    "成本": "成本指标",
}


def synonyms(key: str, table: dict[str, tuple[str, ...]] = FIELDS) -> tuple[str, ...]:
    """The other words for ``key`` (its first, printed label excluded by the caller)."""
    return table[key]


def all_labels() -> frozenset[str]:
    """Every label of the vocabulary, normalised (what :func:`foreign.is_label` knows)."""
    texts: list[str] = [*BLOCKS, *OTHER_LABELS, *FUNDS_REASON]
    for table in (FIELDS, FUNDS_ROWS, FUNDS_COLUMNS, COLUMNS, TARGET_PARTS, EXTRA_COLUMNS):
        for words in table.values():
            texts += words
    return frozenset(normalise_label(t) for t in texts)


def lookup(table: dict[str, tuple[str, ...]]) -> dict[str, str]:
    """Normalised synonym → key, for one table."""
    return {normalise_label(word): key for key, words in table.items() for word in words}


def _words(key: str, kind_rows: bool) -> tuple[str, ...]:
    if kind_rows and key.startswith("funds."):
        line = key.split(".")[1]
        return FUNDS_ROWS.get(line, ())
    return FIELDS.get(key, ())


def with_synonyms(layout: Layout) -> Layout:
    """``layout`` with every field's and column's aliases taken from this vocabulary."""
    grid = layout.kind == "self_evaluation"

    def field_(fld: Field) -> Field:
        extra = [w for w in _words(fld.key, grid) if w not in (fld.label, *fld.aliases)]
        return replace(fld, aliases=(*fld.aliases, *extra)) if extra else fld

    def column(col: Column) -> Column:
        extra = [w for w in COLUMNS.get(col.key, ()) if w not in (col.label, *col.aliases)]
        return replace(col, aliases=(*col.aliases, *extra)) if extra else col

    footers = tuple(
        replace(
            f, fields=tuple(field_(x) for x in f.fields), aliases=_words(f.fields[-1].key, False)
        )
        for f in layout.footers
    )
    return replace(
        layout,
        fields=tuple(field_(f) for f in layout.fields),
        columns=tuple(column(c) for c in layout.columns),
        footers=footers,
        grid_columns=dict(FUNDS_COLUMNS) if grid else layout.grid_columns,
    )
