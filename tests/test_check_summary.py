"""``check --summary``: only the per-实施单位 table, for big batches."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from test_check_cli import OTHER_UNIT, UNIT, clean_form, run, warn_form


def batch(folder: Path) -> Path:
    warn_form(folder)  # 申报表 of UNIT: two D02 warnings
    clean_form(folder, "other.xlsx", unit=OTHER_UNIT)
    return folder


def test_summary_table_has_no_finding_lines(tmp_path: Path) -> None:
    full = run("check", batch(tmp_path))
    short = run("check", tmp_path, "--summary")
    assert short.exit_code == full.exit_code == 0
    assert "建议填写" in full.stdout and "申报表!C7" in full.stdout
    assert "建议填写" not in short.stdout and "申报表!C7" not in short.stdout
    assert "按实施单位汇总" in short.stdout
    assert UNIT in short.stdout and OTHER_UNIT in short.stdout
    assert "共检查 2 个文件：错误 0 条，警告 2 条" in short.stdout


def test_summary_json_and_csv(tmp_path: Path) -> None:
    batch(tmp_path)
    data = json.loads(run("check", tmp_path, "--summary", "--format", "json").stdout)
    assert list(data) == ["summary"]
    assert data["summary"]["warnings"] == 2
    rows = list(
        csv.reader(io.StringIO(run("check", tmp_path, "--summary", "--format", "csv").stdout))
    )
    assert rows[0] == ["实施单位", "文件", "项目", "错误", "警告"]
    assert sorted(rows[1:]) == sorted(
        [[UNIT, "1", "1", "0", "2"], [OTHER_UNIT, "1", "1", "0", "0"]]
    )
