"""Workbooks → records. The only module that knows cells on the reading side.

Values are read with python-calamine (≈25× faster than openpyxl, and it also reads
.xls and .ods). A form is found by its title; every field by its label, searched
in the column where the layout puts it and taken at the same offset from it as in
the layout. So a form still reads after a user inserted or deleted indicator rows,
and stacked forms (several in one sheet) read one after another.
"""

from __future__ import annotations

import functools
import io
import math
import re
import sys
import unicodedata
import zipfile
import zlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import python_calamine

from xltools import catalogue, compute
from xltools.catalogue import ERROR, UNOPENED, WARNING
from xltools.findings import Finding, finding
from xltools.forms import LAYOUTS, Cell, Field, Layout, Span, T, col_letter, vocabulary
from xltools.model import (
    DECLARATION,
    KIND_NAMES,
    SELF_EVALUATION,
    Declaration,
    Indicator,
    Record,
    SelfEvaluation,
    Source,
)
from xltools.profiles import Profile, load_profile
from xltools.read import (
    foreign,
    foreign_table,
    formulas,
    isolated,
    levels,
    limits,
    paths,
    recognise,
    region,
)
from xltools.read import values as cell_values  # locals named `values` are a row's cells
from xltools.text import (
    clean_name,
    clean_text,
    normalise_label,
    parse_date,
    parse_number,
    parse_period,
    parse_rate,
    split_points,
    year_of,
)

READABLE = paths.READABLE
# Template instructions left in a goal cell: "对照年度目标，说明……(100字以内)".
_INSTRUCTION = re.compile(r"[(（]\s*\d+\s*字以内\s*[)）]\s*[。.]?$")
_STATED_UNIT = re.compile(r"(?:单位[:：]\s*|\()(万元|元)\)?")
_STAMP = re.compile(r"^xltools:(declaration|self_evaluation):([^:]+):(\d{4})?$")
_ZIP, _CFB = b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_HEAD = 1 << 20  # bytes read first: the signature, an encryption marker, the archive
_msg = catalogue.message  # every message of a finding here: its rule's catalogue template


@dataclass
class ReadResult:
    """What one file gave: its records and the problems met while reading it."""

    file: str
    records: list[Record] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    @property
    def readable(self) -> bool:
        return not any(f.rule in ("R02", *UNOPENED) for f in self.findings)


class ReadResults(list[ReadResult]):
    """What ``read`` gives: one :class:`ReadResult` per file, in input order."""

    @property
    def unreadable(self) -> list[str]:
        """Files with no form read: not a workbook, or no form found in it."""
        return [r.file for r in self if not r.readable]

    def failed(self, strict: bool = False) -> bool:
        """Errors met while reading (strict: warnings too)."""
        severities = {ERROR, WARNING} if strict else {ERROR}
        return any(f.severity in severities for r in self for f in r.findings)


class Unreadable(Exception):
    """The file is not a workbook we can open; the message is the finding's text."""

    def __init__(self, message: str, rule: str = "R01") -> None:
        super().__init__(message)
        self.rule = rule


# -- opening -----------------------------------------------------------------------------


def _sniff(path: Path) -> bytes:
    """Turn the common ways a file is not a workbook into one clear sentence; the file's
    first MB (all of a normal form)."""
    try:
        size = paths.regular_size(path)
        if size == 0:
            raise Unreadable(_msg("R01", "empty"))
        head = paths.read_head(path, min(size, _HEAD))
    except paths.NotReadable as exc:
        raise Unreadable(str(exc), exc.rule) from None
    if head.startswith(_CFB):
        # An encrypted .xlsx is an OLE container holding an "EncryptionInfo" stream.
        if "EncryptionInfo".encode("utf-16-le") in head:
            raise Unreadable(_msg("R01", "encrypted"))
        return head
    if not head.startswith(_ZIP):
        raise Unreadable(_msg("R01", "not_workbook"))
    return head


def _diagnose_zip(path: Path) -> str:
    """Why a zip-based workbook failed to open (only asked after calamine gave up)."""
    try:
        if not paths.read_head(path, 4).startswith(_ZIP):
            return ""  # an .xls: calamine's own words
        with zipfile.ZipFile(path) as zf:
            if zf.testzip() is not None:
                return _msg("R01", "crc")
    except (zlib.error, EOFError):  # damaged deflate data fails before the CRC check can
        return _msg("R01", "crc")
    except (zipfile.BadZipFile, NotImplementedError):
        return _msg("R01", "incomplete")
    except (OSError, paths.NotReadable) as exc:
        return _msg("R01", "os_error", error=exc)
    except Exception:  # zipfile's own slips on damaged directories (UnicodeDecodeError …)
        return _msg("R01", "directory")
    return ""


def _xls_limits(path: Path) -> None:
    """An .xls sheet over a limit ends the file: calamine builds every sheet of an .xls when
    it opens it."""
    try:
        over = limits.check_xls(str(path))
        if over:
            raise limits.LimitExceeded(
                _msg("R20", "xls_sheet", sheet=over[0].sheet, problem=over[0].message)
            )
    except limits.LimitExceeded as exc:
        raise Unreadable(str(exc), "R20") from None
    except Exception:  # a damaged compound file: calamine's error says more
        return


def _zip_limits(path: Path, head: bytes) -> tuple[limits.SheetLimits | None, bool]:
    """The archive's limits (checked now) and its sheets' (checked as each is read), None for
    a damaged archive or workbook.xml; and whether the bytes in ``head`` are a whole, plain
    .xlsx workbook (see _open)."""
    whole = len(head) < _HEAD  # already read: no second open
    try:
        zf = zipfile.ZipFile(io.BytesIO(head) if whole else path)
    except Exception:  # calamine's error says more
        return None, False
    try:
        names = set(zf.namelist())
        plain = whole and "xl/workbook.xml" in names and not names & _OTHER_FORMATS
        return limits.SheetLimits(zf), plain
    except limits.LimitExceeded as exc:
        zf.close()
        raise Unreadable(str(exc), "R20") from None
    except Exception:  # a damaged archive or workbook.xml: calamine's error says more
        zf.close()
        return None, False


# Parts of the other zip formats calamine tells by content (.xlsb, .ods).
_OTHER_FORMATS = frozenset(("xl/workbook.bin", "mimetype", "content.xml"))
_XLSX_SUFFIXES = (".xlsx", ".xlsm")


def _open(path: Path, head: bytes, plain: bool) -> python_calamine.CalamineWorkbook:
    """The workbook, from the bytes already read when they are a plain .xlsx named so.

    calamine picks its reader by the file name in from_path and by the content in
    from_filelike: only where both pick the .xlsx reader are the bytes used (an .ods named
    .xlsx stays an R01, as before); a failure is opened again by path, for its own message.
    """
    if plain and path.suffix.lower() in _XLSX_SUFFIXES:
        try:
            return python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(head))
        except BaseException as exc:
            if isinstance(exc, KeyboardInterrupt | SystemExit):
                raise
    return python_calamine.CalamineWorkbook.from_path(str(path))


def _opening_error(path: Path, text: str) -> Unreadable:
    if "password" in text.lower() or "encrypt" in text.lower():
        return Unreadable(_msg("R01", "encrypted"))
    return Unreadable(_diagnose_zip(path) or _msg("R01", "unrecognised", error=text))


# A sheet as read: its rows from A1 and merged ranges; or which limit it passes; or None
# when it could not be read (its R01 is already reported).
SheetRead = tuple[list[list[Any]], Any] | str | None


# The template's own sheets beside its forms (writer/forms.py: LISTS_SHEET, very hidden,
# and GUIDE_SHEET): in a workbook whose forms carry our stamp they hold no form, and are
# not parsed, nor are their limits checked (a sheet never read is never allocated).
LISTS_SHEET, GUIDE_SHEET = "选项", "填表说明"
Skip = Callable[[str, bool], bool]  # (sheet name, hidden) → not parsed


