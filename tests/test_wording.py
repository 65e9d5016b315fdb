"""A profile's wording on the templates: 四川 prints 权重 where the national forms print 分值.

The expected words come from the profiles (sichuan.toml: ``wording.weight = "权重"``) and
from the official self-evaluation form (the points column is 分值); the cells are those of
our 自评表 (funds grid header in row 5, indicator table header in row 12).
"""

from __future__ import annotations

import tempfile
import zipfile
from pathlib import Path

import openpyxl
from hypothesis import HealthCheck, given, settings

from testkit.strategies import self_evaluations
from xltools import api
from xltools.model import Declaration, DeclarationFunds, Indicator, Record, SelfEvaluation, content
from xltools.profiles import Profile, load_profile

SE, GUIDE = "自评表", "填表说明"
FUNDS_WEIGHT, TABLE_WEIGHT = "G5", "G12"  # the funds grid's and the indicator table's header


def template(run_main, path: Path, *profile: str) -> Path:
    outcome = run_main("template", "自评表", *profile, "-o", str(path))
    assert outcome.code == 0, outcome.err
    return path


def printed_text(path: Path) -> str:
    """Every string a workbook carries: cells (shared strings) and validation prompts."""
    with zipfile.ZipFile(path) as z:
        return "".join(
            z.read(name).decode("utf-8")
            for name in z.namelist()
            if name.startswith("xl/") and name.endswith(".xml")
        )


def guide(path: Path) -> list[str]:
    ws = openpyxl.load_workbook(path)[GUIDE]
    return [row[0] for row in ws.iter_rows(values_only=True) if row[0]]


def read_back(path: Path, profile: str | None = None) -> tuple[Record, list[tuple[str, str]]]:
    """The one record of ``path`` and its reading findings as (rule, cell)."""
    [result] = api.read([path], profile=None if profile is None else _profile(profile))
    [record] = result.records
    return record, [(f.rule, f.cell) for f in result.findings]


def read_one(path: Path, profile: str | None = None) -> Record:
    record, findings = read_back(path, profile)
    assert findings == []
    return record


def _profile(name: str) -> Profile:
    return load_profile(name)


# -- the template's header cells -------------------------------------------------------------


def test_sichuan_template_calls_the_points_权重(tmp_path: Path, run_main) -> None:
    path = template(run_main, tmp_path / "四川.xlsx", "--profile", "四川")
    ws = openpyxl.load_workbook(path)[SE]
    assert ws[FUNDS_WEIGHT].value == "权重"
    assert ws[TABLE_WEIGHT].value == "权重"
    assert ws["H12"].value == "得分"  # only the points' name changes


def test_national_template_calls_the_points_分值(tmp_path: Path, run_main) -> None:
    for args in ((), ("--profile", "全国")):
        path = template(run_main, tmp_path / f"全国{len(args)}.xlsx", *args)
        ws = openpyxl.load_workbook(path)[SE]
        assert (ws[FUNDS_WEIGHT].value, ws[TABLE_WEIGHT].value) == ("分值", "分值")
        assert "权重" not in printed_text(path)


def test_sichuan_template_never_prints_分值(tmp_path: Path, run_main) -> None:
    """Nor in the 填表说明 sheet, the input prompts or the validation messages."""
    path = template(run_main, tmp_path / "四川.xlsx", "--profile", "四川")
    assert "分值" not in printed_text(path)
    ws = openpyxl.load_workbook(path)[SE]
    prompts = {str(dv.sqref): (dv.prompt, dv.error) for dv in ws.data_validations.dataValidation}
    assert prompts["G13:G32"] == (
        "本指标的权重；全部指标权重与预算执行率权重合计应为 100。",
        "权重须为 0 到 100 之间的数字。",
    )
    assert prompts["G6"][0] == "预算执行率的权重，一般为 10 分。"
    lines = guide(path)
    assert any("执行率得分 = min(执行率, 100%) × 权重" in line for line in lines)
    assert any("填写实际完成值、权重、得分" in line for line in lines)


def test_national_guide_keeps_分值(tmp_path: Path, run_main) -> None:
    lines = guide(template(run_main, tmp_path / "全国.xlsx"))
    assert any("执行率得分 = min(执行率, 100%) × 分值" in line for line in lines)
    assert not any("权重" in line for line in lines)


def test_sichuan_declaration_template_is_the_national_one(tmp_path: Path, run_main) -> None:
    """A 申报表 has no points column: the profile's wording leaves its form alone."""
    paths = []
    for name, args in (("全国", ()), ("四川", ("--profile", "四川"))):
        outcome = run_main("template", "申报表", *args, "-o", str(tmp_path / f"{name}.xlsx"))
        assert outcome.code == 0, outcome.err
        paths.append(tmp_path / f"{name}.xlsx")
    sheets = [openpyxl.load_workbook(p)["申报表"] for p in paths]
    values = [[c.value for row in ws.iter_rows() for c in row] for ws in sheets]
    assert values[0] == values[1]


# -- reading is unaffected -------------------------------------------------------------------

