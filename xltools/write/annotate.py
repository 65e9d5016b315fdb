"""Annotated copies for the departments: each finding's cell coloured and commented.

openpyxl is the one library that can both read a workbook and save it again with
its formats, validations and merged cells intact; the original file is only read.
A first sheet 校验结果 lists every finding with a link to its cell.

Two things openpyxl cannot do are done here:

* it reads only .xlsx/.xlsm: a .xls, .ods or WPS .et return gets an .xlsx copy built
  from its values and merged cells (python-calamine reads them), with a note saying so;
* it saves a formula without the value cached with it, so a reader that does not
  recalculate (python-calamine, and xltools check itself) would see blanks: the values
  cached in the original are written back beside their formulas (:mod:`xltools.write.cached`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from pathlib import Path
from typing import Any

import python_calamine
from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.worksheet import Worksheet

from xltools.catalogue import ERROR, SEVERITY_ORDER, WARNING
from xltools.check.checker import FileReport
from xltools.files import atomic_path
from xltools.findings import Finding
from xltools.write import paper
from xltools.write.cached import Results, formula_results, save_keeping_results

RESULT_SHEET = "校验结果"
FILLS = {
    ERROR: PatternFill("solid", fgColor="FFC7CE"),  # Excel's own "bad" red
    WARNING: PatternFill("solid", fgColor="FFEB9C"),  # Excel's "neutral" yellow
}
HEADERS = ("序号", "严重程度", "规则", "位置", "项目", "说明", "表中值", "应为")
# Across one landscape A4 page at 100 %; every column wraps, rows grow with their text.
WIDTHS = (5, 6, 5, 13, 22, 56, 13, 13)
HEADER_ROW = 4  # 1-based: the title, the file, the date and counts, then the table
OPENPYXL = (".xlsx", ".xlsm")
ANNOTATABLE = (*OPENPYXL, ".xls", ".ods", ".et")
_FONT = "宋体"
_THIN = Side(style="thin", color="808080")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


def copy_name(source: Path) -> str:
    """The copy's file name: the original's, as .xlsx where it was another format."""
    suffix = source.suffix.lower()
    return source.name if suffix in OPENPYXL else f"{source.stem}.xlsx"


def conversion_note(source: Path) -> str | None:
    """What the copy of a .xls/.ods/.et file keeps and does not, in the clerk's words."""
    suffix = source.suffix.lower()
    if suffix in OPENPYXL:
        return None
    kind = {".et": "WPS 表格（.et）", ".ods": "OpenDocument（.ods）"}.get(
        suffix, "Excel 97-2003（.xls）"
    )
    return (
        f"原文件 {source.name} 为 {kind}格式，批注副本另存为 .xlsx：保留了各单元格的内容"
        "（公式为其计算结果）和合并单元格，未保留原表的字体、边框与公式。请在原文件中修改。"
    )


def annotate(report: FileReport, out: Path) -> Path:
    """Write ``report.file`` with its findings marked to ``out`` (atomically)."""
    source = Path(report.file)
    note = conversion_note(source)
    cached: Results = {}
    if note is None:
        keep_vba = source.suffix.lower() == ".xlsm"
        book = load_workbook(source, keep_vba=keep_vba, rich_text=True)
        cached = formula_results(source, book)
    else:
        book = _rebuild(source)
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
    _result_sheet(book, report.findings, source, note)
    with atomic_path(out) as tmp:
        save_keeping_results(book, tmp, cached)
    return out


def _rebuild(source: Path) -> Workbook:
    """An openpyxl workbook holding what calamine reads of a .xls/.ods/.et file: each
    sheet's values (a formula's cached result) and merged cells, in 宋体, with a grid,
    columns sized for their text and A4 pages one sheet wide."""
    original = python_calamine.CalamineWorkbook.from_path(str(source))
    book = Workbook()
    book.remove(book.active)
    font, wrap = Font(name=_FONT, size=10), Alignment(wrap_text=True, vertical="center")
    for meta in original.sheets_metadata:
        sheet = original.get_sheet_by_name(meta.name)
        ws = book.create_sheet(meta.name[:31])
        merged = sheet.merged_cell_ranges or ()
        spanning = {(r0 + 1, c0 + 1) for (r0, c0), (r1, c1) in merged if c1 > c0}
        widths: dict[int, float] = defaultdict(lambda: 6.0)
        rows = sheet.to_python(skip_empty_area=False)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                cell = ws.cell(r, c)
                cell.font, cell.alignment, cell.border = font, wrap, _BOX
                widths[c] = max(widths[c], 6.0)
                if value == "" or value is None:
                    continue
                cell.value = value
                if isinstance(value, str):
                    cell.data_type = "s"  # "=100%" is a target value, not a formula
                if (r, c) not in spanning:  # a merged title does not widen its first column
                    widths[c] = max(widths[c], min(30.0, paper.display_width(str(value)) + 2))
        for (r0, c0), (r1, c1) in merged:
            ws.merge_cells(start_row=r0 + 1, start_column=c0 + 1, end_row=r1 + 1, end_column=c1 + 1)
        for c, width in widths.items():
            ws.column_dimensions[get_column_letter(c)].width = width
        _row_heights(ws, rows, merged, widths)
        wide = paper.columns_width(list(widths.values())) > paper.printable("portrait")
        _page(ws, "landscape" if wide else "portrait")
        ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
    return book


