"""``prefill`` and ``check --declarations`` (issue 6).

* ``prefill``: a 自评表 for each 申报表 carrying its names, year, indicators, targets and
  年初预算数, with 分值 suggested by the profile and nothing else filled in.
* X01–X05: a self-evaluation checked against its approved declaration, matched by
  (实施单位, 项目名称) whatever the whitespace and full-/half-width spelling; each rule is
  raised once and left silent once (test names test_x01_… for test_rules' catalogue check).
* The property of the issue: prefill, fill in actuals meeting every target with full scores
  → no finding at all; one change → exactly its X rule at its cell.
* Scoring help: the computed score of each quantitative indicator in check's JSON and in
  the annotated copy's comments.

Expected values come from the seed JSON (examples/data, transcribed by hand from the real
forms), from the layout of our 自评表 written down below, and from numbers worked out by hand
in the comments — never from running the code under test.

自评表 cells: B3 项目名称, B4 主管部门, F4 实施单位, row 6 年度资金总额 (D 年初预算数, E 全年预算数,
F 全年执行数, G 分值), rows 7–9 当年财政拨款/上年结转资金/其他资金, B11 预期目标, F11 实际完成情况,
B12 the indicator header, indicators from row 13 (D 三级指标, E 年度指标值, H 得分).
"""

from __future__ import annotations

import copy
import json
import re
from decimal import Decimal
from pathlib import Path
from tempfile import TemporaryDirectory

import openpyxl
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from testkit.error_free import batch_declarations
from xltools import api
from xltools.cli import cli
from xltools.model import (
    Declaration,
    DeclarationFunds,
    Indicator,
    Record,
    SelfEvaluation,
    from_dict,
)
from xltools.profiles import load_profile
from xltools.write.prefill import suggest_weights

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "examples" / "data"
SEEDS = ROOT / "tests" / "fixtures" / "seeds"
SE = "自评表"
FIRST = 13  # first indicator row of our 自评表
HEADER = f"{SE}!B12"  # where X02 points: the indicator table
FUNDS_ROWS = ("total", "current_appropriation", "carryover", "other")
WINDOWS_FORBIDDEN = re.compile(r'[<>:"/\\|?*\x00-\x1f]')
WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL"} | {
    f"{p}{i}" for p in ("COM", "LPT") for i in range(10)
}

DECLARATION_FILES = ("seed002_declarations_2025", "seed000_declarations_2022")
SEED = {
    d["project_name"]: d
    for stem in DECLARATION_FILES
    for d in json.loads((DATA / f"{stem}.json").read_text("utf-8"))
}

# 分值 per project, worked out by hand from the seed JSON's indicators and the default
# profile (产出 50, 效益 30, 满意度 10, funds 10; 2021 成本指标 counted with 产出; split evenly
# in cents, the first indicators of a 一级 taking the leftover cents).
SEED_WEIGHTS = {
    # 成本 + 3 产出 share 50 → 12.50 each; 2 效益 → 15; 1 满意度 → 10.
    "社区医疗互助帮困补助经费": [12.5, 12.5, 12.5, 12.5, 15.0, 15.0, 10.0],
    # 成本 + 5 产出: 5000 cents / 6 = 833 r 2 → 8.34, 8.34, then 8.33 × 4.
    "信息系统维护经费": [8.34, 8.34, 8.33, 8.33, 8.33, 8.33, 15.0, 15.0, 10.0],
    # 成本 + 4 产出 → 10 each.
    "公共服务窗口运行经费": [10.0, 10.0, 10.0, 10.0, 10.0, 15.0, 15.0, 10.0],
    # 10 产出 → 5 each; 1 效益 → 30; 1 满意度 → 10.
    "12393服务热线智能咨询平台项目经费": [5.0] * 10 + [30.0, 10.0],
    # 5 产出 (one of them the 2015 产出/成本指标) → 10; 2 效益 → 15; 2 满意度 → 5.
    "医保服务点日常经费补贴": [10.0] * 5 + [15.0, 15.0, 5.0, 5.0],
    # 17 产出: 5000 / 17 = 294 r 2 → 2.95, 2.95, then 2.94 × 15; 2 效益 → 15; 2 满意度 → 5.
    "医疗保障费用审核结算系统-运维": [2.95, 2.95] + [2.94] * 15 + [15.0, 15.0, 5.0, 5.0],
}

PROPERTY_SETTINGS = settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


# -- helpers -------------------------------------------------------------------------------------


def seed_declaration(name: str) -> Declaration:
    """A fresh copy of a seed 申报表 (seed 002 or 000) as a record."""
    record = from_dict(copy.deepcopy(SEED[name]))
    assert isinstance(record, Declaration)
    return record


def read_one(path: Path) -> Record:
    [result] = api.read([path])
    [record] = result.records
    return record


def prefill_one(tmp: Path, declaration: Declaration, **options) -> tuple[Path, Path]:
    """The declaration written into our 申报表, and the 自评表 prefilled from it."""
    decl_path = api.write_form(tmp / "申报表" / "申报表.xlsx", declaration)
    result = api.prefill([decl_path], tmp / "自评表", **options)
    [written] = result.written
    assert result.problems == []
    return decl_path, written