def _sheets(
    path: Path, result: ReadResult, skip: Skip | None = None
) -> Iterator[tuple[str, SheetRead, bool]]:
    """Each sheet of the workbook at ``path``: an .xls in a child process (isolated.py),
    the zip formats here, after their limits were checked (limits.py). A sheet ``skip``
    names (asked when its turn comes) is passed over, neither scanned nor read."""
    head = _sniff(path)
    if head.startswith(_CFB):
        _xls_limits(path)
        yield from _xls_sheets(path, result)
        return
    sheet_limits, plain = _zip_limits(path, head)
    try:
        try:
            book = _open(path, head, plain)
        except BaseException as exc:  # calamine raises its own types; a Rust panic is no Exception
            if isinstance(exc, KeyboardInterrupt | SystemExit):
                raise
            raise _opening_error(path, str(exc)) from None
        for meta in book.sheets_metadata:
            hidden = _hidden(meta)
            if skip is not None and skip(meta.name, hidden):
                continue  # never allocated: its limits need no scan
            try:
                read = sheet_limits.sheet(meta.name) if sheet_limits else None
            except limits.LimitExceeded as exc:  # a part larger than its header declared
                raise Unreadable(str(exc), "R20") from None
            if read is None:
                read = _sheet_rows(book, meta.name, result)
            if isinstance(read, tuple):
                rows, sheet = read
                read = (rows, sheet.merged_cell_ranges or ())
            yield meta.name, read, hidden
    finally:
        if sheet_limits is not None:
            sheet_limits.close()


def _xls_sheets(path: Path, result: ReadResult) -> Iterator[tuple[str, SheetRead, bool]]:
    try:
        sheets = isolated.read_xls(str(path), limits.MAX_AREA)
    except isolated.ChildFailed as exc:
        raise Unreadable(str(exc), exc.rule) from None
    if isinstance(sheets, str):
        raise _opening_error(path, sheets)
    for name, rows, merged, hidden in sheets:
        if isinstance(rows, tuple):  # ("area", height, width): over the limit
            yield name, limits.check_grid(rows[1], rows[2]), hidden
        elif isinstance(rows, str):
            damaged = _msg("R01", "damaged", error=rows)
            message = _msg("R01", "sheet", sheet=name, reason=damaged)
            result.findings.append(finding("R01", message, result.file, sheet=name))
            yield name, None, hidden
        else:
            yield name, (rows, merged), hidden


def _hidden(meta: Any) -> bool:
    """Hidden or very hidden (R10: its forms are read, and said so)."""
    return str(meta.visible).rsplit(".", 1)[-1] != "Visible"


def _sheet_rows(
    book: python_calamine.CalamineWorkbook, name: str, result: ReadResult
) -> tuple[list[list[Any]], Any] | str | None:
    """A sheet's rows from A1 and the sheet; or which limit it passes (.xls is only known
    once read); or None when calamine fails on it (an R01 for that sheet: the other sheets
    are still read)."""
    try:
        sheet = book.get_sheet_by_name(name)
        end_row, end_col = sheet.end or (-1, -1)
        over = limits.check_grid(end_row + 1, end_col + 1)
        return over if over else (sheet.to_python(skip_empty_area=False), sheet)
    except BaseException as exc:  # a malformed sheet, or a Rust panic (not an Exception)
        if isinstance(exc, KeyboardInterrupt | SystemExit):
            raise
        # calamine names the sheet whose data is missing
        detail = _msg("R01", "sheet_data") if str(exc) == name else str(exc)
        why = _diagnose_zip(Path(result.file)) or _msg("R01", "damaged", error=detail)
        message = _msg("R01", "sheet", sheet=name, reason=why)
        result.findings.append(finding("R01", message, result.file, sheet=name))
        return None


# -- a sheet as a grid ---------------------------------------------------------------------


class Grid:
    """A sheet's values, 1-based, with merged cells and a label index.

    The index of every label (and of the headings that print their points) is built on
    first use: a form xltools wrote has each label where its layout says, so
    :meth:`find` looks at that row first, and such a form is read without an index.
    """

    def __init__(self, rows: list[list[Any]], merged: Iterable[tuple]) -> None:
        self.rows = rows
        self._merged = merged

    @functools.cached_property
    def merged_from(self) -> dict[tuple[int, int], tuple[int, int]]:
        """Every cell covered by a merged range, other than its top left → that top left."""
        out: dict[tuple[int, int], tuple[int, int]] = {}
        for (r0, c0), (r1, c1) in self._merged:
            for r in range(r0, r1 + 1):
                for c in range(c0, c1 + 1):
                    if (r, c) != (r0, c0):
                        out[(r + 1, c + 1)] = (r0 + 1, c0 + 1)
        return out

    @functools.cached_property
    def merged_to(self) -> dict[tuple[int, int], tuple[int, int]]:
        """Top left → bottom right of each merged range."""
        return {(r0 + 1, c0 + 1): (r1 + 1, c1 + 1) for (r0, c0), (r1, c1) in self._merged}

    @functools.cached_property
    def labels(self) -> dict[str, list[Cell]]:
        """Normalised text → the cells holding it (``其中:x`` under ``x`` too)."""
        labels: dict[str, list[Cell]] = defaultdict(list)
        for r, row in enumerate(self.rows, start=1):
            for c, value in enumerate(row, start=1):
                if value.__class__ is str and value:  # calamine gives "" for an empty cell
                    for key in cell_keys(value):
                        labels[key].append(_cell(r, c))
        return labels

    @functools.cached_property
    def points(self) -> dict[Cell, tuple[str, float]]:
        """Headings that print their points, "产出指标(50分)": cell → (name, points)."""
        out: dict[Cell, tuple[str, float]] = {}
        for r, row in enumerate(self.rows, start=1):
            for c, value in enumerate(row, start=1):
                if (
                    isinstance(value, str)
                    and "分" in value
                    and value.strip()
                    and value.rstrip().endswith((")", "）"))
                ):
                    name, points = split_points(value)
                    if points is not None:
                        out[_cell(r, c)] = (name, points)
        return out

    @property
    def height(self) -> int:
        return len(self.rows)

    def value(self, cell: Cell) -> Any:
        if 1 <= cell.row <= len(self.rows):
            row = self.rows[cell.row - 1]
            if 1 <= cell.col <= len(row):
                value = row[cell.col - 1]
                return None if value == "" else value
        return None

    def keys_at(self, row: int, col: int) -> tuple[str, ...]:
        """The label keys the cell at (row, col) is indexed under."""
        if 1 <= row <= len(self.rows):
            values = self.rows[row - 1]
            if 1 <= col <= len(values) and isinstance(value := values[col - 1], str):
                return cell_keys(value)
        return ()

    def find(self, texts: Iterable[str], col: int | None, rows: range, near: int) -> Cell | None:
        """The cell holding one of ``texts`` within ``rows`` (and ``col``), nearest to ``near``."""
        return self.find_keys(_label_keys(tuple(texts)), col, rows, near)

    def find_keys(
        self, keys: dict[str, None], col: int | None, rows: range, near: int
    ) -> Cell | None:
        """:meth:`find` with the texts already normalised (``_label_keys``)."""
        if "labels" not in self.__dict__ and near in rows:
            # The row ``near`` first: a hit there is the nearest (leftmost on that row).
            hit = self._in_row(near, col, keys.__contains__)
            if hit is not None or len(rows) == 1:
                return hit
        labels = self.labels
        best, nearest = None, None
        for key in keys:  # the first of equally near cells wins, as min() picks it
            for cell in labels.get(key, ()):
                if cell.row in rows and (col is None or cell.col == col):
                    distance = (abs(cell.row - near), cell.col)
                    if nearest is None or distance < nearest:
                        best, nearest = cell, distance
        return best

    def _in_row(self, row: int, col: int | None, wanted: Callable[[str], bool]) -> Cell | None:
        """The leftmost cell of ``row`` (or the cell in ``col``) with a key ``wanted``."""
        if not 1 <= row <= len(self.rows):
            return None
        values = self.rows[row - 1]
        cols = range(1, len(values) + 1) if col is None else (col,)
        for c in cols:
            if any(wanted(key) for key in self.keys_at(row, c)):
                return _cell(row, c)
        return None


