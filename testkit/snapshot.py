"""A content snapshot of an .xlsx: what a user sees and what Excel enforces, never bytes.

Golden workbooks are compared by content (style.md, after XlsxWriter's own tests):
the zip's bytes change with every save (timestamps, string order), the content does
not. The snapshot is made of plain dicts and lists so that pytest prints a readable
diff: which cell, which validation, which print setting changed.

Read with openpyxl twice: once for formula text, once (``data_only=True``) for the
values cached with the formulas, which is what readers that do not recalculate see.

openpyxl replaces every cell of a merged range but the first by a ``MergedCell`` of
default style, so their formats are left out (xlsxwriter gives them the first cell's).

:func:`to_text` prints a snapshot as stable, pretty-printed JSON, one cell per line where
it fits: the golden files under tests/golden/ are that text, committed beside the tests,
so that a change to a template shows in review as a diff of the cells it changed
(:func:`text_diff`). ``python -m xltools.regenerate`` rewrites them with the workbooks.
"""

from __future__ import annotations

import difflib
import json
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.cell.cell import MergedCell
from openpyxl.utils import get_column_letter, range_boundaries
from openpyxl.worksheet.worksheet import Worksheet

PROTECTION_FLAGS = (
    "sheet", "objects", "scenarios", "formatCells", "formatColumns", "formatRows",
    "insertColumns", "insertRows", "insertHyperlinks", "deleteColumns", "deleteRows",
    "selectLockedCells", "selectUnlockedCells", "sort", "autoFilter", "pivotTables",
)  # fmt: skip
VALIDATION_KEYS = (
    "type", "operator", "formula1", "formula2", "allow_blank", "showInputMessage",
    "showErrorMessage", "promptTitle", "prompt", "errorTitle", "error", "errorStyle",
)  # fmt: skip


def snapshot(path: str | Path) -> dict[str, Any]:
    """The workbook's content as plain data (document timestamps are not part of it)."""
    book = openpyxl.load_workbook(path)
    cached = openpyxl.load_workbook(path, data_only=True)
    return {
        "sheet_order": book.sheetnames,
        "defined_names": {name: dn.attr_text for name, dn in sorted(book.defined_names.items())},
        "sheets": {ws.title: sheet_snapshot(ws, cached[ws.title]) for ws in book.worksheets},
    }


def differences(old: Any, new: Any, path: str = "") -> list[str]:
    """Where two snapshots differ, one line per leaf: ``自评表 › formulas › H6: a → b``."""
    if isinstance(old, dict) and isinstance(new, dict):
        out: list[str] = []
        for key in list(old) + [k for k in new if k not in old]:
            where = f"{path} › {key}" if path else str(key)
            if key not in new:
                out.append(f"{where}: only in the committed file: {old[key]!r}")
            elif key not in old:
                out.append(f"{where}: only in the regenerated file: {new[key]!r}")
            else:
                out += differences(old[key], new[key], where)
        return out
    return [] if old == new else [f"{path}: {old!r} → {new!r}"]


def sheet_snapshot(ws: Worksheet, cached: Worksheet | None = None) -> dict[str, Any]:
    cells = [c for row in ws.iter_rows() for c in row if c.value is not None]
    return {
        "name": ws.title,
        "state": ws.sheet_state,
        "cells": {c.coordinate: _cell(c, cached) for c in cells},
        "unlocked_cells": runs(
            (c.row, c.column)
            for row in ws.iter_rows()
            for c in row
            if not isinstance(c, MergedCell) and not c.protection.locked
        ),
        "unlocked_rows": row_runs(
            r for r, d in ws.row_dimensions.items() if d.customFormat and not d.protection.locked
        ),
        "row_heights": {
            r: d.height for r, d in sorted(ws.row_dimensions.items()) if d.customHeight
        },
        "merged": [str(r) for r in sorted(ws.merged_cells.ranges, key=lambda r: r.bounds[1::-1])],
        "validations": validations(ws),
        "freeze_panes": ws.freeze_panes,
        "print": print_settings(ws),
        "protection": protection(ws),
        "columns": columns(ws),
        "gridlines": ws.sheet_view.showGridLines,
    }


def _cell(cell: Any, cached: Worksheet | None) -> dict[str, Any]:
    """A written cell: its value, or its formula and the value cached with it; format, font."""
    if cell.data_type == "f":
        out = {"formula": cell.value}
        if cached is not None:
            out["cached"] = cached[cell.coordinate].value
    else:
        out = {"value": cell.value}
    return {**out, "format": cell.number_format, "font": _font(cell)}


def _font(cell: Any) -> str:
    return f"{cell.font.name}{' bold' if cell.font.b else ''}"


def validations(ws: Worksheet) -> dict[str, dict[str, Any]]:
    """Each data validation by the cells it covers (a second one on the same cells gets "#2")."""
    out: dict[str, dict[str, Any]] = {}
    for dv in ws.data_validations.dataValidation:
        key = str(dv.sqref)
        while key in out:
            key += "#2"
        out[key] = {k: getattr(dv, k) for k in VALIDATION_KEYS}
    return dict(sorted(out.items()))


def print_settings(ws: Worksheet) -> dict[str, Any]:
    setup = ws.page_setup
    fit = ws.sheet_properties.pageSetUpPr
    margins = ws.page_margins
    return {
        "paper_size": setup.paperSize,
        "orientation": setup.orientation,
        "fit_to_page": bool(fit and fit.fitToPage),
        "fit_to_width": setup.fitToWidth,
        "fit_to_height": setup.fitToHeight,
        "print_area": ws.print_area,
        "print_title_rows": ws.print_title_rows,
        "print_title_cols": ws.print_title_cols,
        "centered": ws.print_options.horizontalCentered,
        "margins": [margins.left, margins.right, margins.top, margins.bottom],
        "footer": ws.oddFooter.center.text,
    }


