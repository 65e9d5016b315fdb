"""Reading our filled templates: the examples, and what a clerk types into a template."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from xltools import api
from xltools.model import content, from_dict, to_dict
from xltools.profiles import load_profile
from xltools.read.workbook import read_workbook

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
KIND_BY_PREFIX = {"申报表": "declaration", "自评表": "self_evaluation"}

# What the template's formulas show for each seed-004 self-evaluation, worked out by hand
# from the seed's budget figures and indicator scores (half-up rounding, the default profile):
# (执行率 %, 执行率得分, 总分, 评分等级 — 优 ≥ 90, 良 ≥ 80, 中 ≥ 60).
HAND_COMPUTED = {
    # 120000 / 120000 = 100 %; 10 × 1 = 10; 10 + 90 = 100
    "信息系统维护专项经费": (100.0, 10.0, 100.0, "优"),
    # 615326.02 / 720000 = 0.854619… → 85.46 %; 0.8546 × 10 = 8.546 → 8.55;
    # 8.55 + 12+12+12+14+6+7+7+8+9 = 95.55. Seed 004 prints 85.47 % (a rounding difference).
    "公共服务窗口运行经费": (85.46, 8.55, 95.55, "优"),
    # nothing spent: 0 / 1200000 = 0 %; score 0; 0 + 10+10+5+5+10+10+10+10 = 70
    "医疗服务与保障能力提升（医疗保障服务能力建设部分）补助资金": (0.0, 0.0, 70.0, "中"),
    "工作服专项经费": (100.0, 10.0, 100.0, "优"),  # 75000 / 75000
    "市民社区医疗互助帮困专项补助（市拨）": (100.0, 10.0, 100.0, "优"),  # 32200000 / 32200000
    "社区医疗互助帮困补助经费": (100.0, 10.0, 100.0, "优"),  # 37800000 / 37800000
    # examples/data/planted_mistakes.json: the same funds, scores changed on purpose;
    # 8.55 + 13+10+12+14+6+7+7+8+5 = 90.55 (the record's own 95.55 is one of the planted errors)
    "公共服务窗口运行经费（示例：含错误）": (85.46, 8.55, 90.55, "优"),
}
PUBLIC_WINDOW = "公共服务窗口运行经费"
COMMUNITY_AID = "社区医疗互助帮困补助经费"


def _expected_content(seed: dict) -> dict:
    """The seed's content, with the template's formula cells as computed by hand."""
    expected = content(from_dict(seed))
    if seed["kind"] == "self_evaluation":
        rate, score, total, grade = HAND_COMPUTED[seed["project_name"]]
        expected["funds"]["total"].update(execution_rate=rate, score=score)
        expected.update(total_score=total, grade=grade)
    return expected


# -- the example workbooks ---------------------------------------------------------------------


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.xlsx")), ids=lambda p: p.name)
def test_example_workbook_reads_back_to_its_seed_record(path: Path, seed_dicts: dict) -> None:
    prefix, _, name = path.stem.partition("_")
    result = read_workbook(path)
    assert result.findings == []
    assert len(result.records) == 1
    record = result.records[0]
    seed = seed_dicts[(KIND_BY_PREFIX[prefix], name)]
    assert content(record) == _expected_content(seed)
    assert to_dict(record)["source"] == {"file": str(path), "sheet": prefix, "row": 1}
    # The indicator table starts right below its header (row 13 / row 12), one row each.
    first = 14 if prefix == "申报表" else 13
    assert [i.row for i in record.indicators] == list(range(first, first + len(seed["indicators"])))


def test_every_seed_of_the_examples_has_a_workbook(seed_dicts: dict) -> None:
    names = {p.stem for p in EXAMPLES.glob("*.xlsx")}
    for kind, name in seed_dicts:
        if kind == "self_evaluation" or seed_dicts[(kind, name)]["year"] == 2025:
            assert f"{'申报表' if kind == 'declaration' else '自评表'}_{name}" in names


def test_seed_prints_85_47_where_the_template_shows_85_46(seed_dicts: dict) -> None:
    """Kept visible on purpose: the check issue decides how to report this difference."""
    seed = seed_dicts[("self_evaluation", PUBLIC_WINDOW)]
    assert seed["funds"]["total"]["execution_rate"] == 85.47
    record = read_workbook(EXAMPLES / f"自评表_{PUBLIC_WINDOW}.xlsx").records[0]
    assert record.funds.total.execution_rate == 85.46


def test_written_record_reads_back_unchanged(seed_record, write_record) -> None:
    record = seed_record("declaration", "医疗保障费用审核结算系统-运维")  # a 2022 declaration
    path = write_record(record)
    result = read_workbook(path)
    assert result.findings == []
    assert [content(r) for r in result.records] == [content(record)]


# -- a clerk types into the template -----------------------------------------------------------


@pytest.fixture
def declaration(seed_record, write_record) -> Path:
    """社区医疗互助帮困补助经费 (2025): amounts in E7:E10, dates in B6/E6, table from row 14."""
    return write_record(seed_record("declaration", COMMUNITY_AID), "申报表.xlsx")


@pytest.fixture
def self_evaluation(seed_record, write_record) -> Path:
    """公共服务窗口运行经费 (2022): funds D6:I9, table rows 13–32, 总分 row 33, 等级 row 34."""
    return write_record(seed_record("self_evaluation", PUBLIC_WINDOW), "自评表.xlsx")


def _rules(result) -> list[tuple[str, str | None]]:
    return [(f.rule, f.cell) for f in result.findings]


def test_amounts_typed_as_text_become_numbers_with_r06(declaration: Path, edit_cells) -> None:
    edit_cells(
        declaration, {"E7": "23,860,000", "E8": "２９６２００００.００", "C7": "29,620,000.00"}
    )
    result = read_workbook(declaration)
    funds = result.records[0].funds
    assert (funds.annual_total, funds.current_appropriation) == (23860000.0, 29620000.0)
    assert funds.project_total == 29620000.0
    r06 = sorted((f.cell, f.sheet, f.value) for f in result.findings if f.rule == "R06")
    assert r06 == [
        ("C7", "申报表", "29,620,000.00"),
        ("E7", "申报表", "23,860,000"),
        ("E8", "申报表", "２９６２００００.００"),
    ]
    assert all(f.severity == "提示" for f in result.findings if f.rule == "R06")


def test_r06_message_shows_the_amount_as_people_write_it(declaration: Path, edit_cells) -> None:
    edit_cells(declaration, {"E7": "23,860,000"})
    [r06] = [f for f in read_workbook(declaration).findings if f.rule == "R06"]
    assert "23,860,000" in r06.message
    assert "e+" not in r06.message


def test_amount_in_words_is_r04_and_not_zero(declaration: Path, edit_cells) -> None:
    edit_cells(declaration, {"E9": "2000万"})
    result = read_workbook(declaration)
    assert result.records[0].funds.carryover is None
    [r04] = [f for f in result.findings if f.rule == "R04"]
    assert (r04.cell, r04.sheet, r04.value, r04.severity) == ("E9", "申报表", "2000万", "错误")
    assert r04.project == COMMUNITY_AID
    assert "2000万" in r04.message


def test_self_evaluation_amounts_typed_as_text(self_evaluation: Path, edit_cells) -> None:
    edit_cells(self_evaluation, {"D6": "720,000", "F7": "615,326.02", "E8": "约100"})
    result = read_workbook(self_evaluation)
    funds = result.records[0].funds
    assert funds.total.initial_budget == 720000.0
    assert funds.current_appropriation.executed == 615326.02
    assert funds.carryover.adjusted_budget is None
    found = {(f.rule, f.cell) for f in result.findings}
    assert {("R06", "D6"), ("R06", "F7"), ("R04", "E8")} <= found


@pytest.mark.parametrize(
    "typed",
    ["2025/3/1", "2025年3月1日", "2025.03.01", dt.date(2025, 3, 1), dt.datetime(2025, 3, 1, 9, 30)],
    ids=str,
)
def test_dates_as_typed_become_iso(declaration: Path, edit_cells, typed: object) -> None:
    edit_cells(declaration, {"B6": typed, "E6": typed})
    record = read_workbook(declaration).records[0]
    assert (record.start_date, record.end_date) == ("2025-03-01", "2025-03-01")


def test_excel_serial_in_the_date_cell(declaration: Path, edit_cells) -> None:
    edit_cells(declaration, {"E6": 46022})  # the cell keeps its yyyy-mm-dd format
    assert read_workbook(declaration).records[0].end_date == "2025-12-31"


def test_impossible_date_is_kept_as_typed(declaration: Path, edit_cells) -> None:
    edit_cells(declaration, {"E6": "2025-02-30"})
    assert read_workbook(declaration).records[0].end_date == "2025-02-30"


def test_blank_level1_level2_are_filled_down(self_evaluation: Path, edit_cells, seed_dicts) -> None:
    # Rows 13–21 are 邮寄率 … 参保群众满意度; clerks often leave repeated 一级/二级 blank.
    blanks = {"B14": None, "B15": None, "C15": None, "B16": None, "B18": None, "B20": None}
    edit_cells(self_evaluation, {**blanks, "C20": None})
    record = read_workbook(self_evaluation).records[0]
    expected = [
        (i["level1"], i["level2"])
        for i in seed_dicts[("self_evaluation", PUBLIC_WINDOW)]["indicators"]
    ]
    assert [(i.level1, i.level2) for i in record.indicators] == expected
    assert expected[2] == ("产出指标", "质量指标") and expected[7] == ("效益指标", "可持续影响指标")


def test_new_level2_under_a_repeated_level1_is_kept(self_evaluation: Path, edit_cells) -> None:
    edit_cells(self_evaluation, {"B16": None})  # 时效指标 row under a blank 一级
    record = read_workbook(self_evaluation).records[0]
    assert (record.indicators[3].level1, record.indicators[3].level2) == ("产出指标", "时效指标")


def test_stray_whitespace_is_stripped(self_evaluation: Path, edit_cells, seed_dicts) -> None:
    edit_cells(
        self_evaluation,
        {
            "B3": f"  {PUBLIC_WINDOW} \n",
            "B13": " 产出指标 ",
            "D13": "\t邮寄率  ",
            "F13": " 100% ",
            "A3": "项 目 名 称：",  # the label itself with spaces and a colon
            "E4": "实施单位:",
        },
    )
    result = read_workbook(self_evaluation)
    record = result.records[0]
    assert record.project_name == PUBLIC_WINDOW
    assert record.implementing_unit == "上海市长宁区医疗保险事务中心"
    first = record.indicators[0]
    assert (first.level1, first.name, first.actual) == ("产出指标", "邮寄率", "100%")
    assert not [f for f in result.findings if f.rule in ("R03", "R04")]


def test_openpyxl_save_drops_formula_values_and_reader_computes_them(
    self_evaluation: Path, edit_cells
) -> None:
    edit_cells(self_evaluation, {})  # open and save, change nothing
    book = openpyxl.load_workbook(self_evaluation, data_only=True)
    assert book.worksheets[0]["H6"].value is None  # the cached value is gone
    book.close()
    result = read_workbook(self_evaluation)
    record = result.records[0]
    assert (record.funds.total.execution_rate, record.funds.total.score) == (85.46, 8.55)
    assert (record.total_score, record.grade) == (95.55, "优")
    r05 = sorted((f.cell, f.expected) for f in result.findings if f.rule == "R05")
    assert r05 == [("H33", 95.55), ("H34", "优"), ("H6", 85.46), ("I6", 8.55)]
    assert {f.severity for f in result.findings} == {"警告"}
    assert {f.rule for f in result.findings} == {"R05"}


def test_computed_formula_values_follow_the_profile_rounding(
    self_evaluation: Path, edit_cells, profile, tmp: Path
) -> None:
    assert profile.rounding == "half-up"
    edit_cells(self_evaluation, {})
    (tmp / "截尾.toml").write_text('rounding = "truncate"\n', "utf-8")
    truncating = load_profile(tmp / "截尾.toml")
    # 0.854619… → 85.46 %; 0.8546 × 10 = 8.546 → 8.54 (truncated); 8.54 + 87 = 95.54
    record = read_workbook(self_evaluation, truncating).records[0]
    assert (record.funds.total.score, record.total_score) == (8.54, 95.54)
    assert read_workbook(self_evaluation, profile).records[0].total_score == 95.55


def test_formula_values_follow_the_edited_figures(self_evaluation: Path, edit_cells) -> None:
    # 540000 / 720000 = 75 %; 7.5 points; 7.5 + 87 = 94.5
    edit_cells(self_evaluation, {"F6": 540000})
    record = read_workbook(self_evaluation).records[0]
    assert (record.funds.total.execution_rate, record.funds.total.score) == (75.0, 7.5)
    assert record.total_score == 94.5


def test_file_untouched_by_openpyxl_has_no_r05(self_evaluation: Path) -> None:
    assert read_workbook(self_evaluation).findings == []


# -- rows inserted and deleted inside the indicator table ----------------------------------------


def test_inserted_and_deleted_indicator_rows_self_evaluation(
    self_evaluation: Path, edit_cells
) -> None:
    def edit(ws) -> None:
        ws.insert_rows(15, 2)  # two rows before 邮件准确率 (was row 15)
        for col, value in zip(
            "BCDEFGH", ["产出指标", "质量指标", "新增指标", "≥1", "1", 0, 0], strict=True
        ):
            ws[f"{col}15"] = value
        ws.delete_rows(19)  # 便民化程度性 (row 17, now 19), scored 6 of 7

    edit_cells(self_evaluation, edit=edit)
    result = read_workbook(self_evaluation)
    record = result.records[0]
    assert [(i.row, i.name) for i in record.indicators] == [
        (13, "邮寄率"),
        (14, "窗口建设优良率"),
        (15, "新增指标"),  # row 16 stays blank and is skipped
        (17, "邮件准确率"),
        (18, "资金支付及时性"),
        (19, "办事环境运行性"),
        (20, "窗口运行长效管理"),
        (21, "服务对象满意度"),
        (22, "参保群众满意度"),
    ]
    # 总分 moved from row 33 to 34: 8.55 + 12+12+0+12+14+7+7+8+9 = 89.55
    assert record.total_score == 89.55
    assert ("R05", "H34") in _rules(result)


def test_inserted_and_deleted_indicator_rows_declaration(declaration: Path, edit_cells) -> None:
    def edit(ws) -> None:
        ws.delete_rows(14)  # 政策补助补贴标准
        ws.insert_rows(16, 3)
        for col, value in zip("BCDE", ["产出指标", "质量指标", "数据准确率", "=100%"], strict=True):
            ws[f"{col}17"] = value
        ws["E17"].data_type = "s"  # typed into a text cell: a target, not a formula

    edit_cells(declaration, edit=edit)
    record = read_workbook(declaration).records[0]
    assert [(i.row, i.name, i.target) for i in record.indicators][:4] == [
        (14, "补助补贴对象数量", "≥10000.00(人)"),
        (15, "补助补贴准确率", "=100.00(%)"),
        (17, "数据准确率", "=100%"),
        (19, "补贴资金发放及时率", "≥95.00(%)"),
    ]
    assert len(record.indicators) == 7
    assert record.indicators[-1].row == 22


# -- several forms in one sheet ----------------------------------------------------------------


def _stack(sources: list[Path], out: Path, gap: int = 3) -> list[int]:
    """Copy each source form's cell values below the previous one; return the title rows."""
    book = openpyxl.Workbook()
    target = book.active
    target.title = "汇总"
    tops, top = [], 1
    for source in sources:
        src_book = openpyxl.load_workbook(source)
        ws = src_book.worksheets[0]
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is not None:
                    copy = target.cell(row=cell.row + top - 1, column=cell.column, value=cell.value)
                    copy.data_type = cell.data_type  # "=100%" is a target text, not a formula
        tops.append(top)
        top += ws.max_row + gap
        src_book.close()
    book.save(out)
    book.close()
    return tops


