"""Limits that hold for any input, checked before the native reader allocates anything.

python-calamine builds a sheet as one dense grid from A1 to its last cell: a 12 KB
workbook with one cell at XFD1048576 asks for 512 GB and aborts the whole process
(exit 134, the batch's report lost); a cell at ZZ100000 costs 2.7 GB. So before a
zip-based workbook (.xlsx, .xlsm, .ods) is opened, its archive is checked (declared
sizes and compression ratios) and each sheet's XML is scanned for the rows and
columns that hold a value. The scan stops as soon as a limit is passed, so a file of a
million rows costs a fraction of a second; a normal form's sheet is a few KB of XML.

A sheet over a limit is not read (a finding names the limit); the others are.
"""

from __future__ import annotations

import html
import posixpath
import re
import struct
import zipfile
from dataclasses import dataclass

from xltools.catalogue import message

MAX_ROWS = 100_000  # forms have a few hundred rows; a data sheet of a department a few thousand
MAX_COLS = 1_000  # column ALL
MAX_AREA = 500_000  # rows × columns from A1, all of which calamine and we build: at 2,000,000
# full cells a file took 22 s of CPU and 563 MB; a form is a few thousand
MAX_PART = 64 << 20  # bytes of one decompressed part (a normal form's sheet: 20–200 KB)
MAX_TOTAL = 256 << 20  # bytes of all decompressed parts
MAX_RATIO = 200  # decompressed ÷ compressed for a part over 1 MB (XML: 5–30; a bomb: 1000+)
_RATIO_FROM = 1 << 20


class LimitExceeded(Exception):
    """The whole file is over a limit; the message (Chinese) says which."""


@dataclass(frozen=True)
class SheetProblem:
    sheet: str
    message: str


# -- the archive -------------------------------------------------------------------------------


def check_archive(zf: zipfile.ZipFile) -> None:
    """Declared sizes and ratios of every part (central directory only: no decompression)."""
    total = 0
    for info in zf.infolist():
        total += info.file_size
        if info.file_size > MAX_PART:
            raise LimitExceeded(
                message(
                    "R20", "part", part=info.filename, size=_mb(info.file_size), most=_mb(MAX_PART)
                )
            )
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > _RATIO_FROM and ratio > MAX_RATIO:
            raise LimitExceeded(
                message("R20", "ratio", part=info.filename, ratio=ratio, most=MAX_RATIO)
            )
    if total > MAX_TOTAL:
        raise LimitExceeded(message("R20", "total", size=_mb(total), most=_mb(MAX_TOTAL)))


def _mb(size: int) -> str:
    return f"{size / (1 << 20):,.0f} MB"


def _read_part(zf: zipfile.ZipFile, name: str) -> bytes:
    """A part's bytes, never more than MAX_PART whatever its header declares."""
    with zf.open(name) as fh:
        data = fh.read(MAX_PART + 1)
    if len(data) > MAX_PART:
        raise LimitExceeded(message("R20", "part_read", part=name, most=_mb(MAX_PART)))
    return data


# -- extents -------------------------------------------------------------------------------------


class _Extent:
    """The last row and column holding a value, and the first limit they pass."""

    def __init__(self) -> None:
        self.rows = self.cols = 0

    def add(self, row: int, col: int) -> str | None:
        self.rows, self.cols = max(self.rows, row), max(self.cols, col)
        if self.rows > MAX_ROWS:
            return message("R20", "rows", most=MAX_ROWS, rows=self.rows)
        if self.cols > MAX_COLS:
            return message("R20", "cols", most=MAX_COLS, cols=self.cols)
        if self.rows * self.cols > MAX_AREA:
            return message("R20", "area", rows=self.rows, cols=self.cols, most=MAX_AREA)
        return None


def _col_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


# <row r="7"> and <c r="B7" t="s"><v>3</v></c>; a self-closing <c r="B7" s="2"/> is only a
# format (calamine gives it no cell). Some writers use a namespace prefix (<x:c>).
_XLSX_TAG = re.compile(rb"<(?:\w+:)?(row|c)\b([^>]*?)(/?)>")
_XLSX_REF = re.compile(rb'\br="([A-Z]{1,3})?([0-9]{1,7})"')


# What can put a cell beyond A1:Z999: a reference of two letters or four digits, a cell
# tag without its reference first (calamine then places it after the previous cell), and,
# tested apart, a namespace prefix (<x:c>; also any ":c " in a text: then a closer look).
# A sheet with none of them is within every limit (999 × 26 cells), whatever it holds.
_BEYOND = re.compile(rb'<c(?:\sr="(?:[A-Z]{2}|[A-Z][0-9]{4})|[>/]|\s(?!r="))')
_PREFIXED = re.compile(rb":c[\s>/]")
# Cells holding a value, with their reference first as every writer puts it
# (Excel, WPS, LibreOffice, xlsxwriter); a self-closing cell is a format only.
_VALUE_CELL = re.compile(rb'<c r="([A-Z]{1,3})([0-9]{1,7})"[^>]*(?<!/)>')
# A cell tag without its reference first, or with a namespace prefix: walk tag by tag.
_UNUSUAL_CELL = re.compile(rb'<c(?:[>/\t\r\n]| (?!r="))|<\w+:c[\s>/]')
FAST_SCAN = 1 << 20  # bytes of sheet XML; a larger sheet is walked tag by tag, stopping early


