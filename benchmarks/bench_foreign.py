"""Benchmark of ``xltools check`` on forms in layouts xltools did not write (issue 5).

    python benchmarks/bench_foreign.py                    # 2,000 files in a reused temp folder
    python benchmarks/bench_foreign.py --files 200 --xls 20 --workdir /tmp/bench-foreign
    python benchmarks/bench_foreign.py --profile foreign.prof --pyinstrument

The workbooks are drawn here with xlsxwriter directly, never with xltools' writer, so
they carry no identity stamp and the reader has to find every value by its label:

- ``decl``: a 申报表 (2025 layout) as the seed-002 export shows it, one cell per tab:
  labels with colons (``项目资金总额:``, ``其中: 当年财政拨款``), amounts and dates as
  text (``29,620,000.00``), spacer columns, indicator rows shifted sideways;
- ``decl3``: three of those stacked in one sheet under a document title, as seed 002;
- ``se``: printed 自评表 (seed 004), one per sheet, 1–3 sheets: funds grid with column
  headers, 一级/二级 merged (or repeated, or on a group's first row only), 总分 row;
- ``se_stack``: 2–4 printed 自评表 one under another in one sheet, 执行率 as text;
- with ``--xls N``: N of the workbooks converted to .xls by LibreOffice;
- with ``--layouts regional``: every workbook in a regional layout instead (``reg_decl``,
  ``reg_se``): a 申报表 or 自评表 drawn by ``tests/regional_layouts.py`` with a random set of
  the changes regions make (synonym labels, trailing brackets, line breaks in labels, a
  spacer column, an extra 绩效标准 column, a target split over 指标性质 / 指标值 / 度量单位,
  points in the 一级 headings, another title).

The values come from ``xltools.api.example_records()`` varied as in ``common.py``.
Before any timing, a sample of files is read back with ``xltools.api.read`` and
compared with the records that were drawn; the script stops if one differs. See
benchmarks/README.md, section "Foreign layouts".
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import xlsxwriter
from bench_check import (
    Row,
    calamine_loop,
    machine,
    profile_check,
    pyinstrument_check,
    show_ratios,
    show_stages,
    table,
    timed_check,
)
from common import Corpus, _pools, bases, best_of, generate, load, vary, warm

# The regional layouts are drawn as the metamorphic property of the tests draws them.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
import regional_layouts

from xltools import api, compute
from xltools.files import safe_filename
from xltools.model import DECLARATION, SELF_EVALUATION, Record, content
from xltools.profiles import load_profile
from xltools.reader import read_workbook

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
    return by_kind, _pools(examples)


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
    binary = shutil.which("soffice") or shutil.which("libreoffice")
    if binary is None:
        raise SystemExit("--xls needs LibreOffice (soffice) on PATH")
    out = []
    with tempfile.TemporaryDirectory(prefix="lo-profile-") as profile:
        for start in range(0, len(names), batch):
            chunk = names[start : start + batch]
            cmd = [
                binary,
                f"-env:UserInstallation={Path(profile).as_uri()}",
                "--headless",
                "--norestore",
                "--convert-to",
                "xls",
                "--outdir",
                str(folder),
                *(str(folder / n) for n in chunk),
            ]
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


# -- correctness first ---------------------------------------------------------------------------


def _differences(got: Any, expected: Any, where: str = "") -> list[str]:
    if isinstance(got, dict) and isinstance(expected, dict):
        out = []
        for key in dict.fromkeys([*expected, *got]):
            out += _differences(got.get(key), expected.get(key), f"{where}.{key}")
        return out
    if isinstance(got, list) and isinstance(expected, list):
        if len(got) != len(expected):
            return [f"{where}: {len(got)} items read, {len(expected)} drawn"]
        return [
            d
            for n, (g, e) in enumerate(zip(got, expected, strict=True))
            for d in _differences(g, e, f"{where}[{n}]")
        ]
    return [] if got == expected else [f"{where}: read {got!r}, drawn {expected!r}"]


def sample(foreign: Foreign, size: int) -> list[int]:
    """Indices of the files to verify: evenly spread, every style, every .xls (up to 20)."""
    n = len(foreign.files)
    if size <= 0 or size >= n:
        return list(range(n))
    picked = set(range(0, n, max(1, n // size)))
    names = [p.name for p in foreign.files]
    for style in STYLES:
        picked.update([i for i, name in enumerate(names) if foreign.styles[name] == style][:3])
    picked.update([i for i, name in enumerate(names) if name.endswith(".xls")][:20])
    return sorted(picked)


def _comparable(record: Record) -> dict:
    """What was drawn: the points and extra columns a regional layout adds are not."""
    out = content(record)
    out.pop("declared_points", None)
    for ind in out["indicators"]:
        ind.pop("extras", None)
    return out


def verify(foreign: Foreign, seed: int, size: int, layouts: str = "shanghai") -> int:
    """Read a sample back with ``api.read``: the records drawn, and no finding but R06 notes."""
    problems: list[str] = []
    indices = sample(foreign, size)
    for i in indices:
        path = foreign.files[i]
        wb = plan_one(i, seed, layouts)
        [result] = api.read([path])
        got = [_comparable(r) for r in result.records]
        expected = [_comparable(r) for r in wb.records]
        diffs = _differences(got, expected)
        unexpected = [
            f"{f.rule} {f.sheet}!{f.cell}: {f.message}"
            for f in result.findings
            if f.rule not in EXPECTED_NOTES
        ]
        if diffs or unexpected:
            problems.append(f"{path.name}:\n    " + "\n    ".join([*diffs[:8], *unexpected[:8]]))
    if problems:
        print(f"\nREAD WRONG in {len(problems)} of {len(indices)} files checked:", file=sys.stderr)
        print("\n".join(problems[:10]), file=sys.stderr)
        raise SystemExit("the reader does not return what was drawn: no benchmark of it")
    return len(indices)


# -- measuring -------------------------------------------------------------------------------------

ENGINES = {".xlsx": "openpyxl", ".xls": "xlrd"}  # pandas' own defaults, named explicitly


def pandas_loop(files: list[Path]) -> None:
    import pandas as pd

    # pandas 3 deprecates its .xls reader (xlrd) but still uses it by default.
    warnings.filterwarnings("ignore", message="The xlrd engine is deprecated")
    for path in files:
        pd.read_excel(path, sheet_name=None, header=None, engine=ENGINES[path.suffix.lower()])


def read_loop(files: list[Path]) -> Callable[[], None]:
    profile = load_profile()

    def run() -> None:
        for path in files:
            read_workbook(path, profile)

    return run


def measure(foreign: Foreign, out: Path, repeat: int) -> list[Row]:
    """(a) pandas, (b) calamine floor, (c) ``xltools check`` in its own process."""
    n = len(foreign.files)
    pandas = best_of(repeat, lambda: pandas_loop(foreign.files))
    floor = best_of(repeat, lambda: calamine_loop(foreign.files))
    one, one_mb = timed_check(foreign.folder, out, repeat, jobs=1)
    check, check_mb = timed_check(foreign.folder, out, repeat)  # last: out.json is its report
    return [
        Row("(a) pandas.read_excel, all sheets", pandas, n),
        Row("(b) calamine floor: open + to_python()", floor, n),
        Row("(c) xltools check DIR --format json (process)", check, n, check_mb),
        Row("(c1) the same with -j 1 (one process)", one, n, one_mb),
    ]


@dataclass
class ReadRow:
    name: str
    files: int
    forms: int
    wall: float
    cpu: float


def read_rates(foreign: Foreign, stamped: Corpus | None, repeat: int) -> list[ReadRow]:
    """In-process ``read_workbook`` (what ``api.read`` does per file), overall and by style."""
    groups: dict[str, list[tuple[Path, int]]] = {}
    for path, count in zip(foreign.files, foreign.counts, strict=True):
        key = "xls" if path.suffix == ".xls" else foreign.styles[path.name]
        groups.setdefault(key, []).append((path, count))
    t = best_of(repeat, read_loop(foreign.files))
    rows = [ReadRow("all foreign files", len(foreign.files), foreign.forms, t.wall, t.cpu)]
    for key in [*STYLES, "xls"]:
        if key in groups:
            paths = [p for p, _ in groups[key]]
            t = best_of(repeat, read_loop(paths))
            name = f"  {key}: {STYLE_NAMES.get(key, '.xls copies (LibreOffice)')}"
            forms = sum(c for _, c in groups[key])
            rows.append(ReadRow(name, len(paths), forms, t.wall, t.cpu))
    if stamped is not None:
        t = best_of(repeat, read_loop(stamped.files))
        n = len(stamped.files)
        rows.append(ReadRow("stamped template files (common.generate)", n, n, t.wall, t.cpu))
    return rows


def show_reads(rows: list[ReadRow]) -> None:
    head = f"{'in-process read_workbook':<46}{'files':>6}{'forms':>6}{'CPU s':>8}{'files/s':>9}{'forms/s':>9}"
    print(f"\n{head}")
    for r in rows:
        print(
            f"{r.name:<46}{r.files:>6}{r.forms:>6}{r.cpu:8.2f}"
            f"{r.files / r.cpu:9.1f}{r.forms / r.cpu:9.1f}"
        )


def show_report(foreign: Foreign, out: Path) -> None:
    """What check said about the files: nothing was planted, so the rules it names are listed."""
    data = json.loads(out.read_text("utf-8"))
    summary = data["summary"]
    rules = Counter(f["rule"] for entry in data["files"] for f in entry["findings"])
    print(
        f"check report: {summary['files']} files, {summary['projects']} projects "
        f"({foreign.forms} drawn), {summary['errors']} errors, {summary['warnings']} warnings; "
        f"findings by rule: {dict(sorted(rules.items()))}"
    )


def arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=2000, help="number of workbooks (2000)")
    parser.add_argument(
        "--workdir",
        type=Path,
        default=Path(tempfile.gettempdir()) / "xltools-bench-foreign",
        help="folder for the generated files, reused when it already holds them",
    )
    parser.add_argument("--seed", type=int, default=1, help="generation seed (1)")
    parser.add_argument(
        "--layouts",
        choices=sorted(MIXES),
        default="shanghai",
        help="shanghai: seed 002/004 layouts (default); regional: layouts of other regions",
    )
    parser.add_argument("--jobs", type=int, default=None, help="processes for generation (CPUs)")
    parser.add_argument(
        "--xls", type=int, default=0, help="convert this many of the files to .xls (LibreOffice)"
    )
    parser.add_argument(
        "--verify", type=int, default=100, help="files read back before timing (100; 0 = all)"
    )
    parser.add_argument(
        "--stamped",
        type=int,
        default=300,
        help="stamped template files to compare the read rate with (300; 0 = skip)",
    )
    parser.add_argument("--repeat", type=int, default=1, help="runs per measure, best kept (1)")
    parser.add_argument("--profile", type=Path, help="also cProfile api.check into this file")
    parser.add_argument("--top", type=int, default=25, help="functions shown per profile (25)")
    parser.add_argument(
        "--pyinstrument",
        action="store_true",
        help="also a sampling profile (pip install pyinstrument)",
    )
    return parser.parse_args(argv)


def prepare(args: argparse.Namespace) -> Foreign:
    print(f"xltools foreign-layout benchmark — {machine()}")
    if args.xls:
        try:
            import xlrd  # noqa: F401  (pandas reads .xls with xlrd)
        except ImportError:
            raise SystemExit("--xls: pandas needs xlrd to read .xls (pip install xlrd)") from None
    foreign, _ = generate_foreign(
        args.workdir, args.files, args.seed, args.xls, args.jobs, args.layouts
    )
    styles = Counter(foreign.styles[p.name] for p in foreign.files)
    xls = sum(p.suffix == ".xls" for p in foreign.files)
    shown = ", ".join(f"{styles[s]} {s}" for s in STYLES)
    if foreign.seconds is None:
        made = "reused"
    else:
        made = f"generated in {foreign.seconds:.1f} s"
        if foreign.xls_seconds is not None:
            made += f", of which .xls conversion {foreign.xls_seconds:.1f} s"
    print(
        f"files: {len(foreign.files)} ({shown}; {xls} as .xls), {foreign.forms} forms, "
        f"{foreign.bytes / 2**20:.1f} MB in {foreign.folder}: {made} (not measured)"
    )
    started = time.perf_counter()
    checked = verify(foreign, args.seed, args.verify, args.layouts)
    print(
        f"verified: api.read of {checked} files gives the records drawn "
        f"({time.perf_counter() - started:.1f} s, not measured)"
    )
    size = warm(foreign.files)
    print(f"cache: one throwaway pass read all {size / 2**20:.1f} MB before any timing")
    return foreign


def main(argv: list[str] | None = None) -> int:
    args = arguments(argv)
    foreign = prepare(args)
    stamped = None
    if args.stamped:
        stamped = generate(args.workdir / "stamped", args.stamped, args.seed, args.jobs)
        warm(stamped.files)
        made = "reused" if stamped.seconds is None else f"generated in {stamped.seconds:.1f} s"
        print(f"stamped files for comparison: {len(stamped.files)}: {made} (not measured)")
    out = args.workdir / "out.json"
    print(f"before: {load()}")
    rows = measure(foreign, out, args.repeat)
    table(rows)
    show_stages(foreign, rows[3].timing)  # bench_check helpers only use .folder
    show_reads(read_rates(foreign, stamped, args.repeat))
    print(f"after: {load()}\n")
    show_ratios(rows)
    show_report(foreign, out)
    if args.profile:
        profile_check(foreign, args.profile, args.top)
    if args.pyinstrument:
        pyinstrument_check(foreign)
    return 0


if __name__ == "__main__":
    sys.exit(main())
