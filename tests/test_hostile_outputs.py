"""Outputs never harm inputs; text is shown, never interpreted; exit codes as documented.

Each test is a case that once went wrong: ``read -o INPUT --force`` and ``prefill DIR -o
DIR --force`` overwrote input workbooks; outputs were 0600 whatever the umask; a killed
merge left xlsxwriter temp files in /tmp; merge and prefill exited 0 with an input that
could not be opened; ``[/x]`` in a unit name ended ``check``; a CSV field
``=HYPERLINK(…)`` was evaluated by the spreadsheet that opened it.
"""

from __future__ import annotations

import csv
import errno
import hashlib
import io
import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import openpyxl
import pytest
from test_roundtrip import Soffice, soffice  # noqa: F401  (its session fixture, used via lo)

from testkit import badfiles as bad
from xltools import api, render

DECL = bad.DECLARATION
SELF = bad.SELF_EVALUATION


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def strict_json(text: str):
    def refuse(constant: str):
        raise AssertionError(f"not JSON: {constant}")

    return json.loads(text, parse_constant=refuse)


@pytest.fixture
def inputs(tmp_path: Path) -> Path:
    folder = tmp_path / "收回"
    folder.mkdir()
    for source in (DECL, SELF):
        shutil.copyfile(source, folder / source.name)
    return folder


@pytest.fixture
def lo(request: pytest.FixtureRequest) -> Soffice:
    """LibreOffice with a private profile (tests/test_roundtrip.py), skipped when absent."""
    return request.getfixturevalue("soffice")


# -- never over an input --------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["read", "check"])
def test_an_input_is_never_the_output_even_with_force(inputs: Path, run_main, command) -> None:
    target = inputs / DECL.name
    before = digest(target)
    fmt = ["--format", "json"]
    outcome = run_main(command, str(inputs), *fmt, "-o", str(target), "--force")
    assert outcome.code == 2
    assert "输出文件不能与输入文件相同" in outcome.err
    assert digest(target) == before


def test_a_hard_link_to_an_input_is_the_same_file(inputs: Path, run_main) -> None:
    link = inputs.parent / "结果.json"
    os.link(inputs / DECL.name, link)
    outcome = run_main("check", str(inputs), "--format", "json", "-o", str(link), "--force")
    assert outcome.code == 2
    assert digest(link) == digest(inputs / DECL.name) == digest(DECL)


def test_an_ordinary_output_with_force_is_written(inputs: Path, run_main) -> None:
    out = inputs.parent / "结果.json"
    out.write_text("旧的", "utf-8")
    outcome = run_main("check", str(inputs), "--format", "json", "-o", str(out), "--force")
    assert outcome.code in (0, 1)
    assert strict_json(out.read_text("utf-8"))["summary"]["files"] == 2


def test_prefill_into_its_input_folder_never_overwrites_an_input(tmp_path: Path, run_main) -> None:
    folder = tmp_path / "申报表"
    folder.mkdir()
    shutil.copyfile(DECL, folder / DECL.name)
    # An input named exactly like the 自评表 prefill would write for it.
    clash = folder / "自评表_信息系统维护经费.xlsx"
    shutil.copyfile(DECL, clash)
    before = {p.name: digest(p) for p in folder.iterdir()}
    outcome = run_main("prefill", str(folder), "-o", str(folder), "--force")
    assert outcome.code == 2
    assert "输出文件不能与输入文件相同" in outcome.err
    assert {p.name: digest(p) for p in folder.iterdir()} == before


def test_merge_output_over_an_input_is_refused(inputs: Path, run_main) -> None:
    target = inputs / SELF.name
    outcome = run_main("merge", str(inputs), "-o", str(target), "--force")
    assert outcome.code == 2
    assert digest(target) == digest(SELF)


# -- how outputs are written ------------------------------------------------------------------------


