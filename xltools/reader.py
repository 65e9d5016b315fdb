"""Workbooks → records. The only module that knows cells on the reading side.

Values are read with python-calamine (≈25× faster than openpyxl, and it also reads
.xls and .ods). A form is found by its title; every field by its label, searched
in the column where the layout puts it and taken at the same offset from it as in
the layout. So a form still reads after a user inserted or deleted indicator rows,
and stacked forms (several in one sheet) read one after another.
"""

from __future__ import annotations

import io
import re
import sys
import zipfile
import zlib
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import python_calamine

from xltools import compute, foreign, isolated, limits, paths, values
from xltools.catalogue import UNOPENED
from xltools.findings import Finding, finding
from xltools.forms import LAYOUTS, Cell, Field, Layout, Span, T, col_letter
from xltools.model import (
    DECLARATION,
    SELF_EVALUATION,
    Declaration,
    Indicator,
    Record,
    SelfEvaluation,
    Source,
)
from xltools.profiles import Profile, load_profile
from xltools.text import clean_text, normalise_label, parse_date, parse_number, parse_rate, year_of

READABLE = paths.READABLE
_TITLE = re.compile(r"绩效(目标申报|自评)表$")
_STAMP = re.compile(r"^xltools:(declaration|self_evaluation):([^:]+):(\d{4})?$")
_ZIP, _CFB = b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_HEAD = 1 << 20  # bytes read first: the signature, an encryption marker, the archive


@dataclass
class ReadResult:
    """What one file gave: its records and the problems met while reading it."""

    file: str
    records: list[Record] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    @property
    def readable(self) -> bool:
        return not any(f.rule in ("R02", *UNOPENED) for f in self.findings)


class Unreadable(Exception):
    """The file is not a workbook we can open; the message is the finding's text."""

    def __init__(self, message: str, rule: str = "R01") -> None:
        super().__init__(message)
        self.rule = rule


# -- opening -----------------------------------------------------------------------------


def _sniff(path: Path) -> bytes:
    """Turn the common ways a file is not a workbook into one clear sentence; the file's
    first MB (all of a normal form)."""
    try:
        size = paths.regular_size(path)
        if size == 0:
            raise Unreadable("文件是空的（0 字节）")
        head = paths.read_head(path, min(size, _HEAD))
    except paths.NotReadable as exc:
        raise Unreadable(str(exc), exc.rule) from None
    if head.startswith(_CFB):
        # An encrypted .xlsx is an OLE container holding an "EncryptionInfo" stream.
        if "EncryptionInfo".encode("utf-16-le") in head:
            raise Unreadable("工作簿设有打开密码（已加密），请去掉密码后再发送")
        return head
    if not head.startswith(_ZIP):
        raise Unreadable("不是 Excel/WPS 表格文件（.xlsx、.xlsm、.xls、.ods）")
    return head


def _diagnose_zip(path: Path) -> str:
    """Why a zip-based workbook failed to open (only asked after calamine gave up)."""
    try:
        if not paths.read_head(path, 4).startswith(_ZIP):
            return ""  # an .xls: calamine's own words
        with zipfile.ZipFile(path) as zf:
            if zf.testzip() is not None:
                return "文件已损坏（压缩包内容校验失败）"
    except (zlib.error, EOFError):  # damaged deflate data fails before the CRC check can
        return "文件已损坏（压缩包内容校验失败）"
    except (zipfile.BadZipFile, NotImplementedError):
        return "文件已损坏（不是完整的压缩包，可能下载或复制不完整）"
    except (OSError, paths.NotReadable) as exc:
        return f"文件读取失败（{exc}）"
    except Exception:  # zipfile's own slips on damaged directories (UnicodeDecodeError …)
        return "文件已损坏（压缩包目录无法识别）"
    return ""


