"""The consolidated workbook of ``xltools merge``.

Sheets: 项目汇总 (one row per project, a 合计 row and subtotals per 实施单位),
指标明细 (one row per indicator, ready for a pivot table), 汇总表 (every form in the
official layout, a page break between forms), 图表 (native charts), 校验结果 and 来源.
Declarations and self-evaluations, and different years, get separate sheets (M02).
Every formula is written with its computed value; user text only with write_string.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.utility import xl_col_to_name, xl_range, xl_rowcol_to_cell
from xlsxwriter.worksheet import (
    CellBlankTuple,
    CellDatetimeTuple,
    CellFormulaTuple,
    CellNumberTuple,
    CellStringTuple,
    RowInfo,
    Worksheet,
)

from xltools.compute import tidy
from xltools.forms import Cell, layout_for
from xltools.forms.wording import reword
from xltools.model import DECLARATION, KIND_NAMES, SELF_EVALUATION
from xltools.profiles import Profile
from xltools.read.values import MAX_TEXT
from xltools.write import paper
from xltools.write.forms import FONT, FormDrawer, Styles, _ok
from xltools.write.merge import Entry, MergePlan

FORMS_PER_SHEET = 1000  # Excel keeps at most 1,026 manual page breaks per sheet
LEVEL1S = ("产出指标", "效益指标", "满意度指标", "成本指标")
MONEY, RATE, SCORE, COUNT, TEXT = "money", "rate", "score", "count", "text"
FORMATS = {MONEY: "#,##0.00", RATE: "0.00%", SCORE: "0.00", COUNT: "0"}
# 项目汇总 and the list sheets: two title lines, the header, then the rows (0-based).
HEADER, FIRST = 2, 3
KEY_COLS = 5  # 序号 年度 主管部门 实施单位 项目名称: frozen, and printed on every page
COUNT_START = "产出指标数"
CHART_WIDTH, CHART_PAGE = 680, 900  # pixels: portrait A4 less margins holds 717 × 1000
BARS_PER_PAGE = 36  # more projects than this: one bar per 实施单位  # the first column of the second page across


@dataclass(frozen=True)
class Col:
    header: str
    kind: str
    value: Callable[[Entry], Any]
    width: float = 12
    total: bool = False  # summed in the 合计 and 小计 rows


def _funds(key: str) -> Callable[[Entry], Any]:
    return lambda e: getattr(e.record.funds, key)


def _total(key: str) -> Callable[[Entry], Any]:
    return lambda e: getattr(e.record.funds.total, key)


def _count(level1: str) -> Callable[[Entry], int]:
    return lambda e: sum(i.level1 == level1 for i in e.record.indicators)


HEAD = (
    Col("年度", COUNT, lambda e: e.record.year, 6),
    Col("主管部门", TEXT, lambda e: e.record.department, 16),
    Col("实施单位", TEXT, lambda e: e.record.implementing_unit, 18),
    Col("项目名称", TEXT, lambda e: e.record.project_name, 24),
)
TAIL = (
    *(Col(f"{x}数", COUNT, _count(x), 7, True) for x in LEVEL1S),
    Col("指标数", COUNT, lambda e: len(e.record.indicators), 6, True),
    Col("错误", COUNT, lambda e: e.errors, 5, True),
    Col("警告", COUNT, lambda e: e.warnings, 5, True),
    Col("来源文件", TEXT, lambda e: e.file, 36),
)
DECLARATION_COLS = (
    *HEAD,
    Col("项目类别", TEXT, lambda e: e.record.project_category, 10),
    Col("项目性质", TEXT, lambda e: e.record.project_nature, 12),
    Col("项目资金总额", MONEY, _funds("project_total"), 13, True),
    Col("年度资金申请总额", MONEY, _funds("annual_total"), 13, True),
    Col("当年财政拨款", MONEY, _funds("current_appropriation"), 13, True),
    Col("上年结转资金", MONEY, _funds("carryover"), 13, True),
    Col("其他资金", MONEY, _funds("annual_other_funds"), 13, True),
    *TAIL,
)
SELF_EVALUATION_COLS = (
    *HEAD,
    Col("年初预算数", MONEY, _total("initial_budget"), 13, True),
    Col("全年预算数", MONEY, _total("adjusted_budget"), 13, True),
    Col("全年执行数", MONEY, _total("executed"), 13, True),
    Col("执行率", RATE, lambda e: _fraction(e.record.funds.total.execution_rate), 8),
    Col("执行率得分", SCORE, _total("score"), 7),
    Col("总分", SCORE, lambda e: e.record.total_score, 7),
    Col("评分等级", TEXT, lambda e: e.record.grade, 5),
    *TAIL,
)
# Widths that print across one landscape page at 90 % (申报表) and 75 % (自评表).
INDICATOR_COLS = (
    ("年度", COUNT, 6),
    ("主管部门", TEXT, 12),
    ("实施单位", TEXT, 14),
    ("项目名称", TEXT, 18),
    ("一级指标", TEXT, 10),
    ("二级指标", TEXT, 12),
    ("三级指标", TEXT, 22),
    ("指标值", TEXT, 12),
)
INDICATOR_SELF_COLS = (
    ("实际完成值", TEXT, 12),
    ("分值", SCORE, 6),
    ("得分", SCORE, 6),
    ("偏差原因分析及改进措施", TEXT, 22),
)


_ERROR_VALUES = frozenset(("#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!"))


class _Token:
    """A format in rows written before ``close``: xlsxwriter numbers formats by first use
    while it writes the sheets, so the number is filled in then (see ``_Sheet``)."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def _get_xf_index(self) -> str:
        return self.text


_FAST_CELLS = frozenset(
    (CellStringTuple, CellNumberTuple, CellDatetimeTuple, CellBlankTuple, CellFormulaTuple)
)
_COL_NAMES: dict[int, str] = {}  # column → its letters


def _xf_index(fmt: Any) -> int:
    return fmt._get_xf_index()