_QUANTITATIVE = re.compile(r"^(?:>=|<=|≥|≤|>|<|=)?(\d+(?:\.\d+)?\D*)$")


def meeting(target: str | None) -> str:
    """An actual that meets ``target`` exactly (its number and unit), 达成指标 for words."""
    m = _QUANTITATIVE.match(target or "")
    return m.group(1) if m else "达成指标"


def fill(record: SelfEvaluation) -> SelfEvaluation:
    """What the department adds to a prefilled 自评表: every target met with full marks,
    the year's budget (as planned) all spent, and the 实际完成情况."""
    for ind in record.indicators:
        ind.actual, ind.score, ind.deviation_reason = meeting(ind.target), ind.weight, None
    for name in FUNDS_ROWS:
        row = getattr(record.funds, name)
        if row.initial_budget is not None:
            row.adjusted_budget = row.executed = row.initial_budget
    record.actual_result = "已按计划完成全部年度目标。"
    return record


def prefilled_and_filled(tmp: Path, declaration: Declaration) -> tuple[Path, SelfEvaluation]:
    decl_path, prefilled = prefill_one(tmp, declaration)
    record = read_one(prefilled)
    assert isinstance(record, SelfEvaluation)
    return decl_path, fill(record)


def findings(
    tmp: Path, record: SelfEvaluation, declarations: list[Path], **options
) -> set[tuple[str, str]]:
    """(rule, sheet!cell) of every finding of ``record`` checked against ``declarations``."""
    path = api.write_form(tmp / "填好的自评表.xlsx", record, force=True)
    report = api.check([path], declarations=declarations, **options)
    return {(f.rule, f.location) for f in report.findings}


def clean(tmp: Path, name: str = "信息系统维护经费") -> tuple[Path, SelfEvaluation]:
    """A seed declaration and its prefilled, correctly filled 自评表 (no finding at all)."""
    return prefilled_and_filled(tmp, seed_declaration(name))


def cents(value: float | None) -> int:
    return int(Decimal(str(value)) * 100)


def profile_file(tmp: Path, text: str) -> Path:
    path = tmp / "配置.toml"
    path.write_text(text, "utf-8")
    return path


# -- suggested weights -----------------------------------------------------------------------------


def levels(*level1s: str) -> list[Indicator]:
    return [Indicator(level1, None, f"指标{i}", "及时") for i, level1 in enumerate(level1s)]


def test_weights_three_output_indicators_split_16_67_16_67_16_66() -> None:
    # 产出 50 in 3 → 5000 cents = 1667 + 1667 + 1666; 效益 30; 满意度 10.
    weights = suggest_weights(
        levels("产出指标", "产出指标", "产出指标", "效益指标", "满意度指标"), load_profile()
    )
    assert weights == [16.67, 16.67, 16.66, 30.0, 10.0]


def test_weights_split_inside_each_level1_whatever_the_order() -> None:
    # 效益 30 in 2 → 15; 产出 50 in 2 → 25; 满意度 10 in 3 → 3.34, 3.33, 3.33.
    indicators = levels(
        "效益指标", "满意度指标", "产出指标", "满意度指标", "效益指标", "产出指标", "满意度指标"
    )
    assert suggest_weights(indicators, load_profile()) == [15.0, 3.34, 25.0, 3.33, 15.0, 25.0, 3.33]


def test_weights_2021_cost_indicator_counted_with_output() -> None:
    # The 2021 一级 成本指标 belongs to 产出's 50: 成本 + 2 产出 → 16.67, 16.67, 16.66.
    weights = suggest_weights(
        levels("成本指标", "产出指标", "产出指标", "效益指标", "满意度指标"), load_profile()
    )
    assert weights == [16.67, 16.67, 16.66, 30.0, 10.0]


def test_weights_2015_cost_indicator_is_an_output_indicator() -> None:
    indicators = levels("产出指标", "产出指标", "效益指标", "满意度指标")
    indicators[1].level2 = "成本指标"  # 2015: 产出指标 / 成本指标
    assert suggest_weights(indicators, load_profile()) == [25.0, 25.0, 30.0, 10.0]


def test_weights_profile_gives_cost_its_own_weight(tmp_path: Path) -> None:
    profile = load_profile(
        profile_file(
            tmp_path,
            '[weights]\ncost_counts_as = "成本指标"\n"产出指标" = 40\n"成本指标" = 10\n',
        )
    )
    # 成本 10 on its own; 产出 40 in 5 → 8 each; 效益 15, 15; 满意度 10.
    weights = suggest_weights(seed_declaration("信息系统维护经费").indicators, profile)
    assert weights == [10.0, 8.0, 8.0, 8.0, 8.0, 8.0, 15.0, 15.0, 10.0]


def test_weights_profile_cost_weight_agrees_with_check(tmp_path: Path) -> None:
    """A form prefilled under a profile passes check (S07 included) under the same profile."""
    config = profile_file(
        tmp_path, '[weights]\ncost_counts_as = "成本指标"\n"产出指标" = 40\n"成本指标" = 10\n'
    )
    decl_path, prefilled = prefill_one(
        tmp_path, seed_declaration("信息系统维护经费"), profile=config
    )
    record = read_one(prefilled)
    assert [i.weight for i in record.indicators] == [
        10.0,
        8.0,
        8.0,
        8.0,
        8.0,
        8.0,
        15.0,
        15.0,
        10.0,
    ]
    assert findings(tmp_path, fill(record), [decl_path], profile=config) == set()


