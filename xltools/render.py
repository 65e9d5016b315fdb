"""Turning results into text and files: JSON, CSV (with a BOM for Excel), terminal lines."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import click

from xltools import columns as columns_module
from xltools.files import atomic_path, check_writable
from xltools.model import to_dict
from xltools.read.workbook import ReadResult

CSV_PROJECT_KEYS = (
    "kind",
    "year",
    "project_name",
    "project_category",
    "project_nature",
    "department",
    "implementing_unit",
    "start_date",
    "end_date",
    "money_unit",
)
CSV_INDICATOR_KEYS = (
    "level1",
    "level2",
    "name",
    "target",
    "actual",
    "weight",
    "score",
    "deviation_reason",
    "row",
)


# Excel and LibreOffice evaluate a CSV field that starts like a formula (=HYPERLINK(…),
# =100%, @A1, +1, -1, and a tab or CR before them): such text gets a leading apostrophe,
# which both show as text (OWASP's advice for CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_field(value: Any) -> Any:
    """A value for a CSV cell: text that would start a formula is neutralised."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return "" if value is None else value


def dumps(data: Any) -> str:
    """Strict JSON (no NaN/Infinity): readers in other languages reject those."""
    return json.dumps(data, ensure_ascii=False, indent=2, allow_nan=False) + "\n"


def records_json(results: Iterable[ReadResult]) -> str:
    return dumps([to_dict(r) for res in results for r in res.records])


def _funds_columns(record: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in record["funds"].items():
        if isinstance(value, dict):
            out.update({f"funds.{key}.{k}": v for k, v in value.items()})
        else:
            out[f"funds.{key}"] = value
    return out


def records_csv(results: Iterable[ReadResult], keys: bool = False) -> str:
    """One row per indicator, with its project's fields: ready for a pivot table.

    Headers in Chinese (:mod:`xltools.columns`), or the JSON keys with ``keys``."""
    rows: list[dict[str, Any]] = []
    for res in results:
        for record in map(to_dict, res.records):
            project = {
                "file": record["source"]["file"],
                "sheet": record["source"]["sheet"],
                **{k: record.get(k) for k in CSV_PROJECT_KEYS},
                **_funds_columns(record),
                "total_score": record.get("total_score"),
                "grade": record.get("grade"),
            }
            for ind in record["indicators"] or [{}]:
                rows.append({**project, **{k: ind.get(k) for k in CSV_INDICATOR_KEYS}})
    columns: list[str] = []
    for row in rows:
        columns += [k for k in row if k not in columns]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    if keys:
        writer.writerow(columns)
        writer.writerows([csv_field(row.get(k)) for k in columns] for row in rows)
    else:
        writer.writerow([columns_module.header(k) for k in columns])
        writer.writerows(
            [csv_field(columns_module.shown_value(k, row.get(k))) for k in columns] for row in rows
        )
    return buffer.getvalue()


def emit(
    text: str, output: Path | None, *, force: bool, bom: bool = False, inputs: Iterable[Path] = ()
) -> None:
    """Print to stdout, or write atomically to ``output`` (a BOM lets Excel open UTF-8 CSV).

    ``output`` may never be one of ``inputs``, even with ``force``.
    """
    if output is None:
        click.echo(text, nl=False)
        return
    check_writable(output, force, tuple(inputs))
    with atomic_path(output) as tmp:
        tmp.write_text(text, encoding="utf-8-sig" if bom else "utf-8", newline="")


# -- check reports ---------------------------------------------------------------------------

FINDING_COLUMNS = (
    ("file", "文件"),
    ("sheet", "工作表"),
    ("cell", "单元格"),
    ("rule", "规则"),
    ("severity", "严重程度"),
    ("project", "项目"),
    ("message", "说明"),
    ("value", "表中值"),
    ("expected", "应为"),
)
SEVERITY_STYLE = {"错误": "bold red", "警告": "yellow", "提示": "cyan"}


UNIT_COLUMNS = (
    ("unit", "实施单位"),
    ("files", "文件"),
    ("projects", "项目"),
    ("errors", "错误"),
    ("warnings", "警告"),
)


def report_json(report: Any, summary_only: bool = False) -> str:
    data = report.to_dict()
    if summary_only:
        data = {"summary": data["summary"]}
    return dumps(data)


def units_csv(report: Any) -> str:
    """``check --summary --format csv``: one row per 实施单位."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([name for _, name in UNIT_COLUMNS])
    for row in report.by_unit():
        writer.writerow([csv_field(row[k]) for k, _ in UNIT_COLUMNS])
    return buffer.getvalue()


def report_csv(report: Any) -> str:
    """Findings as CSV with Chinese headers (written with a BOM so Excel opens it)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([name for _, name in FINDING_COLUMNS])
    for f in report.findings:
        data = f.to_dict()
        writer.writerow([csv_field(data[k]) for k, _ in FINDING_COLUMNS])
    return buffer.getvalue()


def report_table(report: Any, console: Any, summary_only: bool = False) -> None:
    """Findings grouped by file (unless ``summary_only``), then the summary per 实施单位
    and the totals."""
    from rich.markup import escape
    from rich.table import Table

    # User text is shown, never interpreted: "[/x]" in a unit's name once ended the run.
    for fr in report.files:
        if not fr.findings or summary_only:
            continue
        counts = "，".join(f"{s} {fr.count(s)}" for s in ("错误", "警告", "提示") if fr.count(s))
        table = Table(title=f"{escape(fr.file)}（{counts}）", title_justify="left", expand=False)
        for name in ("位置", "规则", "严重程度", "说明"):
            table.add_column(name, overflow="fold")
        for f in fr.findings:
            style = SEVERITY_STYLE.get(f.severity, "")
            table.add_row(
                escape(f.location), f.rule, f"[{style}]{f.severity}[/]", escape(f.message)
            )
        console.print(table)
    summary = Table(title="按实施单位汇总", title_justify="left")
    for key, name in UNIT_COLUMNS:
        summary.add_column(name, justify="left" if key == "unit" else "right")
    for row in report.by_unit():
        summary.add_row(*(escape(str(row[key])) for key, _ in UNIT_COLUMNS))
    console.print(summary)
    console.print(
        f"共检查 {len(report.files)} 个文件：错误 {report.count('错误')} 条，"
        f"警告 {report.count('警告')} 条，提示 {report.count('提示')} 条。"
    )
