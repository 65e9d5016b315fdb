"""The shape of a row-level rule: one vectorised predicate per rule, and its Chinese message.

A :class:`RowRule` says which table it reads, which cell a failure points to, how
to test every row at once (``True`` = the row passes) and how to explain a failing
row to a clerk. :mod:`xltools.check.schemas` turns these into named pandera checks.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd

Predicate = Callable[[pd.DataFrame], pd.Series]
Message = Callable[[pd.Series], tuple[str, Any, Any]]
ISO = r"^\d{4}-\d{2}-\d{2}$"


@dataclass(frozen=True)
class RowRule:
    id: str
    table: str  # "declarations", "self_evaluations", "funds", "indicators"
    locate: str  # the record key (or indicator column) a failure points to
    predicate: Predicate
    message: Message
    kind: str | None = None  # indicators: only rows of this form kind
    severity: str | None = None  # None: the catalogue's; S09 is a warning inside the 达成 tier
    key: str | None = None  # tells two rules of one ID on the same cell apart (default: locate)

    @property
    def name(self) -> str:
        """The pandera check's name: the rule ID, and what it looks at (``D03:start_date``)."""
        return f"{self.id}:{self.key or self.locate}"


def money(x: Any) -> str:
    return "空白" if x is None or pd.isna(x) else f"{x:,.2f}"


def txt(x: Any) -> str:
    """A cell's text in a message: blank (None, NaN, "") reads 空白, never "None"/"nan"."""
    if x is None or x is pd.NA or (isinstance(x, float) and x != x):
        return "空白"
    text = str(x).strip()
    return text or "空白"


def pts(x: Any) -> str:
    return "空白" if x is None or pd.isna(x) else f"{x:.2f}"


def filled(s: pd.Series) -> pd.Series:
    """Not blank: neither missing nor only white space (a number is filled)."""
    return pd.Series([_filled(v) for v in s.tolist()], index=s.index, dtype=bool)


def _filled(v: Any) -> bool:
    if isinstance(v, str):
        return v.strip() != ""
    return not pd.isna(v)


def zero(s: pd.Series) -> pd.Series:
    return s.fillna(0.0)


def close(a: pd.Series, b: pd.Series, tol: float) -> pd.Series:
    return (a - b).abs() <= tol + 1e-9


def zero_of(r: Any, c: str) -> float:
    return 0.0 if pd.isna(r[c]) else float(r[c])


def year_of(s: pd.Series) -> pd.Series:
    """The year of ISO date strings, NaN where there is none."""
    return pd.to_numeric(s.astype("string").str.slice(0, 4), errors="coerce")
