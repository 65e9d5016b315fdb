"""Reference workbooks from an independent producer: our templates re-saved by LibreOffice.

The golden texts (:mod:`testkit.snapshot`) only say that xltools writes what it wrote
before. The references say that another spreadsheet application reads the same thing
from it: each template (and one filled example of each kind, so that the formulas have
something to compute) was opened by LibreOffice with "recalculate on load", re-saved as
.xlsx and committed under tests/fixtures/reference/. The tests read a reference back
with xltools and compare it by content with what xltools wrote (:func:`compare`), with
or without LibreOffice installed; in CI a fresh re-save is compared the same way.

Refresh the committed references after a template change (needs LibreOffice)::

    python -m testkit.reference            # from the repository root

Content here is what LibreOffice keeps: sheet order and visibility (it writes a very
hidden sheet as hidden), the value of every cell, every formula and its cached result
(recomputed by LibreOffice), merged ranges, the form sheet's protection, each data
validation's cells, type, list or bounds (its "any value" prompts get formula ``0``),
prompt and error texts, each named list's items, print area and title rows, and the
record ``xltools read`` returns with its findings. Not compared: fonts (LibreOffice
substitutes the ones it lacks), row heights, column widths, gridlines, style names.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Any

import openpyxl

ROOT = Path(__file__).resolve().parent.parent
REFERENCE_DIR = ROOT / "tests" / "fixtures" / "reference"
# Workbooks with a committed LibreOffice reference: each template, blank and filled.
SOURCES = {
    "申报表": ("templates/申报表.xlsx", "examples/申报表_信息系统维护经费.xlsx"),
    "自评表": ("templates/自评表.xlsx", "examples/自评表_工作服专项经费.xlsx"),
}
VALIDATION_TEXTS = ("prompt", "promptTitle", "error", "errorTitle")


def sources() -> list[str]:
    return [rel for rels in SOURCES.values() for rel in rels]


def reference_path(rel: str) -> Path:
    """tests/fixtures/reference/申报表.libreoffice.xlsx for templates/申报表.xlsx."""
    return REFERENCE_DIR / f"{Path(rel).stem}.libreoffice.xlsx"


def _number(value: Any) -> Any:
    """Cached results compared as the figures they are: 1 and 1.0, 0.1 + 0.2 and 0.3 agree."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return value
    return round(float(value), 9)


def _bound(formula: str | None) -> str | None:
    """A validation bound as a number where it is one: LibreOffice writes 1e13 as
    ``10000000000000``, xlsxwriter as ``10000000000000.0``."""
    try:
        return repr(float(formula)) if formula is not None else None
    except ValueError:
        return formula


def _validation(dv: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"type": dv.type or "any"}
    # LibreOffice gives an "any value" rule formula 0 and operator between, and a list or
    # custom rule (which has no second formula) formula2 0.
    if dv.type:
        out["formula1"] = _bound(dv.formula1)
    if dv.type and dv.type not in ("list", "custom"):
        out["formula2"], out["operator"] = _bound(dv.formula2), dv.operator or "between"
    out.update({k: getattr(dv, k) or None for k in VALIDATION_TEXTS})
    return out


def _named_lists(book: Any) -> dict[str, list[Any]]:
    out = {}
    for name, defined in sorted(book.defined_names.items()):
        items: list[Any] = []
        for sheet, ref in defined.destinations:
            cells = book[sheet][ref.replace("$", "")]
            rows = cells if isinstance(cells, tuple) else ((cells,),)
            items += [c.value for row in rows for c in (row if isinstance(row, tuple) else (row,))]
        out[name] = items
    return out


def _sheet(ws: Any, cached: Any) -> dict[str, Any]:
    cells = [c for row in ws.iter_rows() for c in row if c.value is not None]
    return {
        "visible": ws.sheet_state == "visible",
        "values": {c.coordinate: c.value for c in cells if c.data_type != "f"},
        "formulas": {c.coordinate: c.value for c in cells if c.data_type == "f"},
        "cached": {
            c.coordinate: _number(cached[c.coordinate].value) for c in cells if c.data_type == "f"
        },
        "merged": sorted(str(r) for r in ws.merged_cells.ranges),
        "protected": bool(ws.protection.sheet),
        "validations": {
            str(dv.sqref): _validation(dv) for dv in ws.data_validations.dataValidation
        },
        "print_area": ws.print_area,
        "print_title_rows": ws.print_title_rows,
    }


def _read(path: Path) -> dict[str, Any]:
    """What ``xltools read`` returns: each record's content and each finding."""
    from xltools import api
    from xltools.model import content

    [result] = api.read([path])
    return {
        "records": [content(r) for r in result.records],
        "findings": [(f.rule, f.severity, f.sheet, f.cell, f.message) for f in result.findings],
    }


def office_content(path: Path) -> dict[str, Any]:
    """The content of ``path`` that survives a LibreOffice round trip (see the module doc)."""
    book = openpyxl.load_workbook(path)
    cached = openpyxl.load_workbook(path, data_only=True)
    return {
        "sheet_order": book.sheetnames,
        "named_lists": _named_lists(book),
        "sheets": {ws.title: _sheet(ws, cached[ws.title]) for ws in book.worksheets},
        "read": _read(path),
    }


def compare(ours: Path, theirs: Path) -> list[str]:
    """Where LibreOffice's copy ``theirs`` differs by content from ``ours``, one line each."""
    from testkit.snapshot import differences

    return differences(office_content(ours), office_content(theirs))


def refresh(root: Path = ROOT) -> list[Path]:
    """Re-save every source with LibreOffice into tests/fixtures/reference/ (overwriting)."""
    from testkit.office import Soffice, find_soffice

    binary = find_soffice()
    if binary is None:
        raise SystemExit("LibreOffice (soffice) is not installed: apt-get install libreoffice-calc")
    written = []
    with tempfile.TemporaryDirectory() as tmp:
        office = Soffice(binary, Path(tmp) / "profile")
        resaved = office.convert([root / rel for rel in sources()], "xlsx", Path(tmp) / "out")
        for rel, path in zip(sources(), resaved, strict=True):
            target = root / reference_path(rel).relative_to(ROOT)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(path.read_bytes())
            written.append(target)
    return written


if __name__ == "__main__":
    for path in refresh(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT):
        print(path)
