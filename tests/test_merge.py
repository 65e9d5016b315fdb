"""``xltools.api.merge``: the consolidated workbook (issue 4).

Inputs are records written into our template: hand-built forms (from the seed records,
with figures chosen so that the expected totals are written out here) and, for the
property, forms drawn by :mod:`strategies`. The output is read with python-calamine
(values, as a clerk's script sees them) and openpyxl (formulas, cached values, formats,
page breaks, charts); formulas are evaluated here, the way a spreadsheet application
reads them, and compared with the values written next to them.

Expected figures are sums of the inputs computed in the test, never by the merge code.
"""

from __future__ import annotations

import copy
import fnmatch
import hashlib
import math
import re
import zipfile
from collections import Counter
from decimal import Decimal
from pathlib import Path
from random import Random
from tempfile import TemporaryDirectory
from typing import Any

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from python_calamine import CalamineWorkbook

from testkit.strategies import declarations, derive, self_evaluations
from xltools import api
from xltools.errors import UserError
from xltools.model import (
    DECLARATION,
    SELF_EVALUATION,
    Declaration,
    DeclarationFunds,
    FundsRow,
    Record,
    SelfEvaluation,
    content,
)

DEPT = "上海市长宁区医疗保障局"
UNIT_A = "上海市长宁区医疗保险事务中心"
UNIT_B = "上海市长宁区医疗保障事务服务中心"
UNIT_C = "上海市长宁区疾病预防控制中心"
KIND = {DECLARATION: "申报表", SELF_EVALUATION: "自评表"}
FORM_TITLES = {"财政项目支出绩效目标申报表", "财政项目支出绩效自评表"}
LEVEL1S = ("产出指标", "效益指标", "满意度指标", "成本指标")
COUNTS = [*(f"{x}数" for x in LEVEL1S), "指标数", "错误", "警告", "来源文件"]
KEYS = ["序号", "年度", "主管部门", "实施单位", "项目名称"]
DECLARATION_HEADER = [
    *KEYS,
    "项目类别",
    "项目性质",
    "项目资金总额",
    "年度资金申请总额",
    "当年财政拨款",
    "上年结转资金",
    "其他资金",
    *COUNTS,
]
SELF_EVALUATION_HEADER = [
    *KEYS,
    "年初预算数",
    "全年预算数",
    "全年执行数",
    "执行率",
    "执行率得分",
    "总分",
    "评分等级",
    *COUNTS,
]
# 项目汇总 column → the record's amount it shows.
DECLARATION_MONEY = {
    "项目资金总额": "project_total",
    "年度资金申请总额": "annual_total",
    "当年财政拨款": "current_appropriation",
    "上年结转资金": "carryover",
    "其他资金": "annual_other_funds",
}
SELF_EVALUATION_MONEY = {
    "年初预算数": "initial_budget",
    "全年预算数": "adjusted_budget",
    "全年执行数": "executed",
}
INDICATOR_HEADER = ["年度", "主管部门", "实施单位", "项目名称", "一级指标", "二级指标", "三级指标"]


# -- building inputs ------------------------------------------------------------------------------


def example(kind: str, name: str) -> Any:
    """A fresh copy of a seed record (examples/data)."""
    return next(r for r in api.example_records() if r.kind == kind and r.project_name == name)


def declaration(
    name: str,
    unit: str = UNIT_A,
    *,
    department: str = DEPT,
    year: int = 2025,
    money_unit: str = "元",
    appropriation: float = 100000.0,
    carryover: float = 0.0,
    other: float = 0.0,
    annual: float | None = None,
) -> Declaration:
    """信息系统维护经费 (seed 002) renamed, with consistent funds: a form without findings.

    ``annual`` is 年度资金申请总额 = the three parts; give it only to plant a D06 error.
    """
    record = example(DECLARATION, "信息系统维护经费")
    total = float(Decimal(repr(appropriation)) + Decimal(repr(carryover)) + Decimal(repr(other)))
    record.project_name, record.implementing_unit, record.department = name, unit, department
    record.year, record.money_unit = year, money_unit
    record.start_date, record.end_date = f"{year}-01-01", f"{year}-12-31"
    record.overall_goal = "保障医疗保险信息系统持续稳定运行。"
    record.indicators[2].target = record.indicators[3].target = "≤20次"  # not "按实" (D16)
    record.funds = DeclarationFunds(
        project_total=total,
        fiscal_funds=float(Decimal(repr(appropriation)) + Decimal(repr(carryover))),
        other_funds=other,
        annual_total=total if annual is None else annual,
        current_appropriation=appropriation,
        carryover=carryover,
        annual_other_funds=other,
    )
    return record


def self_evaluation(
    name: str,
    unit: str = UNIT_A,
    *,
    budget: float = 75000.0,
    executed: float = 75000.0,
    initial: float | None = None,
    department: str = DEPT,
    year: int = 2022,
    money_unit: str = "元",
    base: str = "工作服专项经费",
) -> SelfEvaluation:
    """A seed 自评表 renamed, with its funds set and 执行率/得分/总分/等级 derived."""
    record = example(SELF_EVALUATION, base)
    record.project_name, record.implementing_unit, record.department = name, unit, department
    record.year, record.money_unit = year, money_unit
    start = budget if initial is None else initial
    record.funds.total = FundsRow(start, budget, executed, 10.0)
    record.funds.current_appropriation = FundsRow(start, budget, executed)
    record.funds.carryover = FundsRow(0.0, 0.0, 0.0)
    record.funds.other = FundsRow(0.0, 0.0, 0.0)
    return derive(record)


def write_inputs(folder: Path, records: list[Record]) -> list[Path]:
    """One workbook per record, named so that sorting by name keeps the list order."""
    return [
        api.write_form(folder / f"{i:02d}_{KIND[r.kind]}.xlsx", r) for i, r in enumerate(records)
    ]


def merged(tmp: Path, records: list[Record], **options: Any) -> tuple[Path, Any, list[Path]]:
    """Write ``records`` as inputs, merge them; (output, plan, inputs)."""
    inputs = write_inputs(tmp / "收回的表格", records)
    out = tmp / "汇总.xlsx"
    plan = api.merge(inputs, out, **options)
    return out, plan, inputs


def projects_of(records: list[Record]) -> list[Record]:
    """The records in the order the output must list them: 主管部门, 实施单位, 项目名称."""
    return sorted(
        records, key=lambda r: (r.department or "", r.implementing_unit or "", r.project_name)
    )


def in_unit(record: Record, unit: str = "元") -> Record:
    """``record`` with its amounts in ``unit`` (1 万元 = 10,000 元), exactly, via Decimal."""
    factor = {("万元", "元"): Decimal(10000), ("元", "万元"): Decimal("0.0001")}.get(
        (record.money_unit, unit)
    )
    out = copy.deepcopy(record)
    if factor is None:
        return out
    out.money_unit = unit

    def scale(value: float | None) -> float | None:
        return None if value is None else float(Decimal(repr(value)) * factor)

    if out.kind == SELF_EVALUATION:
        for line in vars(out.funds).values():
            for key in SELF_EVALUATION_MONEY.values():
                setattr(line, key, scale(getattr(line, key)))
    else:
        for key, value in vars(out.funds).items():
            setattr(out.funds, key, scale(value))
    return out


# -- reading the output -----------------------------------------------------------------------------


def sheet_rows(path: Path, sheet: str) -> list[list[Any]]:
    """A sheet's values with python-calamine ("" for a blank cell)."""
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python()


def sheet_names(path: Path) -> list[str]:
    return CalamineWorkbook.from_path(str(path)).sheet_names


