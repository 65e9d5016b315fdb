"""Findings: what a rule found, where, and how serious. Plain data, no pandas.

Every finding carries a stable rule ID from the catalogue (shared/spec/rules.md),
a severity, a location a clerk can click (``申报表!E7``), the offending value,
what was expected, and a Chinese message that needs no manual.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from xltools.catalogue import ERROR, INFO, RULES, SEVERITY_ORDER, WARNING

__all__ = [
    "ERROR",
    "INFO",
    "RULES",
    "SEVERITY_ORDER",
    "WARNING",
    "Finding",
    "finding",
    "record_cell",
    "record_finding",
]


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: str
    message: str
    file: str
    sheet: str | None = None
    cell: str | None = None  # "E7", or a row "14" when the whole row is meant
    value: Any = None
    expected: Any = None
    project: str | None = None

    @property
    def location(self) -> str:
        if self.sheet and self.cell:
            return f"{self.sheet}!{self.cell}"
        return self.sheet or ""

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["location"] = self.location
        return out

    def line(self) -> str:
        """One line for a terminal or a log: ``文件  申报表!E7  [R04 错误] message``."""
        where = f"  {self.location}" if self.location else ""
        return f"{self.file}{where}  [{self.rule} {self.severity}] {self.message}"


def finding(
    rule: str, message: str, file: str, *, severity: str | None = None, **where: Any
) -> Finding:
    """Every finding is made here: the rule's severity from the catalogue unless the case
    calls for another (``severity``); ``where``: sheet, cell, value, expected, project."""
    return Finding(rule, severity or RULES[rule].severity, message, file, **where)


def _plain(value: Any) -> Any:
    """numpy scalars → Python, NaN → None, so findings serialise to JSON."""
    if value is None:
        return None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and value != value:
        return None
    return value


def record_finding(
    rule: str,
    record: Any,
    cell: str | None,
    message: str,
    value: Any = None,
    expected: Any = None,
    severity: str | None = None,
) -> Finding:
    """A finding about one form (``record``), located in its file and sheet; ``severity``
    when the rule's depends on the case (else the catalogue's)."""
    source = record.source
    return finding(
        rule,
        message,
        source.file if source else "",
        severity=severity,
        sheet=source.sheet if source else None,
        cell=cell,
        value=_plain(value),
        expected=_plain(expected),
        project=record.project_name,
    )


def record_cell(record: Any, key: str, row: Any = None) -> str | None:
    """The cell of ``key`` in a form: a record key (``funds.total.score``) or, with the
    indicator ``row``, an indicator column (``score`` → ``H14``)."""
    if row is not None and not (isinstance(row, float) and row != row):
        letter = record.cells.get(f"indicators.{key}")
        return f"{letter}{int(row)}" if letter else None
    return record.cells.get(key)