@pytest.mark.parametrize(("mask", "mode"), [(0o022, 0o644), (0o027, 0o640), (0o077, 0o600)])
def test_outputs_respect_the_umask(tmp_path: Path, mask: int, mode: int) -> None:
    old = os.umask(mask)
    try:
        path = api.write_template(tmp_path / "申报表.xlsx", "申报表", year=2025)
        render.emit("{}", tmp_path / "结果.json", force=False)
    finally:
        os.umask(old)
    if os.name == "posix":
        assert path.stat().st_mode & 0o777 == mode
        assert (tmp_path / "结果.json").stat().st_mode & 0o777 == mode


def test_a_failed_write_leaves_no_temp_file(tmp_path: Path, monkeypatch) -> None:
    import xltools.write

    def broken(path, *args, **kwargs):
        Path(path).write_bytes(b"PK half")
        raise RuntimeError("写到一半")

    monkeypatch.setattr(xltools.write, "write_workbook", broken)
    with pytest.raises(RuntimeError):
        api.write_template(tmp_path / "申报表.xlsx", "申报表", year=2025)
    assert list(tmp_path.iterdir()) == []


def test_merge_keeps_xlsxwriter_temp_files_out_of_the_system_temp(
    inputs: Path, tmp_path: Path, monkeypatch
) -> None:
    system_tmp = tmp_path / "系统临时"
    system_tmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(system_tmp))
    out = tmp_path / "汇总" / "汇总.xlsx"
    seen: list[str] = []
    real = tempfile.mkstemp

    def spy(*args, **kwargs):
        fd, name = real(*args, **kwargs)
        seen.append(name)
        return fd, name

    monkeypatch.setattr(tempfile, "mkstemp", spy)
    api.merge([inputs], out)
    assert list(system_tmp.iterdir()) == []
    assert len(seen) > 1  # our own temp file and xlsxwriter's worksheet files
    assert all(
        Path(n).parent.name.startswith(".xltools-") or Path(n).parent == out.parent for n in seen
    )
    assert [p.name for p in out.parent.iterdir()] == ["汇总.xlsx"]  # the scratch folder is gone


def test_a_full_disk_is_a_chinese_message(
    inputs: Path, tmp_path: Path, run_main, monkeypatch
) -> None:
    from xltools import files

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "汇总.xlsx"))

    monkeypatch.setattr(files.os, "replace", full)
    outcome = run_main("merge", str(inputs), "-o", str(tmp_path / "汇总.xlsx"))
    assert outcome.code == 2
    assert "磁盘空间不足" in outcome.err
    assert "内部错误" not in outcome.err
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".xltools-")]


def test_a_full_disk_inside_xlsxwriter_is_the_same_message(
    tmp_path: Path, run_main, monkeypatch
) -> None:
    from xlsxwriter.exceptions import FileCreateError

    import xltools.write

    def full(*args, **kwargs):
        try:
            raise OSError(errno.ENOSPC, "No space left on device")
        except OSError as exc:
            raise FileCreateError(exc) from exc

    monkeypatch.setattr(xltools.write, "write_workbook", full)
    outcome = run_main("template", "申报表", "-o", str(tmp_path / "申报表.xlsx"))
    assert outcome.code == 2
    assert "磁盘空间不足" in outcome.err


# -- exit codes ----------------------------------------------------------------------------------------


def test_merge_exits_3_with_an_unopenable_input_and_says_why(inputs: Path, run_main) -> None:
    bad.build(inputs, ["下载一半.xlsx"])
    out = inputs.parent / "汇总.xlsx"
    outcome = run_main("merge", str(inputs), "-o", str(out))
    assert outcome.code == 3
    assert "下载一半.xlsx" in outcome.err
    assert "损坏" in outcome.err
    assert out.exists()  # the other files are merged


def test_merge_exits_0_when_every_input_opens(inputs: Path, run_main) -> None:
    outcome = run_main("merge", str(inputs), "-o", str(inputs.parent / "汇总.xlsx"))
    assert outcome.code == 0, outcome.err


