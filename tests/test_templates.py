"""What the generated templates contain.

Part 1 keeps the committed workbooks (templates/, examples/) equal, by content, to
what the generator writes now: each workbook's content is committed as text under
tests/golden/ (``testkit.snapshot.to_text``), the freshly generated workbook must print
the same text, and so must the committed binary. A failure prints the diff of the text.
Part 2 pins down the features of a fresh template.
Expected values come from the official form (shared/spec/forms.md), Excel's limits
and numbers worked out by hand in the tests, not from the code under test.
"""

from __future__ import annotations

import itertools
import re
import warnings
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner
from openpyxl.cell.cell import Cell
from openpyxl.utils import column_index_from_string, get_column_letter, range_boundaries
from openpyxl.utils.cell import coordinate_from_string
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from testkit.snapshot import GOLDEN_DIR, differences, golden_path, snapshot, text_diff, to_text
from xltools import api, regenerate
from xltools.model import Declaration, FundsRow, Indicator, SelfEvaluation
from xltools.profiles import load_profile

ROOT = Path(__file__).resolve().parent.parent
REGENERATE = (
    "{what} is out of date with the template writer: run `python -m xltools.regenerate` "
    "from the repository root, review the diff of tests/golden/ and commit the result"
)
CJK = re.compile(r"[\u4e00-\u9fff]")

# -- part 1: committed workbooks are current ------------------------------------------------


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """What ``python -m xltools.regenerate`` would write now, keyed by relative path."""
    root = tmp_path_factory.mktemp("regenerated")
    written = regenerate.templates(root / "templates") + api.build_examples(root / "examples")
    return {p.relative_to(root).as_posix(): p for p in written}


def assert_matches_golden(rel: str, workbook: Path, message: str) -> None:
    """``workbook``'s content printed as text equals the committed golden text of ``rel``."""
    golden = golden_path(ROOT, ROOT / rel)
    assert golden.is_file(), f"{message}\n(no {golden.relative_to(ROOT)})"
    committed = golden.read_text("utf-8")
    now = to_text(snapshot(workbook))
    if now != committed:
        pytest.fail(f"{message}\n{text_diff(committed, now, golden.name)}", pytrace=False)


COMMITTED_TEMPLATES = ["templates/申报表.xlsx", "templates/自评表.xlsx"]
COMMITTED_EXAMPLES = sorted(p.name for p in (ROOT / "examples").glob("*.xlsx"))
COMMITTED = COMMITTED_TEMPLATES + [f"examples/{name}" for name in COMMITTED_EXAMPLES]


@pytest.mark.parametrize("rel", COMMITTED)
def test_generated_workbook_matches_its_golden_text(fresh: dict[str, Path], rel: str) -> None:
    message = REGENERATE.format(what=rel)
    assert rel in fresh, message
    assert_matches_golden(rel, fresh[rel], message)


@pytest.mark.parametrize("rel", COMMITTED)
def test_committed_workbook_matches_its_golden_text(rel: str) -> None:
    """The binary handed out is the one the golden text describes."""
    message = REGENERATE.format(what=rel)
    assert (ROOT / rel).is_file(), message
    assert_matches_golden(rel, ROOT / rel, message)


def test_committed_examples_are_exactly_the_generated_ones(fresh: dict[str, Path]) -> None:
    generated = sorted(key.split("/", 1)[1] for key in fresh if key.startswith("examples/"))
    assert generated == COMMITTED_EXAMPLES, REGENERATE.format(what="examples/*.xlsx")


def test_one_golden_text_per_committed_workbook() -> None:
    goldens = sorted(
        p.relative_to(ROOT / GOLDEN_DIR).as_posix() for p in (ROOT / GOLDEN_DIR).rglob("*.json")
    )
    assert goldens == sorted(f"{rel}.json" for rel in COMMITTED), REGENERATE.format(
        what="tests/golden/"
    )


def test_golden_text_shows_a_changed_cell_as_one_line(
    fresh: dict[str, Path], tmp_path: Path
) -> None:
    """What a reviewer sees when a label changes: the cell's line, old and new."""
    changed = tmp_path / "changed.xlsx"
    with (
        zipfile.ZipFile(fresh["templates/自评表.xlsx"]) as src,
        zipfile.ZipFile(changed, "w") as dst,
    ):
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/sharedStrings.xml":
                assert data.count("<t>项目名称</t>".encode()) == 1
                data = data.replace("<t>项目名称</t>".encode(), "<t>项目全称</t>".encode())
            dst.writestr(item, data)
    before = to_text(snapshot(fresh["templates/自评表.xlsx"]))
    diff = text_diff(before, to_text(snapshot(changed)), "自评表.xlsx.json").splitlines()
    removed = [line for line in diff if line.startswith("-") and not line.startswith("---")]
    added = [line for line in diff if line.startswith("+") and not line.startswith("+++")]
    assert len(removed) == len(added) == 1, diff
    assert '"A3": {"value": "项目名称"' in removed[0] and '"A3": {"value": "项目全称"' in added[0]


# -- helpers --------------------------------------------------------------------------------


def open_book(path: Path, data_only: bool = False) -> Workbook:
    return openpyxl.load_workbook(path, data_only=data_only)


def form(path: Path, data_only: bool = False) -> Worksheet:
    """The form sheet: the first sheet of the workbook."""
    return open_book(path, data_only).worksheets[0]


