"""The command line: CliRunner over ``xltools.cli.cli``, ``main()`` in-process for the error
paths (its Chinese messages and exit codes), and a few real ``python -m xltools`` runs."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import re
import subprocess
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from processes import run_python

from xltools import api
from xltools.cli import cli
from xltools.model import to_dict

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
SEED_FILES = ("seed002_declarations_2025.json", "seed004_self_evaluations_2022.json")
WINDOWS_FORBIDDEN = re.compile(r'[<>:"/\\|?*\x00-\x1f]')
CJK = re.compile(r"[\u4e00-\u9fff]")


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args))


def sheet_values(path: Path) -> dict[str, object]:
    """The first sheet's non-empty cells: ``{"A7": "项目资金\\n（元）", …}``."""
    book = openpyxl.load_workbook(path)
    ws = book.worksheets[0]
    values = {c.coordinate: c.value for row in ws.iter_rows() for c in row if c.value is not None}
    book.close()
    return values


def read_one(path: Path):
    [result] = api.read([path])
    [record] = result.records
    return record


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# -- template ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "expected_kind", "title"),
    [
        ("申报表", "declaration", "财政项目支出绩效目标申报表"),
        ("declaration", "declaration", "财政项目支出绩效目标申报表"),
        ("自评表", "self_evaluation", "财政项目支出绩效自评表"),
        ("self-evaluation", "self_evaluation", "财政项目支出绩效自评表"),
    ],
)
def test_template_kinds(tmp: Path, kind: str, expected_kind: str, title: str) -> None:
    out = tmp / "模板.xlsx"
    result = invoke("template", kind, "-o", str(out), "--year", "2025")
    assert result.exit_code == 0, result.output
    assert str(out) in result.stdout
    assert sheet_values(out)["A1"] == title
    record = read_one(out)
    assert (record.kind, record.year) == (expected_kind, 2025)
    assert record.indicators == []


def test_template_default_year(tmp: Path) -> None:
    this_year = dt.date.today().year
    assert invoke("template", "申报表", "-o", str(tmp / "a.xlsx")).exit_code == 0
    assert invoke("template", "自评表", "-o", str(tmp / "b.xlsx")).exit_code == 0
    assert read_one(tmp / "a.xlsx").year == this_year + 1  # declarations: next year's budget
    assert read_one(tmp / "b.xlsx").year == this_year - 1  # self-evaluations: last year
    assert sheet_values(tmp / "a.xlsx")["A2"] == f"（{this_year + 1}年度）"


def test_template_refuses_to_overwrite_without_force(tmp: Path, run_main) -> None:
    out = tmp / "申报表.xlsx"
    assert run_main("template", "申报表", "-o", str(out), "--year", "2025").code == 0
    before = digest(out)

    refused = run_main("template", "申报表", "-o", str(out), "--year", "2026")
    assert refused.code == 2
    assert refused.err.startswith("错误：文件已存在")
    assert "--force" in refused.err
    assert "Traceback" not in refused.err
    assert digest(out) == before

    forced = run_main("template", "申报表", "-o", str(out), "--year", "2026", "--force")
    assert forced.code == 0
    assert read_one(out).year == 2026
    assert [p.name for p in tmp.iterdir()] == ["申报表.xlsx"]  # no temporary file left behind