_FOOTERS: dict[tuple[int, int], tuple[Layout, Field, Any]] = {}


def _footer(layout: Layout, fld: Field) -> Any:
    """The footer of ``layout`` that holds ``fld`` (总分 …), or None; kept as _twins keeps."""
    key = (id(layout), id(fld))
    if (kept := _FOOTERS.get(key)) is None:
        footer = next((f for f in layout.footers if any(fld is x for x in f.fields)), None)
        kept = _FOOTERS[key] = (layout, fld, footer)
    return kept[2]


_TEXTS_OF: dict[int, tuple[Field, tuple[str, ...]]] = {}


def _texts(fld: Field) -> tuple[str, ...]:
    """A field's label and its aliases (kept by id with the field: hashing a Field is slow)."""
    if (kept := _TEXTS_OF.get(id(fld))) is None:
        kept = _TEXTS_OF[id(fld)] = (fld, (fld.label, *fld.aliases))
    return kept[1]


@functools.lru_cache(maxsize=65536)
def _ref_of(row: int, col: int) -> str:
    return Cell(row, col).ref


def _ref(cell: Cell) -> str:
    """``cell.ref`` ("B7"), kept: the same cells are named in every form."""
    return _ref_of(cell.row, cell.col)


_TWINS: dict[tuple[int, int], tuple[Layout, Field, list[Field]]] = {}


def _twins(layout: Layout, fld: Field) -> list[Field]:
    """The other fields of ``layout`` printed with ``fld``'s label (not the 总额 row's).
    Kept per layout and field (with both, so that their ids stay theirs)."""
    key = (id(layout), id(fld))
    if (kept := _TWINS.get(key)) is None:
        twins = [
            f
            for f in layout.fields
            if f.label == fld.label
            and f.label_cell != fld.label_cell
            and not f.key.startswith("funds.total")
        ]
        kept = _TWINS[key] = (layout, fld, twins)
    return kept[2]


def _per_layout(store: dict[int, tuple[Layout, Any]], layout: Layout, build: Callable) -> Any:
    """``build(layout)``, made once per layout and kept by its id, with the layout (so that
    the id stays its): hashing a Layout is slow."""
    if (kept := store.get(id(layout))) is None:
        kept = store[id(layout)] = (layout, build(layout))
    return kept[1]


_STOPS: dict[int, tuple[Layout, frozenset[str]]] = {}


def _footer_labels(layout: Layout) -> frozenset[str]:
    """The normalised labels of ``layout``'s footers (总分, 合计 …)."""
    return _per_layout(
        _STOPS,
        layout,
        lambda lay: frozenset(normalise_label(t) for f in lay.footers for t in f.labels),
    )


@functools.cache
def _below_table() -> tuple[str, ...]:
    """The blocks printed below a table (财政部门审核意见, 填表人 …), normalised."""
    return tuple(normalise_label(t) for t in vocabulary.BELOW_TABLE)


@dataclass(frozen=True, slots=True)
class _Placed:
    """Where a stamped form has a field: its label's keys and column; its label's row in
    the layout (``footer``: rows below the indicator table's last row); the value's offset
    from the label; the record attribute path (empty: located only)."""

    fld: Field
    keys: dict[str, None]
    col: int
    row: int
    footer: bool
    drow: int
    dcol: int
    path: tuple[str, ...]


_PLACED: dict[int, tuple[Layout, tuple[_Placed, ...]]] = {}


def _placed(layout: Layout) -> tuple[_Placed, ...]:
    """The plan of ``layout``'s fields, in :meth:`Layout.all_fields` order."""
    return _per_layout(_PLACED, layout, _plan)


def _plan(layout: Layout) -> tuple[_Placed, ...]:
    plan = []
    for fld in layout.all_fields():
        span = fld.label_span
        assert span is not None
        footer = _footer(layout, fld)
        value = fld.value_span.first
        plan.append(
            _Placed(
                fld,
                _label_keys(_texts(fld)),
                span.first.col,
                footer.offset if footer is not None else span.first.row,
                footer is not None,
                value.row - span.first.row,
                value.col - span.first.col,
                () if fld.key.startswith("_") else tuple(fld.key.split(".")),
            )
        )
    return tuple(plan)


@functools.lru_cache(maxsize=65536)
def _cell(row: int, col: int) -> Cell:
    """A Cell, shared: the same few hundred positions are indexed in every form."""
    return Cell(row, col)


@functools.lru_cache(maxsize=4096)  # the labels of the layouts, asked for on every form
def _label_keys(texts: tuple[str, ...]) -> dict[str, None]:
    """``texts`` normalised, each once, in order (a dict: ordered, quick to test)."""
    return dict.fromkeys(normalise_label(text) for text in texts)


@functools.lru_cache(maxsize=65536)  # the same labels recur in every file of a run
def cell_keys(value: str) -> tuple[str, ...]:
    """The label keys of a cell's text: its normalised form, and for "其中:本年财政拨款"
    also "本年财政拨款"; none for a blank."""
    if not value.strip():
        return ()
    key = normalise_label(value)
    return (key, key[2:]) if key.startswith("其中") and len(key) > 2 else (key,)


# -- reading one form ------------------------------------------------------------------------


