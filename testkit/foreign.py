"""Foreign layouts: forms drawn with xlsxwriter directly, never with xltools' writer.

They carry no identity stamp, so the reader has to find every value by its label
(issue 5); benchmarks/bench_foreign.py times reading them, tests may read them too.

- ``decl``: a 申报表 (2025 layout) as the seed-002 export shows it, one cell per tab:
  labels with colons (``项目资金总额:``, ``其中: 当年财政拨款``), amounts and dates as
  text (``29,620,000.00``), spacer columns, indicator rows shifted sideways;
- ``decl3``: three of those stacked in one sheet under a document title, as seed 002;
- ``se``: printed 自评表 (seed 004), one per sheet, 1–3 sheets: funds grid with column
  headers, 一级/二级 merged (or repeated, or on a group's first row only), 总分 row;
- ``se_stack``: 2–4 printed 自评表 one under another in one sheet, 执行率 as text;
- ``reg_decl``, ``reg_se`` (``layouts="regional"``): a 申报表 or 自评表 drawn by
  :mod:`testkit.regional` with a random set of the changes regions make.

The values are the example records varied by :func:`testkit.records.vary`. Workbook
``i`` of a seed is always the same (:func:`plan_one`); :func:`generate_foreign` fills a
work folder and reuses it while its manifest matches ``GENERATOR_VERSION``.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import xlsxwriter

from testkit import regional as regional_layouts
from testkit.office import convert_command, find_soffice
from testkit.records import bases, pools, vary
from xltools import compute
from xltools.files import safe_filename
from xltools.model import DECLARATION, SELF_EVALUATION, Record
from xltools.profiles import load_profile

GENERATOR_VERSION = 4  # bump when the drawn files change, so old work folders regenerate
# Share of the workbooks in each style, per ``--layouts``.
MIXES = {
    "shanghai": {"decl": 0.30, "decl3": 0.10, "se": 0.45, "se_stack": 0.15},
    "regional": {"reg_decl": 0.5, "reg_se": 0.5},
}
STYLES = {style: share for mix in MIXES.values() for style, share in mix.items()}
STYLE_NAMES = {
    "decl": "申报表, seed-002 export, 1 form",
    "decl3": "申报表, seed-002 export, 3 stacked",
    "se": "自评表, printed, 1 per sheet",
    "se_stack": "自评表, printed, 2–4 stacked",
    "reg_decl": "申报表, regional layout changes",
    "reg_se": "自评表, regional layout changes",
}
DECLARATION_TITLE = "财政项目支出绩效目标申报表"
SELF_EVALUATION_TITLE = "财政项目支出绩效自评表"
LEVEL1_ORDER = {"成本指标": 0, "产出指标": 1, "效益指标": 2, "满意度指标": 3}
# The only finding a drawn file may give when read: R06, an amount typed as text.
EXPECTED_NOTES = {"R06"}


# -- what each workbook holds ------------------------------------------------------------


@dataclass
class Workbook:
    """One generated file: its style and the records drawn in it, in order."""

    name: str
    style: str
    records: list[Record]
    draw_seed: int  # cosmetic choices (label spellings, shifts) that do not change content


@cache
def _examples() -> tuple[dict[str, list[Record]], dict]:
    examples = bases()
    by_kind: dict[str, list[Record]] = {}
    for record in examples:
        by_kind.setdefault(record.kind, []).append(record)
    return by_kind, pools(examples)


@cache
def _grades() -> tuple[str, list[tuple[str, float]]]:
    profile = load_profile()
    return profile.rounding, profile.grades


def _ordered(record: Record) -> None:
    """Indicators in the printed order: by 一级 (成本, 产出, 效益, 满意度), 二级 runs together."""
    first: dict[tuple, int] = {}
    for i, ind in enumerate(record.indicators):
        first.setdefault((ind.level1, ind.level2), i)
    record.indicators.sort(
        key=lambda ind: (LEVEL1_ORDER.get(ind.level1 or "", 9), first[(ind.level1, ind.level2)])
    )


def _declaration(record: Any, rng: random.Random) -> None:
    _ordered(record)
    funds = record.funds
    if rng.random() < 0.1:  # a region that fills in 万元
        record.money_unit = "万元"
        for key in ("current_appropriation", "carryover", "annual_other_funds"):
            setattr(funds, key, round(getattr(funds, key) / 10_000, 2))
        funds.annual_total = round(
            funds.current_appropriation + funds.carryover + funds.annual_other_funds, 2
        )
        funds.fiscal_funds = round(funds.current_appropriation + funds.carryover, 2)
        funds.other_funds, funds.project_total = funds.annual_other_funds, funds.annual_total
    if rng.random() < 0.35:  # seed 002 leaves the whole-project column blank
        funds.project_total = funds.fiscal_funds = funds.other_funds = None
    if rng.random() < 0.5:
        record.overall_goal = None


def _self_evaluation(record: Any, rng: random.Random) -> None:
    """The figures a printed form shows where our template has formulas."""
    _ordered(record)
    mode, grades = _grades()
    total = record.funds.total
    total.execution_rate = compute.execution_rate(total.adjusted_budget, total.executed, mode)
    total.score = compute.execution_score(total.execution_rate, total.weight, mode)
    record.total_score = compute.total_score(total.score, [i.score for i in record.indicators])
    # Printed seed 004 has no 评分等级 row; some regions add one.
    record.grade = compute.grade(record.total_score, grades) if rng.random() < 0.3 else None


def plan_one(i: int, seed: int, layouts: str = "shanghai") -> Workbook:
    """Workbook ``i``: deterministic for a given seed and mix of layouts."""
    rng = random.Random(seed * 1_000_003 + i)
    by_kind, pools = _examples()
    mix = MIXES[layouts]
    style = rng.choices(list(mix), weights=list(mix.values()))[0]
    if style.startswith("reg"):
        kind, count = (DECLARATION if style == "reg_decl" else SELF_EVALUATION), 1
    elif style.startswith("decl"):
        kind, count = DECLARATION, 1 if style == "decl" else 3
    else:
        kind = SELF_EVALUATION
        count = rng.choices((1, 2, 3), (60, 25, 15))[0] if style == "se" else rng.randint(2, 4)
    records = []
    for k in range(count):
        choices = by_kind[kind]
        record = vary(choices[(i + k) % len(choices)], i * 10 + k, pools, rng)
        (_declaration if kind == DECLARATION else _self_evaluation)(record, rng)
        records.append(record)
    name = f"{i:05d}_{style}_" + safe_filename(records[0].project_name or "", suffix=".xlsx")
    return Workbook(name, style, records, rng.randrange(2**31))


# -- drawing: seed-002 export ------------------------------------------------------------------

Cells = list[list[Any]]  # rows of cell values, column A first; None = empty


def _amount(value: float | None) -> str | None:
    return None if value is None else f"{value:,.2f}"


def _date(iso: str | None, rng: random.Random) -> str | None:
    if not iso:
        return None
    y, m, d = (int(p) for p in iso.split("-"))
    return rng.choice((iso, f"{y}/{m}/{d}", f"{y}年{m}月{d}日", f"{y}.{m:02d}.{d:02d}"))


def _colon(label: str, rng: random.Random) -> str:
    return label + rng.choice((":", "："))


def _indicator_cells(values: list[Any], slots: tuple[int, ...], limit: int, first: bool, rng):
    """One indicator row of the export: the visible cells in order, at shifted columns.

    Seed 002's export of merged cells puts them where it likes: 产出指标 one column right
    of the 一级 column, 质量指标 in it, a 二级 word in column A, a name in column B.
    """
    visible = [(slot, v) for slot, v in zip(slots, values, strict=True) if v is not None]
    placed = visible
    if rng.random() < 0.3:
        col = rng.choice((2, 3) if first else (1, 2, 3))  # column A holds 绩效指标 on row 1
        moved = []
        for _, value in visible:
            moved.append((col, value))
            col += 1 + (rng.random() < 0.4)
        if moved[-1][0] <= limit:
            placed = moved
    row: list[Any] = [None] * max(c for c, _ in placed)
    for col, value in placed:
        row[col - 1] = value
    if first:
        row[0] = "绩效指标"
    return row


def declaration_cells(rec: Any, rng: random.Random) -> Cells:
    """A 2025 申报表 as the seed-002 text export lays it out (wide like its form 1, or narrow)."""
    f = rec.funds
    wide = rng.random() < 0.3
    unit = rng.choice(("项目资金 ({})", "项目资金({})", "项目资金（{}）")).format(rec.money_unit)
    year = rng.choice(("({} 年度)", "（{}年度）", "({}年度)")).format(rec.year)
    d1, d2 = _date(rec.start_date, rng), _date(rec.end_date, rng)
    total, annual = _colon("项目资金总额", rng), _colon("年度资金申请总额", rng)
    fiscal = rng.choice(("其中: 财政资金", "其中：财政资金", "其中:财政资金"))
    approp = rng.choice(("其中: 当年财政拨款", "其中：当年财政拨款", "其中:当年财政拨款"))
    gap = [None] if wide else []
    rows: Cells = [
        [DECLARATION_TITLE],
        [year],
        ["项目名称", rec.project_name, *gap, "项目性质", rec.project_nature]
        + ["项目类别", rec.project_category],
        ["主管部门", rec.department, *gap, "实施单位", rec.implementing_unit],
        ["计划开始日期", d1, *gap, "计划完成日期", d2],
        [unit, total, _amount(f.project_total), annual, *gap, _amount(f.annual_total)],
        [None, fiscal, _amount(f.fiscal_funds), approp, *gap, _amount(f.current_appropriation)],
        [None, None, None, "上年结转资金", *gap, _amount(f.carryover)],
        [None, "其他资金", _amount(f.other_funds), "其他资金", *gap, _amount(f.annual_other_funds)],
        ["项目绩效目标", "项目总目标", None, *gap, "年度总体目标"],
        [None, rec.overall_goal, None, *gap, rec.annual_goal],
        [None, "一级指标", "二级指标", "三级指标", *gap, "年度(/项目)指标值"],
    ]
    slots = (2, 3, 4, 6) if wide else (2, 3, 4, 5)
    previous: tuple = ()
    for n, ind in enumerate(rec.indicators):
        # Merged 一级/二级 export to their first row only.
        l1 = ind.level1 if not previous or previous[0] != ind.level1 else None
        l2 = ind.level2 if (ind.level1, ind.level2) != previous else None
        values = [l1, l2, ind.name, ind.target]
        rows.append(_indicator_cells(values, slots, slots[-1] + 2, n == 0, rng))
        previous = (ind.level1, ind.level2)
    return rows


def draw_declarations(path: Path, records: list[Record], rng: random.Random) -> None:
    """One sheet, no formatting: the forms one under another as the export gives them."""
    rows: Cells = []
    year = records[0].year
    if len(records) > 1:
        rows += [[], [], [f"{records[0].implementing_unit} {year} 年度项目绩效目标汇总表"], []]
    for n, rec in enumerate(records):
        rows += declaration_cells(rec, rng)
        if n + 1 < len(records):
            rows += [[], ["--", "-------", "-----------", "---------", "-----------"], []]
    book = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False})
    name = f"{year}年度项目绩效目标汇总表" if len(records) > 1 else rng.choice(("Sheet1", "申报表"))
    ws = book.add_worksheet(name)
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is not None:
                ws.write_string(r, c, str(value))
    book.close()


# -- drawing: printed 自评表 (seed 004) ----------------------------------------------------------

FORMATS: dict[str, dict[str, Any]] = {
    "title": {"bold": True, "font_size": 16, "align": "center", "valign": "vcenter"},
    "subtitle": {"align": "center", "valign": "vcenter"},
    "label": {"border": 1, "align": "center", "valign": "vcenter", "text_wrap": True},
    "indent": {"border": 1, "align": "left", "valign": "vcenter", "indent": 2},
    "vertical": {"border": 1, "align": "center", "valign": "vcenter", "rotation": 270},
    "text": {"border": 1, "valign": "vcenter", "text_wrap": True},
    "yuan": {"border": 1, "num_format": "#,##0.00", "valign": "vcenter"},
    "general": {"border": 1, "valign": "vcenter"},
    "percent": {"border": 1, "num_format": "0.00%", "valign": "vcenter"},
}
STACK_GAP = 2  # blank rows between two stacked forms
WIDTHS = (7, 10, 13, 22, 11, 14, 7, 9, 20)
FUNDS_ROWS = (
    ("total", "年度资金总额", "label"),
    ("current_appropriation", "其中：当年财政拨款", "indent"),
    ("carryover", "上年结转资金", "indent"),
    ("other", "其他资金", "indent"),
)


class Sheet:
    """A worksheet written at 1-based (row, col), with merged ranges; rows count from ``top``."""

    def __init__(self, ws: Any, fmt: dict[str, Any]) -> None:
        self.ws, self.fmt, self.top = ws, fmt, 1

    def put(self, row: int, col: int, value: Any, style: str = "text", to: tuple = ()) -> None:
        """``value`` at (row, col), merged down/right to ``to`` = (last row, last col)."""
        r0, c0 = row + self.top - 2, col - 1
        fmt = self.fmt[style]
        if to:
            self.ws.merge_range(r0, c0, to[0] + self.top - 2, to[1] - 1, None, fmt)
        if value is None:
            self.ws.write_blank(r0, c0, None, fmt)
        elif isinstance(value, str):
            self.ws.write_string(r0, c0, value, fmt)
        else:
            self.ws.write_number(r0, c0, value, fmt)


def _levels(sheet: Sheet, rows: list[int], inds: list, how: str) -> None:
    """一级 (column B) and 二级 (C): merged over their rows, repeated, or on the first row only."""
    keys = [(i.level1,) for i in inds], [(i.level1, i.level2) for i in inds]
    for col, values in zip((2, 3), keys, strict=True):
        start = 0
        for n in range(1, len(values) + 1):
            if n < len(values) and values[n] == values[start]:
                continue
            text = values[start][-1]
            if how == "merged" and n - 1 > start:
                sheet.put(rows[start], col, text, "label", (rows[n - 1], col))
            else:
                for k in range(start, n):
                    shown = how in ("merged", "repeated") or k == start
                    sheet.put(rows[k], col, text if shown else None, "label")
            start = n


def draw_self_evaluation(sheet: Sheet, rec: Any, rng: random.Random, rate_text: bool) -> int:
    """The printed 自评表 of seed 004 from row ``sheet.top``; returns the rows it takes."""
    year = rng.choice(("({} 年度)", "（{}年度）", "{}年度")).format(rec.year)
    sheet.put(1, 1, SELF_EVALUATION_TITLE, "title", (1, 9))
    sheet.put(2, 1, year, "subtitle", (2, 9))
    sheet.put(3, 1, "项目名称", "label")
    sheet.put(3, 2, rec.project_name, "text", (3, 9))
    sheet.put(4, 1, "主管部门", "label")
    sheet.put(4, 2, rec.department, "text", (4, 4))
    sheet.put(4, 5, "实施单位", "label")
    sheet.put(4, 6, rec.implementing_unit, "text", (4, 9))
    unit = rng.choice(("项目资金\n（元）", "项目资金（元）", "项目资金(元)"))
    sheet.put(5, 1, unit, "label", (9, 1))
    sheet.put(5, 2, None, "label", (5, 3))
    for col, text in enumerate(("年初预算数", "全年预算数", "全年执行数", "分值"), start=4):
        sheet.put(5, col, text, "label")
    sheet.put(5, 8, rng.choice(("执行率", "执行率(%)")), "label")
    sheet.put(5, 9, "得分", "label")
    for row, (key, label, style) in enumerate(FUNDS_ROWS, start=6):
        line = getattr(rec.funds, key)
        sheet.put(row, 2, label, style, (row, 3))
        for col, value in enumerate((line.initial_budget, line.adjusted_budget, line.executed), 4):
            sheet.put(row, col, value, "yuan")
        if key != "total":
            sheet.put(row, 7, "—", "label")
            sheet.put(row, 8, None, "general", (row, 9))
            continue
        sheet.put(row, 7, line.weight, "general")
        rate = line.execution_rate
        if rate_text:
            sheet.put(row, 8, f"{rate:.2f}%", "general")
        else:
            sheet.put(row, 8, round(rate / 100, 6), "percent")
        sheet.put(row, 9, line.score, "general")
    sheet.put(10, 1, "年度总体目标", "label", (11, 1))
    sheet.put(10, 2, rng.choice(("预算目标", "预期目标")), "label", (10, 5))
    sheet.put(10, 6, "实际完成情况", "label", (10, 9))
    sheet.put(11, 2, rec.expected_goal, "text", (11, 5))
    sheet.put(11, 6, rec.actual_result, "text", (11, 9))
    headers = ("一级指标", "二级指标", "三级指标", "年度\n指标值", "实际\n完成值", "分值", "得分")
    for col, text in enumerate((*headers, "偏差原因分析及改进措施"), start=2):
        sheet.put(12, col, text, "label")
    rows = list(range(13, 13 + len(rec.indicators)))
    sheet.put(12, 1, "绩效指标", "vertical", (rows[-1], 1))
    _levels(sheet, rows, rec.indicators, rng.choice(("merged", "merged", "repeated", "first")))
    for row, ind in zip(rows, rec.indicators, strict=True):
        values = (ind.name, ind.target, ind.actual, ind.weight, ind.score, ind.deviation_reason)
        for col, value in enumerate(values, start=4):
            sheet.put(row, col, value, "general" if col in (7, 8) else "text")
    last, first_col = rows[-1] + 1, rng.choice((1, 2))
    sheet.put(last, first_col, "总分" if first_col == 1 else "总  分", "label", (last, 6))
    sheet.put(last, 7, 100, "general")
    sheet.put(last, 8, rec.total_score, "general")
    sheet.put(last, 9, None, "general")
    if rec.grade is not None:
        last += 1
        sheet.put(last, first_col, "评分等级", "label", (last, 6))
        sheet.put(last, 7, rec.grade, "label", (last, 9))
    return last


def draw_self_evaluations(
    path: Path, records: list[Record], rng: random.Random, stacked: bool
) -> None:
    """One form per sheet (项目1, 项目2 …), or all in one sheet two blank rows apart."""
    book = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False})
    fmt = {name: book.add_format(props) for name, props in FORMATS.items()}
    sheet: Sheet | None = None
    for n, rec in enumerate(records):
        if sheet is None or not stacked:
            ws = book.add_worksheet("2022年度自评表" if stacked else f"项目{n + 1}")
            for col, width in enumerate(WIDTHS):
                ws.set_column(col, col, width)
            ws.set_paper(9)
            ws.fit_to_pages(1, 0)
            sheet = Sheet(ws, fmt)
        # Stacked forms print 执行率 as text ("85.47%"), as seed004_stacked does.
        rows = draw_self_evaluation(sheet, rec, rng, rate_text=stacked or rng.random() < 0.3)
        sheet.top += rows + STACK_GAP
    book.close()


def draw(folder: Path, wb: Workbook) -> Path:
    path = folder / wb.name
    rng = random.Random(wb.draw_seed)
    if wb.style.startswith("reg"):
        changes = {c for c in regional_layouts.CHANGES if rng.random() < 0.5} or {"synonyms"}
        regional_layouts.draw(path, wb.records[0], changes, wb.draw_seed)
    elif wb.style.startswith("decl"):
        draw_declarations(path, wb.records, rng)
    else:
        draw_self_evaluations(path, wb.records, rng, stacked=wb.style == "se_stack")
    return path


# -- the work folder -------------------------------------------------------------------------


@dataclass
class Foreign:
    """A folder of foreign-layout workbooks; ``folder`` is what the profilers of bench_check use."""

    folder: Path
    files: list[Path]
    styles: dict[str, str]  # file name → style (.xls copies keep the style they were drawn in)
    counts: list[int]  # forms drawn in each file
    seconds: float | None = None  # generation (+ conversion) time; None when reused
    xls_seconds: float | None = None

    @property
    def bytes(self) -> int:
        return sum(p.stat().st_size for p in self.files)

    @property
    def forms(self) -> int:
        return sum(self.counts)


def _make(job: tuple[int, int, Path, str]) -> tuple[str, str, int]:
    i, seed, folder, layouts = job
    wb = plan_one(i, seed, layouts)
    draw(folder, wb)
    return wb.name, wb.style, len(wb.records)


def to_xls(folder: Path, names: list[str], batch: int = 100) -> list[str]:
    """Convert ``names`` (.xlsx in ``folder``) to .xls with LibreOffice; the .xlsx are removed."""
    binary = find_soffice()
    if binary is None:
        raise SystemExit("--xls needs LibreOffice (soffice) on PATH")
    out = []
    with tempfile.TemporaryDirectory(prefix="lo-profile-") as profile:
        for start in range(0, len(names), batch):
            chunk = names[start : start + batch]
            cmd = convert_command(binary, Path(profile), "xls", folder, [folder / n for n in chunk])
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=1200, check=False)
            for name in chunk:
                xls = folder / (Path(name).stem + ".xls")
                if done.returncode or not xls.exists():
                    raise SystemExit(
                        f"soffice failed on {name} ({done.returncode}):\n{done.stderr}"
                    )
                (folder / name).unlink()
                out.append(xls.name)
    return out


def generate_foreign(
    workdir: Path, n: int, seed: int, xls: int, jobs: int | None, layouts: str = "shanghai"
) -> tuple[Foreign, dict]:
    """``n`` workbooks in ``workdir/forms`` (``xls`` of them as .xls); reused when unchanged."""
    folder, manifest = workdir / "forms", workdir / "manifest.json"
    wanted = {
        "version": GENERATOR_VERSION,
        "seed": seed,
        "files": n,
        "xls": xls,
        "layouts": layouts,
    }
    if manifest.exists():
        saved = json.loads(manifest.read_text("utf-8"))
        files = [folder / name for name in saved.get("names", [])]
        if {k: saved.get(k) for k in wanted} == wanted and all(p.exists() for p in files):
            return Foreign(folder, files, saved["styles"], saved["counts"]), saved
    started = time.perf_counter()
    if folder.exists():
        for old in [*folder.glob("*.xlsx"), *folder.glob("*.xls")]:
            old.unlink()
    folder.mkdir(parents=True, exist_ok=True)
    with ProcessPoolExecutor(max_workers=jobs or os.cpu_count() or 1) as pool:
        jobs_ = [(i, seed, folder, layouts) for i in range(n)]
        made = list(pool.map(_make, jobs_, chunksize=16))
    names = [name for name, _, _ in made]
    styles = {name: style for name, style, _ in made}
    counts = [count for _, _, count in made]
    drawn = time.perf_counter()
    xls_seconds = None
    if xls:
        step = max(1, n // xls)
        chosen = [names[i] for i in range(0, n, step)][:xls]
        converted = dict(zip(chosen, to_xls(folder, chosen), strict=True))
        names = [converted.get(name, name) for name in names]
        styles = {converted.get(name, name): style for name, style in styles.items()}
        xls_seconds = time.perf_counter() - drawn
    saved = {**wanted, "names": names, "styles": styles, "counts": counts}
    manifest.write_text(json.dumps(saved, ensure_ascii=False), "utf-8")
    files = [folder / name for name in names]
    seconds = time.perf_counter() - started
    return Foreign(folder, files, styles, counts, seconds, xls_seconds), saved