def test_template_prefills_year_department_unit(tmp: Path) -> None:
    out = tmp / "申报表.xlsx"
    result = invoke(
        "template", "申报表", "-o", str(out), "--year", "2026",
        "--department", "上海市长宁区医疗保障局", "--unit", "上海市长宁区医疗保险事务中心",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    values = sheet_values(out)
    assert values["A2"] == "（2026年度）"
    assert (values["B5"], values["E5"]) == (
        "上海市长宁区医疗保障局",
        "上海市长宁区医疗保险事务中心",
    )
    record = read_one(out)
    assert (record.year, record.department, record.implementing_unit) == (
        2026,
        "上海市长宁区医疗保障局",
        "上海市长宁区医疗保险事务中心",
    )
    assert record.project_name is None


@pytest.mark.parametrize(("kind", "label_cell"), [("申报表", "A7"), ("自评表", "A5")])
def test_template_money_unit_wan(tmp: Path, kind: str, label_cell: str) -> None:
    out = tmp / f"{kind}.xlsx"
    result = invoke("template", kind, "-o", str(out), "--money-unit", "万元")
    assert result.exit_code == 0, result.output
    assert str(sheet_values(out)[label_cell]).replace("\n", "") == "项目资金（万元）"
    assert read_one(out).money_unit == "万元"


def test_template_default_money_unit_is_yuan(tmp: Path) -> None:
    out = tmp / "申报表.xlsx"
    assert invoke("template", "申报表", "-o", str(out)).exit_code == 0
    assert str(sheet_values(out)["A7"]).replace("\n", "") == "项目资金（元）"
    assert read_one(out).money_unit == "元"


def test_template_rows(tmp: Path) -> None:
    decl, self_eval = tmp / "申报表.xlsx", tmp / "自评表.xlsx"
    assert invoke("template", "申报表", "-o", str(decl), "--rows", "5").exit_code == 0
    assert invoke("template", "自评表", "-o", str(self_eval), "--rows", "5").exit_code == 0
    # 申报表: header row 13, then 5 rows; the 绩效指标 block label spans them all.
    book = openpyxl.load_workbook(decl)
    assert "A13:A18" in {str(r) for r in book.worksheets[0].merged_cells.ranges}
    book.close()
    # 自评表: header row 12, indicator rows 13–17, 总分 on 18, 评分等级 on 19.
    values = sheet_values(self_eval)
    assert (values["A18"], values["A19"]) == ("总分", "评分等级")


def test_template_variant_2022_has_no_project_nature(tmp: Path) -> None:
    old, new = tmp / "2022.xlsx", tmp / "2025.xlsx"
    result = invoke("template", "申报表", "-o", str(old), "--year", "2025", "--variant", "2022")
    assert result.exit_code == 0, result.output
    assert invoke("template", "申报表", "-o", str(new), "--year", "2025").exit_code == 0
    old_values, new_values = sheet_values(old), sheet_values(new)
    assert "项目性质" not in old_values.values()
    assert old_values["A4"] == "项目类别"
    assert (new_values["A4"], new_values["D4"]) == ("项目性质", "项目类别")


def test_template_year_before_2024_picks_the_2022_variant(tmp: Path) -> None:
    out = tmp / "申报表.xlsx"
    assert invoke("template", "申报表", "-o", str(out), "--year", "2022").exit_code == 0
    assert "项目性质" not in sheet_values(out).values()


def test_template_without_output_is_a_chinese_usage_error(tmp: Path, run_main) -> None:
    outcome = run_main("template", "申报表")
    assert outcome.code == 2
    assert outcome.err.startswith("用法错误：")
    assert "-o" in outcome.err
    assert "Usage" not in outcome.err and "Error" not in outcome.err
    assert outcome.out == ""


@pytest.mark.parametrize("command", ["check", "merge"])
@pytest.mark.parametrize("jobs", ["0", "-1", "两"])
def test_jobs_must_be_a_positive_number(tmp: Path, run_main, command: str, jobs: str) -> None:
    outcome = run_main(command, str(tmp), "-o", str(tmp / "汇总.xlsx"), "-j", jobs)
    assert outcome.code == 2
    assert outcome.err.startswith("用法错误：") and "--jobs" in outcome.err
    assert "Invalid value" not in outcome.err and "x>=" not in outcome.err


def test_template_unknown_kind_is_a_chinese_usage_error(tmp: Path, run_main) -> None:
    out = tmp / "x.xlsx"
    outcome = run_main("template", "报告表", "-o", str(out))
    assert outcome.code == 2
    assert outcome.err.startswith("用法错误：")
    assert "报告表" in outcome.err and "不是以下之一" in outcome.err
    assert "Invalid value" not in outcome.err
    assert not out.exists()


def test_template_usage_errors_exit_2_under_clirunner_too(tmp: Path) -> None:
    assert invoke("template", "申报表").exit_code == 2
    assert invoke("template", "报告表", "-o", str(tmp / "x.xlsx")).exit_code == 2


# -- template --from LIST ------------------------------------------------------------------------

LIST_HEADER = ["项目名称", "主管部门", "实施单位", "项目类别", "年度资金申请总额", "备注"]
LIST_ROWS = [
    ["医疗保障费用审核结算系统/运维", "上海市医疗保障局", "上海市医疗保险事业管理中心", "特定目标类", "1,200,000", "x"],
    ["热线:咨询*平台?", "上海市长宁区医疗保障局", "上海市长宁区医疗保险事务中心", "", "300000", ""],
    ["CON", "上海市长宁区医疗保障局", "上海市长宁区医疗保险事务中心", "", "", ""],
    ["CON", "上海市长宁区医疗保障局", "另一单位", "", "", ""],
    ["", "上海市长宁区医疗保障局", "没有项目名称的一行", "", "", ""],
]  # fmt: skip
EXPECTED_FILES = {  # file name → (project_name, implementing_unit)
    "申报表_医疗保障费用审核结算系统_运维.xlsx": ("医疗保障费用审核结算系统/运维", "上海市医疗保险事业管理中心"),
    "申报表_热线_咨询_平台_.xlsx": ("热线:咨询*平台?", "上海市长宁区医疗保险事务中心"),
    "申报表_CON.xlsx": ("CON", "上海市长宁区医疗保险事务中心"),
    "申报表_CON(2).xlsx": ("CON", "另一单位"),
}  # fmt: skip


def _csv_text() -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows([LIST_HEADER, *LIST_ROWS])
    return buffer.getvalue()


def _write_list(path: Path) -> Path:
    if path.name.endswith(".utf8.csv"):
        path.write_bytes(_csv_text().encode("utf-8-sig"))
    elif path.suffix == ".csv":
        path.write_bytes(_csv_text().encode("gbk"))  # Excel on Chinese Windows
    else:
        book = openpyxl.Workbook()
        for row in [LIST_HEADER, *LIST_ROWS]:
            book.active.append([v or None for v in row])
        book.save(path)
        book.close()
    return path


@pytest.mark.parametrize("list_name", ["清单.xlsx", "清单.utf8.csv", "清单.gbk.csv"])
def test_template_from_list(tmp: Path, list_name: str) -> None:
    project_list = _write_list(tmp / list_name)
    out = tmp / "发放"
    result = invoke(
        "template", "申报表", "--from", str(project_list), "-o", str(out), "--year", "2025"
    )
    assert result.exit_code == 0, result.output
    assert "4 份" in result.stdout
    assert sorted(p.name for p in out.iterdir()) == sorted(EXPECTED_FILES)
    for name in EXPECTED_FILES:
        assert not WINDOWS_FORBIDDEN.search(name)
        assert name.split(".")[0].upper() not in {"CON", "PRN", "AUX", "NUL"}
    # unknown columns and the row without a name are reported, in Chinese, on stderr
    assert "备注" in result.stderr
    assert "第 6 行" in result.stderr
    records = {Path(r.file).name: r.records[0] for r in api.read([out])}
    for name, (project, unit) in EXPECTED_FILES.items():
        record = records[name]
        assert (record.project_name, record.implementing_unit, record.year) == (project, unit, 2025)
    first = records["申报表_医疗保障费用审核结算系统_运维.xlsx"]
    assert (first.department, first.project_category) == ("上海市医疗保障局", "特定目标类")
    assert first.funds.annual_total == 1200000.0
    assert records["申报表_热线_咨询_平台_.xlsx"].funds.annual_total == 300000.0
    assert records["申报表_CON.xlsx"].project_category is None


def test_template_from_list_options_fill_what_the_list_leaves_blank(tmp: Path) -> None:
    project_list = tmp / "清单.csv"
    project_list.write_text("项目名称,实施单位\n工作服专项经费,\n", encoding="utf-8")
    out = tmp / "发放"
    result = invoke(
        "template", "自评表", "--from", str(project_list), "-o", str(out),
        "--department", "上海市长宁区医疗保障局", "--unit", "默认单位", "--money-unit", "万元",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    record = read_one(out / "自评表_工作服专项经费.xlsx")
    assert (record.department, record.implementing_unit, record.money_unit) == (
        "上海市长宁区医疗保障局",
        "默认单位",
        "万元",
    )


def test_template_from_list_refuses_existing_files(tmp: Path, run_main) -> None:
    project_list = _write_list(tmp / "清单.utf8.csv")
    out = tmp / "发放"
    assert run_main("template", "申报表", "--from", str(project_list), "-o", str(out)).code == 0
    before = {p.name: digest(p) for p in out.iterdir()}
    again = run_main("template", "申报表", "--from", str(project_list), "-o", str(out))
    assert again.code == 2
    assert again.err.startswith("错误：") and "--force" in again.err
    assert {p.name: digest(p) for p in out.iterdir()} == before
    forced = run_main("template", "申报表", "--from", str(project_list), "-o", str(out), "--force")
    assert forced.code == 0


def test_template_from_list_without_name_column(tmp: Path, run_main) -> None:
    project_list = tmp / "清单.csv"
    project_list.write_text("单位,金额\n某单位,1\n", encoding="utf-8")
    outcome = run_main("template", "申报表", "--from", str(project_list), "-o", str(tmp / "发放"))
    assert outcome.code == 2
    assert "项目名称" in outcome.err


# -- read ------------------------------------------------------------------------------------


def test_read_json_equals_the_api(tmp: Path) -> None:
    result = invoke("read", str(EXAMPLES))
    assert result.exit_code == 0, result.output
    expected = [to_dict(r) for res in api.read([EXAMPLES]) for r in res.records]
    assert json.loads(result.stdout) == expected
    assert len(expected) == len(list(EXAMPLES.glob("*.xlsx")))
    assert result.stderr == ""


def test_read_csv_to_file_has_bom_and_one_row_per_indicator(tmp: Path) -> None:
    seeds = [
        d for name in SEED_FILES for d in json.loads((EXAMPLES / "data" / name).read_text("utf-8"))
    ]
    files = [
        EXAMPLES
        / f"{'申报表' if d['kind'] == 'declaration' else '自评表'}_{d['project_name']}.xlsx"
        for d in seeds
    ]
    out = tmp / "项目.csv"
    result = invoke("read", *map(str, files), "--format", "csv", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    # A target such as "=100.00(%)" would be a formula in Excel: it gets a leading apostrophe.
    expected = [
        (d["project_name"], i["name"], "'" * i["target"].startswith("=") + i["target"])
        for d in seeds
        for i in d["indicators"]
    ]
    target = "指标目标值（年度指标值）"
    assert [(r["项目名称"], r["三级指标"], r[target]) for r in rows] == expected
    assert sum(r["表单"] == "申报表" for r in rows) == 7 + 9 + 8  # seed 002
    assert "年度资金总额·年初预算数" in rows[-1] and "年度资金申请总额" in rows[0]
    assert not any(re.fullmatch(r"[a-z_.]+", h) for h in rows[0])  # no English key as header

    keyed = invoke("read", *map(str, files), "--format", "csv", "--keys")
    rows = list(csv.DictReader(io.StringIO(keyed.stdout)))
    assert [(r["project_name"], r["name"], r["target"]) for r in rows] == expected
    assert sum(r["kind"] == "declaration" for r in rows) == 7 + 9 + 8
    assert "funds.total.initial_budget" in rows[-1]


def test_read_output_file_refuses_overwrite(tmp: Path, run_main) -> None:
    out = tmp / "项目.json"
    out.write_text("旧内容", "utf-8")
    outcome = run_main("read", str(EXAMPLES / "申报表_信息系统维护经费.xlsx"), "-o", str(out))
    assert outcome.code == 2
    assert "--force" in outcome.err
    assert out.read_text("utf-8") == "旧内容"


def test_read_with_cell_errors_exits_1(tmp: Path, seed_record, write_record, edit_cells) -> None:
    path = write_record(seed_record("declaration", "社区医疗互助帮困补助经费"))
    edit_cells(path, {"E9": "2000万"})
    result = invoke("read", str(path))
    assert result.exit_code == 1
    [record] = json.loads(result.stdout)
    assert record["funds"]["carryover"] is None
    [line] = result.stderr.splitlines()
    assert "申报表!E9" in line and "[R04 错误]" in line


def test_read_empty_folder_is_a_user_error(tmp: Path, run_main) -> None:
    outcome = run_main("read", str(tmp))
    assert outcome.code == 2
    assert outcome.err.startswith("错误：没有找到要读取的文件")


# -- demo ------------------------------------------------------------------------------------


def test_demo_into_a_temp_folder(tmp: Path) -> None:
    folder = tmp / "演示"
    result = invoke("demo", str(folder))
    assert result.exit_code == 0, result.output
    assert (folder / "模板" / "申报表.xlsx").is_file()
    assert (folder / "模板" / "自评表.xlsx").is_file()
    returned = sorted(p.name for p in (folder / "收回的表格").glob("*.xlsx"))
    assert returned == sorted(p.name for p in EXAMPLES.glob("*.xlsx"))
    records = json.loads((folder / "读取结果.json").read_text("utf-8"))
    assert len(records) == len(returned) >= 9
    names = {
        f"{'申报表' if r['kind'] == 'declaration' else '自评表'}_{r['project_name']}.xlsx"
        for r in records
    }
    assert names == set(returned)
    assert (folder / "退回修改通知" / "退回修改通知_上海市长宁区医疗保险事务中心.docx").is_file()
    fixed = folder / "改正后" / "自评表_公共服务窗口运行经费.xlsx"
    slipped = folder / "待改正" / fixed.name  # the demo's return with two slips
    assert {"R06", "S13"} <= {f.rule for f in api.check([slipped]).findings}
    assert not [f for f in api.check([fixed]).findings if f.rule in ("R05", "R06", "S13")]


def test_demo_refuses_a_non_empty_folder(tmp: Path, run_main) -> None:
    folder = tmp / "演示"
    folder.mkdir()
    (folder / "我的文件.txt").write_text("别覆盖我", "utf-8")
    outcome = run_main("demo", str(folder))
    assert outcome.code == 2
    assert outcome.err.startswith("错误：") and "--force" in outcome.err
    assert [p.name for p in folder.iterdir()] == ["我的文件.txt"]
    assert invoke("demo", str(folder), "--force").exit_code == 0
    assert (folder / "我的文件.txt").read_text("utf-8") == "别覆盖我"


# -- help ------------------------------------------------------------------------------------


@pytest.mark.parametrize("command", [None, *sorted(cli.commands)])
def test_help_is_chinese_with_examples(command: str | None) -> None:
    args = [command, "--help"] if command else ["--help"]
    result = invoke(*args)
    assert result.exit_code == 0
    text = result.stdout
    assert text.startswith("用法：")
    assert "示例" in text
    assert "选项：" in text
    for english in ("Usage:", "Options:", "Commands:", "Show this message"):
        assert english not in text
    assert len(CJK.findall(text)) > 30


def test_short_help_option() -> None:
    assert invoke("read", "-h").stdout == invoke("read", "--help").stdout


# -- the real entry point ----------------------------------------------------------------------


def run_module(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return run_python("-m", "xltools", *args, cwd=cwd)


def test_entry_point_exit_codes_and_no_traceback(tmp: Path) -> None:
    ok = run_module("template", "申报表", "-o", "申报表.xlsx", cwd=tmp)
    assert ok.returncode == 0, ok.stderr
    assert (tmp / "申报表.xlsx").is_file()

    again = run_module("template", "申报表", "-o", "申报表.xlsx", cwd=tmp)
    assert again.returncode == 2
    assert again.stderr.startswith("错误：文件已存在")

    usage = run_module("template", "报告表", "-o", "x.xlsx", cwd=tmp)
    assert usage.returncode == 2
    assert usage.stderr.startswith("用法错误：")

    unreadable = run_module("read", "没有这个文件.xlsx", cwd=tmp)
    assert unreadable.returncode == 3
    assert "[R01 错误]" in unreadable.stderr

    for proc in (ok, again, usage, unreadable):
        assert "Traceback" not in proc.stderr
        assert "Error" not in proc.stderr


def test_entry_point_help_and_version(tmp: Path) -> None:
    helped = run_module("--help", cwd=tmp)
    assert helped.returncode == 0
    assert helped.stdout.startswith("用法：xltools")
    version = run_module("--version", cwd=tmp)
    assert version.returncode == 0
    assert version.stdout.startswith("xltools ")


def test_importing_the_cli_does_not_import_pandas(tmp: Path) -> None:
    code = (
        "import sys, xltools.cli\n"
        "heavy = [m for m in ('pandas', 'pandera', 'xlsxwriter', 'python_calamine') if m in sys.modules]\n"
        "print(','.join(heavy))\n"
    )
    proc = run_python("-c", code, cwd=tmp)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == ""


def test_help_does_not_import_pandas(tmp: Path) -> None:
    code = (
        "import sys\n"
        "from xltools.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "print('pandas' in sys.modules, file=sys.stderr)\n"
    )
    proc = run_python("-c", code, cwd=tmp)
    assert proc.stderr.strip() == "False"
