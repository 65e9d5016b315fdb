"""Every rule of the catalogue (shared/spec/rules.md): raised at its cell, silent when valid.

Each test takes a real example form (the seed records behind examples/), changes one
thing, writes it with our writer (or types into the saved workbook with openpyxl, as a
clerk would), runs ``xltools.api.check`` and looks at (rule ID, ``sheet!cell``).

The cells are the official layout, written down here once and checked against a
freshly generated template by ``test_layout_knowledge``:

自评表 (self-evaluation)          申报表 (declaration, 2025 variant)
  B3 项目名称                       B3 项目名称   B4 项目性质   E4 项目类别
  B4 主管部门   F4 实施单位         B5 主管部门   E5 实施单位
  row 6 年度资金总额: D6 年初预算数  B6 计划开始日期   E6 计划完成日期
    E6 全年预算数 F6 全年执行数      C7 项目资金总额 C8 财政资金 C10 其他资金
    G6 分值 H6 执行率 I6 得分        E7 年度资金申请总额 E8 当年财政拨款
  rows 7–9 当年财政拨款/上年结转/其他   E9 上年结转资金 E10 其他资金
  B11 预期目标  F11 实际完成情况     B12 项目总目标  D12 年度总目标
  row 12 indicator header (B12)    row 13 indicator header (B13)
  indicators from row 13:          indicators from row 14:
    B 一级 C 二级 D 三级 E 年度指标值   B 一级 C 二级 D 三级 E 指标目标值
    F 实际完成值 G 分值 H 得分 I 偏差原因
  总分 row 13 + ROWS (G 分值, H 得分), 评分等级 the row below (H)
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import xlsxwriter

from xltools import api
from xltools.errors import UserError
from xltools.model import DECLARATION, SELF_EVALUATION, Declaration, Indicator, SelfEvaluation
from xltools.profiles import load_profile

SE, DE = "自评表", "申报表"
ROWS = 20  # indicator rows our writer draws (write_form's default)
SE_FIRST, DE_FIRST = 13, 14  # first indicator row
SE_TOTAL = 13 + ROWS  # 总分
SE_GRADE = SE_TOTAL + 1  # 评分等级
REASON = "原因已说明"


# -- building forms ---------------------------------------------------------------------------


def _example(kind: str, name: str) -> Any:
    return next(r for r in api.example_records() if r.kind == kind and r.project_name == name)


def declaration() -> Declaration:
    """信息系统维护经费 (seed 002, 2025) with the recommended fields filled: a clean form.

    Indicator rows: 14 成本/经济成本 15 产出/数量 16 产出/质量 17 产出/质量 18 产出/时效
    19 产出/时效 20 效益/社会效益 21 效益/可持续影响 22 满意度/服务对象满意度.
    """
    record = _example(DECLARATION, "信息系统维护经费")
    record.funds.project_total = 100000.0
    record.funds.fiscal_funds = 100000.0
    record.funds.other_funds = 0.0
    record.overall_goal = "保障医疗保险信息系统持续稳定运行。"
    # The seed's 排除硬件/软件故障次数 say "按实" (D16, 提示): give them numbers.
    record.indicators[2].target = record.indicators[3].target = "≤20次"
    return record


def self_evaluation() -> SelfEvaluation:
    """工作服专项经费 (seed 004, 2022): a clean form, every indicator qualitative.

    Indicator rows: 13 产出/数量 (分值 12) 14 产出/质量 (12) 15 产出/时效 (12)
    16 产出/成本指标 (14, the 2015 framework) 17 效益/经济效益 (10) 18 效益/社会效益 (10)
    19 效益/可持续影响 (10) 20 满意度/服务对象满意度 (10); funds row 分值 10; all full marks.
    """
    return _example(SELF_EVALUATION, "工作服专项经费")


def set_funds(record: SelfEvaluation, budget: float, executed: float, weight: float = 10) -> None:
    """年度资金总额 and 当年财政拨款 rows: budget / executed; the other rows 0."""
    for line in (record.funds.total, record.funds.current_appropriation):
        line.initial_budget = line.adjusted_budget = budget
        line.executed = executed
    record.funds.total.weight = weight


def quantitative(record: SelfEvaluation, target: str, actual: str, score: float) -> Indicator:
    """Make the first indicator (row 13, 分值 12) quantitative."""
    ind = record.indicators[0]
    ind.target, ind.actual, ind.score = target, actual, score
    ind.deviation_reason = REASON
    return ind


def write(tmp_path: Path, record: Any, name: str = "form.xlsx") -> Path:
    return api.write_form(tmp_path / name, record, rows=ROWS)


def type_over(path: Path, cells: dict[str, Any]) -> Path:
    """A clerk's edit: paste the form sheet's formulas as values, then type ``cells``.

    Values replace formulas so no formula is left without a cached value (openpyxl
    saves none), except where a test writes a formula on purpose.
    """
    cached = openpyxl.load_workbook(path, data_only=True).worksheets[0]
    book = openpyxl.load_workbook(path)
    ws = book.worksheets[0]
    for row in ws.iter_rows():
        for cell in row:
            if cell.data_type == "f":
                cell.value = cached[cell.coordinate].value
    for ref, value in cells.items():
        ws[ref].value = value
    book.save(path)
    return path


def profile_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "profile.toml"
    path.write_text(text, "utf-8")
    return path


# -- looking at findings ----------------------------------------------------------------------


def found(path: Path, profile: Any = None) -> list[tuple[str, str]]:
    """(rule, location) of every finding for ``path``."""
    report = api.check([path], profile=profile)
    return [(f.rule, f.location) for f in report.findings]


def at(path: Path, rule: str, profile: Any = None) -> list[str]:
    """The locations where ``rule`` was raised."""
    return [loc for r, loc in found(path, profile) if r == rule]


def rules(path: Path, profile: Any = None) -> set[str]:
    return {r for r, _ in found(path, profile)}


# -- the layout knowledge and the clean baselines -----------------------------------------------


def test_layout_knowledge(tmp_path: Path) -> None:
    """The cells written in this file's docstring are where our template puts them."""
    se = openpyxl.load_workbook(write(tmp_path, self_evaluation(), "se.xlsx"))[SE]
    assert [se[f"{c}5"].value for c in "DEFGHI"] == [
        "年初预算数",
        "全年预算数",
        "全年执行数",
        "分值",
        "执行率",
        "得分",
    ]
    assert se["B6"].value == "年度资金总额"
    assert [se[f"B{r}"].value for r in (7, 8, 9)] == [
        "其中：当年财政拨款",
        "上年结转资金",
        "其他资金",
    ]
    assert (se["A3"].value, se["A4"].value, se["E4"].value) == ("项目名称", "主管部门", "实施单位")
    assert (se["B10"].value, se["F10"].value) == ("预期目标", "实际完成情况")
    assert [se[f"{c}12"].value for c in "BCDEFGHI"] == [
        "一级指标",
        "二级指标",
        "三级指标",
        "年度指标值",
        "实际完成值",
        "分值",
        "得分",
        "偏差原因分析及改进措施",
    ]
    assert (se["D13"].value, se["D20"].value) == ("按人员数配置", "群众满意度")
    assert se[f"A{SE_TOTAL}"].value == "总分"
    assert se[f"A{SE_GRADE}"].value == "评分等级"
    for ref in ("H6", "I6", f"G{SE_TOTAL}", f"H{SE_TOTAL}", f"H{SE_GRADE}"):
        assert str(se[ref].value).startswith("="), ref

    de = openpyxl.load_workbook(write(tmp_path, declaration(), "de.xlsx"))[DE]
    labels = {
        "A3": "项目名称",
        "A4": "项目性质",
        "D4": "项目类别",
        "A5": "主管部门",
        "D5": "实施单位",
        "A6": "计划开始日期",
        "D6": "计划完成日期",
        "B7": "项目资金总额",
        "B8": "其中：财政资金",
        "B10": "其他资金",
        "D7": "年度资金申请总额",
        "D8": "其中：当年财政拨款",
        "D9": "上年结转资金",
        "D10": "其他资金",
        "B11": "项目总目标",
        "D11": "年度总体目标",  # the 2025 form's wording (seed 002)
        "B13": "一级指标",
        "C13": "二级指标",
        "D13": "三级指标",
        "E13": "年度(/项目)指标值",
    }
    assert {ref: de[ref].value for ref in labels} == labels
    assert de["A7"].value == "项目资金\n（元）"
    assert (de["C7"].value, de["E7"].value, de["E8"].value) == (100000, 100000, 100000)
    assert (de["D14"].value, de["D22"].value) == ("项目总成本", "服务对象满意度")


