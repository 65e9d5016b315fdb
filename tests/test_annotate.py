"""Annotated copies of every input format, and the formula values they keep (issue 14).

A copy is what a clerk sends back: it must say what it is (an .xlsx copy of a .xls,
.ods or WPS .et return), mark the same findings, and re-check as its original does —
openpyxl saves formulas without their values, which a reader that does not
recalculate (and xltools check) would see as blanks (R05).
"""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import xlsxwriter
from click.testing import CliRunner
from python_calamine import CalamineWorkbook

from xltools import api
from xltools.cli import cli
from xltools.model import SELF_EVALUATION
from xltools.write.annotate import RESULT_SHEET, annotate
from xltools.write.cached import fill, formula_results

SEEDS = Path(__file__).parent / "fixtures" / "seeds"


def _keys(report: Any) -> list[tuple[str, str | None, str | None, str]]:
    """The findings of a one-file report, wherever the file lives."""
    [fr] = report.files
    return [(f.rule, f.sheet, f.cell, f.message) for f in fr.findings]


def _self_evaluation(folder: Path, name: str = "自评表.xlsx") -> Path:
    """Our template filled with a seed 自评表: formulas with their values (执行率 …)."""
    record = next(r for r in api.example_records() if r.kind == SELF_EVALUATION)
    record.indicators[0].score = 13  # S08: a finding to mark
    return api.write_form(folder / name, record)


@pytest.mark.parametrize(
    ("seed", "suffix", "kind"),
    [
        ("seed004_self_evaluations_2022.xls", ".xls", "Excel 97-2003（.xls）"),
        ("seed004_self_evaluations_2022.ods", ".ods", "OpenDocument（.ods）"),
        ("seed000_declarations_2022.xls", ".et", "WPS 表格（.et）"),  # WPS saves BIFF8
        ("seed002_declarations_2025.xlsx", ".et", "WPS 表格（.et）"),  # or a zip like .xlsx
    ],
)
def test_other_formats_get_an_xlsx_copy_with_a_note(
    tmp_path: Path, seed: str, suffix: str, kind: str
) -> None:
    source = tmp_path / "收回" / f"退回{suffix}"
    source.parent.mkdir()
    shutil.copyfile(SEEDS / seed, source)
    before = source.read_bytes()
    out = tmp_path / "批注"
    result = CliRunner().invoke(cli, ["check", str(source.parent), "--annotate", str(out)])
    assert result.exit_code in (0, 1), result.output  # found in the folder scan, read
    assert "已生成 1 个批注副本" in result.output
    assert f"退回.xlsx：原文件 退回{suffix} 为 {kind}格式" in result.output  # said on screen
    assert source.read_bytes() == before
    copy = out / "退回.xlsx"
    book = openpyxl.load_workbook(copy)
    sheet = book[RESULT_SHEET]
    assert book.sheetnames[0] == RESULT_SHEET
    assert sheet["A2"].value == f"文件：退回{suffix}"
    assert f"为 {kind}格式，批注副本另存为 .xlsx" in sheet["A3"].value  # said in the copy
    # The copy holds every sheet, value and merged cell calamine reads in the original.
    original = CalamineWorkbook.from_path(str(source))
    again = CalamineWorkbook.from_path(str(copy))
    assert again.sheet_names == [RESULT_SHEET, *original.sheet_names]
    for name in original.sheet_names:
        a, b = original.get_sheet_by_name(name), again.get_sheet_by_name(name)
        assert b.to_python(skip_empty_area=False) == a.to_python(skip_empty_area=False), name
        assert sorted(b.merged_cell_ranges or ()) == sorted(a.merged_cell_ranges or ()), name
    # Printable as it is: A4, one page wide, a grid, rows as tall as their wrapped text.
    wrapped = 0
    for name in original.sheet_names:
        ws = book[name]
        assert ws.page_setup.paperSize == 9 and ws.page_setup.fitToWidth == 1, name
        assert ws.sheet_properties.pageSetUpPr.fitToPage, name
        assert ws["A3"].border.left.style == "thin", name
        assert "第 &P 页，共 &N 页" in ws.oddFooter.center.text
        for row in ws.iter_rows():
            for cell in row:
                text = cell.value if isinstance(cell.value, str) else ""
                if not text or any(cell.coordinate in m for m in ws.merged_cells.ranges):
                    continue
                width = ws.column_dimensions[cell.column_letter].width
                if 2 * len(text) > 2 * (width - 1):  # surely two lines or more
                    assert (ws.row_dimensions[cell.row].height or 0) >= 28, cell.coordinate
                    wrapped += 1
    if seed.startswith("seed004"):
        assert wrapped  # the 自评表 have 偏差原因 that wrap: the check above did run
    # Findings marked where they are, and the copy re-checks to the same findings.
    report = api.check([source])
    for rule, sheet_name, cell, message in _keys(report):
        if sheet_name and cell and cell[0].isalpha():
            comment = book[sheet_name][cell].comment
            assert comment is not None and f"[{rule} " in comment.text and message in comment.text
    assert _keys(api.check([copy])) == _keys(report)


