"""The rule engine: catalogue entries bound to the code, pandera schemas generated from the form
declarations, failures mapped back by check name, derived figures from compute.py alone."""

from __future__ import annotations

import ast
import copy
import importlib
import inspect
import re
from dataclasses import replace
from pathlib import Path

import pandera.pandas as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

from xltools import compute
from xltools.catalogue import CATALOGUE, RULES, SCOPES
from xltools.check import schemas
from xltools.check.frames import build_frames
from xltools.forms import LAYOUTS
from xltools.model import DECLARATION, SELF_EVALUATION
from xltools.profiles import load_profile
from xltools.read.workbook import read_workbook

ROOT = Path(__file__).resolve().parent.parent
RULE_ID = re.compile(r"\"([RDSXM]\d\d)\"")
# Modules that only name rules (help texts, notices, filters of findings), never raise them.
NAMING_ONLY = {"catalogue", "explain", "notices", "cli", "fix", "api"}


def _ids_in(module: str) -> set[str]:
    return set(RULE_ID.findall(inspect.getsource(importlib.import_module(module))))


# -- catalogue ↔ code ------------------------------------------------------------------------


def test_every_entry_has_a_scope_and_is_evaluated_where_it_says() -> None:
    for rule in CATALOGUE:
        assert rule.scope in SCOPES, rule.id
        assert rule.title and rule.severity, rule.id
        assert rule.evaluated_by, f"{rule.id}: no module evaluates it"
        for module in rule.evaluated_by:
            assert rule.id in _ids_in(module), f"{rule.id} is not raised in {module}"


def test_every_rule_has_its_message_templates() -> None:
    for rule in CATALOGUE:
        assert rule.messages, f"{rule.id} has no message template"
        for case, template in rule.messages.items():
            assert template.strip() and not template.isascii(), (rule.id, case)
    assert RULES["D05"].message(amount="-5.00") == "金额不能为负数（-5.00）"
    assert RULES["S20"].message("blank").startswith("年度资金总额的全年预算数为空白")
    with pytest.raises(KeyError):
        RULES["D02"].message("no such case")


WORDING_MODULES = (
    *(f"xltools.check.rules.{m}" for m in ("declaration", "self_evaluation", "indicators")),
    *(f"xltools.check.rules.{m}" for m in ("cross", "scoring", "against")),
    *(f"xltools.read.{m}" for m in ("workbook", "limits", "paths", "isolated", "values")),
)


def _string_constants(source: str) -> set[str]:
    """Every string literal of a module's source, f-string parts included."""
    return {
        node.value
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    }


def _literal_messages(source: str) -> list[str]:
    """The Chinese sentences of a module's string literals (f-strings too) that a
    catalogue template starts with: a message worded outside the catalogue."""
    literals = _string_constants(source)
    heads = {
        head for r in CATALOGUE for t in r.messages.values() if len(head := t.split("{", 1)[0]) >= 6
    }
    return [h for h in heads if any(h in text for text in literals)]


def test_the_code_words_findings_through_the_catalogue() -> None:
    """No message literal is left in the rule modules or the reading layers: they call
    catalogue.message."""
    for module in WORDING_MODULES:
        source = inspect.getsource(importlib.import_module(module))
        assert "message(" in source or "_msg(" in source, module
        assert not _literal_messages(source), module


def test_the_literal_message_detector_sees_one() -> None:
    source = 'def f():\n    raise Unreadable(f"文件是空的（0 字节）{x}")\n'
    assert _literal_messages(source) == ["文件是空的（0 字节）"]
    assert not _literal_messages('message("R01", "empty")\n')


def _asked_cases(source: str) -> set[tuple[str, str]]:
    """(rule ID, case) of every ``message("S20", "blank", …)`` / ``_msg(…)`` call whose rule
    and case are literals; no case given is the default case ""."""
    out = set()
    for node in ast.walk(ast.parse(source)):
        name = getattr(node, "func", None)
        name = getattr(name, "id", getattr(name, "attr", None))
        if not (isinstance(node, ast.Call) and name in ("message", "_msg") and node.args):
            continue
        rule, *rest = node.args
        if not (isinstance(rule, ast.Constant) and isinstance(rule.value, str)):
            continue
        if not rest:
            out.add((rule.value, ""))
        elif isinstance(rest[0], ast.Constant) and isinstance(rest[0].value, str):
            out.add((rule.value, rest[0].value))
    return out


def _evaluating_sources() -> dict[str, str]:
    modules = sorted({m for rule in CATALOGUE for m in rule.evaluated_by})
    return {m: inspect.getsource(importlib.import_module(m)) for m in modules}