def text(cell: Cell) -> str:
    return re.sub(r"\s+", "", cell.value) if isinstance(cell.value, str) else ""


def cells_with(ws: Worksheet, label: str) -> list[Cell]:
    return [c for row in ws.iter_rows() for c in row if text(c) == label]


def the(ws: Worksheet, label: str, row: int | None = None) -> Cell:
    """The one cell showing ``label`` (in ``row`` if given)."""
    found = [c for c in cells_with(ws, label) if row is None or c.row == row]
    assert len(found) == 1, f"expected one cell “{label}”, found {[c.coordinate for c in found]}"
    return found[0]


def merged_range(ws: Worksheet, cell: Cell) -> tuple[int, int, int, int]:
    """(min_col, min_row, max_col, max_row) of the merge holding ``cell``, or the cell."""
    for rng in ws.merged_cells.ranges:
        if cell.coordinate in rng:
            return rng.min_col, rng.min_row, rng.max_col, rng.max_row
    return cell.column, cell.row, cell.column, cell.row


def right_of(ws: Worksheet, cell: Cell) -> str:
    """The value cell beside a label: the first cell right of the label (or of its merge)."""
    _, _, max_col, _ = merged_range(ws, cell)
    return f"{get_column_letter(max_col + 1)}{cell.row}"


def validation_at(ws: Worksheet, ref: str) -> Any:
    found = [dv for dv in ws.data_validations.dataValidation if ref in dv.sqref]
    assert len(found) == 1, f"expected one data validation on {ref}, found {len(found)}"
    return found[0]


def name_values(book: Workbook, name: str) -> list[str]:
    """The values listed by a defined name's range, on a very hidden, protected sheet.

    Very hidden (not unhidable from the sheet tabs menu) and protected, so that nobody
    edits the lists the dropdowns depend on.
    """
    assert name in book.defined_names, f"no defined name {name!r}"
    (sheet, ref), *rest = list(book.defined_names[name].destinations)
    assert not rest
    assert book[sheet].sheet_state == "veryHidden"
    assert book[sheet].protection.sheet
    return [c.value for row in book[sheet][ref] for c in row if c.value is not None]


def table(ws: Worksheet) -> tuple[int, range]:
    """The indicator table: its header row and its rows (those with the 一级指标 dropdown)."""
    header = the(ws, "三级指标").row
    level1 = the(ws, "一级指标", header)
    below = f"{level1.column_letter}{header + 1}"
    rows = [range_boundaries(str(r)) for r in validation_at(ws, below).sqref.ranges]
    assert len(rows) == 1
    _, first, _, last = rows[0]
    assert first == header + 1
    return header, range(first, last + 1)


def column_of(ws: Worksheet, label: str, row: int) -> str:
    return the(ws, label, row).column_letter


def print_box(ws: Worksheet) -> tuple[int, int, int, int]:
    area = ws.print_area
    assert isinstance(area, str) and "," not in area
    return range_boundaries(area.split("!")[-1].replace("$", ""))


MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


@dataclass
class RawFormats:
    """The first sheet's cell formats as stored in the file, as Excel applies them.

    openpyxl cannot tell: it replaces every cell of a merge but the first by a blank
    ``MergedCell`` of default style, and the 绩效指标 label is merged over all the
    indicator rows, which must be unlocked cell by cell.
    """

    cells: dict[str, int]  # "A13" → index into cellXfs
    rows: dict[int, int]  # rows with a row format (customFormat)
    cols: list[tuple[int, int, int]]  # (min, max, xf) of column formats
    locked: list[bool]  # per xf
    fonts: list[str]  # per xf: font name

    @classmethod
    def load(cls, path: Path) -> RawFormats:
        with zipfile.ZipFile(path) as z:
            book = ET.fromstring(z.read("xl/workbook.xml"))
            rels = ET.fromstring(z.read("xl/_rels/workbook.xml.rels"))
            rid = book.find(f"{MAIN}sheets")[0].get(REL_ID)
            target = next(r.get("Target") for r in rels if r.get("Id") == rid)
            sheet = ET.fromstring(z.read(f"xl/{target}"))
            styles = ET.fromstring(z.read("xl/styles.xml"))
        font_names = [f.find(f"{MAIN}name").get("val") for f in styles.find(f"{MAIN}fonts")]
        xfs = list(styles.find(f"{MAIN}cellXfs"))
        locked = []
        for xf in xfs:
            prot = xf.find(f"{MAIN}protection")
            locked.append(prot is None or prot.get("locked") not in ("0", "false"))
        cells, rows = {}, {}
        for row in sheet.iter(f"{MAIN}row"):
            if row.get("customFormat") in ("1", "true"):
                rows[int(row.get("r"))] = int(row.get("s", "0"))
            for c in row.iter(f"{MAIN}c"):
                cells[c.get("r")] = int(c.get("s", "0"))
        cols = [
            (int(c.get("min")), int(c.get("max")), int(c.get("style", "0")))
            for c in sheet.iter(f"{MAIN}col")
        ]
        fonts = [font_names[int(xf.get("fontId", "0"))] for xf in xfs]
        return cls(cells, rows, cols, locked, fonts)

    def xf(self, ref: str) -> int:
        if ref in self.cells:
            return self.cells[ref]
        col, row = coordinate_from_string(ref)
        if row in self.rows:
            return self.rows[row]
        number = column_index_from_string(col)
        return next((xf for lo, hi, xf in self.cols if lo <= number <= hi), 0)

    def is_locked(self, ref: str) -> bool:
        return self.locked[self.xf(ref)]

    def font(self, ref: str) -> str:
        return self.fonts[self.xf(ref)]