def all_values(path: Path) -> dict[str, list[list[Any]]]:
    book = CalamineWorkbook.from_path(str(path))
    return {name: book.get_sheet_by_name(name).to_python() for name in book.sheet_names}


class Summary:
    """项目汇总 read back: the project rows, the 合计 row and the 小计 rows, by header."""

    def __init__(self, path: Path, sheet: str = "项目汇总") -> None:
        rows = sheet_rows(path, sheet)
        head = header_index(rows, "序号")  # under the sheet's title lines
        self.header = list(rows[head])
        self.header_row = head + 1  # 1-based
        end = next(i for i, row in enumerate(rows) if row[0] == "合计")
        self.projects = [dict(zip(self.header, row, strict=True)) for row in rows[head + 1 : end]]
        self.total = dict(zip(self.header, rows[end], strict=True))
        self.total_row = end + 1  # 1-based
        self.subtotals: dict[str, dict[str, Any]] = {}
        self.subtotal_rows: dict[str, int] = {}
        for i, row in enumerate(rows[end + 1 :], start=end + 2):
            if row and row[0] == "小计":
                unit = row[self.header.index("实施单位")]
                self.subtotals[unit] = dict(zip(self.header, row, strict=True))
                self.subtotal_rows[unit] = i

    def keys(self) -> list[tuple[int, str, str, str]]:
        return [
            (int(p["年度"]), p["主管部门"], p["实施单位"], p["项目名称"]) for p in self.projects
        ]


def keys_of(records: list[Record]) -> list[tuple[int, str, str, str]]:
    return [(r.year, r.department, r.implementing_unit, r.project_name) for r in records]


