"""``fix``: a corrected copy of a returned form, where the correction is certain.

Certain are the figures a form derives from others (执行率, 执行率得分, 总分, 评分等级,
computed by :mod:`xltools.compute` exactly as the template's formulas do), numbers typed
as text ("1,738.49") and full-width digits and operators in 指标值 ("≥９５％"). Anything
else needs the unit's judgement and stays a finding. The copy is edited with openpyxl
(styles, validations and formulas survive) and keeps the formula results the file had
(:mod:`xltools.write.cached`); a sheet 修改记录 lists every change.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.styles import Alignment, Font
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.hyperlink import Hyperlink

from xltools import compute
from xltools.check.checker import FileReport
from xltools.check.targets import parse_value
from xltools.findings import Finding
from xltools.model import SelfEvaluation
from xltools.profiles import Profile
from xltools.write.cached import formula_results, save_keeping_results

EDITABLE = (".xlsx", ".xlsm")
LOG_SHEET = "修改记录"
LOG_HEADERS = ("序号", "位置", "原值", "新值", "规则", "说明")
LOG_WIDTHS = (6, 16, 24, 24, 7, 50)
# Full-width digits and the characters of the 指标值 notation → half-width.
_HALF = str.maketrans("０１２３４５６７８９％．，＋－＞＜＝", "0123456789%.,+-><=")
NOTES = {
    "R05": "补上公式的计算结果",
    "S02": "按 全年执行数 ÷ 全年预算数 重新计算",
    "S03": "按 min(执行率, 100%) × 分值 重新计算",
    "S13": "按 执行率得分 + 各指标得分之和 重新计算",
    "S14": "按总分确定评分等级",
}


@dataclass
class Change:
    sheet: str
    cell: str
    old: Any
    new: Any
    rule: str
    note: str
    rate: bool = False  # ``old``/``new`` are percentages (85.46), written as the cell holds them

    @property
    def location(self) -> str:
        return f"{self.sheet}!{self.cell}"

    def shown(self, value: Any) -> str:
        if value is None or value == "":
            return "（无计算结果）" if self.rule == "R05" and value is self.old else "（空白）"
        if isinstance(value, float):
            return f"{value:.2f}%" if self.rate else f"{value:.15g}"
        return str(value)


@dataclass
class FixedFile:
    file: str
    changes: list[Change] = field(default_factory=list)
    remaining: list[Finding] = field(default_factory=list)  # for the unit to fix
    output: Path | None = None  # the corrected copy, when one was written
    reason: str = ""  # why no copy was written
    failed: bool = False  # unreadable, or no copy could be saved


class FixResults(list[FixedFile]):
    """What ``fix`` gives: one :class:`FixedFile` per checked file, in input order."""

    @property
    def unreadable(self) -> list[str]:
        """Files that could not be read, or whose copy could not be saved."""
        return [r.file for r in self if r.failed]

    def failed(self, strict: bool = False) -> bool:
        """What is left for the units is reported, not failed: fix did its part."""
        return False


def plan(fr: FileReport, profile: Profile) -> list[Change]:
    """The certain corrections of one checked file, in the report's cell order."""
    changes = [
        Change(f.sheet, f.cell, f.value, f.expected, "R06", "以文本形式填写的数字改为数字")
        for f in fr.findings
        if f.rule == "R06" and f.sheet and f.cell and isinstance(f.expected, float)
    ]
    flagged = {(f.rule, f.sheet, f.cell): f for f in fr.findings}
    for record in fr.records:
        if record.source is None or record.source.sheet is None:
            continue
        changes += _full_width(record)
        if isinstance(record, SelfEvaluation):
            changes += _derived(record, profile, flagged)
    return changes


def _full_width(record: Any) -> list[Change]:
    out = []
    for ind in record.indicators:
        for key in ("target", "actual"):
            text, letter = getattr(ind, key, None), record.cells.get(f"indicators.{key}")
            if not isinstance(text, str) or not letter or ind.row is None:
                continue
            half = text.translate(_HALF)
            before, after = parse_value(text), parse_value(half)
            same = before and after and after.quantitative
            same = same and (before.op, before.number, before.unit) == (
                after.op,
                after.number,
                after.unit,
            )
            if half != text and same:
                cell = f"{letter}{ind.row}"
                out.append(
                    Change(record.source.sheet, cell, text, half, "R06", "全角数字、符号改为半角")
                )
    return out


