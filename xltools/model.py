"""The records every command speaks: one per form found in a workbook.

Keys follow shared/spec/forms.md §4 so scripts can rely on them. Amounts are in
the form's own ``money_unit``; rates are percentages (85.47 means 85.47 %);
dates are ISO strings; a blank cell is ``None``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any, ClassVar, Literal

Kind = Literal["declaration", "self_evaluation"]
DECLARATION: Kind = "declaration"
SELF_EVALUATION: Kind = "self_evaluation"
KIND_NAMES = {DECLARATION: "申报表", SELF_EVALUATION: "自评表"}


@dataclass
class Source:
    file: str
    sheet: str | None = None
    row: int | None = None  # 1-based row of the form's title

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file, "sheet": self.sheet, "row": self.row}


@dataclass(slots=True)  # 150,000 of them in a large merge: no per-instance __dict__
class Indicator:
    level1: str | None = None
    level2: str | None = None
    name: str | None = None
    target: str | None = None
    actual: str | None = None
    weight: float | None = None
    score: float | None = None
    deviation_reason: str | None = None
    # Columns some regions add (绩效标准, 得分计算方法): header key → text; None when none.
    extras: dict[str, str] | None = None
    row: int | None = None  # 1-based Excel row it was read from or written to

    DECLARATION_KEYS: ClassVar[tuple[str, ...]] = ("level1", "level2", "name", "target")
    SELF_EVALUATION_KEYS: ClassVar[tuple[str, ...]] = (
        *DECLARATION_KEYS,
        "actual",
        "weight",
        "score",
        "deviation_reason",
    )

    def to_dict(self, kind: Kind) -> dict[str, Any]:
        keys = self.DECLARATION_KEYS if kind == DECLARATION else self.SELF_EVALUATION_KEYS
        out = {k: getattr(self, k) for k in keys}
        if self.extras:  # only forms with such columns carry the key
            out["extras"] = dict(self.extras)
        out["row"] = self.row
        return out


@dataclass
class DeclarationFunds:
    project_total: float | None = None
    fiscal_funds: float | None = None
    other_funds: float | None = None
    annual_total: float | None = None
    current_appropriation: float | None = None
    carryover: float | None = None
    annual_other_funds: float | None = None


@dataclass
class FundsRow:
    initial_budget: float | None = None
    adjusted_budget: float | None = None
    executed: float | None = None
    weight: float | None = None
    execution_rate: float | None = None
    score: float | None = None
    reason: str | None = None  # 原因 / 偏差原因 of the funds row, where the layout has one


@dataclass
class SelfEvaluationFunds:
    total: FundsRow = field(default_factory=FundsRow)
    current_appropriation: FundsRow = field(default_factory=FundsRow)
    carryover: FundsRow = field(default_factory=FundsRow)
    other: FundsRow = field(default_factory=FundsRow)


@dataclass
class Declaration:
    year: int | None = None
    project_name: str | None = None
    project_category: str | None = None
    project_nature: str | None = None
    department: str | None = None
    implementing_unit: str | None = None
    start_date: str | None = None
    end_date: str | None = None
    money_unit: str = "元"
    funds: DeclarationFunds = field(default_factory=DeclarationFunds)
    overall_goal: str | None = None
    annual_goal: str | None = None
    indicators: list[Indicator] = field(default_factory=list)
    # Points printed in headings ("产出指标(50分)" → {"产出指标": 50.0}); the heading's cell
    # is cells["declared_points.产出指标"].
    declared_points: dict[str, float] = field(default_factory=dict)
    source: Source | None = None
    # Where each header field was read from ("project_name" -> "B3"); not part of the JSON.
    cells: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    kind: ClassVar[Kind] = DECLARATION


@dataclass
class SelfEvaluation:
    year: int | None = None
    project_name: str | None = None
    department: str | None = None
    implementing_unit: str | None = None
    money_unit: str = "元"
    funds: SelfEvaluationFunds = field(default_factory=SelfEvaluationFunds)
    expected_goal: str | None = None
    actual_result: str | None = None
    indicators: list[Indicator] = field(default_factory=list)
    declared_points: dict[str, float] = field(default_factory=dict)
    total_score: float | None = None
    grade: str | None = None
    source: Source | None = None
    cells: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    kind: ClassVar[Kind] = SELF_EVALUATION


Record = Declaration | SelfEvaluation
_NESTED = {"funds", "indicators", "source", "cells"}


def _names(obj: Any) -> list[str]:
    return [f.name for f in fields(obj)]


def _plain(obj: Any) -> Any:
    if hasattr(obj, "__dataclass_fields__"):
        return {k: _plain(getattr(obj, k)) for k in _names(obj)}
    return obj


def to_dict(record: Record) -> dict[str, Any]:
    """The record as JSON-ready data, keys in the order of forms.md §4."""
    out: dict[str, Any] = {"kind": record.kind, "year": record.year}
    out["source"] = record.source.to_dict() if record.source else None
    for name in _names(record):
        if name in ("year", "source", "cells"):
            continue
        value = getattr(record, name)
        if name == "indicators":
            out[name] = [i.to_dict(record.kind) for i in value]
        elif name == "declared_points":
            out[name] = dict(value)
        else:
            out[name] = _plain(value)
    return out


def from_dict(data: dict[str, Any]) -> Record:
    """Build a record from :func:`to_dict` output (or a hand-written JSON record)."""
    kind = data.get("kind")
    if kind == DECLARATION:
        cls, funds = Declaration, DeclarationFunds(**(data.get("funds") or {}))
    elif kind == SELF_EVALUATION:
        rows = data.get("funds") or {}
        cls = SelfEvaluation
        funds = SelfEvaluationFunds(**{k: FundsRow(**(rows.get(k) or {})) for k in rows})
    else:
        raise ValueError(f"未知的表单类型：{kind!r}")
    known = set(_names(cls)) - _NESTED
    kwargs = {k: v for k, v in data.items() if k in known}
    kwargs["indicators"] = [Indicator(**i) for i in data.get("indicators") or []]
    src = data.get("source")
    kwargs["source"] = Source(**src) if src else None
    return cls(funds=funds, **kwargs)


def content(record: Record) -> dict[str, Any]:
    """What the user filled in: the record without provenance (file, rows).

    Two records with equal content describe the same form, wherever they were read from.
    """
    out = to_dict(record)
    out.pop("source")
    for ind in out["indicators"]:
        ind.pop("row")
    return out