def scan_xlsx_sheet(xml: bytes) -> str | None:
    """The first limit the sheet passes, or None.

    A form's cells all lie in A1:Z999 with their references first, which two searches
    that find nothing show (≈20 µs for a form, a quarter of finding every cell). Else,
    when every cell tag starts with its reference, one regular expression finds the cells
    holding a value; anything else (cells without a reference, a namespace prefix, a large
    sheet) is walked tag by tag, counting only the cells that hold a value, as calamine does.
    """
    if len(xml) <= FAST_SCAN:
        if not _BEYOND.search(xml) and not _PREFIXED.search(xml):
            return None
        if not _UNUSUAL_CELL.search(xml):
            refs = _VALUE_CELL.findall(xml)
            if not refs:
                return None
            rows = max(int(r) for _, r in refs)
            cols = max(_col_number(c) for c in {c for c, _ in refs})
            return _Extent().add(rows, cols)
    return _walk_xlsx_sheet(xml)


def _walk_xlsx_sheet(xml: bytes) -> str | None:
    extent, row, col = _Extent(), 0, 0
    for m in _XLSX_TAG.finditer(xml):
        ref = _XLSX_REF.search(m.group(2))
        if m.group(1) == b"row":
            row = int(ref.group(2)) if ref else row + 1
            col = 0
            continue
        if ref and ref.group(1):
            col, row = _col_number(ref.group(1)), int(ref.group(2))
        else:
            col += 1  # no reference: the cell after the previous one, as calamine places it
        if m.group(3):
            continue
        problem = extent.add(max(row, 1), col)
        if problem:
            return problem
    return None


_ODS_TAG = re.compile(
    rb"<(/?)table:(table-row|table-cell|covered-table-cell|table)(?=[\s/>])([^>]*?)(/?)>", re.S
)
_ODS_REPEAT = re.compile(rb'table:number-(?:rows|columns)-repeated="([0-9]{1,9})"')
_ODS_NAME = re.compile(rb'table:name="([^"]*)"')


def scan_ods_content(xml: bytes) -> list[SheetProblem]:
    """Each table of an OpenDocument content.xml over a limit (repeated rows/cells counted)."""
    problems: list[SheetProblem] = []
    name, extent, row, col, row_repeat, row_last = "", _Extent(), 0, 0, 1, 0
    skip = False
    for m in _ODS_TAG.finditer(xml):
        closing, tag, attrs, empty = m.groups()
        if tag == b"table":
            if not closing:
                found = _ODS_NAME.search(attrs)
                name = found.group(1).decode("utf-8", "replace") if found else ""
                extent, row, skip = _Extent(), 0, False
            continue
        if skip:
            continue
        repeat = _ODS_REPEAT.search(attrs)
        count = int(repeat.group(1)) if repeat else 1
        if tag == b"table-row":
            if not closing:
                row_repeat, col, row_last = count, 0, 0
                row += 1 if not empty else count  # <table:table-row/>: rows with nothing
            else:
                problem = extent.add(row + row_repeat - 1, row_last) if row_last else None
                row += row_repeat - 1
                if problem:
                    problems.append(SheetProblem(name, problem))
                    skip = True
            continue
        if closing:
            continue
        col += count
        if not empty or b"office:value-type" in attrs:  # a value or text inside
            row_last = col
    return problems


# -- workbooks -----------------------------------------------------------------------------------

_SHEET_TAG = re.compile(rb"<(?:\w+:)?sheet\b[^>]*>")
_REL_TAG = re.compile(rb"<(?:\w+:)?Relationship\b[^>]*>")
_ATTR = {
    name: re.compile(rb"\s(?:\w+:)?" + name.encode() + rb'="([^"]*)"')
    for name in ("name", "id", "Id", "Target")
}


def _attr(tag: bytes, name: str) -> str:
    m = _ATTR[name].search(tag)
    return html.unescape(m.group(1).decode("utf-8", "replace")) if m else ""


def _xlsx_sheets(zf: zipfile.ZipFile) -> list[tuple[str, str]]:
    """(sheet name, part name) for each worksheet, from workbook.xml and its relationships.

    Read with regular expressions, not an XML parser: only attributes are needed, and
    parsing cost 2 ms a file, more than calamine takes to read the whole form.
    """
    names = set(zf.namelist())
    if "xl/workbook.xml" not in names or "xl/_rels/workbook.xml.rels" not in names:
        return []  # calamine will say what is missing
    rels = _REL_TAG.findall(_read_part(zf, "xl/_rels/workbook.xml.rels"))
    targets = {_attr(r, "Id"): _attr(r, "Target") for r in rels}
    out = []
    for tag in _SHEET_TAG.findall(_read_part(zf, "xl/workbook.xml")):
        target = targets.get(_attr(tag, "id"), "")
        part = target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target)
        part = posixpath.normpath(part)
        if part in names:
            out.append((_attr(tag, "name"), part))
    return out