def _derived(record: SelfEvaluation, profile: Profile, flagged: dict) -> list[Change]:
    """执行率, 执行率得分, 总分, 评分等级: each recomputed from the corrected one before it."""
    sheet, cells = record.source.sheet, record.cells  # type: ignore[union-attr]
    mode, tol, total = profile.rounding, profile.tolerance, record.funds.total
    out: list[Change] = []

    def change(key: str, old: Any, new: Any, rule: str, rate: bool = False) -> None:
        cell = cells.get(key)
        if cell is None or new is None:
            return
        hits = _hit(flagged, sheet, cell)
        if "R05" in hits and rule not in hits:  # a formula without its result: put it back
            rule, old = "R05", None
        out.append(Change(sheet, cell, old, new, rule, NOTES[rule], rate))

    rate = compute.execution_rate(total.adjusted_budget, total.executed, mode)
    rate_cell = cells.get("funds.total.execution_rate")
    if _hit(flagged, sheet, rate_cell) & {"S02", "R05"}:
        change("funds.total.execution_rate", total.execution_rate, rate, "S02", rate=True)
    score = total.score
    # A blank 分值 is not certain: the unit must fill it in.
    wrong = _hit(flagged, sheet, cells.get("funds.total.score")) & {"S03", "R05"}
    if wrong and total.weight is not None:
        score = compute.execution_score(rate, total.weight, mode)
        change("funds.total.score", total.score, score, "S03")
    overall = record.total_score
    if overall is not None:
        expected = compute.total_score(score, [i.score for i in record.indicators])
        missing = _hit(flagged, sheet, cells.get("total_score")) & {"R05"}
        if expected is not None and (missing or abs(expected - overall) > tol + 1e-9):
            change("total_score", overall, expected, "S13")
            overall = expected
    if record.grade is not None and overall is not None:
        grade = compute.grade(overall, profile.grades)
        missing = _hit(flagged, sheet, cells.get("grade")) & {"R05"}
        if missing or record.grade.strip() != grade:
            change("grade", record.grade, grade, "S14")
    return out


def _hit(flagged: dict, sheet: str, cell: str | None) -> set[str]:
    return {rule for (rule, s, c) in flagged if s == sheet and c == cell}


def fixed_rules(changes: list[Change]) -> set[tuple[str, str, str]]:
    return {(c.rule, c.sheet, c.cell) for c in changes}


# -- writing the copy -------------------------------------------------------------------------


def write_copy(source: Path, out: Path, changes: list[Change]) -> Path:
    """``source`` with ``changes`` made and logged in a 修改记录 sheet, saved at ``out``."""
    book = load_workbook(source, keep_vba=source.suffix.lower() == ".xlsm", rich_text=True)
    results = formula_results(source, book)
    for c in changes:
        ws = book[c.sheet]
        cell = ws[_top_left(ws, c.cell)]
        value = _as_stored(c, cell)
        if cell.data_type == "f":  # the form's own formula stays; its result is updated
            results[(ws.title, cell.coordinate)] = value
            c.note += "（公式保留，更新其计算结果）"
            continue
        if c.rule == "R06" and isinstance(c.old, str) and cell.number_format == "@":
            cell.number_format = "#,##0.00" if "," in c.old else "General"  # no longer text
        if c.rate and isinstance(value, float) and value < 10 and "%" not in cell.number_format:
            cell.number_format = "0.00%"
        cell.value = value
    _log_sheet(book, changes)
    book.calculation.fullCalcOnLoad = True  # the other formulas: recalculated on opening
    save_keeping_results(book, out, results)
    return out


def _as_stored(c: Change, cell: Any) -> Any:
    """A percentage (85.46) as the cell holds it: a fraction under a % format, else as is."""
    if not c.rate or not isinstance(c.new, float):
        return c.new
    current = cell.value
    typed_percent = (
        isinstance(current, int | float)
        and not isinstance(current, bool)
        and abs(current) >= 10
        and "%" not in cell.number_format
    )
    # A plain number below 10 reads as a fraction (see text.parse_rate): 5.2 would be 520 %.
    if typed_percent and c.new >= 10:
        return c.new
    return compute.tidy(c.new / 100)


def _top_left(ws: Any, ref: str) -> str:
    for merged in ws.merged_cells.ranges:
        if ref in merged:
            return merged.start_cell.coordinate
    return ref


def _log_sheet(book: Workbook, changes: list[Change]) -> None:
    ws = book.create_sheet(LOG_SHEET)  # openpyxl numbers the title if it is taken
    bold = Font(name="宋体", bold=True)
    for col, (name, width) in enumerate(zip(LOG_HEADERS, LOG_WIDTHS, strict=True), start=1):
        ws.cell(1, col, name).font = bold
        ws.column_dimensions[ws.cell(1, col).column_letter].width = width
    for i, c in enumerate(changes, start=1):
        row = (i, c.location, c.shown(c.old), c.shown(c.new), c.rule, c.note)
        for col, value in enumerate(row, start=1):
            cell = ws.cell(i + 1, col)
            cell.value = value
            cell.data_type = "n" if col == 1 else "s"  # user text is never a formula
            cell.alignment = Alignment(wrap_text=col in (3, 4, 6), vertical="top")
        link = ws.cell(i + 1, 2)
        target = f"'{c.sheet}'!{_top_left(book[c.sheet], c.cell)}"
        link.hyperlink = Hyperlink(ref=link.coordinate, location=target)
        link.font = Font(color="0563C1", underline="single")
    ws.freeze_panes = "A2"
    ws.print_title_rows = "1:1"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
