"""Scoring the way the rules and the regions do (issue 12): official tiers, severity that
follows meaning, printed points, budget rows, vague targets, regional profile options,
named profiles and custom frameworks.

Forms are the seed examples of tests/test_rules.py (its docstring lists their cells);
record-level rules whose cells our own template does not print (headings with points,
funds sub-row points, a funds 原因 column) are checked on records whose cells are set
here, as a reader of such a layout fills them.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner
from test_prefill import FIRST, clean
from test_rules import (
    DE,
    DE_FIRST,
    REASON,
    ROWS,
    SE,
    SE_FIRST,
    SE_TOTAL,
    at,
    declaration,
    profile_file,
    quantitative,
    rules,
    self_evaluation,
    set_funds,
    type_over,
    write,
)

from xltools import api
from xltools.check.checker import Checker
from xltools.check.targets import ACHIEVED, PARTIAL, tier_band, tier_of
from xltools.cli import cli
from xltools.errors import UserError
from xltools.model import SelfEvaluation, Source, from_dict, to_dict
from xltools.profiles import load_profile, named_profiles
from xltools.read import region
from xltools.read.workbook import ReadResult


def severities(path: Path, rule: str, profile: Any = None) -> list[tuple[str, str]]:
    return [
        (f.location, f.severity)
        for f in api.check([path], profile=profile).findings
        if f.rule == rule
    ]


def check_record(record: SelfEvaluation, profile: Any = None) -> list[tuple[str, str, str]]:
    """(rule, location, severity) of a record checked as read from ``form.xlsx``/自评表."""
    record.source = Source("form.xlsx", SE, 1)
    report = Checker(load_profile(profile)).run([ReadResult("form.xlsx", [record], [])])
    return [(f.rule, f.location, f.severity) for f in report.findings]


# -- 1. qualitative tiers in the official wording -----------------------------------------------


@pytest.mark.parametrize(
    ("wording", "tier"),
    [
        ("达成年度指标", ACHIEVED),
        ("达成预期指标", ACHIEVED),  # 安徽池州 2022
        ("达成指标", ACHIEVED),  # Shanghai
        ("部分达成年度指标并具有一定效果", PARTIAL),
        ("部分达成指标并具有一定效果。", PARTIAL),
        ("未达成年度指标且效果较差", "未达成指标且效果较差"),
        ("按时", None),
        ("达成", None),
    ],
)
def test_tier_wordings(wording: str, tier: str | None) -> None:
    assert tier_of(wording) == tier


def test_tier_bounds_rounded_to_cents() -> None:
    # 3.33 × 0.8 = 2.664 → 2.66; 3.33 × 0.6 = 1.998 → 2.00; 7 × 0.8 = 5.60
    assert tier_band(ACHIEVED, 3.33) == (2.66, 3.33)
    assert tier_band(PARTIAL, 3.33) == (2.0, 2.66)
    assert tier_band(ACHIEVED, 7) == (5.6, 7.0)


def test_s12_national_achieved_at_half_its_weight(tmp_path: Path) -> None:
    record = self_evaluation()
    quantitative(record, "按时完成", "达成年度指标", 6)  # 分值 12
    assert at(write(tmp_path, record), "S12") == [f"{SE}!H{SE_FIRST}"]


@pytest.mark.parametrize(
    ("actual", "score"),
    [
        ("达成年度指标", 12),
        ("达成预期指标", 9.6),
        ("部分达成年度指标并具有一定效果", 7.2),
        ("未达成年度指标且效果较差", 7.19),
    ],
)
def test_s12_national_wording_inside_its_tier(tmp_path: Path, actual: str, score: float) -> None:
    record = self_evaluation()
    quantitative(record, "按时完成", actual, score)
    assert "S12" not in rules(write(tmp_path, record))


def test_s12_partial_at_80_percent_is_outside_the_half_open_band(tmp_path: Path) -> None:
    record = self_evaluation()
    quantitative(record, "按时完成", "部分达成年度指标并具有一定效果", 9.6)
    assert at(write(tmp_path, record), "S12") == [f"{SE}!H{SE_FIRST}"]


# -- 2. severity that follows meaning -------------------------------------------------------------


def test_s09_deduction_inside_the_achieved_tier_is_a_warning(tmp_path: Path) -> None:
    record = self_evaluation()
    quantitative(record, "按时完成", "达成年度指标", 11).deviation_reason = None
    assert severities(write(tmp_path, record), "S09") == [(f"{SE}!I{SE_FIRST}", "警告")]


@pytest.mark.parametrize(
    ("target", "actual", "score"),
    [
        ("按时完成", "部分达成年度指标并具有一定效果", 8),
        ("按时完成", "未达成指标且效果较差", 3),
        ("≥6次", "5次", 10),  # a quantitative shortfall: 12 × 5 / 6
        ("按时完成", "基本按时", 11),  # not a tier: a shortfall as far as anyone can tell
    ],
)
def test_s09_shortfall_without_reason_is_an_error(
    tmp_path: Path, target: str, actual: str, score: float
) -> None:
    record = self_evaluation()
    quantitative(record, target, actual, score).deviation_reason = None
    assert severities(write(tmp_path, record), "S09") == [(f"{SE}!I{SE_FIRST}", "错误")]


def test_s09_achieved_tier_with_a_reason_passes(tmp_path: Path) -> None:
    record = self_evaluation()
    quantitative(record, "按时完成", "达成年度指标", 11)  # with REASON
    assert "S09" not in rules(write(tmp_path, record))


def test_s09_profile_severity_still_wins(tmp_path: Path) -> None:
    record = self_evaluation()
    quantitative(record, "按时完成", "达成年度指标", 11).deviation_reason = None
    quiet = profile_file(tmp_path, '[severity]\nS09 = "提示"\n')
    assert severities(write(tmp_path, record), "S09", quiet) == [(f"{SE}!I{SE_FIRST}", "提示")]


def test_d09_carryover_written_under_the_left_other_funds(tmp_path: Path) -> None:
    """A real 2023 district form: left 其他资金 = right 其他资金 + 上年结转资金."""
    record = declaration()
    funds = record.funds
    funds.current_appropriation, funds.carryover, funds.annual_other_funds = 95000.0, 5000.0, 0.0
    funds.fiscal_funds, funds.other_funds = 95000.0, 5000.0
    assert "D09" not in rules(write(tmp_path, record))


def test_d09_left_other_funds_neither_equal_nor_with_carryover(tmp_path: Path) -> None:
    record = declaration()
    funds = record.funds
    funds.current_appropriation, funds.carryover, funds.annual_other_funds = 95000.0, 5000.0, 0.0
    funds.fiscal_funds, funds.other_funds = 93000.0, 7000.0
    assert at(write(tmp_path, record), "D09") == [f"{DE}!E10"]


def test_x01_is_a_warning_when_the_budget_was_adjusted(tmp_path: Path) -> None:
    decl_path, record = clean(tmp_path)
    record.indicators[1].target = "≥11.00(次)"
    for row in (record.funds.total, record.funds.current_appropriation):
        row.adjusted_budget = row.initial_budget + 1000
        row.executed = row.adjusted_budget
    path = api.write_form(tmp_path / "自评表.xlsx", record)
    report = api.check([path], declarations=[decl_path])
    x01 = [(f.location, f.severity) for f in report.findings if f.rule == "X01"]
    assert x01 == [(f"{SE}!E{FIRST + 1}", "警告")]
    assert "预算调整" in next(f.message for f in report.findings if f.rule == "X01")


def test_x01_stays_an_error_without_adjustment(tmp_path: Path) -> None:
    decl_path, record = clean(tmp_path)
    record.indicators[1].target = "≥11.00(次)"
    path = api.write_form(tmp_path / "自评表.xlsx", record)
    report = api.check([path], declarations=[decl_path])
    assert [(f.rule, f.severity) for f in report.findings] == [("X01", "错误")]


# -- 3. points printed in headings (S19) ------------------------------------------------------------


def headed(points: dict[str, float]) -> SelfEvaluation:
    """The seed form (产出 12+12+12+14 = 50, 效益 30, 满意度 10, funds 10) with headings."""
    record = self_evaluation()
    record.declared_points = dict(points)
    cells = {"绩效指标": "A12", "产出指标": "B13", "效益指标": "B17", "满意度指标": "B20"}
    cells["预算执行情况"] = "A5"
    record.cells = {f"declared_points.{k}": v for k, v in cells.items()}
    return record


def test_s19_printed_points_agree() -> None:
    points = {"绩效指标": 90, "产出指标": 50, "效益指标": 30, "满意度指标": 10, "预算执行情况": 10}
    assert [f for f in check_record(headed(points)) if f[0] == "S19"] == []


@pytest.mark.parametrize(
    ("heading", "printed", "cell"),
    [
        ("绩效指标", 80, "A12"),
        ("产出指标", 48, "B13"),
        ("满意度指标", 20, "B20"),
        ("预算执行情况", 20, "A5"),
    ],
)
def test_s19_printed_points_disagree(heading: str, printed: float, cell: str) -> None:
    found_ = check_record(headed({heading: printed}))
    assert [f for f in found_ if f[0] == "S19"] == [("S19", f"{SE}!{cell}", "错误")]


def test_declared_points_round_trip_in_json() -> None:
    record = headed({"产出指标": 50})
    data = to_dict(record)
    assert data["declared_points"] == {"产出指标": 50}
    assert list(data).index("declared_points") == list(data).index("indicators") + 1
    assert from_dict(data).declared_points == {"产出指标": 50}


# -- 4. budget rows (S20–S22) -------------------------------------------------------------------------


def test_s20_budget_zero(tmp_path: Path) -> None:
    record = self_evaluation()
    set_funds(record, 0, 0)
    path = write(tmp_path, record)
    assert severities(path, "S20") == [(f"{SE}!E6", "警告")]
    assert "S21" not in rules(path)


def test_s20_s21_not_raised_with_a_budget(tmp_path: Path) -> None:
    record = self_evaluation()
    set_funds(record, 100000, 100000)
    assert {"S20", "S21"}.isdisjoint(rules(write(tmp_path, record)))


def test_s21_spent_without_budget(tmp_path: Path) -> None:
    record = self_evaluation()
    set_funds(record, 0, 500)
    path = write(tmp_path, record)
    assert severities(path, "S21") == [(f"{SE}!E6", "错误")]
    assert "S20" not in rules(path)


def test_s22_sub_row_carries_points() -> None:
    record = self_evaluation()
    record.funds.carryover.weight = 2.0
    record.funds.current_appropriation.score = 8.0
    record.cells = {
        "funds.carryover.adjusted_budget": "E8",
        "funds.current_appropriation.score": "I7",
    }
    got = [f for f in check_record(record) if f[0] == "S22"]
    assert got == [("S22", f"{SE}!I7", "警告"), ("S22", f"{SE}!E8", "警告")]


def test_s22_not_raised_on_unscored_sub_rows() -> None:
    assert [f for f in check_record(self_evaluation()) if f[0] == "S22"] == []


# -- 5. vague targets (D16) -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("index", "target"),
    [
        (1, "按实"),  # row 15 产出/数量
        (0, "按文件规定"),  # row 14 成本/经济成本
        (0, "符合相关规定"),
    ],
)
def test_d16_vague_target_on_a_quantitative_indicator(
    tmp_path: Path, index: int, target: str
) -> None:
    record = declaration()
    record.indicators[index].target = target
    path = write(tmp_path, record)
    assert severities(path, "D16") == [(f"{DE}!E{DE_FIRST + index}", "提示")]


def test_d16_vague_target_named_after_a_measure(tmp_path: Path) -> None:
    record = declaration()
    ind = record.indicators[4]  # row 18 产出/时效
    ind.name, ind.target = "排除硬件故障次数", "按实"
    assert at(write(tmp_path, record), "D16") == [f"{DE}!E{DE_FIRST + 4}"]


@pytest.mark.parametrize(
    ("index", "name", "target"),
    [
        (1, None, "≥20次"),  # a number
        (6, None, "符合"),  # row 20 效益/社会效益: a qualitative indicator may say 符合
        (2, "按标准化要求进行改建", "符合"),  # 质量指标 named after no measure
    ],
)
def test_d16_not_raised(tmp_path: Path, index: int, name: str | None, target: str) -> None:
    record = declaration()
    if name:
        record.indicators[index].name = name
    record.indicators[index].target = target
    assert "D16" not in rules(write(tmp_path, record))


def test_d16_vague_words_from_the_profile(tmp_path: Path) -> None:
    record = declaration()
    record.indicators[1].target = "视情况"
    path = write(tmp_path, record)
    assert "D16" not in rules(path)
    mine = profile_file(tmp_path, '[targets]\nvague = ["视情况"]\n')
    assert at(path, "D16", mine) == [f"{DE}!E{DE_FIRST + 1}"]


# -- 6. regional options (S23–S25, rounding) --------------------------------------------------------

CAPS = "[scoring]\nrate_caps = [[80, 89], [70, 79], [60, 69], [50, 59]]\n"


def test_s23_total_above_the_cap_of_its_rate(tmp_path: Path) -> None:
    record = self_evaluation()
    set_funds(record, 100000, 75000)  # 75 %: 7.5 + 90 = 97.5, cap 89
    path = write(tmp_path, record)
    assert "S23" not in rules(path)  # off by default (全国, 上海)
    assert severities(path, "S23", profile_file(tmp_path, CAPS)) == [(f"{SE}!H{SE_TOTAL}", "警告")]


@pytest.mark.parametrize(("executed", "scores_off"), [(85000, 0), (75000, 9)])
def test_s23_not_raised_within_the_cap(tmp_path: Path, executed: float, scores_off: float) -> None:
    record = self_evaluation()
    set_funds(record, 100000, executed)
    ind = record.indicators[0]
    ind.score = ind.weight - scores_off  # 75 %: 7.5 + 81 = 88.5 ≤ 89
    ind.deviation_reason = REASON
    assert "S23" not in rules(write(tmp_path, record), profile_file(tmp_path, CAPS))


def test_s24_sichuan_wants_a_reason_below_90_percent(tmp_path: Path) -> None:
    record = self_evaluation()
    set_funds(record, 100000, 85000)
    path = write(tmp_path, record)
    assert "S24" not in rules(path)  # 全国
    assert severities(path, "S24", "四川") == [(f"{SE}!H6", "警告")]


def test_s24_not_raised_at_90_percent_or_with_a_reason(tmp_path: Path) -> None:
    record = self_evaluation()
    set_funds(record, 100000, 90000)
    assert "S24" not in rules(write(tmp_path, record), "四川")
    set_funds(record, 100000, 85000)
    record.funds.total.reason = "部分采购合同跨年支付"
    record.cells = {"funds.total.reason": "J6"}
    assert [f for f in check_record(record, "四川") if f[0] == "S24"] == []


def test_s24_located_at_the_reason_cell_when_the_layout_has_one() -> None:
    record = self_evaluation()
    set_funds(record, 100000, 85000)
    record.cells = {"funds.total.reason": "J6", "funds.total.execution_rate": "H6"}
    assert [f for f in check_record(record, "四川") if f[0] == "S24"] == [
        ("S24", f"{SE}!J6", "警告")
    ]


DEDUCT = "[scoring]\nover_achievement = 1.3\nover_achievement_deduction = 2\n"


def test_s25_over_achievement_not_deducted(tmp_path: Path) -> None:
    record = self_evaluation()
    quantitative(record, "≥6次", "8次", 12)  # 8 ≥ 1.3 × 6, full marks
    path = write(tmp_path, record)
    assert "S25" not in rules(path)
    assert severities(path, "S25", profile_file(tmp_path, DEDUCT)) == [
        (f"{SE}!H{SE_FIRST}", "警告")
    ]


@pytest.mark.parametrize(("actual", "score"), [("8次", 10), ("7次", 12)])
def test_s25_deducted_or_below_the_threshold(tmp_path: Path, actual: str, score: float) -> None:
    record = self_evaluation()
    quantitative(record, "≥6次", actual, score)
    assert "S25" not in rules(write(tmp_path, record), profile_file(tmp_path, DEDUCT))


def test_s11_threshold_1_3_from_a_profile(tmp_path: Path) -> None:
    record = self_evaluation()
    quantitative(record, "≥6次", "7.5次", 12).deviation_reason = None  # 1.25 ×
    path = write(tmp_path, record)
    assert at(path, "S11") == [f"{SE}!I{SE_FIRST}"]
    assert "S11" not in rules(path, profile_file(tmp_path, DEDUCT))


@pytest.mark.parametrize(
    ("profile", "function", "rate", "score"),
    [
        (None, "ROUND", 0.8618, 8.62),  # 86.183 % half-up: 0.8618 → 8.62
        ("上海市级", "ROUNDDOWN", 0.8618, 8.61),
        ("上海区级", "ROUNDUP", 0.8619, 8.62),
    ],
)
def test_template_formulas_follow_the_profile_rounding(
    tmp_path: Path, profile: str | None, function: str, rate: float, score: float
) -> None:
    record = self_evaluation()
    set_funds(record, 100000, 86183)
    chosen = load_profile(profile)
    path = api.write_form(tmp_path / "t.xlsx", record, rows=ROWS, profile=chosen)
    formulas = openpyxl.load_workbook(path)[SE]
    cached = openpyxl.load_workbook(path, data_only=True)[SE]
    assert re.search(rf"\b{function}\(", formulas["H6"].value)
    assert (cached["H6"].value, cached["I6"].value) == (rate, score)
    assert {"S02", "S03"}.isdisjoint(rules(path, chosen))


def test_ceil_rounds_up_the_shanghai_district_figures() -> None:
    from xltools.compute import excel_round

    assert excel_round(0.854619, 4, "ceil") == 0.8547  # 85.4619 % → 85.47 %
    assert excel_round(86.183, 2, "ceil") == 86.19
    assert excel_round(8.55, 2, "ceil") == 8.55  # nothing to round


# -- 7. named profiles ------------------------------------------------------------------------------


def test_shipped_profiles() -> None:
    by_name = {p.name: p for p in named_profiles()}
    assert list(by_name) == ["全国", "上海市级", "上海区级", "四川"]
    assert by_name["全国"].sets() == []
    assert by_name["上海市级"].sets() == ['rounding = "truncate"', 'severity.S07 = "提示"']
    assert by_name["上海区级"].sets() == ['rounding = "ceil"', 'severity.S07 = "提示"']
    assert by_name["四川"].sets() == ["scoring.reason_below_rate = 90", 'wording.weight = "权重"']
    assert by_name["上海区级"].lineage == ("全国", "上海市级", "上海区级")


def test_shanghai_weight_split_is_only_a_note(tmp_path: Path) -> None:
    record = self_evaluation()
    record.indicators[0].weight = record.indicators[0].score = 10  # 产出 48
    record.indicators[4].weight = record.indicators[4].score = 12  # 效益 32
    path = write(tmp_path, record)
    assert {sev for _, sev in severities(path, "S07")} == {"警告"}
    for name in ("上海市级", "上海区级"):
        assert {sev for _, sev in severities(path, "S07", name)} == {"提示"}


def test_sichuan_says_quanzhong(tmp_path: Path) -> None:
    record = self_evaluation()
    record.indicators[2].score = 10  # row 15, 12 points, no reason
    path = write(tmp_path, record)
    [national] = [f.message for f in api.check([path]).findings if f.rule == "S09"]
    [sichuan] = [f.message for f in api.check([path], profile="四川").findings if f.rule == "S09"]
    assert "低于分值(12.00)" in national
    assert "低于权重(12.00)" in sichuan


def test_profile_file_extends_a_named_profile(tmp_path: Path) -> None:
    mine = profile_file(tmp_path, 'extends = "上海市级"\n[grades]\n"优" = 95\n')
    profile = load_profile(mine)
    assert profile.rounding == "truncate"  # from 上海市级
    assert profile.data["severity"]["S07"] == "提示"
    assert profile.grades[0] == ("优", 95)
    assert profile.lineage == ("全国", "上海市级", "profile")
    assert profile.sets() == [
        'rounding = "truncate"',
        "grades.优 = 95",
        'severity.S07 = "提示"',
    ]


@pytest.mark.parametrize(
    ("text", "words"),
    [('extends = "广东"\n', "extends"), ("extends = 3\n", "extends")],
)
def test_profile_extends_an_unknown_profile(tmp_path: Path, text: str, words: str) -> None:
    with pytest.raises(UserError, match=words):
        load_profile(profile_file(tmp_path, text))


def test_unknown_profile_name_lists_the_shipped_ones() -> None:
    with pytest.raises(UserError, match="上海市级"):
        load_profile("广东省")


def test_cli_profile_by_name(tmp_path: Path) -> None:
    record = self_evaluation()
    set_funds(record, 100000, 85000)
    path = write(tmp_path, record)
    runner = CliRunner()
    national = runner.invoke(cli, ["check", str(path), "--format", "json"])
    sichuan = runner.invoke(cli, ["check", str(path), "--format", "json", "--profile", "四川"])
    assert "S24" not in national.output
    assert '"rule": "S24"' in sichuan.output


def test_cli_profiles_lists_name_settings_and_source() -> None:
    result = CliRunner().invoke(cli, ["profiles"])
    assert result.exit_code == 0, result.output
    text = result.output
    for name in ("全国", "上海市级", "上海区级", "四川"):
        assert re.search(rf"^{name}\b", text, re.M), name
    assert 'rounding = "ceil"' in text
    assert "scoring.reason_below_rate = 90" in text
    assert "510000_0013zp" in text  # 四川's source
    assert "财预〔2020〕10号" in text  # 全国's source
    for profile in named_profiles():  # the same source as the code
        for line in profile.sets():
            assert line in text


def test_cli_profiles_help_is_chinese() -> None:
    result = CliRunner().invoke(cli, ["profiles", "--help"])
    assert "示例" in result.output and "内置" in result.output


# -- 7b. the region a layout names (D17, S26) ----------------------------------------------------------


@pytest.mark.parametrize(
    ("rows", "top", "expected"),
    [
        ([["报表编号:510000_0013zp"], [""], ["部门预算项目支出绩效自评表(2023年度)"]], 3, "四川"),
        ([["报表编号：310000_0001"], ["项目支出绩效自评表"]], 2, "上海市级"),
        ([["报表编号:310105_0001"], ["项目支出绩效自评表"]], 2, "上海区级"),
        ([["上海市长宁区财政项目支出绩效自评表"]], 1, "上海区级"),
        ([["四川省财政项目支出绩效目标申报表"]], 1, "四川"),
        ([["报表编号:440000_0001"], ["项目支出绩效自评表"]], 2, None),
        ([["财政项目支出绩效自评表"]], 1, None),
    ],
)
def test_region_detect(rows: list[list[str]], top: int, expected: str | None) -> None:
    hint = region.detect(rows, top)
    assert (hint.profile if hint else None) == expected


def test_s26_sichuan_title_suggests_the_profile(tmp_path: Path) -> None:
    path = type_over(write(tmp_path, self_evaluation()), {"A1": "四川省财政项目支出绩效自评表"})
    assert severities(path, "S26") == [(f"{SE}!A1", "提示")]
    report = api.check([path])
    [hint] = [f for f in report.findings if f.rule == "S26"]
    assert "--profile 四川" in hint.message
    assert "S26" not in rules(path, "四川")  # the user's choice is the one applied


def test_d17_shanghai_district_title(tmp_path: Path) -> None:
    title = "上海市长宁区财政项目支出绩效目标申报表"
    path = type_over(write(tmp_path, declaration()), {"A1": title})
    assert severities(path, "D17") == [(f"{DE}!A1", "提示")]
    assert "D17" not in rules(path, "上海区级")
    mine = profile_file(tmp_path, 'extends = "上海区级"\n')
    assert "D17" not in rules(path, mine)


def test_d17_s26_not_raised_on_a_plain_title(tmp_path: Path) -> None:
    assert {"D17", "S26"}.isdisjoint(rules(write(tmp_path, declaration())))
    assert {"D17", "S26"}.isdisjoint(rules(write(tmp_path, self_evaluation(), "se.xlsx")))


# -- 8. custom indicator frameworks -------------------------------------------------------------------

PROVINCE = """frameworks = ["某省2023"]
[framework."某省2023"]
"成本指标" = ["经济成本指标"]
"产出指标" = ["数量指标", "质量指标", "时效指标", "进度指标"]
"效益指标" = ["社会效益指标", "可持续影响指标"]
"满意度指标" = ["服务对象满意度指标"]
"""


def test_custom_framework_allows_its_own_pairs(tmp_path: Path) -> None:
    record = declaration()
    record.indicators[1].level2 = "进度指标"  # row 15
    path = write(tmp_path, record)
    # Under 全国 进度指标 is a 二级 no framework knows: a warning (R14), not an error.
    assert at(path, "R14") == [f"{DE}!C{DE_FIRST + 1}"]
    assert {"D10", "R14"}.isdisjoint(rules(path, profile_file(tmp_path, PROVINCE)))


def test_custom_framework_rejects_pairs_it_lacks(tmp_path: Path) -> None:
    record = declaration()
    record.indicators[6].level2 = "经济效益指标"  # row 20: national, not in 某省2023
    path = write(tmp_path, record)
    assert "D10" not in rules(path)
    assert at(path, "D10", profile_file(tmp_path, PROVINCE)) == [f"{DE}!C{DE_FIRST + 6}"]


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ('frameworks = ["某省"]\n', "frameworks"),
        ('frameworks = ["某省"]\n[framework."某省"]\n"产出指标" = []\n', "framework.某省.产出指标"),
        ('[framework]\n"某省" = 3\n', "framework.某省"),
    ],
)
def test_bad_custom_framework_names_the_key(tmp_path: Path, text: str, key: str) -> None:
    with pytest.raises(UserError, match=re.escape(key)):
        load_profile(profile_file(tmp_path, text))


def test_clean_examples_raise_no_error() -> None:
    """The shipped examples raise only what a reviewer raises (closing note of issue 12)."""
    report = api.check([Path(api.__file__).parent.parent / "examples"])
    clean_examples = [fr for fr in report.files if "含错误" not in fr.file]
    assert {f.rule for fr in clean_examples for f in fr.findings if f.severity == "错误"} == set()


# -- S02 with amounts in 万元 (the seed variant fixture's 61.53 / 72.00 printed 85.47 %) ----------


@pytest.mark.parametrize(("rate", "raised"), [(0.8547, False), (0.8546, False), (0.8549, True)])
def test_s02_allows_for_amounts_rounded_to_the_cent(
    tmp_path: Path, rate: float, raised: bool
) -> None:
    record = self_evaluation()
    record.money_unit = "万元"
    set_funds(record, 72.0, 61.53)  # 85.458 %; 61.535 / 71.995 = 85.471 %
    path = type_over(write(tmp_path, record), {"H6": rate, "I6": 8.55})
    assert at(path, "S02") == ([f"{SE}!H6"] if raised else [])
