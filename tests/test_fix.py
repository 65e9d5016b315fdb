"""``xltools fix``: corrected copies where the fix is certain, the input never touched.

The 自评表 of 公共服务窗口运行经费 in our template: 全年预算数 720000 (E6), 全年执行数
615326.02 (F6), 分值 10 (G6); 执行率 H6 = 85.46 %, 执行率得分 I6 = 8.55, indicator
scores 87 in all, 总分 H33 = 95.55, 评分等级 H34 = 优 (≥ 90). The 申报表 seed002 is a
real form whose amounts were typed as text ("29,620,000.00").
"""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import python_calamine
from click.testing import CliRunner
from conftest import edit_workbook
from test_check_cli import sha256

from xltools import api
from xltools.cli import cli
from xltools.model import SELF_EVALUATION
from xltools.write.fix import LOG_SHEET

ROOT = Path(__file__).resolve().parent
SE = "自评表"
SEED002 = ROOT / "fixtures" / "seeds" / "seed002_declarations_2025.xlsx"
DERIVED = ("S02", "S03", "S13", "S14", "R05")


def _window(folder: Path, name: str = "window.xlsx", **changes: Any) -> Path:
    record = next(
        r
        for r in api.example_records()
        if r.kind == SELF_EVALUATION and r.project_name == "公共服务窗口运行经费"
    )
    for index, key, value in changes.get("indicators", ()):
        setattr(record.indicators[index], key, value)
    record.implementing_unit = changes.get("unit", record.implementing_unit)
    return api.write_form(folder / name, record)


def _found(path: Path, rules: tuple[str, ...] = DERIVED) -> list[tuple[str, str]]:
    return [(f.rule, f.location) for f in api.check([path]).findings if f.rule in rules]


def _values(path: Path, sheet: str) -> list[list[Any]]:
    book = python_calamine.CalamineWorkbook.from_path(str(path))
    return book.get_sheet_by_name(sheet).to_python()


def test_derived_figures_typed_over_the_formulas_are_recomputed(tmp_path: Path) -> None:
    path = edit_workbook(_window(tmp_path), {"H6": 0.9, "I6": 9.0, "H33": 99, "H34": "良"})
    before = sha256(path)
    assert _found(path, ("S02", "S03", "S13", "S14")) == [
        ("S02", f"{SE}!H6"),
        ("S03", f"{SE}!I6"),
        ("S13", f"{SE}!H33"),
        ("S14", f"{SE}!H34"),
    ]
    [result] = api.fix([path], tmp_path / "out")
    assert [(c.rule, c.cell, c.old, c.new) for c in result.changes] == [
        ("S02", "H6", 90.0, 85.46),
        ("S03", "I6", 9.0, 8.55),
        ("S13", "H33", 99.0, 95.55),
        ("S14", "H34", "良", "优"),
    ]
    copy = tmp_path / "out" / "window.xlsx"
    assert result.output == copy and sha256(path) == before
    assert _found(copy) == []  # none of the fixed rules, no formula without its result
    ws = openpyxl.load_workbook(copy)[SE]
    assert ws["H6"].value == 0.8546 and "%" in ws["H6"].number_format
    assert (ws["I6"].value, ws["H33"].value, ws["H34"].value) == (8.55, 95.55, "优")


def test_a_wrong_score_carries_into_the_total_and_grade(tmp_path: Path) -> None:
    """Only 执行率得分 is typed wrong (0.5): 总分 and 评分等级 are formulas of it."""
    path = _window(tmp_path)
    book = openpyxl.load_workbook(path)
    book[SE]["I6"] = 0.5
    book.save(path)
    [result] = api.fix([path], tmp_path / "out")
    changes = {c.cell: (c.rule, c.new) for c in result.changes}
    assert changes["I6"] == ("S03", 8.55)
    # openpyxl dropped the formulas' results on saving the input: fix puts them back.
    assert changes["H33"] == ("R05", 95.55) and changes["H34"] == ("R05", "优")
    copy = tmp_path / "out" / "window.xlsx"
    assert _found(copy) == []
    values = _values(copy, SE)
    assert (values[5][8], values[32][7], values[33][7]) == (8.55, 95.55, "优")
    formulas = openpyxl.load_workbook(copy)[SE]
    assert str(formulas["H33"].value).startswith("=")  # the form's formula is kept
    assert "公式保留" in next(c.note for c in result.changes if c.cell == "H33")