@pytest.mark.parametrize("make", [declaration, self_evaluation], ids=["申报表", "自评表"])
def test_baselines_are_clean(tmp_path: Path, make: Any) -> None:
    assert found(write(tmp_path, make())) == []


# -- R: reading ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content",
    [b"", b"not a spreadsheet at all", b"PK\x03\x04 truncated zip"],
    ids=["empty", "text", "broken-zip"],
)
def test_r01_unreadable_file_and_the_others_still_checked(tmp_path: Path, content: bytes) -> None:
    bad = tmp_path / "坏文件.xlsx"
    bad.write_bytes(content)
    good = write(tmp_path, declaration(), "good.xlsx")
    report = api.check([bad, good])
    by_file = {fr.file: [(f.rule, f.location) for f in fr.findings] for fr in report.files}
    assert by_file[str(bad)] == [("R01", "")]
    assert by_file[str(good)] == []
    assert "R01" not in rules(good)


def test_r02_workbook_without_a_form(tmp_path: Path) -> None:
    path = tmp_path / "其他.xlsx"
    book = xlsxwriter.Workbook(str(path))
    book.add_worksheet("Sheet1").write_string(0, 0, "会议签到表")
    book.close()
    assert found(path) == [("R02", "")]
    assert "R02" not in rules(write(tmp_path, self_evaluation()))


@pytest.mark.parametrize("label_cell", ["A3", "D7"], ids=["项目名称", "年度资金申请总额"])
def test_r03_required_label_missing(tmp_path: Path, label_cell: str) -> None:
    path = type_over(write(tmp_path, declaration()), {label_cell: None})
    assert at(path, "R03") == [DE]  # the label itself is gone: the sheet is the location


def test_r03_indicator_header_missing(tmp_path: Path) -> None:
    path = type_over(write(tmp_path, self_evaluation()), {"B12": None})
    assert at(path, "R03") == [SE]


def test_r03_not_raised_when_labels_present(tmp_path: Path) -> None:
    # the same edit on a non-label cell (the value beside it)
    path = type_over(write(tmp_path, declaration()), {"B4": "经常性专项业务费"})
    assert "R03" not in rules(path)


@pytest.mark.parametrize(
    ("kind", "cell", "text"),
    [
        (DE, "E8", "2000万"),
        (DE, "C7", "约100000"),
        (SE, "F6", "约7.5万"),
        (SE, f"G{SE_FIRST}", "十二"),
        (SE, f"H{SE_FIRST + 1}", "满分"),
    ],
)
def test_r04_text_in_a_number_cell(tmp_path: Path, kind: str, cell: str, text: str) -> None:
    record = declaration() if kind == DE else self_evaluation()
    path = type_over(write(tmp_path, record), {cell: text})
    assert at(path, "R04") == [f"{kind}!{cell}"]


@pytest.mark.parametrize(
    ("kind", "cell", "blank_rule"),
    [(DE, "C7", "D02"), (DE, "E7", "D01"), (SE, "E6", "S01")],
)
def test_r04_amount_is_not_also_blank(
    tmp_path: Path, kind: str, cell: str, blank_rule: str
) -> None:
    record = declaration() if kind == DE else self_evaluation()
    path = type_over(write(tmp_path, record), {cell: "2000万"})
    assert at(path, "R04") == [f"{kind}!{cell}"]
    assert blank_rule not in rules(path)  # typed in, just not a number: no "建议填写/必填项"


def test_r04_never_reads_text_as_zero(tmp_path: Path) -> None:
    path = type_over(write(tmp_path, declaration()), {"E8": "2000万"})
    (result,) = api.read([path])
    assert result.records[0].funds.current_appropriation is None


def test_r05_formula_without_cached_value(tmp_path: Path) -> None:
    path = write(tmp_path, self_evaluation())
    book = openpyxl.load_workbook(path)
    book.save(path)  # openpyxl keeps the formulas and drops their cached values
    assert at(path, "R05") == [
        f"{SE}!H6",
        f"{SE}!I6",
        f"{SE}!H{SE_TOTAL}",
        f"{SE}!H{SE_GRADE}",
    ]
    # xltools computed its own figures instead: no knock-on errors
    assert rules(path) == {"R05"}