FILLED = {  # what a clerk types into a blank 自评表 (cells of our layout)
    "B3": "信息系统维护经费",
    "B4": "上海市长宁区医疗保障局",
    "F4": "上海市长宁区医疗保险事务中心",
    "D6": 100000,
    "E6": 100000,
    "F6": 90000,
    "G6": 10,
    "B11": "保障系统稳定运行",
    "F11": "系统全年稳定运行",
}
INDICATOR_ROWS = [
    ("产出指标", "数量指标", "维护系统数量", "≥3个", "3个", 50, 50, None),
    ("效益指标", "社会效益指标", "系统可用率", "≥99%", "98%", 30, 25, "个别时段网络中断"),
    ("满意度指标", "服务对象满意度指标", "使用人员满意度", "≥90%", "95%", 10, 10, None),
]


def fill_by_hand(blank: Path, out: Path) -> Path:
    """The blank template filled in like a clerk would, cell by cell."""
    wb = openpyxl.load_workbook(blank)
    ws = wb[SE]
    for ref, value in FILLED.items():
        ws[ref] = value
    for i, values in enumerate(INDICATOR_ROWS):
        for col, value in zip("BCDEFGHI", values, strict=True):
            ws[f"{col}{13 + i}"] = value
    wb.save(out)
    return out


def test_sichuan_template_filled_by_hand_reads_like_the_national_one(
    tmp_path: Path, run_main
) -> None:
    national = template(run_main, tmp_path / "全国.xlsx")
    sichuan = template(run_main, tmp_path / "四川.xlsx", "--profile", "四川")
    back = [
        read_back(fill_by_hand(national, tmp_path / "全国_填好.xlsx")),
        read_back(fill_by_hand(sichuan, tmp_path / "四川_填好.xlsx"), "四川"),
        read_back(tmp_path / "四川_填好.xlsx"),
    ]
    # openpyxl keeps no formula results: both copies say so for the same formula cells.
    assert back[0][1] == back[1][1] == back[2][1]
    assert {rule for rule, _ in back[0][1]} == {"R05"}
    assert content(back[1][0]) == content(back[0][0])
    assert content(back[2][0]) == content(back[0][0])
    record = back[1][0]
    assert isinstance(record, SelfEvaluation)
    assert record.funds.total.weight == 10
    assert [(i.name, i.weight, i.score) for i in record.indicators] == [
        ("维护系统数量", 50, 50),
        ("系统可用率", 30, 25),
        ("使用人员满意度", 10, 10),
    ]
    # 90000 / 100000 = 90 % → 0.9 × 10 = 9 points; 9 + 50 + 25 + 10 = 94 → 优.
    assert (record.funds.total.execution_rate, record.funds.total.score) == (90, 9)
    assert (record.total_score, record.grade) == (94, "优")


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(record=self_evaluations())
def test_sichuan_worded_form_write_read_is_identity(record: SelfEvaluation) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = api.write_form(Path(folder) / "四川.xlsx", record, profile=_profile("四川"))
        assert openpyxl.load_workbook(path)[SE][TABLE_WEIGHT].value == "权重"
        back = read_one(path, "四川")
    assert content(back) == content(record)


# -- prefill writes through the same writer --------------------------------------------------


def test_prefill_with_sichuan_prints_权重(tmp_path: Path) -> None:
    declaration = Declaration(
        year=2025,
        project_name="信息系统维护经费",
        department="上海市长宁区医疗保障局",
        implementing_unit="上海市长宁区医疗保险事务中心",
        funds=DeclarationFunds(annual_total=100000.0, current_appropriation=100000.0),
        annual_goal="保障系统稳定运行",
        indicators=[
            Indicator("产出指标", "数量指标", "维护系统数量", "≥3个"),
            Indicator("效益指标", "社会效益指标", "系统可用率", "≥99%"),
            Indicator("满意度指标", "服务对象满意度指标", "使用人员满意度", "≥90%"),
        ],
    )
    decl = api.write_form(tmp_path / "申报表.xlsx", declaration)
    [national] = api.prefill([decl], tmp_path / "全国").written
    [sichuan] = api.prefill([decl], tmp_path / "四川", profile="四川").written
    ws = openpyxl.load_workbook(sichuan)[SE]
    assert (ws[FUNDS_WEIGHT].value, ws[TABLE_WEIGHT].value) == ("权重", "权重")
    assert "分值" not in printed_text(sichuan)
    assert openpyxl.load_workbook(national)[SE][TABLE_WEIGHT].value == "分值"
    assert content(read_one(sichuan, "四川")) == content(read_one(national))


# -- merge draws the forms with the same writer ----------------------------------------------


def sheet_texts(path: Path, prefix: str) -> list[str]:
    wb = openpyxl.load_workbook(path)
    [ws] = [wb[name] for name in wb.sheetnames if name.startswith(prefix)]
    return [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]


def test_merge_with_sichuan_prints_权重(tmp_path: Path, run_main) -> None:
    blank = template(run_main, tmp_path / "四川.xlsx", "--profile", "四川")
    filled = fill_by_hand(blank, tmp_path / "自评表_填好.xlsx")
    for name, word, other in (("四川", "权重", "分值"), ("全国", "分值", "权重")):
        out = tmp_path / f"汇总_{name}.xlsx"
        api.merge([filled], out, profile=name)
        details, forms = sheet_texts(out, "指标明细"), sheet_texts(out, "汇总表")
        assert word in details and other not in details
        assert forms.count(word) == 2 and other not in forms  # funds grid and table header