@dataclass
class FormReader:
    grid: Grid
    file: str
    sheet: str
    top: int  # title row
    end: int  # last row of this form's segment
    profile: Profile
    findings: list[Finding] = field(default_factory=list)
    stamped: bool = False  # written by xltools: labels sit exactly where the layout says
    # Cells read as blank where a value belongs: a formula without a cached value? (R15/R16)
    blanks: list[formulas.Blank] = field(default_factory=list)
    funds_columns: dict[str, int] | None = None  # 自评表 funds grid: column key → column

    def report(self, rule: str, message: str, cell: Cell | None = None, **kw: Any) -> None:
        ref = cell.ref if cell else None
        self.findings.append(finding(rule, message, self.file, sheet=self.sheet, cell=ref, **kw))

    @property
    def rows(self) -> range:
        return range(self.top, self.end + 1)

    def layout(self, kind: str) -> tuple[Layout, int | None]:
        """The layout by the identity stamp, else by the labels present."""
        for value in self.grid.rows[self.top - 1]:
            if isinstance(value, str) and (m := _STAMP.match(value)):
                layout = LAYOUTS.get((m.group(1), m.group(2)))
                if layout is not None and layout.kind == kind:
                    self.stamped = True
                    return layout, int(m.group(3)) if m.group(3) else None
        if kind == SELF_EVALUATION:
            return LAYOUTS[(SELF_EVALUATION, "2022")], None
        has_nature = self.grid.find(["项目性质"], None, self.rows, self.top) is not None
        return LAYOUTS[(DECLARATION, "2025" if has_nature else "2022")], None

    def read(self, kind: str) -> Record:
        layout, stamped_year = self.layout(kind)
        record: Record = Declaration() if kind == DECLARATION else SelfEvaluation()
        record.source = Source(self.file, self.sheet, self.top)
        record.year = self._year() or stamped_year
        record.money_unit = self._money_unit(layout)
        table = self._table(layout, record)
        if self.stamped:
            self._placed_fields(layout, record, table)
            self._computed(layout, record)  # only our own formula cells lack a cached value (R05)
        else:
            for fld in layout.all_fields():
                self._field(layout, fld, record, table)
            record.cells["layout"] = "foreign"
            self._declared_points(record)
            if isinstance(record, SelfEvaluation):
                self._extra_funds_rows(layout, record)
                self._funds_row_cells(layout, record)
        self._region(kind)
        return record

    def _region(self, kind: str) -> None:
        """D17 / S26: the layout names a region with a shipped profile the user did not pick."""
        hint = region.detect(self.grid.rows, self.top)
        if hint is None or hint.profile in self.profile.lineage:
            return
        self.report(
            rule := "D17" if kind == DECLARATION else "S26",
            _msg(rule, region=hint.profile, evidence=hint.evidence, profile=self.profile.name),
            Cell(hint.row, hint.col),
            value=hint.evidence,
            expected=hint.profile,
        )

    def _year(self) -> int | None:
        """The year of the title line below the title, or in the title itself (2023年…表)."""
        below = year_of(self.grid.value(Cell(self.top + 1, 1)))
        if below or self.stamped:
            return below
        for row in (self.top, self.top + 1):
            for value in self.grid.rows[row - 1][:12] if row <= self.grid.height else ():
                if isinstance(value, str) and (year := year_of(value)):
                    return year
        return None

    def _declared_points(self, record: Record) -> None:
        """Points printed in headings: 产出指标(50分), 绩效指标(90分), 预算执行情况(10分)."""
        columns = {normalise_label(w) for words in vocabulary.FUNDS_COLUMNS.values() for w in words}
        for cell, (name, points) in sorted(
            self.grid.points.items(), key=lambda x: (x[0].row, x[0].col)
        ):
            if cell.row not in self.rows or name in columns or name in record.declared_points:
                continue
            if name in foreign.LEVEL1 or name in vocabulary.HEADINGS:
                record.declared_points[name] = points
                record.cells[f"declared_points.{name}"] = cell.ref

    def _extra_funds_rows(self, layout: Layout, record: Record) -> None:
        """R12: an amount in a funds row the record has no place for (单位资金 …)."""
        for text in vocabulary.EXTRA_FUNDS_ROWS:
            for label in self.grid.labels.get(normalise_label(text), ()):
                if label.row not in self.rows:
                    continue
                for key in ("initial_budget", "adjusted_budget", "executed"):
                    fld = next(f for f in layout.fields if f.key == f"funds.other.{key}")
                    cell = self._grid_value(layout, fld, label)
                    value = parse_number(self.grid.value(cell)).value if cell else None
                    if isinstance(value, float) and value != 0:
                        self.report(
                            "R12",
                            _msg("R12", line=text, amount=_shown(value)),
                            cell,
                            value=value,
                            project=record.project_name,
                        )

    def _funds_row_cells(self, layout: Layout, record: SelfEvaluation) -> None:
        """What the layout's fields leave out of a foreign funds grid: the reason column
        (四川: 原因) of every row, and 权重/得分 of the sub-rows (the fields hold the 总额
        row's only; a figure in a sub-row is S22's, "/" or a word there is blank)."""
        cols = self.funds_columns or {}
        for line in vocabulary.FUNDS_ROWS:
            fld = next(f for f in layout.fields if f.key == f"funds.{line}.adjusted_budget")
            assert fld.label_span is not None
            expected = fld.label_span.first.row + self.top - 1
            label = self._nth_label(layout, fld, (fld.label, *fld.aliases), expected)
            if label is None:
                continue
            row = getattr(record.funds, line)
            for key in ("reason",) if line == "total" else ("weight", "score", "reason"):
                cell = self._row_cell(label.row, cols.get(key), cols)
                if cell is None:
                    continue
                value = self.grid.value(cell)
                if key == "reason":
                    record.cells[f"funds.{line}.reason"] = cell.ref
                    row.reason = foreign.funds_reason(value)
                # Words there ("/", "不计分") carry no points: only a figure is S22's.
                elif not foreign.not_applicable(value) and parse_number(value).ok:
                    record.cells[f"funds.{line}.{key}"] = cell.ref
                    typ = T.WEIGHT if key == "weight" else T.SCORE
                    setattr(row, key, self._convert(typ, value, cell, record, fld.label))

    def _row_cell(self, row: int, col: int | None, cols: dict[str, int]) -> Cell | None:
        """The cell of a funds row in a column, unless a merge gives it to another row (四川's
        note over I11:K15 is the 总额 row's) or to another column's figure."""
        if col is None:
            return None
        top, left = self.grid.merged_from.get((row, col), (row, col))
        if top != row or (left != col and left in cols.values()):
            return None
        return Cell(top, left)

    def _money_unit(self, layout: Layout) -> str:
        ref, _ = layout.statics[0]
        near = self.top + Span.parse(ref).first.row - 1
        # "项目资金（元）" or a bare "项目资金": whichever is nearest to where the layout puts
        # it, so that an indicator or goal text reading "项目资金" cannot hide the unit.
        cell = self._unit_label(near)
        if cell is None:
            units = [t for t in self.grid.labels if t.startswith("项目资金(")]
            cell = self.grid.find(["项目资金", *units], None, self.rows, near)
        text = str(self.grid.value(cell) or "") if cell else ""
        if cell is None and not self.stamped and (stated := self._stated_unit()):
            cell, text = stated
        if "万元" in text:
            return "万元"
        if "元" not in text:
            self.report("R07", _msg("R07"), cell)
        return "元"

    def _unit_label(self, near: int) -> Cell | None:
        """The 项目资金 label on row ``near``, as the search below would find it (its
        nearest hit); None when the row has none, or a key the search normalises again."""
        if near not in self.rows:
            return None
        for col in range(1, len(self.grid.rows[near - 1]) + 1 if near <= self.grid.height else 1):
            for key in self.grid.keys_at(near, col):
                if key.startswith("项目资金(") and normalise_label(key) != key:
                    return None  # "项目资金(万元)(元)": leave it to the search
                if key == "项目资金" or key.startswith("项目资金("):
                    return Cell(near, col)
        return None

    def _stated_unit(self) -> tuple[Cell, str] | None:
        """A unit stated elsewhere: "单位：万元", "年度预算数(万元)" (no 项目资金 label)."""
        header = self.grid.find(["一级指标"], None, self.rows, self.top)
        last = header.row if header else self.end
        for row in range(self.top, last + 1):
            for col, value in enumerate(self.grid.rows[row - 1], start=1):
                if (
                    isinstance(value, str)
                    and "元" in value
                    and len(value) <= 40
                    and (m := _STATED_UNIT.search(unicodedata.normalize("NFKC", value)))
                ):
                    return Cell(row, col), m.group(1)
        return None

    def _field(self, layout: Layout, fld: Field, record: Record, table: _Table) -> None:
        """A field of a layout xltools did not write (a stamped form's: _placed_fields)."""
        span = fld.label_span
        assert span is not None
        footer = _footer(layout, fld)
        expected = (
            table.end + footer.offset if footer is not None else span.first.row + self.top - 1
        )
        self._foreign_field(layout, fld, record, table, expected, footer is not None)

    def _placed_fields(self, layout: Layout, record: Record, table: _Table) -> None:
        """Every field of a form xltools wrote, in layout order: its label where the layout
        puts it (or the nearest, should rows have been inserted), its value at the layout's
        offset from it, from a plan made once per layout (:func:`_placed`)."""
        grid, rows, top, cells = self.grid, self.rows, self.top, record.cells
        for p in _placed(layout):
            expected = table.end + p.row if p.footer else p.row + top - 1
            label = grid.find_keys(p.keys, p.col, rows, expected)
            if label is None:
                if p.fld.required:
                    self._missing(p.fld, record)
                continue
            target = _cell(label.row + p.drow, label.col + p.dcol)
            cells[p.fld.key] = _ref(target)
            if not p.path:  # display-only cells (总分 row's 分值): located, not stored
                continue
            raw = grid.value(target)
            value = _plain_value(p.fld.type, raw)
            if value is _SLOW:
                value = self._convert(p.fld.type, raw, target, record, p.fld.label)
            _assign_path(record, p.path, value)

    def _foreign_field(
        self,
        layout: Layout,
        fld: Field,
        record: Record,
        table: _Table,
        expected: int,
        in_footer: bool,
    ) -> None:
        """A field of a layout xltools did not write: by its label, wherever it is."""
        texts = _texts(fld)
        if in_footer:
            rows = range(table.header_row + 1, self.end + 1) if table.header_row else self.rows
            label = self.grid.find(texts, None, rows, expected)
            label = label if label and label.col < table.name_col else None
        else:
            label = self._nth_label(layout, fld, texts, expected)
        if label is None:
            if fld.key in ("start_date", "end_date") and self._period(fld, record):
                return
            if fld.key in ("expected_goal", "actual_result") and self._goal_row(fld, record):
                return
            if fld.required and not in_footer:
                self._missing(fld, record)
            return
        target = self._foreign_value(layout, fld, label, table, in_footer)
        if target is None:  # a blank value: findings point where it should have been written
            blank = self._blank_cell(fld, label)
            record.cells[fld.key] = blank.ref
            if fld.type == T.MONEY:
                self.blanks.append(formulas.Blank(blank, record, fld.key, False, fld.label))
            return
        record.cells[fld.key] = target.ref
        if not fld.key.startswith("_"):
            _assign(record, fld.key, self._foreign_convert(fld, target, record))

    def _foreign_convert(self, fld: Field, cell: Cell, record: Record) -> Any:
        raw = self.grid.value(cell)
        if fld.type == T.LONG_TEXT:
            text = foreign.strip_html(self._convert(fld.type, raw, cell, record, fld.label))
            return None if text and _INSTRUCTION.search(text) else text
        if fld.type == T.TEXT:
            raw = clean_name(raw) if isinstance(raw, str) else raw
        if fld.type == T.MONEY and isinstance(raw, str):
            bare = _without_unit(raw, record.money_unit)
            return self._convert(fld.type, bare, cell, record, fld.label, shown=raw)
        return self._convert(fld.type, raw, cell, record, fld.label)

    def _period(self, fld: Field, record: Record) -> bool:
        """计划开始/完成日期 from one 实施期 cell: "2023.07-2024.01" (湖南)."""
        label = self.grid.find(vocabulary.PERIOD, None, self.rows, self.top)
        cell = foreign.scan_right(self.grid, label) if label else None
        if cell is None:
            return False
        dates = parse_period(self.grid.value(cell))
        if dates is None:
            return False
        record.cells[fld.key] = cell.ref
        _assign(record, fld.key, dates[0] if fld.key == "start_date" else dates[1])
        return True

    def _goal_row(self, fld: Field, record: Record) -> bool:
        """年度总体目标 followed by two texts and no 预期目标/实际完成情况 labels (北京)."""
        label = self.grid.find(["年度总体目标"], None, self.rows, self.top)
        if label is None:
            return False
        texts, cell = [], foreign.scan_right(self.grid, label)
        while cell is not None and len(texts) < 2:
            texts.append(cell)
            cell = foreign.scan_right(self.grid, cell)
        index = 0 if fld.key == "expected_goal" else 1
        if index >= len(texts):
            return False
        record.cells[fld.key] = texts[index].ref
        _assign(record, fld.key, self._foreign_convert(fld, texts[index], record))
        return True

    def _missing(self, fld: Field, record: Record) -> None:
        """R03: a required label is nowhere in the form — reported, never guessed."""
        self.report(
            "R03",
            _msg("R03", "label", label=fld.label),
            None,
            expected=fld.label,
            project=record.project_name,
        )

    def _nth_label(self, layout: Layout, fld: Field, texts: tuple, expected: int) -> Cell | None:
        """Fields sharing a label (the two 其他资金) take its occurrences in layout order."""
        if layout.kind == SELF_EVALUATION or not (twins := _twins(layout, fld)):
            return self.grid.find(texts, None, self.rows, expected)
        found = {
            c
            for t in texts
            for c in self.grid.labels.get(normalise_label(t), ())
            if c.row in self.rows
        }
        hits = sorted(found, key=lambda c: (c.row, c.col))
        order = sorted([fld, *twins], key=lambda f: Span.parse(f.label_cell).first.col)
        index = order.index(fld)
        return hits[index] if index < len(hits) else None

    def _foreign_value(
        self, layout: Layout, fld: Field, label: Cell, table: _Table, in_footer: bool
    ) -> Cell | None:
        if in_footer:
            col = table.score_col if fld.key != "_total_weight" else table.weight_col
            if not col:
                return foreign.scan_right(self.grid, label)
            # The column is known: its cell (or the merged range over it), never a neighbour.
            cell = Cell(*self.grid.merged_from.get((label.row, col), (label.row, col)))
            return None if foreign.blank(self.grid.value(cell)) else cell
        if fld.key.startswith("funds.") and layout.kind == SELF_EVALUATION:
            return self._grid_value(layout, fld, label)
        value_span, label_span = fld.value_span, fld.label_span
        assert label_span is not None
        if value_span.first.row > label_span.last.row:
            # Goal texts: right of their label in some regions (湖南), below it in others.
            return foreign.scan_right(self.grid, label) or foreign.scan_down(self.grid, label)
        return foreign.scan_right(self.grid, label)

    def _blank_cell(self, fld: Field, label: Cell) -> Cell:
        """Right of the label (after its merged extent), or below it for goal texts."""
        value_span, label_span = fld.value_span, fld.label_span
        if label_span is not None and value_span.first.row > label_span.last.row:
            return Cell(label.row + 1, label.col)
        _, end_col = self.grid.merged_to.get((label.row, label.col), (label.row, label.col))
        return Cell(label.row, end_col + 1)

    def _grid_value(self, layout: Layout, fld: Field, label: Cell) -> Cell | None:
        """自评表 funds: the row of the row label, the column of the header above it."""
        column = fld.key.rsplit(".", 1)[1]
        if self.funds_columns is None:
            self.funds_columns = self._funds_columns(layout, label)
        col = self.funds_columns.get(column)
        return Cell(label.row, col) if col else None

    def _funds_columns(self, layout: Layout, label: Cell) -> dict[str, int]:
        """The funds grid's columns by their headers; when the header has fewer labels than
        the 年度资金总额 row has figures, by the standard order, with a warning (R17)."""
        rows = range(self.top, label.row)
        found: dict[str, int] = {}
        for key, texts in layout.grid_columns.items():
            header = self.grid.find(texts, None, rows, label.row)
            if header is not None:
                found[key] = header.col
        total = self._total_row_label(layout) or label
        end_col = self.grid.merged_to.get((total.row, total.col), (total.row, total.col))[1]
        values = self.grid.rows[total.row - 1][end_col:]
        figures = [
            col
            for col, v in enumerate(values, start=end_col + 1)
            if not foreign.blank(v) and parse_rate(v, fraction=False).ok
        ]
        standard = list(vocabulary.FUNDS_COLUMNS)  # 年初预算数 … 得分, the printed order
        if len(figures) == len(standard) - 1 and "initial_budget" not in found:
            standard.remove("initial_budget")
        if len(found) < len(figures) == len(standard):
            shown = "、".join(vocabulary.FUNDS_COLUMNS[k][0] for k in standard)
            self.report(
                "R17",
                _msg("R17", found=len(found), figures=len(figures), order=shown),
                Cell(total.row, figures[0]),
            )
            found = dict(zip(standard, figures, strict=True))
        if "adjusted_budget" not in found and "initial_budget" in found:
            # No 全年预算数 column (北京: 执行率(B/A) on 年初预算数): the only budget is it.
            found["adjusted_budget"] = found["initial_budget"]
        # The reason column (四川: 原因), after the figures: it is no figure of R17's order.
        reason = self.grid.find(vocabulary.FUNDS_REASON, None, rows, label.row)
        if reason is not None and reason.col not in found.values():
            found["reason"] = reason.col
        return found

    def _total_row_label(self, layout: Layout) -> Cell | None:
        fld = next(f for f in layout.fields if f.key == "funds.total.adjusted_budget")
        return self.grid.find((fld.label, *fld.aliases), None, self.rows, self.top)

    def _convert(
        self, typ: T, raw: Any, cell: Cell, record: Record, label: str, shown: Any = None
    ) -> Any:
        if (value := _plain_value(typ, raw)) is not _SLOW:
            return value
        if typ == T.GRADE and cell_values.is_number(raw):
            # A formula's cached result of the wrong type: a .xls saved by LibreOffice gives
            # the 评分等级 formula as 0. Missing, not "0" (a false S14, a file left unmerged).
            return None
        if typ in (T.TEXT, T.LONG_TEXT, T.GRADE):
            text = _text(raw)
            if text is not None and len(text) > cell_values.MAX_TEXT:
                self.report(
                    "R22",
                    _msg("R22", label=label, length=len(text), most=cell_values.MAX_TEXT),
                    cell,
                    project=record.project_name,
                )
                return text[: cell_values.MAX_TEXT]
            return text
        if typ == T.DATE:
            return parse_date(raw).value
        parsed = parse_rate(raw, fraction=True) if typ == T.RATE else parse_number(raw)
        problem = (
            _msg("R04", "text", shown=cell_values.shown(raw))
            if not parsed.ok
            else parsed.value is not None and cell_values.number_problem(parsed.value)
        )
        if problem:
            self.report(
                "R04",
                _msg("R04", label=label, problem=problem),
                cell,
                value=cell_values.plain(raw),
                expected="数字",
                project=record.project_name,
            )
            return None
        if parsed.coerced and typ != T.RATE:
            raw = raw if shown is None else shown
            self.report(
                "R06",
                _msg("R06", label=label, raw=raw, value=_shown(parsed.value)),
                cell,
                value=cell_values.plain(raw),
                expected=parsed.value,
                project=record.project_name,
            )
        return parsed.value

    def _table(self, layout: Layout, record: Record) -> _Table:
        header_label = layout.columns[0].label
        expected = layout.header_row + self.top - 1
        header = self.grid.find([header_label], None, self.rows, expected)
        if header is None:
            self.report(
                "R03",
                _msg("R03", "header"),
                None,
                expected="一级指标",
                project=record.project_name,
            )
            return _Table(self.end)
        if not self.stamped:
            return self._foreign_table(layout, record, header)
        cols = self._columns(layout, header.row)
        record.cells["indicators"] = header.ref
        record.cells.update({f"indicators.{k}": col_letter(c) for k, (c, _, _) in cols.items()})
        name_col = cols["name"][0]
        end = self._table_end(layout, header.row, name_col)
        previous = Indicator()
        spec = tuple((k, c, typ, label) for k, (c, typ, label) in cols.items())
        at = {k: c for k, (c, _, _) in cols.items()}
        for row in range(header.row + 1, end + 1):
            ind = self._indicator(row, spec, record)
            if ind is None:
                continue
            _fill_down(ind, previous)
            self._append(record, ind)
            self._note_blanks(ind, at)
            previous = ind
        self._levels(record, set())
        return _Table(
            end, header.row, name_col, cols.get("score", (0,))[0], cols.get("weight", (0,))[0]
        )

    def _table_end(self, layout: Layout, header_row: int, name_col: int) -> int:
        """The last indicator row: above the first footer (总分, 合计, 评分等级) or the first
        block printed below the table (财政部门审核意见, 填表人 …), left of 三级指标."""
        stops = _footer_labels(layout)
        below = () if self.stamped else _below_table()
        for row in range(header_row + 1, min(self.end, self.grid.height) + 1):
            for value in self.grid.rows[row - 1][: max(0, name_col - 1)]:
                if value.__class__ is str and value:
                    for key in cell_keys(value):
                        if key in stops or key.startswith(below):
                            return row - 1
        return self.end

    def _note_blanks(self, ind: Indicator, cols: dict[str, int]) -> None:
        for key in ("target", "actual", "weight", "score"):
            if key in cols and getattr(ind, key) is None:
                cell = Cell(ind.row or 0, cols[key])
                text = key in ("target", "actual")
                self.blanks.append(formulas.Blank(cell, ind, key, text, key))

    def _append(self, record: Record, ind: Indicator) -> None:
        # The same few 一级/二级 names on every row of every form: one string each.
        ind.level1 = ind.level1 and sys.intern(ind.level1)
        ind.level2 = ind.level2 and sys.intern(ind.level2)
        record.indicators.append(ind)

    def _foreign_table(self, layout: Layout, record: Record, header: Cell) -> _Table:
        """The indicator table of a layout xltools did not write: columns by header."""
        tc = foreign_table.map_columns(self.grid, header)
        for key in ("name", "target"):
            if key not in tc.cols:
                label = layout.column(key).label
                self.report(
                    "R03",
                    _msg("R03", "column", label=label),
                    header,
                    expected=label,
                    project=record.project_name,
                )
        record.cells["indicators"] = header.ref
        record.cells.update({f"indicators.{k}": col_letter(c) for k, c in tc.cols.items()})
        name_col = tc.cols.get("name", 10**6)
        end = self._table_end(layout, tc.last_header_row, name_col)
        by_meaning = layout.kind == DECLARATION
        types = {c.key: (c.type, c.label) for c in layout.columns}
        previous, carried, mapped = Indicator(), set(), tc.mapped()
        for row in range(tc.last_header_row + 1, end + 1):
            if by_meaning and not self._fits(row, tc, mapped):
                cols = {k: (c, *types[k]) for k, c in tc.cols.items() if k in types}
                ind = self._indicator_by_meaning(row, cols, record, previous)
            else:
                ind = self._indicator_by_header(row, tc, types, record)
            if ind is None:
                continue
            was_blank = ind.level1 is None
            _fill_down(ind, previous)
            previous = ind
            if not any(
                getattr(ind, k) is not None for k in ("name", "target", "actual", "weight", "score")
            ) or (foreign_table.is_placeholder(ind.name) and ind.target is None):
                continue  # 二级 only, or a template's 指标1 row: not an indicator
            if was_blank and ind.level1 is not None:
                carried.add(len(record.indicators))
            self._append(record, ind)
            if tc.operator is None:  # a split target is three cells, none a formula here
                self._note_blanks(ind, tc.cols)
        self._levels(record, carried)
        return _Table(end, header.row, name_col, tc.cols.get("score", 0), tc.cols.get("weight", 0))

    def _fits(self, row: int, tc: foreign_table.TableColumns, mapped: set[int]) -> bool:
        """Every filled cell of the row sits under a header (not shifted sideways)."""
        first = min(mapped, default=1)
        values = self.grid.rows[row - 1] if row <= self.grid.height else []
        for col, value in enumerate(values, start=1):
            if foreign.blank(value) or (row, col) in self.grid.merged_from:
                continue
            if col < first:  # the block label (绩效指标) may sit there, a level word may not
                if foreign_table.level_name(value) in foreign.LEVELS:
                    return False
            elif col not in mapped:
                return False
        l1 = _at(values, tc.cols.get("level1", 0))
        if l1 is not None and foreign_table.level_name(l1) not in foreign.LEVEL1:
            return False
        # A name shifted into the 二级 column leaves the name or the target column empty
        # (seed 002); an unknown 二级 with its name and target in place is a 二级 (R14).
        l2 = foreign_table.level_name(_at(values, tc.cols.get("level2", 0)))
        known = l2 is None or levels.canonical_level2(l2) in foreign.LEVEL2
        return known or all(
            not foreign.blank(_at(values, tc.cols.get(key, 0))) for key in ("name", "target")
        )

    def _indicator_by_header(
        self, row: int, tc: foreign_table.TableColumns, types: dict, record: Record
    ) -> Indicator | None:
        values = self.grid.rows[row - 1] if row <= self.grid.height else []
        n = len(values)
        # Every mapped column (an operator and a unit split off the target too): all blank,
        # no indicator. _at inlined: this runs for every cell of every table.
        raw = {}
        for key, col in tc.cols.items():
            value = values[col - 1] if 0 < col <= n else None
            raw[key] = None if value == "" else value
        parts = [_at(values, c) for c in (tc.operator, tc.unit) if c]
        if all(foreign.blank(v) for v in raw.values()) and all(foreign.blank(v) for v in parts):
            return None
        extras = {k: clean_text(_at(values, c)) for k, c in tc.extras.items()}
        extras = {k: v for k, v in extras.items() if v is not None}
        ind = Indicator(row=row, extras=extras or None)
        split = tc.operator or tc.unit
        for key, value in raw.items():
            if key not in types:
                continue
            typ, label = types[key]
            if key == "level1" or key == "level2":
                value = foreign_table.level_name(value)
            elif key == "name":
                value = clean_name(value)
            elif key == "target" and split:
                op = _at(values, tc.operator) if tc.operator else None
                unit = _at(values, tc.unit) if tc.unit else None
                value = foreign_table.compose_target(op, value, unit)
            converted = _plain_value(typ, value)
            if converted is _SLOW:
                converted = self._convert(typ, value, Cell(row, tc.cols[key]), record, label)
            setattr(ind, key, converted)
        ind.target = foreign_table.normalise_operator(ind.target)
        return ind

    def _levels(self, record: Record, carried: set[int]) -> None:
        """二级 synonyms, a 一级 inferred from its 二级 (R13), unknown 二级 (R14)."""
        framework = levels.framework_of(self.profile)
        table_col = record.cells.get("indicators.level1", "B")
        level2_col = record.cells.get("indicators.level2", "C")
        for i, ind in enumerate(record.indicators):
            ind.level2 = levels.canonical_level2(ind.level2)
            new = levels.inferred_level1(framework, ind.level1, ind.level2, i in carried)
            if new is not None:
                old = f"“{ind.level1}”" if ind.level1 else "空白"
                self.report(
                    "R13",
                    _msg("R13", level1=old, level2=ind.level2, new=new),
                    Cell.parse(f"{table_col}{ind.row}"),
                    value=ind.level1,
                    expected=new,
                    project=record.project_name,
                )
                ind.level1 = sys.intern(new)
            elif levels.unknown_level2(framework, ind.level1, ind.level2):
                self.report(
                    "R14",
                    _msg("R14", level2=ind.level2, level1=ind.level1),
                    Cell.parse(f"{level2_col}{ind.row}"),
                    value=ind.level2,
                    project=record.project_name,
                )

    def _indicator_by_meaning(
        self, row: int, cols: dict, record: Record, previous: Indicator
    ) -> Indicator | None:
        width = max(c for c, _, _ in cols.values()) + 2
        values = [(c, self.grid.value(Cell(row, c))) for c in range(1, width + 1)]
        parts = foreign.split_indicator_row(values, previous.level1)
        if not any(parts.get(k) for k in ("level1", "level2", "name", "target")):
            return None
        ind = Indicator(row=row)
        clean = {
            "level1": foreign_table.level_name,
            "level2": foreign_table.level_name,
            "name": clean_name,
            "target": lambda v: foreign_table.normalise_operator(clean_text(v)),
        }
        for key, how in clean.items():
            col = parts["cols"].get(key, cols.get(key, (0,))[0])
            value = how(parts.get(key))
            setattr(ind, key, self._convert(T.TEXT, value, Cell(row, col), record, key))
        return ind

    def _columns(self, layout: Layout, header_row: int) -> dict[str, tuple[int, T, str]]:
        """Each column of the table by its header (the leftmost cell of the header row with
        its label or an alias), else where the layout puts it."""
        first: dict[str, int] = {}
        width = len(self.grid.rows[header_row - 1]) if header_row <= self.grid.height else 0
        for col in range(width, 0, -1):  # right to left: the leftmost cell of a key stays
            for key in self.grid.keys_at(header_row, col):
                first[key] = col
        out = {}
        for column in layout.columns:
            hits = [first[k] for k in _label_keys((column.label, *column.aliases)) if k in first]
            col = min(hits) if hits else Cell.parse(f"{column.col}1").col
            out[column.key] = (col, column.type, column.label)
        return out

    def _indicator(
        self, row: int, spec: tuple[tuple[str, int, T, str], ...], record: Record
    ) -> Indicator | None:
        """The indicator on ``row`` (None for a blank row); ``spec``: (key, column, type,
        label) of each column."""
        values = self.grid.rows[row - 1] if row <= len(self.grid.rows) else []
        n = len(values)
        raw = [values[col - 1] if col <= n else None for _, col, _, _ in spec]
        raw = [None if v == "" else v for v in raw]
        if all(foreign.blank(v) for v in raw):
            return None
        ind = Indicator(row=row)
        for (key, col, typ, label), cell in zip(spec, raw, strict=True):
            value = _plain_value(typ, cell)
            if value is _SLOW:
                value = self._convert(typ, cell, Cell(row, col), record, label)
            setattr(ind, key, value)
        return ind

    def _computed(self, layout: Layout, record: Record) -> None:
        """Formula cells without a cached value (R05): fill in our own computation."""
        if not isinstance(record, SelfEvaluation):
            return
        mode, total = self.profile.rounding, record.funds.total
        checks: list[tuple[str, Any, Any]] = []
        if total.execution_rate is None:
            rate = compute.execution_rate(total.adjusted_budget, total.executed, mode)
            checks.append(("funds.total.execution_rate", rate, "execution_rate"))
            total.execution_rate = rate
        if total.score is None:
            score = compute.execution_score(total.execution_rate, total.weight, mode)
            checks.append(("funds.total.score", score, "score"))
            total.score = score
        if record.total_score is None:
            overall = compute.total_score(total.score, [i.score for i in record.indicators])
            checks.append(("total_score", overall, None))
            record.total_score = overall
        if record.grade is None and "grade" in record.cells:
            record.grade = compute.grade(record.total_score, self.profile.grades)
            checks.append(("grade", record.grade, None))
        for key, value, _ in checks:
            if value is not None and key in record.cells:
                self.report(
                    "R05",
                    _msg("R05", value=_shown(value)),
                    Cell.parse(record.cells[key]),
                    expected=value,
                    project=record.project_name,
                )