def write_profile(folder: Path, body: str) -> Any:
    path = folder / "profile.toml"
    path.write_text(body, encoding="utf-8")
    return load_profile(path)


# -- part 2: features of a fresh template ---------------------------------------------------

DECLARATION_2025 = ("申报表", 2025, None)
DECLARATION_2022 = ("申报表", 2022, None)
SELF_EVALUATION = ("自评表", 2025, None)
ALL_FORMS = [DECLARATION_2025, DECLARATION_2022, SELF_EVALUATION]
FORM_IDS = ["申报表2025", "申报表2022", "自评表"]


@pytest.fixture(scope="module")
def blank(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple, Path]:
    folder = tmp_path_factory.mktemp("blank")
    return {
        (kind, year, v): api.write_template(folder / f"{kind}{year}.xlsx", kind, year=year)
        for kind, year, v in ALL_FORMS
    }


@pytest.mark.parametrize(
    ("key", "title"),
    [(DECLARATION_2025, "财政项目支出绩效目标申报表"), (SELF_EVALUATION, "财政项目支出绩效自评表")],
)
def test_title_and_year_line(blank: dict, key: tuple, title: str) -> None:
    ws = form(blank[key])
    assert ws["A1"].value == title
    assert ws["A2"].value == "（2025年度）"
    assert ws["A1"].font.b
    # Both lines are centred over the whole form, as in the printed form.
    _, _, last_col, _ = print_box(ws)
    for cell in (ws["A1"], ws["A2"]):
        assert merged_range(ws, cell) == (1, cell.row, last_col, cell.row)


COMMON_LABELS = ["项目名称", "主管部门", "实施单位", "一级指标", "二级指标", "三级指标"]
DECLARATION_LABELS = [
    *COMMON_LABELS, "计划开始日期", "计划完成日期", "项目资金总额", "年度资金申请总额",
    "其中：当年财政拨款", "上年结转资金", "其他资金", "项目总目标",
]  # fmt: skip
# The 2022 form (seed 000) and the 2025 form (seed 002) word two headers differently.
WORDING_2022 = ["年度总目标", "指标目标值"]
WORDING_2025 = ["年度总体目标", "年度(/项目)指标值"]
SELF_EVALUATION_LABELS = [
    *COMMON_LABELS, "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分",
    "年度资金总额", "其中：当年财政拨款", "上年结转资金", "其他资金", "预期目标",
    "实际完成情况", "实际完成值", "偏差原因分析及改进措施", "总分", "评分等级",
]  # fmt: skip


@pytest.mark.parametrize(
    ("key", "labels", "absent"),
    [
        (DECLARATION_2025, [*DECLARATION_LABELS, *WORDING_2025, "项目性质", "项目类别"], []),
        (DECLARATION_2022, [*DECLARATION_LABELS, *WORDING_2022, "项目类别"], ["项目性质"]),
        (SELF_EVALUATION, SELF_EVALUATION_LABELS, ["项目性质", "项目类别"]),
    ],
    ids=FORM_IDS,
)
def test_form_labels_as_in_the_official_form(
    blank: dict, key: tuple, labels: list[str], absent: list[str]
) -> None:
    ws = form(blank[key])
    for label in labels:
        found = cells_with(ws, label)
        assert found, f"label “{label}” missing"
        for cell in found:
            assert cell.font.name == "宋体", f"{cell.coordinate} font {cell.font.name}"
            assert cell.font.b, f"label {cell.coordinate} “{label}” is not bold"
    for label in absent:
        assert not cells_with(ws, label), f"label “{label}” should not be on this variant"


@pytest.mark.parametrize("key", ALL_FORMS, ids=FORM_IDS)
def test_every_cell_of_the_form_is_in_songti(blank: dict, key: tuple) -> None:
    raw = RawFormats.load(blank[key])
    assert {raw.font(ref) for ref in raw.cells} == {"宋体"}


@pytest.mark.parametrize("kind", ["申报表", "自评表"])
@pytest.mark.parametrize("unit", ["元", "万元"])
def test_funds_label_carries_the_money_unit(tmp_path: Path, kind: str, unit: str) -> None:
    ws = form(api.write_template(tmp_path / "t.xlsx", kind, year=2025, money_unit=unit))
    funds = [text(c) for row in ws.iter_rows() for c in row if text(c).startswith("项目资金")]
    funds = [t for t in funds if t != "项目资金总额"]
    assert funds == [f"项目资金（{unit}）"]


# -- dropdowns and validations --------------------------------------------------------------

LEVEL2_2021 = {
    "产出指标": {"数量指标", "质量指标", "时效指标"},
    "效益指标": {"经济效益指标", "社会效益指标", "生态效益指标", "可持续影响指标"},
    "满意度指标": {"服务对象满意度指标"},
    "成本指标": {"经济成本指标", "社会成本指标", "生态环境成本指标"},
}
# The default profile accepts the 2015 framework too, where 成本指标 sits under 产出指标.
LEVEL2_DEFAULT = {**LEVEL2_2021, "产出指标": {"数量指标", "质量指标", "时效指标", "成本指标"}}