def test_formula_results_the_file_has_are_kept(tmp_path: Path) -> None:
    """A full-width 指标值 is the only change: every other cell reads as before."""
    path = _window(tmp_path, indicators=[(0, "target", "≥９５％"), (0, "actual", "９８．５％")])
    [result] = api.fix([path], tmp_path / "out")
    assert [(c.rule, c.cell, c.old, c.new) for c in result.changes] == [
        ("R06", "E13", "≥９５％", "≥95%"),
        ("R06", "F13", "９８．５％", "98.5%"),
    ]
    copy = tmp_path / "out" / "window.xlsx"
    old, new = _values(path, SE), _values(copy, SE)
    differ = [(r, c) for r, row in enumerate(old) for c, v in enumerate(row) if new[r][c] != v]
    assert differ == [(12, 4), (12, 5)]
    assert new[5][7] == 0.8546 and new[32][7] == 95.55 and new[33][7] == "优"
    original = sorted((f.rule, f.location) for f in api.check([path]).findings)
    assert sorted((f.rule, f.location) for f in api.check([copy]).findings) == original


def test_amounts_typed_as_text_in_a_real_form(tmp_path: Path) -> None:
    source = shutil.copy(SEED002, tmp_path / "seed002.xlsx")
    before = sha256(Path(source))
    sheet = "2025年度项目绩效目标汇总表"
    assert (("R06", f"{sheet}!F10")) in _found(Path(source), ("R06",))
    [result] = api.fix([source], tmp_path / "out")
    first = result.changes[0]
    assert (first.rule, first.location, first.old, first.new) == (
        "R06",
        f"{sheet}!F10",
        "29,620,000.00",
        29620000.0,
    )
    assert len(result.changes) == 12  # 4 amounts in each of the 3 forms
    copy = tmp_path / "out" / "seed002.xlsx"
    assert openpyxl.load_workbook(copy)[sheet]["F10"].value == 29620000
    assert _found(copy, ("R06",)) == []
    assert [f.rule for f in api.check([copy]).findings] == [
        f.rule for f in api.check([source]).findings if f.rule != "R06"
    ]
    assert sha256(Path(source)) == before


def test_the_change_list_is_in_the_copy_and_the_form_keeps_its_validations(
    tmp_path: Path,
) -> None:
    path = edit_workbook(_window(tmp_path), {"H34": "良"})
    api.fix([path], tmp_path / "out")
    copy = openpyxl.load_workbook(tmp_path / "out" / "window.xlsx")
    assert copy.sheetnames[0] == SE and copy.sheetnames[-1] == LOG_SHEET
    rows = [[c.value for c in row] for row in copy[LOG_SHEET].iter_rows()]
    assert rows[0] == ["序号", "位置", "原值", "新值", "规则", "说明"]
    assert [r[:5] for r in rows[1:]] == [
        [1, f"{SE}!H6", "（无计算结果）", "85.46%", "R05"],  # the input was saved by openpyxl
        [2, f"{SE}!I6", "（无计算结果）", "8.55", "R05"],
        [3, f"{SE}!H33", "（无计算结果）", "95.55", "R05"],
        [4, f"{SE}!H34", "良", "优", "S14"],
    ]
    source = openpyxl.load_workbook(path)
    assert (
        len(copy[SE].data_validations.dataValidation)
        == len(source[SE].data_validations.dataValidation)
        > 0
    )
    merged = [sorted(map(str, b[SE].merged_cells.ranges)) for b in (copy, source)]
    assert merged[0] == merged[1] and merged[0]


def run(*args: Any) -> Any:
    return CliRunner().invoke(cli, [str(a) for a in args], env={"COLUMNS": "200"})


