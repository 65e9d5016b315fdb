"""The vocabulary in which each form is declared once.

A :class:`Layout` says where every label and value sits in our template, what type
each value has, which values are chosen from lists and which are formulas. The
writer draws the template from it; the reader finds the same labels again (also
after a user inserted or deleted rows) and reads the values beside them.

Cells are written like Excel (``"B3"``, ``"B3:E3"``), 1-based.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from enum import Enum

_CELL = re.compile(r"^([A-Z]+)(\d+)$")


class T(Enum):
    """Value types; each maps to a cell format, a validation and a reader."""

    TEXT = "text"
    LONG_TEXT = "long_text"
    DATE = "date"
    MONEY = "money"
    WEIGHT = "weight"
    SCORE = "score"
    RATE = "rate"
    GRADE = "grade"


@dataclass(frozen=True)
class Cell:
    row: int  # 1-based
    col: int  # 1-based

    @classmethod
    @functools.lru_cache(maxsize=4096)
    def parse(cls, ref: str) -> Cell:
        m = _CELL.match(ref)
        if not m:
            raise ValueError(f"not a cell reference: {ref!r}")
        col = 0
        for ch in m.group(1):
            col = col * 26 + ord(ch) - 64
        return cls(int(m.group(2)), col)

    @property
    def ref(self) -> str:
        return f"{col_letter(self.col)}{self.row}"

    def shift(self, rows: int) -> Cell:
        return Cell(self.row + rows, self.col)


def col_letter(col: int) -> str:
    letters = ""
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


@dataclass(frozen=True)
class Span:
    """A cell or a merged range, e.g. ``"B3:E3"``."""

    first: Cell
    last: Cell

    @classmethod
    @functools.lru_cache(maxsize=4096)
    def parse(cls, ref: str) -> Span:
        a, _, b = ref.partition(":")
        return cls(Cell.parse(a), Cell.parse(b or a))

    @property
    def merged(self) -> bool:
        return self.first != self.last

    def shift(self, rows: int) -> Span:
        return Span(self.first.shift(rows), self.last.shift(rows))


@dataclass(frozen=True)
class Field:
    """One labelled value of the header, funds or goals blocks."""

    key: str  # dotted path into the record; "_…" for display-only cells
    label: str
    type: T
    label_cell: str | None  # None: the value has no label of its own (goal texts)
    value_cell: str
    required: bool = False
    aliases: tuple[str, ...] = ()
    choices: str | None = None  # name of a list in Layout.choices
    prompt: str = ""
    formula: str | None = None  # template with {key} placeholders, see writer
    default: object = None  # what a blank template shows (the funds row's 分值 10)
    anchor: str | None = None  # label to search for when label_cell is None

    @property
    def value_span(self) -> Span:
        return Span.parse(self.value_cell)

    @property
    def label_span(self) -> Span | None:
        return Span.parse(self.label_cell) if self.label_cell else None


@dataclass(frozen=True)
class Column:
    """One column of the indicator table."""

    key: str
    label: str
    col: str  # column letter
    type: T
    required: bool = False
    aliases: tuple[str, ...] = ()
    prompt: str = ""
    unique: bool = False  # not twice in one form (the 三级指标: D14/S17)


@dataclass(frozen=True)
class Footer:
    """A row below the indicator table (总分, 评分等级): ``offset`` rows after its last row."""

    offset: int
    label: str
    label_cols: str  # e.g. "A:F"
    fields: tuple[Field, ...]
    aliases: tuple[str, ...] = ()  # other words for the footer's label (合计 for 总分)

    @property
    def labels(self) -> tuple[str, ...]:
        return (self.label, *self.aliases)


@dataclass(frozen=True)
class Layout:
    kind: str  # model.DECLARATION or model.SELF_EVALUATION
    version: str  # layout version, part of the template's identity stamp
    sheet_name: str
    title: str
    widths: dict[str, float]  # column letter → width in characters
    fields: tuple[Field, ...]
    statics: tuple[tuple[str, str], ...]  # (range, text): block labels that carry no value
    table_block: str  # the block label left of the indicator table, e.g. "绩效指标"
    header_row: int  # row of the indicator table's header
    columns: tuple[Column, ...]
    footers: tuple[Footer, ...] = ()
    choices: dict[str, tuple[str, ...]] = field(default_factory=dict)
    tall_rows: dict[int, float] = field(default_factory=dict)  # row → height in points
    # Funds grid (自评表): record column → header texts seen in real forms, for foreign layouts.
    grid_columns: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def last_col(self) -> str:
        return max(self.widths, key=lambda c: Cell.parse(f"{c}1").col)

    @property
    def stamp(self) -> str:
        return f"xltools:{self.kind}:{self.version}"

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)

    def all_fields(self) -> tuple[Field, ...]:
        return self.fields + tuple(f for footer in self.footers for f in footer.fields)


# The 一级/二级 columns are the same on both forms: B and C, chosen from dropdowns.
LEVEL_COLUMNS = (
    Column(
        "level1",
        "一级指标",
        "B",
        T.TEXT,
        required=True,
        prompt="从下拉列表选择一级指标；每行都请填写。",
    ),
    Column(
        "level2",
        "二级指标",
        "C",
        T.TEXT,
        required=True,
        prompt="先选一级指标，再从下拉列表选择其下的二级指标。",
    ),
)