def _limits(path: Path, head: bytes) -> dict[str, str]:
    """Sheets over a limit (name → which limit), checked before calamine allocates them."""
    try:
        if head.startswith(_CFB):  # calamine builds every .xls sheet when it opens the file
            over = limits.check_xls(str(path))
            if over:
                raise limits.LimitExceeded(f"工作表“{over[0].sheet}”{over[0].message}，未读取")
            return {}
        whole = len(head) < _HEAD  # already read: no second open
        with zipfile.ZipFile(io.BytesIO(head) if whole else path) as zf:
            return {p.sheet: p.message for p in limits.check_zip_workbook(zf)}
    except limits.LimitExceeded as exc:
        raise Unreadable(str(exc), "R20") from None
    except Exception:  # a damaged archive or workbook.xml: calamine's error says more
        return {}


def _opening_error(path: Path, text: str) -> Unreadable:
    if "password" in text.lower() or "encrypt" in text.lower():
        return Unreadable("工作簿设有打开密码（已加密），请去掉密码后再发送")
    return Unreadable(_diagnose_zip(path) or f"文件已损坏或格式无法识别（{text}）")


# A sheet as read: its rows from A1 and merged ranges; or which limit it passes; or None
# when it could not be read (its R01 is already reported).
SheetRead = tuple[list[list[Any]], Any] | str | None


def _sheets(path: Path, result: ReadResult) -> Iterator[tuple[str, SheetRead]]:
    """Each sheet of the workbook at ``path``: an .xls in a child process (isolated.py),
    the zip formats here, after their limits were checked (limits.py)."""
    head = _sniff(path)
    over = _limits(path, head)
    if head.startswith(_CFB):
        yield from _xls_sheets(path, result)
        return
    try:
        book = python_calamine.CalamineWorkbook.from_path(str(path))
    except BaseException as exc:  # calamine raises its own types; a Rust panic is no Exception
        if isinstance(exc, KeyboardInterrupt | SystemExit):
            raise
        raise _opening_error(path, str(exc)) from None
    for meta in book.sheets_metadata:
        read = over.get(meta.name) or _sheet_rows(book, meta.name, result)
        if isinstance(read, tuple):
            rows, sheet = read
            read = (rows, sheet.merged_cell_ranges or ())
        yield meta.name, read


def _xls_sheets(path: Path, result: ReadResult) -> Iterator[tuple[str, SheetRead]]:
    try:
        sheets = isolated.read_xls(str(path), limits.MAX_AREA)
    except isolated.ChildFailed as exc:
        raise Unreadable(str(exc), exc.rule) from None
    if isinstance(sheets, str):
        raise _opening_error(path, sheets)
    for name, rows, merged in sheets:
        if isinstance(rows, tuple):  # ("area", height, width): over the limit
            yield name, limits.check_grid(rows[1], rows[2])
        elif isinstance(rows, str):
            message = f"工作表“{name}”无法读取：文件可能已损坏（{rows}）"
            result.findings.append(finding("R01", message, result.file, sheet=name))
            yield name, None
        else:
            yield name, (rows, merged)


def _sheet_rows(
    book: python_calamine.CalamineWorkbook, name: str, result: ReadResult
) -> tuple[list[list[Any]], Any] | str | None:
    """A sheet's rows from A1 and the sheet; or which limit it passes (.xls is only known
    once read); or None when calamine fails on it (an R01 for that sheet: the other sheets
    are still read)."""
    try:
        sheet = book.get_sheet_by_name(name)
        end_row, end_col = sheet.end or (-1, -1)
        over = limits.check_grid(end_row + 1, end_col + 1)
        return over if over else (sheet.to_python(skip_empty_area=False), sheet)
    except BaseException as exc:  # a malformed sheet, or a Rust panic (not an Exception)
        if isinstance(exc, KeyboardInterrupt | SystemExit):
            raise
        detail = "工作表的数据缺失" if str(exc) == name else str(exc)  # calamine names the sheet
        why = _diagnose_zip(Path(result.file)) or f"文件可能已损坏（{detail}）"
        message = f"工作表“{name}”无法读取：{why}"
        result.findings.append(finding("R01", message, result.file, sheet=name))
        return None


