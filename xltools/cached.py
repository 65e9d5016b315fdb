"""Formula results kept through an openpyxl save.

openpyxl writes every formula cell as ``<f>…</f><v></v>``: the result the file had is
lost, so a reader that does not recalculate (python-calamine, pandas, xltools itself)
sees blanks until the copy is opened and saved in Excel or WPS. :func:`save_keeping_results`
saves the workbook and then puts a result back into each formula cell of the saved
sheets; :func:`formula_results` gives the results the source file had.
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

# A formula cell as openpyxl writes it: attributes without a type, a formula, no result.
_FORMULA_CELL = re.compile(
    r'<c r="(?P<ref>[A-Z]+[0-9]+)"(?P<attrs>[^>]*)>(?P<f><f(?: [^>]*)?>[^<]*</f>)<v\s*(?:/>|></v>)</c>'
)


def formula_results(source: Path, book: Workbook) -> Results:
    """The cached result, in ``source``, of every formula cell of ``book`` (loaded from it)."""
    values = load_workbook(source, data_only=True, keep_links=False)
    out: Results = {}
    for ws in book.worksheets:
        if ws.title not in values.sheetnames:
            continue
        shown = values[ws.title]
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    value = shown[cell.coordinate].value
                    if value is not None:
                        out[(ws.title, cell.coordinate)] = value
    return out


def save_keeping_results(book: Workbook, out: Path, results: Results) -> None:
    """``book.save(out)``, with ``results`` written as the formula cells' cached values."""
    buffer = io.BytesIO()
    book.save(buffer)
    parts = {ws.path.lstrip("/"): ws.title for ws in book.worksheets}
    with zipfile.ZipFile(buffer) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename in parts:
                data = _fill(data.decode("utf-8"), parts[info.filename], results).encode("utf-8")
            dst.writestr(info, data)


def _fill(xml: str, sheet: str, results: Results) -> str:
    def put(m: re.Match[str]) -> str:
        value = results.get((sheet, m.group("ref")))
        cached = _cached(value)
        if cached is None:
            return m.group(0)
        kind, text = cached
        typed = f' t="{kind}"' if kind else ""
        return f'<c r="{m.group("ref")}"{m.group("attrs")}{typed}>{m.group("f")}<v>{text}</v></c>'

    return _FORMULA_CELL.sub(put, xml)


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
    if text.startswith("#") and text.endswith(("!", "?", "A")):  # #DIV/0!, #NAME?, #N/A
        return "e", escape(text)
    return "str", escape(text)