def _row_heights(
    ws: Worksheet, rows: list[list[Any]], merged: Any, widths: dict[int, float]
) -> None:
    """Rows as tall as their wrapped text; a merged cell wraps over its columns' width
    and shares its lines among its rows."""
    spans = {(r0 + 1, c0 + 1): (r1 - r0 + 1, c0 + 1, c1 + 1) for (r0, c0), (r1, c1) in merged}
    for r, row in enumerate(rows, start=1):
        n = 1
        for c, value in enumerate(row, start=1):
            if not isinstance(value, str) or not value:
                continue
            height, first, last = spans.get((r, c), (1, c, c))
            room = paper.columns_width([widths[i] for i in range(first, last + 1)])
            n = max(n, -(-paper.lines(value, room) // height))
        if n > 1:
            ws.row_dimensions[r].height = paper.height(n)


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


def _result_sheet(book: Workbook, findings: list[Finding], source: Path, note: str | None) -> None:
    ws = book.create_sheet(RESULT_SHEET, 0)
    _heading(ws, findings, source, note)
    bold = Font(name=_FONT, bold=True)
    for col, (name, width) in enumerate(zip(HEADERS, WIDTHS, strict=True), start=1):
        cell = ws.cell(HEADER_ROW, col, name)
        cell.font, cell.border = bold, _BOX
        cell.fill = PatternFill("solid", fgColor="F2F2F2")
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.row_dimensions[HEADER_ROW].height = paper.height(max(map(paper.lines, HEADERS, WIDTHS)))
    ws.freeze_panes = f"A{HEADER_ROW + 1}"
    if not findings:
        ws.cell(HEADER_ROW + 1, 1, "未发现问题。").font = Font(name=_FONT)
    body = Font(name=_FONT, size=10)
    for i, f in enumerate(findings, start=1):
        r = HEADER_ROW + i
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
            cell = ws.cell(r, col)
            cell.value = value
            cell.data_type = "n" if isinstance(value, int) and col == 1 else "s"
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            cell.font, cell.border = body, _BOX
        n = max(paper.lines(str(v or ""), w) for v, w in zip(row, WIDTHS, strict=True))
        ws.row_dimensions[r].height = paper.height(n)
        if f.sheet in book.sheetnames and f.cell:
            link = ws.cell(r, 4)
            target = f"'{f.sheet}'!{_top_left(book[f.sheet], f.cell)}"
            link.hyperlink = Hyperlink(ref=link.coordinate, location=target)  # in-workbook link
            link.font = Font(name=_FONT, size=10, color="0563C1", underline="single")
        if f.severity in FILLS:
            ws.cell(r, 2).fill = FILLS[f.severity]
    ws.auto_filter.ref = f"A{HEADER_ROW}:H{HEADER_ROW + max(len(findings), 1)}"
    _print_setup(ws)
    book.active = 0
    for sheet in book.worksheets:
        sheet.sheet_view.tabSelected = sheet is ws


def _heading(ws: Worksheet, findings: list[Finding], source: Path, note: str | None) -> None:
    """Title, the checked file's name, the date and the counts; the conversion note."""
    counts = "，".join(
        f"{s} {n} 条"
        for s in (ERROR, WARNING, "提示")
        if (n := sum(f.severity == s for f in findings))
    )
    lines = (
        ("xltools 校验结果（请按本表逐条修改后重新报送）", Font(name=_FONT, size=14, bold=True)),
        (f"文件：{source.name}", Font(name=_FONT, size=10)),
        (
            f"校验日期：{dt.date.today():%Y-%m-%d}　　{counts or '未发现问题'}"
            + (f"　　{note}" if note else ""),
            Font(name=_FONT, size=10, color="C00000" if note else "000000"),
        ),
    )
    room = sum(WIDTHS)
    for r, (text, font) in enumerate(lines, start=1):
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=len(HEADERS))
        cell = ws.cell(r, 1, text)
        cell.data_type = "s"
        cell.font = font
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        n = paper.lines(text, room * 10 / font.sz)
        ws.row_dimensions[r].height = max(paper.height(n), 1.5 * font.sz * n + 4)


def _print_setup(ws: Worksheet) -> None:
    """Landscape A4, the header row on every page, "第 N 页，共 M 页" with the sheet name."""
    _page(ws, "landscape")
    ws.page_setup.scale = paper.scale_to_fit(paper.columns_width(WIDTHS), "landscape")
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"


def _page(ws: Worksheet, orientation: str) -> None:
    """A4 in ``orientation``, centred, with the footer every xltools output has."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = orientation
    ws.page_margins.left = ws.page_margins.right = paper.MARGIN
    ws.print_options.horizontalCentered = True
    ws.oddFooter.left.text = "&A"
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
    ws.oddFooter.right.text = "&D"


def _text(value: object) -> str | None:
    """Cell text for a value; user text is never written as a formula."""
    if value is None:
        return None
    return f"{value:g}" if isinstance(value, float) else str(value)
