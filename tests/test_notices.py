"""退回修改通知 (``check --notices``): read back with python-docx, and printed by LibreOffice.

The forms are those of test_check_cli: the "error" 自评表 (S15 B11, S08 H13, S09 I15),
the seed 申报表 with two D02 warnings, and a clean 自评表.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path
from typing import Any

import docx
import pytest
from docx.oxml.ns import qn
from test_check_cli import OTHER_UNIT, UNIT, clean_form, error_form, run, sha256, warn_form
from test_roundtrip import Soffice

from xltools import api

DAY = dt.date(2026, 3, 9)


def _notice_text(path: Path) -> tuple[list[str], list[list[list[str]]]]:
    document = docx.Document(str(path))
    paragraphs = [p.text for p in document.paragraphs]
    tables = [[[c.text for c in row.cells] for row in t.rows] for t in document.tables]
    return paragraphs, tables


@pytest.fixture
def returned(tmp_path: Path) -> Path:
    """One folder as a clerk receives it: two files of UNIT with problems, one clean."""
    folder = tmp_path / "收回"
    folder.mkdir()
    error_form(folder, "b_error.xlsx")
    warn_form(folder, "a_warn.xlsx")
    clean_form(folder, "c_clean.xlsx", unit=OTHER_UNIT)
    return folder


def test_one_notice_per_unit_with_problems(returned: Path, tmp_path: Path) -> None:
    report = api.check([returned])
    written = api.write_notices(report, tmp_path / "通知", date=DAY)
    # OTHER_UNIT's only file is clean: no notice for it.
    assert [p.name for p in written] == [f"退回修改通知_{UNIT}.docx"]
    paragraphs, tables = _notice_text(written[0])
    assert paragraphs[0] == "退回修改通知"
    assert "2026年3月9日" in paragraphs
    assert f"{UNIT}：" in paragraphs
    # The file with errors comes first, then the one with warnings only.
    headings = [p for p in paragraphs if p.startswith(("一、", "二、", "三、"))]
    assert headings == ["一、b_error.xlsx", "二、a_warn.xlsx"]
    assert len(tables) == 2
    header, *rows = tables[0]
    assert header == ["序号", "位置", "类别", "问题及修改要求", "表中内容", "应为"]
    # Errors before warnings: S08 H13 and S09 I15, then S15 B11.
    assert [(r[1], r[2]) for r in rows] == [
        ("自评表!H13", "错误"),
        ("自评表!I15", "错误"),
        ("自评表!B11", "警告"),
    ]
    assert rows[0][4:] == ["13", "0–12.00"]  # what is there, what it should be
    assert "修改：请把得分改为 0 到分值之间的数。" in rows[0][3]
    assert "修改：请填写偏差原因分析及改进措施。" in rows[1][3]
    assert [(r[1], r[2]) for r in tables[1][1:]] == [("申报表!C7", "警告"), ("申报表!B12", "警告")]
    assert any("经办人" in p and "日期" in p for p in paragraphs[-3:])
    opening = next(p for p in paragraphs if p.startswith("经审核"))
    assert "2 个文件中有 2 个需要修改" in opening and "错误 2 处" in opening


def test_two_units_get_two_notices_each_with_its_own_files(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    error_form(folder, "ours.xlsx")
    other = error_form(folder, "theirs.xlsx")
    report = api.check([folder])
    for fr in report.files:
        if fr.file == str(other):
            fr.records[0].implementing_unit = OTHER_UNIT
    written = api.write_notices(report, tmp_path / "out", date=DAY)
    assert [p.name for p in written] == sorted(f"退回修改通知_{u}.docx" for u in (UNIT, OTHER_UNIT))
    for path in written:
        paragraphs, tables = _notice_text(path)
        ours = path.name == f"退回修改通知_{UNIT}.docx"
        assert f"{UNIT if ours else OTHER_UNIT}：" in paragraphs
        assert [p for p in paragraphs if p.startswith("一、")] == [
            f"一、{'ours' if ours else 'theirs'}.xlsx"
        ]
        assert len(tables) == 1


def test_a_unit_with_errors_and_a_clean_file_names_the_clean_one(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    error_form(folder, "bad.xlsx")
    clean_form(folder, "good.xlsx")
    [notice] = api.write_notices(api.check([folder]), tmp_path / "out", date=DAY)
    paragraphs, tables = _notice_text(notice)
    assert len(tables) == 1
    assert any("good.xlsx" in p and "无需重新报送" in p for p in paragraphs)


def test_print_setup_fonts_and_page_numbers(returned: Path, tmp_path: Path) -> None:
    [path] = api.write_notices(api.check([returned]), tmp_path / "通知", date=DAY)
    document = docx.Document(str(path))
    section = document.sections[0]
    assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (21.0, 29.7)
    assert section.left_margin.cm > 2 and section.right_margin.cm > 2
    fonts = document.styles["Normal"].element.rPr.rFonts
    assert fonts.get(qn("w:eastAsia")) == "仿宋"
    title = document.paragraphs[0].runs[0]._r.rPr.rFonts
    assert title.get(qn("w:eastAsia")) == "宋体"
    footer = section.footer.paragraphs[0]._p.xml
    assert "PAGE" in footer and "NUMPAGES" in footer and "共" in footer
    # The header row repeats on every page of a long table.
    assert document.tables[0].rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None


def test_unit_names_become_windows_safe_file_names(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    path = error_form(folder, "e.xlsx")
    report = api.check([path])
    for fr in report.files:
        for record in fr.records:
            record.implementing_unit = "长宁区/医保:中心"
    [notice] = api.write_notices(report, tmp_path / "out", date=DAY)
    assert notice.name == "退回修改通知_长宁区_医保_中心.docx"
    assert "长宁区/医保:中心：" in _notice_text(notice)[0]


def test_cli_notices_never_overwrite_without_force(
    returned: Path, tmp_path: Path, run_main: Any
) -> None:
    out = tmp_path / "通知"
    before = {p.name: sha256(p) for p in returned.iterdir()}
    first = run_main("check", str(returned), "--notices", str(out))
    assert first.code == 1  # the error form
    assert f"已生成 1 份退回修改通知，位于：{out}" in first.out
    notice = out / f"退回修改通知_{UNIT}.docx"
    made = sha256(notice)
    again = run_main("check", str(returned), "--notices", str(out))
    assert again.code == 2 and "已存在" in again.err and "--force" in again.err
    assert sha256(notice) == made
    forced = run_main("check", str(returned), "--notices", str(out), "--force")
    assert forced.code == 1 and docx.Document(str(notice)).paragraphs[0].text == "退回修改通知"
    assert {p.name: sha256(p) for p in returned.iterdir()} == before  # inputs only read
    assert sorted(p.name for p in out.iterdir()) == [notice.name]  # no temporary left


def test_cli_nothing_to_send_back(tmp_path: Path) -> None:
    clean_form(tmp_path, "clean.xlsx")
    result = run("check", tmp_path / "clean.xlsx", "--notices", tmp_path / "通知")
    assert result.exit_code == 0
    assert "没有需要退回修改的文件" in result.output
    assert not (tmp_path / "通知").exists()


def test_notices_must_be_a_folder(returned: Path, tmp_path: Path, run_main: Any) -> None:
    (tmp_path / "file.txt").write_text("x")
    outcome = run_main("check", str(returned), "--notices", str(tmp_path / "file.txt"))
    assert outcome.code == 2 and "--notices 应为文件夹" in outcome.err


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> Soffice:
    binary = shutil.which("soffice") or shutil.which("libreoffice")
    if binary is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    return Soffice(binary, tmp_path_factory.mktemp("lo-profile"))


@pytest.mark.libreoffice
def test_notice_prints_on_a4_with_page_numbers(office: Soffice, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(4):  # enough findings for a second page
        error_form(folder, f"e{i}.xlsx")
        warn_form(folder, f"w{i}.xlsx")
    [notice] = api.write_notices(api.check([folder]), tmp_path / "out", date=DAY)
    [pdf] = office.convert([notice], "pdf", tmp_path / "pdf")
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    pages = int(next(x for x in info.stdout.splitlines() if x.startswith("Pages:")).split()[1])
    assert pages >= 2
    assert "595" in info.stdout and "841" in info.stdout  # A4 in points
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert f"第 1 页，共 {pages} 页" in text and f"第 {pages} 页，共 {pages} 页" in text
    assert "经办人" in text.split("\f")[pages - 1]  # the signature ends the notice


def test_stacked_forms_name_the_project_of_each_finding(tmp_path: Path) -> None:
    stacked = Path(__file__).parent / "fixtures" / "seeds" / "seed004_stacked.xlsx"
    [notice] = api.write_notices(api.check([stacked]), tmp_path / "out", date=DAY)
    _, [table] = _notice_text(notice)
    assert table[1][1] == "2022年度自评表!B34"
    assert table[1][3].startswith("［市民社区医疗互助帮困专项补助（市拨）］")


def test_an_unreadable_file_gets_a_notice_without_a_unit(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "broken.xlsx").write_bytes(b"not a workbook")
    [notice] = api.write_notices(api.check([folder]), tmp_path / "out", date=DAY)
    assert notice.name == "退回修改通知_未识别单位.docx"
    paragraphs, [table] = _notice_text(notice)
    assert "报送单位：" in paragraphs
    assert table[1][1:3] == ["整个文件", "错误"]
    assert "重新保存为 .xlsx" in table[1][3]