def check_indicator_dropdowns(path: Path, expected: dict[str, set[str]]) -> None:
    book = open_book(path)
    ws = book.worksheets[0]
    header, rows = table(ws)
    level1_col = column_of(ws, "一级指标", header)
    level2_col = column_of(ws, "二级指标", header)
    first = rows[0]

    level1 = validation_at(ws, f"{level1_col}{first}")
    assert level1.type == "list"
    assert set(name_values(book, level1.formula1)) == set(expected)
    for row in rows:
        assert validation_at(ws, f"{level1_col}{row}") is level1

    # 二级 follows the same row's 一级: a relative reference, shifted by Excel on each row.
    level2 = validation_at(ws, f"{level2_col}{first}")
    assert level2.type == "list"
    assert re.fullmatch(rf"INDIRECT\(\$?{level1_col}{first}\)", level2.formula1), level2.formula1
    assert all(validation_at(ws, f"{level2_col}{row}") is level2 for row in rows)
    for name, level2s in expected.items():
        assert set(name_values(book, name)) == level2s, name


@pytest.mark.parametrize("key", ALL_FORMS, ids=FORM_IDS)
def test_indicator_dropdowns_default_profile(blank: dict, key: tuple) -> None:
    check_indicator_dropdowns(blank[key], LEVEL2_DEFAULT)


@pytest.mark.parametrize("kind", ["申报表", "自评表"])
def test_indicator_dropdowns_follow_the_profile_framework(tmp_path: Path, kind: str) -> None:
    only_2021 = write_profile(tmp_path, 'frameworks = ["2021"]\n')
    path = api.write_template(tmp_path / "t.xlsx", kind, year=2025, profile=only_2021)
    check_indicator_dropdowns(path, LEVEL2_2021)
    book = open_book(path)
    assert "成本指标" not in name_values(book, "产出指标")


def test_2015_framework_has_no_cost_level1(tmp_path: Path) -> None:
    only_2015 = write_profile(tmp_path, 'frameworks = ["2015"]\n')
    path = api.write_template(tmp_path / "t.xlsx", "申报表", year=2022, profile=only_2015)
    expected = {k: v for k, v in LEVEL2_DEFAULT.items() if k != "成本指标"}
    check_indicator_dropdowns(path, expected)


@pytest.mark.parametrize(
    ("key", "label", "some_choices"),
    [
        (DECLARATION_2025, "项目性质", {"经常性专项业务费"}),
        (DECLARATION_2025, "项目类别", {"特定目标类"}),
        (DECLARATION_2022, "项目类别", {"经常性项目", "一次性项目"}),
    ],
)
def test_project_category_and_nature_dropdowns(
    blank: dict, key: tuple, label: str, some_choices: set[str]
) -> None:
    book = open_book(blank[key])
    ws = book.worksheets[0]
    dv = validation_at(ws, right_of(ws, the(ws, label)))
    assert dv.type == "list"
    assert some_choices <= set(name_values(book, dv.formula1))
    # Real forms carry other categories too (forms.md: "特定目标类 (and others)"):
    # the dropdown proposes, it must not reject.
    assert dv.errorStyle in ("information", "warning")


def assert_at_least_zero(dv: Any, where: str) -> None:
    assert dv.type == "decimal", where
    if dv.operator in (None, "between"):
        assert float(dv.formula1) == 0, where
        assert float(dv.formula2) >= 1e9, where  # any real budget fits
    else:
        assert dv.operator == "greaterThanOrEqual", where
        assert float(dv.formula1) == 0, where


def assert_zero_to_hundred(dv: Any, where: str) -> None:
    assert dv.type == "decimal", where
    assert dv.operator in (None, "between"), where
    assert (float(dv.formula1), float(dv.formula2)) == (0, 100), where


DECLARATION_AMOUNTS = [
    "项目资金总额", "其中：财政资金", "其他资金", "年度资金申请总额", "其中：当年财政拨款",
    "上年结转资金",
]  # fmt: skip


@pytest.mark.parametrize("key", [DECLARATION_2025, DECLARATION_2022], ids=FORM_IDS[:2])
def test_declaration_amounts_and_dates_are_validated(blank: dict, key: tuple) -> None:
    ws = form(blank[key])
    amounts = [right_of(ws, c) for label in DECLARATION_AMOUNTS for c in cells_with(ws, label)]
    assert len(amounts) == 7  # 其他资金 appears in both columns
    for ref in amounts:
        assert_at_least_zero(validation_at(ws, ref), ref)
    for label in ("计划开始日期", "计划完成日期"):
        ref = right_of(ws, the(ws, label))
        dv = validation_at(ws, ref)
        assert dv.type == "date", ref
        assert ws[ref].number_format.lower() in ("yyyy-mm-dd", "yyyy/m/d", "yyyy-m-d")