def test_weights_missing_level1_shares_the_90_points() -> None:
    # No 满意度指标: 产出 and 效益 share 90 as 50 : 30 → 56.25 and 33.75, so the form still
    # adds up to 100; 产出 5625 cents in 2 → 28.13, 28.12.
    weights = suggest_weights(levels("产出指标", "效益指标", "产出指标"), load_profile())
    assert weights == [28.13, 33.75, 28.12]


def test_weights_no_indicators() -> None:
    assert suggest_weights([], load_profile()) == []


LEVEL1S = ("产出指标", "效益指标", "满意度指标", "成本指标")


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(LEVEL1S), min_size=1, max_size=60))
def test_weights_property_sum_exactly_100_with_funds_row(level1s: list[str]) -> None:
    weights = suggest_weights(levels(*level1s), load_profile())
    exact = [Decimal(str(w)) for w in weights]
    assert all(d == d.quantize(Decimal("0.01")) and d >= 0 for d in exact)  # cents, never < 0
    assert sum(exact) + Decimal(10) == Decimal("100.00")
    buckets: dict[str, list[Decimal]] = {}
    for level1, d in zip(level1s, exact, strict=True):
        buckets.setdefault("产出指标" if level1 == "成本指标" else level1, []).append(d)
    for parts in buckets.values():  # split evenly: larger parts first, one cent apart at most
        assert parts == sorted(parts, reverse=True)
        assert parts[0] - parts[-1] <= Decimal("0.01")
    if len(buckets) == 3:  # all of 产出, 效益, 满意度 present: exactly the profile's points
        assert {k: sum(v) for k, v in buckets.items()} == {
            "产出指标": 50,
            "效益指标": 30,
            "满意度指标": 10,
        }


# -- the prefilled 自评表 ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(SEED_WEIGHTS))
def test_prefill_copies_every_declared_field(tmp_path: Path, name: str) -> None:
    seed = SEED[name]
    _, prefilled = prefill_one(tmp_path, seed_declaration(name))
    [result] = api.read([prefilled])
    assert result.findings == []
    [record] = result.records
    assert isinstance(record, SelfEvaluation)
    assert (record.year, record.project_name, record.department, record.implementing_unit) == (
        seed["year"],
        seed["project_name"],
        seed["department"],
        seed["implementing_unit"],
    )
    assert record.money_unit == seed["money_unit"] == "元"
    assert record.expected_goal == seed["annual_goal"]
    funds = seed["funds"]
    assert [getattr(record.funds, row).initial_budget for row in FUNDS_ROWS] == [
        funds["annual_total"],
        funds["current_appropriation"],
        funds["carryover"],
        funds["annual_other_funds"],
    ]
    assert [(i.level1, i.level2, i.name, i.target) for i in record.indicators] == [
        (i["level1"], i["level2"], i["name"], i["target"]) for i in seed["indicators"]
    ]
    assert [i.row for i in record.indicators] == list(range(FIRST, FIRST + len(seed["indicators"])))
    assert [i.weight for i in record.indicators] == SEED_WEIGHTS[name]
    assert record.funds.total.weight == 10
    total = sum(Decimal(str(i.weight)) for i in record.indicators) + Decimal(
        str(record.funds.total.weight)
    )
    assert total == Decimal("100.00")


@pytest.mark.parametrize("name", sorted(SEED_WEIGHTS))
def test_prefill_leaves_the_departments_part_blank(tmp_path: Path, name: str) -> None:
    _, prefilled = prefill_one(tmp_path, seed_declaration(name))
    record = read_one(prefilled)
    assert isinstance(record, SelfEvaluation)
    assert [(i.actual, i.score, i.deviation_reason) for i in record.indicators] == [
        (None, None, None)
    ] * len(SEED[name]["indicators"])
    for row in FUNDS_ROWS:
        assert getattr(record.funds, row).adjusted_budget is None
        assert getattr(record.funds, row).executed is None
    assert record.funds.total.execution_rate is None
    assert record.funds.total.score is None
    assert record.actual_result is None
    assert record.total_score is None
    assert record.grade is None


def test_prefill_keeps_the_declarations_money_unit(tmp_path: Path) -> None:
    declaration = seed_declaration("信息系统维护经费")
    declaration.money_unit = "万元"
    declaration.funds = DeclarationFunds(
        annual_total=10.5, current_appropriation=10.0, carryover=0.5, annual_other_funds=0.0
    )
    _, prefilled = prefill_one(tmp_path, declaration)
    record = read_one(prefilled)
    assert record.money_unit == "万元"
    assert [getattr(record.funds, row).initial_budget for row in FUNDS_ROWS] == [
        10.5,
        10.0,
        0.5,
        0.0,
    ]


def test_prefill_one_file_per_declaration_of_a_workbook(tmp_path: Path) -> None:
    """Declarations with many 申报表 in one workbook (seed 002: one sheet, three forms)."""
    result = api.prefill([SEEDS / "seed002_declarations_2025.xlsx"], tmp_path)
    assert sorted(p.name for p in result.written) == [
        "自评表_信息系统维护经费.xlsx",
        "自评表_公共服务窗口运行经费.xlsx",
        "自评表_社区医疗互助帮困补助经费.xlsx",
    ]