def test_r05_not_raised_with_cached_values(tmp_path: Path) -> None:
    assert "R05" not in rules(write(tmp_path, self_evaluation()))


@pytest.mark.parametrize(
    ("kind", "cell", "text"),
    [
        (DE, "E8", "100,000.00"),
        (DE, "E8", "１０００００"),
        (SE, "D6", "75,000"),
        (SE, "E7", "７５０００"),
    ],
)
def test_r06_number_written_as_text(tmp_path: Path, kind: str, cell: str, text: str) -> None:
    record = declaration() if kind == DE else self_evaluation()
    path = type_over(write(tmp_path, record), {cell: text})
    assert at(path, "R06") == [f"{kind}!{cell}"]
    assert {"R04", "D06", "S04"}.isdisjoint(rules(path))  # read as the same number


def test_r06_not_raised_for_real_numbers(tmp_path: Path) -> None:
    path = type_over(write(tmp_path, declaration()), {"E8": 100000})
    assert "R06" not in rules(path)


@pytest.mark.parametrize(("kind", "cell"), [(DE, "A7"), (SE, "A5")])
def test_r07_money_unit_not_stated(tmp_path: Path, kind: str, cell: str) -> None:
    record = declaration() if kind == DE else self_evaluation()
    path = type_over(write(tmp_path, record), {cell: "项目资金"})
    assert at(path, "R07") == [f"{kind}!{cell}"]


@pytest.mark.parametrize("label", ["项目资金\n（万元）", "项目资金(元)"])
def test_r07_not_raised_when_unit_stated(tmp_path: Path, label: str) -> None:
    path = type_over(write(tmp_path, declaration()), {"A7": label})
    assert "R07" not in rules(path)


# -- D: 申报表 ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "cell"),
    [
        ("project_name", "B3"),
        ("department", "B5"),
        ("implementing_unit", "E5"),
        ("start_date", "B6"),
        ("end_date", "E6"),
        ("funds.annual_total", "E7"),
        ("annual_goal", "D12"),
    ],
)
def test_d01_required_field_blank(tmp_path: Path, key: str, cell: str) -> None:
    record = declaration()
    if key.startswith("funds."):
        setattr(record.funds, key.removeprefix("funds."), None)
    else:
        setattr(record, key, None)
    assert at(write(tmp_path, record), "D01") == [f"{DE}!{cell}"]


def test_d01_no_indicator(tmp_path: Path) -> None:
    record = declaration()
    record.indicators = []
    assert at(write(tmp_path, record), "D01") == [f"{DE}!B13"]  # the indicator header


def test_d01_not_raised_with_one_indicator(tmp_path: Path) -> None:
    record = declaration()
    record.indicators = record.indicators[:1]
    assert "D01" not in rules(write(tmp_path, record))


@pytest.mark.parametrize(
    ("blank", "cell"),
    [
        (("project_category", "project_nature"), "E4"),
        (("overall_goal",), "B12"),
    ],
)
def test_d02_recommended_field_blank(tmp_path: Path, blank: tuple[str, ...], cell: str) -> None:
    record = declaration()
    for key in blank:
        setattr(record, key, None)
    assert at(write(tmp_path, record), "D02") == [f"{DE}!{cell}"]


def test_d02_project_total_blank(tmp_path: Path) -> None:
    record = declaration()
    record.funds.project_total = record.funds.fiscal_funds = record.funds.other_funds = None
    assert at(write(tmp_path, record), "D02") == [f"{DE}!C7"]


@pytest.mark.parametrize("blank", ["project_category", "project_nature"])
def test_d02_category_or_nature_is_enough(tmp_path: Path, blank: str) -> None:
    record = declaration()
    setattr(record, blank, None)
    assert "D02" not in rules(write(tmp_path, record))


@pytest.mark.parametrize(("cell", "text"), [("B6", "明年初"), ("E6", "2025年13月1日")])
def test_d03_date_does_not_parse(tmp_path: Path, cell: str, text: str) -> None:
    path = type_over(write(tmp_path, declaration()), {cell: text})
    assert at(path, "D03") == [f"{DE}!{cell}"]


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("2025-01-01", "2025-12-31"),
        ("2025/1/1", "2025/12/31"),
        ("2025年1月1日", "2025年12月31日"),
        (dt.datetime(2025, 1, 1), dt.datetime(2025, 12, 31)),
        (45658, 46022),  # Excel serial numbers of 2025-01-01 and 2025-12-31
    ],
    ids=["iso", "slash", "chinese", "excel-date", "serial"],
)
def test_d03_accepted_date_spellings(tmp_path: Path, start: Any, end: Any) -> None:
    path = type_over(write(tmp_path, declaration()), {"B6": start, "E6": end})
    assert {"D03", "D04"}.isdisjoint(rules(path))


def test_d03_start_after_end(tmp_path: Path) -> None:
    record = declaration()
    record.start_date, record.end_date = "2025-12-31", "2025-01-01"
    assert at(write(tmp_path, record), "D03") == [f"{DE}!B6"]  # the start date, not the end


def test_d03_start_equal_to_end_is_fine(tmp_path: Path) -> None:
    record = declaration()
    record.start_date = record.end_date = "2025-06-30"
    assert "D03" not in rules(write(tmp_path, record))


def test_d04_one_year_project_outside_the_form_year(tmp_path: Path) -> None:
    record = declaration()  # title （2025年度）
    record.start_date, record.end_date = "2024-01-01", "2024-12-31"
    assert at(write(tmp_path, record), "D04") == [f"{DE}!B6"]


@pytest.mark.parametrize(
    ("start", "end"),
    [("2025-01-01", "2025-12-31"), ("2024-07-01", "2026-06-30"), ("2025-03-01", "2026-02-28")],
    ids=["inside", "multi-year", "across-new-year"],
)
def test_d04_only_for_one_year_projects(tmp_path: Path, start: str, end: str) -> None:
    record = declaration()
    record.start_date, record.end_date = start, end
    assert "D04" not in rules(write(tmp_path, record))


