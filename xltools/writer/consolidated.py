"""The consolidated workbook of ``xltools merge``.

Sheets: 项目汇总 (one row per project, a 合计 row and subtotals per 实施单位),
指标明细 (one row per indicator, ready for a pivot table), 汇总表 (every form in the
official layout, a page break between forms), 图表 (native charts), 校验结果 and 来源.
Declarations and self-evaluations, and different years, get separate sheets (M02).
Every formula is written with its computed value; user text only with write_string.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell
from xlsxwriter.worksheet import Worksheet

from xltools.compute import tidy
from xltools.forms import Cell, layout_for
from xltools.merge import Entry, MergePlan
from xltools.model import DECLARATION, KIND_NAMES, SELF_EVALUATION
from xltools.profiles import Profile
from xltools.values import MAX_TEXT
from xltools.writer.forms import FONT, FormDrawer, Styles, _display_width, _ok

FORMS_PER_SHEET = 1000  # Excel keeps at most 1,026 manual page breaks per sheet
LEVEL1S = ("产出指标", "效益指标", "满意度指标", "成本指标")
MONEY, RATE, SCORE, COUNT, TEXT = "money", "rate", "score", "count", "text"
FORMATS = {MONEY: "#,##0.00", RATE: "0.00%", SCORE: "0.00", COUNT: "0"}


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
    Col("年度", COUNT, lambda e: e.record.year, 7),
    Col("主管部门", TEXT, lambda e: e.record.department, 24),
    Col("实施单位", TEXT, lambda e: e.record.implementing_unit, 28),
    Col("项目名称", TEXT, lambda e: e.record.project_name, 32),
)
TAIL = (
    *(Col(f"{x}数", COUNT, _count(x), 9, True) for x in LEVEL1S),
    Col("指标数", COUNT, lambda e: len(e.record.indicators), 8, True),
    Col("错误", COUNT, lambda e: e.errors, 6, True),
    Col("警告", COUNT, lambda e: e.warnings, 6, True),
    Col("来源文件", TEXT, lambda e: e.file, 40),
)
DECLARATION_COLS = (
    *HEAD,
    Col("项目类别", TEXT, lambda e: e.record.project_category, 12),
    Col("项目性质", TEXT, lambda e: e.record.project_nature, 16),
    Col("项目资金总额", MONEY, _funds("project_total"), 16, True),
    Col("年度资金申请总额", MONEY, _funds("annual_total"), 16, True),
    Col("当年财政拨款", MONEY, _funds("current_appropriation"), 16, True),
    Col("上年结转资金", MONEY, _funds("carryover"), 14, True),
    Col("其他资金", MONEY, _funds("annual_other_funds"), 14, True),
    *TAIL,
)
SELF_EVALUATION_COLS = (
    *HEAD,
    Col("年初预算数", MONEY, _total("initial_budget"), 16, True),
    Col("全年预算数", MONEY, _total("adjusted_budget"), 16, True),
    Col("全年执行数", MONEY, _total("executed"), 16, True),
    Col("执行率", RATE, lambda e: _fraction(e.record.funds.total.execution_rate), 9),
    Col("执行率得分", SCORE, _total("score"), 9),
    Col("总分", SCORE, lambda e: e.record.total_score, 8),
    Col("评分等级", TEXT, lambda e: e.record.grade, 8),
    *TAIL,
)
INDICATOR_COLS = (
    ("年度", COUNT, 7),
    ("主管部门", TEXT, 22),
    ("实施单位", TEXT, 26),
    ("项目名称", TEXT, 30),
    ("一级指标", TEXT, 12),
    ("二级指标", TEXT, 16),
    ("三级指标", TEXT, 32),
    ("指标值", TEXT, 18),
)
INDICATOR_SELF_COLS = (
    ("实际完成值", TEXT, 18),
    ("分值", SCORE, 8),
    ("得分", SCORE, 8),
    ("偏差原因分析及改进措施", TEXT, 30),
)


def _fraction(percent: float | None) -> float | None:
    return None if percent is None else tidy(percent / 100)


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
                "default_format_properties": {"font_name": FONT, "font_size": 10},
            },
        )
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

    # -- 项目汇总 -----------------------------------------------------------------------------
    def _summary(self, name: str, kind: str, entries: list[Entry]) -> dict:
        ws = self.book.add_worksheet(name)
        cols = DECLARATION_COLS if kind == DECLARATION else SELF_EVALUATION_COLS
        ws.write_string(0, 0, "序号", self.head)
        ws.set_column(0, 0, 6)
        for c, col in enumerate(cols, start=1):
            ws.write_string(0, c, col.header, self.head)
            # The header does not wrap: "满意度指标数" needs 12 units, not the 9 its numbers do.
            ws.set_column(c, c, max(col.width, _display_width(col.header) + 1))
        number, fmts = self.fmt(COUNT), [self.fmt(col.kind) for col in cols]
        for r, entry in enumerate(entries, start=1):
            ws.write_number(r, 0, r, number)
            for c, (col, fmt) in enumerate(zip(cols, fmts, strict=True), start=1):
                value = col.value(entry)
                if value is None or value == "":
                    ws.write_blank(r, c, None, fmt)
                elif col.kind == TEXT:
                    ws.write_string(r, c, str(value), fmt)
                else:
                    ws.write_number(r, c, value, fmt)
        last = len(entries)
        ws.autofilter(0, 0, max(last, 1), len(cols))
        ws.freeze_panes(1, 5)
        total_row = last + 1
        sums = self._totals_row(ws, total_row, cols, entries, last)
        units = self._unit_subtotals(ws, total_row + 2, cols, entries, last)
        ws.set_landscape()
        ws.set_paper(9)
        ws.fit_to_pages(1, 0)
        ws.repeat_rows(0)
        return {"sheet": name, "ws": ws, "cols": cols, "last": last, "sums": sums, "units": units}

    def _col_index(self, cols: tuple[Col, ...], header: str) -> int:
        return next(i for i, c in enumerate(cols, start=1) if c.header == header)

    def _totals_row(self, ws: Worksheet, row: int, cols: tuple, entries: list, last: int) -> dict:
        bold = {"bold": True, "bg_color": "#FFF2CC"}
        ws.write_string(row, 0, "合计", self.fmt(TEXT, **bold))
        for c, col in enumerate(cols, start=1):
            if not col.total:
                ws.write_blank(row, c, None, self.fmt(col.kind, **bold))
                continue
            value = tidy(sum(col.value(e) or 0 for e in entries))
            letter = xl_col_to_name(c)
            ws.write_formula(
                row, c, f"=SUM({letter}2:{letter}{last + 1})", self.fmt(col.kind, **bold), value
            )
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
        self, ws: Worksheet, row: int, cols: tuple, entries: list, last: int
    ) -> list:
        """按实施单位小计: sums over the project rows, so the table above stays filterable."""
        style = {"bg_color": "#F2F2F2"}
        ws.write_string(row, 0, "按实施单位小计", self.st.get(bold=True))
        by_unit: dict[str, list[Entry]] = {}
        for entry in entries:
            by_unit.setdefault(entry.record.implementing_unit or "", []).append(entry)
        c_unit = self._col_index(cols, "实施单位")
        unit_letter = xl_col_to_name(c_unit)
        out = []
        for i, (unit, members) in enumerate(sorted(by_unit.items()), start=1):
            r = row + i
            ws.write_string(r, 0, "小计", self.fmt(TEXT, **style))
            ws.write_string(r, c_unit, unit, self.fmt(TEXT, **style))
            for c, col in enumerate(cols, start=1):
                if c == c_unit:
                    continue
                if not col.total:
                    ws.write_blank(r, c, None, self.fmt(col.kind, **style))
                    continue
                value = tidy(sum(col.value(e) or 0 for e in members))
                letter = xl_col_to_name(c)
                # Not SUMIF: its criterion reads a unit "=上海市*中心" as "equals 上海市<any>中心".
                formula = (
                    f"=SUMPRODUCT(--(${unit_letter}$2:${unit_letter}${last + 1}="
                    f"${unit_letter}{r + 1}),{letter}$2:{letter}${last + 1})"
                )
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
            + (("来源文件", TEXT, 36), ("工作表", TEXT, 10), ("行", COUNT, 6))
        )
        for c, (header, _, width) in enumerate(cols):
            ws.write_string(0, c, header, self.head)
            ws.set_column(c, c, width)
        # No cell formats: the workbook's default is 宋体 10, numbers show as typed (6.59,
        # 10), and a plain table is what a pivot table wants; formats would cost a third.
        texts = [k == TEXT for _, k, _ in cols]
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
                for c, (value, text) in enumerate(zip(values, texts, strict=True)):
                    if value is None or value == "":
                        continue
                    if text:
                        ws.write_string(r, c, str(value))
                    else:
                        ws.write_number(r, c, value)
        ws.autofilter(0, 0, max(r, 1), len(cols) - 1)
        ws.freeze_panes(1, 4)
        ws.set_landscape()
        ws.set_paper(9)
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
        ws.set_h_pagebreaks(breaks)
        ws.set_paper(9)
        ws.set_portrait()
        ws.fit_to_pages(1, 0)
        ws.center_horizontally()
        ws.hide_gridlines(2)
        ws.set_footer("&C第 &P 页")

    # -- 图表 --------------------------------------------------------------------------------
    def _chart_data(self, kind: str, summary: dict, entries: list[Entry], suffix: str) -> None:
        self.charts.append((kind, summary["ws"], {**summary, "suffix": suffix, "entries": entries}))

    def _charts(self) -> None:
        if not self.charts:
            return
        ws = self.book.add_worksheet("图表")
        row = 0
        for kind, _, info in self.charts:
            if kind == SELF_EVALUATION:
                row = self._grade_chart(ws, row, info)
                row = self._rate_chart(ws, row, info)
            else:
                row = self._funds_chart(ws, row, info)

    def _grade_chart(self, ws: Worksheet, row: int, info: dict) -> int:
        sheet, cols, last = info["sheet"], info["cols"], info["last"]
        grade_col = xl_col_to_name(self._col_index(cols, "评分等级"))
        ws.write_string(row, 0, f"评分等级分布{info['suffix']}", self.st.get(bold=True))
        counts = {
            g: sum(e.record.grade == g for e in info["entries"]) for g in ("优", "良", "中", "差")
        }
        for i, (grade, n) in enumerate(counts.items(), start=1):
            ws.write_string(row + i, 0, grade, self.fmt(TEXT))
            ws.write_formula(
                row + i,
                1,
                f"=COUNTIF('{sheet}'!${grade_col}$2:${grade_col}${last + 1},A{row + i + 1})",
                self.fmt(COUNT),
                n,
            )
        chart = self.book.add_chart({"type": "column"})
        chart.add_series(
            {
                "name": "项目数",
                "categories": ["图表", row + 1, 0, row + 4, 0],
                "values": ["图表", row + 1, 1, row + 4, 1],
                "data_labels": {"value": True},
            }
        )
        self._finish_chart(chart, f"评分等级分布{info['suffix']}", "项目数")
        ws.insert_chart(row, 3, chart)
        return row + 18

    def _rate_chart(self, ws: Worksheet, row: int, info: dict) -> int:
        """执行率 per project (per 实施单位 when there are too many projects to read a bar)."""
        sheet, cols, last = info["sheet"], info["cols"], info["last"]
        c_rate = self._col_index(cols, "执行率")
        if last <= 60:
            c_name, first, end, count = self._col_index(cols, "项目名称"), 1, last, last
            title = f"各项目执行率{info['suffix']}"
        else:
            units = info["units"]
            c_name, first, end, count = (
                self._col_index(cols, "实施单位"),
                units[0][1],
                units[-1][1],
                len(units),
            )
            title = f"各实施单位执行率{info['suffix']}"
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
        self._finish_chart(chart, title, "执行率")
        chart.set_size({"width": 720, "height": max(300, 22 * count + 80)})
        ws.insert_chart(row, 3, chart)
        return row + max(18, (22 * count + 80) // 20 + 2)

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
        self._finish_chart(
            chart,
            f"各实施单位年度资金申请总额（{self.plan.money_unit}）{info['suffix']}",
            self.plan.money_unit,
        )
        chart.set_size({"width": 720, "height": max(300, 26 * len(units) + 80)})
        ws.insert_chart(row, 3, chart)
        return row + max(18, (26 * len(units) + 80) // 20 + 2)

    def _finish_chart(self, chart: Any, title: str, axis: str) -> None:
        font = {"name": FONT}
        chart.set_title({"name": title, "name_font": {**font, "size": 12}})
        chart.set_legend({"none": True})
        chart.set_x_axis({"num_font": font})
        chart.set_y_axis({"num_font": font})

    # -- 校验结果 and 来源 -----------------------------------------------------------------------
    def _table(
        self, name: str, headers: tuple, widths: tuple, rows: list[tuple], wrap: int
    ) -> None:
        """A plain list sheet; only column ``wrap`` wraps, and its rows are sized for it."""
        ws = self.book.add_worksheet(name)
        for c, (h, w) in enumerate(zip(headers, widths, strict=True)):
            ws.write_string(0, c, h, self.head)
            ws.set_column(c, c, w)
        plain, wrapped = self.fmt(TEXT, text_wrap=False), self.fmt(TEXT, valign="top")
        for r, values in enumerate(rows, start=1):
            for c, value in enumerate(values):
                if value is None or value == "":
                    continue
                if isinstance(value, int | float) and not isinstance(value, bool):
                    ws.write_number(r, c, value, self.fmt(COUNT))
                else:
                    # A finding quoting a long text can pass Excel's 32,767 characters a cell.
                    text = str(value)[:MAX_TEXT]
                    _ok(ws.write_string(r, c, text, wrapped if c == wrap else plain), "text")
            lines = -(-_display_width(str(values[wrap] or "")) // max(int(widths[wrap]) - 2, 1))
            if lines > 1:
                ws.set_row(r, 14 * lines + 2)
        ws.autofilter(0, 0, max(len(rows), 1), len(headers) - 1)
        ws.freeze_panes(1, 0)
        ws.set_landscape()
        ws.set_paper(9)
        ws.fit_to_pages(1, 0)
        ws.repeat_rows(0)

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
            ("严重程度", "规则", "文件", "位置", "项目", "说明", "表中值", "应为"),
            (9, 7, 36, 14, 26, 70, 14, 14),
            rows,
            wrap=5,
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
            ("文件", "SHA-256", "项目数", "项目", "状态", "原因"),
            (40, 66, 7, 50, 8, 40),
            rows,
            wrap=3,
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
