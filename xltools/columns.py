"""The Chinese CSV header of every record key (``read --format csv``), one place.

JSON keeps the English keys of shared/spec/forms.md §4; a CSV is for a clerk
building a pivot table in Excel or WPS, so its columns are named as the form
names them. docs/glossary.md lists every key with its header (a test keeps them equal).
"""

from __future__ import annotations

from xltools.model import KIND_NAMES

PROJECT = {
    "file": "文件",
    "sheet": "工作表",
    "kind": "表单",
    "year": "年度",
    "project_name": "项目名称",
    "project_category": "项目类别",
    "project_nature": "项目性质",
    "department": "主管部门",
    "implementing_unit": "实施单位",
    "start_date": "计划开始日期",
    "end_date": "计划完成日期",
    "money_unit": "金额单位",
}
DECLARATION_FUNDS = {  # 申报表: the left (项目) and right (年度) columns of 项目资金
    "project_total": "项目资金总额",
    "fiscal_funds": "项目资金·财政资金",
    "other_funds": "项目资金·其他资金",
    "annual_total": "年度资金申请总额",
    "current_appropriation": "年度资金·当年财政拨款",
    "carryover": "年度资金·上年结转资金",
    "annual_other_funds": "年度资金·其他资金",
}
FUNDS_LINES = {  # 自评表: the funds rows …
    "total": "年度资金总额",
    "current_appropriation": "当年财政拨款",
    "carryover": "上年结转资金",
    "other": "其他资金",
}
FUNDS_COLUMNS = {  # … and their columns
    "initial_budget": "年初预算数",
    "adjusted_budget": "全年预算数",
    "executed": "全年执行数",
    "weight": "分值",
    "execution_rate": "执行率",
    "score": "得分",
    "reason": "原因",  # 四川's 原因 column of the funds rows (执行率 < 90 % needs one)
}
SCORES = {"total_score": "总分", "grade": "评分等级"}
INDICATOR = {
    "level1": "一级指标",
    "level2": "二级指标",
    "name": "三级指标",
    "target": "指标目标值（年度指标值）",
    "actual": "实际完成值",
    "weight": "指标分值",
    "score": "指标得分",
    "deviation_reason": "偏差原因分析及改进措施",
    "row": "指标所在行",
}


def all_headers() -> dict[str, str]:
    """Every CSV column key, in the order a CSV shows them, with its Chinese header."""
    out = dict(PROJECT)
    out.update({f"funds.{k}": v for k, v in DECLARATION_FUNDS.items()})
    for line, line_name in FUNDS_LINES.items():
        out.update({f"funds.{line}.{k}": f"{line_name}·{v}" for k, v in FUNDS_COLUMNS.items()})
    out.update(SCORES)
    out.update(INDICATOR)
    return out


HEADERS = all_headers()


def header(key: str) -> str:
    """The Chinese header of ``key`` (a key added to the model without one keeps its name)."""
    return HEADERS.get(key, key)


def shown_value(key: str, value: object) -> object:
    """A cell of the Chinese CSV: the form kind as the clerk names it (申报表/自评表)."""
    if key == "kind" and isinstance(value, str):
        return KIND_NAMES.get(value, value)  # type: ignore[call-overload]
    return value