@pytest.mark.parametrize(
    ("key", "cell"),
    [
        ("project_total", "C7"),
        ("fiscal_funds", "C8"),
        ("other_funds", "C10"),
        ("annual_total", "E7"),
        ("current_appropriation", "E8"),
        ("carryover", "E9"),
        ("annual_other_funds", "E10"),
    ],
)
def test_d05_negative_amount(tmp_path: Path, key: str, cell: str) -> None:
    record = declaration()
    setattr(record.funds, key, -100.0)
    assert at(write(tmp_path, record), "D05") == [f"{DE}!{cell}"]


def test_d05_zero_is_fine(tmp_path: Path) -> None:
    record = declaration()
    record.funds.carryover = 0.0
    record.funds.annual_other_funds = 0.0
    assert "D05" not in rules(write(tmp_path, record))


@pytest.mark.parametrize("appropriation", [90000.0, 99999.98, 100000.02])
def test_d06_annual_total_is_not_the_sum(tmp_path: Path, appropriation: float) -> None:
    record = declaration()  # 年度资金申请总额 100000 = 100000 + 0 + 0
    record.funds.current_appropriation = appropriation
    assert at(write(tmp_path, record), "D06") == [f"{DE}!E7"]


@pytest.mark.parametrize(
    ("appropriation", "carryover", "other"),
    [
        (100000.0, 0.0, 0.0),
        (99999.99, 0.0, 0.0),  # 0.01 off: within tolerance
        (60000.0, 30000.0, 10000.0),
        (100000.0, None, None),  # blank counts as 0
        (None, None, None),  # all parts blank: skipped
    ],
)
def test_d06_sum_holds(
    tmp_path: Path, appropriation: float | None, carryover: float | None, other: float | None
) -> None:
    record = declaration()
    funds = record.funds
    funds.current_appropriation, funds.carryover, funds.annual_other_funds = (
        appropriation,
        carryover,
        other,
    )
    funds.other_funds = other if other else 0.0  # keep D09 quiet
    assert "D06" not in rules(write(tmp_path, record))


def test_d07_project_total_is_not_fiscal_plus_other(tmp_path: Path) -> None:
    record = declaration()
    record.funds.project_total = 200000.0  # 财政资金 100000 + 其他资金 0
    assert at(write(tmp_path, record), "D07") == [f"{DE}!C7"]


def test_d07_skipped_when_left_column_blank(tmp_path: Path) -> None:
    record = declaration()
    record.funds.project_total = 200000.0
    record.funds.fiscal_funds = record.funds.other_funds = None
    assert "D07" not in rules(write(tmp_path, record))


def test_d08_annual_total_above_project_total(tmp_path: Path) -> None:
    record = declaration()
    record.funds.project_total = record.funds.fiscal_funds = 50000.0
    assert at(write(tmp_path, record), "D08") == [f"{DE}!E7"]


@pytest.mark.parametrize("project_total", [100000.0, 300000.0, None])
def test_d08_not_raised(tmp_path: Path, project_total: float | None) -> None:
    record = declaration()
    record.funds.project_total = record.funds.fiscal_funds = project_total
    assert "D08" not in rules(write(tmp_path, record))


def test_d09_other_funds_disagree_in_a_one_year_project(tmp_path: Path) -> None:
    record = declaration()
    record.funds.other_funds = 5000.0
    record.funds.project_total = 105000.0  # D07 holds
    assert at(write(tmp_path, record), "D09") == [f"{DE}!E10"]


def test_d09_not_raised_for_a_multi_year_project(tmp_path: Path) -> None:
    record = declaration()
    record.funds.other_funds = 5000.0
    record.funds.project_total = 105000.0
    record.start_date, record.end_date = "2025-01-01", "2026-12-31"
    assert "D09" not in rules(write(tmp_path, record))


@pytest.mark.parametrize(
    ("level1", "level2"),
    [("产出指标", "经济效益指标"), ("满意度指标", "数量指标"), ("过程指标", "数量指标")],
)
def test_d10_pair_not_in_framework(tmp_path: Path, level1: str, level2: str) -> None:
    record = declaration()
    ind = record.indicators[1]  # row 15
    ind.level1, ind.level2 = level1, level2
    assert at(write(tmp_path, record), "D10") == [f"{DE}!C{DE_FIRST + 1}"]


@pytest.mark.parametrize(
    ("level1", "level2"),
    [("产出指标", "成本指标"), ("成本指标", "社会成本指标"), ("效益指标", "生态效益指标")],
)
def test_d10_pairs_of_either_framework_allowed(tmp_path: Path, level1: str, level2: str) -> None:
    record = declaration()
    ind = record.indicators[1]
    ind.level1, ind.level2 = level1, level2
    assert "D10" not in rules(write(tmp_path, record))


@pytest.mark.parametrize(("key", "col"), [("name", "D"), ("target", "E")])
def test_d11_indicator_without_name_or_target(tmp_path: Path, key: str, col: str) -> None:
    record = declaration()
    setattr(record.indicators[2], key, None)  # row 16
    assert at(write(tmp_path, record), "D11") == [f"{DE}!{col}{DE_FIRST + 2}"]


@pytest.mark.parametrize(
    ("level2", "target"),
    [
        ("数量指标", "约100人"),
        ("数量指标", "保证每周2-3次"),
        ("数量指标", "按照合同约定完成全部维护保养工作"),
        ("质量指标", "95%-100%"),
    ],
)
def test_d12_target_does_not_parse(tmp_path: Path, level2: str, target: str) -> None:
    record = declaration()
    ind = record.indicators[1]  # row 15 产出指标/数量指标
    ind.level2, ind.target = level2, target
    assert at(write(tmp_path, record), "D12") == [f"{DE}!E{DE_FIRST + 1}"]


@pytest.mark.parametrize(
    ("level2", "target"),
    [
        ("数量指标", ">=80%"),
        ("数量指标", "≥10000.00(人)"),
        ("数量指标", "=1次/季"),
        ("时效指标", "<=90分钟"),
        ("质量指标", "及时"),
        ("质量指标", "按照合同约定完成全部维护保养工作"),  # a sentence, but not a 数量指标
    ],
)
def test_d12_parsable_targets(tmp_path: Path, level2: str, target: str) -> None:
    record = declaration()
    ind = record.indicators[1]
    ind.level2, ind.target = level2, target
    assert "D12" not in rules(write(tmp_path, record))