def test_prefill_names_are_safe_on_windows(tmp_path: Path) -> None:
    names = {
        "医疗保障费用审核结算系统/运维": "自评表_医疗保障费用审核结算系统_运维.xlsx",
        'A<B>C:D"E|F?G*H\\I': "自评表_A_B_C_D_E_F_G_H_I.xlsx",
        "末尾有点和空格. ": "自评表_末尾有点和空格.xlsx",
        "CON": "自评表_CON.xlsx",
        # 80 characters at most before .xlsx: "自评表_" and the first 76 of the name.
        "很长的项目名称" * 30: "自评表_" + ("很长的项目名称" * 30)[:76] + ".xlsx",
    }
    folder = tmp_path / "申报表"
    for i, name in enumerate([*names, "医疗保障费用审核结算系统/运维"]):  # the first one twice
        declaration = seed_declaration("信息系统维护经费")
        declaration.project_name = name
        api.write_form(folder / f"申报表{i}.xlsx", declaration)
    result = api.prefill([folder], tmp_path / "自评表")
    written = sorted(p.name for p in result.written)
    expected = sorted([*names.values(), "自评表_医疗保障费用审核结算系统_运维(2).xlsx"])
    assert written == expected
    for path in result.written:
        stem = path.name.removesuffix(".xlsx")
        assert not WINDOWS_FORBIDDEN.search(path.name)
        assert not stem.endswith((" ", "."))
        assert stem.split(".")[0].upper() not in WINDOWS_RESERVED
        assert path.parent == tmp_path / "自评表"
    by_file = {p.name: read_one(p).project_name for p in result.written}
    assert (
        by_file["自评表_A_B_C_D_E_F_G_H_I.xlsx"] == 'A<B>C:D"E|F?G*H\\I'
    )  # the name itself is kept


def test_prefill_does_not_overwrite_without_force(tmp_path: Path) -> None:
    from xltools.errors import UserError

    declaration = seed_declaration("信息系统维护经费")
    _, prefilled = prefill_one(tmp_path, declaration)
    before = prefilled.read_bytes()
    with pytest.raises(UserError, match=r"已存在.*--force"):
        api.prefill([tmp_path / "申报表"], tmp_path / "自评表")
    assert prefilled.read_bytes() == before
    again = api.prefill([tmp_path / "申报表"], tmp_path / "自评表", force=True)
    assert again.written == [prefilled]


def test_prefill_skips_a_workbook_without_declarations(tmp_path: Path) -> None:
    decl_path, prefilled = prefill_one(tmp_path, seed_declaration("信息系统维护经费"))
    result = api.prefill([decl_path, prefilled], tmp_path / "再次预填")
    assert [p.name for p in result.written] == ["自评表_信息系统维护经费.xlsx"]
    assert len(result.problems) == 1
    assert prefilled.name in result.problems[0] and "没有申报表" in result.problems[0]


# -- the command line --------------------------------------------------------------------------------


def test_cli_prefill_help_is_chinese_with_examples() -> None:
    result = CliRunner().invoke(cli, ["prefill", "--help"])
    assert result.exit_code == 0
    assert "用法：" in result.output and "选项：" in result.output
    assert "示例" in result.output and "xltools prefill 申报表/ -o 自评表/" in result.output
    assert "由申报表生成预填的自评表" in result.output
    for english in ("Usage:", "Options:", "Show this message"):
        assert english not in result.output


def test_cli_prefill_writes_and_refuses_to_overwrite(tmp_path: Path, run_main) -> None:
    decl_path = api.write_form(tmp_path / "申报表.xlsx", seed_declaration("公共服务窗口运行经费"))
    out = tmp_path / "自评表"
    first = run_main("prefill", str(decl_path), "-o", str(out))
    assert first.code == 0
    assert "已生成 1 份预填的自评表" in first.out
    written = out / "自评表_公共服务窗口运行经费.xlsx"
    before = written.read_bytes()
    second = run_main("prefill", str(decl_path), "-o", str(out))
    assert second.code == 2
    assert "已存在" in second.err and "--force" in second.err
    assert written.read_bytes() == before
    third = run_main("prefill", str(decl_path), "-o", str(out), "--force")
    assert third.code == 0
    assert read_one(written).project_name == "公共服务窗口运行经费"


def test_cli_prefill_needs_an_output_folder(tmp_path: Path, run_main) -> None:
    decl_path = api.write_form(tmp_path / "申报表.xlsx", seed_declaration("公共服务窗口运行经费"))
    outcome = run_main("prefill", str(decl_path))
    assert outcome.code == 2
    assert "-o" in outcome.err
    assert not (tmp_path / "自评表_公共服务窗口运行经费.xlsx").exists()


def test_cli_prefill_without_any_declaration_exits_1(tmp_path: Path, run_main) -> None:
    _, prefilled = prefill_one(tmp_path, seed_declaration("信息系统维护经费"))
    outcome = run_main("prefill", str(prefilled), "-o", str(tmp_path / "空"))
    assert outcome.code == 1
    assert "没有申报表" in outcome.err
    assert "已生成 0 份" in outcome.out