# -- a sheet as a grid ---------------------------------------------------------------------


class Grid:
    """A sheet's values, 1-based, with merged cells and a label index."""

    def __init__(self, rows: list[list[Any]], merged: Iterable[tuple]) -> None:
        self.rows = rows
        self.merged_from: dict[tuple[int, int], tuple[int, int]] = {}
        self.merged_to: dict[tuple[int, int], tuple[int, int]] = {}  # top-left → bottom-right
        for (r0, c0), (r1, c1) in merged:
            self.merged_to[(r0 + 1, c0 + 1)] = (r1 + 1, c1 + 1)
            for r in range(r0, r1 + 1):
                for c in range(c0, c1 + 1):
                    if (r, c) != (r0, c0):
                        self.merged_from[(r + 1, c + 1)] = (r0 + 1, c0 + 1)
        self.labels: dict[str, list[Cell]] = defaultdict(list)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                if isinstance(value, str) and value.strip():
                    self.labels[normalise_label(value)].append(Cell(r, c))

    @property
    def height(self) -> int:
        return len(self.rows)

    def value(self, cell: Cell) -> Any:
        if 1 <= cell.row <= len(self.rows):
            row = self.rows[cell.row - 1]
            if 1 <= cell.col <= len(row):
                value = row[cell.col - 1]
                return None if value == "" else value
        return None

    def find(self, texts: Iterable[str], col: int | None, rows: range, near: int) -> Cell | None:
        """The cell holding one of ``texts`` within ``rows`` (and ``col``), nearest to ``near``."""
        hits = [
            cell
            for text in texts
            for cell in self.labels.get(normalise_label(text), ())
            if cell.row in rows and (col is None or cell.col == col)
        ]
        return min(hits, key=lambda c: (abs(c.row - near), c.col), default=None)


# -- reading one form ------------------------------------------------------------------------