def protection(ws: Worksheet) -> dict[str, Any]:
    prot = ws.protection
    flags = {name: bool(getattr(prot, name)) for name in PROTECTION_FLAGS}
    return {**flags, "password": bool(prot.password or prot.hashValue)}


def columns(ws: Worksheet) -> dict[str, dict[str, Any]]:
    """Width and hidden flag per column letter (openpyxl groups columns as min..max)."""
    out: dict[str, dict[str, Any]] = {}
    for dim in ws.column_dimensions.values():
        if not (dim.customWidth or dim.hidden) or dim.min is None:
            continue
        for col in range(dim.min, dim.max + 1):
            out[get_column_letter(col)] = {"width": round(dim.width, 2), "hidden": dim.hidden}
    return dict(sorted(out.items(), key=lambda kv: range_boundaries(f"{kv[0]}1")[0]))


def runs(cells: Any) -> list[str]:
    """(row, col) pairs as ranges: runs of columns per row, equal neighbouring rows joined."""
    by_row: dict[int, list[int]] = {}
    for row, col in sorted(cells):
        by_row.setdefault(row, []).append(col)
    spans = {row: _col_runs(cols) for row, cols in by_row.items()}
    out: list[str] = []
    rows = sorted(spans)
    i = 0
    while i < len(rows):
        j = i
        while (
            j + 1 < len(rows)
            and rows[j + 1] == rows[j] + 1
            and spans[rows[j + 1]] == spans[rows[i]]
        ):
            j += 1
        for a, b in spans[rows[i]]:
            out.append(_range(rows[i], a, rows[j], b))
        i = j + 1
    return out


def _col_runs(cols: list[int]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for col in cols:
        if out and out[-1][1] == col - 1:
            out[-1] = (out[-1][0], col)
        else:
            out.append((col, col))
    return out


def _range(r0: int, c0: int, r1: int, c1: int) -> str:
    first = f"{get_column_letter(c0)}{r0}"
    last = f"{get_column_letter(c1)}{r1}"
    return first if first == last else f"{first}:{last}"


def row_runs(rows: Any) -> list[str]:
    """Row numbers as ranges: [13, 14, 15, 20] → ["13:15", "20"]."""
    out = [f"{a}:{b}" if a != b else str(a) for a, b in _col_runs(sorted(rows))]
    return out


# -- as text ------------------------------------------------------------------------------

TEXT_WIDTH = 110  # a dict or list that fits on one line of this width is printed on one line


def to_text(snap: Any) -> str:
    """``snap`` as pretty-printed JSON: keys in the snapshot's own (row-major, sorted) order,
    each small dict or list on one line, ending with a newline. Equal content, equal text."""
    return _dump(snap, 0) + "\n"


def _scalar(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=_default)


def _default(value: Any) -> Any:
    if hasattr(value, "isoformat"):  # dates and times, as openpyxl reads them
        return value.isoformat()
    raise TypeError(f"not in a snapshot: {value!r}")


def _dump(value: Any, indent: int) -> str:
    if isinstance(value, dict):
        items = [f"{_scalar(str(k))}: {_dump(v, indent + 1)}" for k, v in value.items()]
    elif isinstance(value, list | tuple):
        items = [_dump(v, indent + 1) for v in value]
    else:
        return _scalar(value)
    opening, closing = ("{", "}") if isinstance(value, dict) else ("[", "]")
    flat = opening + ", ".join(items) + closing
    if "\n" not in flat and len(flat) + 2 * indent <= TEXT_WIDTH:
        return flat
    pad = "  " * (indent + 1)
    return (
        opening + "\n" + ",\n".join(pad + item for item in items) + "\n" + "  " * indent + closing
    )


def text_diff(committed: str, fresh: str, name: str, limit: int = 60) -> str:
    """A unified diff of two snapshot texts, cut after ``limit`` lines."""
    lines = list(
        difflib.unified_diff(
            committed.splitlines(),
            fresh.splitlines(),
            f"{name} (committed)",
            f"{name} (generated now)",
            n=2,
            lineterm="",
        )
    )
    more = f"\n… and {len(lines) - limit} more lines" if len(lines) > limit else ""
    return "\n".join(lines[:limit]) + more


# -- the golden files -----------------------------------------------------------------------

GOLDEN_DIR = Path("tests") / "golden"


def golden_path(root: Path, workbook: Path) -> Path:
    """Where the golden text of ``root/templates/x.xlsx`` lives: tests/golden/templates/x.xlsx.json."""
    rel = workbook.resolve().relative_to(root.resolve())
    return root / GOLDEN_DIR / rel.parent / f"{rel.name}.json"


def write_goldens(root: Path, workbooks: list[Path]) -> list[Path]:
    """Write the golden text of each workbook (under ``root``); remove goldens of workbooks
    that are gone, so the folder holds exactly one file per committed workbook."""
    written = []
    for workbook in workbooks:
        path = golden_path(root, workbook)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(to_text(snapshot(workbook)), "utf-8")
        written.append(path)
    keep = {p.resolve() for p in written}
    for old in (root / GOLDEN_DIR).rglob("*.xlsx.json"):
        if old.resolve() not in keep:
            old.unlink()
    return written
