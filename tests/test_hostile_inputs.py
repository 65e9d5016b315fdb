"""The bad-input catalogue (testkit/badfiles.py): each case gives its finding and exit
code, the rest of the batch goes on, and no input is ever changed.

Hostile cases that once ended the whole run: a cell at XFD1048576 (calamine asked for
512 GB and aborted), a FIFO (blocked forever), a dangling link (exit 2), a date in an
amount cell (exit 4, no JSON), a far-out date (a Rust panic as a traceback).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import struct
import zipfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from testkit import badfiles as bad
from xltools import api
from xltools.cli import cli
from xltools.read import limits

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

INPUTS = [n for n in bad.CASES if n not in bad.NOT_INPUTS]
POSIX = pytest.mark.skipif(os.name != "posix", reason="FIFOs and symlinks as POSIX has them")


def digests(folder: Path) -> dict[str, str]:
    """Every regular file under ``folder`` and its SHA-256 (links and pipes by their target)."""
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.iterdir())
        if p.is_file() and not p.is_symlink()
    }


def check_json(*args: str):
    result = CliRunner().invoke(cli, ["check", *args, "--format", "json"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result, json.loads(result.stdout)


@pytest.mark.parametrize("name", INPUTS)
def test_each_case_gives_its_finding_and_exit_code(tmp_path: Path, name: str) -> None:
    case = bad.CASES[name]
    if name in bad.SPECIAL and os.name != "posix":
        pytest.skip("POSIX file types")
    [path] = bad.build(tmp_path, [name])
    before = digests(tmp_path)
    result, report = check_json(str(path))
    assert result.exit_code == case.exit, result.output
    [file_report] = report["files"]
    assert file_report["file"] == str(path)
    findings = file_report["findings"]
    if case.rule is not None:
        hits = [f for f in findings if f["rule"] == case.rule]
        assert hits, findings
        assert any(case.word in f["message"] for f in hits), hits
    assert not any(f["rule"] in ("R01", "R20", "R21") for f in findings if f["rule"] != case.rule)
    assert "Traceback" not in result.output
    assert digests(tmp_path) == before


@pytest.mark.parametrize(
    ("name", "cell"),
    [
        ("金额是日期.xlsx", "E7"),
        ("金额无穷大.xlsx", "E7"),
        ("金额非数字.xlsx", "E7"),
        ("金额过大.xlsx", "E7"),
        ("金额是逻辑值.xlsx", "E7"),
    ],
)
def test_odd_values_in_an_amount_are_r04_at_the_cell_and_never_stored(
    tmp_path: Path, name: str, cell: str
) -> None:
    [path] = bad.build(tmp_path, [name])
    [res] = api.read([path])
    assert [f.cell for f in res.findings if f.rule == "R04"] == [cell]
    assert res.records[0].funds.annual_total is None
    json.dumps([f.to_dict() for f in res.findings], allow_nan=False)  # plain JSON values


def test_an_error_value_in_an_amount_reads_as_blank_not_zero(tmp_path: Path) -> None:
    [path] = bad.build(tmp_path, ["金额是错误值.xlsx"])
    [res] = api.read([path])
    assert res.records[0].funds.annual_total is None


def test_an_ordinary_amount_is_no_r04(tmp_path: Path) -> None:
    [res] = api.read([bad.DECLARATION])
    assert not [f for f in res.findings if f.rule == "R04"]
    assert res.records[0].funds.annual_total == 100000


def test_r20_cell_far_out_is_over_the_limit_and_costs_nothing(tmp_path: Path) -> None:
    [path] = bad.build(tmp_path, ["单元格在XFD1048576.xlsx"])
    [res] = api.read([path])
    [over] = [f for f in res.findings if f.rule == "R20"]
    assert over.sheet == "申报表"
    assert "1,048,576" in over.message
    assert not res.readable


def test_r20_not_raised_for_a_normal_form_or_formats_far_out(tmp_path: Path) -> None:
    # A self-closing <c r="XFD5000" s="1"/> is a format only: calamine gives it no cell.
    path = tmp_path / "格式很远.xlsx"
    bad.add_rows(b'<row r="5000"><c r="XFD5000" s="1"/></row>')(path)
    for source in (bad.DECLARATION, bad.SELF_EVALUATION, path):
        [res] = api.read([source])
        assert not [f for f in res.findings if f.rule in ("R20", "R01")]
        assert res.records


def test_r20_only_the_sheet_over_the_limit_is_skipped(tmp_path: Path) -> None:
    """A far cell in a sheet beside the form (填表说明 renamed 附表, so that it is read):
    the form in the first sheet is still read, the other sheet is not."""
    path = tmp_path / "附表很大.xlsx"
    far = b'<row r="200000"><c r="A200000"><v>1</v></c></row></sheetData>'
    with zipfile.ZipFile(bad.DECLARATION) as zf:
        last = sorted(n for n in zf.namelist() if n.startswith("xl/worksheets/sheet"))[-1]

    def edit(name: str, data: bytes) -> bytes:
        if name == last:
            return data.replace(b"</sheetData>", far)
        if name == "xl/workbook.xml":
            return data.replace('name="填表说明"'.encode(), 'name="附表"'.encode())
        return data

    bad.rezip(bad.DECLARATION, path, edit)
    [res] = api.read([path])
    assert [r.project_name for r in res.records] == ["信息系统维护经费"]
    [over] = [f for f in res.findings if f.rule == "R20"]
    assert over.sheet == "附表"


def test_template_sheets_beside_a_stamped_form_are_not_scanned(tmp_path: Path) -> None:
    """The template's own 填表说明 beside a stamped form is never read, so never allocated:
    a far cell in it is no R20, and the form reads as it does without it."""
    path = tmp_path / "说明页很大.xlsx"
    far = b'<row r="200000"><c r="A200000"><v>1</v></c></row></sheetData>'
    with zipfile.ZipFile(bad.DECLARATION) as zf:
        last = sorted(n for n in zf.namelist() if n.startswith("xl/worksheets/sheet"))[-1]
    bad.rezip(
        bad.DECLARATION, path, lambda n, d: d.replace(b"</sheetData>", far) if n == last else d
    )
    [res] = api.read([path])
    [plain] = api.read([bad.DECLARATION])
    assert [r.project_name for r in res.records] == ["信息系统维护经费"]
    assert not [f for f in res.findings if f.rule in ("R20", "R01")]
    assert [f.rule for f in res.findings] == [f.rule for f in plain.findings]


def test_the_limits_scan_counts_cells_without_references() -> None:
    cells = b"".join(b"<c><v>1</v></c>" for _ in range(limits.MAX_COLS + 1))
    assert "列" in (
        limits.scan_xlsx_sheet(b"<sheetData><row>" + cells + b"</row></sheetData>") or ""
    )
    assert limits.scan_xlsx_sheet(b"<sheetData><row><c><v>1</v></c></row></sheetData>") is None


@pytest.mark.parametrize(
    ("cell", "over"),
    [
        (b'<c r="Z999" t="s"><v>1</v></c>', None),  # the corner of the quick answer
        (b'<c r="ZZ999" s="1"/>', None),  # a format only, however far
        (b'<c r="A100001"><v>1</v></c>', "行"),
        (b'<c r="ALM1"><v>1</v></c>', "列"),
        (b'<c r="AA20000"><v>1</v></c>', "单元格"),  # 27 × 20,000 > MAX_AREA
        (b'<c s="1" r="A100001"><v>1</v></c>', "行"),  # its reference not first
        (b'<c\tr="A100001"><v>1</v></c>', "行"),  # a tab before it
        (b'<c\nr="A100001"><v>1</v></c>', "行"),
        (b'<x:c r="A100001"><x:v>1</x:v></x:c>', "行"),  # a namespace prefix
    ],
)
def test_the_limits_scan_by_cell(cell: bytes, over: str | None) -> None:
    xml = b'<sheetData><row r="1"><c r="A1"><v>1</v></c>' + cell + b"</row></sheetData>"
    problem = limits.scan_xlsx_sheet(xml)
    assert (problem is None) if over is None else (over in (problem or ""))


def test_the_limits_scan_reads_ods_repeated_rows_and_cells() -> None:
    row = (
        b'<table:table-row table:number-rows-repeated="%d">'
        b'<table:table-cell office:value-type="float"><text:p>1</text:p></table:table-cell>'
        b"</table:table-row>"
    )
    empty_rows = (
        b'<table:table-row table:number-rows-repeated="1048000">'
        b'<table:table-cell table:number-columns-repeated="1024"/></table:table-row>'
    )
    content = b'<table:table table:name="S">%s%s</table:table>'
    # LibreOffice writes the empty rest of a sheet as repeated empty rows: not content.
    assert limits.scan_ods_content(content % (row % 5, empty_rows)) == []
    [problem] = limits.scan_ods_content(content % (row % 200_000, b""))
    assert problem.sheet == "S"
    assert "100,000" in problem.message


@POSIX
def test_r21_special_files_in_a_folder_are_findings_and_the_rest_is_read(tmp_path: Path) -> None:
    folder = tmp_path / "收回"
    bad.build(folder, sorted(bad.SPECIAL))
    shutil.copyfile(bad.DECLARATION, folder / bad.DECLARATION.name)
    (folder / "子文件夹").mkdir()
    (folder / "子文件夹" / "回到上级").symlink_to("..")  # a loop through a folder link
    result, report = check_json(str(folder))
    assert result.exit_code == 3
    files = {Path(fr["file"]).name: fr for fr in report["files"]}
    assert set(files) == {*bad.SPECIAL, bad.DECLARATION.name}
    for name in bad.SPECIAL:
        assert [f["rule"] for f in files[name]["findings"]] == ["R21"]
    assert files[bad.DECLARATION.name]["projects"] == ["信息系统维护经费"]


def test_r21_not_raised_for_a_link_to_a_real_workbook(tmp_path: Path) -> None:
    link = tmp_path / "链接.xlsx"
    try:
        link.symlink_to(bad.DECLARATION)
    except OSError:
        pytest.skip("no symlinks here")
    [res] = api.read([link])
    assert not [f for f in res.findings if f.rule in ("R21", "R01")]


@POSIX
def test_a_device_given_directly_is_r21_not_an_endless_read() -> None:
    [res] = api.read([Path("/dev/zero")])
    assert [f.rule for f in res.findings] == ["R21"]
    assert "设备" in res.findings[0].message


def test_lock_files_and_our_temp_files_are_never_inputs(tmp_path: Path) -> None:
    bad.build(tmp_path, sorted(bad.NOT_INPUTS))
    shutil.copyfile(bad.DECLARATION, tmp_path / "申报表.xlsx")
    assert [p.name for p in api.discover([tmp_path])] == ["申报表.xlsx"]


def test_a_file_removed_after_discovery_is_a_finding(tmp_path: Path, monkeypatch) -> None:
    from xltools.check import checker as checking

    kept, gone = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    shutil.copyfile(bad.DECLARATION, kept)
    shutil.copyfile(bad.DECLARATION, gone)
    real = checking.read_workbook

    def read_then_vanish(path, profile):
        if Path(path) == kept:
            gone.unlink()
        return real(path, profile)

    monkeypatch.setattr(checking, "read_workbook", read_then_vanish)
    report = api.check([tmp_path])
    assert [fr.file for fr in report.files] == [str(kept), str(gone)]
    [finding] = report.files[1].findings
    assert finding.rule == "R01"
    assert "不存在" in finding.message
    assert report.exit_code() == 3


def test_an_unreadable_file_is_r01_with_the_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "无权限.xlsx"
    shutil.copyfile(bad.DECLARATION, path)
    if os.name == "posix" and os.geteuid() != 0:
        path.chmod(0)
    else:  # root (as CI runs) reads a mode-0 file: the system's refusal is simulated
        from xltools.read import paths

        real_open = paths.os.open

        def refuse(name: Any, *args: Any, **kwargs: Any) -> int:
            if Path(name) == path:
                raise PermissionError(13, "Permission denied", str(name))
            return real_open(name, *args, **kwargs)

        monkeypatch.setattr(paths.os, "open", refuse)
    try:
        [res] = api.read([path])
    finally:
        path.chmod(0o644)
    assert [f.rule for f in res.findings] == ["R01"]
    assert "权限" in res.findings[0].message


def test_the_whole_catalogue_in_one_folder_every_input_reported(tmp_path: Path) -> None:
    folder = tmp_path / "收回"
    names = [n for n in bad.CASES if os.name == "posix" or n not in bad.SPECIAL]
    bad.build(folder, names)
    before = digests(folder)
    result, report = check_json(str(folder))
    assert result.exit_code == 3
    reported = [Path(fr["file"]).name for fr in report["files"]]
    assert sorted(reported) == sorted(n for n in names if n not in bad.NOT_INPUTS)
    assert digests(folder) == before


def test_r22_a_text_over_excels_limit_is_cut_and_can_be_written_again(tmp_path: Path) -> None:
    [path] = bad.build(tmp_path, ["项目名称过长.xlsx"])
    [res] = api.read([path])
    [long] = [f for f in res.findings if f.rule == "R22"]
    assert long.cell == "B3"
    assert len(res.records[0].project_name) == 32_767
    written = api.prefill([path], tmp_path / "自评表")
    assert len(written.written) == 1
    plan = api.merge([path], tmp_path / "汇总.xlsx")
    assert len(plan.entries) == 1


def test_r22_not_raised_for_ordinary_texts() -> None:
    for source in (bad.DECLARATION, bad.SELF_EVALUATION):
        [res] = api.read([source])
        assert "R22" not in {f.rule for f in res.findings}


def _biff(kind: int, body: bytes) -> bytes:
    return struct.pack("<HH", kind, len(body)) + body


def test_r20_the_xls_scan_reads_cell_records_of_each_sheet() -> None:
    """BIFF8 records written by hand: globals naming one sheet, the sheet with two cells."""
    name = "申报表".encode("utf-16-le")

    def stream(last_row: int, last_col: int) -> bytes:
        bof = _biff(0x0809, b"\x00\x06\x10\x00" + b"\x00" * 12)
        sheet_at = len(bof) + len(_biff(0x0085, b"\x00" * (8 + len(name)))) + 4
        globals_ = bof + _biff(0x0085, struct.pack("<IBBBB", sheet_at, 0, 0, 3, 1) + name)
        globals_ += _biff(0x000A, b"")
        number = struct.pack("<HHH", 2, 1, 0) + struct.pack("<d", 1.0)
        far = struct.pack("<HHH", last_row, last_col, 0) + struct.pack("<d", 1.0)
        return globals_ + bof + _biff(0x0203, number) + _biff(0x0203, far) + _biff(0x000A, b"")

    assert limits.scan_biff(stream(40, 10)) == []
    [problem] = limits.scan_biff(stream(65535, 255))
    assert problem.sheet == "申报表"
    assert "65,536 行 × 256 列" in problem.message


def test_an_xls_that_aborts_calamine_costs_that_file_only(tmp_path: Path) -> None:
    """A real abort (a 1 TB allocation in calamine's OLE reader): R01, the batch goes on."""
    shutil.copyfile(HERE / "fixtures" / "bad" / "calamine_abort.xls", tmp_path / "坏.xls")
    shutil.copyfile(bad.DECLARATION, tmp_path / "好.xlsx")
    result, report = check_json(str(tmp_path))
    assert result.exit_code == 3
    files = {Path(fr["file"]).name: fr for fr in report["files"]}
    assert [f["rule"] for f in files["坏.xls"]["findings"]] == ["R01"]
    assert "异常终止" in files["坏.xls"]["findings"][0]["message"]
    assert files["好.xlsx"]["projects"] == ["信息系统维护经费"]


def test_a_slow_xls_is_stopped_by_the_time_limit(tmp_path: Path, monkeypatch) -> None:
    from xltools.read import isolated

    shutil.copyfile(HERE / "fixtures" / "bad" / "calamine_abort.xls", tmp_path / "慢.xls")
    monkeypatch.setattr(isolated, "_CHILD", "import time; time.sleep(30)")
    monkeypatch.setattr(isolated, "TIMEOUT", 1)
    [res] = api.read([tmp_path / "慢.xls"])
    assert [f.rule for f in res.findings] == ["R20"]
    assert "秒的时间上限" in res.findings[0].message