# -- foreign layouts -----------------------------------------------------------------------------------


FOREIGN = [
    pytest.param(
        SEEDS / f"{stem}.{ext}",
        stem,
        marks=pytest.mark.skipif(
            not (SEEDS / f"{stem}.{ext}").exists(), reason="fixture not built (no LibreOffice)"
        ),
        id=f"{stem}.{ext}",
    )
    for stem in DECLARATION_FILES
    for ext in ("xlsx", "xls")
]


@pytest.mark.parametrize(("path", "stem"), FOREIGN)
def test_prefill_from_foreign_layout_declarations(tmp_path: Path, path: Path, stem: str) -> None:
    """The seed forms as other people drew them (tests/fixtures/seeds, no xltools stamp)."""
    seeds = json.loads((DATA / f"{stem}.json").read_text("utf-8"))
    result = api.prefill([path], tmp_path)
    assert result.problems == []
    records = {r.project_name: r for r in (read_one(p) for p in result.written)}
    assert sorted(records) == sorted(d["project_name"] for d in seeds)
    for seed in seeds:
        record = records[seed["project_name"]]
        assert (record.year, record.department, record.implementing_unit) == (
            seed["year"],
            seed["department"],
            seed["implementing_unit"],
        )
        assert record.expected_goal == seed["annual_goal"]
        assert record.funds.total.initial_budget == seed["funds"]["annual_total"]
        assert [(i.level1, i.level2, i.name, i.target) for i in record.indicators] == [
            (i["level1"], i["level2"], i["name"], i["target"]) for i in seed["indicators"]
        ]
        assert [i.weight for i in record.indicators] == SEED_WEIGHTS[seed["project_name"]]


@pytest.mark.parametrize(("path", "stem"), FOREIGN)
def test_prefilled_from_foreign_layout_then_filled_passes_check(
    tmp_path: Path, path: Path, stem: str
) -> None:
    result = api.prefill([path], tmp_path / "自评表")
    for prefilled in result.written:
        record = read_one(prefilled)
        assert isinstance(record, SelfEvaluation)
        assert findings(tmp_path, fill(record), [path]) == set(), record.project_name


# -- the property of the issue --------------------------------------------------------------------------


def changed_target(target: str) -> str:
    """Another target the same actual still meets in full and does not over-achieve
    (so no S rule fires): ≥/>/≤/< T → =T; =T or T → ≥T; words get a remark."""
    m = re.match(r"^(>=|<=|≥|≤|>|<|=|＞＝)?(\d.*)$", target)
    if m is None:
        return f"{target}（调整后）"
    return ("≥" if m.group(1) in (None, "=") else "=") + m.group(2)


def bucket(ind: Indicator) -> str:
    return "产出指标" if ind.level1 == "成本指标" else str(ind.level1)


@PROPERTY_SETTINGS
@given(batch_declarations())
def test_property_prefilled_and_filled_has_no_findings(declaration: Declaration) -> None:
    with TemporaryDirectory() as tmp:
        decl_path, record = prefilled_and_filled(Path(tmp), declaration)
        assert findings(Path(tmp), record, [decl_path]) == set()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(batch_declarations(), st.sampled_from(("X01", "X02", "X03", "X04", "X05")), st.data())
def test_property_one_change_gives_exactly_its_x_rule(
    declaration: Declaration, rule: str, data: st.DataObject
) -> None:
    with TemporaryDirectory() as tmp:
        decl_path, record = prefilled_and_filled(Path(tmp), declaration)
        inds = record.indicators
        if rule == "X01":  # change one 年度指标值
            i = data.draw(st.integers(0, len(inds) - 1))
            inds[i].target = changed_target(str(inds[i].target))
            where = f"{SE}!E{FIRST + i}"
        elif rule == "X02":  # delete one indicator; its points go to another of its 一级 (S06/S07)
            i = data.draw(
                st.sampled_from(
                    [
                        k
                        for k, ind in enumerate(inds)
                        if any(bucket(o) == bucket(ind) for o in inds if o is not ind)
                    ]
                )
            )
            gone = inds.pop(i)
            heir = next(o for o in inds if bucket(o) == bucket(gone))
            heir.weight = heir.score = (cents(heir.weight) + cents(gone.weight)) / 100
            where = HEADER
        elif rule == "X03":  # add an undeclared indicator, half of another one's points
            donor = data.draw(st.sampled_from([o for o in inds if cents(o.weight) >= 2]))
            half = cents(donor.weight) // 2
            donor.weight = donor.score = (cents(donor.weight) - half) / 100
            inds.append(
                Indicator(
                    donor.level1,
                    donor.level2,
                    "未申报的新增指标",
                    "及时",
                    "达成指标",
                    half / 100,
                    half / 100,
                )
            )
            where = f"{SE}!D{FIRST + len(inds) - 1}"
        elif rule == "X04":  # 年初预算数 one unit off (the total and its part, so S04 holds)
            for row in (record.funds.total, record.funds.current_appropriation):
                row.initial_budget = float(Decimal(str(row.initial_budget)) + 1)
            where = f"{SE}!D6"
        else:  # a project that was never declared
            record.project_name = f"{record.project_name}（未申报）"
            where = f"{SE}!B3"
        assert findings(Path(tmp), record, [decl_path]) == {(rule, where)}