def test_self_evaluation_amounts_weights_and_scores_are_validated(blank: dict) -> None:
    ws = form(blank[SELF_EVALUATION])
    head = the(ws, "年初预算数").row
    rows = [the(ws, label).row for label in ("年度资金总额", "其中：当年财政拨款", "上年结转资金")]
    rows += [c.row for c in cells_with(ws, "其他资金")]
    for row in rows:
        for label in ("年初预算数", "全年预算数", "全年执行数"):
            ref = f"{column_of(ws, label, head)}{row}"
            assert_at_least_zero(validation_at(ws, ref), ref)
    funds_weight = f"{column_of(ws, '分值', head)}{the(ws, '年度资金总额').row}"
    assert_zero_to_hundred(validation_at(ws, funds_weight), funds_weight)

    header, table_rows = table(ws)
    weight, score = column_of(ws, "分值", header), column_of(ws, "得分", header)
    for row in table_rows:
        assert_zero_to_hundred(validation_at(ws, f"{weight}{row}"), f"{weight}{row}")
    dv = validation_at(ws, f"{score}{table_rows[0]}")
    assert dv.type == "custom"
    first = table_rows[0]
    # 得分 ≤ the same row's 分值 (relative references: Excel shifts them on each row).
    assert re.search(rf"\b{score}{first}\s*<=", dv.formula1), dv.formula1
    assert f"{weight}{first}" in dv.formula1
    assert all(validation_at(ws, f"{score}{row}") is dv for row in table_rows)


@pytest.mark.parametrize("key", ALL_FORMS, ids=FORM_IDS)
def test_every_input_cell_has_a_chinese_prompt_within_excel_limits(blank: dict, key: tuple) -> None:
    ws = form(blank[key])
    raw = RawFormats.load(blank[key])
    dvs = ws.data_validations.dataValidation
    assert dvs
    for dv in dvs:
        where = str(dv.sqref)
        assert dv.showInputMessage, where
        assert dv.prompt and CJK.search(dv.prompt), where
        assert dv.promptTitle and CJK.search(dv.promptTitle), where
        # Excel's limits; xlsxwriter drops the whole validation beyond them (style.md trap 1).
        assert len(dv.prompt) <= 255 and len(dv.promptTitle) <= 32, where
        assert len(dv.error or "") <= 255 and len(dv.errorTitle or "") <= 32, where
        if dv.type == "list":
            # Lists live on the hidden sheet; a literal list must stay under 255 characters.
            assert not dv.formula1.startswith('"'), where
    # Conversely every input cell (unlocked, right of the label column) has a validation.
    merged_tails = {
        get_column_letter(c) + str(r)
        for rng in ws.merged_cells.ranges
        for r in range(rng.min_row, rng.max_row + 1)
        for c in range(rng.min_col, rng.max_col + 1)
        if (r, c) != (rng.min_row, rng.min_col)
    }
    _, _, last_col, last_row = print_box(ws)
    for row in ws.iter_rows(min_row=3, max_row=last_row, min_col=2, max_col=last_col):
        for cell in row:
            if cell.coordinate in merged_tails or raw.is_locked(cell.coordinate):
                continue
            assert [dv for dv in dvs if cell.coordinate in dv.sqref], cell.coordinate


# -- 自评表 formulas ------------------------------------------------------------------------


def funds_cells(ws: Worksheet) -> dict[str, str]:
    """The total row of the funds grid, by its column header."""
    head = the(ws, "年初预算数").row
    row = the(ws, "年度资金总额").row
    return {
        label: f"{column_of(ws, label, head)}{row}"
        for label in ("全年预算数", "全年执行数", "分值", "执行率", "得分")
    }


def footer_cell(ws: Worksheet, label: str, column_label: str) -> str:
    header, _ = table(ws)
    return f"{column_of(ws, column_label, header)}{the(ws, label).row}"


def formula_cells(ws: Worksheet) -> dict[str, str]:
    cells = funds_cells(ws)
    return {
        "rate": cells["执行率"],
        "score": cells["得分"],
        "total_weight": footer_cell(ws, "总分", "分值"),
        "total": footer_cell(ws, "总分", "得分"),
        "grade": footer_cell(ws, "评分等级", "得分"),
    }


def test_self_evaluation_formulas(blank: dict) -> None:
    ws = form(blank[SELF_EVALUATION])
    f = funds_cells(ws)
    cells = formula_cells(ws)
    header, rows = table(ws)
    score_col = column_of(ws, "得分", header)
    for ref in cells.values():
        assert ws[ref].data_type == "f", ref
    rate = ws[cells["rate"]].value
    # 执行率 = 全年执行数 / 全年预算数, kept to 0.01 % (85.47 %).
    assert re.search(rf"\bROUND\({f['全年执行数']}/{f['全年预算数']},4\)", rate), rate
    assert ws[cells["rate"]].number_format == "0.00%"
    # 执行率得分 = MIN(执行率, 100 %) × 分值, to 0.01 point.
    score = ws[cells["score"]].value
    assert re.search(rf"\bROUND\(MIN\({f['执行率']},1\)\*(N\({f['分值']}\)|{f['分值']}),2\)", score)
    # 总分 = 执行率得分 + Σ 指标得分.
    total = ws[cells["total"]].value
    sum_scores = f"SUM({score_col}{rows[0]}:{score_col}{rows[-1]})"
    assert re.search(rf"(N\({f['得分']}\)|{f['得分']})\+{re.escape(sum_scores)}", total), total
    # 评分等级: 优 ≥ 90, 良 ≥ 80, 中 ≥ 60, otherwise 差.
    grade = ws[cells["grade"]].value
    for band in ('>=90,"优"', '>=80,"良"', '>=60,"中"', '"差"'):
        assert band in grade, band
    assert cells["total"] in grade