_SLOW = object()  # _plain_value: not a plain cell, convert it in full


def _plain_value(typ: T, raw: Any) -> Any:
    """What :meth:`FormReader._convert` makes of the usual cells, without its checks: a
    blank, a text of normal length, a finite number where an amount or points belong;
    ``_SLOW`` for every other cell."""
    if raw is None:
        return None
    kind = raw.__class__
    # By identity: an Enum member's hash runs in Python, and this runs for every cell.
    if kind is str:
        if typ is T.TEXT or typ is T.LONG_TEXT or typ is T.GRADE:
            text = clean_text(raw)
            return text if text is None or len(text) <= cell_values.MAX_TEXT else _SLOW
    elif kind is float or kind is int:
        if typ is T.MONEY or typ is T.WEIGHT or typ is T.SCORE:
            number = float(raw)
            ok = math.isfinite(number) and abs(number) <= cell_values.MAX_NUMBER
            return number if ok else _SLOW
        if typ == T.GRADE:
            return None  # a formula's cached number where the grade belongs (see _convert)
    return _SLOW


def _without_unit(text: str, unit: str) -> str:
    """ "250万" in a form stated in 万元 is 250 (the unit repeated in the cell)."""
    bare = text.strip()
    for suffix in ("万元", "万") if unit == "万元" else ("元",):
        if bare.endswith(suffix) and parse_number(bare[: -len(suffix)]).ok:
            return bare[: -len(suffix)]
    return text


