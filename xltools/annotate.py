"""Annotated copies for the departments: each finding's cell coloured and commented.

openpyxl is the one library that can both read a workbook and save it again with
its formats, validations and merged cells intact; the original file is only read.
A first sheet 校验结果 lists every finding with a link to its cell.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.worksheet import Worksheet

from xltools.catalogue import ERROR, SEVERITY_ORDER, WARNING
from xltools.check import FileReport
from xltools.files import atomic_path
from xltools.findings import Finding

RESULT_SHEET = "校验结果"
FILLS = {
    ERROR: PatternFill("solid", fgColor="FFC7CE"),  # Excel's own "bad" red
    WARNING: PatternFill("solid", fgColor="FFEB9C"),  # Excel's "neutral" yellow
}
HEADERS = ("序号", "严重程度", "规则", "位置", "项目", "说明", "表中值", "应为")
WIDTHS = (6, 9, 7, 14, 28, 70, 16, 16)
ANNOTATABLE = (".xlsx", ".xlsm")


def annotate(report: FileReport, out: Path) -> Path:
    """Write ``report.file`` with its findings marked to ``out`` (atomically)."""
    source = Path(report.file)
    keep_vba = source.suffix.lower() == ".xlsm"
    book = load_workbook(source, keep_vba=keep_vba, rich_text=True)
    by_cell: dict[tuple[str, str], list[Finding]] = defaultdict(list)
    for f in report.findings:
        if f.sheet in book.sheetnames and f.cell and f.cell[0].isalpha():
            by_cell[(f.sheet, f.cell)].append(f)
    help_for = {(h["sheet"], h["cell"]): h for h in report.scores if h.get("cell")}
    for (sheet, ref), findings in by_cell.items():
        _mark(book[sheet], ref, findings, help_for.pop((sheet, ref), None))
    for (sheet, ref), hint in help_for.items():  # scoring help where nothing is wrong
        if sheet in book.sheetnames:
            _mark(book[sheet], ref, [], hint)
    _result_sheet(book, report.findings)
    book.calculation.fullCalcOnLoad = True  # openpyxl drops cached formula values
    with atomic_path(out) as tmp:
        book.save(tmp)
    return out


def _top_left(ws: Worksheet, ref: str) -> str:
    for merged in ws.merged_cells.ranges:
        if ref in merged:
            return merged.start_cell.coordinate
    return ref


def _mark(ws: Worksheet, ref: str, findings: list[Finding], hint: dict | None = None) -> None:
    cell = ws[_top_left(ws, ref)]
    if findings:
        worst = min(findings, key=lambda f: SEVERITY_ORDER.get(f.severity, 9)).severity
        if worst in FILLS:
            cell.fill = FILLS[worst]
    lines = [f"[{f.rule} {f.severity}] {f.message}" for f in findings]
    if hint is not None:
        lines.append(f"参考得分 {hint['computed']:.2f}：{hint['why']}")
    comment = Comment("\n".join(lines), "xltools")
    comment.width, comment.height = 320, min(60 + 40 * len(lines), 400)
    cell.comment = comment


def _result_sheet(book: Workbook, findings: list[Finding]) -> None:
    ws = book.create_sheet(RESULT_SHEET, 0)
    bold = Font(name="宋体", bold=True)
    for col, (name, width) in enumerate(zip(HEADERS, WIDTHS, strict=True), start=1):
        ws.cell(1, col, name).font = bold
        ws.column_dimensions[ws.cell(1, col).column_letter].width = width
    ws.freeze_panes = "A2"
    if not findings:
        ws.cell(2, 1, "未发现问题。")
    for i, f in enumerate(findings, start=1):
        row = [
            i,
            f.severity,
            f.rule,
            f.location,
            f.project,
            f.message,
            _text(f.value),
            _text(f.expected),
        ]
        for col, value in enumerate(row, start=1):
            cell = ws.cell(i + 1, col)
            cell.value = value
            cell.data_type = "n" if isinstance(value, int) and col == 1 else "s"
            cell.alignment = Alignment(wrap_text=col == 6, vertical="top")
        if f.sheet in book.sheetnames and f.cell:
            link = ws.cell(i + 1, 4)
            target = f"'{f.sheet}'!{_top_left(book[f.sheet], f.cell)}"
            link.hyperlink = Hyperlink(ref=link.coordinate, location=target)  # in-workbook link
            link.font = Font(color="0563C1", underline="single")
        if f.severity in FILLS:
            ws.cell(i + 1, 2).fill = FILLS[f.severity]
    ws.auto_filter.ref = f"A1:H{max(len(findings) + 1, 2)}"
    book.active = 0
    for sheet in book.worksheets:
        sheet.sheet_view.tabSelected = sheet is ws


def _text(value: object) -> str | None:
    """Cell text for a value; user text is never written as a formula."""
    if value is None:
        return None
    return f"{value:g}" if isinstance(value, float) else str(value)