def test_same_form_stacked_twice_reads_as_two_records(
    seed_record, write_record, seed_dicts, tmp: Path
) -> None:
    names = [COMMUNITY_AID, "信息系统维护经费"]
    sources = [
        write_record(seed_record("declaration", n), f"{i}.xlsx", rows=12)
        for i, n in enumerate(names)
    ]
    stacked = tmp / "汇总.xlsx"
    tops = _stack(sources, stacked)
    assert tops == [1, 29]  # 13 header rows + 12 table rows + 3 blank rows

    result = read_workbook(stacked)
    assert [f.rule for f in result.findings] == []
    assert [content(r) for r in result.records] == [
        content(from_dict(seed_dicts[("declaration", n)])) for n in names
    ]
    assert [r.source.row for r in result.records] == tops
    assert [r.source.sheet for r in result.records] == ["汇总", "汇总"]
    assert result.records[1].indicators[0].row == 29 + 13


def test_stacked_self_evaluations_compute_their_own_totals(
    seed_record, write_record, tmp: Path
) -> None:
    names = [PUBLIC_WINDOW, "工作服专项经费"]
    sources = [
        write_record(seed_record("self_evaluation", n), f"{i}.xlsx") for i, n in enumerate(names)
    ]
    result = read_workbook(_stack_path(sources, tmp))
    assert [r.project_name for r in result.records] == names
    assert [r.total_score for r in result.records] == [95.55, 100.0]
    assert [r.funds.total.execution_rate for r in result.records] == [85.46, 100.0]


