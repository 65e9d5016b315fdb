"""M05: one project, two files, different content — found by check and by merge.

The forms are the seed 申报表 信息系统维护经费 written into our template (年度资金申请总额
E7, 当年财政拨款 E8; indicators from row 14, D 三级指标, E 指标目标值). Which revision is
newer is set in the workbook's own saved time (docProps/core.xml) or, without one, in
the file's modification time.
"""

from __future__ import annotations

import os
import re
import shutil
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner

from xltools import api
from xltools.cli import cli
from xltools.model import DECLARATION

DE = "申报表"
NAME = "信息系统维护经费"
MARCH_1, MARCH_5 = "2025-03-01T09:00:00Z", "2025-03-05T16:30:00Z"
FIRST = 14  # first indicator row


def declaration() -> Any:
    return next(
        r for r in api.example_records() if r.kind == DECLARATION and r.project_name == NAME
    )


def set_saved_time(path: Path, stamp: str | None) -> Path:
    """Rewrite the workbook's saved time (``None``: remove it), as another program would."""
    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as out:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "docProps/core.xml":
                text = data.decode("utf-8")
                new = "" if stamp is None else rf"\g<1>{stamp}\g<2>"
                text = re.sub(r"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)", new, text)
                if stamp is None:
                    text = re.sub(r"<dcterms:modified[^>]*>[^<]*</dcterms:modified>", "", text)
                data = text.encode("utf-8")
            out.writestr(item, data)
    tmp.replace(path)
    return path


def pair(
    folder: Path, a_time: str | None, b_time: str | None, change: Any = None
) -> tuple[Path, Path]:
    """A.xlsx and B.xlsx: the same project; B changed by ``change`` (a function of the record)."""
    folder.mkdir(exist_ok=True)
    a = api.write_form(folder / "A.xlsx", declaration())
    record = declaration()
    if change:
        change(record)
    b = api.write_form(folder / "B.xlsx", record)
    return set_saved_time(a, a_time), set_saved_time(b, b_time)


def more_money(record: Any) -> None:
    record.funds.annual_total = 120000.0
    record.funds.current_appropriation = 120000.0


def other_target(record: Any) -> None:
    record.indicators[1].target = "≥300天"


def m05(report: Any) -> list[tuple[str, str]]:
    return [(Path(f.file).name, f.location) for f in report.findings if f.rule == "M05"]


def message_of(report: Any) -> str:
    [finding] = [f for f in report.findings if f.rule == "M05"]
    return finding.message


# -- check ---------------------------------------------------------------------------------------


def test_m05_check_reports_the_older_revision_at_the_first_differing_cell(tmp_path: Path) -> None:
    pair(tmp_path, MARCH_1, MARCH_5, more_money)
    report = api.check([tmp_path])
    assert m05(report) == [("A.xlsx", f"{DE}!E7")]  # A is older; E7 年度资金申请总额
    [finding] = [f for f in report.findings if f.rule == "M05"]
    assert finding.severity == "错误"
    assert finding.value == 100000 and finding.expected == 120000
    text = finding.message
    assert "A.xlsx" in text and "B.xlsx" in text
    assert "年度资金申请总额：本份为 100,000.00，另一份为 120,000.00" in text
    assert "年度资金·当年财政拨款：本份为 100,000.00，另一份为 120,000.00" in text
    assert "工作簿记录的保存时间" in text and "较新的是" in text
    assert report.exit_code() == 1


def test_m05_check_newer_by_saved_time_not_by_file_order(tmp_path: Path) -> None:
    pair(tmp_path, MARCH_5, MARCH_1, more_money)  # now A is the newer one
    assert m05(api.check([tmp_path])) == [("B.xlsx", f"{DE}!E7")]


def test_m05_check_names_a_changed_indicator_target(tmp_path: Path) -> None:
    pair(tmp_path, MARCH_1, MARCH_5, other_target)
    report = api.check([tmp_path])
    name = declaration().indicators[1].name
    assert m05(report) == [("A.xlsx", f"{DE}!E{FIRST + 1}")]
    assert f"指标“{name}”的目标值：本份为 " in message_of(report)


def test_m05_without_saved_times_the_file_modification_time_decides(tmp_path: Path) -> None:
    a, b = pair(tmp_path, None, None, more_money)
    os.utime(a, (2_000_000_000, 2_000_000_000))  # A modified later than B
    os.utime(b, (1_900_000_000, 1_900_000_000))
    report = api.check([tmp_path])
    assert m05(report) == [("B.xlsx", f"{DE}!E7")]
    assert "按文件修改时间" in message_of(report)


def test_m05_a_broken_saved_time_part_falls_back_to_the_file_time(tmp_path: Path) -> None:
    """Fuzz mutant of the 10,000 campaign: core.xml's deflate stream corrupted (calamine
    never reads it, so the file itself reads fine) ended check with 内部错误."""
    a, b = pair(tmp_path, MARCH_5, MARCH_1, more_money)
    with zipfile.ZipFile(a) as zf:
        info = zf.getinfo("docProps/core.xml")
    data = bytearray(a.read_bytes())
    name_len, extra_len = (
        int.from_bytes(data[info.header_offset + 26 : info.header_offset + 28], "little"),
        int.from_bytes(data[info.header_offset + 28 : info.header_offset + 30], "little"),
    )
    start = info.header_offset + 30 + name_len + extra_len
    data[start : start + info.compress_size] = b"\xff" * info.compress_size
    a.write_bytes(bytes(data))
    os.utime(a, (1_900_000_000, 1_900_000_000))  # A now older by its file time
    os.utime(b, (2_000_000_000, 2_000_000_000))
    report = api.check([tmp_path])
    assert m05(report) == [("A.xlsx", f"{DE}!E7")]
    result = CliRunner().invoke(cli, ["check", str(tmp_path), "--format", "json"])
    assert result.exit_code == 1, result.output