def test_prefill_exits_3_with_an_unopenable_input_and_says_why(tmp_path: Path, run_main) -> None:
    folder = tmp_path / "申报表"
    folder.mkdir()
    shutil.copyfile(DECL, folder / DECL.name)
    bad.build(folder, ["加密.xlsx"])
    outcome = run_main("prefill", str(folder), "-o", str(tmp_path / "自评表"))
    assert outcome.code == 3
    assert "加密.xlsx" in outcome.err and "密码" in outcome.err
    assert len(list((tmp_path / "自评表").iterdir())) == 1


def test_annotate_goes_on_past_a_workbook_openpyxl_cannot_load(
    inputs: Path, run_main, monkeypatch
) -> None:
    from xltools.write import annotate

    real = annotate.load_workbook

    def picky(path, *args, **kwargs):
        if Path(path).name == DECL.name:
            raise KeyError("There is no item named 'xl/theme/theme1.xml' in the archive")
        return real(path, *args, **kwargs)

    monkeypatch.setattr(annotate, "load_workbook", picky)
    out = inputs.parent / "批注"
    outcome = run_main("check", str(inputs), "--annotate", str(out))
    assert outcome.code in (0, 1)
    assert [p.name for p in out.iterdir()] == [SELF.name]
    assert f"{inputs / DECL.name}：无法生成批注副本" in outcome.err


# -- text shown, never interpreted -------------------------------------------------------------------


def test_markup_in_a_unit_name_is_printed_as_typed(tmp_path: Path, run_main) -> None:
    [path] = bad.build(tmp_path, ["单位名称含标记.xlsx"])
    outcome = run_main("check", str(path))
    assert outcome.code in (0, 1), outcome.err
    flat = "".join(outcome.out.split())  # the table wraps and shortens long cells
    assert "[/x][link=https://example.com]长宁区[bold]医保" in flat