@dataclass
class FormReader:
    grid: Grid
    file: str
    sheet: str
    top: int  # title row
    end: int  # last row of this form's segment
    profile: Profile
    findings: list[Finding] = field(default_factory=list)
    stamped: bool = False  # written by xltools: labels sit exactly where the layout says

    def report(self, rule: str, message: str, cell: Cell | None = None, **kw: Any) -> None:
        ref = cell.ref if cell else None
        self.findings.append(finding(rule, message, self.file, sheet=self.sheet, cell=ref, **kw))

    @property
    def rows(self) -> range:
        return range(self.top, self.end + 1)

    def layout(self, kind: str) -> tuple[Layout, int | None]:
        """The layout by the identity stamp, else by the labels present."""
        for value in self.grid.rows[self.top - 1]:
            if isinstance(value, str) and (m := _STAMP.match(value)):
                layout = LAYOUTS.get((m.group(1), m.group(2)))
                if layout is not None and layout.kind == kind:
                    self.stamped = True
                    return layout, int(m.group(3)) if m.group(3) else None
        if kind == SELF_EVALUATION:
            return LAYOUTS[(SELF_EVALUATION, "2022")], None
        has_nature = self.grid.find(["项目性质"], None, self.rows, self.top) is not None
        return LAYOUTS[(DECLARATION, "2025" if has_nature else "2022")], None

    def read(self, kind: str) -> Record:
        layout, stamped_year = self.layout(kind)
        record: Record = Declaration() if kind == DECLARATION else SelfEvaluation()
        record.source = Source(self.file, self.sheet, self.top)
        record.year = year_of(self.grid.value(Cell(self.top + 1, 1))) or stamped_year
        record.money_unit = self._money_unit(layout)
        table = self._table(layout, record)
        for fld in layout.all_fields():
            self._field(layout, fld, record, table)
        if self.stamped:  # only our own formula cells can lack a cached value (R05)
            self._computed(layout, record)
        return record

    def _money_unit(self, layout: Layout) -> str:
        ref, _ = layout.statics[0]
        near = self.top + Span.parse(ref).first.row - 1
        # "项目资金（元）" or a bare "项目资金": whichever is nearest to where the layout puts
        # it, so that an indicator or goal text reading "项目资金" cannot hide the unit.
        units = [t for t in self.grid.labels if t.startswith("项目资金(")]
        cell = self.grid.find(["项目资金", *units], None, self.rows, near)
        text = str(self.grid.value(cell) or "") if cell else ""
        if "万元" in text:
            return "万元"
        if "元" not in text:
            self.report("R07", "项目资金标签中没有注明金额单位（元或万元），按元处理", cell)
        return "元"

    def _field(self, layout: Layout, fld: Field, record: Record, table: _Table) -> None:
        span = fld.label_span
        assert span is not None
        footer = next((f for f in layout.footers if any(fld is x for x in f.fields)), None)
        if footer is not None:
            expected = table.end + footer.offset
            col = span.first.col
        else:
            expected, col = span.first.row + self.top - 1, span.first.col
        if not self.stamped:
            self._foreign_field(layout, fld, record, table, expected, footer is not None)
            return
        label = self.grid.find((fld.label, *fld.aliases), col, self.rows, expected)
        if label is None:
            if fld.required:
                self._missing(fld, record)
            return
        value_cell = fld.value_span.first
        target = Cell(
            label.row + value_cell.row - span.first.row, label.col + value_cell.col - span.first.col
        )
        record.cells[fld.key] = target.ref
        if fld.key.startswith("_"):  # display-only cells (总分 row's 分值): located, not stored
            return
        _assign(
            record,
            fld.key,
            self._convert(fld.type, self.grid.value(target), target, record, fld.label),
        )

    def _foreign_field(
        self,
        layout: Layout,
        fld: Field,
        record: Record,
        table: _Table,
        expected: int,
        in_footer: bool,
    ) -> None:
        """A field of a layout xltools did not write: by its label, wherever it is."""
        texts = (fld.label, *fld.aliases)
        if in_footer:
            rows = range(table.header_row + 1, self.end + 1) if table.header_row else self.rows
            label = self.grid.find(texts, None, rows, expected)
            label = label if label and label.col < table.name_col else None
        else:
            label = self._nth_label(layout, fld, texts, expected)
        if label is None:
            if fld.required and not in_footer:
                self._missing(fld, record)
            return
        target = self._foreign_value(layout, fld, label, table, in_footer)
        if target is None:  # a blank value: findings point where it should have been written
            record.cells[fld.key] = self._blank_cell(fld, label).ref
            return
        record.cells[fld.key] = target.ref
        if not fld.key.startswith("_"):
            value = self._convert(fld.type, self.grid.value(target), target, record, fld.label)
            _assign(
                record, fld.key, foreign.strip_html(value) if fld.type == T.LONG_TEXT else value
            )

    def _missing(self, fld: Field, record: Record) -> None:
        """R03: a required label is nowhere in the form — reported, never guessed."""
        self.report(
            "R03",
            f"找不到“{fld.label}”标签，无法读取该项",
            None,
            expected=fld.label,
            project=record.project_name,
        )

    def _nth_label(self, layout: Layout, fld: Field, texts: tuple, expected: int) -> Cell | None:
        """Fields sharing a label (the two 其他资金) take its occurrences in layout order."""
        twins = [
            f
            for f in layout.fields
            if f.label == fld.label
            and f.label_cell != fld.label_cell
            and not f.key.startswith("funds.total")
        ]
        if not twins or layout.kind == SELF_EVALUATION:
            return self.grid.find(texts, None, self.rows, expected)
        found = {
            c
            for t in texts
            for c in self.grid.labels.get(normalise_label(t), ())
            if c.row in self.rows
        }
        hits = sorted(found, key=lambda c: (c.row, c.col))
        order = sorted([fld, *twins], key=lambda f: Span.parse(f.label_cell).first.col)
        index = order.index(fld)
        return hits[index] if index < len(hits) else None

    def _foreign_value(
        self, layout: Layout, fld: Field, label: Cell, table: _Table, in_footer: bool
    ) -> Cell | None:
        if in_footer:
            col = table.score_col if fld.key != "_total_weight" else table.weight_col
            cell = Cell(label.row, col) if col else None
            return (
                cell
                if cell and not foreign.blank(self.grid.value(cell))
                else foreign.scan_right(self.grid, label)
            )
        if fld.key.startswith("funds.") and layout.kind == SELF_EVALUATION:
            return self._grid_value(layout, fld, label)
        value_span, label_span = fld.value_span, fld.label_span
        assert label_span is not None
        if value_span.first.row > label_span.last.row:
            return foreign.scan_down(self.grid, label)
        return foreign.scan_right(self.grid, label)

    def _blank_cell(self, fld: Field, label: Cell) -> Cell:
        """Right of the label (after its merged extent), or below it for goal texts."""
        value_span, label_span = fld.value_span, fld.label_span
        if label_span is not None and value_span.first.row > label_span.last.row:
            return Cell(label.row + 1, label.col)
        _, end_col = self.grid.merged_to.get((label.row, label.col), (label.row, label.col))
        return Cell(label.row, end_col + 1)

    def _grid_value(self, layout: Layout, fld: Field, label: Cell) -> Cell | None:
        """自评表 funds: the row of the row label, the column of the header above it."""
        headers = layout.grid_columns.get(fld.key.rsplit(".", 1)[1], ())
        header = self.grid.find(headers, None, range(self.top, label.row), label.row)
        return Cell(label.row, header.col) if header else None

    def _convert(self, typ: T, raw: Any, cell: Cell, record: Record, label: str) -> Any:
        if typ == T.GRADE and values.is_number(raw):
            # A formula's cached result of the wrong type: a .xls saved by LibreOffice gives
            # the 评分等级 formula as 0. Missing, not "0" (a false S14, a file left unmerged).
            return None
        if typ in (T.TEXT, T.LONG_TEXT, T.GRADE):
            text = _text(raw)
            if text is not None and len(text) > values.MAX_TEXT:
                self.report(
                    "R22", values.too_long(label, len(text)), cell, project=record.project_name
                )
                return text[: values.MAX_TEXT]
            return text
        if typ == T.DATE:
            return parse_date(raw).value
        parsed = parse_rate(raw, fraction=True) if typ == T.RATE else parse_number(raw)
        problem = (
            f"单元格中是“{values.shown(raw)}”，未按 0 处理"
            if not parsed.ok
            else parsed.value is not None and values.number_problem(parsed.value)
        )
        if problem:
            self.report(
                "R04",
                f"“{label}”应为数字，{problem}",
                cell,
                value=values.plain(raw),
                expected="数字",
                project=record.project_name,
            )
            return None
        if parsed.coerced and typ != T.RATE:
            self.report(
                "R06",
                f"“{label}”以文本形式填写（“{raw}”），已按数字 {_shown(parsed.value)} 读取",
                cell,
                value=values.plain(raw),
                expected=parsed.value,
                project=record.project_name,
            )
        return parsed.value

    def _table(self, layout: Layout, record: Record) -> _Table:
        header_label = layout.columns[0].label
        expected = layout.header_row + self.top - 1
        header = self.grid.find([header_label], None, self.rows, expected)
        if header is None:
            self.report(
                "R03",
                "找不到绩效指标表的表头（“一级指标”所在行）",
                None,
                expected="一级指标",
                project=record.project_name,
            )
            return _Table(self.end)
        cols = self._columns(layout, header.row)
        record.cells["indicators"] = header.ref
        record.cells.update({f"indicators.{k}": col_letter(c) for k, (c, _, _) in cols.items()})
        name_col = cols["name"][0]
        # Footer labels (总分, 评分等级) sit left of the 三级指标 column, never in the table's text.
        footer_rows = [
            c.row
            for f in layout.footers
            for c in self.grid.labels.get(normalise_label(f.label), ())
            if header.row < c.row <= self.end and c.col < name_col
        ]
        end = min(footer_rows, default=self.end + 1) - 1
        positional = not self.stamped and layout.kind == DECLARATION
        previous = Indicator()
        for row in range(header.row + 1, end + 1):
            if positional:
                ind = self._indicator_by_meaning(row, cols, record, previous)
            else:
                ind = self._indicator(row, cols, record)
            if ind is None:
                continue
            _fill_down(ind, previous)
            # The same few 一级/二级 names on every row of every form: one string each.
            ind.level1 = ind.level1 and sys.intern(ind.level1)
            ind.level2 = ind.level2 and sys.intern(ind.level2)
            record.indicators.append(ind)
            previous = ind
        return _Table(
            end, header.row, name_col, cols.get("score", (0,))[0], cols.get("weight", (0,))[0]
        )

    def _indicator_by_meaning(
        self, row: int, cols: dict, record: Record, previous: Indicator
    ) -> Indicator | None:
        width = max(c for c, _, _ in cols.values()) + 2
        values = [(c, self.grid.value(Cell(row, c))) for c in range(1, width + 1)]
        parts = foreign.split_indicator_row(values, previous.level1)
        if not any(parts.get(k) for k in ("level1", "level2", "name", "target")):
            return None
        ind = Indicator(row=row)
        for key in ("level1", "level2", "name", "target"):
            col = parts["cols"].get(key, cols[key][0])
            setattr(ind, key, self._convert(T.TEXT, parts.get(key), Cell(row, col), record, key))
        return ind

    def _columns(self, layout: Layout, header_row: int) -> dict[str, tuple[int, T, str]]:
        out = {}
        for column in layout.columns:
            hit = self.grid.find(
                (column.label, *column.aliases), None, range(header_row, header_row + 1), header_row
            )
            col = hit.col if hit else Cell.parse(f"{column.col}1").col
            out[column.key] = (col, column.type, column.label)
        return out

    def _indicator(
        self, row: int, cols: dict[str, tuple[int, T, str]], record: Record
    ) -> Indicator | None:
        values = self.grid.rows[row - 1] if row <= len(self.grid.rows) else []
        raw = {k: _at(values, c) for k, (c, _, _) in cols.items()}
        if all(foreign.blank(v) for v in raw.values()):
            return None
        ind = Indicator(row=row)
        for key, (col, typ, label) in cols.items():
            setattr(ind, key, self._convert(typ, raw[key], Cell(row, col), record, label))
        return ind

    def _computed(self, layout: Layout, record: Record) -> None:
        """Formula cells without a cached value (R05): fill in our own computation."""
        if not isinstance(record, SelfEvaluation):
            return
        mode, total = self.profile.rounding, record.funds.total
        checks: list[tuple[str, Any, Any]] = []
        if total.execution_rate is None:
            rate = compute.execution_rate(total.adjusted_budget, total.executed, mode)
            checks.append(("funds.total.execution_rate", rate, "execution_rate"))
            total.execution_rate = rate
        if total.score is None:
            score = compute.execution_score(total.execution_rate, total.weight, mode)
            checks.append(("funds.total.score", score, "score"))
            total.score = score
        if record.total_score is None:
            overall = compute.total_score(total.score, [i.score for i in record.indicators])
            checks.append(("total_score", overall, None))
            record.total_score = overall
        if record.grade is None and "grade" in record.cells:
            record.grade = compute.grade(record.total_score, self.profile.grades)
            checks.append(("grade", record.grade, None))
        for key, value, _ in checks:
            if value is not None and key in record.cells:
                self.report(
                    "R05",
                    f"公式单元格没有计算结果（文件未在表格软件中保存过），已按 {_shown(value)} 计算",
                    Cell.parse(record.cells[key]),
                    expected=value,
                    project=record.project_name,
                )


