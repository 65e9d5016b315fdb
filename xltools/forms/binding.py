"""The form ↔ record binding, checked when the forms are loaded.

A layout names the record attribute behind each cell by a dotted key
(``funds.total.adjusted_budget``); the writer reads the record through it and the
reader assigns through it. A misspelt key would fail in silence — the writer would
find no attribute and write a blank, the reader would set an attribute nobody reads —
so every key of every layout, and every ``{key}`` a formula refers to, is resolved
against the record classes' declared fields here, once, when :mod:`xltools.forms` is
imported. A mistake stops the import with the layout and the key named.
"""

from __future__ import annotations

import dataclasses
import functools
import re
import typing
from typing import Any

from xltools.forms.base import Layout
from xltools.model import (
    DECLARATION,
    Declaration,
    FundsRow,
    Indicator,
    SelfEvaluation,
)

RECORD_CLASSES: dict[str, type] = {DECLARATION: Declaration, "self_evaluation": SelfEvaluation}
# ``{funds.total.weight}`` in a formula; ``{col:weight}``, ``{ROUND}``, ``{GRADE:…}`` are not keys.
_PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_.]*)\}")


class BindingError(LookupError):
    """A layout names a record attribute that does not exist (a programming error)."""


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _dataclass_fields(cls: type) -> set[str]:
    return {f.name for f in dataclasses.fields(cls)}


def resolve(cls: type, key: str) -> type:
    """The type of the attribute ``key`` (dotted) of ``cls``; :class:`BindingError` if
    some part of the path is not a declared field."""
    current: Any = cls
    walked: list[str] = []
    for part in key.split("."):
        if not dataclasses.is_dataclass(current) or part not in _dataclass_fields(current):
            where = ".".join(walked) or current.__name__
            raise BindingError(f"{cls.__name__} has no attribute {key!r} ({part!r} under {where})")
        current = _hints(current)[part]
        walked.append(part)
    return current


def check_layout(layout: Layout) -> None:
    """Every field key, formula placeholder, indicator column and funds-grid column of
    ``layout`` resolves to an attribute of the record it is bound to."""
    cls = RECORD_CLASSES[layout.kind]
    problems: list[str] = []

    def bound(target: type, key: str, what: str) -> None:
        try:
            resolve(target, key)
        except BindingError as exc:
            problems.append(f"{what}: {exc}")

    for fld in layout.all_fields():
        if not fld.key.startswith("_"):  # "_…": a display-only cell, bound to nothing
            bound(cls, fld.key, f"field {fld.label!r}")
        for key in _PLACEHOLDER.findall(fld.formula or ""):
            bound(cls, key, f"formula of {fld.label!r}")
    for column in layout.columns:
        bound(Indicator, column.key, f"indicator column {column.label!r}")
    for key in layout.grid_columns:
        bound(FundsRow, key, "funds grid column")
    if problems:
        name = f"{layout.kind} {layout.version}"
        raise BindingError(f"layout {name} is not bound to its record: " + "; ".join(problems))


def check_layouts(layouts: typing.Iterable[Layout]) -> None:
    for layout in layouts:
        check_layout(layout)