def close(a: Any, b: Any) -> bool:
    """Equal, floats within 1e-9 relative (amounts × 10,000 lose the last binary digit)."""
    if isinstance(a, float | int) and isinstance(b, float | int) and not isinstance(a, bool):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(close(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(close(x, y) for x, y in zip(a, b, strict=True))
    return a == b


def blank(value: Any) -> Any:
    """A record's None as calamine shows the blank cell."""
    return "" if value is None else value


def read_back(path: Path) -> list[dict[str, Any]]:
    """The records `xltools read` finds in the output (from the 汇总表 sheets), as content."""
    [result] = api.read([path])
    return sorted((content(r) for r in result.records), key=_content_key)


def _content_key(data: dict[str, Any]) -> tuple:
    return (
        data["kind"],
        data["year"],
        data["department"] or "",
        data["implementing_unit"] or "",
        data["project_name"],
    )


def contents(records: list[Record]) -> list[dict[str, Any]]:
    return sorted((content(r) for r in records), key=_content_key)


def form_titles(path: Path, sheet: str) -> list[int]:
    """1-based rows holding a form's title (财政项目支出绩效…表) in a 汇总表 sheet."""
    return [
        i
        for i, row in enumerate(sheet_rows(path, sheet), start=1)
        if any(v in FORM_TITLES for v in row)
    ]


def form_projects(path: Path, sheet: str) -> list[str]:
    """项目名称 of each form in a 汇总表 sheet, top to bottom (the cell right of the label)."""
    names = []
    for row in sheet_rows(path, sheet):
        cells = [v for v in row if v != ""]
        if len(cells) >= 2 and cells[0] == "项目名称":
            names.append(cells[1])
    return names


def header_index(rows: list[list[Any]], first: str) -> int:
    """The 0-based row of a table's header (the row whose first cell is ``first``)."""
    return next(i for i, row in enumerate(rows) if row and row[0] == first)


def findings_rows(path: Path) -> list[dict[str, Any]]:
    rows = sheet_rows(path, "校验结果")
    head = header_index(rows, "严重程度")
    return [dict(zip(rows[head], row, strict=True)) for row in rows[head + 1 :]]


def sources_rows(path: Path) -> list[dict[str, Any]]:
    rows = sheet_rows(path, "来源")
    head = header_index(rows, "文件")
    return [dict(zip(rows[head], row, strict=True)) for row in rows[head + 1 :]]


# -- evaluating the formulas like a spreadsheet application ---------------------------------------

REF = re.compile(
    r"^(?:'?(?P<sheet>[^'!]+)'?!)?\$?(?P<c1>[A-Z]+)\$?(?P<r1>\d+)(?::\$?(?P<c2>[A-Z]+)\$?(?P<r2>\d+))?$"
)


def _col(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def resolve(book: Any, sheet: str, ref: str) -> list[Any]:
    """The cached values of a range (``'项目汇总'!$D$2:$D$4``, ``H5``), row by row."""
    m = REF.match(ref.strip())
    assert m, f"not a cell range: {ref}"
    ws = book[m["sheet"] or sheet]
    r1, c1 = int(m["r1"]), _col(m["c1"])
    r2, c2 = int(m["r2"] or r1), _col(m["c2"] or m["c1"])
    return [ws.cell(r, c).value for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)]


def _criterion_matches(value: Any, criterion: Any) -> bool:
    """SUMIF/COUNTIF criteria as Excel reads them: a leading operator, and * ? ~ wildcards."""
    if not isinstance(criterion, str):
        return isinstance(value, int | float) and value == criterion
    op = next((o for o in ("<=", ">=", "<>", "<", ">", "=") if criterion.startswith(o)), "")
    text = criterion[len(op) :]
    if op in ("<=", ">=", "<", ">"):
        return False  # never meant: no 实施单位 or 评分等级 is a comparison
    pattern = "".join(
        {"*": ".*", "?": "."}.get(ch, re.escape(ch)) for ch in re.sub(r"~([*?~])", r"\1", text)
    )
    equal = isinstance(value, str) and re.fullmatch(pattern, value, re.IGNORECASE) is not None
    return not equal if op == "<>" else equal


def _equal(a: Any, b: Any) -> bool:
    """``=`` between cells: text compares without regard to case, and literally."""
    if isinstance(a, str) and isinstance(b, str):
        return a.casefold() == b.casefold()
    return a == b


def _number(value: Any) -> float:
    return value if isinstance(value, int | float) and not isinstance(value, bool) else 0.0


def evaluate(book: Any, sheet: str, formula: str) -> Any:
    """The value a spreadsheet application computes for the formulas the merge writes."""
    f = formula.removeprefix("=")
    # A total over a column nobody filled in: blank, not 0.
    if m := re.fullmatch(r'IF\(COUNT\(([^,()]+)\)=0,"",(.+)\)', f):
        if not any(isinstance(v, int | float) for v in resolve(book, sheet, m[1])):
            return None
        return evaluate(book, sheet, m[2])
    if m := re.fullmatch(r"SUM\(([^,()]+)\)", f):
        return sum(_number(v) for v in resolve(book, sheet, m[1]))
    if m := re.fullmatch(r"SUMIF\(([^,()]+),([^,()]+),([^,()]+)\)", f):
        [criterion] = resolve(book, sheet, m[2])
        pairs = zip(resolve(book, sheet, m[1]), resolve(book, sheet, m[3]), strict=True)
        return sum(_number(v) for k, v in pairs if _criterion_matches(k, criterion))
    if m := re.fullmatch(r"SUMPRODUCT\(--\(([^,()=]+)=([^,()=]+)\),([^,()]+)\)", f):
        [wanted] = resolve(book, sheet, m[2])
        pairs = zip(resolve(book, sheet, m[1]), resolve(book, sheet, m[3]), strict=True)
        return sum(_number(v) for k, v in pairs if _equal(k, wanted))
    if m := re.fullmatch(r'IF\(([A-Z]+\d+)>0,([A-Z]+\d+)/([A-Z]+\d+),""\)', f):
        assert m[1] == m[3], formula
        [a] = resolve(book, sheet, m[1])
        [x] = resolve(book, sheet, m[2])
        return _number(x) / a if _number(a) > 0 else None  # "" is read back as None
    if m := re.fullmatch(r"COUNTIF\(([^,()]+),([^,()]+)\)", f):
        [criterion] = resolve(book, sheet, m[2])
        return sum(_criterion_matches(v, criterion) for v in resolve(book, sheet, m[1]))
    raise AssertionError(f"unexpected formula in {sheet}: {formula}")


def assert_formulas_agree(path: Path, sheet: str) -> int:
    """Every formula of ``sheet`` computes the value cached beside it; returns how many."""
    formulas = openpyxl.load_workbook(path)[sheet]
    cached = openpyxl.load_workbook(path, data_only=True)
    n = 0
    for row in formulas.iter_rows():
        for cell in row:
            if cell.data_type != "f":
                continue
            n += 1
            value = cached[sheet][cell.coordinate].value
            computed = evaluate(cached, sheet, cell.value)
            if computed is None or value in (None, ""):
                assert computed is None and value in (None, ""), (cell.coordinate, cell.value)
            else:
                assert math.isclose(computed, value, rel_tol=1e-9, abs_tol=1e-9), (
                    f"{sheet}!{cell.coordinate} {cell.value}: cached {value}, computes {computed}"
                )
    return n


# -- sheets, order and titles -------------------------------------------------------------------------


def test_one_kind_and_year_gives_the_plain_sheets(tmp_path: Path) -> None:
    out, _, _ = merged(tmp_path, [declaration("信息系统维护经费"), declaration("窗口运行经费")])
    assert sheet_names(out) == ["项目汇总", "指标明细", "汇总表", "图表", "来源"]


def test_summary_has_one_row_per_project_sorted(tmp_path: Path) -> None:
    records = [
        declaration("社区医疗互助帮困补助经费", UNIT_B),
        declaration("信息系统维护经费", UNIT_C, department="上海市长宁区卫生健康委员会"),
        declaration("公共服务窗口运行经费", UNIT_A),
        declaration("信息系统维护经费", UNIT_A),
        declaration("工作服专项经费", UNIT_B),
    ]
    out, plan, inputs = merged(tmp_path, records)
    summary = Summary(out)
    assert summary.header == DECLARATION_HEADER
    assert summary.keys() == keys_of(projects_of(records))
    assert [p["序号"] for p in summary.projects] == [1, 2, 3, 4, 5]
    # 来源文件: each row names the file its project came from.
    by_name = {(r.department, r.project_name): str(p) for r, p in zip(records, inputs, strict=True)}
    assert [p["来源文件"] for p in summary.projects] == [
        by_name[(r.department, r.project_name)] for r in projects_of(records)
    ]
    assert plan.findings == []  # clean forms, one kind, one year, one unit of money


def test_self_evaluation_summary_columns(tmp_path: Path) -> None:
    record = self_evaluation("公共服务窗口运行经费", budget=720000.0, executed=615326.02)
    out, _, _ = merged(tmp_path, [record])
    summary = Summary(out)
    assert summary.header == SELF_EVALUATION_HEADER
    [row] = summary.projects
    # 615,326.02 / 720,000 = 85.46 %; 执行率得分 8.55 of 10; the indicators carry 90 points.
    assert row["年初预算数"] == 720000 and row["全年预算数"] == 720000
    assert row["全年执行数"] == 615326.02
    assert row["执行率"] == pytest.approx(0.8546)
    assert row["执行率得分"] == 8.55
    assert row["总分"] == 98.55
    assert row["评分等级"] == "优"
    # 工作服专项经费: 产出 4 (数量, 质量, 时效, 成本指标 of the 2015 framework), 效益 3, 满意度 1.
    assert [row[f"{x}数"] for x in LEVEL1S] == [4, 3, 1, 0]
    assert row["指标数"] == 8
    assert (row["错误"], row["警告"]) == (0, 0)


@pytest.mark.parametrize(
    ("records", "title"),
    [
        (
            [declaration("信息系统维护经费"), declaration("公共服务窗口运行经费")],
            "上海市长宁区医疗保险事务中心 2025 年度项目绩效目标汇总表",
        ),
        (
            [self_evaluation("工作服专项经费")],
            "上海市长宁区医疗保险事务中心 2022 年度项目绩效自评汇总表",
        ),
        (
            [declaration("信息系统维护经费", UNIT_A), declaration("工作服专项经费", UNIT_B)],
            "上海市长宁区医疗保障局 2025 年度项目绩效目标汇总表",
        ),
        (
            [declaration("信息系统维护经费"), self_evaluation("工作服专项经费")],
            "上海市长宁区医疗保险事务中心 2022—2025 年度项目绩效目标与自评汇总表",
        ),
    ],
    ids=["declarations", "self-evaluations", "two-units", "both-kinds"],
)
def test_default_title(tmp_path: Path, records: list[Record], title: str) -> None:
    out, plan, _ = merged(tmp_path, records)
    assert plan.title == title
    for sheet in sheet_names(out):
        if sheet.startswith("汇总表"):
            assert sheet_rows(out, sheet)[0][0] == title


def test_title_option_replaces_the_default(tmp_path: Path) -> None:
    title = "长宁区 2025 年度项目绩效目标汇总表"
    out, plan, _ = merged(tmp_path, [declaration("信息系统维护经费")], title=title)
    assert plan.title == title
    book = openpyxl.load_workbook(out)
    assert book["汇总表"]["A1"].value == title
    assert book.properties.title == title


# -- 项目汇总: totals and subtotals -----------------------------------------------------------------

# Three declarations; the figures below are summed by hand.
FUNDS = [
    ("信息系统维护经费", UNIT_A, 80000.0, 15000.0, 5000.0),  # annual 100,000.00
    ("公共服务窗口运行经费", UNIT_A, 250000.5, 0.0, 0.0),  # annual 250,000.50
    ("社区医疗互助帮困补助经费", UNIT_B, 1000000.0, 234567.89, 0.0),  # annual 1,234,567.89
]


def test_totals_row_sums_with_formulas_and_cached_values(tmp_path: Path) -> None:
    records = [declaration(n, u, appropriation=a, carryover=c, other=o) for n, u, a, c, o in FUNDS]
    out, _, _ = merged(tmp_path, records)
    summary = Summary(out)
    assert len(summary.projects) == 3 and summary.total_row == summary.header_row + 4
    assert summary.total["序号"] == "合计"
    expected = {
        "项目资金总额": 1584568.39,
        "年度资金申请总额": 1584568.39,
        "当年财政拨款": 1330000.5,
        "上年结转资金": 249567.89,
        "其他资金": 5000.0,
        # 信息系统维护经费 (seed 002) has 9 indicators: 产出 5, 效益 2, 满意度 1, 成本 1.
        "产出指标数": 15,
        "效益指标数": 6,
        "满意度指标数": 3,
        "成本指标数": 3,
        "指标数": 27,
        "错误": 0,
        "警告": 0,
    }
    for header, value in expected.items():
        assert summary.total[header] == pytest.approx(value, abs=1e-6), header
    # The cells are SUM formulas over the project rows, written with these values.
    formulas = openpyxl.load_workbook(out)["项目汇总"]
    cached = openpyxl.load_workbook(out, data_only=True)["项目汇总"]
    for header, value in expected.items():
        col = openpyxl.utils.get_column_letter(summary.header.index(header) + 1)
        first = summary.header_row + 1
        cell = f"{col}{summary.total_row}"
        assert formulas[cell].value == f"=SUM({col}{first}:{col}{first + 2})"
        assert cached[cell].value == pytest.approx(value, abs=1e-6)
    # Text columns of the 合计 row stay blank: no sum of names.
    assert all(summary.total[h] == "" for h in ("主管部门", "实施单位", "项目名称", "来源文件"))
    assert assert_formulas_agree(out, "项目汇总") > 0


def test_subtotals_per_unit(tmp_path: Path) -> None:
    records = [declaration(n, u, appropriation=a, carryover=c, other=o) for n, u, a, c, o in FUNDS]
    out, _, _ = merged(tmp_path, records)
    summary = Summary(out)
    assert list(summary.subtotals) == sorted([UNIT_A, UNIT_B])
    a, b = summary.subtotals[UNIT_A], summary.subtotals[UNIT_B]
    assert a["年度资金申请总额"] == pytest.approx(350000.5)
    assert a["当年财政拨款"] == pytest.approx(330000.5)
    assert a["上年结转资金"] == 15000 and a["其他资金"] == 5000
    assert a["指标数"] == 18
    assert b["年度资金申请总额"] == pytest.approx(1234567.89)
    assert b["上年结转资金"] == pytest.approx(234567.89)
    assert b["指标数"] == 9
    assert assert_formulas_agree(out, "项目汇总") > 0


def test_execution_rate_of_a_subtotal_is_the_rate_of_the_sums(tmp_path: Path) -> None:
    """Unit A: 100 % of 100,000 and 50 % of 900,000 — the average of rates would be 75 %,
    the rate of the sums is 550,000 / 1,000,000 = 55 %. Unit B: 150,000 / 200,000 = 75 %.
    All: 700,000 / 1,200,000 = 58.33 %."""
    records = [
        self_evaluation("工作服专项经费", UNIT_A, budget=100000.0, executed=100000.0),
        self_evaluation("信息系统维护专项经费", UNIT_A, budget=900000.0, executed=450000.0),
        self_evaluation("公共服务窗口运行经费", UNIT_B, budget=200000.0, executed=150000.0),
    ]
    out, _, _ = merged(tmp_path, records)
    summary = Summary(out)
    assert {p["项目名称"]: p["执行率"] for p in summary.projects} == {
        "工作服专项经费": 1.0,
        "信息系统维护专项经费": 0.5,
        "公共服务窗口运行经费": 0.75,
    }
    a, b = summary.subtotals[UNIT_A], summary.subtotals[UNIT_B]
    assert (a["全年预算数"], a["全年执行数"]) == (1000000, 550000)
    assert a["执行率"] == pytest.approx(0.55)
    assert a["执行率"] != pytest.approx((1.0 + 0.5) / 2)
    assert (b["全年预算数"], b["全年执行数"], b["执行率"]) == (200000, 150000, 0.75)
    assert summary.total["全年预算数"] == 1200000 and summary.total["全年执行数"] == 700000
    assert summary.total["执行率"] == pytest.approx(700000 / 1200000)
    # Scores and grades are not summed: a sum of 总分 means nothing.
    for row in (summary.total, a, b):
        assert (row["执行率得分"], row["总分"], row["评分等级"]) == ("", "", "")
    # The 执行率 cells are formulas over the summed amounts, not AVERAGE.
    formulas = openpyxl.load_workbook(out)["项目汇总"]
    rate_col = openpyxl.utils.get_column_letter(SELF_EVALUATION_HEADER.index("执行率") + 1)
    for row in (summary.total_row, *summary.subtotal_rows.values()):
        assert "AVERAGE" not in formulas[f"{rate_col}{row}"].value
    assert assert_formulas_agree(out, "项目汇总") >= 2 * 3 + 2 * 3


def column_width(ws: Any, col: int) -> float:
    """The width of a column (openpyxl files a <col min max> span under its first column)."""
    for dim in ws.column_dimensions.values():
        if dim.min <= col <= dim.max:
            return dim.width
    raise AssertionError(f"column {col} has no width set")


def test_summary_layout(tmp_path: Path) -> None:
    records = [declaration(n, u, appropriation=a, carryover=c, other=o) for n, u, a, c, o in FUNDS]
    out, plan, _ = merged(tmp_path, records)
    ws = openpyxl.load_workbook(out)["项目汇总"]
    # Two title lines (the merge's title; the unit of money), the header in row 3.
    assert ws["A1"].value == plan.title
    assert "金额单位：元" in ws["A2"].value and "项目 3 个" in ws["A2"].value
    assert [ws.cell(3, c).value for c in range(1, 3)] == ["序号", "年度"]
    last = openpyxl.utils.get_column_letter(len(DECLARATION_HEADER))
    assert ws.auto_filter.ref == f"A3:{last}6"
    assert ws.freeze_panes == "F4"  # the header, and 序号 … 项目名称 on the left
    money = [DECLARATION_HEADER.index(h) + 1 for h in DECLARATION_MONEY]
    for row in (4, 5, 6, 7):  # projects and 合计
        for col in money:
            assert "#,##0" in ws.cell(row, col).number_format  # thousands separators
    # Every figure fits its column: 1,234,567.89 is 12 characters, the 合计 13.
    for col in money:
        assert column_width(ws, col) >= len("1,584,568.39") + 1
    # Names wrap inside their cells, and their rows are tall enough for the lines:
    # 14 points a line, a CJK character two width units.
    for header, text in (("主管部门", DEPT), ("实施单位", UNIT_A), ("项目名称", FUNDS[2][0])):
        col = DECLARATION_HEADER.index(header) + 1
        assert ws.cell(4, col).alignment.wrap_text
        lines = math.ceil(2 * len(text) / (column_width(ws, col) - 1))
        for row in (4, 5, 6):
            if ws.cell(row, col).value == text:
                assert ws.row_dimensions[row].height >= 14 * lines, (header, row)
    # Printed on landscape A4 at one scale, 序号 … 项目名称 repeated on each page across,
    # the counts on a page of their own, the header row on every page.
    assert (ws.page_setup.paperSize, ws.page_setup.orientation) == (9, "landscape")
    assert ws.print_title_cols == "$A:$E" and ws.print_title_rows == "$3:$3"
    assert [b.id for b in ws.col_breaks.brk] == [DECLARATION_HEADER.index("产出指标数")]
    assert 60 <= ws.page_setup.scale <= 100
    assert "第 &P 页，共 &N 页" in ws.oddFooter.center.text


def test_a_column_nobody_filled_in_totals_to_a_blank(tmp_path: Path) -> None:
    """The seed 申报表 leave 项目资金总额 empty: its 合计 and 小计 are blank, not 0.00."""
    records = [declaration(n, u, appropriation=a, carryover=c, other=o) for n, u, a, c, o in FUNDS]
    for record in records:
        record.funds.project_total = None
    out, _, _ = merged(tmp_path, records)
    summary = Summary(out)
    assert summary.total["项目资金总额"] == ""
    assert all(row["项目资金总额"] == "" for row in summary.subtotals.values())
    assert summary.total["年度资金申请总额"] == pytest.approx(1584568.39)
    assert assert_formulas_agree(out, "项目汇总") > 0


# -- 指标明细 and 汇总表 ------------------------------------------------------------------------------


def test_indicator_sheet_has_one_row_per_indicator(tmp_path: Path) -> None:
    records = [
        self_evaluation("工作服专项经费", UNIT_B),
        self_evaluation("信息系统维护专项经费", UNIT_A, base="信息系统维护专项经费"),
    ]
    out, _, _ = merged(tmp_path, records)
    rows = sheet_rows(out, "指标明细")
    header = rows[0]
    assert header[:7] == INDICATOR_HEADER
    assert header[7:12] == ["指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施"]
    assert len(rows) - 1 == 8 + 12
    got = [dict(zip(header, row, strict=True)) for row in rows[1:]]
    expected = [
        (r.year, r.department, r.implementing_unit, r.project_name, i)
        for r in projects_of(records)
        for i in r.indicators
    ]
    for row, (year, dept, unit, name, ind) in zip(got, expected, strict=True):
        assert (row["年度"], row["主管部门"], row["实施单位"], row["项目名称"]) == (
            year,
            dept,
            unit,
            name,
        )
        assert (row["一级指标"], row["二级指标"], row["三级指标"], row["指标值"]) == (
            ind.level1,
            ind.level2,
            ind.name,
            ind.target,
        )
        assert (row["实际完成值"], row["分值"], row["得分"]) == (
            blank(ind.actual),
            blank(ind.weight),
            blank(ind.score),
        )


def test_forms_sheet_one_form_per_project_with_page_breaks(tmp_path: Path) -> None:
    records = [declaration(n, u, appropriation=a, carryover=c, other=o) for n, u, a, c, o in FUNDS]
    out, plan, _ = merged(tmp_path, records)
    titles = form_titles(out, "汇总表")
    assert len(titles) == 3
    assert form_projects(out, "汇总表") == [r.project_name for r in projects_of(records)]
    ws = openpyxl.load_workbook(out)["汇总表"]
    # A manual break right above every form but the first: each project starts a page.
    assert sorted(b.id for b in ws.row_breaks.brk) == [t - 1 for t in titles[1:]]
    # The title line on top, across the form's width.
    assert ws["A1"].value == plan.title
    assert any(str(r).startswith("A1:") for r in ws.merged_cells.ranges)
    assert titles[0] > 1


def test_forms_beyond_the_per_sheet_limit_continue_on_a_new_sheet(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from xltools.write import consolidated

    monkeypatch.setattr(consolidated, "FORMS_PER_SHEET", 2)
    records = [declaration(n, u, appropriation=a, carryover=c, other=o) for n, u, a, c, o in FUNDS]
    out, _, _ = merged(tmp_path, records)
    assert sheet_names(out) == ["项目汇总", "指标明细", "汇总表", "汇总表2", "图表", "来源"]
    names = form_projects(out, "汇总表") + form_projects(out, "汇总表2")
    assert names == [r.project_name for r in projects_of(records)]
    assert read_back(out) == contents(records)


# -- 图表 ------------------------------------------------------------------------------------------


def _chart_series(path: Path) -> list[tuple[str, list[Any], list[Any]]]:
    """(bar direction, categories, values) of each chart on 图表, resolved to cell values."""
    book = openpyxl.load_workbook(path)
    cached = openpyxl.load_workbook(path, data_only=True)
    out = []
    for chart in book["图表"]._charts:
        [series] = chart.series
        cat = series.cat.strRef or series.cat.numRef
        out.append(
            (
                chart.type,
                resolve(cached, "图表", cat.f),
                resolve(cached, "图表", series.val.numRef.f),
            )
        )
    return out


def test_charts_for_self_evaluations(tmp_path: Path) -> None:
    records = [
        self_evaluation("工作服专项经费", UNIT_A, budget=100000.0, executed=100000.0),
        self_evaluation("信息系统维护专项经费", UNIT_A, budget=900000.0, executed=450000.0),
        self_evaluation(
            "医疗服务与保障能力提升补助资金",
            UNIT_B,
            budget=1200000.0,
            executed=0.0,
            base="医疗服务与保障能力提升（医疗保障服务能力建设部分）补助资金",
        ),
    ]
    out, _, _ = merged(tmp_path, records)
    charts = [
        n for n in zipfile.ZipFile(out).namelist() if fnmatch.fnmatch(n, "xl/charts/chart*.xml")
    ]
    assert len(charts) == 2
    (grade_dir, grades, counts), (rate_dir, names, rates) = _chart_series(out)
    # 总分: 100 (优), 95 (优: 5 of 10 for 执行率 + 90), 70 (中: 0 + the seed's 70 points).
    assert grade_dir == "col"
    assert dict(zip(grades, counts, strict=True)) == {"优": 2, "良": 0, "中": 1, "差": 0}
    assert rate_dir == "bar"
    assert names == [r.project_name for r in projects_of(records)]
    assert dict(zip(names, rates, strict=True)) == {
        "工作服专项经费": 1.0,
        "信息系统维护专项经费": 0.5,
        "医疗服务与保障能力提升补助资金": 0.0,
    }
    assert assert_formulas_agree(out, "图表") == 4


def test_chart_for_declarations_shows_annual_funds_per_unit(tmp_path: Path) -> None:
    records = [declaration(n, u, appropriation=a, carryover=c, other=o) for n, u, a, c, o in FUNDS]
    out, _, _ = merged(tmp_path, records)
    assert "xl/charts/chart1.xml" in zipfile.ZipFile(out).namelist()
    [(direction, units, amounts)] = _chart_series(out)
    assert direction == "bar"
    assert units == sorted([UNIT_A, UNIT_B])
    expected = {UNIT_A: 350000.5, UNIT_B: 1234567.89}
    assert amounts == pytest.approx([expected[u] for u in units])


def test_both_kinds_get_their_charts(tmp_path: Path) -> None:
    out, _, _ = merged(
        tmp_path, [declaration("信息系统维护经费"), self_evaluation("工作服专项经费")]
    )
    assert [d for d, _, _ in _chart_series(out)] == ["bar", "col", "bar"]


# -- 校验结果 and 来源 --------------------------------------------------------------------------------


def test_sources_sheet_has_each_input_and_its_sha256(tmp_path: Path) -> None:
    records = [declaration("信息系统维护经费"), declaration("公共服务窗口运行经费", UNIT_B)]
    out, _, inputs = merged(tmp_path, records)
    rows = sources_rows(out)
    assert [r["文件"] for r in rows] == [str(p) for p in inputs]
    for row, path, record in zip(rows, inputs, records, strict=True):
        assert row["SHA-256"] == hashlib.sha256(path.read_bytes()).hexdigest()
        assert (row["项目数"], row["项目"], row["状态"]) == (1, record.project_name, "已汇总")


def test_findings_sheet_lists_every_finding_of_the_inputs(tmp_path: Path) -> None:
    # The seed 申报表 as transcribed: D02 warnings (项目资金总额, 项目总目标 blank).
    records = [example(DECLARATION, "信息系统维护经费"), declaration("公共服务窗口运行经费")]
    out, _, inputs = merged(tmp_path, records)
    report = api.check(inputs)
    assert report.findings  # the precondition: the inputs do have findings
    listed = Counter((r["规则"], r["文件"], r["项目"], r["说明"]) for r in findings_rows(out))
    assert listed == Counter((f.rule, f.file, f.project, f.message) for f in report.findings)
    [row] = [p for p in Summary(out).projects if p["项目名称"] == "信息系统维护经费"]
    assert (row["错误"], row["警告"]) == (0, 2)


def test_no_findings_sheet_when_nothing_was_found(tmp_path: Path) -> None:
    out, plan, inputs = merged(tmp_path, [self_evaluation("工作服专项经费")])
    assert api.check(inputs).findings == [] and plan.findings == []
    assert "校验结果" not in sheet_names(out)


# -- M01: the same project from two files -------------------------------------------------------------


def test_m01_same_project_in_two_files_is_merged_once(tmp_path: Path) -> None:
    twice = declaration("信息系统维护经费")
    records = [twice, declaration("公共服务窗口运行经费"), copy.deepcopy(twice)]
    out, plan, inputs = merged(tmp_path, records)
    [m01] = [f for f in plan.findings if f.rule == "M01"]
    assert m01.severity == "错误" and m01.project == "信息系统维护经费"
    assert str(inputs[0]) in m01.message and str(inputs[2]) in m01.message
    summary = Summary(out)
    assert [p["项目名称"] for p in summary.projects].count("信息系统维护经费") == 1
    [row] = [p for p in summary.projects if p["项目名称"] == "信息系统维护经费"]
    assert row["来源文件"] == str(inputs[0])  # the first file (by name) is kept
    assert summary.total["年度资金申请总额"] == 200000  # not 300,000
    assert len(sheet_rows(out, "指标明细")) - 1 == 9 + 9
    assert form_projects(out, "汇总表") == [r.project_name for r in projects_of(records[:2])]
    listed = [r for r in findings_rows(out) if r["规则"] == "M01"]
    assert len(listed) == 1 and str(inputs[0]) in listed[0]["说明"]
    assert len(read_back(out)) == 2


def test_m01_the_sources_sheet_says_which_project_was_not_merged_again(tmp_path: Path) -> None:
    twice = declaration("信息系统维护经费")
    records = [twice, declaration("公共服务窗口运行经费"), copy.deepcopy(twice)]
    _, plan, inputs = merged(tmp_path, records)
    by_file = {s.file: s for s in plan.sources}
    third = by_file[str(inputs[2])]
    # Its only project came from the first file already: nothing of it is in the output.
    assert not third.included
    assert "信息系统维护经费" in third.reason and str(inputs[0]) in third.reason
    assert by_file[str(inputs[0])].included and by_file[str(inputs[0])].reason == ""


def test_m01_same_project_in_another_unit_year_or_kind_is_not_a_duplicate(tmp_path: Path) -> None:
    records = [
        declaration("信息系统维护经费", UNIT_A),
        declaration("信息系统维护经费", UNIT_B),
        declaration("信息系统维护经费", UNIT_A, year=2026),
        self_evaluation("信息系统维护经费", UNIT_A, year=2025),
    ]
    out, plan, _ = merged(tmp_path, records)
    assert not [f for f in plan.findings if f.rule == "M01"]
    assert len(plan.entries) == 4
    assert len(read_back(out)) == 4


# -- M02: kinds and years in one merge ---------------------------------------------------------------


def test_m02_both_kinds_go_to_separate_sheets(tmp_path: Path) -> None:
    records = [
        self_evaluation("工作服专项经费"),
        declaration("信息系统维护经费"),
        declaration("公共服务窗口运行经费"),
    ]
    out, plan, _ = merged(tmp_path, records)
    [m02] = [f for f in plan.findings if f.rule == "M02"]
    assert m02.severity == "警告"
    assert sheet_names(out) == [
        "项目汇总（2025申报表）",
        "指标明细（2025申报表）",
        "汇总表（2025申报表）",
        "项目汇总（2022自评表）",
        "指标明细（2022自评表）",
        "汇总表（2022自评表）",
        "图表",
        "校验结果",
        "来源",
    ]
    declared = Summary(out, "项目汇总（2025申报表）")
    assert declared.header == DECLARATION_HEADER
    assert declared.keys() == keys_of(projects_of(records[1:]))
    evaluated = Summary(out, "项目汇总（2022自评表）")
    assert evaluated.header == SELF_EVALUATION_HEADER
    assert evaluated.keys() == keys_of(records[:1])
    assert len(sheet_rows(out, "指标明细（2022自评表）")) - 1 == 8
    assert form_projects(out, "汇总表（2022自评表）") == ["工作服专项经费"]
    assert read_back(out) == contents(records)


def test_m02_years_go_to_separate_sheets(tmp_path: Path) -> None:
    records = [declaration("信息系统维护经费", year=2026), declaration("公共服务窗口运行经费")]
    out, plan, _ = merged(tmp_path, records)
    assert [f.rule for f in plan.findings] == ["M02"]
    names = sheet_names(out)
    assert names[:6] == [
        "项目汇总（2025申报表）",
        "指标明细（2025申报表）",
        "汇总表（2025申报表）",
        "项目汇总（2026申报表）",
        "指标明细（2026申报表）",
        "汇总表（2026申报表）",
    ]
    assert Summary(out, "项目汇总（2026申报表）").keys() == keys_of(records[:1])
    assert Summary(out, "项目汇总（2025申报表）").keys() == keys_of(records[1:])


def test_m02_not_raised_for_one_kind_and_year(tmp_path: Path) -> None:
    _, plan, _ = merged(tmp_path, [self_evaluation("工作服专项经费"), self_evaluation("窗口")])
    assert "M02" not in {f.rule for f in plan.findings}


# -- M03: units of money ----------------------------------------------------------------------------


def test_m03_wan_yuan_input_is_converted_into_a_yuan_merge(tmp_path: Path) -> None:
    records = [
        declaration("信息系统维护经费", money_unit="万元", appropriation=10.0, carryover=2.5),
        declaration("公共服务窗口运行经费", appropriation=820000.0),
    ]
    out, plan, _ = merged(tmp_path, records)
    m03 = [f for f in plan.findings if f.rule == "M03"]
    assert [(f.severity, f.project) for f in m03] == [("提示", "信息系统维护经费")]
    summary = Summary(out)
    converted = {p["项目名称"]: p for p in summary.projects}["信息系统维护经费"]
    assert converted["年度资金申请总额"] == 125000  # 12.5 万元
    assert converted["当年财政拨款"] == 100000 and converted["上年结转资金"] == 25000
    assert summary.total["年度资金申请总额"] == 945000
    # The form in 汇总表 shows the converted amounts under a (元) label, and reads back so.
    back = {d["project_name"]: d for d in read_back(out)}
    assert back["信息系统维护经费"]["money_unit"] == "元"
    assert back["信息系统维护经费"]["funds"]["annual_total"] == 125000
    assert back["信息系统维护经费"]["funds"]["carryover"] == 25000
    assert back == {d["project_name"]: d for d in contents([in_unit(r) for r in records])}
    labels = [
        v for row in sheet_rows(out, "汇总表") for v in row if str(v).startswith("项目资金\n")
    ]
    assert labels == ["项目资金\n（元）", "项目资金\n（元）"]


def test_m03_self_evaluation_in_wan_yuan_keeps_its_rate(tmp_path: Path) -> None:
    record = self_evaluation(
        "公共服务窗口运行经费", budget=72.0, executed=61.532602, money_unit="万元"
    )
    out, plan, _ = merged(tmp_path, [record])
    assert [f.rule for f in plan.findings] == ["M03"]
    [row] = Summary(out).projects
    assert (row["全年预算数"], row["全年执行数"]) == (720000, pytest.approx(615326.02))
    assert row["执行率"] == pytest.approx(0.8546)
    assert close(read_back(out), contents([in_unit(record)]))


def test_m03_yuan_input_is_converted_into_a_wan_yuan_merge(tmp_path: Path) -> None:
    records = [
        declaration("信息系统维护经费", appropriation=100000.0, carryover=25000.0),
        declaration("公共服务窗口运行经费", money_unit="万元", appropriation=82.0),
    ]
    out, plan, _ = merged(tmp_path, records, money_unit="万元")
    assert plan.money_unit == "万元"
    assert [f.project for f in plan.findings if f.rule == "M03"] == ["信息系统维护经费"]
    by_name = {p["项目名称"]: p for p in Summary(out).projects}
    assert by_name["信息系统维护经费"]["年度资金申请总额"] == pytest.approx(12.5)
    assert by_name["公共服务窗口运行经费"]["年度资金申请总额"] == 82
    assert Summary(out).total["年度资金申请总额"] == pytest.approx(94.5)
    back = {d["project_name"]: d for d in read_back(out)}
    assert back["信息系统维护经费"]["money_unit"] == "万元"
    assert back["信息系统维护经费"]["funds"]["annual_total"] == pytest.approx(12.5)
    assert close(read_back(out), contents([in_unit(r, "万元") for r in records]))


def test_m03_not_raised_when_the_units_agree(tmp_path: Path) -> None:
    records = [declaration("信息系统维护经费", money_unit="万元", appropriation=10.0)]
    out, plan, _ = merged(tmp_path, records, money_unit="万元")
    assert "M03" not in {f.rule for f in plan.findings}
    assert Summary(out).projects[0]["年度资金申请总额"] == 10


# -- M04: files with errors ---------------------------------------------------------------------------


def with_error() -> Declaration:
    """年度资金申请总额 101,000 ≠ 100,000 + 0 + 0: a D06 error."""
    return declaration("有错误的项目", UNIT_B, annual=101000.0)


def test_m04_file_with_errors_is_left_out_and_listed(tmp_path: Path) -> None:
    records = [declaration("信息系统维护经费"), with_error()]
    out, plan, inputs = merged(tmp_path, records)
    bad = str(inputs[1])
    [m04] = [f for f in plan.findings if f.rule == "M04"]
    assert (m04.severity, m04.file) == ("错误", bad)
    assert [s.file for s in plan.left_out] == [bad]
    # Nothing of it in the output's tables ...
    assert [p["项目名称"] for p in Summary(out).projects] == ["信息系统维护经费"]
    assert {r[3] for r in sheet_rows(out, "指标明细")[1:]} == {"信息系统维护经费"}
    assert form_projects(out, "汇总表") == ["信息系统维护经费"]
    # ... and the output says which file, and why.
    sources = {r["文件"]: r for r in sources_rows(out)}
    assert sources[bad]["状态"] == "未汇总" and "错误" in sources[bad]["原因"]
    assert sources[bad]["项目"] == "有错误的项目"
    assert sources[str(inputs[0])]["状态"] == "已汇总"
    listed = {(r["规则"], r["文件"]) for r in findings_rows(out)}
    assert ("M04", bad) in listed and ("D06", bad) in listed


def test_m04_include_invalid_merges_the_file(tmp_path: Path) -> None:
    records = [declaration("信息系统维护经费"), with_error()]
    out, plan, _ = merged(tmp_path, records, include_invalid=True)
    assert "M04" not in {f.rule for f in plan.findings}
    assert plan.left_out == []
    rows = {p["项目名称"]: p for p in Summary(out).projects}
    errors = [
        r for r in findings_rows(out) if r["项目"] == "有错误的项目" and r["严重程度"] == "错误"
    ]
    assert [r["规则"] for r in errors] == ["D06"]
    assert rows["有错误的项目"]["错误"] == 1
    assert rows["有错误的项目"]["年度资金申请总额"] == 101000
    assert {r["状态"] for r in sources_rows(out)} == {"已汇总"}
    assert read_back(out) == contents(records)


def test_m04_not_raised_for_warnings(tmp_path: Path) -> None:
    # The seed 申报表 as transcribed has D02 warnings only: it goes in.
    _, plan, _ = merged(tmp_path, [example(DECLARATION, "信息系统维护经费")])
    assert "M04" not in {f.rule for f in plan.findings} and plan.left_out == []
    assert len(plan.entries) == 1


def test_nothing_to_merge_is_a_user_error_and_writes_nothing(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="没有可以汇总的项目"):
        merged(tmp_path, [with_error()])
    assert not (tmp_path / "汇总.xlsx").exists()


# -- user text stays text -----------------------------------------------------------------------------

INJECTIONS = {
    "project": '=HYPERLINK("http://example.com","点我")',
    "department": "+86 21 1234",
    "unit": "-上海市长宁区医疗保险事务中心",
    "indicator": "@SUM(A1:A3)",
    "target": "=100%",
}


def assert_text(path: Path, expected: dict[str, list[str]]) -> None:
    """Each string is in its sheet as a text cell, and no formula there contains it."""
    book = openpyxl.load_workbook(path)
    for sheet, strings in expected.items():
        cells = [c for row in book[sheet].iter_rows() for c in row if c.value is not None]
        types = {c.value: c.data_type for c in cells if c.data_type != "f"}
        for text in strings:
            assert types.get(text) == "s", (sheet, text)
        for cell in cells:
            if cell.data_type == "f":
                assert not any(text[1:] in cell.value for text in strings), cell.value


def test_formula_like_user_text_stays_text_in_a_declaration(tmp_path: Path) -> None:
    record = declaration(
        INJECTIONS["project"], INJECTIONS["unit"], department=INJECTIONS["department"]
    )
    record.indicators[0].name = INJECTIONS["indicator"]
    record.indicators[1].target = INJECTIONS["target"]
    out, _, _ = merged(tmp_path, [record], include_invalid=True)
    everything = list(INJECTIONS.values())
    keys = [INJECTIONS[k] for k in ("project", "department", "unit")]
    assert_text(out, {"项目汇总": keys, "指标明细": everything, "汇总表": everything})
    assert assert_formulas_agree(out, "项目汇总") > 0
    assert read_back(out) == contents([record])


def test_formula_like_user_text_stays_text_in_a_self_evaluation(tmp_path: Path) -> None:
    record = self_evaluation("=工作服专项经费", "@上海市长宁区医疗保障事务服务中心")
    record.indicators[0].actual = "=1+1"
    record.indicators[1].deviation_reason = "+原因：-见附件"
    out, _, _ = merged(tmp_path, [record], include_invalid=True)
    keys = ["=工作服专项经费", "@上海市长宁区医疗保障事务服务中心"]
    details = [*keys, "=1+1", "+原因：-见附件"]
    assert_text(out, {"项目汇总": keys, "指标明细": details, "汇总表": details})
    assert assert_formulas_agree(out, "项目汇总") > 0
    assert read_back(out) == contents([record])


def test_unit_names_that_look_like_criteria_get_the_right_subtotals(tmp_path: Path) -> None:
    """A recalculating application must get the cached subtotals back: a 实施单位 that starts
    with = or < or holds * is a name, not a SUMIF criterion."""
    records = [
        declaration("甲", "=上海市*中心", appropriation=100.0),
        declaration("乙", "上海市长宁区中心", appropriation=20.0),
        declaration("丙", "<上海市?中心", appropriation=3.0),
    ]
    out, _, _ = merged(tmp_path, records)
    summary = Summary(out)
    assert {u: s["年度资金申请总额"] for u, s in summary.subtotals.items()} == {
        "=上海市*中心": 100,
        "上海市长宁区中心": 20,
        "<上海市?中心": 3,
    }
    assert assert_formulas_agree(out, "项目汇总") > 0


# -- atomic output ------------------------------------------------------------------------------------


def test_a_failure_midway_leaves_no_partial_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from xltools.write import consolidated

    def broken(self: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(consolidated.ConsolidatedWriter, "_sources", broken)
    inputs = write_inputs(tmp_path / "in", [declaration("信息系统维护经费")])
    out = tmp_path / "out" / "汇总.xlsx"
    with pytest.raises(RuntimeError, match="disk full"):
        api.merge(inputs, out)
    assert list((tmp_path / "out").iterdir()) == []
    # An existing output stays as it was.
    out.write_bytes(b"old")
    with pytest.raises(RuntimeError):
        api.merge(inputs, out, force=True)
    assert out.read_bytes() == b"old"
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["汇总.xlsx"]


def test_output_over_an_input_is_refused(tmp_path: Path) -> None:
    inputs = write_inputs(tmp_path, [declaration("信息系统维护经费")])
    before = inputs[0].read_bytes()
    with pytest.raises(UserError, match="输入文件"):
        api.merge([tmp_path], inputs[0], force=True)
    assert inputs[0].read_bytes() == before


# -- reading the output back --------------------------------------------------------------------------

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def _example_inputs() -> list[Path]:
    return sorted(p for p in EXAMPLES.glob("*.xlsx") if "含错误" not in p.name)


def test_examples_read_back_and_check_adds_nothing(tmp_path: Path) -> None:
    inputs = _example_inputs()
    out = tmp_path / "汇总.xlsx"
    plan = api.merge(inputs, out)
    assert len(plan.entries) == len(inputs) > 1
    expected = sorted(
        (content(r) for res in api.read(inputs) for r in res.records), key=_content_key
    )
    assert read_back(out) == expected

    def said(report: Any) -> set[tuple[str, str | None, str]]:
        return {(f.rule, f.project, f.message) for f in report.findings}

    assert said(api.check([out])) <= said(api.check(inputs))


def test_merge_is_deterministic(tmp_path: Path) -> None:
    records = [declaration(n, u, appropriation=a, carryover=c, other=o) for n, u, a, c, o in FUNDS]
    inputs = write_inputs(tmp_path / "in", records)
    api.merge(inputs, tmp_path / "a.xlsx")
    api.merge(list(reversed(inputs)), tmp_path / "b.xlsx")
    api.merge([tmp_path / "in"], tmp_path / "c.xlsx")
    a = all_values(tmp_path / "a.xlsx")
    assert a == all_values(tmp_path / "b.xlsx") == all_values(tmp_path / "c.xlsx")


# -- the property: exactly the union of the inputs ------------------------------------------------------

PROPERTY = settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _amount_rows(record: Record) -> dict[str, float | None]:
    if record.kind == DECLARATION:
        return {h: getattr(record.funds, k) for h, k in DECLARATION_MONEY.items()}
    return {h: getattr(record.funds.total, k) for h, k in SELF_EVALUATION_MONEY.items()}


def _largest_amount(records: list[Record]) -> float:
    amounts = [0.0]
    for r in records:
        rows = vars(r.funds).values() if r.kind == SELF_EVALUATION else [r.funds]
        amounts += [abs(v) for row in rows for v in vars(row).values() if v is not None]
    return max(amounts)


def _indicator_rows(records: list[Record]) -> Counter:
    rows = Counter()
    for r in records:
        for i in r.indicators:
            row = (r.project_name, i.level1, i.level2, i.name, i.target)
            if r.kind == SELF_EVALUATION:
                row += (i.actual, i.weight, i.score, i.deviation_reason)
            rows[tuple(blank(v) for v in row)] += 1
    return rows


def _check_group(out: Path, suffix: str, records: list[Record]) -> None:
    kind = records[0].kind
    summary = Summary(out, f"项目汇总{suffix}")
    assert summary.header == (DECLARATION_HEADER if kind == DECLARATION else SELF_EVALUATION_HEADER)
    ordered = projects_of(records)
    assert summary.keys() == keys_of(ordered)
    for row, record in zip(summary.projects, ordered, strict=True):
        for header, amount in _amount_rows(record).items():
            assert close(row[header], blank(amount)), (header, row[header], amount)
        for level1 in LEVEL1S:
            assert row[f"{level1}数"] == sum(i.level1 == level1 for i in record.indicators)
        assert row["指标数"] == len(record.indicators)
    # 合计 and 小计: the sums of the inputs (blank counts as 0), blank for a column no
    # project filled in.
    groups: dict[str | None, list[Record]] = {None: records}
    for r in records:
        groups.setdefault(r.implementing_unit, []).append(r)
    for unit, members in groups.items():
        row = summary.total if unit is None else summary.subtotals[unit]
        for header in _amount_rows(members[0]):
            expected: Any = float(sum(Decimal(repr(_amount_rows(r)[header] or 0)) for r in members))
            if all(_amount_rows(r)[header] is None for r in records):
                expected = ""
            assert close(row[header], expected), (unit, header)
        assert row["指标数"] == sum(len(r.indicators) for r in members)
        if kind == SELF_EVALUATION:
            spent = sum(Decimal(repr(r.funds.total.executed or 0)) for r in members)
            budget = sum(Decimal(repr(r.funds.total.adjusted_budget or 0)) for r in members)
            assert close(row["执行率"], float(spent / budget) if budget > 0 else "")
    # 指标明细: every indicator once, with its values.
    rows = sheet_rows(out, f"指标明细{suffix}")
    header = rows[0]
    picked = ["项目名称", "一级指标", "二级指标", "三级指标", "指标值"]
    if kind == SELF_EVALUATION:
        picked += ["实际完成值", "分值", "得分", "偏差原因分析及改进措施"]
    got = Counter(tuple(row[header.index(h)] for h in picked) for row in rows[1:])
    assert got == _indicator_rows(records)
    # 汇总表: one form per project, in order.
    assert form_projects(out, f"汇总表{suffix}") == [r.project_name for r in ordered]


@PROPERTY
@given(
    records=st.lists(
        st.one_of(declarations(years=(2023, 2025)), self_evaluations(years=(2024, 2024))),
        min_size=1,
        max_size=4,
    ),
    seed=st.integers(0, 2**16),
)
def test_merge_holds_exactly_the_union_of_its_inputs(records: list[Record], seed: int) -> None:
    for i, record in enumerate(records):  # distinct projects: duplicates are M01's business
        record.project_name = f"{record.project_name}第{i}号"
    with TemporaryDirectory() as tmp:
        folder = Path(tmp)
        inputs = write_inputs(folder / "in", records)
        out = folder / "汇总.xlsx"
        plan = api.merge(inputs, out, include_invalid=True)
        expected = [in_unit(r) for r in records]  # the merge's unit: 元 (default profile)
        # Sheets: one 项目汇总/指标明细/汇总表 per kind and year, in that order.
        groups = sorted({(r.kind, r.year) for r in records})
        suffix = {g: f"（{g[1]}{KIND[g[0]]}）" if len(groups) > 1 else "" for g in groups}
        names = sheet_names(out)
        assert [n for n in names if n not in ("图表", "校验结果", "来源")] == [
            f"{sheet}{suffix[g]}" for g in groups for sheet in ("项目汇总", "指标明细", "汇总表")
        ]
        assert names[-1] == "来源" and "图表" in names
        for g in groups:
            _check_group(out, suffix[g], [r for r in expected if (r.kind, r.year) == g])
        # The M findings: no duplicate, nothing left out, every 万元 form converted.
        rules = Counter(f.rule for f in plan.findings if f.rule.startswith("M"))
        assert rules["M01"] == rules["M04"] == 0
        assert rules["M02"] == (len(groups) > 1)
        assert rules["M03"] == sum(r.money_unit == "万元" for r in records)
        # Reading the output gives the inputs back, and checking it finds nothing new (by
        # rule and project: a message quotes amounts, which changed unit).
        assert close(read_back(out), contents(expected))
        if _largest_amount(expected) < 1e12:  # beyond, a double cannot keep 0.01 元 (D06)
            said = {(f.rule, f.project) for f in api.check(inputs).findings}
            assert {(f.rule, f.project) for f in api.check([out]).findings} <= said
        # The order of the inputs changes nothing.
        shuffled = list(inputs)
        Random(seed).shuffle(shuffled)
        api.merge(shuffled, folder / "again.xlsx", include_invalid=True)
        assert all_values(folder / "again.xlsx") == all_values(out)