def test_et_files_are_scanned_in_folders(tmp_path: Path) -> None:
    shutil.copyfile(SEEDS / "seed000_declarations_2022.xls", tmp_path / "甲.et")
    shutil.copyfile(SEEDS / "seed002_declarations_2025.xlsx", tmp_path / "乙.ET")
    (tmp_path / "说明.txt").write_text("不是表格", "utf-8")
    [a, b] = api.read([tmp_path])
    assert (Path(a.file).name, Path(b.file).name) == ("乙.ET", "甲.et")
    # Read by content, whatever the name says: the same forms as the originals.
    [xlsx] = api.read([SEEDS / "seed002_declarations_2025.xlsx"])
    [xls] = api.read([SEEDS / "seed000_declarations_2022.xls"])
    assert [r.project_name for r in a.records] == [r.project_name for r in xlsx.records]
    assert [r.project_name for r in b.records] == [r.project_name for r in xls.records]
    assert len(a.records) == 3 and len(b.records) == 3


def test_a_plain_openpyxl_save_loses_the_formula_values(tmp_path: Path) -> None:
    """The precondition of the next test: without the values written back, R05."""
    form = _self_evaluation(tmp_path)
    assert not any(f.rule == "R05" for f in api.check([form]).findings)
    book = openpyxl.load_workbook(form)
    book.save(tmp_path / "resaved.xlsx")
    assert any(f.rule == "R05" for f in api.check([tmp_path / "resaved.xlsx"]).findings)


def test_copy_keeps_the_cached_formula_values_and_rechecks_clean(tmp_path: Path) -> None:
    form = _self_evaluation(tmp_path)
    report = api.check([form])
    assert any(f.rule == "S08" for f in report.findings)
    copy = annotate(report.files[0], tmp_path / "批注" / "自评表.xlsx")
    formulas = openpyxl.load_workbook(form)
    values = openpyxl.load_workbook(form, data_only=True)
    copy_formulas = openpyxl.load_workbook(copy)
    copy_values = openpyxl.load_workbook(copy, data_only=True)
    n = 0
    for ws in formulas.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type != "f":
                    continue
                n += 1
                ref = cell.coordinate
                assert copy_formulas[ws.title][ref].value == cell.value  # still a formula
                assert copy_values[ws.title][ref].value == values[ws.title][ref].value, ref
    assert n >= 5  # 执行率, 执行率得分, 总分, 评分等级 and the 分值 sum at least
    assert _keys(api.check([copy])) == _keys(report)  # no R05, nothing new


def test_cached_text_true_and_errors_are_written_back_typed(tmp_path: Path) -> None:
    source = tmp_path / "公式.xlsx"
    book = xlsxwriter.Workbook(str(source))
    ws = book.add_worksheet("表")
    ws.write_number("A1", 3)
    ws.write_formula("B1", '=IF(A1>2,"优","差")', None, "优")
    ws.write_formula("C1", "=A1>2", None, True)
    ws.write_formula("D1", "=1/0", None, "#DIV/0!")
    ws.write_formula("E1", "=A1*0.1", None, 0.30000000000000004)
    ws.write_formula("F1", '="<a & b>"', None, "<a & b>")
    book.close()
    report = api.check([source])
    out = annotate(report.files[0], tmp_path / "批注.xlsx")
    cached = openpyxl.load_workbook(out, data_only=True)["表"]
    assert [cached[c].value for c in ("B1", "C1", "D1", "E1", "F1")] == [
        "优",
        True,
        "#DIV/0!",
        0.30000000000000004,
        "<a & b>",
    ]
    assert openpyxl.load_workbook(out)["表"]["B1"].value == '=IF(A1>2,"优","差")'


def test_values_go_back_whichever_xml_writer_openpyxl_used(tmp_path: Path) -> None:
    """With lxml installed, openpyxl writes an empty value as <v></v>, not <v />."""
    form = _self_evaluation(tmp_path)
    book = openpyxl.load_workbook(form)
    results = formula_results(form, book)
    saved = tmp_path / "saved.xlsx"
    book.save(saved)
    lxml_style = tmp_path / "lxml.xlsx"
    empty = written = 0
    parts = {ws.path.lstrip("/"): ws.title for ws in book.worksheets}
    with zipfile.ZipFile(saved) as src, zipfile.ZipFile(lxml_style, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename in parts:
                text = data.decode("utf-8")
                for empty_value in ("<v />", "<v/>"):  # however this openpyxl wrote it
                    text = text.replace(empty_value, "<v></v>")
                empty += text.count("<v></v>")
                xml, count = fill(text, parts[item.filename], results)
                data, written = xml.encode("utf-8"), written + count
            dst.writestr(item, data)
    assert empty >= 5  # the precondition: the formulas were saved without values
    assert written >= 5
    values = openpyxl.load_workbook(form, data_only=True)
    restored = openpyxl.load_workbook(lxml_style, data_only=True)
    for ws in values.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert restored[ws.title][cell.coordinate].value == cell.value