def test_truncating_profile_uses_rounddown(tmp_path: Path) -> None:
    truncate = write_profile(tmp_path, 'rounding = "truncate"\n')
    ws = form(api.write_template(tmp_path / "t.xlsx", "自评表", year=2025, profile=truncate))
    f = funds_cells(ws)
    rate, score = ws[f["执行率"]].value, ws[f["得分"]].value
    assert f"ROUNDDOWN({f['全年执行数']}/{f['全年预算数']},4)" in rate
    assert not re.search(r"\bROUND\(", rate + score)
    assert "ROUNDDOWN(MIN(" in score


def self_evaluation(adjusted: float, executed: float, scores: list[float]) -> SelfEvaluation:
    """A filled 自评表: weights 50 / 30 / 10 for the indicators, 10 for the funds."""
    record = SelfEvaluation(
        year=2022, project_name="公共服务窗口运行经费", department="上海市长宁区医疗保障局",
        implementing_unit="上海市长宁区医疗保险事务中心",
    )  # fmt: skip
    record.funds.total = FundsRow(
        initial_budget=adjusted, adjusted_budget=adjusted, executed=executed, weight=10,
        # As printed on seed 004 form 4; the template's formula must not copy it.
        execution_rate=85.47, score=8.55,
    )  # fmt: skip
    record.indicators = [
        Indicator("产出指标", "数量指标", "邮寄率", "≥95%", "100%", 50, scores[0]),
        Indicator(
            "效益指标", "社会效益指标", "窗口运行长效管理", "健全", "达成指标", 30, scores[1]
        ),
        Indicator(
            "满意度指标", "服务对象满意度指标", "参保群众满意度", "≥90%", "95%", 10, scores[2]
        ),
    ]
    return record


def cached(path: Path) -> dict[str, Any]:
    ws = form(path, data_only=True)
    return {key: ws[ref].value for key, ref in formula_cells(form(path)).items()}


def test_filled_self_evaluation_caches_the_formula_values(tmp_path: Path) -> None:
    path = api.write_form(tmp_path / "f.xlsx", self_evaluation(720000, 615326.02, [50, 27, 10]))
    values = cached(path)
    # 615326.02 / 720000 = 0.854619… → 0.8546; × 10 = 8.546 → 8.55;
    # total 8.55 + 50 + 27 + 10 = 95.55 → 优; weights 10 + 50 + 30 + 10 = 100.
    assert values["rate"] == pytest.approx(0.8546, abs=1e-12)
    assert values["score"] == pytest.approx(8.55, abs=1e-12)
    assert values["total"] == pytest.approx(95.55, abs=1e-9)
    assert values["grade"] == "优"
    assert values["total_weight"] == pytest.approx(100)


@pytest.mark.parametrize(
    ("rounding", "adjusted", "executed", "rate", "score"),
    [
        ("truncate", 1_000_000, 969_800, 0.9698, 9.69),  # 96.98 % → 9.69 (half-up: 9.70)
        ("half-up", 1_000_000, 969_800, 0.9698, 9.70),
        ("truncate", 1_000_000, 999_999, 0.9999, 9.99),  # 99.9999 % stays below 100 %
        ("half-up", 1_000_000, 999_999, 1.0, 10.0),
        ("half-up", 720_000, 800_000, 1.1111, 10.0),  # over-spending scores at most 分值
        ("half-up", 720_000, 0, 0.0, 0.0),
    ],
)
def test_execution_rate_and_score_cached_per_rounding(
    tmp_path: Path, rounding: str, adjusted: float, executed: float, rate: float, score: float
) -> None:
    profile = write_profile(tmp_path, f'rounding = "{rounding}"\n')
    record = self_evaluation(adjusted, executed, [50, 30, 10])
    values = cached(api.write_form(tmp_path / "f.xlsx", record, profile=profile))
    assert values["rate"] == pytest.approx(rate, abs=1e-12)
    assert values["score"] == pytest.approx(score, abs=1e-12)
    assert values["total"] == pytest.approx(score + 90, abs=1e-9)


@pytest.mark.parametrize(
    ("scores", "total", "grade"),
    [
        ([50, 30, 10], 90, "优"),
        ([50, 29.99, 10], 89.99, "良"),
        ([50, 20, 10], 80, "良"),
        ([50, 19.99, 10], 79.99, "中"),
        ([40, 10, 10], 60, "中"),
        ([39.99, 10, 10], 59.99, "差"),
        ([0, 0, 0], 0, "差"),
    ],
)
def test_grade_bands(tmp_path: Path, scores: list[float], total: float, grade: str) -> None:
    record = self_evaluation(720_000, 0, scores)  # nothing spent: 执行率得分 0
    values = cached(api.write_form(tmp_path / "f.xlsx", record))
    assert values["total"] == pytest.approx(total, abs=1e-9)
    assert values["grade"] == grade


def test_blank_template_formula_cells_are_empty_not_zero(blank: dict) -> None:
    path = blank[SELF_EVALUATION]
    values = cached(path)
    for key in ("rate", "score", "total", "grade"):
        assert values[key] in (None, ""), key  # openpyxl reads an empty cached value as None
    # The total of weights only adds the funds row's 分值, which the template prefills (10).
    ws = form(path)
    assert ws[funds_cells(ws)["分值"]].value == 10
    assert values["total_weight"] == 10


# -- protection -----------------------------------------------------------------------------


