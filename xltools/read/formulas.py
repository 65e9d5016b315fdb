"""Formulas without a cached value (files written by scripts, never saved in Excel).

python-calamine reads cached results only, so such a cell looks blank. When a form has
blank cells where values belong, the .xlsx is opened once more with openpyxl (formulas,
not values) to tell a blank from a formula without a result: a target written as the
formula ``=100%`` or ``=80人`` is read as its text (R15); any other formula without a
result is reported at its cell (R16), never read as blank in silence.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from xltools.forms import Cell

# "=100%", "=80人", "=≥95%", "=12次/年": a literal typed after "=", no reference or function.
_LITERAL = re.compile(r"^=\s*[<>=≥≤]*\s*[\d.,]+\s*[^\d\s()=+\-*/^&:!$,A-Za-z]{0,6}$")
FORMULA_FILES = (".xlsx", ".xlsm")


@dataclass
class Blank:
    """A cell read as blank where a value belongs: where it is and what to set."""

    cell: Cell
    target: Any  # the object holding the value (an Indicator or the record)
    key: str  # attribute (dotted for a record field)
    text: bool  # a text field: a literal formula may be read as its text
    label: str


def has_formulas(path: Path) -> bool:
    """Any formula in the workbook's sheets: a cheap look at the XML before openpyxl."""
    try:
        with zipfile.ZipFile(path) as zf:
            for name in zf.namelist():
                if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                    data = zf.read(name)
                    if b"<f>" in data or b"<f " in data:
                        return True
    # Any damage here (calamine read the cells already) means: no formulas to look for.
    except (OSError, EOFError, RuntimeError, NotImplementedError, ValueError):
        return False
    except (zipfile.BadZipFile, zlib.error):
        return False
    return False


def formulas_at(path: Path, sheet: str, cells: list[Cell]) -> dict[Cell, str]:
    """The formula text of each of ``cells`` that holds one (openpyxl, formulas kept)."""
    if not has_formulas(path):
        return {}
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, data_only=False)
    except Exception:  # calamine read it; openpyxl may still refuse it
        return {}
    try:
        if sheet not in book.sheetnames:
            return {}
        ws = book[sheet]
        out = {}
        for cell in cells:
            value = ws.cell(cell.row, cell.col).value
            if isinstance(value, str) and value.startswith("="):
                out[cell] = value
            elif value is not None and type(value).__name__ == "ArrayFormula":
                out[cell] = str(getattr(value, "text", "") or "")
        return out
    finally:
        book.close()


def is_literal(formula: str) -> bool:
    return bool(_LITERAL.match(formula))