def _shown(value: Any) -> str:
    """A number as a clerk writes it: 29,620,000 and 85.46, never 2.962e+07."""
    return f"{value:,.15g}" if isinstance(value, float) else str(value)


@dataclass
class _Table:
    end: int  # last row of the indicator table
    header_row: int = 0
    name_col: int = 10**6  # footer labels (总分) sit left of this column
    score_col: int = 0
    weight_col: int = 0


def _at(values: list[Any], col: int) -> Any:
    """The value in 1-based column ``col`` of a row (None when blank), like Grid.value."""
    value = values[col - 1] if 1 <= col <= len(values) else None
    return None if value == "" else value


def _fill_down(ind: Indicator, previous: Indicator) -> None:
    """一级/二级 are merged (or left blank) over the rows they cover: carry them down."""
    if ind.level1 is None:
        ind.level1 = previous.level1
        if ind.level2 is None:
            ind.level2 = previous.level2
    elif ind.level2 is None and ind.level1 == previous.level1:
        ind.level2 = previous.level2


def _text(raw: Any) -> str | None:
    if hasattr(raw, "isoformat"):
        return parse_date(raw).value  # type: ignore[return-value]
    return clean_text(raw)


def _assign(record: Record, key: str, value: Any) -> None:
    _assign_path(record, key.split("."), value)