def _stack_path(sources: list[Path], tmp: Path) -> Path:
    out = tmp / "stacked.xlsx"
    _stack(sources, out)
    return out


def test_api_read_reads_a_folder(tmp: Path, seed_record, write_record) -> None:
    write_record(seed_record("declaration", COMMUNITY_AID), "a.xlsx")
    write_record(seed_record("self_evaluation", PUBLIC_WINDOW), "b.xlsx")
    (tmp / "notes.txt").write_text("不是表格", "utf-8")
    results = api.read([tmp])
    assert [Path(r.file).name for r in results] == ["a.xlsx", "b.xlsx"]
    assert [r.records[0].project_name for r in results] == [COMMUNITY_AID, PUBLIC_WINDOW]


def test_indicator_text_equal_to_a_footer_label_does_not_end_the_table(
    seed_record, write_record
) -> None:
    """Only a 总分 label left of the table ends it, not an indicator called 总分."""
    record = seed_record("self_evaluation", "工作服专项经费")
    record.indicators[0].name = "总分"
    record.indicators[1].actual = "评分等级"
    path = write_record(record)
    (back,) = api.read([path])[0].records
    assert [i.name for i in back.indicators] == [i.name for i in record.indicators]
    assert back.indicators[0].name == "总分"
    assert back.indicators[1].actual == "评分等级"
    assert back.total_score == 100.0
