"""Turning results into text and files: JSON, CSV (with a BOM for Excel), terminal lines."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import click

from xltools.files import atomic_path, check_writable
from xltools.model import to_dict
from xltools.reader import ReadResult

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


def records_json(results: Iterable[ReadResult]) -> str:
    records = [to_dict(r) for res in results for r in res.records]
    return json.dumps(records, ensure_ascii=False, indent=2) + "\n"


def _funds_columns(record: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in record["funds"].items():
        if isinstance(value, dict):
            out.update({f"funds.{key}.{k}": v for k, v in value.items()})
        else:
            out[f"funds.{key}"] = value
    return out


def records_csv(results: Iterable[ReadResult]) -> str:
    """One row per indicator, with its project's fields: ready for a pivot table."""
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
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def emit(text: str, output: Path | None, *, force: bool, bom: bool = False) -> None:
    """Print to stdout, or write atomically to ``output`` (a BOM lets Excel open UTF-8 CSV)."""
    if output is None:
        click.echo(text, nl=False)
        return
    check_writable(output, force)
    with atomic_path(output) as tmp:
        tmp.write_text(text, encoding="utf-8-sig" if bom else "utf-8", newline="")