def _assign_path(record: Record, path: Sequence[str], value: Any) -> None:
    """``record.funds.total.executed = value`` for the path ("funds", "total", "executed")."""
    target: Any = record
    for part in path[:-1]:
        target = getattr(target, part)
    setattr(target, path[-1], value)


# -- workbook level ----------------------------------------------------------------------------


def _forms(grid: Grid, result: ReadResult, sheet: str) -> list[tuple[int, int, str]]:
    """(top, end, kind) of every form of a sheet; what is not read is reported (R08, R09)."""
    found = recognise.headings(grid.rows, cell_keys)
    forms = [h for h in found if h.kind is not None]
    for h in found:
        if h.kind is None:
            message = _msg("R09", sheet=sheet, title=clean_name(h.text))
            result.findings.append(
                finding("R09", message, result.file, sheet=sheet, cell=Cell(h.row, h.col).ref)
            )
    if not forms:
        kind, seen = recognise.kind_by_labels(grid.labels)
        if kind is None:
            # A form prints its labels on several rows; a list (项目汇总, 指标明细) has
            # them all in its one header row, and is no form.
            rows = {c.row for t in seen for c in grid.labels[t]}
            if len(seen) >= 2 and len(rows) >= 2:
                labels = "、".join(f"“{t}”" for t in seen)
                message = _msg("R08", sheet=sheet, labels=labels)
                result.findings.append(finding("R08", message, result.file, sheet=sheet))
            return []
        first = min(c.row for t in seen for c in grid.labels[t])
        name = KIND_NAMES[kind]
        message = _msg("R11", sheet=sheet, kind=name)
        result.findings.append(
            finding("R11", message, result.file, sheet=sheet, cell=Cell(first, 1).ref)
        )
        return [(max(1, first - 1), grid.height, kind)]
    out = []
    for i, h in enumerate(forms):
        end = forms[i + 1].row - 1 if i + 1 < len(forms) else grid.height
        # A related form below this one ends it too.
        end = min([end, *(r.row - 1 for r in found if r.kind is None and r.row > h.row)])
        out.append((h.row, end, h.kind))
    return out


