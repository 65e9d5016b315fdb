"""The reason column of a foreign funds grid (四川: 原因) read into funds.<row>.reason, so that
S24 (a reason when 执行率 is below the profile's rate) judges what the form holds.

Variants are the 四川 fixture (tests/fixtures/regional/build.py) edited with openpyxl: its
funds grid is C–H for 年初预算 … 得分, the 原因 header merged over I10:K10, 总额 on row 11
and the template's instruction text merged over I11:K15.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner

from xltools import api
from xltools.cli import cli
from xltools.model import Record

SICHUAN = Path(__file__).resolve().parent / "fixtures" / "regional" / "sichuan_qingshen_2023.xlsx"
NOTE = (
    "1.预算执行率=预算执行数/调整后预算数，预算执行率未达到90%的需说明原因(100字以内)；"
    "2.年中发生预算调整的(追加或调减)，应单独说明理由；3.其他资金包括：社会投入资金、银行贷款."
)
REASON = "部分设备采购合同跨年度支付，余款于次年一季度结清"


def variant(tmp_path: Path, **cells: Any) -> Path:
    path = tmp_path / "sichuan.xlsx"
    shutil.copy(SICHUAN, path)
    book = openpyxl.load_workbook(path)
    sheet = book["自评表"]
    for ref, value in cells.items():
        sheet[ref] = value
    book.save(path)
    return path


def low_rate(tmp_path: Path, reason: Any) -> Path:
    """执行数 200 of 251.89 (79.40 %) on 总额 and 其中:财政资金, ``reason`` in I11."""
    rate = 200 / 251.89
    return variant(tmp_path, E11=200.0, F11=rate, E12=200.0, F12=rate, I11=reason)


def record(path: Path) -> Record:
    [result] = api.read([path])
    [rec] = result.records
    return rec


def found(path: Path, rule: str, profile: str | None = None) -> list[str]:
    return [f.location for f in api.check([path], profile=profile).findings if f.rule == rule]


def test_the_fixture_reason_is_blank_its_cell_the_total_rows() -> None:
    rec = record(SICHUAN)
    # I11 holds the template's instruction text, which tells what to write: no reason.
    assert rec.funds.total.reason is None
    assert rec.cells["funds.total.reason"] == "I11"
    # The note is merged down over I11:K15 from the 总额 row: the sub-rows have no cell.
    assert rec.funds.current_appropriation.reason is None
    assert "funds.current_appropriation.reason" not in rec.cells
    assert "funds.other.reason" not in rec.cells


def test_a_typed_reason_is_read(tmp_path: Path) -> None:
    rec = record(low_rate(tmp_path, REASON))
    assert (rec.funds.total.reason, rec.cells["funds.total.reason"]) == (REASON, "I11")


def test_read_shows_the_reason(tmp_path: Path) -> None:
    out = CliRunner().invoke(cli, ["read", str(low_rate(tmp_path, REASON))])
    assert out.exit_code == 0, out.output
    assert json.loads(out.stdout)[0]["funds"]["total"]["reason"] == REASON


@pytest.mark.parametrize(
    "header", ["偏差原因", "原因说明", "未完成原因", "偏差原因分析", "原 因："]
)
def test_reason_headers_of_other_regions(tmp_path: Path, header: str) -> None:
    rec = record(variant(tmp_path, I10=header, I11=REASON))
    assert (rec.funds.total.reason, rec.cells["funds.total.reason"]) == (REASON, "I11")


@pytest.mark.parametrize(
    "text",
    [
        NOTE,
        "１．预算执行率＝预算执行数／调整后预算数",  # full-width, as some copies print it
        "预算执行率未达到90%的需说明原因（100字以内）。",
        "/",
        "  ",
    ],
)
def test_instruction_text_and_slash_are_no_reason(tmp_path: Path, text: str) -> None:
    assert record(variant(tmp_path, I11=text)).funds.total.reason is None


def test_a_reason_mentioning_the_rate_is_a_reason(tmp_path: Path) -> None:
    text = "预算执行率偏低：采购延期，资金结转下年"
    assert record(variant(tmp_path, I11=text)).funds.total.reason == text


def test_s24_not_raised_with_a_typed_reason(tmp_path: Path) -> None:
    assert found(low_rate(tmp_path, REASON), "S24", "四川") == []


@pytest.mark.parametrize("blank", [NOTE, None])
def test_s24_at_the_reason_cell_when_it_is_blank(tmp_path: Path, blank: Any) -> None:
    assert found(low_rate(tmp_path, blank), "S24", "四川") == ["自评表!I11"]


def test_s24_not_raised_at_the_fixtures_100_percent() -> None:
    assert found(SICHUAN, "S24", "四川") == []


@pytest.mark.parametrize("blank", [NOTE, None])
def test_s24_never_under_the_national_profile(tmp_path: Path, blank: Any) -> None:
    assert found(low_rate(tmp_path, blank), "S24") == []


# -- 权重 / 得分 of the sub-rows: "/" is blank, a figure is S22's ---------------------------------


def test_slash_in_sub_rows_reads_blank() -> None:
    rec = record(SICHUAN)
    for line in ("current_appropriation", "other"):
        row = getattr(rec.funds, line)
        assert (row.weight, row.score) == (None, None)
    assert found(SICHUAN, "S22", "四川") == []
    assert found(SICHUAN, "R04", "四川") == []  # "/" is no number typed wrong either


def test_s22_for_points_in_a_sub_row(tmp_path: Path) -> None:
    path = variant(tmp_path, G12=2, H15="1.5", H12="不计分")  # 财政资金 权重, 其他资金 得分
    rec = record(path)
    assert (rec.funds.current_appropriation.weight, rec.funds.other.score) == (2.0, 1.5)
    assert rec.funds.current_appropriation.score is None  # a word carries no points
    assert found(path, "S22", "四川") == ["自评表!G12", "自评表!H15"]
    assert found(path, "R04", "四川") == []