# Worksheet functions older than Excel 2010, which xlsxwriter's _prepare_formula never
# prefixes: it runs 29 regular expressions over every formula for the dynamic-array ones
# (FILTER → _xlfn._xlws.FILTER …), a fifth of writing a formula.
_CLASSIC_FUNCTIONS = frozenset(
    [
        "ABS",
        "AND",
        "AVERAGE",
        "CHOOSE",
        "COUNT",
        "COUNTA",
        "COUNTIF",
        "COUNTIFS",
        "DATE",
        "IF",
        "IFERROR",
        "INDEX",
        "INDIRECT",
        "ISBLANK",
        "ISNUMBER",
        "ISTEXT",
        "LEFT",
        "LEN",
        "LOOKUP",
        "MATCH",
        "MAX",
        "MID",
        "MIN",
        "MOD",
        "N",
        "NOT",
        "OR",
        "RIGHT",
        "ROUND",
        "ROUNDDOWN",
        "ROUNDUP",
        "ROW",
        "SUM",
        "SUMIF",
        "SUMIFS",
        "SUMPRODUCT",
        "T",
        "TEXT",
        "TRIM",
        "VALUE",
        "VLOOKUP",
    ]
)
_CALLED = re.compile(r"([A-Za-z_][A-Za-z0-9_.]*)\(")