@pytest.mark.parametrize("key", ALL_FORMS, ids=FORM_IDS)
def test_form_sheet_is_protected_without_password_rows_can_change(blank: dict, key: tuple) -> None:
    prot = form(blank[key]).protection
    assert prot.sheet
    assert not prot.password and not prot.hashValue and not prot.algorithmName
    # In OOXML a flag set to 0 means "this action is not protected", i.e. allowed.
    assert prot.insertRows is False
    assert prot.deleteRows is False
    assert prot.formatCells is False
    assert prot.formatRows is False
    assert prot.formatColumns is False


@pytest.mark.parametrize("key", ALL_FORMS, ids=FORM_IDS)
def test_labels_and_formulas_locked_inputs_unlocked(blank: dict, key: tuple) -> None:
    ws = form(blank[key])
    raw = RawFormats.load(blank[key])
    _, rows = table(ws)
    for row in ws.iter_rows(max_row=rows[0] - 1):
        for cell in row:
            if merged_range(ws, cell)[3] >= rows[0]:
                continue  # the 绩效指标 block label, merged over the indicator rows
            if cell.data_type == "f" or isinstance(cell.value, str):
                assert raw.is_locked(cell.coordinate), f"{cell.coordinate} {cell.value!r}"
    for row in ws.iter_rows(min_row=rows[-1] + 1):  # 总分, 评分等级
        for cell in row:
            if cell.data_type == "f" or isinstance(cell.value, str):
                assert raw.is_locked(cell.coordinate), f"{cell.coordinate} {cell.value!r}"
    for dv in ws.data_validations.dataValidation:
        for rng in dv.sqref.ranges:
            for r in range(rng.min_row, rng.max_row + 1):
                for c in range(rng.min_col, rng.max_col + 1):
                    ref = f"{get_column_letter(c)}{r}"
                    assert not raw.is_locked(ref), f"input cell {ref} is locked"


@pytest.mark.parametrize("key", ALL_FORMS, ids=FORM_IDS)
def test_every_cell_of_the_indicator_rows_is_unlocked(blank: dict, key: tuple) -> None:
    # Excel refuses to delete a row of a protected sheet that holds any locked cell,
    # even where deleting rows is allowed.
    ws = form(blank[key])
    raw = RawFormats.load(blank[key])
    _, rows = table(ws)
    for row in rows:
        # The row format covers the cells that were never written (up to XFD).
        assert row in raw.rows and not raw.locked[raw.rows[row]], f"row {row} format"
        for col in range(1, ws.max_column + 2):
            ref = f"{get_column_letter(col)}{row}"
            assert not raw.is_locked(ref), ref
        written = [ref for ref in raw.cells if coordinate_from_string(ref)[1] == row]
        assert [ref for ref in written if raw.is_locked(ref)] == []


# -- print layout and identity ---------------------------------------------------------------

STAMPS = {
    DECLARATION_2025: "xltools:declaration:2025:2025",
    DECLARATION_2022: "xltools:declaration:2022:2022",
    SELF_EVALUATION: "xltools:self_evaluation:2022:2025",
}


@pytest.mark.parametrize("key", ALL_FORMS, ids=FORM_IDS)
def test_print_layout(blank: dict, key: tuple) -> None:
    ws = form(blank[key])
    setup = ws.page_setup
    assert int(setup.paperSize) == 9  # A4
    assert setup.orientation == "portrait"
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert (setup.fitToWidth or 1) == 1  # absent means 1 in OOXML
    assert setup.fitToHeight == 0  # as many pages tall as needed
    assert ws.print_title_rows == "$1:$2"  # title and year line on every page

    header, rows = table(ws)
    last_col = max(c.column for c in ws[header] if c.value is not None)
    last_row = the(ws, "评分等级").row if key == SELF_EVALUATION else rows[-1]
    assert print_box(ws) == (1, 1, last_col, last_row)


@pytest.mark.parametrize("key", ALL_FORMS, ids=FORM_IDS)
def test_identity_stamp_in_a_hidden_column_outside_the_print_area(blank: dict, key: tuple) -> None:
    ws = form(blank[key])
    stamps = [c for c in ws[1] if isinstance(c.value, str) and c.value.startswith("xltools:")]
    assert [c.value for c in stamps] == [STAMPS[key]]
    stamp = stamps[0]
    _, _, last_col, _ = print_box(ws)
    assert stamp.column > last_col
    dim = ws.column_dimensions[stamp.column_letter]
    assert dim.hidden


@pytest.mark.parametrize("key", ALL_FORMS, ids=FORM_IDS)
def test_guide_sheet_explains_targets_and_checks(blank: dict, key: tuple) -> None:
    book = open_book(blank[key])
    assert "填表说明" in book.sheetnames
    ws = book["填表说明"]
    assert ws.sheet_state == "visible"
    lines = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    body = "\n".join(lines)
    assert ">=" in body and "≥" in body
    check = next(i for i, line in enumerate(lines) if "xltools check" in line)
    assert len(lines) > check + 1, "the section on xltools check is empty"


# -- user text stays text ---------------------------------------------------------------------

FORMULA_LOOKING = ["=100%", "=SUM(A1)", "+1", "-1", "@x"]


