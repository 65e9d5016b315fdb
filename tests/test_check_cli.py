"""``xltools check`` and ``xltools rules`` through click's CliRunner (exit code first).

Fixture forms are the seed records written into our template with one change each;
the expected findings (rule, cell) follow shared/spec/rules.md and the 自评表 layout:
indicators from row 13 (G 分值, H 得分, I 偏差原因), 预期目标 in B11.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner, Result

from xltools import api
from xltools.catalogue import CATALOGUE
from xltools.cli import cli
from xltools.model import DECLARATION, SELF_EVALUATION

ROOT = Path(__file__).resolve().parent.parent
SE = "自评表"
UNIT = "上海市长宁区医疗保险事务中心"  # 实施单位 of the seed forms
OTHER_UNIT = "上海市长宁区医疗保障事务服务中心"
# The findings of the "error" form below, in the report's order (by row, then column).
ERROR_FINDINGS = [
    ("S15", "警告", f"{SE}!B11"),  # 预期目标 blank
    ("S08", "错误", f"{SE}!H13"),  # 得分 13 > 分值 12
    ("S09", "错误", f"{SE}!I15"),  # 得分 10 < 分值 12, no reason
]
WARN_FINDINGS = [
    ("D02", "警告", "申报表!C7"),
    ("D02", "警告", "申报表!B12"),
    ("D16", "提示", "申报表!E16"),  # 排除硬件/软件故障次数 "按实": notes, not warnings
    ("D16", "提示", "申报表!E17"),
]


def _example(kind: str, name: str) -> Any:
    return next(r for r in api.example_records() if r.kind == kind and r.project_name == name)


def clean_form(folder: Path, name: str = "clean.xlsx", unit: str = UNIT) -> Path:
    record = _example(SELF_EVALUATION, "工作服专项经费")
    record.implementing_unit = unit
    return api.write_form(folder / name, record)


def error_form(folder: Path, name: str = "error.xlsx") -> Path:
    record = _example(SELF_EVALUATION, "工作服专项经费")
    record.indicators[0].score = 13
    record.indicators[2].score = 10
    record.expected_goal = None
    return api.write_form(folder / name, record)


def warn_form(folder: Path, name: str = "warn.xlsx") -> Path:
    """The seed 申报表 as transcribed: 项目资金总额 and 项目总目标 blank (D02 warnings)."""
    return api.write_form(folder / name, _example(DECLARATION, "信息系统维护经费"))


def bad_file(folder: Path, name: str = "bad.xlsx") -> Path:
    path = folder / name
    path.write_bytes(b"this is not a workbook")
    return path


def run(*args: Any) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args], env={"COLUMNS": "250"})


def findings_of(result: Result) -> list[tuple[str, str, str]]:
    data = json.loads(result.stdout)
    return [
        (f["rule"], f["severity"], f["location"]) for fr in data["files"] for f in fr["findings"]
    ]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# -- exit codes ---------------------------------------------------------------------------------


def test_clean_form_exits_0(tmp_path: Path) -> None:
    result = run("check", clean_form(tmp_path))
    assert result.exit_code == 0, result.output
    assert "错误 0 条，警告 0 条，提示 0 条" in result.stdout


def test_errors_exit_1(tmp_path: Path) -> None:
    result = run("check", error_form(tmp_path), "--format", "json")
    assert result.exit_code == 1
    assert findings_of(result) == ERROR_FINDINGS


def test_warnings_exit_0_or_1_with_strict(tmp_path: Path) -> None:
    path = warn_form(tmp_path)
    result = run("check", path, "--format", "json")
    assert result.exit_code == 0
    assert findings_of(result) == WARN_FINDINGS
    strict = run("check", path, "--format", "json", "--strict")
    assert strict.exit_code == 1
    assert findings_of(strict) == WARN_FINDINGS


def test_strict_on_a_clean_form_exits_0(tmp_path: Path) -> None:
    result = run("check", clean_form(tmp_path), "--strict")
    assert result.exit_code == 0


def test_unreadable_input_exits_3_and_the_others_are_checked(tmp_path: Path) -> None:
    bad, error = bad_file(tmp_path), error_form(tmp_path)
    result = run("check", bad, error, "--format", "json")
    assert result.exit_code == 3
    files = {fr["file"]: fr["findings"] for fr in json.loads(result.stdout)["files"]}
    assert [(f["rule"], f["location"]) for f in files[str(bad)]] == [("R01", "")]
    assert [(f["rule"], f["severity"], f["location"]) for f in files[str(error)]] == ERROR_FINDINGS


def test_folder_input(tmp_path: Path) -> None:
    folder = tmp_path / "收回"
    folder.mkdir()
    # another unit's form: the same project of the same unit in two files would be M05
    clean_form(folder, unit=OTHER_UNIT), error_form(folder)
    result = run("check", folder, "--format", "json")
    assert result.exit_code == 1
    assert findings_of(result) == ERROR_FINDINGS


@pytest.mark.parametrize(
    "args",
    [
        ("--format", "xml"),
        ("--no-such-option",),
        (),  # no input path
    ],
)
def test_usage_errors_exit_2(tmp_path: Path, args: tuple[str, ...]) -> None:
    paths = (clean_form(tmp_path),) if args else ()
    result = run("check", *paths, *args)
    assert result.exit_code == 2
    assert "Usage" in result.output or "用法" in result.output


def test_usage_error_in_chinese_through_main(tmp_path: Path, run_main: Any) -> None:
    outcome = run_main("check", str(clean_form(tmp_path)), "--format", "xml")
    assert outcome.code == 2
    assert "用法错误" in outcome.err
    assert "--format" in outcome.err


def test_missing_profile_exits_2(tmp_path: Path, run_main: Any) -> None:
    outcome = run_main("check", str(clean_form(tmp_path)), "--profile", str(tmp_path / "无.toml"))
    assert outcome.code == 2
    assert "找不到规则配置文件" in outcome.err


# -- output formats -----------------------------------------------------------------------------


def test_json_equals_the_api(tmp_path: Path) -> None:
    paths = [error_form(tmp_path), warn_form(tmp_path), clean_form(tmp_path)]
    result = run("check", *paths, "--format", "json")
    assert result.exit_code == 1
    assert json.loads(result.stdout) == json.loads(json.dumps(api.check(paths).to_dict()))


def test_json_to_a_file(tmp_path: Path) -> None:
    path, out = error_form(tmp_path), tmp_path / "结果.json"
    result = run("check", path, "--format", "json", "-o", out)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert json.loads(out.read_text("utf-8")) == json.loads(json.dumps(api.check([path]).to_dict()))


def test_csv_has_a_bom_and_chinese_headers(tmp_path: Path) -> None:
    out = tmp_path / "f.csv"
    result = run("check", error_form(tmp_path), "--format", "csv", "-o", out)
    assert result.exit_code == 1
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert list(rows[0]) == [
        "文件",
        "工作表",
        "单元格",
        "规则",
        "严重程度",
        "项目",
        "说明",
        "表中值",
        "应为",
    ]
    assert [(r["规则"], r["严重程度"], f"{r['工作表']}!{r['单元格']}") for r in rows] == (
        ERROR_FINDINGS
    )
    assert {r["项目"] for r in rows} == {"工作服专项经费"}


def test_table_has_the_summary_per_unit(tmp_path: Path) -> None:
    error = error_form(tmp_path)
    other = clean_form(tmp_path, "other.xlsx", unit=OTHER_UNIT)
    result = run("check", error, other)
    assert result.exit_code == 1
    out = result.stdout
    assert "按实施单位汇总" in out
    summary = out[out.index("按实施单位汇总") :]
    lines = {line for line in summary.splitlines() if UNIT in line or OTHER_UNIT in line}
    cells = [[c.strip() for c in line.strip("│┃ ").split("│") if c.strip()] for line in lines]
    # 实施单位, 文件, 项目, 错误, 警告
    assert sorted(cells) == sorted([[UNIT, "1", "1", "2", "1"], [OTHER_UNIT, "1", "1", "0", "0"]])
    assert "共检查 2 个文件：错误 2 条，警告 1 条，提示 0 条。" in out
    for rule, _, location in ERROR_FINDINGS:  # the findings table lists each one
        assert any(rule in line and location in line for line in out.splitlines())


# -- choosing rules -----------------------------------------------------------------------------


def test_select_by_prefix(tmp_path: Path) -> None:
    result = run("check", error_form(tmp_path), "--format", "json", "--select", "S1")
    assert result.exit_code == 0  # the two errors (S08, S09) are not selected
    assert findings_of(result) == [("S15", "警告", f"{SE}!B11")]


def test_select_repeated(tmp_path: Path) -> None:
    result = run(
        "check", error_form(tmp_path), "--format", "json", "--select", "S08", "--select", "s15"
    )
    assert result.exit_code == 1
    assert findings_of(result) == [("S15", "警告", f"{SE}!B11"), ("S08", "错误", f"{SE}!H13")]


def test_ignore_comma_separated(tmp_path: Path) -> None:
    paths = [warn_form(tmp_path), error_form(tmp_path)]
    result = run("check", *paths, "--format", "json", "--ignore", "S07,D02,D16", "--ignore", "S0")
    assert result.exit_code == 0
    assert findings_of(result) == [("S15", "警告", f"{SE}!B11")]


# -- annotated copies ---------------------------------------------------------------------------


def test_annotate_writes_a_marked_copy_and_leaves_the_input_alone(tmp_path: Path) -> None:
    path = error_form(tmp_path)
    before = sha256(path)
    out_dir = tmp_path / "退回修改"
    result = run("check", path, "--annotate", out_dir)
    assert result.exit_code == 1
    assert "已生成 1 个批注副本" in result.output
    assert sha256(path) == before

    copy = out_dir / "error.xlsx"
    book = openpyxl.load_workbook(copy)
    assert book.sheetnames[0] == "校验结果"
    sheet = book["校验结果"]
    # Title, the checked file and the date with the counts, then the table.
    assert "校验结果" in sheet["A1"].value
    assert sheet["A2"].value == "文件：error.xlsx"
    assert sheet["A3"].value.startswith(f"校验日期：{dt.date.today():%Y-%m-%d}")
    assert [c.value for c in sheet[4]][:4] == ["序号", "严重程度", "规则", "位置"]
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=5)]
    assert [(r[2], r[1], r[3]) for r in rows] == ERROR_FINDINGS
    for i, (_, _, location) in enumerate(ERROR_FINDINGS, start=5):
        link = sheet.cell(i, 4).hyperlink
        assert link is not None
        sheet_name, cell = location.split("!")
        assert (link.location or link.target.lstrip("#")) == f"'{sheet_name}'!{cell}"

    form = book[SE]
    fills = {"错误": "FFC7CE", "警告": "FFEB9C"}
    for rule, severity, location in ERROR_FINDINGS:
        cell = form[location.split("!")[1]]
        assert cell.fill.fill_type == "solid", location
        assert cell.fill.fgColor.rgb.endswith(fills[severity]), location
        assert cell.comment is not None, location
        assert f"[{rule} {severity}]" in cell.comment.text
    assert "得分 13.00 应在 0 与分值 12.00 之间" in form["H13"].comment.text
    assert form["H14"].comment is None  # an untouched cell stays untouched
    assert form["H14"].fill.fill_type is None


def test_annotate_a_clean_form(tmp_path: Path) -> None:
    out_dir = tmp_path / "批注"
    result = run("check", clean_form(tmp_path), "--annotate", out_dir)
    assert result.exit_code == 0
    sheet = openpyxl.load_workbook(out_dir / "clean.xlsx")["校验结果"]
    assert sheet["A5"].value == "未发现问题。"


def test_annotate_skips_unreadable_files(tmp_path: Path) -> None:
    out_dir = tmp_path / "批注"
    result = run("check", bad_file(tmp_path), error_form(tmp_path), "--annotate", out_dir)
    assert result.exit_code == 3
    assert sorted(p.name for p in out_dir.iterdir()) == ["error.xlsx"]


def test_annotate_refuses_to_overwrite_without_force(tmp_path: Path, run_main: Any) -> None:
    path = error_form(tmp_path)
    out_dir = tmp_path / "退回修改"
    first = run_main("check", str(path), "--annotate", str(out_dir))
    assert first.code == 1
    copy = out_dir / "error.xlsx"
    made = sha256(copy)

    again = run_main("check", str(path), "--annotate", str(out_dir))
    assert again.code == 2
    assert "--force" in again.err
    assert "已存在" in again.err
    assert sha256(copy) == made

    forced = run_main("check", str(path), "--annotate", str(out_dir), "--force")
    assert forced.code == 1
    assert openpyxl.load_workbook(copy).sheetnames[0] == "校验结果"


def test_annotate_never_overwrites_an_input(tmp_path: Path, run_main: Any) -> None:
    """--annotate pointed at the inputs' own folder: refused even with --force."""
    path = error_form(tmp_path)
    before = sha256(path)
    outcome = run_main("check", str(path), "--annotate", str(tmp_path), "--force")
    assert outcome.code == 2
    assert sha256(path) == before


# -- rules --------------------------------------------------------------------------------------


def test_rules_lists_every_id() -> None:
    result = run("rules")
    assert result.exit_code == 0
    listed = [line.split()[0] for line in result.stdout.splitlines() if line.strip()]
    assert listed == [r.id for r in CATALOGUE]
    # R01–R07, R08–R17 (regional layouts), R20–R22 (hostile input), D01–D17, S01–S26, X01–X05, M01–M05
    assert len(listed) == 7 + 10 + 3 + 17 + 26 + 5 + 5


def test_rules_shows_profile_severity(tmp_path: Path) -> None:
    profile = tmp_path / "p.toml"
    profile.write_text('[severity]\nS07 = "提示"\n', "utf-8")
    result = run("rules", "--profile", profile)
    assert result.exit_code == 0
    line = next(x for x in result.stdout.splitlines() if x.startswith("S07"))
    assert line.split()[1] == "提示"


def test_rules_markdown_is_the_committed_docs_page() -> None:
    result = run("rules", "--format", "markdown")
    assert result.exit_code == 0
    assert result.stdout == (ROOT / "docs" / "rules.md").read_text("utf-8")
    for rule in CATALOGUE:
        assert f"| {rule.id} | {rule.severity} |" in result.stdout