def test_every_message_case_the_code_asks_for_is_in_the_catalogue() -> None:
    asked = set().union(*map(_asked_cases, _evaluating_sources().values()))
    assert len(asked) > 50  # the detector sees the calls
    missing = {(r, c) for r, c in asked if c not in RULES[r].messages}
    assert not missing  # else a finding of that case raises KeyError at check time


def test_the_asked_case_detector_sees_a_missing_one() -> None:
    source = 'x = message("S20", "no such case", a=1)\ny = _msg("R01")\nz = message(rid, "pair")\n'
    asked = _asked_cases(source)
    assert asked == {("S20", "no such case"), ("R01", "")}
    assert ("S20", "no such case") not in {(r, c) for r in RULES for c in RULES[r].messages}


def test_every_message_template_is_used() -> None:
    """A case no evaluating module names is a dead template: its wording drifts unseen."""
    literals = {m: _string_constants(src) for m, src in _evaluating_sources().items()}
    dead = [
        (rule.id, case)
        for rule in CATALOGUE
        for case in rule.messages
        if case and not any(case in literals[m] for m in rule.evaluated_by)
    ]
    assert not dead


def test_every_rule_the_code_raises_is_catalogued_with_its_module() -> None:
    modules = sorted(
        "xltools." + ".".join(p.relative_to(ROOT / "xltools").with_suffix("").parts)
        for p in (ROOT / "xltools").rglob("*.py")
    )
    raisers = {m for rule in CATALOGUE for m in rule.evaluated_by}
    for module in modules:
        if module.rsplit(".", 1)[-1] in NAMING_ONLY or module.startswith("xltools.forms"):
            continue
        ids = _ids_in(module)
        assert ids <= set(RULES), f"{module} raises {ids - set(RULES)}, not in the catalogue"
        if module in raisers:
            unbound = {i for i in ids if module not in RULES[i].evaluated_by}
            if module == "xltools.check.checker":
                unbound -= {"D01", "D02", "S01", "R04"}  # it filters blanks R04 rejected
            assert not unbound, f"{module} raises {unbound} but their entries do not say so"
        else:
            assert not ids, f"{module} names {ids}: add it to catalogue.EVALUATED_BY"


def test_rules_found_over_the_examples_are_catalogued() -> None:
    from xltools import api

    report = api.check([ROOT / "examples"], declarations=[ROOT / "examples"])
    found = {f.rule for f in report.findings}
    assert found and found <= set(RULES)
    for f in report.findings:
        assert f.severity in ("错误", "警告", "提示")


# -- pandera schemas from the form declarations ------------------------------------------------


def test_columns_carry_dtype_nullable_and_coerce_from_the_fields() -> None:
    table = schemas.tables(load_profile())["declarations"]
    columns = table.schema.columns
    assert table.schema.coerce
    assert str(columns["funds.annual_total"].dtype) == "float64"
    assert columns["funds.annual_total"].nullable is False  # required: 年度资金申请总额
    assert columns["funds.project_total"].nullable is True  # only recommended (D02)
    assert columns["project_name"].nullable is False
    assert columns["project_category"].nullable is True
    assert "str" in str(columns["start_date"].dtype)  # text: pandas strings
    assert set(table.required) == {
        "project_name",
        "department",
        "implementing_unit",
        "start_date",
        "end_date",
        "funds.annual_total",
        "annual_goal",
    }
    se = schemas.tables(load_profile())["self_evaluations"]
    assert se.schema.columns["total_score"].nullable is False
    assert "funds.total.adjusted_budget" not in se.required  # S20's, not S01's


def test_flipping_required_in_a_layout_changes_the_schema() -> None:
    layout = LAYOUTS[(DECLARATION, "2025")]
    flipped = replace(
        layout,
        fields=tuple(
            replace(f, required=not f.required)
            if f.key in ("project_category", "project_name")
            else f
            for f in layout.fields
        ),
    )
    table = schemas.project_table(DECLARATION, [], [flipped])
    assert table.schema.columns["project_category"].nullable is False
    assert table.schema.columns["project_name"].nullable is True
    assert "project_category" in table.required and "project_name" not in table.required
    assert table.required["project_category"].id == "D01"