class _Sheet(Worksheet):
    """xlsxwriter's worksheet, writing its cells' XML in one pass with fewer calls, and
    (``flush``) rows no later call will touch before ``close``, to free their cells.

    ``book.close`` spent most of its time in ``Worksheet._write_cell``: per cell a list of
    attributes, a method call for the format's index, a class-name dispatch and a regular
    expression on every attribute (an exception for an integer). And until ``close``
    xlsxwriter keeps every cell of every sheet, a tuple in a dict: 4.4 M cells and most of
    the gigabyte for 10,000 projects. The bytes written are the same as xlsxwriter's own
    (tests/test_merge_xml.py compares them): flushed rows go to a temporary file with a
    token for each format, and the formats get their numbers at ``close`` in the order
    xlsxwriter would give them. Other cell types (rich strings, booleans, errors, array
    formulas) and sheets with comments go through xlsxwriter's code, and are never flushed.
    """

    def __init__(self) -> None:
        super().__init__()
        self._flushed = 0  # rows above this one are written to self._done
        self._stopped = False  # a cell only xlsxwriter writes: no more flushing
        self._done: Any = None  # the temporary file of their XML
        self._formats: list[Any] = []  # the formats the tokens stand for
        self._tokens: dict[int, str] = {}  # id(format) → its token

    # Cells by row and column numbers, as this writer and FormDrawer write them: xlsxwriter's
    # own checks and storage without its A1-notation decorator and its chain of calls.
    # Anything else (A1 notation, long texts, NaN, Fraction) goes through xlsxwriter.
    def write_string(self, row: Any, col: Any, string: Any, cell_format: Any = None) -> Any:
        if (
            row.__class__ is not int
            or col.__class__ is not int
            or string.__class__ is not str
            or len(string) > self.xls_strmax // 2
            or self.constant_memory
        ):
            return super().write_string(row, col, string, cell_format)
        if self._dimensions(row, col):
            return -1
        self.table[row][col] = CellStringTuple(
            self.str_table._get_shared_string_index(string), cell_format
        )
        return 0

    def write_number(self, row: Any, col: Any, number: Any, cell_format: Any = None) -> Any:
        if (
            row.__class__ is not int
            or col.__class__ is not int
            or (number.__class__ is not float and number.__class__ is not int)
            or not math.isfinite(number)
            or self.constant_memory
        ):
            return super().write_number(row, col, number, cell_format)
        if self._dimensions(row, col):
            return -1
        self.table[row][col] = CellNumberTuple(number, cell_format)
        return 0

    def write_blank(self, row: Any, col: Any, blank: Any, cell_format: Any = None) -> Any:
        if row.__class__ is not int or col.__class__ is not int or self.constant_memory:
            return super().write_blank(row, col, blank, cell_format)
        if cell_format is None:  # xlsxwriter writes no blank cell without a format
            return 0
        if self._dimensions(row, col):
            return -1
        self.table[row][col] = CellBlankTuple(cell_format)
        return 0

    def merge_range(
        self,
        first_row: Any,
        first_col: Any,
        last_row: Any,
        last_col: Any,
        data: Any,
        cell_format: Any = None,
    ) -> Any:
        """xlsxwriter's ``merge_range`` for a range given by numbers, first cell first; the
        blank cells that pad it share one tuple. Anything else, or an overlap (for
        xlsxwriter's error), goes through xlsxwriter."""
        if (
            first_row.__class__ is not int
            or first_col.__class__ is not int
            or last_row.__class__ is not int
            or last_col.__class__ is not int
            or first_row > last_row
            or first_col > last_col
            or (first_row == last_row and first_col == last_col)
            or self.constant_memory
        ):
            return super().merge_range(first_row, first_col, last_row, last_col, data, cell_format)
        if self._dimensions(first_row, first_col) or self._dimensions(last_row, last_col):
            return -1
        merged, tables = self.merged_cells, self.table_cells
        cells = [
            (row, col)
            for row in range(first_row, last_row + 1)
            for col in range(first_col, last_col + 1)
        ]
        if any(merged.get(cell) or tables.get(cell) for cell in cells):
            return super().merge_range(first_row, first_col, last_row, last_col, data, cell_format)
        cell_range = xl_range(first_row, first_col, last_row, last_col)
        for cell in cells:
            merged[cell] = cell_range
        self.merge.append([first_row, first_col, last_row, last_col])
        self._write(first_row, first_col, data, cell_format)
        if cell_format is not None:  # xlsxwriter writes no blank cell without a format
            blank, table = CellBlankTuple(cell_format), self.table
            for row, col in cells[1:]:
                table[row][col] = blank
        return 0

    def set_row(
        self, row: Any, height: Any = None, cell_format: Any = None, options: Any = None
    ) -> Any:
        """xlsxwriter's ``set_row`` for a row given a visible height and no options (every
        row this writer sizes): the same RowInfo, without the options dict and two calls."""
        if (
            options is not None
            or row.__class__ is not int
            or (height.__class__ is not float and height.__class__ is not int)
            or self.constant_memory
        ):
            return super().set_row(row, height, cell_format, options)
        pixels = int(height * 4.0 / 3.0 + 0.5)
        if pixels == 0:  # a hidden row: xlsxwriter's own rules
            return super().set_row(row, height, cell_format, options)
        if self._dimensions(row, self.dim_colmin if self.dim_colmin is not None else 0):
            return -1
        self.row_info[row] = RowInfo(
            height=pixels, row_format=cell_format, hidden=False, level=0, collapsed=False
        )
        self.row_sizes[row] = [pixels, False]
        return 0

    def _prepare_formula(self, formula: Any, expand_future_functions: bool = False) -> Any:
        """xlsxwriter's, for a formula calling only classic functions: its braces and "="
        off, nothing to prefix (the same result, without 29 substitutions)."""
        if (
            formula.__class__ is not str
            or self.use_future_functions
            or expand_future_functions
            or "INGLE(" in formula  # xlsxwriter's pattern for SINGLE is r"\SINGLE\("
            or not _CLASSIC_FUNCTIONS.issuperset(_CALLED.findall(formula))
        ):
            return super()._prepare_formula(formula, expand_future_functions)
        formula = formula.removeprefix("{").removeprefix("=")
        return formula.removesuffix("}")

    def _dimensions(self, row: int, col: int) -> int:
        """xlsxwriter's ``_check_dimensions`` outside constant_memory mode: -1 when the
        cell is outside the sheet, else 0 with the used area grown to hold it."""
        if row < 0 or col < 0 or row >= self.xls_rowmax or col >= self.xls_colmax:
            return -1
        if self.dim_rowmin is None or row < self.dim_rowmin:
            self.dim_rowmin = row
        if self.dim_rowmax is None or row > self.dim_rowmax:
            self.dim_rowmax = row
        if self.dim_colmin is None or col < self.dim_colmin:
            self.dim_colmin = col
        if self.dim_colmax is None or col > self.dim_colmax:
            self.dim_colmax = col
        return 0

    def flush(self, below: int) -> None:
        """Write the rows above ``below`` (0-based, in whole blocks of 16: the blocks share
        a "spans" attribute) out of memory. The caller writes nothing above it any more."""
        limit = below // 16 * 16
        if limit <= self._flushed or self.comments or self._stopped:
            return
        table, row_info = self.table, self.row_info
        rows = [r for r in range(self._flushed, limit) if r in table or r in row_info]
        for r in rows:
            cells = table.get(r)
            if cells and not _FAST_CELLS.issuperset(map(type, cells.values())):
                self._stopped = True  # its formats' numbers would be taken early
                return
        if self._done is None:
            # Closed at close (_write_flushed); nameless, so nothing is left on disk.
            self._done = tempfile.TemporaryFile(  # noqa: SIM115
                "w+", encoding="utf-8", newline="", dir=self.tmpdir
            )
        fh, self.fh = self.fh, self._done
        try:
            self._rows_xml(rows, self._spans(rows), self._token)
        finally:
            self.fh = fh
        for r in rows:
            table.pop(r, None)
        self._flushed = limit

    def discard(self) -> None:
        """Close the temporary file of flushed rows (when the workbook is not written)."""
        done, self._done = self._done, None
        if done is not None:
            done.close()

    def _token(self, fmt: Any) -> str:
        token = self._tokens.get(id(fmt))
        if token is None:
            token = self._tokens[id(fmt)] = f"\x00{len(self._formats)}\x00"
            self._formats.append(fmt)
        return token

    def _spans(self, rows: Any) -> dict[int, str]:
        """xlsxwriter's ``_calculate_spans`` for ``rows``: per block of 16 rows, the first
        and last column (1-based) holding a cell."""
        bounds: dict[int, tuple[int, int]] = {}
        table = self.table
        for row_num in rows:
            cells = table.get(row_num)
            if cells:
                block, lo, hi = row_num // 16, min(cells), max(cells)
                old = bounds.get(block)
                bounds[block] = (lo, hi) if old is None else (min(old[0], lo), max(old[1], hi))
        return {block: f"{lo + 1}:{hi + 1}" for block, (lo, hi) in bounds.items()}

    def _write_rows(self) -> None:
        if self.comments:
            if self._done is not None:  # comments were added after a flush: never here
                raise RuntimeError("comments on a worksheet whose rows were flushed")
            return super()._write_rows()
        if self._done is not None:
            self._write_flushed()
        lo, hi, start = self.dim_rowmin, self.dim_rowmax, self._flushed
        late = min((r for r, cells in self.table.items() if cells and r < start), default=None)
        if late is not None:  # a caller broke flush's promise: never drop a cell silently
            raise RuntimeError(f"{self.name}: row {late + 1} written after it was flushed")
        rows = sorted(r for r in {*self.table, *self.row_info} if lo <= r <= hi and r >= start)
        self.row_spans = self._spans(rows)
        self._rows_xml(rows, self.row_spans, _xf_index)
        return None

    def _write_flushed(self) -> None:
        """The flushed rows, each format token replaced by the format's number."""
        formats, numbers = self._formats, [""] * len(self._formats)
        write = self.fh.write
        with self._done as done:  # closed even when writing fails
            self._done = None
            done.seek(0)
            carry = ""
            while data := done.read(1 << 20):
                parts = (carry + data).split("\x00")  # text, token, text, token, …, text
                carry = "\x00" + parts.pop() if len(parts) % 2 == 0 else ""  # a token cut off
                for i in range(1, len(parts), 2):
                    k = int(parts[i])
                    number = numbers[k]
                    if not number:
                        number = numbers[k] = str(formats[k]._get_xf_index())
                    parts[i] = number
                write("".join(parts))

    def _rows_xml(self, rows: list[int], spans: dict[int, str], index: Callable) -> None:
        """xlsxwriter's ``_write_rows`` for ``rows``; ``index`` gives
        a format's number (or token)."""
        table, row_info, col_info = self.table, self.row_info, self.col_info
        write, escape = self.fh.write, self._escape_data
        names, xf = _COL_NAMES, {}  # id(format) → its number (or token)
        tokens = index == self._token  # a row format needs its token too
        stand_ins: dict[int, _Token] = {}
        for row_num in rows:
            cells = table.get(row_num)
            info = row_info.get(row_num)
            span = spans.get(row_num // 16)
            row_fmt = info.row_format if info is not None else None
            if tokens and row_fmt:
                token = stand_ins.get(id(row_fmt))
                if token is None:
                    token = stand_ins[id(row_fmt)] = _Token(index(row_fmt))
                info = RowInfo(info.height, token, info.hidden, info.level, info.collapsed)
            if not cells:
                if info is not None:
                    self._write_empty_row(row_num, span, info)
                continue
            self._write_row(row_num, span, info)
            number = str(row_num + 1)
            out = []
            for col in sorted(cells):
                cell = cells[col]
                fmt = cell.format
                if not fmt:
                    if row_fmt:
                        fmt = row_fmt
                    elif col in col_info:
                        fmt = col_info[col].column_format
                name = names.get(col)
                if name is None:
                    name = names[col] = xl_col_to_name(col)
                if fmt is None:
                    attr = f' r="{name}{number}"'
                else:
                    s = xf.get(id(fmt))
                    if s is None:
                        s = xf[id(fmt)] = index(fmt)
                    attr = f' r="{name}{number}" s="{s}"'
                kind = type(cell)
                if kind is CellStringTuple:
                    out.append(f'<c{attr} t="s"><v>{cell.string}</v></c>')
                elif kind is CellNumberTuple or kind is CellDatetimeTuple:
                    out.append(f"<c{attr}><v>{cell.number:.16G}</v></c>")
                elif kind is CellBlankTuple:
                    out.append(f"<c{attr}/>")
                elif kind is CellFormulaTuple:
                    value, t = cell.value, ""
                    if isinstance(value, bool):
                        value, t = int(value), ' t="b"'
                    elif isinstance(value, str) and value != "":
                        t = ' t="e"' if value in _ERROR_VALUES else ' t="str"'
                    f, v = escape(cell.formula), escape(value)
                    out.append(f"<c{attr}{t}><f>{f}</f><v>{v}</v></c>")
                else:  # never while flushing (see flush)
                    write("".join(out))
                    out = []
                    self._write_cell(row_num, col, cell)
            out.append("</row>")
            write("".join(out))


class _PlainSheet(Worksheet):
    """xlsxwriter's own worksheet, for the releases :class:`_Sheet` was not compared with."""

    def flush(self, below: int) -> None:  # keeps every row in memory, as xlsxwriter does
        pass


# _Sheet relies on xlsxwriter's internals (its cell tuples, _write_row, _get_xf_index) as
# they are in these releases, compared byte for byte by tests/test_merge_xml.py. Any other
# release gets xlsxwriter's own worksheet: slower and larger in memory, the same workbook.
COMPARED_RELEASES = ("3.3",)


def worksheet_class() -> type[Worksheet]:
    release = ".".join(xlsxwriter.__version__.split(".")[:2])
    return _Sheet if release in COMPARED_RELEASES else _PlainSheet


def _fraction(percent: float | None) -> float | None:
    return None if percent is None else tidy(percent / 100)


def _bars_height(bars: int) -> int:
    """Pixels for a bar chart: 26 a bar, at most what a portrait page holds."""
    return min(CHART_PAGE, max(420, 26 * bars + 110))


def _count_step(counts: dict[str, int]) -> int:
    """A whole-number step for a count axis, about five gridlines."""
    return max(1, math.ceil(max(counts.values(), default=0) / 5))


def _shown(value: Any, kind: str) -> str:
    """A number as its cell's format shows it, to size the column."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        return str(value or "")
    if kind == MONEY:
        return f"{value:,.2f}"
    if kind == RATE:
        return f"{value * 100:.2f}%"
    return f"{value:.2f}" if kind == SCORE else f"{value:g}"


class ConsolidatedWriter:
    def __init__(
        self,
        path: Path,
        plan: MergePlan,
        profile: Profile,
        progress: Callable[[int], None] | None = None,
        tmpdir: str | None = None,
    ) -> None:
        self.plan, self.profile = plan, profile
        self.progress = progress  # called with the number of forms just drawn
        self.book = xlsxwriter.Workbook(
            str(path),
            {
                "strings_to_formulas": False,
                "strings_to_numbers": False,
                "strings_to_urls": False,
                "tmpdir": tmpdir,
                # Cells without a format of their own (the flat 指标明细 table) are in 宋体
                # too. A cell format costs a third of xlsxwriter's time for that cell.
                "default_format_properties": {
                    "font_name": FONT,
                    "font_size": 10,
                    "text_wrap": True,
                    "valign": "top",
                },
            },
        )
        self.book.worksheet_class = worksheet_class()  # every add_worksheet
        self.book.set_properties({"title": plan.title, "author": "xltools"})
        self.st = Styles(self.book)
        self.head = self.st.get(bold=True, border=1, align="center", bg_color="#F2F2F2")
        self.charts: list[tuple[str, Worksheet, dict]] = []

    def fmt(self, kind: str, **extra: Any) -> Any:
        props: dict[str, Any] = {"border": 1, "text_wrap": kind == TEXT, **extra}
        if kind in FORMATS:
            props["num_format"] = FORMATS[kind]
        return self.st.get(**props)

    def write(self) -> None:
        try:
            groups = self.plan.groups()
            several = len(groups) > 1
            for (kind, year), entries in groups.items():
                suffix = f"（{year or ''}{KIND_NAMES[kind]}）" if several else ""
                summary = self._summary(f"项目汇总{suffix}", kind, entries)
                self._indicators(f"指标明细{suffix}", kind, entries)
                self._forms(f"汇总表{suffix}", entries)
                self._chart_data(kind, summary, entries, suffix)
            self._charts()
            if self.plan.findings:
                self._findings()
            self._sources()
            self.book.close()
        except BaseException:  # the sheets' temporary files, whatever went wrong
            for ws in self.book.worksheets():
                if isinstance(ws, _Sheet):
                    ws.discard()
            raise

    # -- 项目汇总 -----------------------------------------------------------------------------
    def _summary(self, name: str, kind: str, entries: list[Entry]) -> dict:
        """Title lines, then the table; printed over landscape pages, 序号 … 项目名称 on each."""
        ws = self.book.add_worksheet(name)
        cols = DECLARATION_COLS if kind == DECLARATION else SELF_EVALUATION_COLS
        widths = [5.0] + [self._width(col, entries) for col in cols]
        for c, width in enumerate(widths):
            ws.set_column(c, c, width)
        last_col = len(cols)
        self._title(ws, widths[:KEY_COLS], self.plan.title, self._subtitle(len(entries)))
        ws.write_string(HEADER, 0, "序号", self.head)
        for c, col in enumerate(cols, start=1):
            ws.write_string(HEADER, c, col.header, self.head)
        ws.set_row(
            HEADER,
            paper.height(
                max(paper.lines(c.header, w) for c, w in zip(cols, widths[1:], strict=True))
            ),
        )
        number, fmts = self.fmt(COUNT), [self.fmt(col.kind) for col in cols]
        texts = [
            (c, w)
            for c, (col, w) in enumerate(zip(cols, widths[1:], strict=True))
            if col.kind == TEXT
        ]
        for i, entry in enumerate(entries):
            r = FIRST + i
            ws.write_number(r, 0, i + 1, number)
            values = [col.value(entry) for col in cols]
            for c, (col, fmt, value) in enumerate(zip(cols, fmts, values, strict=True), start=1):
                if value is None or value == "":
                    ws.write_blank(r, c, None, fmt)
                elif col.kind == TEXT:
                    ws.write_string(r, c, str(value), fmt)
                else:
                    ws.write_number(r, c, value, fmt)
            n = max((paper.lines(values[c] or "", w) for c, w in texts), default=1)
            ws.set_row(r, paper.height(n))
        last = len(entries)
        ws.autofilter(HEADER, 0, HEADER + max(last, 1), last_col)
        ws.freeze_panes(FIRST, KEY_COLS)
        total_row = FIRST + last
        sums = self._totals_row(ws, total_row, cols, entries, last)
        units = self._unit_subtotals(ws, total_row + 2, cols, entries, last, widths)
        self._split_pages(ws, cols, widths)
        ws.repeat_rows(HEADER)
        return {"sheet": name, "ws": ws, "cols": cols, "last": last, "sums": sums, "units": units}

    def _width(self, col: Col, entries: list[Entry]) -> float:
        """A text column keeps its width and wraps; a number column fits its longest figure."""
        if col.kind == TEXT:
            return col.width
        longest = max((len(_shown(col.value(e), col.kind)) for e in entries), default=0)
        if col.total:  # the 合计 is the longest figure a column shows
            longest = max(longest, len(_shown(sum(col.value(e) or 0 for e in entries), col.kind)))
        return max(col.width, longest + 3)

    def _split_pages(self, ws: Worksheet, cols: tuple[Col, ...], widths: list[float]) -> None:
        """Landscape A4 pages: the key columns, then the amounts; the key columns again,
        then the counts and the source file. One print scale makes the widest page fit."""
        split = self._col_index(cols, COUNT_START)
        keys = widths[:KEY_COLS]
        pages = [widths[KEY_COLS:split], widths[split:]]
        widest = max(paper.columns_width(keys + part) for part in pages)
        paper.a4(ws, "landscape")
        ws.set_print_scale(paper.scale_to_fit(widest, "landscape"))
        ws.repeat_columns(0, KEY_COLS - 1)
        ws.set_v_pagebreaks([split])

    def _subtitle(self, projects: int) -> str:
        return (
            f"金额单位：{self.plan.money_unit}　　项目 {projects} 个　　"
            f"汇总日期：{dt.date.today():%Y-%m-%d}"
        )

    def _title(self, ws: Worksheet, widths: list[float], title: str, subtitle: str) -> None:
        """A sheet's two title lines, merged over ``widths`` (the columns every printed page
        starts with) and wrapped there, so each page across shows the whole title."""
        room = sum(widths) + 5 / 7 * (len(widths) - 1)
        big = self.st.get(bold=True, font_size=14, align="left")
        small = self.st.get(font_size=10, align="left")
        for row, text, fmt, size in ((0, title, big, 14), (1, subtitle, small, 10)):
            ws.merge_range(row, 0, row, len(widths) - 1, "", fmt)
            ws.write_string(row, 0, text, fmt)
            n = paper.lines(text, room * 10 / size)  # a 14-point character is 1.4 units of 10
            ws.set_row(row, max(paper.height(n), n * size * 1.5 + 4))

    def _col_index(self, cols: tuple[Col, ...], header: str) -> int:
        return next(i for i, c in enumerate(cols, start=1) if c.header == header)

    def _totals_row(self, ws: Worksheet, row: int, cols: tuple, entries: list, last: int) -> dict:
        bold = {"bold": True, "bg_color": "#FFF2CC"}
        ws.write_string(row, 0, "合计", self.fmt(TEXT, **bold))
        for c, col in enumerate(cols, start=1):
            if not col.total:
                ws.write_blank(row, c, None, self.fmt(col.kind, **bold))
                continue
            letter = xl_col_to_name(c)
            span = f"{letter}{FIRST + 1}:{letter}{FIRST + last}"
            if any(col.value(e) is not None for e in entries):
                value: Any = tidy(sum(col.value(e) or 0 for e in entries))
                formula = f"=SUM({span})"
            else:  # nobody filled it in: a 合计 of 0.00 would claim they all wrote 0
                value, formula = "", f'=IF(COUNT({span})=0,"",SUM({span}))'
            ws.write_formula(row, c, formula, self.fmt(col.kind, **bold), value)
        ws.set_row(row, paper.height(1))
        self._rate(ws, row, cols, [e for e in entries], bold)
        return {
            col.header: tidy(sum(col.value(e) or 0 for e in entries)) for col in cols if col.total
        }

    def _rate(self, ws: Worksheet, row: int, cols: tuple, entries: list, style: dict) -> None:
        """执行率 of a total: summed 全年执行数 ÷ summed 全年预算数, never an average of rates."""
        if cols is not SELF_EVALUATION_COLS:
            return
        c_rate = self._col_index(cols, "执行率")
        adjusted = sum(e.record.funds.total.adjusted_budget or 0 for e in entries)
        executed = sum(e.record.funds.total.executed or 0 for e in entries)
        a = xl_rowcol_to_cell(row, self._col_index(cols, "全年预算数"))
        x = xl_rowcol_to_cell(row, self._col_index(cols, "全年执行数"))
        value = tidy(executed / adjusted) if adjusted > 0 else ""
        ws.write_formula(row, c_rate, f'=IF({a}>0,{x}/{a},"")', self.fmt(RATE, **style), value)

    def _unit_subtotals(
        self, ws: Worksheet, row: int, cols: tuple, entries: list, last: int, widths: list[float]
    ) -> list:
        """按实施单位小计: sums over the project rows, so the table above stays filterable."""
        style = {"bg_color": "#F2F2F2"}
        label = self.st.get(bold=True, align="left")
        ws.merge_range(row, 0, row, KEY_COLS - 1, "", label)  # the label is wider than 序号
        ws.write_string(row, 0, "按实施单位小计", label)
        ws.set_row(row, paper.height(1))
        by_unit: dict[str, list[Entry]] = {}
        for entry in entries:
            by_unit.setdefault(entry.record.implementing_unit or "", []).append(entry)
        c_unit = self._col_index(cols, "实施单位")
        unit_letter = xl_col_to_name(c_unit)
        first, end = FIRST + 1, FIRST + last
        out = []
        for i, (unit, members) in enumerate(sorted(by_unit.items()), start=1):
            r = row + i
            ws.write_string(r, 0, "小计", self.fmt(TEXT, **style))
            ws.write_string(r, c_unit, unit, self.fmt(TEXT, **style))
            ws.set_row(r, paper.height(paper.lines(unit, widths[c_unit])))
            for c, col in enumerate(cols, start=1):
                if c == c_unit:
                    continue
                if not col.total:
                    ws.write_blank(r, c, None, self.fmt(col.kind, **style))
                    continue
                value: Any = tidy(sum(col.value(e) or 0 for e in members))
                letter = xl_col_to_name(c)
                # Not SUMIF: its criterion reads a unit "=上海市*中心" as "equals 上海市<any>中心".
                formula = (
                    f"SUMPRODUCT(--(${unit_letter}${first}:${unit_letter}${end}="
                    f"${unit_letter}{r + 1}),{letter}${first}:{letter}${end})"
                )
                if any(col.value(e) is not None for e in entries):
                    formula = f"={formula}"
                else:  # as in the 合计: a column nobody filled in sums to a blank
                    span = f"{letter}${first}:{letter}${end}"
                    value, formula = "", f'=IF(COUNT({span})=0,"",{formula})'
                ws.write_formula(r, c, formula, self.fmt(col.kind, **style), value)
            self._rate(ws, r, cols, members, style)
            out.append((unit, r))
        return out

    # -- 指标明细 ----------------------------------------------------------------------------
    def _indicators(self, name: str, kind: str, entries: list[Entry]) -> None:
        ws = self.book.add_worksheet(name)
        cols = (
            INDICATOR_COLS
            + (INDICATOR_SELF_COLS if kind == SELF_EVALUATION else ())
            + (("来源文件", TEXT, 22), ("工作表", TEXT, 8), ("行", COUNT, 5))
        )
        word = self.profile.weight_word  # the forms' word for the points (四川: 权重)
        for c, (header, _, width) in enumerate(cols):
            ws.write_string(0, c, reword(header, word), self.head)
            ws.set_column(c, c, width)
        ws.set_row(0, paper.height(max(paper.lines(h, w) for h, _, w in cols)))
        # Wrapped text (the workbook's default format wraps) needs rows sized for it.
        room = [w - 1 if k == TEXT else 0 for _, k, w in cols]
        # No cell formats: the workbook's default is 宋体 10, numbers show as typed (6.59,
        # 10), and a plain table is what a pivot table wants; formats would cost a third.
        texts = [k == TEXT for _, k, _ in cols]
        measured: dict[tuple[int, str], int] = {}  # (column, text) → lines
        r = 0
        for entry in entries:
            rec = entry.record
            sheet = rec.source.sheet if rec.source else None
            base = (rec.year, rec.department, rec.implementing_unit, rec.project_name)
            for ind in rec.indicators:
                r += 1
                values = (*base, ind.level1, ind.level2, ind.name, ind.target)
                if kind == SELF_EVALUATION:
                    values += (ind.actual, ind.weight, ind.score, ind.deviation_reason)
                values += (entry.file, sheet, ind.row)
                lines = 1
                for c, (value, text) in enumerate(zip(values, texts, strict=True)):
                    if value is None or value == "":
                        continue
                    if text:
                        value = str(value)
                        ws.write_string(r, c, value)
                        # A text of n characters is at most 2n wide: most are measured unread.
                        if 2 * len(value) > room[c]:
                            n = measured.get((c, value))
                            if n is None:  # the same indicator texts recur in many projects
                                n = measured[c, value] = paper.lines(value, room[c] + 1)
                            lines = max(lines, n)
                    else:
                        ws.write_number(r, c, value)
                if lines > 1:
                    ws.set_row(r, paper.height(lines))
            ws.flush(r + 1)  # the rows above are final: out of memory (no chart reads them)
        ws.autofilter(0, 0, max(r, 1), len(cols) - 1)
        ws.freeze_panes(1, 4)
        paper.a4(ws, "landscape", f"{self.plan.title}　指标明细")
        ws.fit_to_pages(1, 0)
        ws.repeat_rows(0)

    # -- 汇总表 ------------------------------------------------------------------------------
    def _forms(self, name: str, entries: list[Entry]) -> None:
        chunks = [entries[i : i + FORMS_PER_SHEET] for i in range(0, len(entries), FORMS_PER_SHEET)]
        for n, chunk in enumerate(chunks or [[]], start=1):
            sheet = name if n == 1 else f"{name}{n}"
            self._form_sheet(sheet[:31], chunk)
            if self.progress:
                self.progress(len(chunk))

    def _form_sheet(self, name: str, entries: list[Entry]) -> None:
        ws = self.book.add_worksheet(name)
        layouts = [layout_for(e.record.kind, e.record.year) for e in entries]
        widest = max(layouts, key=lambda lay: len(lay.widths)) if layouts else None
        if widest is not None:
            for col, width in widest.widths.items():
                c = Cell.parse(f"{col}1").col - 1
                ws.set_column(c, c, width)
            stamp = Cell.parse(f"{widest.last_col}1").col
            ws.set_column(stamp, stamp, 12, None, {"hidden": True})
            last_col = Cell.parse(f"{widest.last_col}1").col - 1
            ws.merge_range(
                0, 0, 0, last_col, "", self.st.get(bold=True, font_size=14, align="center")
            )
            ws.write_string(
                0, 0, self.plan.title, self.st.get(bold=True, font_size=14, align="center")
            )
            ws.set_row(0, 28)
        top, breaks = 3, []
        drawers: dict[int, FormDrawer] = {}  # by id(layout); the compiled layout lives in self.st
        for entry, layout in zip(entries, layouts, strict=True):
            if breaks or top > 3:
                breaks.append(top - 1)
            drawer = drawers.get(id(layout))
            if drawer is None:
                drawer = drawers[id(layout)] = FormDrawer(ws, self.st, layout, self.profile)
            place = drawer.draw(entry.record, top, 0, entry.record.money_unit or "元")
            top = place.last_row(layout) + 2
            ws.flush(top - 1)  # the next form starts below: the rows above are final
        ws.set_h_pagebreaks(breaks)
        paper.a4(ws, "portrait")
        ws.fit_to_pages(1, 0)  # one form a page across; its manual breaks hold in LibreOffice
        ws.hide_gridlines(2)

    # -- 图表 --------------------------------------------------------------------------------
    def _chart_data(self, kind: str, summary: dict, entries: list[Entry], suffix: str) -> None:
        self.charts.append((kind, summary["ws"], {**summary, "suffix": suffix, "entries": entries}))

    def _charts(self) -> None:
        """Each chart on its own portrait A4 page, under a heading; its data below it."""
        if not self.charts:
            return
        ws = self.book.add_worksheet("图表")
        ws.set_column(0, 1, 12)
        row, breaks = 0, []
        for kind, _, info in self.charts:
            makers = (
                (self._grade_chart, self._rate_chart)
                if kind == SELF_EVALUATION
                else (self._funds_chart,)
            )
            for make in makers:
                if row:
                    breaks.append(row)
                row = make(ws, row, info)
        ws.set_h_pagebreaks(breaks)
        # 100 %, not fit-to-page: Excel ignores manual page breaks on a sheet fitted to pages.
        paper.a4(ws, "portrait")
        ws.hide_gridlines(2)

    def _place(self, ws: Worksheet, row: int, chart: Any, height: int) -> int:
        """The chart at ``row``; the first row below it (default rows are 20 pixels)."""
        chart.set_size({"width": CHART_WIDTH, "height": height})
        ws.insert_chart(row, 0, chart, {"x_offset": 2, "y_offset": 4, "object_position": 3})
        return row + 1 + -(-height // 20)

    def _grade_chart(self, ws: Worksheet, row: int, info: dict) -> int:
        sheet, cols, last = info["sheet"], info["cols"], info["last"]
        grade_col = xl_col_to_name(self._col_index(cols, "评分等级"))
        title = f"评分等级分布{info['suffix']}"
        chart = self.book.add_chart({"type": "column"})
        data = self._place(ws, row, chart, 420) + 1
        ws.write_string(data, 0, "评分等级", self.head)
        ws.write_string(data, 1, "项目数", self.head)
        counts = {
            g: sum(e.record.grade == g for e in info["entries"]) for g in ("优", "良", "中", "差")
        }
        rows = f"${grade_col}${FIRST + 1}:${grade_col}${FIRST + max(last, 1)}"
        for i, (grade, n) in enumerate(counts.items(), start=1):
            ws.write_string(data + i, 0, grade, self.fmt(TEXT, align="center"))
            ws.write_formula(
                data + i,
                1,
                f"=COUNTIF('{sheet}'!{rows},A{data + i + 1})",
                self.fmt(COUNT, align="center"),
                n,
            )
        chart.add_series(
            {
                "name": "项目数",
                "categories": ["图表", data + 1, 0, data + 4, 0],
                "values": ["图表", data + 1, 1, data + 4, 1],
                "data_labels": {"value": True},
            }
        )
        self._finish_chart(chart, title)
        chart.set_y_axis(
            {"name": "项目数", "num_format": "0", "min": 0, "major_unit": _count_step(counts)}
        )
        chart.set_x_axis({"num_font": {"name": FONT}})
        return data + 6

    def _rate_chart(self, ws: Worksheet, row: int, info: dict) -> int:
        """执行率 per project (per 实施单位 when there are too many projects to read a bar)."""
        sheet, cols, last = info["sheet"], info["cols"], info["last"]
        c_rate = self._col_index(cols, "执行率")
        entries = info["entries"]
        if last <= BARS_PER_PAGE:
            c_name, first, end, count = (
                self._col_index(cols, "项目名称"),
                FIRST,
                FIRST + last - 1,
                last,
            )
            title = f"各项目执行率{info['suffix']}"
            rates = [_fraction(e.record.funds.total.execution_rate) or 0 for e in entries]
        else:
            units = info["units"]
            c_name, first, end, count = (
                self._col_index(cols, "实施单位"),
                units[0][1],
                units[-1][1],
                len(units),
            )
            title = f"各实施单位执行率{info['suffix']}"
            rates = [1.0]  # the units' rates are sums' ratios: at most the projects' largest
            rates += [_fraction(e.record.funds.total.execution_rate) or 0 for e in entries]
        names, values = [sheet, first, c_name, end, c_name], [sheet, first, c_rate, end, c_rate]
        chart = self.book.add_chart({"type": "bar"})
        chart.add_series(
            {
                "name": "执行率",
                "categories": names,
                "values": values,
                "data_labels": {"value": True, "num_format": "0.0%"},
            }
        )
        self._finish_chart(chart, title)
        # The value axis of a bar chart is its x axis: percent, like the labels, 0 to 120 %.
        top = max(1.2, math.ceil(max(rates, default=0) * 5) / 5)
        chart.set_x_axis(
            {
                "num_format": "0%",
                "min": 0,
                "max": top,
                "major_unit": 0.2,
                "num_font": {"name": FONT},
            }
        )
        # First project on top; the value axis stays at the bottom ("crossing" at the last).
        chart.set_y_axis({"reverse": True, "crossing": "max", "num_font": {"name": FONT}})
        return self._place(ws, row, chart, _bars_height(count))

    def _funds_chart(self, ws: Worksheet, row: int, info: dict) -> int:
        sheet, cols, units = info["sheet"], info["cols"], info["units"]
        if not units:
            return row
        c_funds = self._col_index(cols, "年度资金申请总额")
        c_unit = self._col_index(cols, "实施单位")
        chart = self.book.add_chart({"type": "bar"})
        chart.add_series(
            {
                "name": "年度资金申请总额",
                "categories": [sheet, units[0][1], c_unit, units[-1][1], c_unit],
                "values": [sheet, units[0][1], c_funds, units[-1][1], c_funds],
                "data_labels": {"value": True, "num_format": "#,##0"},
            }
        )
        unit = self.plan.money_unit
        title = f"各实施单位年度资金申请总额（{unit}）{info['suffix']}"
        self._finish_chart(chart, title)
        chart.set_x_axis(
            {"name": unit, "num_format": "#,##0", "min": 0, "num_font": {"name": FONT}}
        )
        chart.set_y_axis({"reverse": True, "crossing": "max", "num_font": {"name": FONT}})
        return self._place(ws, row, chart, _bars_height(len(units)))

    def _finish_chart(self, chart: Any, title: str) -> None:
        font = {"name": FONT}
        chart.set_title({"name": title, "name_font": {**font, "size": 12}})
        chart.set_legend({"none": True})

    # -- 校验结果 and 来源 -----------------------------------------------------------------------
    def _table(
        self, name: str, title: str, headers: tuple, widths: tuple, rows: list[tuple]
    ) -> None:
        """A list sheet under two title lines: text wraps, rows are as tall as their text,
        and the columns print across one landscape page."""
        ws = self.book.add_worksheet(name)
        self._title(ws, list(widths), title, self._subtitle_of(name, len(rows)))
        for c, (h, w) in enumerate(zip(headers, widths, strict=True)):
            ws.write_string(HEADER, c, h, self.head)
            ws.set_column(c, c, w)
        ws.set_row(HEADER, paper.height(max(map(paper.lines, headers, widths))))
        text, number = self.fmt(TEXT, valign="top"), self.fmt(COUNT, valign="top")
        for r, values in enumerate(rows, start=FIRST):
            n = 1
            for c, value in enumerate(values):
                if value is None or value == "":
                    ws.write_blank(r, c, None, text)  # the cell's border: the grid stays whole
                elif isinstance(value, int | float) and not isinstance(value, bool):
                    ws.write_number(r, c, value, number)
                else:
                    # A finding quoting a long text can pass Excel's 32,767 characters a cell.
                    _ok(ws.write_string(r, c, str(value)[:MAX_TEXT], text), "text")
                    n = max(n, paper.lines(str(value), widths[c]))
            ws.set_row(r, paper.height(n))
        ws.autofilter(HEADER, 0, HEADER + max(len(rows), 1), len(headers) - 1)
        ws.freeze_panes(FIRST, 0)
        paper.a4(ws, "landscape")
        ws.set_print_scale(paper.scale_to_fit(paper.columns_width(widths), "landscape"))
        ws.repeat_rows(HEADER)

    def _subtitle_of(self, name: str, count: int) -> str:
        what = "问题" if name == "校验结果" else "文件"
        return f"共 {count} 条{what}　　汇总日期：{dt.date.today():%Y-%m-%d}"

    def _findings(self) -> None:
        rows = [
            (
                f.severity,
                f.rule,
                f.file,
                f.location,
                f.project,
                f.message,
                _text(f.value),
                _text(f.expected),
            )
            for f in self.plan.findings
        ]
        self._table(
            "校验结果",
            f"{self.plan.title}　校验结果",
            ("严重程度", "规则", "文件", "位置", "项目", "说明", "表中值", "应为"),
            (5, 5, 31, 13, 18, 42, 11, 11),
            rows,
        )

    def _sources(self) -> None:
        rows = [
            (
                s.file,
                s.sha256,
                len(s.projects),
                "、".join(s.projects),
                "已汇总" if s.included else "未汇总",
                s.reason,
            )
            for s in self.plan.sources
        ]
        self._table(
            "来源",
            f"{self.plan.title}　来源文件",
            ("文件", "SHA-256", "项目数", "项目", "状态", "原因"),
            (34, 34, 6, 30, 6, 28),
            rows,
        )


def _text(value: object) -> str | None:
    if value is None:
        return None
    return f"{value:g}" if isinstance(value, float) else str(value)


def write_consolidated(
    path: Path,
    plan: MergePlan,
    profile: Profile,
    progress: Callable[[int], None] | None = None,
    tmpdir: str | None = None,
) -> None:
    """``tmpdir``: where xlsxwriter keeps its worksheet temp files (default: the system's)."""
    ConsolidatedWriter(path, plan, profile, progress, tmpdir).write()
