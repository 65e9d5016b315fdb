"""Regional layouts drawn from a record: the changes regions make to the forms.

Used by tests/test_regional_properties.py (the metamorphic property of issue 10) and by
the regional-layout files of :mod:`testkit.foreign` (benchmarks/bench_foreign.py). A record is drawn as a plain
foreign workbook (no identity stamp, labels as our template prints them), or with any of
``CHANGES``: synonym labels from xltools/forms/vocabulary.py, trailing brackets with a
period / unit / points / letter, line breaks inside labels, a spacer column, an extra
绩效标准 column, a target split over 指标性质 / 指标值 / 度量单位, points in the 一级
headings, another title, the printed look (borders, merged title and 一级).
"""

from __future__ import annotations

import random
import re
from itertools import groupby
from pathlib import Path
from typing import Any

import xlsxwriter

from xltools.forms import vocabulary
from xltools.model import Record, content

TITLES = {
    "declaration": (
        "财政项目支出绩效目标申报表",
        "项目支出绩效目标申报表",
        "项目支出绩效目标表",
        "项目绩效目标表",
        "{year}年项目支出绩效目标申报表",
    ),
    "self_evaluation": (
        "财政项目支出绩效自评表",
        "项目支出绩效自评表",
        "部门预算项目支出绩效自评表({year}年度)",
    ),
}
CHANGES = (
    "synonyms",
    "brackets",
    "breaks",
    "spacer",
    "extra",
    "split",
    "points",
    "title",
    "printed",  # borders, the title merged over the width, 一级 merged over its rows
)
POINTS = {"产出指标": 50, "效益指标": 30, "满意度指标": 10, "成本指标": 20}
_TARGET = re.compile(r"^(>=|<=|≥|≤|>|<|=)?(\d+(?:\.\d+)?)(\D*)$")


class Labels:
    """The label printed for each field under the chosen changes."""

    def __init__(self, changes: set[str], rng: random.Random, year: int | None) -> None:
        self.changes, self.rng, self.year = changes, rng, year

    def __call__(self, key: str, table: dict[str, tuple[str, ...]], bracket: str = "") -> str:
        words = table[key]
        text = self.rng.choice(words) if "synonyms" in self.changes else words[0]
        if "brackets" in self.changes and bracket:
            text += bracket
        if "breaks" in self.changes and len(text) > 3:
            cut = self.rng.randrange(1, len(text) - 1)
            text = text[:cut] + "\n" + text[cut:]
        return text


def declaration_rows(rec: Any, labels: Labels, changes: set[str]) -> list[list[Any]]:
    f, F = rec.funds, vocabulary.FIELDS
    period = f"（{rec.year}年-{rec.year}年）"
    return [
        [None, labels("project_name", F), rec.project_name]
        + ([labels("project_nature", F), rec.project_nature] if rec.project_nature else [])
        + [labels("project_category", F), rec.project_category],
        [
            None,
            labels("department", F),
            rec.department,
            labels("implementing_unit", F, "（盖章）"),
            rec.implementing_unit,
        ],
        [None, labels("start_date", F), rec.start_date, labels("end_date", F), rec.end_date],
        [f"项目资金（{rec.money_unit}）", labels("funds.project_total", F), f.project_total]
        + [labels("funds.annual_total", F), f.annual_total],
        [None, labels("funds.fiscal_funds", F), f.fiscal_funds]
        + [labels("funds.current_appropriation", F), f.current_appropriation],
        [None, None, None, labels("funds.carryover", F), f.carryover],
        [None, "其他资金", f.other_funds, "其他资金", f.annual_other_funds],
        ["项目绩效目标", labels("overall_goal", F, period), None, labels("annual_goal", F, period)],
        [None, rec.overall_goal, None, rec.annual_goal],
    ]


def self_evaluation_rows(rec: Any, labels: Labels) -> list[list[Any]]:
    F, R, C = vocabulary.FIELDS, vocabulary.FUNDS_ROWS, vocabulary.FUNDS_COLUMNS
    head = [
        labels("initial_budget", C, "(A)"),
        labels("adjusted_budget", C),
        labels("executed", C, "(B)"),
        labels("weight", C, "(10分)"),
        labels("execution_rate", C, "(B/A)"),
        labels("score", C),
    ]
    rows = [
        [None, labels("project_name", F), rec.project_name],
        [
            None,
            labels("department", F),
            rec.department,
            labels("implementing_unit", F, "（盖章）"),
            rec.implementing_unit,
        ],
        [f"项目资金（{rec.money_unit}）", None, *head],
    ]
    for line in ("total", "current_appropriation", "carryover", "other"):
        row = getattr(rec.funds, line)
        values = [row.initial_budget, row.adjusted_budget, row.executed]
        if line == "total":
            rate = None if row.execution_rate is None else round(row.execution_rate / 100, 8)
            values += [row.weight, rate, row.score]
        else:
            values += ["—", None, None]
        rows.append([None, labels(line, R), *values])
    rows += [
        ["年度总体目标", labels("expected_goal", F), None, None, labels("actual_result", F)],
        [None, rec.expected_goal, None, None, rec.actual_result],
    ]
    return rows