@pytest.mark.parametrize("missing", ["产出指标", "效益指标", "满意度指标"])
def test_d13_level1_missing(tmp_path: Path, missing: str) -> None:
    record = declaration()
    record.indicators = [i for i in record.indicators if i.level1 != missing]
    assert at(write(tmp_path, record), "D13") == [f"{DE}!B13"]


def test_d13_cost_required_only_under_the_2021_framework(tmp_path: Path) -> None:
    record = declaration()
    record.indicators = [i for i in record.indicators if i.level1 != "成本指标"]
    path = write(tmp_path, record)
    assert "D13" not in rules(path)  # default profile: 2015 has no 成本指标 level
    only_2021 = profile_file(tmp_path, 'frameworks = ["2021"]\n')
    assert at(path, "D13", only_2021) == [f"{DE}!B13"]


def test_d13_2021_framework_satisfied(tmp_path: Path) -> None:
    only_2021 = profile_file(tmp_path, 'frameworks = ["2021"]\n')
    path = write(tmp_path, declaration())  # has 成本指标/经济成本指标 in row 14
    assert "D13" not in rules(path, only_2021)


def test_d14_same_indicator_twice(tmp_path: Path) -> None:
    record = declaration()
    record.indicators[3].name = record.indicators[2].name  # rows 16 and 17
    assert at(write(tmp_path, record), "D14") == [f"{DE}!D{DE_FIRST + 3}"]


def test_d14_distinct_names_pass(tmp_path: Path) -> None:
    record = declaration()
    record.indicators[3].name = record.indicators[2].name + "（软件）"
    assert "D14" not in rules(write(tmp_path, record))


def test_d15_both_frameworks_in_one_form(tmp_path: Path) -> None:
    record = declaration()  # row 14 成本指标 as a 一级 (2021)
    record.indicators[2].level2 = "成本指标"  # row 16 产出指标/成本指标 (2015)
    assert at(write(tmp_path, record), "D15") == [f"{DE}!C{DE_FIRST + 2}"]


def test_d15_one_framework_passes(tmp_path: Path) -> None:
    record = declaration()
    record.indicators[0].level1, record.indicators[0].level2 = "产出指标", "成本指标"
    assert "D15" not in rules(write(tmp_path, record))


# -- S: 自评表 ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "cell"),
    [("project_name", "B3"), ("department", "B4"), ("implementing_unit", "F4")],
)
def test_s01_required_field_blank(tmp_path: Path, key: str, cell: str) -> None:
    record = self_evaluation()
    setattr(record, key, None)
    assert at(write(tmp_path, record), "S01") == [f"{SE}!{cell}"]


def test_s01_funds_row_blank_is_s20(tmp_path: Path) -> None:
    """A blank 全年预算数 is a warning of its own (S20, issue 12), not a missing field."""
    record = self_evaluation()
    record.funds.total.adjusted_budget = None
    path = write(tmp_path, record)
    assert "S01" not in rules(path)
    assert at(path, "S20") == [f"{SE}!E6"]


def test_s01_no_indicator(tmp_path: Path) -> None:
    record = self_evaluation()
    record.indicators = []
    assert at(write(tmp_path, record), "S01") == [f"{SE}!B12"]  # the indicator header


def test_s01_total_score_blank(tmp_path: Path) -> None:
    """Nothing scored yet: no 执行率得分 to compute, no indicator 得分, a blank 总分."""
    record = self_evaluation()
    record.funds.total.executed = record.funds.current_appropriation.executed = None
    for ind in record.indicators:
        ind.score = None
    assert at(write(tmp_path, record), "S01") == [f"{SE}!H{SE_TOTAL}"]


def test_s01_not_raised_on_a_complete_form(tmp_path: Path) -> None:
    assert "S01" not in rules(write(tmp_path, self_evaluation()))


# 执行率 and 执行率得分: the exact figure within 0.01, whatever the region's rounding.
@pytest.mark.parametrize(
    ("budget", "executed", "rate_cell", "score_cell"),
    [
        (100000, 85470, 0.8547, 8.55),  # 85.47 % → 8.547 → 8.55 (half-up)
        (100000, 96980, 0.9698, 9.69),  # 96.98 % → 9.698 → 9.69 (truncation)
        (100000, 86183, 0.8619, 8.62),  # 86.183 % shown as 86.19 % (ceiling)
        (100000, 86183, 0.8618, 8.61),  # 86.183 % truncated, 8.6183 truncated
        (720000, 615326.02, 0.8547, 8.55),  # seed 004 公共服务窗口运行经费, as printed
        (100000, 85470, "85.47%", 8.55),  # the rate typed as text
        (100000, 85470, 85.47, 8.55),  # the rate typed as a percentage number
    ],
)
def test_s02_s03_rounding_conventions_pass(
    tmp_path: Path, budget: float, executed: float, rate_cell: Any, score_cell: float
) -> None:
    record = self_evaluation()
    set_funds(record, budget, executed)
    path = type_over(write(tmp_path, record), {"H6": rate_cell, "I6": score_cell})
    assert {"S02", "S03"}.isdisjoint(rules(path))


def test_s02_rate_off_by_0_011(tmp_path: Path) -> None:
    record = self_evaluation()
    set_funds(record, 100000, 86183)  # exact 86.183 %
    path = type_over(write(tmp_path, record), {"H6": 0.86194})  # 86.194 %
    assert at(path, "S02") == [f"{SE}!H6"]


def test_s02_rate_wrong(tmp_path: Path) -> None:
    record = self_evaluation()
    set_funds(record, 100000, 85470)
    path = type_over(write(tmp_path, record), {"H6": 0.9547})
    assert at(path, "S02") == [f"{SE}!H6"]


@pytest.mark.parametrize("score", [9.687, 9.709, 10.0])
def test_s03_score_off_by_more_than_tolerance(tmp_path: Path, score: float) -> None:
    record = self_evaluation()
    set_funds(record, 100000, 96980)  # exact 9.698 points
    path = type_over(write(tmp_path, record), {"I6": score})
    assert at(path, "S03") == [f"{SE}!I6"]


def test_s03_template_formula_in_truncate_mode(tmp_path: Path) -> None:
    """A region that truncates: the template's own cached figures pass."""
    record = self_evaluation()
    set_funds(record, 100000, 96980)
    profile = load_profile(profile_file(tmp_path, 'rounding = "truncate"\n'))
    path = api.write_form(tmp_path / "t.xlsx", record, rows=ROWS, profile=profile)
    cached = openpyxl.load_workbook(path, data_only=True)[SE]
    assert (cached["H6"].value, cached["I6"].value) == (0.9698, 9.69)
    assert {"S02", "S03"}.isdisjoint(rules(path, profile))