class SheetLimits:
    """The limits of a zip-based workbook: the archive's at once (:class:`LimitExceeded`),
    each sheet's when it is about to be read (:meth:`sheet`).

    A sheet that is never read (the template's own 选项 and 填表说明 beside a stamped form)
    is never allocated either, so its XML is not decompressed and scanned: of a stamped
    form's three sheets, only the form's is.
    """

    def __init__(self, zf: zipfile.ZipFile) -> None:
        check_archive(zf)
        self._zf = zf
        names = zf.namelist()
        self._over: dict[str, str] = {}
        self._parts: dict[str, str] = {}
        if "content.xml" in names and "xl/workbook.xml" not in names:
            # OpenDocument: one content.xml holds every table, scanned once.
            problems = scan_ods_content(_read_part(zf, "content.xml"))
            self._over = {p.sheet: p.message for p in problems}
        else:
            self._parts = dict(_xlsx_sheets(zf))

    def sheet(self, name: str) -> str | None:
        """The first limit the sheet ``name`` passes, or None (also for a sheet whose part
        cannot be decompressed: the native reader's error on it says more)."""
        part = self._parts.pop(name, None)
        if part is not None:
            try:
                problem = scan_xlsx_sheet(_read_part(self._zf, part))
            except LimitExceeded:
                raise
            except Exception:  # damaged deflate data, a bad local header …
                problem = None
            if problem:
                self._over[name] = problem
        return self._over.get(name)

    def close(self) -> None:
        self._zf.close()


def check_grid(height: int, width: int) -> str | None:
    """The same limits on a sheet calamine has already read (.xls: at most 65,536 × 256)."""
    extent = _Extent()
    return extent.add(height, width) if height and width else None


# -- .xls (BIFF8 in an OLE compound file) ----------------------------------------------------------

# Records that start with (row, column): a value, a formula or a formatted blank.
_BIFF_CELLS = {0x0006, 0x00D6, 0x00FD, 0x0201, 0x0203, 0x0204, 0x0205, 0x027E, 0x00BD, 0x00BE}
_MULTI = {0x00BD, 0x00BE}  # MULRK, MULBLANK: (row, first column, …, last column)
_BOF, _EOF, _BOUNDSHEET = 0x0809, 0x000A, 0x0085


def _sheet_names(data: bytes) -> dict[int, str]:
    """BOUNDSHEET records: the stream offset of each sheet's BOF → the sheet's name."""
    names, pos = {}, 0
    while pos + 4 <= len(data):
        kind, length = struct.unpack_from("<HH", data, pos)
        body = data[pos + 4 : pos + 4 + length]
        if kind == _BOUNDSHEET and len(body) >= 8:
            count, wide = body[6], body[7] & 1
            raw = body[8 : 8 + count * (2 if wide else 1)]
            names[struct.unpack_from("<I", body)[0]] = raw.decode(
                "utf-16-le" if wide else "latin-1", "replace"
            )
        if kind == _EOF:  # the end of the workbook globals
            break
        pos += 4 + length
    return names


def scan_biff(data: bytes) -> list[SheetProblem]:
    """Each worksheet of a BIFF8 Workbook stream whose cells pass a limit."""
    names, problems = _sheet_names(data), []
    name, extent, over, pos = None, _Extent(), False, 0
    while pos + 4 <= len(data):
        kind, length = struct.unpack_from("<HH", data, pos)
        if kind == _BOF:
            name, extent, over = names.get(pos), _Extent(), False
        elif kind == _EOF:
            name = None
        elif name is not None and not over and kind in _BIFF_CELLS and length >= 4:
            row, col = struct.unpack_from("<HH", data, pos + 4)
            if kind in _MULTI and length >= 6:
                col = struct.unpack_from("<H", data, pos + 2 + length)[0]
            problem = extent.add(row + 1, col + 1)
            if problem:
                problems.append(SheetProblem(name, problem))
                over = True
        pos += 4 + length
    return problems


def check_xls(path: str) -> list[SheetProblem]:
    """The sheets of an .xls over a limit, read from its BIFF records before calamine.

    calamine builds an .xls sheet as a dense grid too: one cell at IV65536 took 1.1 GB
    and 7 s. olefile reads the compound file (a format with its own library).
    """
    import olefile

    with olefile.OleFileIO(path) as ole:
        stream = next((s for s in ("Workbook", "Book") if ole.exists(s)), None)
        if stream is None:
            return []  # not a workbook: calamine says so
        if ole.get_size(stream) > MAX_PART:
            size = _mb(ole.get_size(stream))
            raise LimitExceeded(message("R20", "xls_stream", size=size, most=_mb(MAX_PART)))
        data = ole.openstream(stream).read(MAX_PART + 1)
    return scan_biff(data)
