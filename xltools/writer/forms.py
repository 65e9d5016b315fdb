"""Forms → .xlsx. The only module that imports xlsxwriter.

Everything is drawn from the form declarations in :mod:`xltools.forms`. Traps from
shared/spec/style.md that shape this module:

* user text goes through ``write_string`` only — ``=100%`` is a real target value,
  and ``worksheet.write`` would turn it into a formula;
* every formula is written with its computed value, because xlsxwriter otherwise
  stores 0 and readers that do not recalculate would see 0;
* xlsxwriter reports a bad validation or name by returning -1/-2 and a warning,
  then drops the feature: every return code is checked.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from xltools import compute
from xltools.forms import Cell, Field, Layout, Span, T, col_letter
from xltools.guide import guide_lines
from xltools.model import SELF_EVALUATION, Record
from xltools.profiles import Profile

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


def _ok(code: int | None, what: str, where: object = "") -> None:
    # ``where`` is formatted only on failure: repr() of cells cost a third of drawing time.
    if code not in (0, None):
        raise RuntimeError(f"xlsxwriter rejected {what} {where} (code {code})")


class Styles:
    """Cell formats, made once per workbook and cached by their properties."""

    def __init__(self, book: Workbook) -> None:
        self.book = book
        self._cache: dict[tuple, Any] = {}

    def get(self, **props: Any) -> Any:
        key = tuple(sorted(props.items()))
        if key not in self._cache:
            base = {"font_name": FONT, "font_size": 10, "valign": "vcenter", "text_wrap": True}
            self._cache[key] = self.book.add_format({**base, **props})
        return self._cache[key]

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


class FormDrawer:
    """Draws one form (blank or filled) on a worksheet at a given row."""

    def __init__(self, ws: Worksheet, styles: Styles, layout: Layout, profile: Profile) -> None:
        self.ws, self.st, self.layout, self.profile = ws, styles, layout, profile

    # -- geometry -------------------------------------------------------------
    def draw(self, record: Record, top: int, rows: int, unit: str) -> Placement:
        place = Placement(top, max(rows, len(record.indicators)))
        self._labels_drawn: set[Span] = set()
        self._title(place, record.year)
        self._statics(place, unit)
        values = _flatten(record)
        computed = _computed(record, self.layout, self.profile)
        for fld in self.layout.all_fields():
            self._field(place, fld, values, computed)
        self._table(place, record)
        self._footer_labels(place)
        return place

    def _merge(self, span: Span, fmt: Any) -> None:
        r0, c0, r1, c1 = (
            span.first.row - 1,
            span.first.col - 1,
            span.last.row - 1,
            span.last.col - 1,
        )
        if span.merged:
            _ok(self.ws.merge_range(r0, c0, r1, c1, "", fmt), "merge", span)
        else:
            _ok(self.ws.write_blank(r0, c0, None, fmt), "blank", span)

    def _text(self, span: Span, text: str | None, fmt: Any) -> None:
        self._merge(span, fmt)
        if text:
            cell = span.first
            _ok(self.ws.write_string(cell.row - 1, cell.col - 1, text, fmt), "text", cell)

    def _title(self, place: Placement, year: int | None) -> None:
        last = self.layout.last_col
        top = place.top
        self._text(
            Span.parse(f"A{top}:{last}{top}"),
            self.layout.title,
            self.st.get(bold=True, font_size=16, align="center"),
        )
        year_text = f"（{year}年度）" if year else "（    年度）"
        self._text(
            Span.parse(f"A{top + 1}:{last}{top + 1}"),
            year_text,
            self.st.get(align="center", font_size=11),
        )
        self.ws.set_row(top - 1, 30)
        stamp_col = Cell.parse(f"{last}1").col  # the hidden column right of the form
        year_part = str(year) if year else ""
        _ok(
            self.ws.write_string(
                top - 1,
                stamp_col,
                f"{self.layout.stamp}:{year_part}",
                self.st.get(font_color="#FFFFFF", text_wrap=False),
            ),
            "stamp",
        )

    def _statics(self, place: Placement, unit: str) -> None:
        for ref, text in self.layout.statics:
            span = Span.parse(ref).shift(place.shift())
            self._text(span, text.format(unit=unit), self.st.label())
        # Rows of the header blocks: room for 10-point CJK text, taller where goals are written.
        for row in range(place.top + 2, self.layout.header_row + place.shift() + 1):
            height = self.layout.tall_rows.get(row - place.shift(), 20)
            self.ws.set_row(row - 1, height)

    def _field(self, place: Placement, fld: Field, values: dict, computed: dict) -> None:
        label_span = place.field_cell(self.layout, fld, "label")
        if label_span is not None and label_span not in self._labels_drawn:
            self._labels_drawn.add(label_span)
            align = "left" if fld.key.startswith("funds.") else "center"
            self._text(label_span, fld.label, self.st.label(align=align))
        span = place.field_cell(self.layout, fld)
        assert span is not None
        if fld.formula:
            self._formula(place, fld, span, computed.get(fld.key))
        else:
            value = values.get(fld.key)
            value = fld.default if value is None else value
            self._value(span, fld.type, value, self.st.value(fld.type))

    def _value(self, span: Span, typ: T, value: Any, fmt: Any) -> None:
        if span.merged:
            self._merge(span, fmt)
        self._cell(span.first.row - 1, span.first.col - 1, typ, value, fmt)

    def _cell(self, r: int, c: int, typ: T, value: Any, fmt: Any) -> None:
        """One value by its type: text only through write_string (``=100%`` is a target)."""
        if value is None or value == "":
            _ok(self.ws.write_blank(r, c, None, fmt), "blank")
            return
        if typ == T.DATE and isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            day = dt.datetime.strptime(value, "%Y-%m-%d")
            _ok(self.ws.write_datetime(r, c, day, fmt), "date")
        elif isinstance(value, int | float) and not isinstance(value, bool):
            if not math.isfinite(value):
                raise ValueError(f"不是有限数值：{value}")
            _ok(self.ws.write_number(r, c, value, fmt), "number")
        else:
            _ok(self.ws.write_string(r, c, str(value), fmt), "text")

    def _formula(self, place: Placement, fld: Field, span: Span, value: Any) -> None:
        fmt = self.st.value(fld.type, locked=True, bold=fld.key in ("total_score", "grade"))
        self._merge(span, fmt)
        formula = self.resolve(fld.formula or "", place)
        cached = "" if value is None else value
        _ok(
            self.ws.write_formula(span.first.row - 1, span.first.col - 1, formula, fmt, cached),
            "formula",
            fld.key,
        )

    def resolve(self, formula: str, place: Placement) -> str:
        """Replace ``{key}``, ``{col:key}``, ``{ROUND}`` and ``{GRADE:x}`` by real references."""
        fields = {f.key: f for f in self.layout.all_fields()}

        def sub(m: re.Match[str]) -> str:
            token = m.group(1)
            if token == "ROUND":
                return compute.EXCEL_FUNCTION[self.profile.rounding]
            if token.startswith("GRADE:"):
                return _grade_formula(token[6:], self.profile.grades)
            if token.startswith("col:"):
                col = self.layout.column(token[4:]).col
                return f"{col}{place.table_first(self.layout)}:{col}{place.table_last(self.layout)}"
            span = place.field_cell(self.layout, fields[token])
            assert span is not None
            return span.first.ref

        while _PLACEHOLDER.search(formula):
            formula = _PLACEHOLDER.sub(sub, formula)
        return formula

    # -- indicator table -------------------------------------------------------
    def _table(self, place: Placement, record: Record) -> None:
        layout, shift = self.layout, place.shift()
        header = layout.header_row + shift
        block = Span.parse(f"A{header}:A{place.table_last(layout)}")
        # Unlocked so that a protected sheet still lets users delete indicator rows:
        # Excel refuses to delete a row that holds any locked cell.
        self._text(block, layout.table_block, self.st.label(locked=False))
        for column in layout.columns:
            cell = Span.parse(f"{column.col}{header}")
            self._text(cell, column.label, self.st.label())
        row_fmt = self.st.get(locked=False, text_wrap=False)
        columns = [
            (
                column,
                Cell.parse(f"{column.col}1").col - 1,
                self.st.value(
                    column.type,
                    align="left" if column.key in ("name", "deviation_reason") else "center",
                ),
            )
            for column in layout.columns
        ]
        for i in range(place.rows):
            row0 = place.table_first(layout) + i - 1
            ind = record.indicators[i] if i < len(record.indicators) else None
            self.ws.set_row(row0, self._row_height(ind), row_fmt)
            for column, col0, fmt in columns:
                self._cell(row0, col0, column.type, getattr(ind, column.key) if ind else None, fmt)

    def _row_height(self, ind: Any) -> float:
        """Excel does not grow rows for wrapped text on its own: estimate the lines."""
        if ind is None:
            return 20
        lines = 1
        for column in self.layout.columns:
            text = getattr(ind, column.key)
            if isinstance(text, str):
                width = self.layout.widths[column.col]
                lines = max(lines, math.ceil(_display_width(text) / max(width - 1, 1)))
        return max(20, 14 * lines + 6)

    def _footer_labels(self, place: Placement) -> None:
        for footer in self.layout.footers:
            row = place.footer_row(self.layout, footer.offset)
            last = footer.label_cols.split(":")[1]  # the label itself is drawn by the fields
            used = {Span.parse(f.value_cell).first.col for f in footer.fields}
            for col in range(
                Cell.parse(f"{last}1").col + 1, Cell.parse(f"{self.layout.last_col}1").col + 1
            ):
                if col not in used:
                    self._merge(Span.parse(f"{col_letter(col)}{row}"), self.st.label())
            self.ws.set_row(row - 1, 22)


def _display_width(text: str) -> int:
    """Columns a text needs: CJK characters count two, like Excel's column width unit."""
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def _grade_formula(ref: str, bands: list[tuple[str, float]]) -> str:
    formula = '"差"'
    for name, floor in reversed(bands):
        formula = f'IF({ref}>={floor:g},"{name}",{formula})'
    return formula


