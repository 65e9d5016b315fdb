"""Formula values that openpyxl drops when it saves a workbook, written back.

openpyxl keeps a formula or its cached value, never both: a workbook it saves holds
``<c r="H6"><f>ROUND(G6/F6,4)</f><v/></c>``, and every reader that does not
recalculate — python-calamine, pandas, xltools check, a preview pane — sees a blank
where the original showed 85.46 %. The values are read from the original with
``data_only=True`` and put into the saved file's ``<v>`` elements, with the cell type
a string, boolean or error needs.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from openpyxl import load_workbook
from openpyxl.workbook.workbook import Workbook

# A formula cell as openpyxl writes it: the formula, then an empty value (``<v />`` from
# its ElementTree writer, ``<v></v>`` from its lxml one).
_FORMULA_CELL = re.compile(
    r'<c r="(?P<ref>[A-Z]{1,3}[0-9]+)"(?P<attrs>[^>]*)>'
    r"(?P<f><f(?:\s[^>]*)?>[^<]*</f>|<f[^>]*/>)(?:<v\s*/>|<v></v>)</c>"
)
_ERRORS = ("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A")


def cached_values(path: Path) -> dict[str, dict[str, Any]]:
    """Per sheet, the cached value of every formula cell (from a formulas-and-values read)."""
    formulas = load_workbook(path, read_only=True)
    values = load_workbook(path, read_only=True, data_only=True)
    out: dict[str, dict[str, Any]] = {}
    try:
        for ws in formulas.worksheets:
            cells = {
                c.coordinate
                for row in ws.iter_rows()
                for c in row
                if getattr(c, "data_type", None) == "f"
            }
            if not cells:
                continue
            cached = values[ws.title]
            out[ws.title] = {
                c.coordinate: c.value
                for row in cached.iter_rows()
                for c in row
                if getattr(c, "coordinate", None) in cells and c.value is not None
            }
    finally:
        formulas.close()
        values.close()
    return out


def _value(value: Any) -> tuple[str, str] | None:
    """(type attribute, text of <v>) for a cached value; None where none can be written."""
    if isinstance(value, bool):
        return ' t="b"', "1" if value else "0"
    if isinstance(value, int | float):
        return "", repr(float(value)) if isinstance(value, float) else str(value)
    if isinstance(value, str):
        return (' t="e"', value) if value in _ERRORS else (' t="str"', escape(value))
    return None  # dates come back as datetimes only from a typed cell, never from a formula


def restore_cached(path: Path, book: Workbook, cached: dict[str, dict[str, Any]]) -> int:
    """Write ``cached`` into the formula cells of the workbook saved at ``path`` from
    ``book``; the number of values written. The file is rewritten in place."""
    parts: dict[str, dict[str, Any]] = {}
    for ws in book.worksheets:
        if cached.get(ws.title):
            parts[ws.path.lstrip("/")] = cached[ws.title]  # set by openpyxl's save
    if not parts:
        return 0
    written = 0

    def fill(values: dict[str, Any]) -> Any:
        def sub(m: re.Match[str]) -> str:
            nonlocal written
            typed = _value(values.get(m["ref"]))
            if typed is None:
                return m[0]
            written += 1
            attrs = re.sub(r'\st="[^"]*"', "", m["attrs"])
            return f'<c r="{m["ref"]}"{attrs}{typed[0]}>{m["f"]}<v>{typed[1]}</v></c>'

        return sub

    tmp = path.with_name(path.name + ".part")
    try:
        with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst:
            for item in src.infolist():
                data = src.read(item.filename)
                if item.filename in parts:
                    text = _FORMULA_CELL.sub(fill(parts[item.filename]), data.decode("utf-8"))
                    data = text.encode("utf-8")
                dst.writestr(item, data)
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
    return written