# -- X01 -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("index", "target"),
    [
        (1, "≥11.00(次)"),  # 维保次数 ≥12.00(次): another number (12 < 1.2 × 11, no S11)
        (8, "≥90.00(人)"),  # 服务对象满意度 ≥90.00(%): another unit
        (2, "按时"),  # 排除硬件故障次数 按实: other words
    ],
)
def test_x01_changed_target_is_raised_at_its_cell(tmp_path: Path, index: int, target: str) -> None:
    decl_path, record = clean(tmp_path)
    declared = record.indicators[index].target
    record.indicators[index].target = target
    path = api.write_form(tmp_path / "自评表.xlsx", record)
    report = api.check([path], declarations=[decl_path])
    assert [(f.rule, f.severity, f.location) for f in report.findings] == [
        ("X01", "错误", f"{SE}!E{FIRST + index}")
    ]
    [finding] = report.findings
    assert (finding.value, finding.expected) == (target, declared)
    assert report.exit_code() == 1


@pytest.mark.parametrize(
    "target",
    ["≥90%", "≥ 90.00 (%)", "＞＝９０％", ">=90.0%", "≥90.00（%）"],
)
def test_x01_not_raised_for_the_same_target_written_otherwise(tmp_path: Path, target: str) -> None:
    decl_path, record = clean(tmp_path)  # 服务对象满意度 declared ≥90.00(%)
    record.indicators[8].target = target
    assert findings(tmp_path, record, [decl_path]) == set()


def test_x01_not_raised_for_equal_with_or_without_its_sign(tmp_path: Path) -> None:
    declaration = seed_declaration("社区医疗互助帮困补助经费")  # row 15: 补助补贴准确率 =100.00(%)
    decl_path, record = prefilled_and_filled(tmp_path, declaration)
    assert record.indicators[2].target == "=100.00(%)"
    record.indicators[2].target = "100%"
    assert findings(tmp_path, record, [decl_path]) == set()


def test_x01_uses_the_declaration_of_the_same_year(tmp_path: Path) -> None:
    decl_path, record = clean(tmp_path)  # 2025
    older = seed_declaration("信息系统维护经费")
    older.year = 2024
    older.indicators[1].target = "≥6.00(次)"
    older_path = api.write_form(tmp_path / "申报表2024.xlsx", older)
    assert findings(tmp_path, record, [older_path, decl_path]) == set()
    record.year = 2024  # the 2024 self-evaluation is held to the 2024 targets
    assert findings(tmp_path, record, [older_path, decl_path]) == {("X01", f"{SE}!E{FIRST + 1}")}


# -- X02 -----------------------------------------------------------------------------------------------


def test_x02_missing_declared_indicator(tmp_path: Path) -> None:
    decl_path, record = clean(tmp_path)
    gone = record.indicators.pop(3)  # 产出/质量 排除软件故障次数 (8.33): its points to row 15
    record.indicators[2].weight = record.indicators[2].score = 16.66
    path = api.write_form(tmp_path / "自评表.xlsx", record)
    report = api.check([path], declarations=[decl_path])
    assert [(f.rule, f.severity, f.location) for f in report.findings] == [("X02", "错误", HEADER)]
    assert gone.name == "排除软件故障次数"
    assert "排除软件故障次数" in report.findings[0].message
    assert report.findings[0].expected == "排除软件故障次数"


def test_x02_not_raised_when_indicators_are_reordered(tmp_path: Path) -> None:
    decl_path, record = clean(tmp_path)
    inds = record.indicators
    inds[6], inds[7] = inds[7], inds[6]  # the two 效益指标
    inds[2], inds[3] = inds[3], inds[2]  # the two 产出/质量指标
    assert findings(tmp_path, record, [decl_path]) == set()


def test_x02_x03_not_raised_for_a_name_in_full_width_or_spaced(tmp_path: Path) -> None:
    decl_path, record = clean(tmp_path)
    # Declared "提高信息系统可用性及稳定性, 保障日常工作顺利开展" (half-width comma, a space).
    record.indicators[6].name = "提高信息系统可用性及稳定性，保障日常工作顺利开展"
    record.indicators[8].name = "服务对象　满意度"  # a full-width space
    assert findings(tmp_path, record, [decl_path]) == set()


# -- X03 -----------------------------------------------------------------------------------------------


def test_x03_undeclared_indicator(tmp_path: Path) -> None:
    decl_path, record = clean(tmp_path)
    record.indicators[6].weight = record.indicators[6].score = 7.5  # 效益 15 → 7.5 + 7.5
    record.indicators.append(
        Indicator("效益指标", "社会效益指标", "群众办事便利度", "提升", "达成指标", 7.5, 7.5)
    )
    path = api.write_form(tmp_path / "自评表.xlsx", record)
    report = api.check([path], declarations=[decl_path])
    assert [(f.rule, f.severity, f.location) for f in report.findings] == [
        ("X03", "警告", f"{SE}!D{FIRST + 9}")
    ]
    assert report.findings[0].value == "群众办事便利度"
    assert report.exit_code() == 0 and report.exit_code(strict=True) == 1


def test_x03_not_raised_for_declared_indicators(tmp_path: Path) -> None:
    decl_path, record = clean(tmp_path, "公共服务窗口运行经费")
    assert findings(tmp_path, record, [decl_path]) == set()


