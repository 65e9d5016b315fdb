"""Round trips: a valid record written into our template reads back unchanged — also after
LibreOffice opened, recalculated and re-saved the file — and the committed templates
survive LibreOffice with their dropdowns, named lists and one-page print layout.

LibreOffice runs with a private profile per test session (parallel or stale profiles
make ``soffice --convert-to`` hand the job to another instance and silently do nothing)
that forces "recalculate on load", so the template's formulas are recomputed by a real
spreadsheet application and compared with the figures :mod:`testkit.strategies` derives.
"""

from __future__ import annotations

import copy
import os
import re
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from testkit.office import Soffice, find_soffice
from testkit.strategies import declarations, derive, self_evaluations
from xltools import api
from xltools.model import (
    Declaration,
    DeclarationFunds,
    FundsRow,
    Indicator,
    Record,
    SelfEvaluation,
    SelfEvaluationFunds,
    content,
)

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = {
    "申报表": ROOT / "templates" / "申报表.xlsx",
    "自评表": ROOT / "templates" / "自评表.xlsx",
}
Converter = Callable[[list[Path]], list[Path]]  # files in → re-saved files out, same order

# -- hand-written examples (expected figures computed by hand, not by code) ------------------

TRICKY_DECLARATION = Declaration(
    year=2022,
    project_name="=100%",
    project_category="经常性项目",
    department="@上海市长宁区医疗保障局",
    implementing_unit="-上海市长宁区医疗保险事务中心",
    start_date="2022-01-01",
    end_date="2022-12-31",
    money_unit="万元",
    funds=DeclarationFunds(
        project_total=2386.0,
        fiscal_funds=2386.0,
        annual_total=2386.0,
        current_appropriation=2386.0,
        carryover=0.0,
    ),
    overall_goal="+妥善解决本市市民中支内(支疆)退休回沪定居人员的医疗保障问题",
    annual_goal="=SUM(A1:A3) 不是公式；_x0041_ 不是转义",
    indicators=[
        Indicator("产出指标", "数量指标", "补助补贴对象数量", "≥10000.00(人)"),
        Indicator("产出指标", "成本指标", "=项目总成本", "<=820000.00(元)"),
        Indicator("产出指标", "成本指标", "项目资金", "按实"),  # not the 项目资金（万元） label
        Indicator("效益指标", "社会效益指标", "+提高受益人群生活水平", "有正面报道"),
        Indicator("满意度指标", "服务对象满意度指标", "服务对象满意度", ">=80%"),
    ],
)


def _evaluation(
    adjusted: float, executed: float, scores: list[float], unit: str = "元"
) -> SelfEvaluation:
    names = ["邮寄率", "项目资金", "总分率"]  # indicator names that resemble labels
    return SelfEvaluation(
        year=2024,
        money_unit=unit,
        project_name="公共服务窗口运行经费",
        department="上海市长宁区医疗保障局",
        implementing_unit="上海市长宁区医疗保险事务中心",
        funds=SelfEvaluationFunds(
            total=FundsRow(adjusted, adjusted, executed, weight=10.0),
            current_appropriation=FundsRow(adjusted, adjusted, executed),
            carryover=FundsRow(0.0, 0.0, None),
        ),
        expected_goal="保证医保中心公共服务窗口正常运行",
        actual_result="提供了良好的办公环境",
        indicators=[
            Indicator("产出指标", "数量指标", names[i % 3], "≥95%", "100%", s, s)
            for i, s in enumerate(scores)
        ],
    )


# 85465 / 100000 = 85.465 % → 85.47 % (half-up; half-even would give 85.46);
# score 0.8547 × 10 = 8.547 → 8.55; 总分 8.55 + 81.45 = 90.00 → exactly the 优 floor.
HALF_UP_90 = _evaluation(100000.0, 85465.0, [40.0, 41.45])
HALF_UP_90.funds.total.execution_rate, HALF_UP_90.funds.total.score = 85.47, 8.55
HALF_UP_90.total_score, HALF_UP_90.grade = 90.0, "优"
# 615326.02 / 720000 = 85.4619… % → 85.46; 8.546 → 8.55; 8.55 + 71.44 = 79.99 → 中.
JUST_BELOW_80 = _evaluation(720000.0, 615326.02, [30.0, 41.44], unit="万元")
JUST_BELOW_80.funds.total.execution_rate, JUST_BELOW_80.funds.total.score = 85.46, 8.55
JUST_BELOW_80.total_score, JUST_BELOW_80.grade = 79.99, "中"
# Over-spent: 120 % is capped at 100 % for the score; no indicator scored.
OVERSPENT = _evaluation(1000.0, 1200.0, [])
OVERSPENT.funds.total.execution_rate, OVERSPENT.funds.total.score = 120.0, 10.0
OVERSPENT.total_score, OVERSPENT.grade = 10.0, "差"
HAND_COMPUTED = [HALF_UP_90, JUST_BELOW_80, OVERSPENT]