def _flatten(record: Record) -> dict[str, Any]:
    """The record's header, funds and goal values under the dotted keys of the layout."""
    out: dict[str, Any] = {}
    for name, value in vars(record).items():
        if name in ("indicators", "source", "cells"):
            continue
        if name == "funds":
            for fname, fvalue in vars(value).items():
                if hasattr(fvalue, "__dataclass_fields__"):
                    out.update({f"funds.{fname}.{k}": v for k, v in vars(fvalue).items()})
                else:
                    out[f"funds.{fname}"] = fvalue
        else:
            out[name] = value
    return out


def _computed(record: Record, layout: Layout, profile: Profile) -> dict[str, Any]:
    """The values the template's formulas will show, computed like the formulas."""
    if record.kind != SELF_EVALUATION:
        return {}
    mode = profile.rounding
    total = record.funds.total
    weight = total.weight if total.weight is not None else 10.0
    fraction = compute.execution_fraction(total.adjusted_budget, total.executed, mode)
    rate = None if fraction is None else compute.tidy(fraction * 100)
    score = compute.execution_score(rate, weight, mode)
    scores = [i.score for i in record.indicators]
    overall = compute.total_score(score, scores)
    weights = sum(i.weight or 0.0 for i in record.indicators)
    return {
        "funds.total.execution_rate": fraction,
        "funds.total.score": score,
        "_total_weight": compute.tidy(weight + weights),
        "total_score": overall,
        "grade": compute.grade(overall, profile.grades),
    }


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
        ws.set_column(0, 0, 100)
        ws.set_paper(9)  # prints on A4 like the form, wrapped instead of cut at the margin
        ws.set_portrait()
        ws.fit_to_pages(1, 0)
        title = self.styles.get(bold=True, font_size=14, text_wrap=False)
        head = self.styles.get(bold=True, font_size=11, text_wrap=False)
        body = self.styles.get(font_size=10, valign="top")
        for i, (kind, text) in enumerate(guide_lines(layout, self.profile)):
            fmt = {"title": title, "head": head}.get(kind, body)
            _ok(ws.write_string(i, 0, text, fmt), "guide")
            if kind == "body":  # rows do not grow for wrapped text by themselves
                ws.set_row(i, 15 * max(1, -(-_display_width(text) // 98)) + 3)
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
            rule = _decimal(0, 100, "分值、得分须为 0 到 100 之间的数字。")
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
                "error_message": "得分须为 0 到本行分值之间的数字。",
            }
        if typ == T.WEIGHT:
            return _decimal(0, 100, "分值须为 0 到 100 之间的数字。")
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


def _colno(letter: str) -> int:
    return Cell.parse(f"{letter}1").col


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