def _shown(value: Any) -> str:
    """A number as a clerk writes it: 29,620,000 and 85.46, never 2.962e+07."""
    return f"{value:,.15g}" if isinstance(value, float) else str(value)


@dataclass
class _Table:
    end: int  # last row of the indicator table
    header_row: int = 0
    name_col: int = 10**6  # footer labels (总分) sit left of this column
    score_col: int = 0
    weight_col: int = 0


def _at(values: list[Any], col: int) -> Any:
    """The value in 1-based column ``col`` of a row (None when blank), like Grid.value."""
    value = values[col - 1] if 1 <= col <= len(values) else None
    return None if value == "" else value


def _fill_down(ind: Indicator, previous: Indicator) -> None:
    """一级/二级 are merged (or left blank) over the rows they cover: carry them down."""
    if ind.level1 is None:
        ind.level1 = previous.level1
        if ind.level2 is None:
            ind.level2 = previous.level2
    elif ind.level2 is None and ind.level1 == previous.level1:
        ind.level2 = previous.level2


def _text(raw: Any) -> str | None:
    if hasattr(raw, "isoformat"):
        return parse_date(raw).value  # type: ignore[return-value]
    return clean_text(raw)


def _assign(record: Record, key: str, value: Any) -> None:
    target: Any = record
    *path, last = key.split(".")
    for part in path:
        target = getattr(target, part)
    setattr(target, last, value)