def test_hand_computed_examples_agree_with_the_strategy_derivation() -> None:
    """The strategies' derivation reproduces the figures computed by hand above."""
    for record in HAND_COMPUTED:
        inputs = copy.deepcopy(record)
        inputs.funds.total.execution_rate = inputs.funds.total.score = None
        inputs.total_score, inputs.grade = None, None
        assert content(derive(inputs)) == content(record)


# -- write → read, with or without LibreOffice in between ---------------------------------


def _first_row(record: Record) -> int:
    """The first indicator row of our templates (header in row 13 / 12)."""
    return 14 if record.kind == "declaration" else 13


def _assert_round_trips(records: list[Record], convert: Converter | None = None) -> None:
    """Write each record into its own file, optionally re-save them all, read them back."""
    with tempfile.TemporaryDirectory() as folder:
        paths = [api.write_form(Path(folder) / f"form{i}.xlsx", r) for i, r in enumerate(records)]
        if convert is not None:
            paths = convert(paths)
        results = api.read(paths)
    for record, result in zip(records, results, strict=True):
        assert result.findings == []
        assert len(result.records) == 1
        back = result.records[0]
        assert back.kind == record.kind
        assert content(back) == content(record)
        first = _first_row(record)
        assert [i.row for i in back.indicators] == list(
            range(first, first + len(record.indicators))
        )


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(record=declarations())
@example(record=TRICKY_DECLARATION)
def test_declaration_write_read_is_identity(record: Declaration) -> None:
    _assert_round_trips([record])


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(record=self_evaluations())
@example(record=HALF_UP_90)
@example(record=JUST_BELOW_80)
@example(record=OVERSPENT)
def test_self_evaluation_write_read_is_identity(record: SelfEvaluation) -> None:
    _assert_round_trips([record])


# -- LibreOffice -----------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def soffice(tmp_path_factory: pytest.TempPathFactory) -> Soffice:
    binary = find_soffice()
    if binary is None:
        message = "LibreOffice (soffice) is not installed"
        if os.environ.get("CI"):
            pytest.fail(f"{message}: CI must run the LibreOffice tests, not skip them")
        pytest.skip(f"{message}; install libreoffice-calc to run these tests")
    return Soffice(binary, tmp_path_factory.mktemp("lo-profile"))


def _resave(soffice: Soffice) -> Converter:
    return lambda paths: soffice.convert(paths, "xlsx", paths[0].parent / "resaved")


# Each example is a batch of forms re-saved by one LibreOffice start: 4 forms × 8 batches.
BATCHES = st.tuples(declarations(), declarations(), self_evaluations(), self_evaluations())


@pytest.mark.libreoffice
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(batch=BATCHES)
@example(batch=(TRICKY_DECLARATION, *HAND_COMPUTED))
def test_records_survive_libreoffice(soffice: Soffice, batch: tuple[Record, ...]) -> None:
    _assert_round_trips(list(batch), _resave(soffice))


def _stale_copy(src: Path, dst: Path) -> Path:
    """A copy of ``src`` whose cached formula results are all 0, as if never calculated."""
    dst.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item)
            if item.filename.startswith("xl/worksheets/"):
                data = re.sub(rb"(</f>)<v>[^<]*</v>", rb"\1<v>0</v>", data)
            zout.writestr(item, data)
    return dst


@pytest.mark.libreoffice
def test_libreoffice_recalculates_the_template_formulas(soffice: Soffice, tmp_path: Path) -> None:
    """The profile really recalculates: stale zeros become the hand-computed figures, so the
    property above compares LibreOffice's own formula results, not our cached values."""
    form = api.write_form(tmp_path / "form.xlsx", HALF_UP_90)
    stale = _stale_copy(form, tmp_path / "stale" / "form.xlsx")
    [before] = api.read([stale])
    assert before.records[0].total_score == 0.0  # the stale file shows zeros
    [resaved] = soffice.convert([stale], "xlsx", tmp_path / "resaved")
    [after] = api.read([resaved])
    assert after.findings == []
    assert content(after.records[0]) == content(HALF_UP_90)  # 85.47 %, 8.55, 90.00, 优