# -- X04 -----------------------------------------------------------------------------------------------


def test_x04_initial_budget_differs_from_declared_total(tmp_path: Path) -> None:
    decl_path, record = clean(tmp_path)  # declared 年度资金申请总额 100,000
    record.funds.total.initial_budget = 90000.0
    record.funds.current_appropriation.initial_budget = 90000.0  # parts still add up (no S04)
    path = api.write_form(tmp_path / "自评表.xlsx", record)
    report = api.check([path], declarations=[decl_path])
    assert [(f.rule, f.severity, f.location) for f in report.findings] == [
        ("X04", "警告", f"{SE}!D6")
    ]
    assert (report.findings[0].value, report.findings[0].expected) == (90000.0, 100000.0)


def test_x04_not_raised_within_tolerance(tmp_path: Path) -> None:
    decl_path, record = clean(tmp_path)
    record.funds.total.initial_budget = 100000.01  # tolerance 0.01 (default profile)
    record.funds.current_appropriation.initial_budget = 100000.01
    assert findings(tmp_path, record, [decl_path]) == set()


def test_x04_not_raised_for_the_same_amount_in_another_unit(tmp_path: Path) -> None:
    declaration = seed_declaration("信息系统维护经费")
    declaration.money_unit = "万元"
    declaration.funds = DeclarationFunds(
        annual_total=10.0, current_appropriation=10.0, carryover=0.0, annual_other_funds=0.0
    )
    decl_path, record = prefilled_and_filled(tmp_path, declaration)
    assert record.money_unit == "万元"
    record.money_unit = "元"  # the department reports in 元: 10 万元 = 100,000 元
    for row in FUNDS_ROWS:
        funds = getattr(record.funds, row)
        for key in ("initial_budget", "adjusted_budget", "executed"):
            setattr(funds, key, getattr(funds, key) * 10000)
    assert findings(tmp_path, record, [decl_path]) == set()
    record.funds.total.initial_budget = record.funds.current_appropriation.initial_budget = 10.0
    assert findings(tmp_path, record, [decl_path]) == {("X04", f"{SE}!D6")}  # 10 元 ≠ 10 万元


# -- X05 -----------------------------------------------------------------------------------------------


def test_x05_no_matching_declaration_is_a_warning_not_a_crash(tmp_path: Path) -> None:
    decl_path, record = clean(tmp_path)
    record.project_name = "信息系统维护经费（二期）"
    path = api.write_form(tmp_path / "自评表.xlsx", record)
    report = api.check([path], declarations=[decl_path])
    assert [(f.rule, f.severity, f.location) for f in report.findings] == [
        ("X05", "警告", f"{SE}!B3")
    ]
    assert "信息系统维护经费（二期）" in report.findings[0].message
    assert report.exit_code() == 0


def test_x05_other_implementing_unit_is_another_project(tmp_path: Path) -> None:
    decl_path, record = clean(tmp_path)
    record.implementing_unit = "上海市医疗保险事业管理中心"
    assert findings(tmp_path, record, [decl_path]) == {("X05", f"{SE}!B3")}


def test_x05_declarations_folder_without_any_declaration(tmp_path: Path) -> None:
    _, record = clean(tmp_path)
    others = tmp_path / "不是申报表"
    api.write_form(others / "另一张自评表.xlsx", record)
    assert findings(tmp_path, record, [others]) == {("X05", f"{SE}!B3")}


def test_x05_not_raised_when_names_differ_in_whitespace_and_width(tmp_path: Path) -> None:
    declaration = seed_declaration("信息系统维护经费")
    declaration.project_name = "ABC信息系统维护经费"
    decl_path, record = prefilled_and_filled(tmp_path, declaration)
    record.project_name = "ＡＢＣ信息系统　维护经费"  # full-width letters and space
    record.implementing_unit = "上海市长宁区 医疗保险事务中心"
    assert findings(tmp_path, record, [decl_path]) == set()


def test_x05_not_raised_for_declarations_from_foreign_layouts(tmp_path: Path) -> None:
    path = SEEDS / "seed002_declarations_2025.xlsx"
    _, record = clean(tmp_path, "公共服务窗口运行经费")
    assert findings(tmp_path, record, [path]) == set()


def test_x_rules_only_with_declarations(tmp_path: Path) -> None:
    _, record = clean(tmp_path)
    record.project_name = "没有申报表的项目"
    path = api.write_form(tmp_path / "自评表.xlsx", record)
    assert api.check([path]).findings == []


def test_cli_check_declarations(tmp_path: Path, run_main) -> None:
    decl_path, record = clean(tmp_path)
    record.indicators[1].target = "≥11.00(次)"
    path = api.write_form(tmp_path / "自评表.xlsx", record)
    outcome = run_main("check", str(path), "--declarations", str(decl_path), "--format", "json")
    assert outcome.code == 1
    [file] = json.loads(outcome.out)["files"]
    assert [(f["rule"], f["location"], f["expected"]) for f in file["findings"]] == [
        ("X01", f"{SE}!E{FIRST + 1}", "≥12.00(次)")
    ]