def test_a_formula_like_text_is_neutralised_in_csv() -> None:
    assert render.csv_field("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert [render.csv_field(t)[0] for t in ("+1", "-1", "@A1", "\tx", "\rx")] == ["'"] * 5
    assert render.csv_field("信息系统") == "信息系统"
    assert render.csv_field(-5.0) == -5.0  # numbers stay numbers
    assert render.csv_field(None) == ""


def csv_to_xlsx(office: Soffice, paths: list[Path], outdir: Path) -> list[Path]:
    """Open CSVs in LibreOffice as a clerk would (comma, double quote, UTF-8) and save .xlsx."""
    cmd = [
        office.binary,
        f"-env:UserInstallation={office.profile.as_uri()}",
        "--headless",
        "--norestore",
        "--infilter=CSV:44,34,76",
        "--convert-to",
        "xlsx",
        "--outdir",
        str(outdir),
        *map(str, paths),
    ]
    subprocess.run(cmd, capture_output=True, timeout=180, check=False)
    outs = [outdir / f"{p.stem}.xlsx" for p in paths]
    assert all(o.exists() for o in outs), outs
    return outs


@pytest.mark.libreoffice
def test_libreoffice_shows_our_csv_as_text_and_would_evaluate_it_raw(
    tmp_path: Path, lo: Soffice
) -> None:
    [path] = bad.build(tmp_path, ["项目名称像公式.xlsx"])
    ours = tmp_path / "项目.csv"
    render.emit(render.records_csv(api.read([path])), ours, force=False, bom=True)
    raw = tmp_path / "未处理.csv"  # the same field as it was written before: a control
    raw.write_text(
        f'project_name\r\n"{bad.FORMULA_NAME.replace(chr(34), chr(34) * 2)}"\r\n', "utf-8"
    )
    converted = csv_to_xlsx(lo, [ours, raw], tmp_path / "lo")
    book = openpyxl.load_workbook(converted[0])
    header = [c.value for c in next(book.active.iter_rows(max_row=1))]
    col = next(i for i, h in enumerate(header) if h and h.endswith("项目名称"))
    cells = [row[col] for row in book.active.iter_rows(min_row=2)]
    assert cells and all(c.data_type == "s" for c in cells)
    assert {c.value for c in cells} == {"'" + bad.FORMULA_NAME}
    control = openpyxl.load_workbook(converted[1]).active["A2"]
    assert control.data_type == "f"  # LibreOffice does evaluate the raw field


def test_check_csv_neutralises_the_project_column(tmp_path: Path) -> None:
    [path] = bad.build(tmp_path, ["项目名称像公式.xlsx"])
    text = render.report_csv(api.check([path]))
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows and {r["项目"] for r in rows} == {"'" + bad.FORMULA_NAME}


def test_check_json_is_strict_json_for_every_odd_value(tmp_path: Path) -> None:
    names = ["金额无穷大.xlsx", "金额非数字.xlsx", "金额过大.xlsx", "金额是日期.xlsx"]
    report = api.check(bad.build(tmp_path, names))
    data = strict_json(render.report_json(report))
    assert data["summary"]["files"] == 4
    strict_json(render.records_json(api.read(tmp_path.iterdir())))


# -- .xls formula results (LibreOffice) -----------------------------------------------------------


@pytest.mark.libreoffice
def test_a_libreoffice_xls_grade_formula_is_no_false_s14(tmp_path: Path, lo: Soffice) -> None:
    [xls] = lo.convert([SELF], "xls", tmp_path / "xls")
    [res] = api.read([xls])
    report = api.check([xls])
    assert "S14" not in {f.rule for f in report.findings}
    assert res.records[0].grade == "优"  # recomputed (R05), not "0"
    plan = api.merge([xls], tmp_path / "汇总.xlsx")
    assert [e.record.project_name for e in plan.entries] == ["工作服专项经费"]


def test_a_number_in_the_grade_cell_is_missing_not_text(tmp_path: Path) -> None:
    path = tmp_path / "等级为0.xlsx"
    bad.set_cell("H34", '<c r="H34"><v>0</v></c>', SELF)(path)
    [res] = api.read([path])
    assert res.records[0].grade == "优"
    assert "S14" not in {f.rule for f in api.check([path]).findings}


@pytest.mark.libreoffice
def test_r20_a_far_cell_in_a_libreoffice_xls_is_refused_before_calamine(
    tmp_path: Path, lo: Soffice
) -> None:
    far = tmp_path / "远端.xlsx"
    bad.add_rows(b'<row r="65536"><c r="IV65536"><v>1</v></c></row>')(far)
    [xls] = lo.convert([far], "xls", tmp_path / "xls")
    [res] = api.read([xls])
    assert [f.rule for f in res.findings] == ["R20"]
    assert "65,536 行 × 256 列" in res.findings[0].message


@pytest.mark.skipif(os.name != "posix", reason="SIGTERM as POSIX sends it")
def test_a_killed_merge_leaves_no_temp_files(tmp_path: Path) -> None:
    """SIGTERM unwinds like Ctrl+C: the half-written 汇总 and xlsxwriter's files are removed."""
    import signal
    import sys
    import time

    folder = tmp_path / "收回"
    folder.mkdir()
    for i in range(40):
        shutil.copyfile(DECL, folder / f"{i:02d}_{DECL.name}")
    out = tmp_path / "汇总"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "xltools",
            "merge",
            str(folder),
            "-o",
            str(out / "汇总.xlsx"),
            "-j",
            "1",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        if out.exists() and any(p.name.startswith(".xltools-") for p in out.iterdir()):
            break
        time.sleep(0.005)
    if proc.poll() is not None:
        pytest.skip("the merge finished before it could be stopped")
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err  # as for Ctrl+C (click says 已取消)
    assert [p.name for p in out.iterdir()] == []