def _uncached(path: Path, sheet: str, blanks: list[formulas.Blank], result: ReadResult) -> None:
    """R15/R16: blank cells that hold a formula without a cached value."""
    found = formulas.formulas_at(path, sheet, [b.cell for b in blanks])
    for blank in blanks:
        formula = found.get(blank.cell)
        if formula is None:
            continue
        where = {"sheet": sheet, "cell": blank.cell.ref, "value": formula}
        if blank.text and formulas.is_literal(formula):
            _assign(blank.target, blank.key, formula.strip())
            message = _msg("R15", label=blank.label, formula=formula)
            result.findings.append(finding("R15", message, result.file, **where))
        else:
            message = _msg("R16", formula=formula)
            result.findings.append(finding("R16", message, result.file, **where))


def _has_stamp(rows: list[list[Any]]) -> bool:
    """A cell holds xltools' identity stamp: the sheet is a form xltools wrote."""
    return any(
        isinstance(value, str) and value.startswith("xltools:") and _STAMP.match(value)
        for row in rows
        for value in row
    )


def read_workbook(path: str | Path, profile: Profile | None = None) -> ReadResult:
    """Every form in the workbook at ``path`` as records, and what went wrong reading them."""
    path = Path(path)
    profile = profile or load_profile()
    result = ReadResult(str(path))
    grids: list[tuple[str, Grid, bool]] = []

    def template_sheet(name: str, hidden: bool) -> bool:
        if name != GUIDE_SHEET and (name != LISTS_SHEET or not hidden):
            return False
        return any(_has_stamp(grid.rows) for _, grid, _ in grids)

    try:
        for name, read, hidden in _sheets(path, result, template_sheet):
            if isinstance(read, str):
                message = _msg("R20", "sheet", sheet=name, problem=read)
                result.findings.append(finding("R20", message, str(path), sheet=name))
            elif read is not None and recognise.looks_like_form(read[0]):
                grids.append((name, Grid(*read), hidden))  # 填表说明, lists: no label index
    except Unreadable as exc:
        result.findings.append(finding(exc.rule, str(exc), str(path)))
        return result
    except BaseException as exc:  # a malformed sheet, or a Rust panic (no Exception) in calamine
        if isinstance(exc, KeyboardInterrupt | SystemExit):
            raise
        message = _diagnose_zip(path) or _msg("R01", "content", error=exc)
        result.findings.append(finding("R01", message, str(path)))
        return result
    for name, grid, hidden in grids:
        forms = _forms(grid, result, name)
        if forms and hidden:
            message = _msg("R10", sheet=name)
            result.findings.append(finding("R10", message, str(path), sheet=name))
        blanks: list[formulas.Blank] = []
        for top, end, kind in forms:
            reader = FormReader(grid, str(path), name, top, end, profile)
            result.records.append(reader.read(kind))
            result.findings += reader.findings
            blanks += reader.blanks
        if blanks and path.suffix.lower() in formulas.FORMULA_FILES:
            _uncached(path, name, blanks, result)
    if not result.records and result.readable:  # an R01/R20 already says why
        result.findings.append(
            finding(
                "R02",
                _msg("R02"),
                str(path),
            )
        )
    return result


def discover(inputs: Iterable[str | Path]) -> list[Path]:
    """Files given directly, and the workbook-named entries inside given folders."""
    return paths.discover(inputs)


__all__ = ["READABLE", "ReadResult", "col_letter", "discover", "read_workbook"]
