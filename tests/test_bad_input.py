"""``xltools read`` with files that are not (readable) forms: one Chinese line each, no traceback.

Each bad file gives exactly one line on stderr naming the file and the problem (R01: cannot
be opened, R02: no form in it), the run goes on with the other files, exits with 3, and
never changes an input file.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import struct
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from processes import run_python

from xltools import api
from xltools.cli import cli

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
GOOD = [
    ROOT / "examples" / "申报表_信息系统维护经费.xlsx",
    ROOT / "examples" / "自评表_工作服专项经费.xlsx",
]
CJK = re.compile(r"[\u4e00-\u9fff]")


def _text_file(path: Path) -> None:
    path.write_text("项目名称,年度资金申请总额\n信息系统维护经费,1200000\n", "utf-8")


def _truncated(path: Path) -> None:
    data = GOOD[0].read_bytes()
    path.write_bytes(data[: len(data) // 2])  # a download that stopped halfway


def _corrupt(path: Path) -> None:
    """A complete zip whose sheet's bytes were damaged (a disk or transfer error)."""
    data = bytearray(GOOD[0].read_bytes())
    with zipfile.ZipFile(GOOD[0]) as zf:
        info = zf.getinfo("xl/worksheets/sheet1.xml")
    name_len, extra_len = struct.unpack_from("<HH", data, info.header_offset + 26)  # local header
    start = info.header_offset + 30 + name_len + extra_len
    for offset in range(start + info.compress_size // 3, start + info.compress_size // 3 + 4):
        data[offset] ^= 0xFF
    path.write_bytes(bytes(data))


def _other_zip(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as zf:  # e.g. a zipped folder renamed .xlsx
        zf.writestr("说明.txt", "不是表格")


def _empty(path: Path) -> None:
    path.write_bytes(b"")


def _encrypted(path: Path) -> None:
    shutil.copyfile(FIXTURES / "encrypted.xlsx", path)


def _no_form(path: Path) -> None:
    book = openpyxl.Workbook()
    book.active["A1"] = "项目清单"
    book.active["A2"] = "信息系统维护经费"
    book.save(path)
    book.close()


# name → (how to make it, rule, a word the message must contain)
BAD: dict[str, tuple[Callable[[Path], None], str, str]] = {
    "文本文件.xlsx": (_text_file, "R01", "不是 Excel/WPS 表格文件"),
    "下载一半.xlsx": (_truncated, "R01", "损坏"),
    "内容损坏.xlsx": (_corrupt, "R01", "损坏"),
    "压缩包.xlsx": (_other_zip, "R01", "格式无法识别"),
    "空文件.xlsx": (_empty, "R01", "空"),
    "加密.xlsx": (_encrypted, "R01", "密码"),
    "没有表单.xlsx": (_no_form, "R02", "没有找到申报表或自评表"),
}


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _snapshot(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): _digest(p) for p in sorted(folder.rglob("*")) if p.is_file()
    }


def _make_bad(folder: Path, names: list[str] | None = None) -> list[Path]:
    paths = []
    for name in names or list(BAD):
        path = folder / name
        BAD[name][0](path)
        paths.append(path)
    return paths


def _invoke(*args: str):
    return CliRunner().invoke(cli, ["read", *args])


def _assert_no_traceback(*texts: str) -> None:
    for text in texts:
        assert "Traceback" not in text
        assert "Error" not in text


def _assert_one_line(line: str, path: Path | str, rule: str, word: str) -> None:
    assert line.startswith(str(path))
    assert f"[{rule} 错误]" in line
    assert word in line
    message = line.split("]", 1)[1]
    assert CJK.search(message)


def test_the_encrypted_fixture_is_really_encrypted() -> None:
    data = (FIXTURES / "encrypted.xlsx").read_bytes()
    assert data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")  # an OLE container, not a zip
    assert "EncryptedPackage".encode("utf-16-le") in data


@pytest.mark.parametrize("name", list(BAD))
def test_each_bad_file_is_one_chinese_line_and_exit_3(tmp: Path, name: str) -> None:
    [path] = _make_bad(tmp, [name])
    before = _digest(path)
    result = _invoke(str(path))
    assert result.exit_code == 3
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert json.loads(result.stdout) == []
    lines = result.stderr.splitlines()
    assert len(lines) == 1
    _, rule, word = BAD[name]
    _assert_one_line(lines[0], path, rule, word)
    _assert_no_traceback(result.stdout, result.stderr)
    assert _digest(path) == before


def test_missing_path_is_one_line_and_exit_3(tmp: Path) -> None:
    missing = tmp / "没有这个文件.xlsx"
    result = _invoke(str(missing))
    assert result.exit_code == 3
    lines = result.stderr.splitlines()
    assert len(lines) == 1
    _assert_one_line(lines[0], missing, "R01", "文件不存在")
    assert not missing.exists()


def test_folder_mixing_good_and_bad_files(tmp: Path) -> None:
    folder = tmp / "收回的表格"
    folder.mkdir()
    bad = _make_bad(folder)
    for good in GOOD:
        shutil.copyfile(good, folder / good.name)
    (folder / "说明.txt").write_text("不是表格，读取时应跳过", "utf-8")
    (folder / "~$申报表_信息系统维护经费.xlsx").write_bytes(b"\x0bxltools-user" + b"\x00" * 40)
    before = _snapshot(folder)

    result = _invoke(str(folder))
    assert result.exit_code == 3
    records = json.loads(result.stdout)
    assert [(r["source"]["file"], r["project_name"]) for r in records] == [
        (str(folder / GOOD[0].name), "信息系统维护经费"),
        (str(folder / GOOD[1].name), "工作服专项经费"),
    ]
    assert records[1]["total_score"] == 100.0
    lines = result.stderr.splitlines()
    assert len(lines) == len(bad)  # the .txt and Excel's ~$ owner file are not read at all
    by_file = {line.split("  ", 1)[0]: line for line in lines}
    assert set(by_file) == {str(p) for p in bad}
    for path in bad:
        _, rule, word = BAD[path.name]
        _assert_one_line(by_file[str(path)], path, rule, word)
    _assert_no_traceback(result.stdout, result.stderr)
    assert _snapshot(folder) == before


def test_good_files_given_with_bad_ones_and_a_missing_path(tmp: Path) -> None:
    bad = _make_bad(tmp, ["空文件.xlsx", "加密.xlsx"])
    missing = tmp / "不存在.xlsx"
    good = tmp / GOOD[0].name
    shutil.copyfile(GOOD[0], good)
    result = _invoke(str(bad[0]), str(good), str(missing), str(bad[1]))
    assert result.exit_code == 3
    assert [r["project_name"] for r in json.loads(result.stdout)] == ["信息系统维护经费"]
    lines = result.stderr.splitlines()
    assert [line.split("  ", 1)[0] for line in lines] == [str(bad[0]), str(missing), str(bad[1])]


def test_api_reports_bad_files_as_findings_not_exceptions(tmp: Path) -> None:
    paths = [*_make_bad(tmp), tmp / "不存在.xlsx"]
    results = api.read(paths)
    assert [r.file for r in results] == [str(p) for p in paths]
    for result in results:
        assert result.records == []
        assert not result.readable
        assert len(result.findings) == 1
        assert result.findings[0].rule in ("R01", "R02")
        assert result.findings[0].severity == "错误"


def test_real_entry_point_with_a_mixed_folder(tmp: Path) -> None:
    folder = tmp / "收回"
    folder.mkdir()
    bad = _make_bad(folder)
    shutil.copyfile(GOOD[1], folder / GOOD[1].name)
    before = _snapshot(folder)
    proc = run_python("-m", "xltools", "read", str(folder))
    assert proc.returncode == 3
    assert [r["project_name"] for r in json.loads(proc.stdout)] == ["工作服专项经费"]
    lines = proc.stderr.splitlines()
    assert len(lines) == len(bad)
    assert all(CJK.search(line) for line in lines)
    _assert_no_traceback(proc.stdout, proc.stderr)
    assert _snapshot(folder) == before
