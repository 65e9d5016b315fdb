"""``xltools merge`` on the command line, through ``xltools.cli.main`` (its Chinese messages
and exit codes: 0 all merged, 1 a file or project left out, 2 usage, 4 a bug of ours).

Exit code first, then stdout, then stderr; the workbook is then looked at with the
helpers of test_merge.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from test_merge import (
    UNIT_A,
    UNIT_B,
    Summary,
    contents,
    declaration,
    form_projects,
    self_evaluation,
    sheet_names,
    sheet_rows,
    sources_rows,
    with_error,
    write_inputs,
)

from xltools.model import content, from_dict

TITLE = "上海市长宁区医疗保险事务中心 2025 年度项目绩效目标汇总表"


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """Two clean 申报表 of one unit, returned for 2025."""
    write_inputs(
        tmp_path / "收回的表格",
        [
            declaration("信息系统维护经费"),
            declaration("公共服务窗口运行经费", appropriation=820000.0),
        ],
    )
    return tmp_path / "收回的表格"


def test_merge_a_folder(folder: Path, tmp_path: Path, run_main: Any) -> None:
    out = tmp_path / "汇总.xlsx"
    result = run_main("merge", str(folder), "-o", str(out))
    assert result.code == 0, result.err
    assert result.out.splitlines() == [
        f"已汇总 2 个项目（来自 2 个文件）：{out}",
        f"标题：{TITLE}；金额单位：元",
    ]
    assert result.err == ""
    assert Summary(out).total["年度资金申请总额"] == 920000
    assert sheet_rows(out, "汇总表")[0][0] == TITLE


def test_title_and_money_unit_options(folder: Path, tmp_path: Path, run_main: Any) -> None:
    out = tmp_path / "汇总.xlsx"
    title = "长宁区 2025 年度项目绩效目标汇总表"
    result = run_main(
        "merge", str(folder), "-o", str(out), "--title", title, "--money-unit", "万元"
    )
    assert result.code == 0, result.err
    assert f"标题：{title}；金额单位：万元" in result.out
    # 元 forms into a 万元 merge: M03 (提示) per project, amounts ÷ 10,000.
    assert result.err.count("[M03 提示]") == 2
    assert Summary(out).total["年度资金申请总额"] == pytest.approx(92.0)
    assert sheet_rows(out, "汇总表")[0][0] == title


def test_m01_exits_1_and_names_both_files(tmp_path: Path, run_main: Any) -> None:
    twice = declaration("信息系统维护经费")
    first, second = write_inputs(tmp_path / "in", [twice, twice])
    out = tmp_path / "汇总.xlsx"
    result = run_main("merge", str(first), str(second), "-o", str(out))
    assert result.code == 1
    assert "已汇总 1 个项目" in result.out
    [line] = [x for x in result.err.splitlines() if "[M01 错误]" in x]
    assert str(first) in line and str(second) in line and "信息系统维护经费" in line
    assert [p["项目名称"] for p in Summary(out).projects] == ["信息系统维护经费"]


def test_m01_not_raised_when_a_file_is_given_twice(folder: Path, tmp_path: Path, run_main) -> None:
    """The folder and a file inside it name the same file: nothing is duplicated."""
    one = sorted(folder.iterdir())[0]
    out = tmp_path / "汇总.xlsx"
    result = run_main("merge", str(folder), str(one), "-o", str(out))
    assert result.code == 0, result.err
    assert "M01" not in result.err
    assert "已汇总 2 个项目（来自 2 个文件）" in result.out
    assert len(sources_rows(out)) == 2


def test_m02_is_a_warning_and_exits_0(tmp_path: Path, run_main: Any) -> None:
    inputs = write_inputs(
        tmp_path / "in", [declaration("信息系统维护经费"), self_evaluation("工作服专项经费")]
    )
    out = tmp_path / "汇总.xlsx"
    result = run_main("merge", *map(str, inputs), "-o", str(out))
    assert result.code == 0, result.err
    assert "[M02 警告]" in result.err
    assert "项目汇总（2025申报表）" in sheet_names(out)
    assert "项目汇总（2022自评表）" in sheet_names(out)


def test_m04_exits_1_and_says_which_file(tmp_path: Path, run_main: Any) -> None:
    good, bad = write_inputs(tmp_path / "in", [declaration("信息系统维护经费"), with_error()])
    out = tmp_path / "汇总.xlsx"
    result = run_main("merge", str(tmp_path / "in"), "-o", str(out))
    assert result.code == 1
    assert "已汇总 1 个项目（来自 1 个文件）" in result.out
    assert f"未汇总：{bad}（有 1 条错误" in result.err
    [line] = [x for x in result.err.splitlines() if "[M04 错误]" in x]
    assert line.startswith(str(bad))
    assert form_projects(out, "汇总表") == ["信息系统维护经费"]
    status = {r["文件"]: r["状态"] for r in sources_rows(out)}
    assert status == {str(good): "已汇总", str(bad): "未汇总"}


def test_m04_include_invalid_exits_0(tmp_path: Path, run_main: Any) -> None:
    write_inputs(tmp_path / "in", [declaration("信息系统维护经费"), with_error()])
    out = tmp_path / "汇总.xlsx"
    result = run_main("merge", str(tmp_path / "in"), "-o", str(out), "--include-invalid")
    assert result.code == 0, result.err
    assert "已汇总 2 个项目（来自 2 个文件）" in result.out
    assert "未汇总" not in result.err and "M04" not in result.err
    assert sorted(p["项目名称"] for p in Summary(out).projects) == sorted(
        ["信息系统维护经费", "有错误的项目"]
    )


def test_nothing_to_merge_exits_2_and_writes_nothing(tmp_path: Path, run_main: Any) -> None:
    write_inputs(tmp_path / "in", [with_error()])
    out = tmp_path / "汇总.xlsx"
    result = run_main("merge", str(tmp_path / "in"), "-o", str(out))
    assert result.code == 2
    assert "没有可以汇总的项目" in result.err and "有 1 条错误" in result.err
    assert not out.exists()


# -- where the output goes ------------------------------------------------------------------------


def test_output_over_an_input_exits_2(folder: Path, run_main: Any) -> None:
    target = sorted(folder.iterdir())[0]
    before = sha(target)
    for extra in ((), ("--force",)):
        result = run_main("merge", str(folder), "-o", str(target), *extra)
        assert result.code == 2
        assert "输出文件不能与输入文件相同" in result.err
        assert sha(target) == before


def test_existing_output_needs_force(folder: Path, tmp_path: Path, run_main: Any) -> None:
    out = tmp_path / "汇总.xlsx"
    out.write_bytes(b"an earlier summary")
    result = run_main("merge", str(folder), "-o", str(out))
    assert result.code == 2
    assert "文件已存在" in result.err and "--force" in result.err
    assert out.read_bytes() == b"an earlier summary"
    result = run_main("merge", str(folder), "-o", str(out), "--force")
    assert result.code == 0, result.err
    assert len(Summary(out).projects) == 2


def test_a_crash_midway_leaves_no_file(
    folder: Path, tmp_path: Path, run_main: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from xltools.write import consolidated

    def broken(self: Any, *args: Any) -> None:
        raise RuntimeError("磁盘已满")

    monkeypatch.setattr(consolidated.ConsolidatedWriter, "_forms", broken)
    out_dir = tmp_path / "输出"
    result = run_main("merge", str(folder), "-o", str(out_dir / "汇总.xlsx"))
    assert result.code == 4
    assert "内部错误" in result.err and "磁盘已满" in result.err
    assert list(out_dir.iterdir()) == []  # neither the output nor a temporary file


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "缺少输出文件"),
        (("-o", "汇总.csv"), ".xlsx"),
        (("-o", "汇总.xlsx", "--money-unit", "美元"), "--money-unit"),
    ],
    ids=["no-output", "not-xlsx", "bad-unit"],
)
def test_usage_errors_exit_2(
    folder: Path, tmp_path: Path, run_main: Any, args: tuple[str, ...], message: str
) -> None:
    out_args = [str(tmp_path / a) if a.startswith("汇总") else a for a in args]
    result = run_main("merge", str(folder), *out_args)
    assert result.code == 2
    assert message in result.err
    assert not (tmp_path / "汇总.xlsx").exists() and not (tmp_path / "汇总.csv").exists()


def test_no_readable_files_exits_2(tmp_path: Path, run_main: Any) -> None:
    (tmp_path / "空").mkdir()
    result = run_main("merge", str(tmp_path / "空"), "-o", str(tmp_path / "汇总.xlsx"))
    assert result.code == 2
    assert "没有找到要汇总的文件" in result.err


# -- the output reads back ----------------------------------------------------------------------------


def test_read_and_check_the_output(tmp_path: Path, run_main: Any) -> None:
    records = [
        declaration("信息系统维护经费", UNIT_A),
        declaration("公共服务窗口运行经费", UNIT_B, appropriation=820000.0),
        self_evaluation("工作服专项经费"),
    ]
    write_inputs(tmp_path / "in", records)
    out = tmp_path / "汇总.xlsx"
    assert run_main("merge", str(tmp_path / "in"), "-o", str(out)).code == 0
    result = run_main("read", str(out))
    assert result.code == 0, result.err
    back = [content(from_dict(d)) for d in json.loads(result.out)]
    assert sorted(back, key=json.dumps) == sorted(contents(records), key=json.dumps)
    # The inputs are clean, and so is the output.
    result = run_main("check", str(out))
    assert result.code == 0, result.out + result.err