@pytest.mark.parametrize("value", FORMULA_LOOKING)
def test_formula_looking_declaration_text_stays_text(tmp_path: Path, value: str) -> None:
    record = Declaration(
        year=2025, project_name=value, department=value, annual_goal=value,
        indicators=[Indicator("产出指标", "数量指标", value, value)],
    )  # fmt: skip
    ws = form(api.write_form(tmp_path / "f.xlsx", record))
    header, rows = table(ws)
    refs = [
        right_of(ws, the(ws, "项目名称")),
        right_of(ws, the(ws, "主管部门")),
        f"{column_of(ws, '三级指标', header)}{rows[0]}",
        f"{column_of(ws, '年度(/项目)指标值', header)}{rows[0]}",
    ]
    for ref in refs:
        assert ws[ref].value == value, ref
        assert ws[ref].data_type == "s", ref
    assert not [c.coordinate for row in ws.iter_rows() for c in row if c.data_type == "f"]


@pytest.mark.parametrize("value", FORMULA_LOOKING)
def test_formula_looking_self_evaluation_text_stays_text(tmp_path: Path, value: str) -> None:
    record = self_evaluation(720_000, 615_326.02, [50, 27, 10])
    record.project_name = value
    record.indicators[0].target = value
    record.indicators[0].actual = value
    record.indicators[0].deviation_reason = value
    ws = form(api.write_form(tmp_path / "f.xlsx", record))
    header, rows = table(ws)
    refs = [right_of(ws, the(ws, "项目名称"))] + [
        f"{column_of(ws, label, header)}{rows[0]}"
        for label in ("年度指标值", "实际完成值", "偏差原因分析及改进措施")
    ]
    for ref in refs:
        assert ws[ref].value == value, ref
        assert ws[ref].data_type == "s", ref
    formulas = {c.coordinate for row in ws.iter_rows() for c in row if c.data_type == "f"}
    assert formulas == set(formula_cells(ws).values())


# -- indicator rows ---------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["申报表", "自评表"])
def test_rows_option_sets_the_blank_indicator_rows(tmp_path: Path, kind: str) -> None:
    ws = form(api.write_template(tmp_path / "t.xlsx", kind, year=2025, rows=5))
    header, rows = table(ws)
    assert rows == range(header + 1, header + 6)
    assert merged_range(ws, the(ws, "绩效指标"))[1:4:2] == (header, header + 5)
    if kind == "自评表":
        assert the(ws, "总分").row == header + 6
        assert the(ws, "评分等级").row == header + 7
    assert print_box(ws)[3] == (header + 5 if kind == "申报表" else header + 7)


def test_rows_and_money_unit_on_the_command_line(tmp_path: Path) -> None:
    from xltools.cli import cli

    out = tmp_path / "自评表.xlsx"
    args = ["template", "自评表", "-o", str(out), "--year", "2025", "--rows", "5",
            "--money-unit", "万元"]  # fmt: skip
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert out.name in result.output
    ws = form(out)
    _, rows = table(ws)
    assert len(rows) == 5
    assert cells_with(ws, "项目资金（万元）")


def test_record_with_more_indicators_than_rows_gets_all(tmp_path: Path) -> None:
    record = self_evaluation(720_000, 615_326.02, [50, 27, 10])
    names = [f"指标{i}" for i in range(8)]
    record.indicators = [
        Indicator("产出指标", "数量指标", name, "≥1次", "1次", 10, 9) for name in names
    ]
    path = api.write_form(tmp_path / "f.xlsx", record, rows=5)
    ws = form(path)
    header, rows = table(ws)
    assert len(rows) == 8
    name_col = column_of(ws, "三级指标", header)
    assert [ws[f"{name_col}{r}"].value for r in rows] == names
    assert the(ws, "总分").row == rows[-1] + 1
    # 8.55 + 8 × 9 = 80.55; weights 10 + 8 × 10 = 90.
    values = cached(path)
    assert values["total"] == pytest.approx(80.55, abs=1e-9)
    assert values["total_weight"] == pytest.approx(90)
    assert values["grade"] == "良"


# -- xlsxwriter warnings ------------------------------------------------------------------------


def test_writing_every_template_gives_no_warning(
    tmp_path: Path, pytestconfig: pytest.Config
) -> None:
    # xlsxwriter drops a bad validation or name with only a warning (style.md trap 1).
    assert "error" in pytestconfig.getini("filterwarnings")
    profiles = [None, write_profile(tmp_path, 'frameworks = ["2015"]\nrounding = "truncate"\n')]
    forms = [
        ("申报表", 2022, None), ("申报表", 2025, None), ("申报表", 2025, "2022"),
        ("申报表", 2022, "2025"), ("自评表", 2025, None),
    ]  # fmt: skip
    cases = list(itertools.product(forms, ("元", "万元"), profiles))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for i, ((kind, year, variant), unit, profile) in enumerate(cases):
            out = tmp_path / f"{i}.xlsx"
            api.write_template(
                out,
                kind,
                year=year,
                variant=variant,
                money_unit=unit,
                profile=profile,
                rows=1 + i % 3,
            )
        api.build_examples(tmp_path / "examples")
        regenerate.templates(tmp_path / "templates")
    assert [str(w.message) for w in caught] == []


def test_snapshot_ignores_document_timestamps(fresh: dict[str, Path], tmp_path: Path) -> None:
    original = fresh["templates/自评表.xlsx"]
    later = tmp_path / "later.xlsx"
    with zipfile.ZipFile(original) as src, zipfile.ZipFile(later, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "docProps/core.xml":
                data = re.sub(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", b"2031-02-03T04:05:06Z", data)
                assert b"2031-02-03" in data
            dst.writestr(item, data)
    assert differences(snapshot(original), snapshot(later)) == []
