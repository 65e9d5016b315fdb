"""xltools.text: what people type into cells, normalised."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xltools.text import (
    clean_text,
    normalise_label,
    parse_date,
    parse_number,
    parse_rate,
    year_of,
)

_FULL_WIDTH = str.maketrans("0123456789.,", "０１２３４５６７８９．，")


# -- amounts ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("23,860,000", 23860000.0),
        ("29,620,000.00", 29620000.0),
        ("1,738.49", 1738.49),
        ("２９６２００００.００", 29620000.0),
        ("２９，６２０，０００．００", 29620000.0),
        ("1200000.00", 1200000.0),
        (" 615326.02 ", 615326.02),
        ("0", 0.0),
        ("-1,000.5", -1000.5),
    ],
)
def test_amount_typed_as_text_is_a_number_and_marked_coerced(typed: str, expected: float) -> None:
    parsed = parse_number(typed)
    assert parsed.ok
    assert parsed.value == expected
    assert parsed.coerced  # rule R06: the reader says it turned text into a number


@pytest.mark.parametrize(
    ("value", "expected"), [(720000, 720000.0), (615326.02, 615326.02), (0, 0.0)]
)
def test_real_numbers_pass_unchanged(value: float, expected: float) -> None:
    parsed = parse_number(value)
    assert (parsed.value, parsed.ok, parsed.coerced) == (expected, True, False)
    assert isinstance(parsed.value, float)


@pytest.mark.parametrize("typed", ["2000万", "约100", "100元", "1,23,4", "12..5", "abc", "+", "."])
def test_words_are_not_numbers_and_never_zero(typed: str) -> None:
    parsed = parse_number(typed)
    assert not parsed.ok
    assert parsed.value == typed  # kept for the message, never 0
    assert parsed.value != 0


def test_a_boolean_is_not_an_amount() -> None:
    assert not parse_number(True).ok


@pytest.mark.parametrize("blank", [None, "", "   ", "-", "—", "–", "/", "\n"])
def test_blanks_and_dashes_are_empty(blank: object) -> None:
    parsed = parse_number(blank)
    assert (parsed.value, parsed.ok, parsed.coerced) == (None, True, False)


@given(st.decimals(min_value=0, max_value=Decimal("1e13"), places=2, allow_nan=False))
def test_amount_with_thousands_separators_reads_back_to_itself(amount: Decimal) -> None:
    typed = f"{amount:,.2f}"
    assert parse_number(typed).value == float(amount)
    assert parse_number(typed.translate(_FULL_WIDTH)).value == float(amount)


# -- dates -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "2025-01-01",
        "2025/1/1",
        "2025/01/01",
        "2025.1.1",
        "2025年1月1日",
        "2025年1月1",
        " 2025 年 1 月 1 日 ",
        "20250101",
        "２０２５－０１－０１",
        "2025-01-01 00:00:00",
        dt.date(2025, 1, 1),
        dt.datetime(2025, 1, 1, 0, 0),
        dt.datetime(2025, 1, 1, 15, 30),
        45658,  # Excel serial: 2024-01-01 is 45292, plus 366 days of 2024
        45658.0,
    ],
)
def test_date_spellings_become_iso(typed: object) -> None:
    parsed = parse_date(typed)
    assert parsed.ok
    assert parsed.value == "2025-01-01"


def test_excel_serial_of_year_end() -> None:
    # 1900-01-01 is serial 1 in Excel's (Lotus-compatible) count; 2025-12-31 is 46022.
    assert parse_date(46022).value == "2025-12-31"


@pytest.mark.parametrize("typed", ["2025-02-30", "2025/13/1", "2025年2月30日", "明年初", "2025"])
def test_invalid_dates_are_kept_as_raw_text(typed: str) -> None:
    parsed = parse_date(typed)
    assert not parsed.ok
    assert parsed.value == typed


def test_serial_outside_excel_range_is_not_a_date() -> None:
    assert not parse_date(0).ok
    assert not parse_date(3_000_000).ok


@pytest.mark.parametrize("blank", [None, ""])
def test_blank_date(blank: object) -> None:
    assert parse_date(blank).value is None
    assert parse_date(blank).ok


@given(st.dates(min_value=dt.date(1900, 3, 1), max_value=dt.date(2100, 12, 31)))
def test_every_spelling_of_a_date_agrees(day: dt.date) -> None:
    spellings = [
        day.isoformat(),
        f"{day.year}/{day.month}/{day.day}",
        f"{day.year}年{day.month}月{day.day}日",
        day,
        dt.datetime.combine(day, dt.time()),
    ]
    assert {parse_date(s).value for s in spellings} == {day.isoformat()}


# -- labels and text -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("variant", "canonical"),
    [
        ("项目资金 (万元)", "项目资金（万元）"),
        ("项目资金\n（元）", "项目资金（元）"),
        ("项目资金\r\n(元)", "项目资金（元）"),
        ("其中:当年财政拨款", "其中：当年财政拨款"),
        (" 项 目 名 称 ：", "项目名称"),
        ("执行率(%)", "执行率（％）"),
        ("年度(/项目)指标值", "年度（／项目）指标值"),
        ("\t一级指标\u3000", "一级指标"),
    ],
)
def test_label_spellings_compare_equal(variant: str, canonical: str) -> None:
    assert normalise_label(variant) == normalise_label(canonical)


def test_normalised_label_form() -> None:
    # A trailing unit is a qualifier (issue 10): the label is 项目资金; the reader takes the
    # unit from the cell's own text.
    assert normalise_label("项目资金（元）") == normalise_label("项目资金（万元）") == "项目资金"
    assert normalise_label("其中：当年财政拨款") == "其中当年财政拨款"
    assert normalise_label(None) == ""


def test_different_labels_stay_different() -> None:
    assert normalise_label("其他资金") != normalise_label("其中：财政资金")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  邮寄率 \n", "邮寄率"),
        ("按实\x08结算", "按实结算"),
        ("按实_x0008_结算", "按实结算"),
        ("a\x00b\x1fc\x7f", "abc"),
        ("第一行\n第二行", "第一行\n第二行"),  # line breaks inside a text are kept
        (12.0, "12"),
        (12.5, "12.5"),
        (None, None),
        ("", None),
        ("   ", None),
        ("\x08", None),
        ("_x0008_", None),
        ("_x0041_", "_x0041_"),  # only escapes of control characters are removed
    ],
)
def test_clean_text(raw: object, expected: str | None) -> None:
    assert clean_text(raw) == expected


@given(st.text(alphabet=st.characters(codec="utf-8")))
def test_clean_text_never_leaves_control_characters(text: str) -> None:
    cleaned = clean_text(text)
    assert cleaned is None or not any(
        (ord(ch) < 32 and ch not in "\t\n\r") or ord(ch) == 0x7F for ch in cleaned
    )
    assert cleaned is None or cleaned == cleaned.strip()


# -- rates and years -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "fraction", "expected"),
    [
        ("85.47%", True, 85.47),
        ("85.47%", False, 85.47),
        ("85.47％", True, 85.47),
        (" 100% ", True, 100.0),
        (0.8547, True, 85.47),  # our template stores a fraction under a 0.00% format
        (1, True, 100.0),
        (85.47, False, 85.47),  # seeds print 85.47 meaning 85.47 %
        ("85.47", False, 85.47),
    ],
)
def test_rate_as_percentage(raw: object, fraction: bool, expected: float) -> None:
    parsed = parse_rate(raw, fraction=fraction)
    assert parsed.ok
    assert parsed.value == pytest.approx(expected, abs=1e-9)


@pytest.mark.parametrize("raw", ["约85%", "高%", "八成"])
def test_rate_words_are_not_rates(raw: str) -> None:
    assert not parse_rate(raw, fraction=True).ok


@pytest.mark.parametrize("blank", [None, "", "—"])
def test_blank_rate(blank: object) -> None:
    assert parse_rate(blank, fraction=True).value is None


@pytest.mark.parametrize(
    ("title", "year"),
    [
        ("（2025年度）", 2025),
        ("(2025 年度)", 2025),
        ("（２０２２年度）", 2022),
        ("（    年度）", None),
        (None, None),
    ],
)
def test_year_of_title_line(title: str | None, year: int | None) -> None:
    assert year_of(title) == year