# -- the committed templates in LibreOffice --------------------------------------------------------

FRAMEWORK_LISTS = {  # shared/spec/forms.md: both indicator frameworks, as the dropdowns offer them
    "一级指标": ["产出指标", "效益指标", "满意度指标", "成本指标"],
    "产出指标": ["数量指标", "质量指标", "时效指标", "成本指标"],
    "效益指标": ["经济效益指标", "社会效益指标", "生态效益指标", "可持续影响指标"],
    "满意度指标": ["服务对象满意度指标"],
    "成本指标": ["经济成本指标", "社会成本指标", "生态环境成本指标"],
}
# (sheet, indicator rows, extra list names) of each committed template.
TEMPLATE_FACTS = {
    "申报表": (
        "申报表",
        "14:33",
        {
            "declaration_2025_category": ["特定目标类", "其他运转类"],
            "declaration_2025_nature": ["经常性专项业务费", "一次性专项业务费", "跨年度专项业务费"],
        },
    ),
    "自评表": ("自评表", "13:32", {}),
}


def _pdf_pages(pdf: Path) -> int:
    """Pages of a PDF written by LibreOffice (its page objects are not compressed)."""
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF"), f"{pdf.name} is not a PDF"
    return len(re.findall(rb"/Type\s*/Page(?![A-Za-z])", data))


@pytest.mark.libreoffice
@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_template_prints_to_pdf(soffice: Soffice, name: str, tmp_path: Path) -> None:
    """The whole workbook prints (form + 填表说明); the form sheet alone fits one A4 page."""
    book = openpyxl.load_workbook(TEMPLATES[name])
    for ws in book.worksheets:
        if ws.title != name:
            ws.sheet_state = "hidden"  # LibreOffice does not print hidden sheets
    only_form = tmp_path / f"{name}_表单.xlsx"
    book.save(only_form)
    whole, form = soffice.convert([TEMPLATES[name], only_form], "pdf", tmp_path / "pdf")
    assert _pdf_pages(whole) >= 2  # the form and the guide; the hidden 选项 sheet is not printed
    assert _pdf_pages(form) == 1


def _validations(path: Path, sheet: str) -> dict[str, tuple[str | None, str | None]]:
    ws = openpyxl.load_workbook(path)[sheet]
    return {str(dv.sqref): (dv.type, dv.formula1) for dv in ws.data_validations.dataValidation}


def _named_list(book: openpyxl.Workbook, name: str) -> list[str]:
    sheet, cells = next(book.defined_names[name].destinations)
    return [c.value for row in book[sheet][cells.replace("$", "")] for c in row]


@pytest.mark.libreoffice
@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_template_keeps_dropdowns_after_libreoffice(
    soffice: Soffice, name: str, tmp_path: Path
) -> None:
    sheet, rows, extra_lists = TEMPLATE_FACTS[name]
    [resaved] = soffice.convert([TEMPLATES[name]], "xlsx", tmp_path)
    book = openpyxl.load_workbook(resaved)
    assert book[sheet].sheet_state == "visible"
    assert book["选项"].sheet_state in ("hidden", "veryHidden")  # the lists stay out of sight
    assert book[sheet].protection.sheet
    for list_name, items in {**FRAMEWORK_LISTS, **extra_lists}.items():
        assert _named_list(book, list_name) == items
    first, last = rows.split(":")
    after = _validations(resaved, sheet)
    assert after[f"B{first}:B{last}"] == ("list", "一级指标")
    assert after[f"C{first}:C{last}"] == ("list", f"INDIRECT($B{first})")
    # Every validation of the original is still there, on the same cells and with the same
    # type; LibreOffice writes formula1 "0" for "any value" rules that only carry a prompt.
    before = _validations(TEMPLATES[name], sheet)
    assert {ref: typ for ref, (typ, _) in after.items()} == {
        ref: typ for ref, (typ, _) in before.items()
    }
    for ref, (typ, formula) in before.items():
        if typ in ("list", "custom", "decimal", "date"):
            assert after[ref][1] == formula, ref