# -- workbook level ----------------------------------------------------------------------------


def _has_title(rows: list[list[Any]]) -> bool:
    return any(
        isinstance(v, str) and _TITLE.search(normalise_label(v)) for row in rows for v in row[:3]
    )


def _titles(grid: Grid) -> list[tuple[int, str]]:
    out = []
    for text, cells in grid.labels.items():
        if _TITLE.search(text) and len(text) <= 40:
            kind = DECLARATION if "申报" in text else SELF_EVALUATION
            out += [(c.row, kind) for c in cells if c.col <= 3]
    return sorted(out)


def read_workbook(path: str | Path, profile: Profile | None = None) -> ReadResult:
    """Every form in the workbook at ``path`` as records, and what went wrong reading them."""
    path = Path(path)
    profile = profile or load_profile()
    result = ReadResult(str(path))
    try:
        grids = []
        for name, read in _sheets(path, result):
            if isinstance(read, str):
                message = f"工作表“{name}”未读取：{read}"
                result.findings.append(finding("R20", message, str(path), sheet=name))
            elif read is not None and _has_title(read[0]):  # 填表说明, lists: no label index
                grids.append((name, Grid(*read)))
    except Unreadable as exc:
        result.findings.append(finding(exc.rule, str(exc), str(path)))
        return result
    except BaseException as exc:  # a malformed sheet, or a Rust panic (no Exception) in calamine
        if isinstance(exc, KeyboardInterrupt | SystemExit):
            raise
        message = _diagnose_zip(path) or f"文件内容无法读取（{exc}）"
        result.findings.append(finding("R01", message, str(path)))
        return result
    for name, grid in grids:
        titles = _titles(grid)
        for i, (top, kind) in enumerate(titles):
            end = titles[i + 1][0] - 1 if i + 1 < len(titles) else grid.height
            reader = FormReader(grid, str(path), name, top, end, profile)
            result.records.append(reader.read(kind))
            result.findings += reader.findings
    if not result.records and result.readable:  # an R01/R20 already says why
        result.findings.append(
            finding(
                "R02",
                "工作簿中没有找到申报表或自评表（没有“财政项目支出绩效目标申报表”"
                "或“财政项目支出绩效自评表”标题）",
                str(path),
            )
        )
    return result


def discover(inputs: Iterable[str | Path]) -> list[Path]:
    """Files given directly, and the workbook-named entries inside given folders."""
    return paths.discover(inputs)


__all__ = ["READABLE", "ReadResult", "col_letter", "discover", "read_workbook"]