def test_identical_copies_are_not_m05(tmp_path: Path) -> None:
    pair(tmp_path, MARCH_1, MARCH_5)
    assert m05(api.check([tmp_path])) == []


def test_other_unit_same_name_is_not_m05(tmp_path: Path) -> None:
    pair(
        tmp_path,
        MARCH_1,
        MARCH_5,
        lambda r: (more_money(r), setattr(r, "implementing_unit", "另一单位")),
    )
    assert m05(api.check([tmp_path])) == []


def test_m05_can_be_ignored(tmp_path: Path) -> None:
    pair(tmp_path, MARCH_1, MARCH_5, more_money)
    assert m05(api.check([tmp_path], ignore=["M05"])) == []


def test_m05_check_over_files_named_one_by_one(tmp_path: Path) -> None:
    a, b = pair(tmp_path / "x", MARCH_1, MARCH_5, more_money)
    elsewhere = tmp_path / "y"
    elsewhere.mkdir()
    moved = Path(shutil.move(b, elsewhere / "B.xlsx"))
    assert m05(api.check([a, moved])) == [("A.xlsx", f"{DE}!E7")]


def test_an_annotated_copy_marks_the_m05_cell(tmp_path: Path) -> None:
    pair(tmp_path / "in", MARCH_1, MARCH_5, more_money)
    result = CliRunner().invoke(
        cli, ["check", str(tmp_path / "in"), "--annotate", str(tmp_path / "out")]
    )
    assert result.exit_code == 1
    copy = next((tmp_path / "out").glob("A*.xlsx"))
    book = openpyxl.load_workbook(copy)
    comment = book[DE]["E7"].comment
    book.close()
    assert comment is not None and "M05" in comment.text


# -- merge ---------------------------------------------------------------------------------------


def test_m05_merge_keeps_the_newer_revision_and_says_why(tmp_path: Path) -> None:
    pair(tmp_path / "in", MARCH_5, MARCH_1, more_money)  # A (100,000) is the newer
    plan = api.merge([tmp_path / "in"], tmp_path / "汇总.xlsx")
    [entry] = plan.entries
    assert Path(entry.file).name == "A.xlsx"
    assert entry.record.funds.annual_total == 100000
    [finding] = [f for f in plan.findings if f.rule == "M05"]
    assert Path(finding.file).name == "B.xlsx"
    assert "较新的是" in finding.message and "A.xlsx" in finding.message
    assert "工作簿记录的保存时间" in finding.message
    assert not [f for f in plan.findings if f.rule == "M01"]
    reasons = {Path(s.file).name: (s.included, s.reason) for s in plan.sources}
    assert reasons["B.xlsx"][0] is False and "采用了较新的" in reasons["B.xlsx"][1]
    assert reasons["A.xlsx"][0] is True and "采用本份" in reasons["A.xlsx"][1]
    book = openpyxl.load_workbook(tmp_path / "汇总.xlsx", read_only=True)
    sheets = {
        name: [" ".join(str(v) for v in row if v is not None) for row in book[name].values]
        for name in ("校验结果", "来源")
    }
    book.close()
    assert any("M05" in row and "B.xlsx" in row for row in sheets["校验结果"])
    assert any("A.xlsx" in row and "采用本份" in row for row in sheets["来源"])


def test_m05_merge_identical_copies_stay_m01(tmp_path: Path) -> None:
    pair(tmp_path / "in", MARCH_1, MARCH_5)
    plan = api.merge([tmp_path / "in"], tmp_path / "汇总.xlsx")
    assert [f.rule for f in plan.findings if f.rule.startswith("M0")] == ["M01"]
    assert len(plan.entries) == 1


def test_merge_cli_shows_m05_and_exits_1(tmp_path: Path, run_main) -> None:
    pair(tmp_path / "in", MARCH_1, MARCH_5, more_money)
    outcome = run_main("merge", str(tmp_path / "in"), "-o", str(tmp_path / "汇总.xlsx"))
    assert outcome.code == 1
    line = next(x for x in outcome.err.splitlines() if "[M05 错误]" in x)
    assert "A.xlsx" in line and "B.xlsx" in line and "较新的是" in line


@pytest.mark.parametrize("newer", ["A", "B"])
def test_m05_merge_and_check_agree_on_the_older_file(tmp_path: Path, newer: str) -> None:
    times = (MARCH_5, MARCH_1) if newer == "A" else (MARCH_1, MARCH_5)
    pair(tmp_path / "in", *times, more_money)
    checked = m05(api.check([tmp_path / "in"]))
    plan = api.merge([tmp_path / "in"], tmp_path / "汇总.xlsx")
    merged = [Path(f.file).name for f in plan.findings if f.rule == "M05"]
    assert [name for name, _ in checked] == merged == ["B.xlsx" if newer == "A" else "A.xlsx"]