def test_s03_weight_read_from_the_form(tmp_path: Path) -> None:
    record = self_evaluation()
    set_funds(record, 100000, 85470, weight=20)  # 85.47 % × 20 = 17.094
    path = write(tmp_path, record)
    assert "S03" not in rules(path)
    type_over(path, {"I6": 8.55})  # scored as if 分值 were 10
    assert at(path, "S03") == [f"{SE}!I6"]


def test_s03_capped_at_100_percent(tmp_path: Path) -> None:
    record = self_evaluation()
    set_funds(record, 100000, 110000)
    path = type_over(write(tmp_path, record), {"I6": 10})
    assert "S03" not in rules(path)
    type_over(path, {"I6": 11})
    assert at(path, "S03") == [f"{SE}!I6"]


@pytest.mark.parametrize(("row", "col"), [(7, "D"), (7, "E"), (8, "F"), (9, "D")])
def test_s04_total_is_not_the_sum_per_column(tmp_path: Path, row: int, col: str) -> None:
    path = type_over(write(tmp_path, self_evaluation()), {f"{col}{row}": 1000})
    assert at(path, "S04") == [f"{SE}!{col}6"]


def test_s04_sum_holds(tmp_path: Path) -> None:
    record = self_evaluation()
    set_funds(record, 100000, 90000)
    record.funds.current_appropriation.adjusted_budget = 80000
    record.funds.carryover.adjusted_budget = 15000
    record.funds.other.adjusted_budget = 5000
    record.funds.current_appropriation.executed = 70000
    record.funds.other.executed = 20000
    assert "S04" not in rules(write(tmp_path, record))


def test_s05_rate_above_100(tmp_path: Path) -> None:
    record = self_evaluation()
    set_funds(record, 100000, 106670)
    assert at(write(tmp_path, record), "S05") == [f"{SE}!H6"]


def test_s05_exactly_100_passes(tmp_path: Path) -> None:
    record = self_evaluation()
    set_funds(record, 100000, 100000)
    assert "S05" not in rules(write(tmp_path, record))


def test_s06_weights_do_not_add_up(tmp_path: Path) -> None:
    record = self_evaluation()
    record.indicators[0].weight = record.indicators[0].score = 11
    assert at(write(tmp_path, record), "S06") == [f"{SE}!G{SE_TOTAL}"]


def test_s06_funds_weight_counts(tmp_path: Path) -> None:
    record = self_evaluation()
    record.funds.total.weight = 12  # 12 + 90
    assert at(write(tmp_path, record), "S06") == [f"{SE}!G{SE_TOTAL}"]


def test_s07_split_other_than_50_30_10_10(tmp_path: Path) -> None:
    record = self_evaluation()
    record.indicators[0].weight = record.indicators[0].score = 10  # 产出 48
    record.indicators[4].weight = record.indicators[4].score = 12  # 效益 32
    path = write(tmp_path, record)
    assert "S06" not in rules(path)  # still 100 in all
    assert at(path, "S07") == [f"{SE}!G{SE_FIRST}", f"{SE}!G{SE_FIRST + 4}"]


def test_s07_funds_weight(tmp_path: Path) -> None:
    record = self_evaluation()
    record.funds.total.weight = 12
    record.indicators[0].weight = record.indicators[0].score = 10
    assert at(write(tmp_path, record), "S07") == [f"{SE}!G6", f"{SE}!G{SE_FIRST}"]


def test_s07_cost_counts_as_output(tmp_path: Path) -> None:
    """The 2015 产出/成本指标 row (分值 14) belongs to the 产出 50."""
    assert "S07" not in rules(write(tmp_path, self_evaluation()))


def test_profile_changes_a_severity(tmp_path: Path) -> None:
    record = self_evaluation()
    record.indicators[0].weight = record.indicators[0].score = 10
    record.indicators[4].weight = record.indicators[4].score = 12
    path = write(tmp_path, record)
    quiet = profile_file(tmp_path, '[severity]\nS07 = "提示"\n')
    default = api.check([path]).findings
    changed = api.check([path], profile=quiet).findings
    assert [(f.rule, f.location, f.severity) for f in default if f.rule == "S07"] == [
        ("S07", f"{SE}!G{SE_FIRST}", "警告"),
        ("S07", f"{SE}!G{SE_FIRST + 4}", "警告"),
    ]
    assert [(f.rule, f.location, f.severity) for f in changed if f.rule == "S07"] == [
        ("S07", f"{SE}!G{SE_FIRST}", "提示"),
        ("S07", f"{SE}!G{SE_FIRST + 4}", "提示"),
    ]


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("tolerence = 0.02\n", "tolerence"),
        ("[scoring]\nover_achievment = 1.5\n", "scoring.over_achievment"),
        ('[grade]\n"优" = 95\n', "grade"),
        ('[severity]\nS99 = "提示"\n', "S99"),
    ],
)
def test_bad_profile_key_names_the_key(tmp_path: Path, text: str, key: str) -> None:
    path = write(tmp_path, self_evaluation())
    with pytest.raises(UserError, match=re.escape(key)):
        api.check([path], profile=profile_file(tmp_path, text))


def test_bad_profile_severity_value(tmp_path: Path) -> None:
    path = write(tmp_path, self_evaluation())
    with pytest.raises(UserError, match=re.escape("severity.S07")):
        api.check([path], profile=profile_file(tmp_path, '[severity]\nS07 = "严重"\n'))


@pytest.mark.parametrize("score", [13, -1])
def test_s08_score_outside_0_and_weight(tmp_path: Path, score: float) -> None:
    record = self_evaluation()
    record.indicators[0].score = score  # 分值 12
    record.indicators[0].deviation_reason = REASON
    assert at(write(tmp_path, record), "S08") == [f"{SE}!H{SE_FIRST}"]


@pytest.mark.parametrize("score", [0, 12])
def test_s08_bounds_inclusive(tmp_path: Path, score: float) -> None:
    record = self_evaluation()
    record.indicators[0].score = score
    record.indicators[0].deviation_reason = REASON
    assert "S08" not in rules(write(tmp_path, record))