def table_rows(rec: Record, labels: Labels, changes: set[str]) -> tuple[list[list[Any]], dict]:
    C = vocabulary.COLUMNS
    keys = ["level1", "level2", "name", "target"]
    if rec.kind == "self_evaluation":
        keys += ["actual", "weight", "score", "deviation_reason"]
    split = "split" in changes and all(
        _TARGET.match(i.target or "") or not re.search(r"\d", i.target or "")
        for i in rec.indicators
    )
    header: list[Any] = ["绩效指标"]
    at: dict[str, int] = {}
    for key in keys:
        at[key] = len(header) + (1 if key == "target" and split else 0)
        if key == "target" and split:
            header += ["指标性质", "指标值", "度量单位"]
        else:
            header.append(labels(key, C))
    if "extra" in changes:
        header.append("绩效标准")
    rows = [header]
    drawn: dict[str, Any] = {"points": {}, "extras": []}
    for ind in rec.indicators:
        row: list[Any] = [None]
        for key in keys:
            value = getattr(ind, key)
            if key == "level1" and "points" in changes and value in POINTS:
                drawn["points"][value] = float(POINTS[value])
                value = f"{value}({POINTS[value]}分)"
            if key == "target" and split:
                m = _TARGET.match(value or "")
                row += [m.group(1), m.group(2), m.group(3)] if m else [None, value, None]
            else:
                row.append(value)
        if "extra" in changes:
            row.append("计划标准")
            drawn["extras"].append({"standard": "计划标准"})
        rows.append(row)
    if rec.kind == "self_evaluation":
        for label, weight, score in (("总分", 100, rec.total_score), ("评分等级", None, rec.grade)):
            if label == "评分等级" and not rec.grade:
                continue
            row = [label] + [None] * (len(header) - 1)
            row[at["weight"]], row[at["score"]] = weight, score
            rows.append(row)
    return rows, drawn


def draw(path: Path, rec: Record, changes: set[str], seed: int) -> dict:
    rng = random.Random(seed)
    labels = Labels(changes, rng, rec.year)
    title = rng.choice(TITLES[rec.kind]) if "title" in changes else TITLES[rec.kind][0]
    rows: list[list[Any]] = [[title.format(year=rec.year)], [f"（{rec.year}年度）"]]
    if rec.kind == "declaration":
        rows += declaration_rows(rec, labels, changes)
    else:
        rows += self_evaluation_rows(rec, labels)
    table_top = len(rows)
    table, drawn = table_rows(rec, labels, changes)
    rows += table
    level1_col = 1
    if "spacer" in changes:
        rows = [[row[0], None, *row[1:]] if row and len(row) > 1 else row for row in rows]
        level1_col = 2
    book = xlsxwriter.Workbook(
        str(path), {"strings_to_numbers": False, "strings_to_formulas": False}
    )
    ws = book.add_worksheet("表")
    printed = "printed" in changes
    cell = (
        book.add_format({"border": 1, "text_wrap": True, "valign": "vcenter"}) if printed else None
    )
    merged: set[tuple[int, int]] = set()
    if printed:
        width = max(len(row) for row in rows)
        bold = book.add_format({"bold": True, "font_size": 16, "align": "center"})
        ws.merge_range(0, 0, 0, width - 1, rows[0][0], bold)
        ws.merge_range(1, 0, 1, width - 1, rows[1][0], book.add_format({"align": "center"}))
        merged |= {(0, 0), (1, 0)}
        # 一级 merged over the rows it covers, as the printed forms show it.
        body = list(range(table_top + 1, table_top + 1 + len(rec.indicators)))
        for _, run in groupby(body, key=lambda r: rows[r][level1_col]):
            first, *rest = list(run)
            if rest and rows[first][level1_col] is not None:
                text = rows[first][level1_col]
                ws.merge_range(first, level1_col, rest[-1], level1_col, text, cell)
                merged.update((r, level1_col) for r in (first, *rest))
        for r, row in enumerate(rows[2:], start=2):
            for c in range(width):
                if (r, c) not in merged and (c >= len(row) or row[c] is None):
                    ws.write_blank(r, c, None, cell)
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is None or (r, c) in merged:
                continue
            if isinstance(value, int | float):
                ws.write_number(r, c, value, cell)
            else:
                ws.write_string(r, c, str(value), cell)
    book.close()
    return drawn


def comparable(record: Record) -> dict:
    """What was drawn of ``record``: the points and extra columns a regional layout adds,
    read back as ``declared_points`` and ``extras``, are left out."""
    out = content(record)
    out.pop("declared_points", None)
    for ind in out["indicators"]:
        ind.pop("extras", None)
    return out
