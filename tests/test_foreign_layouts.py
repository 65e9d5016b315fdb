"""Reading workbooks that xltools did not write (issue 5): the real seed forms in their own
layouts, as .xlsx, .xls and .ods, one form per sheet or stacked, and the layout variants of
returned files.

The fixtures are drawn by ``tests/fixtures/seeds/build.py`` (xlsxwriter, LibreOffice for
.xls/.ods). What ``read`` must return comes from independent sources: the hand-checked seed
transcriptions in ``examples/data`` and the hand-written ``variants_expected.json``; row
numbers are those of the seed text export (seed 002) or of the printed layout drawn by
build.py, worked out by hand below.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from xltools import api
from xltools.catalogue import ERROR
from xltools.model import content, from_dict, to_dict
from xltools.read.workbook import ReadResult

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "seeds"
SEED_DATA = ROOT / "examples" / "data"

# fixture stem → (seed transcription, formats committed)
FIXTURE_SEEDS = {
    "seed002_declarations_2025": ("seed002_declarations_2025.json", ("xlsx", "xls")),
    "seed000_declarations_2022": ("seed000_declarations_2022.json", ("xlsx", "xls")),
    "seed004_self_evaluations_2022": ("seed004_self_evaluations_2022.json", ("xlsx", "xls", "ods")),
    "seed004_stacked": ("seed004_self_evaluations_2022.json", ("xlsx", "xls")),
}
FILES = [f"{stem}.{ext}" for stem, (_, exts) in FIXTURE_SEEDS.items() for ext in exts]

# Where each form's title is (sheet, row).
# Seed 002: lines 5, 27 and 49 of the text export, one sheet.
SEED002_SHEET = "2025年度项目绩效目标汇总表"
# Stacked seed 004: a form takes 12 rows above its indicators, one per indicator (8, 6, 8, 9,
# 9, 12), the 总分 row and two blank rows: 1, 1+23, 24+21, 45+23, 68+24, 92+24.
STACKED_SHEET = "2022年度自评表"
STACKED_TOPS = (1, 24, 45, 68, 92, 116)
TITLES = {
    "seed002_declarations_2025": [(SEED002_SHEET, 5), (SEED002_SHEET, 27), (SEED002_SHEET, 49)],
    "seed000_declarations_2022": [(f"项目{i}", 1) for i in range(1, 4)],
    "seed004_self_evaluations_2022": [(f"项目{i}", 1) for i in range(1, 7)],
    "seed004_stacked": [(STACKED_SHEET, top) for top in STACKED_TOPS],
}
# Indicator rows of seed 002 = line numbers of the text export (line 23 is blank, so form 1's
# 满意度 row is line 24).
SEED002_ROWS = [
    [17, 18, 19, 20, 21, 22, 24],
    list(range(39, 48)),
    list(range(61, 69)),
]
# The printed layouts: the indicator table's header is the 13th row of a 申报表 and the 12th
# of a 自评表, counted from the title; one indicator per row below it.
FIRST_INDICATOR = {"declaration": 14, "self_evaluation": 13}
# Seed 002's amounts are the export's text ("29,620,000.00"): read as numbers, with R06 at
# column F (form 1) or E (forms 2, 3) of the four 年度 rows of each form.
SEED002_TEXT_AMOUNTS = {
    *(f"F{r}" for r in range(10, 14)),
    *(f"E{r}" for r in range(32, 36)),
    *(f"E{r}" for r in range(54, 58)),
}


def _seed(stem: str) -> list[dict[str, Any]]:
    return json.loads((SEED_DATA / FIXTURE_SEEDS[stem][0]).read_text("utf-8"))


def _read(name: str) -> ReadResult:
    [result] = api.read([FIXTURES / name])
    return result


def _stem(name: str) -> str:
    return name.rsplit(".", 1)[0]


def _rules(result: ReadResult) -> list[str]:
    return [f"{f.rule} {f.location}: {f.message}" for f in result.findings]


@pytest.fixture(scope="module")
def results() -> dict[str, ReadResult]:
    """Each fixture read once: ``read`` is what every test here is about."""
    return {name: _read(name) for name in [*FILES, "variants.xlsx"]}


def test_every_fixture_is_committed() -> None:
    missing = [
        n
        for n in [*FILES, "variants.xlsx", "variants_expected.json"]
        if not (FIXTURES / n).is_file()
    ]
    assert missing == [], "run: python tests/fixtures/seeds/build.py"


# -- the seed forms ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", FILES)
def test_reads_every_seed_form_in_order(name: str, results: dict[str, ReadResult]) -> None:
    result = results[name]
    assert result.readable, _rules(result)
    expected = [content(from_dict(d)) for d in _seed(_stem(name))]
    got = [content(r) for r in result.records]
    assert [g["project_name"] for g in got] == [e["project_name"] for e in expected]
    for g, e in zip(got, expected, strict=True):
        assert g == e, e["project_name"]


@pytest.mark.parametrize("name", FILES)
def test_knows_where_each_form_and_indicator_is(name: str, results: dict[str, ReadResult]) -> None:
    stem = _stem(name)
    records = results[name].records
    assert [(r.source.sheet, r.source.row) for r in records] == TITLES[stem]
    assert all(r.source.file == str(FIXTURES / name) for r in records)
    for i, (record, seed) in enumerate(zip(records, _seed(stem), strict=True)):
        if stem == "seed002_declarations_2025":
            rows = SEED002_ROWS[i]
        else:
            first = record.source.row + FIRST_INDICATOR[seed["kind"]] - 1
            rows = list(range(first, first + len(seed["indicators"])))
        assert [ind.row for ind in record.indicators] == rows, seed["project_name"]


@pytest.mark.parametrize("name", FILES)
def test_complete_forms_read_without_errors(name: str, results: dict[str, ReadResult]) -> None:
    findings = results[name].findings
    assert [f for f in findings if f.rule == "R03" or f.severity == ERROR] == []
    # Only the notes below are expected: R06 (number as text) and R07 (seed 000's unit).
    assert {f.rule for f in findings} <= {"R06", "R07"}, _rules(results[name])


@pytest.mark.parametrize("ext", FIXTURE_SEEDS["seed000_declarations_2022"][1])
def test_seed000_funds_label_states_no_unit(ext: str, results: dict[str, ReadResult]) -> None:
    """Seed 000 prints a bare "项目资金": R07 once per form, at that label; 元 is assumed."""
    result = results[f"seed000_declarations_2022.{ext}"]
    r07 = [(f.sheet, f.cell) for f in result.findings if f.rule == "R07"]
    assert r07 == [("项目1", "A6"), ("项目2", "A6"), ("项目3", "A6")]
    assert [r.money_unit for r in result.records] == ["元"] * 3


@pytest.mark.parametrize("name", [n for n in FILES if not n.startswith("seed000")])
def test_stated_units_give_no_r07(name: str, results: dict[str, ReadResult]) -> None:
    assert [f for f in results[name].findings if f.rule == "R07"] == []


@pytest.mark.parametrize("ext", FIXTURE_SEEDS["seed002_declarations_2025"][1])
def test_seed002_text_amounts_are_noted(ext: str, results: dict[str, ReadResult]) -> None:
    result = results[f"seed002_declarations_2025.{ext}"]
    r06 = {f.cell for f in result.findings if f.rule == "R06"}
    assert r06 == SEED002_TEXT_AMOUNTS
    assert [r.funds.annual_total for r in result.records] == [29620000.0, 100000.0, 820000.0]


def test_the_same_content_from_every_file_format(results: dict[str, ReadResult]) -> None:
    for stem, (_, exts) in FIXTURE_SEEDS.items():
        contents = {ext: [content(r) for r in results[f"{stem}.{ext}"].records] for ext in exts}
        assert len(contents["xlsx"]) == len(_seed(stem)), stem
        for ext in exts[1:]:
            assert contents[ext] == contents["xlsx"], f"{stem}.{ext}"


def test_stacked_forms_equal_the_one_per_sheet_workbook(results: dict[str, ReadResult]) -> None:
    stacked = [content(r) for r in results["seed004_stacked.xlsx"].records]
    per_sheet = [content(r) for r in results["seed004_self_evaluations_2022.xlsx"].records]
    assert len(stacked) == 6
    assert stacked == per_sheet


def test_execution_rates_are_percentages_as_printed(results: dict[str, ReadResult]) -> None:
    """85.47 % is stored as 0.8547 (percent format) in one workbook, as text in the other."""
    printed = [0.0, 100.0, 100.0, 85.47, 100.0, 100.0]
    for name in ("seed004_self_evaluations_2022.xlsx", "seed004_stacked.xlsx"):
        rates = [r.funds.total.execution_rate for r in results[name].records]
        assert rates == pytest.approx(printed, abs=1e-9), name


# -- variants ------------------------------------------------------------------------------------


def _variants_expected() -> list[dict[str, Any]]:
    return json.loads((FIXTURES / "variants_expected.json").read_text("utf-8"))


def test_variants_read_as_written_by_hand(results: dict[str, ReadResult]) -> None:
    result = results["variants.xlsx"]
    assert result.readable, _rules(result)
    got = [to_dict(r) for r in result.records]
    for record in got:
        record.pop("source")
    expected = _variants_expected()
    assert [(g["kind"], g["money_unit"]) for g in got] == [
        (e["kind"], e["money_unit"]) for e in expected
    ]
    for i, (g, e) in enumerate(zip(got, expected, strict=True)):
        assert g == e, f"record {i + 1}"


def test_variants_two_forms_in_one_sheet_and_one_alone(results: dict[str, ReadResult]) -> None:
    records = results["variants.xlsx"].records
    assert [(r.source.sheet, r.source.row) for r in records] == [
        ("申报表", 1),
        ("自评表（两张）", 1),
        ("自评表（两张）", 25),
        ("自评表", 1),
    ]


def test_variants_read_without_errors(results: dict[str, ReadResult]) -> None:
    findings = results["variants.xlsx"].findings
    assert [f for f in findings if f.rule in ("R03", "R07") or f.severity == ERROR] == []


# -- the fixtures themselves (no reader involved) ----------------------------------------------


def test_variants_expected_rows_hold_their_indicators() -> None:
    """Guards the hand-written rows against a change of build.py: checked with openpyxl."""
    book = openpyxl.load_workbook(FIXTURES / "variants.xlsx", read_only=True)
    sheets = ["申报表", "自评表（两张）", "自评表（两张）", "自评表"]
    for sheet, record in zip(sheets, _variants_expected(), strict=True):
        rows = list(book[sheet].iter_rows(values_only=True))
        for ind in record["indicators"]:
            assert ind["name"] in rows[ind["row"] - 1], (sheet, ind["row"])
    book.close()


@pytest.mark.parametrize("name", [n for n in [*FILES, "variants.xlsx"] if n.endswith(".xlsx")])
def test_fixtures_are_not_our_templates(name: str) -> None:
    """No identity stamp, so the reader has to find every value by its label."""
    book = openpyxl.load_workbook(FIXTURES / name, read_only=True)
    stamps = [
        value
        for ws in book.worksheets
        for row in ws.iter_rows(values_only=True)
        for value in row
        if isinstance(value, str) and value.startswith("xltools:")
    ]
    book.close()
    assert stamps == []
