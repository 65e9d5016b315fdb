"""Formula results kept through an openpyxl save.

openpyxl keeps a formula or its cached value, never both: a workbook it saves holds
``<c r="H6"><f>ROUND(G6/F6,4)</f><v/></c>``, and every reader that does not recalculate
(python-calamine, pandas, xltools check, a preview pane) sees a blank where the
original showed 85.46 % — re-checking an annotated or fixed copy then gave R05 on every
formula. :func:`formula_results` reads the results the source file had;
:func:`save_keeping_results` saves the workbook and puts a result back into each
formula cell, with the cell type a string, boolean or error needs. Annotated copies
(annotate.py), corrected copies (fix.py) and the demo's returns use it.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from openpyxl import load_workbook
from openpyxl.utils.datetime import to_excel
from openpyxl.workbook.workbook import Workbook

Results = dict[tuple[str, str], Any]  # (sheet title, "H6") → the formula's result

# A formula cell as openpyxl writes it: attributes, a formula (or a shared formula's
# self-closing <f .../>), an empty value — <v/> or <v /> from its own XML writer,
# <v></v> when lxml is installed.
_FORMULA_CELL = re.compile(
    r'<c r="(?P<ref>[A-Z]{1,3}[0-9]+)"(?P<attrs>[^>]*)>'
    r"(?P<f><f(?:\s[^>]*)?>[^<]*</f>|<f[^>]*/>)<v\s*(?:/>|></v>)</c>"
)
_ERRORS = frozenset(("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A"))


def formula_results(source: Path, book: Workbook | None = None) -> Results:
    """The cached result, in ``source``, of every formula cell (of ``book``, when it was
    loaded from ``source`` already: its formula cells need no second parse)."""
    values = load_workbook(source, read_only=True, data_only=True, keep_links=False)
    formulas = book or load_workbook(source, read_only=True, keep_links=False)
    out: Results = {}
    try:
        for ws in formulas.worksheets:
            if ws.title not in values.sheetnames:
                continue
            cells = {
                c.coordinate
                for row in ws.iter_rows()
                for c in row
                if getattr(c, "data_type", None) == "f"
            }
            if not cells:
                continue
            for row in values[ws.title].iter_rows():
                for c in row:
                    ref = getattr(c, "coordinate", None)
                    if ref in cells and c.value is not None:
                        out[(ws.title, ref)] = c.value
    finally:
        values.close()
        if book is None:
            formulas.close()
    return out


def save_keeping_results(book: Workbook, out: Path, results: Results) -> int:
    """``book.save(out)``, with ``results`` written as the formula cells' cached values;
    the number of values written."""
    buffer = io.BytesIO()
    book.save(buffer)
    parts = {ws.path.lstrip("/"): ws.title for ws in book.worksheets}
    written = 0
    with zipfile.ZipFile(buffer) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename in parts:
                xml, count = fill(data.decode("utf-8"), parts[info.filename], results)
                data, written = xml.encode("utf-8"), written + count
            dst.writestr(info, data)
    return written


def fill(xml: str, sheet: str, results: Results) -> tuple[str, int]:
    """A worksheet part with the results of ``sheet`` in its empty formula values."""
    count = 0

    def put(m: re.Match[str]) -> str:
        nonlocal count
        cached = _cached(results.get((sheet, m["ref"])))
        if cached is None:
            return m[0]
        count += 1
        kind, text = cached
        attrs = re.sub(r'\st="[^"]*"', "", m["attrs"])
        typed = f' t="{kind}"' if kind else ""
        return f'<c r="{m["ref"]}"{attrs}{typed}>{m["f"]}<v>{text}</v></c>'

    return _FORMULA_CELL.sub(put, xml), count


def _cached(value: Any) -> tuple[str, str] | None:
    """The cell type and ``<v>`` text of a formula result, or None to leave it blank."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "b", "1" if value else "0"
    if isinstance(value, int | float):
        return "", repr(float(value)) if isinstance(value, float) else str(value)
    if isinstance(value, dt.datetime | dt.date):
        return "", repr(float(to_excel(value)))
    text = str(value)
    return ("e", text) if text in _ERRORS else ("str", escape(text))