def test_s09_score_below_weight_without_reason(tmp_path: Path) -> None:
    record = self_evaluation()
    record.indicators[2].score = 10  # row 15, 分值 12
    assert at(write(tmp_path, record), "S09") == [f"{SE}!I{SE_FIRST + 2}"]


def test_s09_reason_given(tmp_path: Path) -> None:
    record = self_evaluation()
    record.indicators[2].score = 10
    record.indicators[2].deviation_reason = "供应商延期交货两周"
    assert "S09" not in rules(write(tmp_path, record))


# Computed scores, by hand (分值 W = 12 on row 13):
S10_CASES = [
    # target, actual, the right score, a wrong score
    ("≥95%", "80%", 10.11, 9.6),  # 12 × 80 / 95 = 10.105…
    (">=95%", "100%", 12, 11),  # A ≥ T → W
    ("＞＝95％", "80％", 10.10, 9.6),  # full-width operator and percent sign; 10.10 truncated
    (">90", "45", 6, 12),  # 12 × 45 / 90
    ("=100%", "90%", 10.8, 12),  # = is scored like ≥ when T > 0
    ("≥10000.00(人)", "8000(人)", 9.6, 12),  # 12 × 0.8
    ("≥6次", "3次", 6, 3),
    ("=0次", "0次", 12, 0),  # = with T = 0: A ≤ 0 → W
    ("=0次", "1次", 0, 12),  # … else 0
    ("=100%", "-5%", 0, 12),  # A < 0 read as 0
    ("≤2(小时)", "1.5(小时)", 12, 9),  # A ≤ T → W
    ("≤2(小时)", "3(小时)", 6, 8),  # 12 × (1 − (3 − 2) / 2)
    ("<=90分钟", "135分钟", 6, 12),  # 12 × (1 − 45 / 90)
    ("≤2(小时)", "4(小时)", 0, 6),  # A ≥ 2T → 0
    ("<2(小时)", "5(小时)", 0, 4.8),
]


@pytest.mark.parametrize(("target", "actual", "right", "wrong"), S10_CASES)
def test_s10_computed_score(
    tmp_path: Path, target: str, actual: str, right: float, wrong: float
) -> None:
    record = self_evaluation()
    quantitative(record, target, actual, right)
    assert "S10" not in rules(write(tmp_path, record, "right.xlsx"))
    quantitative(record, target, actual, wrong)
    assert at(write(tmp_path, record, "wrong.xlsx"), "S10") == [f"{SE}!H{SE_FIRST}"]


@pytest.mark.parametrize(
    ("target", "actual"),
    [
        ("≥95%", "80人"),  # units differ
        ("≥10000(人)", "8000(人次)"),
        ("≥95%", "达成指标"),  # qualitative actual
        ("≥95%", "按实"),  # unparseable actual
        ("及时", "90%"),  # qualitative target
    ],
)
def test_s10_not_computed(tmp_path: Path, target: str, actual: str) -> None:
    record = self_evaluation()
    quantitative(record, target, actual, 1)
    assert "S10" not in rules(write(tmp_path, record))


def test_s10_reverse_indicator_ratio_profile(tmp_path: Path) -> None:
    """Some regions score reverse indicators W × T / A: 12 × 2 / 3 = 8."""
    ratio = profile_file(tmp_path, '[scoring]\nreverse = "ratio"\n')
    record = self_evaluation()
    quantitative(record, "≤2(小时)", "3(小时)", 8)
    path = write(tmp_path, record, "ratio.xlsx")
    assert "S10" not in rules(path, ratio)
    assert at(path, "S10") == [f"{SE}!H{SE_FIRST}"]  # linear says 6
    quantitative(record, "≤2(小时)", "3(小时)", 6)
    path = write(tmp_path, record, "linear.xlsx")
    assert "S10" not in rules(path)
    assert at(path, "S10", ratio) == [f"{SE}!H{SE_FIRST}"]


@pytest.mark.parametrize("actual", ["12次", "7.2次"])
def test_s11_over_achieved_without_reason(tmp_path: Path, actual: str) -> None:
    record = self_evaluation()
    quantitative(record, "≥6次", actual, 12).deviation_reason = None
    assert at(write(tmp_path, record), "S11") == [f"{SE}!I{SE_FIRST}"]


@pytest.mark.parametrize(
    ("target", "actual", "reason"),
    [
        ("≥6次", "12次", "临时增加了两次系统升级"),  # reason given
        ("≥6次", "7次", None),  # below 1.2 × target
        ("≤2(小时)", "0.5(小时)", None),  # a reverse indicator is never over-achieved
        ("≥6次", "12(人次)", None),  # units differ
    ],
)
def test_s11_not_raised(tmp_path: Path, target: str, actual: str, reason: str | None) -> None:
    record = self_evaluation()
    quantitative(record, target, actual, 12).deviation_reason = reason
    assert "S11" not in rules(write(tmp_path, record))


def test_s11_threshold_from_profile(tmp_path: Path) -> None:
    record = self_evaluation()
    quantitative(record, "≥6次", "8次", 12).deviation_reason = None
    path = write(tmp_path, record)
    assert at(path, "S11") == [f"{SE}!I{SE_FIRST}"]
    lenient = profile_file(tmp_path, "[scoring]\nover_achievement = 1.5\n")
    assert "S11" not in rules(path, lenient)


ACHIEVED, PARTIAL, NOT_ACHIEVED = "达成指标", "部分达成指标并具有一定效果", "未达成指标且效果较差"


@pytest.mark.parametrize(
    ("actual", "score"),
    [
        (ACHIEVED, 9.6),  # exactly 80 % of 12
        (ACHIEVED, 12),
        (PARTIAL, 9.59),  # just below 80 %: 部分达成 is [60 %, 80 %)
        (PARTIAL, 7.2),  # 60 %
        (PARTIAL, 8),
        (NOT_ACHIEVED, 7.19),
        (NOT_ACHIEVED, 0),
    ],
)
def test_s12_tier_bounds_half_open(tmp_path: Path, actual: str, score: float) -> None:
    record = self_evaluation()
    quantitative(record, "按时完成", actual, score)
    assert "S12" not in rules(write(tmp_path, record))