def test_cli_shows_the_changes_and_says_when_nothing_needs_fixing(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    edit_workbook(_window(folder, "a[red]b.xlsx"), {"H34": "良"})
    # Another unit's form: the same project twice with different content would be M05.
    _window(folder, "clean.xlsx", unit="另一实施单位")
    result = run("fix", folder, "-o", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert "a[red]b.xlsx" in result.output  # rich markup escaped
    assert "H34" in result.output and "优" in result.output and "S14" in result.output
    assert "clean.xlsx：没有可以自动修改的问题" in result.output
    assert "已生成 1 个修改后的副本" in result.output
    assert "仍需单位修改：错误 0 条、警告 6 条" in result.output  # the 3 S10 of each file
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["a[red]b.xlsx"]


def test_cli_a_clean_file_writes_nothing(tmp_path: Path) -> None:
    path = _window(tmp_path)
    result = run("fix", path, "-o", tmp_path / "out")
    assert result.exit_code == 0
    assert "没有可以自动修改的问题" in result.output and "已生成 0 个修改后的副本" in result.output
    assert not (tmp_path / "out").exists()


def test_cli_an_xls_return_gets_the_list_and_no_copy(tmp_path: Path) -> None:
    source = shutil.copy(SEED002.with_suffix(".xls"), tmp_path / "seed002.xls")
    result = run("fix", source, "-o", tmp_path / "out")
    assert result.exit_code == 0
    assert "F10" in result.output and "29620000" in result.output
    assert ".xls 文件不能直接修改" in result.output and "另存为 .xlsx" in result.output
    assert not (tmp_path / "out").exists()


def test_cli_never_overwrites_without_force_nor_an_input(tmp_path: Path, run_main: Any) -> None:
    path = edit_workbook(_window(tmp_path), {"H34": "良"})
    before = sha256(path)
    out = tmp_path / "out"
    assert run_main("fix", str(path), "-o", str(out)).code == 0
    made = sha256(out / "window.xlsx")
    again = run_main("fix", str(path), "-o", str(out))
    assert again.code == 2 and "已存在" in again.err and "--force" in again.err
    assert sha256(out / "window.xlsx") == made
    assert run_main("fix", str(path), "-o", str(out), "--force").code == 0
    into_input = run_main("fix", str(path), "-o", str(tmp_path), "--force")
    assert into_input.code == 2 and "不能与输入文件相同" in into_input.err
    assert sha256(path) == before
    assert sorted(p.name for p in out.iterdir()) == ["window.xlsx"]  # no temporary left


@pytest.mark.parametrize("args", [("fix", "x.xlsx"), ("fix", "-o", "out")])
def test_cli_usage_errors(tmp_path: Path, run_main: Any, args: tuple[str, ...]) -> None:
    outcome = run_main(*args)
    assert outcome.code == 2 and "用法错误" in outcome.err


def test_cli_an_unreadable_file_exits_3_and_the_others_are_fixed(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "broken.xlsx").write_bytes(b"not a workbook")
    edit_workbook(_window(folder), {"H34": "良"})
    result = run("fix", folder, "-o", tmp_path / "out")
    assert result.exit_code == 3
    assert "broken.xlsx：文件无法读取或不含表单，未修改" in result.output
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["window.xlsx"]


def test_full_width_digits_in_an_amount(tmp_path: Path) -> None:
    path = edit_workbook(_window(tmp_path), {"E6": "７２００００"})  # 全年预算数 as text
    assert ("R06", f"{SE}!E6") in _found(path, ("R06",))
    [result] = api.fix([path], tmp_path / "out")
    assert (result.changes[0].cell, result.changes[0].new) == ("E6", 720000.0)
    copy = tmp_path / "out" / "window.xlsx"
    assert openpyxl.load_workbook(copy)[SE]["E6"].value == 720000
    assert _found(copy, ("R06", *DERIVED)) == []


def test_a_rate_in_a_layout_of_another_region(tmp_path: Path) -> None:
    """variants.xlsx: two 自评表 stacked in one sheet; the first (61.53 of 72.00 万元) is
    printed as 85.47 % there, which S02 accepts for amounts rounded to the cent, so the
    clerk's slip is typed in: 80.00 %."""
    source = shutil.copy(ROOT / "fixtures" / "seeds" / "variants.xlsx", tmp_path / "v.xlsx")
    sheet = "自评表（两张）"
    edit_workbook(Path(source), {"H6": 0.8}, sheet=sheet)
    [result] = api.fix([source], tmp_path / "out")
    assert [(c.rule, c.location, c.old, c.new) for c in result.changes] == [
        ("S02", f"{sheet}!H6", 80.0, 85.46)
    ]
    copy = tmp_path / "out" / "v.xlsx"
    assert _found(copy, ("S02",)) == []
    assert openpyxl.load_workbook(copy)[sheet]["H6"].value == 0.8546  # a fraction, as it was


def test_a_rate_typed_as_a_plain_percentage_stays_one(tmp_path: Path) -> None:
    def typed(ws: Any) -> None:
        ws["H6"] = 90
        ws["H6"].number_format = "General"

    path = edit_workbook(_window(tmp_path), edit=typed)
    [result] = api.fix([path], tmp_path / "out")
    assert (result.changes[0].rule, result.changes[0].new) == ("S02", 85.46)
    copy = tmp_path / "out" / "window.xlsx"
    assert openpyxl.load_workbook(copy)[SE]["H6"].value == 85.46  # as the clerk writes it
    assert _found(copy, ("S02",)) == []


def test_a_file_openpyxl_cannot_open_is_reported_not_a_crash(tmp_path: Path) -> None:
    """A malformed styles part: calamine reads the values, openpyxl refuses the file."""
    good = edit_workbook(_window(tmp_path), {"H34": "良"})
    broken = tmp_path / "in" / "broken.xlsx"
    broken.parent.mkdir()
    bad_styles = (
        b"<styleSheet xmlns='http://schemas.openxmlformats.org/spreadsheetml/2006/main'>"
        b"<numFmts count='1'><numFmt/></numFmts></styleSheet>"
    )
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(broken, "w") as dst:
        for info in src.infolist():
            dst.writestr(info, bad_styles if info.filename == "xl/styles.xml" else src.read(info))
    result = run("fix", broken, "-o", tmp_path / "out")
    assert result.exit_code == 3
    assert "无法生成副本" in result.output and "另存后再试" in result.output
    assert list((tmp_path / "out").iterdir()) == []  # no half-written copy, no temporary
