"""Forms → .xlsx. The only module that imports xlsxwriter.

Everything is drawn from the form declarations in :mod:`xltools.forms`. Traps from
shared/spec/style.md that shape this module:

* user text goes through ``write_string`` only — ``=100%`` is a real target value,
  and ``worksheet.write`` would turn it into a formula;
* every formula is written with its computed value, because xlsxwriter otherwise
  stores 0 and readers that do not recalculate would see 0;
* xlsxwriter reports a bad validation or name by returning -1/-2 and a warning,
  then drops the feature: every return code is checked.

``xltools merge`` draws thousands of forms, so a layout is compiled once per
workbook and profile (:class:`_Plan`): integer geometry, ready formats and formula
templates. Drawing a form then only adds the row offset and fills in the record.
Each cell is written once: no blank first where a value follows, and a layout's own
text (title, labels) goes into ``merge_range`` with its merge when it cannot be read
as a formula, number or link (:func:`_plain`). The workbook is the same, byte for
byte, as with a blank merge followed by ``write_string``.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from operator import attrgetter
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from xltools import compute
from xltools.forms import Cell, Column, Field, Layout, Span, T, col_letter
from xltools.forms.wording import reword, worded
from xltools.model import SELF_EVALUATION, Record
from xltools.profiles import Profile
from xltools.write import paper
from xltools.write.guide import guide_lines

FONT = "宋体"
LISTS_SHEET = "选项"
GUIDE_SHEET = "填表说明"
NUM_FORMATS = {
    T.MONEY: "#,##0.00",
    T.WEIGHT: "0.00",
    T.SCORE: "0.00",
    T.RATE: "0.00%",
    T.DATE: "yyyy-mm-dd",
}
_PLACEHOLDER = re.compile(r"\{([^{}]+)\}")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# Row references in a compiled formula, until they become str.format fields.
_OPEN, _CLOSE = "\x00", "\x01"
ROW_HEIGHT, TITLE_HEIGHT, FOOTER_HEIGHT = 20, 30, 22
_NONE: dict[str, Any] = {}  # no computed values or row references: never written to


def _ok(code: int | None, what: str, where: object = "") -> None:
    # ``where`` is formatted only on failure: repr() of cells cost a third of drawing time.
    if code not in (0, None):
        raise RuntimeError(f"xlsxwriter rejected {what} {where} (code {code})")


class Styles:
    """Cell formats, made once per workbook and cached by their properties.

    Also holds the layouts compiled for this workbook (see :class:`_Plan`): their
    formats belong to the workbook.
    """

    def __init__(self, book: Workbook) -> None:
        self.book = book
        self._cache: dict[tuple, Any] = {}
        # Same keywords in the same order, as a drawing loop passes them: no sorting.
        self._fast: dict[tuple, Any] = {}
        self._plans: dict[tuple[int, int], _Plan] = {}

    def get(self, **props: Any) -> Any:
        fast = tuple(props.items())
        fmt = self._fast.get(fast)
        if fmt is None:
            key = tuple(sorted(props.items()))
            fmt = self._cache.get(key)
            if fmt is None:
                base = {"font_name": FONT, "font_size": 10, "valign": "vcenter", "text_wrap": True}
                fmt = self._cache[key] = self.book.add_format({**base, **props})
            self._fast[fast] = fmt
        return fmt

    def label(self, **extra: Any) -> Any:
        props = {"border": 1, "align": "center", "bold": True, "bg_color": "#F2F2F2"}
        return self.get(**{**props, **extra})

    def value(self, typ: T, locked: bool = False, **extra: Any) -> Any:
        props: dict[str, Any] = {"border": 1, "locked": locked, **extra}
        if typ in (T.TEXT, T.LONG_TEXT):
            props["num_format"] = "@"  # typed "95%" stays text, not the number 0.95
        if typ in NUM_FORMATS:
            props["num_format"] = NUM_FORMATS[typ]
            props.setdefault("align", "right" if typ != T.DATE else "center")
        else:
            props.setdefault("align", "left" if typ in (T.LONG_TEXT, T.TEXT) else "center")
        if locked:
            props["bg_color"] = "#EAF1DD"  # computed cells: pale green, like a calculated field
        return self.get(**props)


@dataclass
class Placement:
    """Where one form was drawn: its first row and how many indicator rows it has."""

    top: int  # 1-based row of the title
    rows: int

    def shift(self) -> int:
        return self.top - 1

    def table_first(self, layout: Layout) -> int:
        return layout.header_row + 1 + self.shift()

    def table_last(self, layout: Layout) -> int:
        return self.table_first(layout) + self.rows - 1

    def footer_row(self, layout: Layout, offset: int) -> int:
        return self.table_last(layout) + offset

    def last_row(self, layout: Layout) -> int:
        offsets = [f.offset for f in layout.footers] or [0]
        return self.footer_row(layout, max(offsets))

    def field_cell(self, layout: Layout, fld: Field, which: str = "value") -> Span | None:
        span = fld.value_span if which == "value" else fld.label_span
        if span is None:
            return None
        for footer in layout.footers:
            if fld in footer.fields:
                return span.shift(self.footer_row(layout, footer.offset) - 1)
        return span.shift(self.shift())


# -- compiled layouts -----------------------------------------------------------------------
#
# Every operation holds 0-based cells with rows relative to a base row: the form's
# ``top - 1`` above the indicator table, the table's last row (0-based) for footers.
# Operations run in the order the uncompiled drawer ran them, so that shared strings
# and merged ranges come out in the same order.


@dataclass(frozen=True, slots=True)
class _Text:
    """Text of the layout itself (title, label, block name) on a cell or a merged range."""

    r0: int
    c0: int
    r1: int
    c1: int
    text: str
    fmt: Any

    def draw(self, ws: Worksheet, base: int, record: Record, computed: dict, refs: dict) -> None:
        r0 = self.r0 + base
        if self.r1 != self.r0 or self.c1 != self.c0:
            plain = _plain(self.text)  # "" is plain: a blank merge is all there is to draw
            text = self.text if plain else ""
            _ok(ws.merge_range(r0, self.c0, self.r1 + base, self.c1, text, self.fmt), "merge", self)
            if plain:
                return
        elif not self.text:
            _ok(ws.write_blank(r0, self.c0, None, self.fmt), "blank", self)
            return
        _ok(ws.write_string(r0, self.c0, self.text, self.fmt), "text", self)


@dataclass(frozen=True, slots=True)
class _Value:
    """A record's value (or the field's default) on a cell or a merged range."""

    r0: int
    c0: int
    r1: int
    c1: int
    get: Callable[[Record], Any]
    default: object
    date: bool
    fmt: Any

    def draw(self, ws: Worksheet, base: int, record: Record, computed: dict, refs: dict) -> None:
        value = self.get(record)
        if value is None:
            value = self.default
        r0 = self.r0 + base
        if self.r1 != self.r0 or self.c1 != self.c0:
            _ok(ws.merge_range(r0, self.c0, self.r1 + base, self.c1, "", self.fmt), "merge", self)
            if value is None or value == "":
                return  # the merge wrote the blank first cell already
        _cell(ws, r0, self.c0, value, self.fmt, self.date)


@dataclass(frozen=True, slots=True)
class _Formula:
    """A live formula, written with the value it computes (see the module's traps)."""

    r0: int
    c0: int
    r1: int
    c1: int
    template: str  # str.format fields name rows, see _Plan.refs
    key: str
    fmt: Any

    def draw(self, ws: Worksheet, base: int, record: Record, computed: dict, refs: dict) -> None:
        r0 = self.r0 + base
        if self.r1 != self.r0 or self.c1 != self.c0:
            _ok(ws.merge_range(r0, self.c0, self.r1 + base, self.c1, "", self.fmt), "merge", self)
        value = computed.get(self.key)
        cached = "" if value is None else value
        formula = self.template.format_map(refs)
        _ok(ws.write_formula(r0, self.c0, formula, self.fmt, cached), "formula", self.key)


@dataclass(frozen=True, slots=True)
class _Blank:
    """A formatted empty cell (the footers' label area right of their label)."""

    r0: int
    c0: int
    fmt: Any

    def draw(self, ws: Worksheet, base: int, record: Record, computed: dict, refs: dict) -> None:
        _ok(ws.write_blank(self.r0 + base, self.c0, None, self.fmt), "blank", self)


@dataclass(frozen=True, slots=True)
class _Height:
    """A row height (Excel does not size rows for wrapped text by itself)."""

    r0: int
    height: float

    def draw(self, ws: Worksheet, base: int, record: Record, computed: dict, refs: dict) -> None:
        _ok(ws.set_row(self.r0 + base, self.height), "row", self.r0 + base)


_Op = _Text | _Value | _Formula | _Blank | _Height


@dataclass(frozen=True, slots=True)
class _Column:
    """One indicator-table column: where, how formatted, how many columns a line holds."""

    key: str
    c0: int
    fmt: Any
    date: bool
    wrap: float  # display width of one line, for the row height


class _Plan:
    """A layout compiled for one workbook's formats and one profile: see the module doc."""

    def __init__(self, st: Styles, layout: Layout, profile: Profile) -> None:
        self.layout, self.profile = layout, profile  # kept alive: the cache key holds their ids
        self.last0 = _colno(layout.last_col) - 1  # 0-based column of the form's last column
        self.header_row = layout.header_row
        self.title = _Text(
            0, 0, 0, self.last0, layout.title, st.get(bold=True, font_size=16, align="center")
        )
        self.year_fmt = st.get(align="center", font_size=11)
        self.stamp_fmt = st.get(font_color="#FFFFFF", text_wrap=False)
        self.label_fmt = st.label()
        self._years: dict[int | None, tuple[_Text, str]] = {}
        self._statics: dict[str, tuple[_Op, ...]] = {}
        # Rows of the header blocks: room for 10-point CJK text, taller where goals are written.
        self.heights = tuple(
            _Height(row - 1, layout.tall_rows.get(row, ROW_HEIGHT))
            for row in range(3, layout.header_row + 1)
        )
        self.ref_keys: list[tuple[str, bool, int]] = []  # (format field, above the table?, add)
        self.head, self.foot = self._fields(st)
        self.has_formulas = any(isinstance(op, _Formula) for op in (*self.head, *self.foot))
        self.block_fmt = st.label(locked=False)
        self.headers = tuple(
            _Text(*_box(Span.parse(f"{c.col}{layout.header_row}"), -1), c.label, self.label_fmt)
            for c in layout.columns
        )
        self.row_fmt = st.get(locked=False, text_wrap=False)
        self.columns = tuple(self._column(st, c) for c in layout.columns)
        self.footers = self._footers()

    # -- compiling ---------------------------------------------------------------------------
    def _fields(self, st: Styles) -> tuple[tuple[_Op, ...], tuple[_Op, ...]]:
        """Labels, values and formulas of the fields, above the table and in the footers."""
        layout = self.layout
        head: list[_Op] = []
        foot: list[_Op] = []
        drawn: set[tuple[bool, int, int, int, int]] = set()
        for fld in layout.all_fields():
            offset = _footer_offset(layout, fld)
            ops = head if offset is None else foot
            add = -1 if offset is None else offset - 1  # 1-based layout row → relative 0-based
            label = fld.label_span
            if label is not None:
                box = _box(label, add)
                if offset is None and box[2] >= layout.header_row:
                    # Labels are drawn once per place; one above the table never meets a footer's.
                    raise ValueError(f"{fld.key}: a field above the table reaches below its header")
                if (offset is not None, *box) not in drawn:
                    drawn.add((offset is not None, *box))
                    align = "left" if fld.key.startswith("funds.") else "center"
                    ops.append(_Text(*box, fld.label, st.label(align=align)))
            box = _box(fld.value_span, add)
            if fld.formula:
                bold = fld.key in ("total_score", "grade")
                fmt = st.value(fld.type, locked=True, bold=bold)
                ops.append(_Formula(*box, self.template(fld.formula), fld.key, fmt))
            else:
                get = _getter(fld.key)
                date = fld.type == T.DATE
                ops.append(_Value(*box, get, fld.default, date, st.value(fld.type)))
        return tuple(head), tuple(foot)

    def template(self, formula: str) -> str:
        """``resolve`` once per layout: cell rows become str.format fields of :meth:`refs`."""
        layout, profile = self.layout, self.profile
        fields = {f.key: f for f in layout.all_fields()}

        def row(name: str, head: bool, add: int) -> str:
            if (name, head, add) not in self.ref_keys:
                self.ref_keys.append((name, head, add))
            return f"{_OPEN}{name}{_CLOSE}"

        def sub(m: re.Match[str]) -> str:
            token = m.group(1)
            if token == "ROUND":
                return compute.EXCEL_FUNCTION[profile.rounding]
            if token.startswith("GRADE:"):
                return _grade_formula(token[6:], profile.grades)
            if token.startswith("col:"):
                col = layout.column(token[4:]).col
                return f"{col}{_OPEN}first{_CLOSE}:{col}{_OPEN}last{_CLOSE}"
            cell = fields[token].value_span.first
            offset = _footer_offset(layout, fields[token])
            letter = col_letter(cell.col)
            if offset is None:
                return letter + row(f"h{cell.row}", True, cell.row)
            n = cell.row - 1 + offset  # rows below the table's last row
            return letter + row(f"t{n}", False, n)

        while _PLACEHOLDER.search(formula):
            formula = _PLACEHOLDER.sub(sub, formula)
        escaped = formula.replace("{", "{{").replace("}", "}}")
        return escaped.replace(_OPEN, "{").replace(_CLOSE, "}")

    def _column(self, st: Styles, column: Column) -> _Column:
        align = "left" if column.key in ("name", "deviation_reason") else "center"
        return _Column(
            column.key,
            _colno(column.col) - 1,
            st.value(column.type, align=align),
            column.type == T.DATE,
            max(self.layout.widths[column.col] - 1, 1),
        )

    def _footers(self) -> tuple[_Op, ...]:
        """The blank label cells right of each footer's label, and the footer's height."""
        ops: list[_Op] = []
        for footer in self.layout.footers:
            last = footer.label_cols.split(":")[1]  # the label itself is drawn by the fields
            used = {Span.parse(f.value_cell).first.col for f in footer.fields}
            for col in range(_colno(last) + 1, self.last0 + 2):
                if col not in used:
                    ops.append(_Blank(footer.offset, col - 1, self.label_fmt))
            ops.append(_Height(footer.offset, FOOTER_HEIGHT))
        return tuple(ops)

    # -- per form ----------------------------------------------------------------------------
    def year(self, year: int | None) -> tuple[_Text, str]:
        """The 年度 line and the identity stamp, for each year once."""
        if year not in self._years:
            text = f"（{year}年度）" if year else "（    年度）"
            stamp = f"{self.layout.stamp}:{year if year else ''}"
            self._years[year] = (_Text(1, 0, 1, self.last0, text, self.year_fmt), stamp)
        return self._years[year]

    def statics(self, unit: str) -> tuple[_Op, ...]:
        """The block labels, with the money unit written in, for each unit once."""
        if unit not in self._statics:
            self._statics[unit] = tuple(
                _Text(*_box(Span.parse(ref), -1), text.format(unit=unit), self.label_fmt)
                for ref, text in self.layout.statics
            )
        return self._statics[unit]

    def refs(self, shift: int, last: int) -> dict[str, int]:
        """The rows the formula templates name, for a form ``shift`` rows down."""
        out = {"first": self.header_row + 1 + shift, "last": last}
        for name, head, add in self.ref_keys:
            out[name] = (shift if head else last) + add
        return out


def _footer_offset(layout: Layout, fld: Field) -> int | None:
    """The offset of the footer holding ``fld``; None for a field above the table."""
    return next((f.offset for f in layout.footers if fld in f.fields), None)


def _box(span: Span, add: int) -> tuple[int, int, int, int]:
    """A span as 0-based (r0, c0, r1, c1), ``add`` added to its 1-based rows."""
    return (span.first.row + add, span.first.col - 1, span.last.row + add, span.last.col - 1)


def _colno(letter: str) -> int:
    return Cell.parse(f"{letter}1").col


@functools.lru_cache(maxsize=256)
def _plain(text: str) -> bool:
    """Whether ``worksheet.write`` stores ``text`` as a string (or "" as a blank) whatever
    the workbook options.

    Only such layout text is handed to ``merge_range``; anything else is written
    with ``write_string`` after a blank merge, like user text.
    """
    if text.startswith(("=", "{")) or ":" in text:
        return False
    try:
        float(text)
    except ValueError:
        return True
    return False


def _getter(key: str) -> Callable[[Record], Any]:
    """The value at a field's dotted key, None where the record has no such attribute."""
    get = attrgetter(key)

    def value(record: Record) -> Any:
        try:
            return get(record)
        except AttributeError:
            return None

    return value


class FormDrawer:
    """Draws one form (blank or filled) on a worksheet at a given row.

    The layout is compiled on first use and kept with the workbook's styles, so one
    drawer per form costs no more than one drawer reused for many forms.
    """

    def __init__(self, ws: Worksheet, styles: Styles, layout: Layout, profile: Profile) -> None:
        layout = worded(layout, profile.weight_word)  # the region's word for the points
        self.ws, self.st, self.layout, self.profile = ws, styles, layout, profile
        key = (id(layout), id(profile))
        plan = styles._plans.get(key)
        if plan is None:
            plan = styles._plans[key] = _Plan(styles, layout, profile)
        self._plan = plan

    def draw(self, record: Record, top: int, rows: int, unit: str) -> Placement:
        plan, ws = self._plan, self.ws
        indicators = record.indicators
        place = Placement(top, max(rows, len(indicators)))
        shift = top - 1
        last = plan.header_row + shift + place.rows  # the table's last row, 1-based
        plan.title.draw(ws, shift, record, _NONE, _NONE)
        year, stamp = plan.year(record.year)
        year.draw(ws, shift, record, _NONE, _NONE)
        _ok(ws.set_row(shift, TITLE_HEIGHT), "row", shift)
        # The stamp goes in the hidden column right of the form.
        _ok(ws.write_string(shift, plan.last0 + 1, stamp, plan.stamp_fmt), "stamp")
        for op in plan.statics(unit):
            op.draw(ws, shift, record, _NONE, _NONE)
        for op in plan.heights:
            op.draw(ws, shift, record, _NONE, _NONE)
        computed = _computed(record, self.layout, self.profile)
        refs = plan.refs(shift, last) if plan.has_formulas else _NONE
        for op in plan.head:
            op.draw(ws, shift, record, computed, refs)
        for op in plan.foot:
            op.draw(ws, last - 1, record, computed, refs)
        self._table(record, place.rows, shift, last - 1)
        for op in plan.footers:
            op.draw(ws, last - 1, record, computed, refs)
        return place

    def resolve(self, formula: str, place: Placement) -> str:
        """Replace ``{key}``, ``{col:key}``, ``{ROUND}`` and ``{GRADE:x}`` by real references."""
        refs = self._plan.refs(place.shift(), place.table_last(self.layout))
        return self._plan.template(formula).format_map(refs)

    # -- indicator table -------------------------------------------------------
    def _table(self, record: Record, rows: int, shift: int, last0: int) -> None:
        plan, ws, indicators = self._plan, self.ws, record.indicators
        header0 = plan.header_row - 1 + shift
        # Unlocked so that a protected sheet still lets users delete indicator rows:
        # Excel refuses to delete a row that holds any locked cell.
        block = _Text(header0, 0, last0, 0, self.layout.table_block, plan.block_fmt)
        block.draw(ws, 0, record, _NONE, _NONE)
        for op in plan.headers:
            op.draw(ws, shift, record, _NONE, _NONE)
        columns, row_fmt, count = plan.columns, plan.row_fmt, len(indicators)
        for i in range(rows):
            r = header0 + 1 + i
            if i >= count:
                _ok(ws.set_row(r, ROW_HEIGHT, row_fmt), "row", r)
                for column in columns:
                    _ok(ws.write_blank(r, column.c0, None, column.fmt), "blank", r)
                continue
            ind = indicators[i]
            values = [getattr(ind, column.key) for column in columns]
            _ok(ws.set_row(r, _row_height(values, columns), row_fmt), "row", r)
            for column, value in zip(columns, values, strict=True):
                _cell(ws, r, column.c0, value, column.fmt, column.date)


def _row_height(values: list[Any], columns: tuple[_Column, ...]) -> int:
    """Excel does not grow rows for wrapped text on its own: estimate the lines."""
    lines = 1
    for value, column in zip(values, columns, strict=True):
        # A text of n characters is at most 2n wide: short ones fit on one line unmeasured.
        if isinstance(value, str) and 2 * len(value) > column.wrap:
            lines = max(lines, math.ceil(paper.display_width(value) / column.wrap))
    return max(ROW_HEIGHT, 14 * lines + 6)


def _cell(ws: Worksheet, r: int, c: int, value: Any, fmt: Any, date: bool) -> None:
    """One value by its type: text only through write_string (``=100%`` is a target)."""
    if value is None or value == "":
        _ok(ws.write_blank(r, c, None, fmt), "blank")
    elif date and isinstance(value, str) and _DATE.fullmatch(value):
        _ok(ws.write_datetime(r, c, _day(value), fmt), "date")
    elif isinstance(value, int | float) and not isinstance(value, bool):
        if not math.isfinite(value):
            raise ValueError(f"不是有限数值：{value}")
        _ok(ws.write_number(r, c, value, fmt), "number")
    else:
        _ok(ws.write_string(r, c, str(value), fmt), "text")


@functools.lru_cache(maxsize=1024)
def _day(value: str) -> dt.datetime:
    return dt.datetime.strptime(value, "%Y-%m-%d")


def _grade_formula(ref: str, bands: list[tuple[str, float]]) -> str:
    formula = '"差"'
    for name, floor in reversed(bands):
        formula = f'IF({ref}>={floor:g},"{name}",{formula})'
    return formula


def _computed(record: Record, layout: Layout, profile: Profile) -> dict[str, Any]:
    """The values the template's formulas will show, computed like the formulas."""
    if record.kind != SELF_EVALUATION:
        return {}
    total = record.funds.total
    return compute.figures(
        total.adjusted_budget,
        total.executed,
        total.weight,
        [i.score for i in record.indicators],
        [i.weight for i in record.indicators],
        profile.rounding,
        profile.grades,
    )


# -- workbook level -------------------------------------------------------------------------


class FormWorkbook:
    """A workbook holding forms, the hidden 选项 lists sheet and a 填表说明 sheet."""

    def __init__(self, path: Path, profile: Profile) -> None:
        self.book = xlsxwriter.Workbook(
            str(path),
            {
                "strings_to_formulas": False,
                "strings_to_numbers": False,
                "strings_to_urls": False,
                "in_memory": True,
            },  # a form is small; temporary files cost a third of the time
        )
        self.profile = profile
        self.styles = Styles(self.book)
        self.book.set_properties(
            {"title": "财政项目支出绩效表单", "author": "xltools", "comments": "由 xltools 生成"}
        )
        self._lists: dict[str, str] = {}

    def add_form(self, layout: Layout, record: Record, rows: int, unit: str) -> Placement:
        layout = worded(layout, self.profile.weight_word)  # prompts and headers alike
        ws = self.book.add_worksheet(layout.sheet_name)
        drawer = FormDrawer(ws, self.styles, layout, self.profile)
        for col, width in layout.widths.items():
            c = Cell.parse(f"{col}1").col - 1
            ws.set_column(c, c, width)
        stamp_col = Cell.parse(f"{layout.last_col}1").col
        ws.set_column(stamp_col, stamp_col, 12, None, {"hidden": True})
        place = drawer.draw(record, top=1, rows=rows, unit=unit)
        self._validate(ws, layout, place)
        self._page_setup(ws, layout, place)
        ws.protect(
            "",
            {
                "insert_rows": True,
                "delete_rows": True,
                "format_cells": True,
                "format_columns": True,
                "format_rows": True,
                "select_locked_cells": True,
                "select_unlocked_cells": True,
            },
        )
        ws.activate()
        return place

    def add_guide(self, layout: Layout) -> None:
        ws = self.book.add_worksheet(GUIDE_SHEET)
        width = 86  # portrait A4 less the margins, at 100 %: no text cut at the right margin
        ws.set_column(0, 0, width)
        paper.a4(ws, "portrait")
        ws.fit_to_pages(1, 0)  # and should a font be wider, the page shrinks instead
        title = self.styles.get(bold=True, font_size=14, text_wrap=False)
        head = self.styles.get(bold=True, font_size=11, text_wrap=False)
        body = self.styles.get(font_size=10, valign="top")
        for i, (kind, text) in enumerate(guide_lines(layout, self.profile)):
            fmt = {"title": title, "head": head}.get(kind, body)
            _ok(ws.write_string(i, 0, text, fmt), "guide")
            if kind == "body":  # rows do not grow for wrapped text by themselves
                ws.set_row(i, paper.height(paper.lines(text, width)))
        ws.protect("", {"select_locked_cells": True, "select_unlocked_cells": True})

    def close(self) -> None:
        self.book.close()

    # -- validations -----------------------------------------------------------
    def _list(self, name: str, items: tuple[str, ...]) -> str:
        """A named range on the hidden 选项 sheet (lists longer than 255 chars need one)."""
        if name not in self._lists:
            ws = self.book.get_worksheet_by_name(LISTS_SHEET)
            if ws is None:
                ws = self.book.add_worksheet(LISTS_SHEET)
                # Very hidden and protected: the dropdowns depend on these lists staying intact.
                ws.very_hidden()
                ws.protect("")
            col = len(self._lists)
            _ok(ws.write_string(0, col, name), "list header")
            for i, item in enumerate(items, start=1):
                _ok(ws.write_string(i, col, item), "list item")
            letter = col_letter(col + 1)
            _ok(
                self.book.define_name(
                    name, f"='{LISTS_SHEET}'!${letter}$2:${letter}${len(items) + 1}"
                ),
                "name",
                name,
            )
            self._lists[name] = name
        return f"={name}"

    def _validate(self, ws: Worksheet, layout: Layout, place: Placement) -> None:
        for fld in layout.all_fields():
            if fld.formula:
                continue
            span = place.field_cell(layout, fld)
            assert span is not None
            rule = self._rule(fld.type, fld.choices, layout, fld.prompt, fld.label)
            if rule:
                _dv(ws, span.first, span.first, rule)
        first, last = place.table_first(layout), place.table_last(layout)
        framework = self.profile.framework()
        self._list("一级指标", tuple(framework))
        for level1, level2s in framework.items():
            self._list(level1, level2s)
        for column in layout.columns:
            rule = self._table_rule(column.key, column.type, first, layout)
            rule.setdefault("input_title", column.label)
            rule.setdefault("input_message", column.prompt)
            _dv(ws, Cell(first, _colno(column.col)), Cell(last, _colno(column.col)), rule)

    def _rule(self, typ: T, choices: str | None, layout: Layout, prompt: str, title: str) -> dict:
        rule: dict[str, Any]
        if choices:
            name = f"{layout.kind}_{layout.version}_{choices}"
            rule = {
                "validate": "list",
                "source": self._list(name, layout.choices[choices]),
                "error_type": "information",
                "error_message": "该值不在下拉列表中；如确属其他类别，可点“确定”保留。",
            }
        elif typ == T.MONEY:
            rule = _decimal(0, 1e13, "金额须为不小于 0 的数字，不要带单位或文字。")
        elif typ in (T.WEIGHT, T.SCORE):
            rule = _decimal(
                0, 100, reword("分值、得分须为 0 到 100 之间的数字。", self.profile.weight_word)
            )
        elif typ == T.DATE:
            rule = {
                "validate": "date",
                "criteria": "between",
                "minimum": dt.date(2000, 1, 1),
                "maximum": dt.date(2100, 12, 31),
                "error_title": "日期无效",
                "error_message": "请填写日期，例如 2025-01-01。",
            }
        elif prompt:
            rule = {"validate": "any"}
        else:
            return {}
        rule.update({"input_title": title[:32], "input_message": prompt})
        return rule

    def _table_rule(self, key: str, typ: T, first: int, layout: Layout) -> dict:
        level1 = f"${layout.column('level1').col}{first}"
        if key == "level1":
            return {
                "validate": "list",
                "source": "=一级指标",
                "error_title": "一级指标",
                "error_message": "请从下拉列表选择一级指标。",
            }
        if key == "level2":
            return {
                "validate": "list",
                "source": f"=INDIRECT({level1})",
                "error_title": "二级指标",
                "error_message": "请先选择一级指标，再从下拉列表选择其下的二级指标。",
            }
        if key == "score":
            weight = f"{layout.column('weight').col}{first}"
            score = f"{layout.column('score').col}{first}"
            return {
                "validate": "custom",
                "value": f"=AND(ISNUMBER({score}),{score}>=0,{score}<=IF(ISNUMBER({weight}),{weight},100))",
                "error_title": "得分无效",
                "error_message": reword(
                    "得分须为 0 到本行分值之间的数字。", self.profile.weight_word
                ),
            }
        if typ == T.WEIGHT:
            return _decimal(
                0, 100, reword("分值须为 0 到 100 之间的数字。", self.profile.weight_word)
            )
        return {"validate": "any"}

    def _page_setup(self, ws: Worksheet, layout: Layout, place: Placement) -> None:
        ws.set_paper(9)  # A4
        ws.set_portrait()
        ws.fit_to_pages(1, 0)
        ws.center_horizontally()
        ws.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
        ws.repeat_rows(place.top - 1, place.top)
        last_col = Cell.parse(f"{layout.last_col}1").col - 1
        ws.print_area(place.top - 1, 0, place.last_row(layout) - 1, last_col)
        ws.set_footer("&C第 &P 页，共 &N 页")
        ws.hide_gridlines(2)


def _decimal(lo: float, hi: float, message: str) -> dict:
    return {
        "validate": "decimal",
        "criteria": "between",
        "minimum": lo,
        "maximum": hi,
        "error_title": "数值无效",
        "error_message": message,
    }


def _dv(ws: Worksheet, first: Cell, last: Cell, rule: dict) -> None:
    rule = {k: v for k, v in rule.items() if v != ""}
    if rule.get("validate") == "any" and "input_message" not in rule:
        return
    _ok(
        ws.data_validation(first.row - 1, first.col - 1, last.row - 1, last.col - 1, rule),
        "validation",
        first,
    )


def write_workbook(
    path: Path, layout: Layout, record: Record, *, profile: Profile, rows: int = 20
) -> None:
    """Write one form (blank or filled) with its lists and 填表说明 to ``path``."""
    book = FormWorkbook(path, profile)
    book.add_form(layout, record, rows, record.money_unit or "元")
    book.add_guide(layout)
    book.close()