def test_unique_comes_from_the_indicator_columns_scoped_per_record() -> None:
    table = schemas.indicators_table([])
    assert table.schema.unique == ["pid", "name"]
    assert table.schema.report_duplicates == "exclude_first"
    assert str(table.schema.columns["weight"].dtype) == "float64"
    layout = LAYOUTS[(SELF_EVALUATION, "2022")]
    plain = replace(layout, columns=tuple(replace(c, unique=False) for c in layout.columns))
    assert schemas.indicators_table([], [plain]).schema.unique is None
    target = replace(
        layout,
        columns=tuple(replace(c, unique=c.key in ("name", "target")) for c in layout.columns),
    )
    assert schemas.indicators_table([], [target]).schema.unique == ["pid", "name", "target"]


def test_row_rules_are_checks_named_by_rule_id() -> None:
    for table in schemas.tables(load_profile()).values():
        for check in table.schema.checks:
            assert isinstance(check, pa.Check)
            rule_id, _, key = check.name.partition(":")
            assert rule_id in RULES and key, check.name
            assert table.checks[check.name].id == rule_id


# -- failure cases mapped back by name and index -------------------------------------------------


@pytest.fixture(scope="module")
def broken() -> list:
    """申报表 信息系统维护经费 with a negative 上年结转资金 (D05), no 项目名称 (D01),
    a blank-only 主管部门 (D01: blanks are not filled) and a repeated 三级指标 (D14)."""
    res = read_workbook(ROOT / "examples" / "申报表_信息系统维护经费.xlsx", load_profile())
    record = copy.deepcopy(res.records[0])
    record.funds.carryover = -5.0
    record.project_name = None
    record.department = "   "
    record.indicators[1].name = record.indicators[0].name
    return [record]


def _validate(records: list) -> list[tuple[str, str | None, str]]:
    _, found = schemas.validate(build_frames(records, load_profile()), records, load_profile())
    return [(f.rule, f.cell, f.message) for _, f in found]


def test_failures_map_to_rule_and_cell(broken: list) -> None:
    record = broken[0]
    found = _validate(broken)
    assert ("D05", record.cells["funds.carryover"], "金额不能为负数（-5.00）") in found
    assert ("D01", record.cells["project_name"], "必填项“项目名称”未填写") in found
    assert ("D01", record.cells["department"], "必填项“主管部门”未填写") in found
    row = record.indicators[1].row
    name = record.indicators[0].name
    assert ("D14", f"D{row}", f"三级指标“{name}”在本项目中重复出现") in found


def test_mapping_is_by_name_not_by_check_position(
    broken: list, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = _validate(broken)
    rules = schemas.all_rules

    def reversed_rules(profile):
        return {t: list(reversed(rs)) for t, rs in rules(profile).items()}

    monkeypatch.setattr(schemas, "all_rules", reversed_rules)
    after = _validate(broken)
    assert sorted(after) == sorted(before)
    assert after != before  # the checks did run in another order


def test_failing_rows_are_keyed_by_check_name_and_column(broken: list) -> None:
    frames = build_frames(broken, load_profile())
    table = schemas.tables(load_profile())["declarations"]
    frame = frames.projects[frames.projects.kind == DECLARATION]
    _, cases = schemas._validate(table, frame)
    keys = {(how, key) for how, key, _ in schemas.failing(table, cases)}
    assert ("check", "D05:funds.carryover") in keys
    assert ("required", "project_name") in keys and ("required", "department") in keys


# -- derived figures: compute.py alone ------------------------------------------------------------


def test_grade_is_defined_once() -> None:
    defined = [
        p.relative_to(ROOT).as_posix()
        for p in (ROOT / "xltools").rglob("*.py")
        if re.search(r"^\s*def _?grade\(", p.read_text("utf-8"), re.M)
    ]
    assert defined == ["xltools/compute.py"]


@given(
    adjusted=st.floats(0.01, 1e8),
    executed=st.floats(0, 1e8),
    weight=st.one_of(st.none(), st.floats(0, 100)),
)
def test_the_template_figures_and_the_check_agree_to_a_cent(adjusted, executed, weight) -> None:
    shown = compute.figures(adjusted, executed, weight, [], [], "half-up", [("优", 90.0)])
    exact = compute.exact_execution_score(compute.exact_rate(adjusted, executed), weight)
    w = compute.funds_weight(weight)
    # the rate stored to 0.01 % (≤ 0.005 points of rate), the score rounded to 0.01 point
    exact_rate = compute.exact_rate(adjusted, executed)
    rate_error = abs(shown["funds.total.execution_rate"] * 100 - exact_rate)
    # A float holds a rate of 52,438,671.88 % only to ~1e-8: the slack is relative.
    assert rate_error <= 0.005 + 1e-14 * max(1e5, abs(exact_rate))
    assert abs(shown["funds.total.score"] - exact) <= 0.005 + 0.00005 * w + 1e-9