def test_cli_check_unreadable_declarations_are_reported_not_skipped(
    tmp_path: Path, run_main
) -> None:
    """A mistyped --declarations path is an unreadable input (R01, exit 3), not just X05."""
    _, record = clean(tmp_path)
    path = api.write_form(tmp_path / "自评表.xlsx", record)
    missing = tmp_path / "没有这个文件.xlsx"
    outcome = run_main("check", str(path), "--declarations", str(missing), "--format", "json")
    assert outcome.code == 3
    found = {
        (f["rule"], Path(f["file"]).name)
        for file in json.loads(outcome.out)["files"]
        for f in file["findings"]
    }
    assert found == {("R01", "没有这个文件.xlsx"), ("X05", "自评表.xlsx")}


def test_cli_check_empty_declarations_folder(tmp_path: Path, run_main) -> None:
    _, record = clean(tmp_path)
    path = api.write_form(tmp_path / "自评表.xlsx", record)
    (tmp_path / "空文件夹").mkdir()
    outcome = run_main("check", str(path), "--declarations", str(tmp_path / "空文件夹"))
    assert outcome.code == 2
    assert "申报表" in outcome.err


# -- scoring help -----------------------------------------------------------------------------------------


def scored_self_evaluation() -> SelfEvaluation:
    """工作服专项经费 (seed 004, every indicator qualitative) with two quantitative ones:

    row 13 ≥85% / 80% / 分值 7 → 7 × 80 ÷ 85 = 6.588… → 6.59;
    row 14 ≤2(小时) / 3(小时) / 分值 17 → 17 × (1 − (3 − 2) ÷ 2) = 8.50 (reverse, linear).
    产出 stays 7 + 17 + 12 + 14 = 50.
    """
    data = json.loads((DATA / "seed004_self_evaluations_2022.json").read_text("utf-8"))
    record = from_dict(next(d for d in data if d["project_name"] == "工作服专项经费"))
    assert isinstance(record, SelfEvaluation)
    first, second = record.indicators[0], record.indicators[1]
    assert (first.weight, second.weight) == (12, 12)
    first.target, first.actual, first.weight, first.score = "≥85%", "80%", 7.0, 6.59
    first.deviation_reason = "部分对象未覆盖"
    second.target, second.actual, second.weight, second.score = "≤2(小时)", "3(小时)", 17.0, 8.5
    second.deviation_reason = "响应超时"
    return record


def test_scores_in_check_json(tmp_path: Path, run_main) -> None:
    path = api.write_form(tmp_path / "自评表.xlsx", scored_self_evaluation())
    outcome = run_main("check", str(path), "--format", "json")
    assert outcome.code == 0
    [file] = json.loads(outcome.out)["files"]
    assert file["findings"] == []
    scores = file["scores"]
    assert [
        (s["sheet"], s["cell"], s["target"], s["actual"], s["weight"], s["computed"])
        for s in scores
    ] == [
        (SE, f"H{FIRST}", "≥85%", "80%", 7.0, 6.59),
        (SE, f"H{FIRST + 1}", "≤2(小时)", "3(小时)", 17.0, 8.5),
    ]
    assert [s["score"] for s in scores] == [6.59, 8.5]
    assert all(s["project"] == "工作服专项经费" for s in scores)
    assert "80" in scores[0]["why"] and "85" in scores[0]["why"] and "7" in scores[0]["why"]
    assert "反向" in scores[1]["why"]


def test_scores_not_given_for_qualitative_or_other_units(tmp_path: Path) -> None:
    record = scored_self_evaluation()
    record.indicators[1].actual = "3(天)"  # 小时 vs 天: no formula applies
    record.indicators[1].score, record.indicators[1].deviation_reason = 17.0, None
    path = api.write_form(tmp_path / "自评表.xlsx", record)
    report = api.check([path])
    assert [s["cell"] for s in report.files[0].scores] == [f"H{FIRST}"]


def comment(path: Path, ref: str) -> str:
    book = openpyxl.load_workbook(path)
    try:
        cell = book[SE][ref]
        return cell.comment.text if cell.comment else ""
    finally:
        book.close()


def test_scores_in_annotated_comments(tmp_path: Path, run_main) -> None:
    path = api.write_form(tmp_path / "自评表.xlsx", scored_self_evaluation())
    outcome = run_main("check", str(path), "--annotate", str(tmp_path / "批注"))
    assert outcome.code == 0
    copy_ = tmp_path / "批注" / "自评表.xlsx"
    assert "参考得分 6.59" in comment(copy_, f"H{FIRST}")
    assert "参考得分 8.50" in comment(copy_, f"H{FIRST + 1}")
    assert comment(copy_, f"H{FIRST + 2}") == ""  # qualitative: no help


def test_scores_next_to_the_finding_in_the_comment(tmp_path: Path) -> None:
    record = scored_self_evaluation()
    record.indicators[0].score, record.indicators[0].deviation_reason = 7.0, None  # should be 6.59
    path = api.write_form(tmp_path / "自评表.xlsx", record)
    report = api.check([path])
    assert [(f.rule, f.location) for f in report.findings] == [("S10", f"{SE}!H{FIRST}")]
    [copy_] = api.annotate(report, tmp_path / "批注")
    text = comment(copy_, f"H{FIRST}")
    assert "[S10 警告]" in text and "参考得分 6.59" in text
