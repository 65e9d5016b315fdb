"""A profile that is not valid TOML: a Chinese message with the line and column."""

from __future__ import annotations

from pathlib import Path

import pytest

from xltools.errors import UserError
from xltools.profiles import load_profile


@pytest.mark.parametrize(
    ("text", "where", "reason"),
    [
        ("tolerance = 0.01\n[severity]\nS07 = 提示\n", "第 3 行第 7 列", "无效的值（文字须加引号"),
        ("tolerance 0.01\n", "第 1 行第 11 列", "键的后面应有 “=”"),
        ('[severity\nS07 = "提示"\n', "第 1 行第 10 列", "表名的后面应有 “]”"),
        ('frameworks = ["2021"\n', "第 1 行第 21 列", "列表缺少结尾的 “]”"),
        ("容差 = 0.01\n", "第 1 行第 1 列", "中文的键须加引号"),
        ('rounding = "half-up\n', "第 1 行第 20 列", "字符串缺少结尾的引号"),
        ("tolerance = 0.01\ntolerance = 0.02\n", "第 2 行第 17 列", "同一项设置了两次"),
        ('rounding = "half-up" tolerance = 0\n', "第 1 行第 22 列", "一行只能写一项"),
    ],
)
def test_toml_syntax_error_in_chinese_with_line_and_column(
    tmp_path: Path, text: str, where: str, reason: str
) -> None:
    path = tmp_path / "我的配置.toml"
    path.write_text(text, "utf-8")
    with pytest.raises(UserError) as caught:
        load_profile(path)
    message = str(caught.value)
    assert message.startswith(f"规则配置文件 {path} 不是有效的 TOML，{where}：")
    assert reason in message
    assert not any(w in message for w in ("Invalid", "Expected", "line", "column", "Unclosed"))


def test_profile_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "配置.toml"
    path.write_bytes('[severity]\nS07 = "提示"\n'.encode("gbk"))
    with pytest.raises(UserError, match="不是 UTF-8 编码"):
        load_profile(path)


def test_valid_profile_still_loads(tmp_path: Path) -> None:
    path = tmp_path / "配置.toml"
    path.write_text('[severity]\nS07 = "提示"\n', "utf-8")
    assert load_profile(path).data["severity"]["S07"] == "提示"


def test_check_with_a_broken_profile_exits_2_in_chinese(tmp_path: Path, run_main) -> None:
    path = tmp_path / "配置.toml"
    path.write_text("tolerance = 一分\n", "utf-8")
    outcome = run_main("check", str(tmp_path), "--profile", str(path))
    assert outcome.code == 2
    assert outcome.err.startswith(f"错误：规则配置文件 {path} 不是有效的 TOML，第 1 行第 13 列：")