@pytest.mark.parametrize(
    ("actual", "score"),
    [
        (ACHIEVED, 9.59),
        (PARTIAL, 9.6),  # 80 % belongs to 达成 (production systems: [60 %, 80 %))
        (PARTIAL, 7.19),
        (NOT_ACHIEVED, 7.2),  # 60 % belongs to 部分达成
        (NOT_ACHIEVED, 7.21),
        (ACHIEVED, 5),
    ],
)
def test_s12_score_outside_tier(tmp_path: Path, actual: str, score: float) -> None:
    record = self_evaluation()
    quantitative(record, "按时完成", actual, score)
    assert at(write(tmp_path, record), "S12") == [f"{SE}!H{SE_FIRST}"]


@pytest.mark.parametrize("total", [90, 99.98, 100.02])
def test_s13_total_is_not_the_sum(tmp_path: Path, total: float) -> None:
    path = type_over(write(tmp_path, self_evaluation()), {f"H{SE_TOTAL}": total})
    assert at(path, "S13") == [f"{SE}!H{SE_TOTAL}"]


@pytest.mark.parametrize("total", [100, 99.99, 100.01])
def test_s13_total_within_tolerance(tmp_path: Path, total: float) -> None:
    path = type_over(write(tmp_path, self_evaluation()), {f"H{SE_TOTAL}": total})
    assert "S13" not in rules(path)


def test_s13_with_funds_score(tmp_path: Path) -> None:
    """总分 = 执行率得分 8.55 + Σ 90 = 98.55."""
    record = self_evaluation()
    set_funds(record, 100000, 85470)
    path = type_over(write(tmp_path, record), {"I6": 8.55, f"H{SE_TOTAL}": 98.55})
    assert "S13" not in rules(path)
    type_over(path, {f"H{SE_TOTAL}": 100})
    assert at(path, "S13") == [f"{SE}!H{SE_TOTAL}"]


@pytest.mark.parametrize(
    ("total", "grade"),
    [(100, "良"), (90, "良"), (89.99, "优"), (80, "中"), (60, "差"), (59.99, "中")],
)
def test_s14_grade_does_not_match(tmp_path: Path, total: float, grade: str) -> None:
    cells = {f"H{SE_TOTAL}": total, f"H{SE_GRADE}": grade}
    path = type_over(write(tmp_path, self_evaluation()), cells)
    assert at(path, "S14") == [f"{SE}!H{SE_GRADE}"]


@pytest.mark.parametrize(
    ("total", "grade"),
    [(100, "优"), (90, "优"), (89.99, "良"), (80, "良"), (60, "中"), (59.99, "差"), (75, None)],
)
def test_s14_grade_matches_or_absent(tmp_path: Path, total: float, grade: str | None) -> None:
    cells = {f"H{SE_TOTAL}": total, f"H{SE_GRADE}": grade}
    path = type_over(write(tmp_path, self_evaluation()), cells)
    assert "S14" not in rules(path)


def test_s14_profile_bands(tmp_path: Path) -> None:
    bands = profile_file(tmp_path, '[grades]\n"优" = 95\n"良" = 85\n"中" = 60\n')
    cells = {f"H{SE_TOTAL}": 92, f"H{SE_GRADE}": "良"}
    path = type_over(write(tmp_path, self_evaluation()), cells)
    assert "S14" not in rules(path, bands)
    assert at(path, "S14") == [f"{SE}!H{SE_GRADE}"]


@pytest.mark.parametrize(("key", "cell"), [("expected_goal", "B11"), ("actual_result", "F11")])
def test_s15_goal_text_blank(tmp_path: Path, key: str, cell: str) -> None:
    record = self_evaluation()
    setattr(record, key, None)
    assert at(write(tmp_path, record), "S15") == [f"{SE}!{cell}"]


@pytest.mark.parametrize(
    ("change", "col"),
    [
        ({"level2": "经济效益指标"}, "C"),  # 产出指标/经济效益指标
        ({"name": None}, "D"),
        ({"target": None}, "E"),
    ],
)
def test_s16_indicator_structure(tmp_path: Path, change: dict[str, Any], col: str) -> None:
    record = self_evaluation()
    for key, value in change.items():
        setattr(record.indicators[1], key, value)  # row 14
    assert at(write(tmp_path, record), "S16") == [f"{SE}!{col}{SE_FIRST + 1}"]


def test_s16_not_raised_on_valid_pairs(tmp_path: Path) -> None:
    record = self_evaluation()
    record.indicators[1].level2 = "时效指标"
    assert "S16" not in rules(write(tmp_path, record))


def test_s17_same_indicator_twice(tmp_path: Path) -> None:
    record = self_evaluation()
    record.indicators[5].name = record.indicators[4].name  # rows 17 and 18
    assert at(write(tmp_path, record), "S17") == [f"{SE}!D{SE_FIRST + 5}"]


def test_s17_distinct_names_pass(tmp_path: Path) -> None:
    assert "S17" not in rules(write(tmp_path, self_evaluation()))


def test_s18_both_frameworks_in_one_form(tmp_path: Path) -> None:
    record = self_evaluation()  # row 16 产出指标/成本指标 (2015)
    record.indicators[4].level1, record.indicators[4].level2 = "成本指标", "经济成本指标"
    assert at(write(tmp_path, record), "S18") == [f"{SE}!C{SE_FIRST + 3}"]


def test_s18_one_framework_passes(tmp_path: Path) -> None:
    assert "S18" not in rules(write(tmp_path, self_evaluation()))


def test_every_catalogue_rule_has_a_test() -> None:
    """Each rule ID in the catalogue appears in a test name of this module (the merge
    rules M01–M04: of tests/test_merge*.py, where merging is tested; X01–X05: of
    tests/test_prefill.py, where checking against declarations is tested; the scoring
    rules of issue 12: of tests/test_scoring.py; R08–R17: of tests/test_regional.py,
    where regional layouts are read)."""
    from xltools.catalogue import CATALOGUE

    names = " ".join(n for n in globals() if n.startswith("test_"))
    here = Path(__file__).parent
    for path in [
        *here.glob("test_merge*.py"),
        *here.glob("test_hostile*.py"),
        here / "test_prefill.py",
        here / "test_scoring.py",
        here / "test_regional.py",
    ]:
        names += " " + " ".join(re.findall(r"^def (test_\w+)", path.read_text("utf-8"), re.M))
    missing = [r.id for r in CATALOGUE if r.id.lower() not in names]
    assert missing == []
