"""Forms from across China (issue 10): the regional seeds read exactly, and the rules of
reading them (R08–R14) raise at the right cell.

The fixtures in tests/fixtures/regional/ are drawn by its build.py from the texts of
../shared/seeds/regional/ (tests never read that folder). What each must read as is written
out below by hand from the seed texts: names, amounts in the form's unit, targets as
printed (a split target put together), rows as drawn by build.py.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import xlsxwriter

from xltools import api
from xltools.check.frames import FUNDS_COLUMNS
from xltools.model import Record
from xltools.read.workbook import ReadResult
from xltools.text import normalise_label

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "regional"
NAMES = (
    "sichuan_qingshen_2023",
    "hunan_xiangtan_2023",
    "beijing_haidian_2016",
    "anhui_chizhou_2022",
    "shanghai_putuo_2026",
)


def read(path: Path) -> ReadResult:
    [result] = api.read([path])
    return result


@pytest.fixture(scope="module")
def results() -> dict[str, ReadResult]:
    return {name: read(FIXTURES / f"{name}.xlsx") for name in NAMES}


@pytest.fixture(scope="module")
def checked() -> dict[str, list[tuple[str, str | None]]]:
    report = api.check([FIXTURES / f"{name}.xlsx" for name in NAMES])
    return {
        Path(fr.file).stem: sorted((f.rule, f.cell or "") for f in fr.findings)
        for fr in report.files
    }


def only(result: ReadResult) -> Record:
    [record] = result.records
    return record


def indicators(record: Record) -> list[tuple]:
    if record.kind == "declaration":
        return [(i.level1, i.level2, i.name, i.target, i.row) for i in record.indicators]
    return [
        (i.level1, i.level2, i.name, i.target, i.actual, i.weight, i.score, i.row)
        for i in record.indicators
    ]


# -- each seed, read exactly ----------------------------------------------------------------


def test_sichuan(results: dict[str, ReadResult]) -> None:
    r = only(results["sichuan_qingshen_2023"])
    assert (r.kind, r.year, r.money_unit) == ("self_evaluation", 2023, "万元")
    assert (r.source.sheet, r.source.row) == ("自评表", 2)
    assert r.project_name == "51000021R000000019951-工资性支出"
    assert (r.department, r.implementing_unit) == ("青神县发展和改革局本级", "青神县发展和改革局")
    t = r.funds.total
    assert (t.initial_budget, t.adjusted_budget, t.executed) == (238.93, 251.89, 251.89)
    assert (t.weight, t.execution_rate, t.score) == (10.0, 100.0, None)
    a = r.funds.current_appropriation
    assert (a.initial_budget, a.adjusted_budget, a.executed) == (238.93, 251.89, 251.89)
    assert r.expected_goal.startswith("严格执行相关政策")
    # "对照年度目标，说明……(100字以内)" is the template's instruction, not an answer.
    assert r.actual_result is None
    assert indicators(r) == [
        ("产出指标", "数量指标", "发放(缴纳)覆盖率", "=100%", None, 60.0, None, 17),
        ("效益指标", "社会效益指标", "足额保障率(参保率)", "=100%", None, 30.0, None, 18),
    ]
    assert r.declared_points == {"预算执行情况": 10.0, "绩效指标": 90.0}
    assert r.cells["declared_points.预算执行情况"] == "A10"
    assert r.cells["declared_points.绩效指标"] == "A16"
    assert r.total_score is None  # 合计 holds 100 under 权重 only, never a score


def test_hunan(results: dict[str, ReadResult]) -> None:
    r = only(results["hunan_xiangtan_2023"])
    assert (r.kind, r.year, r.money_unit) == ("declaration", 2023, "万元")
    assert (r.project_name, r.department) == ("雾炮车降尘抑尘服务", "湘潭市环境卫生管理处")
    assert r.implementing_unit is None  # 填报单位 awaits its stamp
    assert (r.start_date, r.end_date) == ("2023-07-01", "2024-01-31")
    assert r.funds.annual_total == 250.0
    goal = "通过采购雾炮车降尘抑尘服务，服务周期2023.07-2024.01，全市空气质量达到优良"
    assert (r.overall_goal, r.annual_goal) == (goal, goal)
    assert indicators(r) == [
        ("产出指标", "数量指标", "雾炮车降尘抑尘服务配备车辆数", "10辆", 9),
        ("产出指标", "数量指标", "雾炮车风炮射程", "≥80M", 10),
        ("产出指标", "质量指标", "服务周期内空气质量", "优良", 11),
        ("产出指标", "时效指标", "服务周期", "2023.07-2024.01", 12),
        ("产出指标", "成本指标", "控制在预算成本内", "250万", 13),
        ("效益指标", "社会效益指标", "服务周期内，市民对空气质量改善的满意程度", "≥85%", 15),
        ("满意度指标", "服务对象满意度指标", "市民满意度", "≥90%", 18),
    ]
    assert {i.extras["standard"] for i in r.indicators} == {"计划标准"}


def test_beijing(results: dict[str, ReadResult]) -> None:
    r = only(results["beijing_haidian_2016"])
    assert (r.kind, r.year, r.money_unit) == ("self_evaluation", 2016, "万元")
    assert r.project_name == "【体制】自管道路清扫保洁外包工作经费"
    assert r.department == "北京市海淀区人民政府学院路街道办事处"
    assert r.implementing_unit == "北京市海淀区学院路街道城市运行服务中心"
    t = r.funds.total
    # No 全年预算数 column: 执行率(B/A) is on 年初预算数, the form's only budget.
    assert (t.initial_budget, t.adjusted_budget, t.executed) == (310.2, 310.2, 154.74)
    assert (t.weight, t.execution_rate, t.score) == (10.0, 50.0, 5.0)
    assert r.funds.current_appropriation.executed == 154.74
    assert r.expected_goal.startswith("通过规范地区自管道路")
    assert r.actual_result.startswith("按照年初设定目标")
    assert indicators(r) == [
        (
            "产出指标",
            "数量指标",
            "是否完成绩效目标申报表中申报的数量",
            "12.5",
            "12.5",
            12.5,
            12.5,
            10,
        )
    ]
    assert r.indicators[0].extras == {
        "method": "完成值达到指标值，记满分；未达到指标值，按B/A或A/B*该指标分值记分。"
    }
    assert r.declared_points == {"产出指标": 50.0}


def test_anhui(results: dict[str, ReadResult]) -> None:
    r = only(results["anhui_chizhou_2022"])
    assert (r.kind, r.year, r.money_unit, r.source.row) == ("self_evaluation", 2022, "万元", 2)
    assert r.project_name == "委托业务项目"
    t, a = r.funds.total, r.funds.current_appropriation
    assert (t.initial_budget, t.adjusted_budget, t.executed, t.weight) == (0, 0, 0, 10)
    assert (a.initial_budget, a.adjusted_budget, a.executed) == (90.0, 89.974, 89.974)
    assert indicators(r) == [
        ("产出指标", "数量指标", "基建工程委托业务项目数量", "≥50个", "50", 8.0, 8.0, 14),
        ("产出指标", "质量指标", "委托业务报告合格率", "≥100百分比", "100", 8.0, 8.0, 15),
        (
            "产出指标",
            "质量指标",
            "经费支出合规性",
            "严格执行相关制度规定",
            "达成预期指标",
            8.0,
            8.0,
            16,
        ),
        (
            "产出指标",
            "时效指标",
            "提交报告及时性",
            "在项目计划完成时间内完成",
            "达成预期指标",
            8.0,
            8.0,
            17,
        ),
        ("产出指标", "成本指标", "项目总成本", "≤90万元", "90", 8.0, 8.0, 18),
        ("产出指标", "成本指标", "单项业务成本", "符合相关规定", "达成预期指标", 10.0, 10.0, 19),
        (
            "效益指标",
            "社会效益指标",
            "对维护基建市场公平的影响程度",
            "效果明显",
            "达成预期指标",
            10.0,
            10.0,
            20,
        ),
        (
            "效益指标",
            "生态效益指标",
            "对控制基建项目成本影响程度",
            "效果明显",
            "达成预期指标",
            10.0,
            10.0,
            21,
        ),
        (
            "效益指标",
            "可持续影响指标",
            "对推动基建项目“四项制度”健全和落实的持续性影响",
            "效果明显",
            "达成预期指标",
            10.0,
            10.0,
            22,
        ),
    ]
    assert r.declared_points == {"产出指标": 50.0, "效益指标": 30.0, "满意度指标": 10.0}


def test_putuo(results: dict[str, ReadResult]) -> None:
    r = only(results["shanghai_putuo_2026"])
    assert (r.kind, r.year, r.money_unit) == ("declaration", 2026, "元")
    assert (r.project_name, r.project_nature, r.project_category) == (
        "拆违经费",
        "阶段性项目",  # "阶段\n性项\n目"
        "特定目标类",
    )
    assert r.department == "普陀区城市管理行政执法局执法大队"
    assert r.implementing_unit == "上海市普陀区城市管理行政执法局执法大队"
    assert (r.start_date, r.end_date) == ("2024-01-01", "2026-12-31")
    f = r.funds
    assert (f.project_total, f.fiscal_funds, f.other_funds) == (10308000.0, 10308000.0, 0.0)
    assert (f.annual_total, f.current_appropriation, f.carryover, f.annual_other_funds) == (
        3498000.0,
        3498000.0,
        0.0,
        0.0,
    )
    assert r.overall_goal.startswith("1.完成市、区相关部门下达的年度拆违任务。\n2.")
    assert r.annual_goal.startswith("1.完成市、区相关部门下达的年度\n拆违任务。")
    assert indicators(r) == [
        ("成本指标", "经济成本指标", "成本控制合理性", "合理", 13),
        ("产出指标", "数量指标", "完成年度拆违计划", "=100.00(%)", 14),
        ("产出指标", "质量指标", "违法建筑销项正确率", "=100.00(%)", 15),
        ("产出指标", "时效指标", "新增违建处置率", "=100.00(%)", 16),
        ("效益指标", "社会效益指标", "群众政策知晓度", "≥90.00(%)", 17),
        ("效益指标", "生态效益指标", "提升城市环境美化指数", "提高", 18),
        ("效益指标", "可持续影响指标", "新增违建发生数", "降低", 19),
        ("满意度指标", "服务对象满意度指标", "群众满意度", "≥90.00(%)", 20),
    ]


# -- what check says about them --------------------------------------------------------------

# Findings the forms themselves contain, and why (seed texts end part-way: anhui lost its
# 满意度 row and 总分, beijing every row after its first indicator).
CHECKED = {
    # 总分 and 得分 left blank; 实际完成情况 is the instruction text; 产出 60 / 效益 30 split.
    "sichuan_qingshen_2023": [
        ("S01", "I19"),
        ("S03", "H11"),
        ("S07", "B16"),
        ("S07", "I17"),
        ("S15", "G7"),
        ("S26", "A1"),  # 报表编号 510000_0013zp: the 四川 profile is suggested, not applied
    ],
    # No 项目资金总额 or 项目类别, 填报单位 unstamped, a period as target, 250万 as text.
    "hunan_xiangtan_2023": [
        ("D01", "D2"),
        ("D02", ""),
        ("D02", ""),
        ("D12", "E12"),
        ("R06", "B4"),
        ("R13", "B18"),
    ],
    # The seed text ends in the second 产出 row: no 总分 (S01), weights short of 100 (S06)
    # and of the 50 points printed in "产出指标(50分)" (S19).
    "beijing_haidian_2016": [
        ("S01", ""),
        ("S06", ""),
        ("S19", "B10"),
        ("S07", "B9"),
        ("S07", "B9"),
        ("S07", "E10"),
    ],
    # The real inconsistency: 年度资金总额 0 / 0 / 0 against 财政拨款 90 / 89.974 / 89.974.
    "anhui_chizhou_2022": [
        ("S01", ""),
        ("S04", "D7"),
        ("S04", "E7"),
        ("S04", "F7"),
        ("S06", ""),
        ("S07", "B13"),
        ("S20", "E7"),  # the same 0 as 全年预算数: no 执行率 can be computed
    ],
    # Amounts printed as text in the PDF grid.
    "shanghai_putuo_2026": sorted(("R06", c) for c in ("E6", "E7", "E9", "H6", "H7", "H8", "H9")),
}


@pytest.mark.parametrize("name", NAMES)
def test_check_finds_what_the_form_contains(name: str, checked: dict) -> None:
    assert checked[name] == sorted(CHECKED[name])


def test_anhui_inconsistency_is_found_at_the_total_row(checked: dict) -> None:
    assert [c for rule, c in checked["anhui_chizhou_2022"] if rule == "S04"] == ["D7", "E7", "F7"]


# -- titles, labels, cleaning ----------------------------------------------------------------

TITLES = (
    "财政项目支出绩效目标申报表",
    "项目支出绩效目标申报表",
    "项目支出绩效目标表",
    "项目绩效目标表",
    "2023年项目支出绩效目标申报表",
    "部门预算项目支出绩效自评表(2023年度)",
    "项目支出绩效自评表",
    "财政项目支出绩效自评表2023年度",
    "财政项目支出绩效自评表（2023年度",
)


@pytest.mark.parametrize("title", TITLES)
def test_titles_by_meaning(tmp_path: Path, title: str) -> None:
    path = workbook(tmp_path / "t.xlsx", {"表": [[title], *declaration_rows()[1:]]})
    result = read(path)
    kind = "self_evaluation" if "自评" in title else "declaration"
    assert [r.kind for r in result.records] == [kind]
    assert result.records[0].project_name == "测试项目"


def test_a_project_named_like_a_title_is_a_name(tmp_path: Path) -> None:
    rows = declaration_rows()
    rows[2] = ["项目名称", "窗口服务项目支出绩效自评表"]
    result = read(workbook(tmp_path / "t.xlsx", {"表": rows}))
    assert [r.kind for r in result.records] == ["declaration"]
    assert result.records[0].project_name == "窗口服务项目支出绩效自评表"


@pytest.mark.parametrize(
    ("label", "bare"),
    [
        ("年度总目标（2023年 - 2023年）", "年度总目标"),
        ("实施单位（盖章）", "实施单位"),
        ("分值(10分)", "分值"),
        ("执行率(B/A)", "执行率"),
        ("年初预算数(A)", "年初预算数"),
        ("项目资金 (万元)", "项目资金"),
        ("服务对象满意度\n指标", "服务对象满意度指标"),
        ("发放(缴纳)覆盖率", "发放(缴纳)覆盖率"),  # a bracket that is part of a name stays
    ],
)
def test_labels_compare_without_breaks_and_qualifiers(label: str, bare: str) -> None:
    assert normalise_label(label) == bare


def test_a_label_with_its_period_is_found(tmp_path: Path) -> None:
    rows = declaration_rows()
    rows[9] = [None, "项目总目标", None, "年度总目标（2025年 - 2025年）"]
    result = read(workbook(tmp_path / "t.xlsx", {"表": rows}))
    assert [f.rule for f in result.findings if f.rule == "R03"] == []
    assert result.records[0].annual_goal == "年度目标"


def test_a_line_break_in_a_level2_keeps_the_row(tmp_path: Path) -> None:
    rows = declaration_rows()
    rows[-1] = [None, "满意度指标", "服务对象满意度\n指标", "满意度", "≥90%"]
    [r] = read(workbook(tmp_path / "t.xlsx", {"表": rows})).records
    assert (r.indicators[-1].level2, r.indicators[-1].target) == ("服务对象满意度指标", "≥90%")


def test_look_alike_operators_are_operators(tmp_path: Path) -> None:
    rows = declaration_rows()
    rows[-1] = [None, "满意度指标", "服务对象满意度指标", "满意度", "﹦100%"]
    [r] = read(workbook(tmp_path / "t.xlsx", {"表": rows})).records
    assert r.indicators[-1].target == "=100%"


def test_placeholder_rows_are_not_indicators(tmp_path: Path) -> None:
    rows = declaration_rows()
    rows += [[None, "效益指标", "社会效益指标", "指标1"], [None, None, "生态效益指标"]]
    [r] = read(workbook(tmp_path / "t.xlsx", {"表": rows})).records
    assert [i.name for i in r.indicators] == ["次数", "满意度"]


# -- R08–R14 -----------------------------------------------------------------------------------


def findings(result: ReadResult, rule: str) -> list[tuple[str | None, str | None]]:
    return [(f.sheet, f.cell) for f in result.findings if f.rule == rule]


def test_r08_labels_without_title_or_kind(tmp_path: Path) -> None:
    rows = [["项目名称", "测试项目"], ["主管部门", "某局", "实施单位", "某中心"]]
    result = read(workbook(tmp_path / "t.xlsx", {"名单": rows}))
    assert findings(result, "R08") == [("名单", None)]
    assert "名单" in next(f.message for f in result.findings if f.rule == "R08")


def test_r08_not_for_a_titled_form(tmp_path: Path) -> None:
    assert findings(read(workbook(tmp_path / "t.xlsx", {"表": declaration_rows()})), "R08") == []


def test_r09_related_form_is_named(tmp_path: Path) -> None:
    sheets = {
        "表": declaration_rows(),
        "监控": [[None], ["部门整体支出绩效自评表"], ["项目名称", "x"]],
    }
    result = read(workbook(tmp_path / "t.xlsx", sheets))
    assert findings(result, "R09") == [("监控", "A2")]
    assert len(result.records) == 1


def test_r09_not_for_the_forms_we_read(tmp_path: Path) -> None:
    assert findings(read(workbook(tmp_path / "t.xlsx", {"表": declaration_rows()})), "R09") == []


def test_r10_form_in_a_hidden_sheet_is_read(tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "t.xlsx", {"封面": [["说明"]], "表": declaration_rows()}, hidden={"表"}
    )
    result = read(path)
    assert findings(result, "R10") == [("表", None)]
    assert [r.project_name for r in result.records] == ["测试项目"]


def test_r10_not_for_visible_sheets(tmp_path: Path) -> None:
    assert findings(read(workbook(tmp_path / "t.xlsx", {"表": declaration_rows()})), "R10") == []


def test_r11_untitled_form_read_by_its_labels(tmp_path: Path) -> None:
    result = read(workbook(tmp_path / "t.xlsx", {"表": declaration_rows()[2:]}))
    assert findings(result, "R11") == [("表", "A1")]
    assert [(r.kind, r.project_name) for r in result.records] == [("declaration", "测试项目")]


def test_r11_not_for_a_titled_form(tmp_path: Path) -> None:
    assert findings(read(workbook(tmp_path / "t.xlsx", {"表": declaration_rows()})), "R11") == []


def test_r12_amount_in_a_funds_row_the_record_has_no_place_for(tmp_path: Path) -> None:
    path = tmp_path / "sichuan.xlsx"
    shutil.copy(FIXTURES / "sichuan_qingshen_2023.xlsx", path)
    book = openpyxl.load_workbook(path)
    book["自评表"]["D14"] = 5.0  # 单位资金, 调整后预算数
    book.save(path)
    assert findings(read(path), "R12") == [("自评表", "D14")]


def test_r12_not_for_zero_amounts(results: dict[str, ReadResult]) -> None:
    assert findings(results["sichuan_qingshen_2023"], "R12") == []


def test_r13_level1_inferred_from_its_level2(results: dict[str, ReadResult]) -> None:
    assert findings(results["hunan_xiangtan_2023"], "R13") == [("Sheet1", "B18")]


def test_r13_blank_level1_at_the_top(tmp_path: Path) -> None:
    rows = declaration_rows()
    rows[-2] = [None, None, "数量指标", "次数", "≥1次"]
    result = read(workbook(tmp_path / "t.xlsx", {"表": rows}))
    assert findings(result, "R13") == [("表", f"B{len(rows) - 1}")]
    assert result.records[0].indicators[0].level1 == "产出指标"


def test_r13_not_when_levels_agree(results: dict[str, ReadResult]) -> None:
    assert findings(results["anhui_chizhou_2022"], "R13") == []


def test_r14_unknown_level2_is_a_warning_not_d10(tmp_path: Path) -> None:
    rows = declaration_rows()
    rows[-2] = [None, "产出指标", "过程管理指标", "次数", "≥1次"]
    path = workbook(tmp_path / "t.xlsx", {"表": rows})
    assert findings(read(path), "R14") == [("表", f"C{len(rows) - 1}")]
    report = api.check([path])
    assert "D10" not in {f.rule for f in report.findings}


def test_r14_not_for_framework_level2(results: dict[str, ReadResult]) -> None:
    assert all(findings(results[n], "R14") == [] for n in NAMES)


# -- printed precision ---------------------------------------------------------------------------


def test_rate_and_score_at_the_precision_they_show(checked: dict) -> None:
    """北京 prints 50% and 5 for 154.74 / 310.2 = 49.88 % and 4.99 points."""
    assert {"S02", "S03"}.isdisjoint(rule for rule, _ in checked["beijing_haidian_2016"])


# -- helpers ---------------------------------------------------------------------------------------


def declaration_rows() -> list[list[Any]]:
    """A small 申报表 in a layout of no region in particular (title first)."""
    return [
        ["财政项目支出绩效目标申报表"],
        ["（2025年度）"],
        ["项目名称", "测试项目"],
        ["主管部门", "某局", None, "实施单位", "某中心"],
        ["计划开始日期", "2025-01-01", None, "计划完成日期", "2025-12-31"],
        ["项目资金（元）", "项目资金总额", 100, "年度资金申请总额", 100],
        [None, "其中：财政资金", 100, "其中：当年财政拨款", 100],
        [None, None, None, "上年结转资金", 0],
        [None, "其他资金", 0, "其他资金", 0],
        [None, "项目总目标", None, "年度总目标"],
        [None, "总目标", None, "年度目标"],
        ["绩效指标", "一级指标", "二级指标", "三级指标", "指标目标值"],
        [None, "产出指标", "数量指标", "次数", "≥1次"],
        [None, "满意度指标", "服务对象满意度指标", "满意度", "≥90%"],
    ]


def workbook(
    path: Path, sheets: dict[str, list[list[Any]]], hidden: set[str] = frozenset()
) -> Path:
    book = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False})
    for name, rows in sheets.items():
        ws = book.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is not None:
                    ws.write(r, c, value)
        if name in hidden:
            ws.hide()
    book.close()
    return path


# -- messages ------------------------------------------------------------------------------------


class _Row(dict):
    """A failing row as a rule's message sees it: numbers where the rule computed one,
    ``blank`` in every text column (``overrides``: what the rule's predicate requires)."""

    NUMBERS = frozenset((*FUNDS_COLUMNS, "total_score", "year", "computed", "n_indicators"))

    def __init__(self, blank: Any, overrides: dict[str, Any]) -> None:
        super().__init__()
        self.blank, self.overrides = blank, overrides

    def __getattr__(self, key: str) -> Any:
        if key in self.overrides:
            return self.overrides[key]
        numeric = key in self.NUMBERS or key.startswith("funds.")
        return 2.0 if numeric else self.blank

    __getitem__ = __getattr__


@pytest.mark.parametrize(
    "blank", [None, float("nan"), "", "   "], ids=["None", "nan", "empty", "spaces"]
)
def test_no_message_shows_none_nan_or_a_repr(blank: Any) -> None:
    import pandas as pd

    from xltools.check.schemas import all_rules
    from xltools.profiles import load_profile

    # S12 fires only on a tier wording, which the check turns into the row's tier.
    overrides = {"S12": {"actual": "达成指标", "tier": "达成指标"}}
    shown = []
    for rules in all_rules(load_profile()).values():
        for rule in rules:
            message = rule.message(
                _Row(blank if blank is not None else pd.NA, overrides.get(rule.id, {}))
            )[0]
            message_none = rule.message(_Row(None, overrides.get(rule.id, {})))[0]
            shown += [(rule.id, message), (rule.id, message_none)]
    bad = [
        (rid, m) for rid, m in shown if any(w in m for w in ("None", "nan", "<NA>", "“”", "“   ”"))
    ]
    assert bad == []


# -- formulas without cached values (R15, R16) -----------------------------------------------


def scripted(path: Path, rows: list[list[Any]]) -> Path:
    """A workbook as a script writes it with openpyxl: formulas stored without a result."""
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "表"
    for row in rows:
        ws.append(row)
    book.save(path)
    return path


def test_r15_literal_formula_target_read_as_its_text(tmp_path: Path) -> None:
    rows = declaration_rows()
    rows[-1] = [None, "满意度指标", "服务对象满意度指标", "满意度", "=100%"]
    result = read(scripted(tmp_path / "t.xlsx", rows))
    assert findings(result, "R15") == [("表", f"E{len(rows)}")]
    assert result.records[0].indicators[-1].target == "=100%"


def test_r15_not_for_typed_values(tmp_path: Path) -> None:
    result = read(scripted(tmp_path / "t.xlsx", declaration_rows()))
    assert findings(result, "R15") == findings(result, "R16") == []


def test_r16_other_formula_without_result_is_reported(tmp_path: Path) -> None:
    rows = declaration_rows()
    rows[5] = ["项目资金（元）", "项目资金总额", 100, "年度资金申请总额", "=SUM(E7:E9)"]
    result = read(scripted(tmp_path / "t.xlsx", rows))
    assert findings(result, "R16") == [("表", "E6")]
    assert result.records[0].funds.annual_total is None


def test_r16_not_for_formulas_with_cached_values(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    book = xlsxwriter.Workbook(str(path))
    ws = book.add_worksheet("表")
    for r, row in enumerate(declaration_rows()):
        for c, value in enumerate(row):
            if value is not None:
                ws.write(r, c, value)
    ws.write_formula("E6", "=SUM(E7:E9)", None, 100)  # saved with its result, as Excel does
    book.close()
    result = read(path)
    assert findings(result, "R16") == []
    assert result.records[0].funds.annual_total == 100.0


# -- funds header with fewer labels than figures (R17) ----------------------------------------


def test_r17_funds_read_in_the_standard_order(tmp_path: Path) -> None:
    path = tmp_path / "anhui.xlsx"
    shutil.copy(FIXTURES / "anhui_chizhou_2022.xlsx", path)
    book = openpyxl.load_workbook(path)
    for ref in ("E6", "F6", "G6", "H6", "I6"):  # only 年初预算数 left in the header
        book["Sheet1"][ref] = None
    book.save(path)
    result = read(path)
    assert findings(result, "R17") == [("Sheet1", "D7")]
    t = result.records[0].funds.total
    assert (t.initial_budget, t.adjusted_budget, t.executed, t.weight) == (0, 0, 0, 10)
    assert result.records[0].funds.current_appropriation.adjusted_budget == 89.974


def test_r17_not_when_every_column_has_its_header(results: dict[str, ReadResult]) -> None:
    assert all(findings(results[n], "R17") == [] for n in NAMES)


def test_two_header_rows_and_a_split_target(tmp_path: Path) -> None:
    """指标值 merged over 指标性质 / 指标值 / 度量单位 in a second header row."""
    path = tmp_path / "t.xlsx"
    book = xlsxwriter.Workbook(str(path))
    ws = book.add_worksheet("表")
    rows = declaration_rows()[:-3]
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is not None:
                ws.write(r, c, value)
    top = len(rows)  # 0-based row of the first header row
    ws.merge_range(top, 0, top + 3, 0, "绩效指标")
    for c, text in enumerate(("一级指标", "二级指标", "三级指标"), start=1):
        ws.merge_range(top, c, top + 1, c, text)
    ws.merge_range(top, 4, top, 6, "指标值")
    ws.merge_range(top, 7, top + 1, 7, "绩效标准")
    for c, text in enumerate(("指标性质", "指标值", "度量单位"), start=4):
        ws.write(top + 1, c, text)
    for r, values in enumerate(
        (
            ("产出指标", "数量指标", "次数", "≧", 1, "次", "计划标准"),
            ("满意度指标", "服务对象满意度指标", "满意度", "≥", 90, "%", None),
        ),
        start=top + 2,
    ):
        for c, value in enumerate(values, start=1):
            if value is not None:
                ws.write(r, c, value)
    book.close()
    [r] = read(path).records
    assert [(i.name, i.target, i.extras, i.row) for i in r.indicators] == [
        ("次数", "≥1次", {"standard": "计划标准"}, top + 3),
        ("满意度", "≥90%", None, top + 4),
    ]


def test_s02_still_raised_beyond_the_printed_precision(tmp_path: Path) -> None:
    """北京 with 48% for 49.88 %: not 49.88 at any precision the cell shows."""
    path = tmp_path / "beijing.xlsx"
    shutil.copy(FIXTURES / "beijing_haidian_2016.xlsx", path)
    book = openpyxl.load_workbook(path)
    book["Sheet1"]["G5"] = 0.48
    book.save(path)
    report = api.check([path])
    assert [f.cell for f in report.findings if f.rule == "S02"] == ["G5"]


def test_a_name_shifted_into_the_level2_column_is_a_name(tmp_path: Path) -> None:
    """Exports of merged tables shift cells (seed 002): a name under 二级指标, the target
    under 指标目标值 with 三级指标 empty, is read by meaning, not as a 二级."""
    rows = declaration_rows()
    rows.insert(-1, [None, None, "业务办理及时", None, "及时"])
    [r] = read(workbook(tmp_path / "t.xlsx", {"表": rows})).records
    assert [(i.level1, i.level2, i.name, i.target) for i in r.indicators] == [
        ("产出指标", "数量指标", "次数", "≥1次"),
        ("产出指标", "数量指标", "业务办理及时", "及时"),
        ("满意度指标", "服务对象满意度指标", "满意度", "≥90%"),
    ]
