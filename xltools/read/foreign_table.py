"""The indicator table of a layout xltools did not write: every column by its header.

Regions add columns (指标性质, 度量单位, 绩效标准, 得分计算方法), move 分值 before
年度指标值, or head a column over two rows; so each column is mapped from its header
text through the vocabulary (forms/vocabulary.py), never from its position. A target
split over 指标性质 + 指标值 + 度量单位 is put together again ("≥95%").
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from xltools.forms import Cell, vocabulary
from xltools.text import clean_name, clean_text, normalise_label

_COLUMN = vocabulary.lookup(vocabulary.COLUMNS)
_PART = vocabulary.lookup(vocabulary.TARGET_PARTS)
_EXTRA = vocabulary.lookup(vocabulary.EXTRA_COLUMNS)
# Operators written with look-alike characters (after NFKC): ﹦ and ＝ are already "=".
_LOOKALIKE = {"≧": "≥", "≦": "≤"}
_OPERATORS = ("≥", "≤", ">=", "<=", ">", "<", "=")
_LEADING_OP = re.compile(r"^\s*([≧≦﹦＝＞＜﹥﹤])")
_PLACEHOLDER = re.compile(r"^(指标\d+|[.…。·、]+|…+)$")


@dataclass
class TableColumns:
    cols: dict[str, int] = field(default_factory=dict)  # record key → column
    operator: int | None = None
    unit: int | None = None
    extras: dict[str, int] = field(default_factory=dict)  # extras key → column
    last_header_row: int = 0

    def mapped(self) -> set[int]:
        out = set(self.cols.values()) | set(self.extras.values())
        return out | {c for c in (self.operator, self.unit) if c}


def _header_text(grid: Any, row: int, col: int) -> str:
    origin = grid.merged_from.get((row, col), (row, col))
    value = grid.value(Cell(*origin))
    return normalise_label(value) if isinstance(value, str) else ""


def _second_header_row(grid: Any, row: int, width: int) -> bool:
    """The row below the header is a header too when it holds column words only."""
    texts = [
        _header_text(grid, row, c) for c in range(1, width + 1) if (row, c) not in grid.merged_from
    ]
    words = [t for t in texts if t]
    known = [t for t in words if t in _COLUMN or t in _PART or t in _EXTRA]
    return bool(known) and len(known) == len(words)


def map_columns(grid: Any, header: Cell) -> TableColumns:
    width = max((len(r) for r in grid.rows[header.row - 1 : header.row + 1]), default=0)
    rows = [header.row]
    if header.row + 1 <= grid.height and _second_header_row(grid, header.row + 1, width):
        rows.append(header.row + 1)
    out = TableColumns(last_header_row=rows[-1])
    for col in range(1, width + 1):
        # The lower header row is the more specific one (指标性质 under a merged 指标值).
        for row in reversed(rows):
            text = _header_text(grid, row, col)
            if text in _PART and getattr(out, _PART[text]) is None:
                setattr(out, _PART[text], col)
                break
            if text in _EXTRA and _EXTRA[text] not in out.extras:
                out.extras[_EXTRA[text]] = col
                break
            if text in _COLUMN and _COLUMN[text] not in out.cols:
                out.cols[_COLUMN[text]] = col
                break
    return out


def operator(value: Any) -> str | None:
    """An operator cell (指标性质): ``=``, ``≥``, ``﹦``, ``>=`` …; a word (定性) is none."""
    text = unicodedata.normalize("NFKC", str(value or "")).strip()
    text = _LOOKALIKE.get(text, text)
    return text if text in _OPERATORS else None


def number_text(value: Any) -> str | None:
    """A number as the form shows it: 100.0 → "100", 95.5 → "95.5"."""
    if isinstance(value, float):
        return f"{value:.10f}".rstrip("0").rstrip(".") if value == value else None
    return clean_text(value)


def compose_target(op: Any, value: Any, unit: Any) -> str | None:
    """指标性质 + 指标值 + 度量单位 → one target: ("=", 100, "%") → "=100%"."""
    number = number_text(value)
    if number is None:
        return None
    sign = operator(op) or ""
    return f"{sign}{number}{clean_text(unit) or ''}"


def normalise_operator(target: str | None) -> str | None:
    """A target starting with a look-alike operator (﹦100%, ≧90%) with the real one."""
    if not target or not (m := _LEADING_OP.match(target)):
        return target
    sign = unicodedata.normalize("NFKC", m.group(1))
    return _LOOKALIKE.get(sign, sign) + target[m.end() :]


def is_placeholder(name: str | None) -> bool:
    """Template rows: 指标1, 指标2, ……"""
    return bool(name) and bool(_PLACEHOLDER.match(name or ""))


def level_name(value: Any) -> str | None:
    """一级/二级 as stored: line breaks and spaces out, printed points out."""
    return _level_name(value) if isinstance(value, str) else _level_name_of(value)


@functools.lru_cache(maxsize=4096)  # the same few 一级/二级 words on every row
def _level_name(value: str) -> str | None:
    return _level_name_of(value)


def _level_name_of(value: Any) -> str | None:
    text = clean_name(value)
    if text is None:
        return None
    bare = normalise_label(text)
    return bare or None
