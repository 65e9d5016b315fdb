"""pandera schemas generated from the form declarations and the row rules; the only pandera user.

One schema per table (declarations, self-evaluations, funds, indicators), validated
lazily over the rows of ALL files at once:

- a :class:`pandera.Column` for every value the layouts declare (:data:`xltools.forms.LAYOUTS`),
  with its dtype from the field's type and ``coerce=True``: amounts, 分值 and 得分 become
  float64 here, nowhere else;
- ``nullable`` from the field's ``required``: a not-nullable failure is D01 (申报表) or S01
  (自评表). A text cell of blanks counts as not filled: a column parser turns it into NA;
- ``unique`` from the indicator columns the forms mark unique (三级指标), scoped per record
  by the ``pid`` column: D14 (申报表) / S17 (自评表);
- every row rule (:class:`xltools.check.rules.base.RowRule`) as a :class:`pandera.Check` named
  ``"<rule ID>:<key>"``.

A failure case maps back to its record through its ``index`` (the row label) and to its rule
through the check's name (or the column, for not-nullable), never through check positions.
Severity is not pandera's business: it stays in :mod:`xltools.catalogue` (a pandera check
with ``raise_warning=True`` would vanish from the lazy report).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

import pandas as pd
import pandera.pandas as pa

from xltools.catalogue import message
from xltools.check.frames import Frames
from xltools.check.rules.base import RowRule, filled
from xltools.check.rules.declaration import declaration_rules
from xltools.check.rules.indicators import score_rules, structure_rules, target_rules
from xltools.check.rules.self_evaluation import funds_rules, project_rules
from xltools.findings import Finding, record_cell, record_finding
from xltools.forms import LAYOUTS
from xltools.forms.base import Layout, T
from xltools.model import DECLARATION, SELF_EVALUATION, Record
from xltools.profiles import Profile

TABLES = ("declarations", "self_evaluations", "funds", "indicators")
KIND_OF_TABLE = {"declarations": DECLARATION, "self_evaluations": SELF_EVALUATION}
REQUIRED_RULE = {DECLARATION: "D01", SELF_EVALUATION: "S01"}
DUPLICATE_RULE = {DECLARATION: "D14", SELF_EVALUATION: "S17"}
# A blank 全年预算数 is a warning of its own (S20), not a missing required field.
_NOT_REQUIRED = frozenset({"funds.total.adjusted_budget"})
NUMBER_TYPES = frozenset({T.MONEY, T.WEIGHT, T.SCORE, T.RATE})
FLOAT = "float64"
NOT_NULLABLE = "not_nullable"
UNIQUENESS = "multiple_fields_uniqueness"
# Columns of the frames that no layout declares (xltools.check.frames adds them).
_PROJECT_EXTRA = {"pid": "int64", "n_indicators": "int64", "kind": str}
_FUNDS = {"pid": "int64", "line": str, "printed": bool}
_INDICATOR_EXTRA = {"pid": "int64", "kind": str, "computed": FLOAT}


def _blank_to_na(s: pd.Series) -> pd.Series:
    """A text cell of blanks is not filled (as :func:`xltools.check.rules.base.filled` says)."""
    return s.where(filled(s))


BLANK_IS_NA = pa.Parser(_blank_to_na)


class Row(dict):
    """A failing row as the rules' messages read it: by key (``r["name"]``) or attribute
    (``r.score``)."""

    def __getattr__(self, column: str) -> Any:
        try:
            return self[column]
        except KeyError:
            raise AttributeError(column) from None


@dataclass(frozen=True)
class Table:
    """One table's schema and what its failure cases mean."""

    name: str
    schema: pa.DataFrameSchema
    checks: dict[str, RowRule]  # check name → row rule
    required: dict[str, RowRule] = field(default_factory=dict)  # column → D01/S01
    unique: bool = False  # duplicates (per pid) are D14/S17 by the row's kind


def _layouts(kind: str) -> list[Layout]:
    return [layout for (k, _), layout in LAYOUTS.items() if k == kind]


def _dtype(typ: T) -> Any:
    return FLOAT if typ in NUMBER_TYPES else str


def project_fields(
    kind: str, layouts: list[Layout] | None = None
) -> dict[str, tuple[Any, bool, str]]:
    """The record keys of the ``projects`` frame a kind's layouts declare: key → (dtype,
    required, label). Required when any variant requires it; the label is the first's."""
    out: dict[str, tuple[Any, bool, str]] = {}
    for layout in layouts if layouts is not None else _layouts(kind):
        for fld in layout.all_fields():
            key = fld.key
            if key.startswith("_") or key.count(".") > 1 or ("." in key and kind != DECLARATION):
                continue  # display-only cells; the 自评表 funds grid is the funds frame
            if key.startswith("declared_points"):
                continue
            required = fld.required and key not in _NOT_REQUIRED
            if key in out:
                dtype, before, label = out[key]
                out[key] = (dtype, before or required, label)
            else:
                out[key] = (_dtype(fld.type), required, fld.label)
    return out


def _required_rule(kind: str, key: str, label: str) -> RowRule:
    return RowRule(
        REQUIRED_RULE[kind],
        "declarations" if kind == DECLARATION else "self_evaluations",
        key,
        lambda d: pd.Series(True, index=d.index),  # pandera's nullable does the work
        lambda r, label=label: (message(REQUIRED_RULE[kind], "required", label=label), None, label),
    )


def _check(rule: RowRule) -> pa.Check:
    predicate = rule.predicate
    if rule.kind is not None:
        kind = rule.kind

        def predicate(d: pd.DataFrame, p=rule.predicate) -> pd.Series:
            return (d.kind != kind) | p(d)

    return pa.Check(predicate, name=rule.name, ignore_na=False)


def _checks(rules: list[RowRule]) -> dict[str, RowRule]:
    out: dict[str, RowRule] = {}
    for rule in rules:
        if rule.name in out:
            raise ValueError(f"two row rules named {rule.name}")
        out[rule.name] = rule
    return out


def project_table(kind: str, rules: list[RowRule], layouts: list[Layout] | None = None) -> Table:
    """The declarations or self-evaluations table: one Column per declared field."""
    name = "declarations" if kind == DECLARATION else "self_evaluations"
    columns: dict[str, pa.Column] = {
        key: pa.Column(dtype, required=key in ("pid", "kind"))
        for key, dtype in _PROJECT_EXTRA.items()
    }
    required: dict[str, RowRule] = {}
    for key, (dtype, needed, label) in project_fields(kind, layouts).items():
        columns[key] = pa.Column(
            dtype,
            nullable=not needed,
            # Amounts of the other kind's fields are absent when the batch has none of it.
            required=False,
            # where "filled" decides (the rules test the others with filled() themselves)
            parsers=BLANK_IS_NA if dtype is str and needed else None,
        )
        if needed:
            required[key] = _required_rule(kind, key, label)
    checks = _checks(rules)
    schema = pa.DataFrameSchema(
        columns, checks=[_check(r) for r in checks.values()], coerce=True, name=name
    )
    return Table(name, schema, checks, required)


def funds_table(rules: list[RowRule]) -> Table:
    """The 自评表 funds grid, one row per line: amounts, 分值, 执行率, 得分 as float64."""
    grid = [
        fld.key
        for layout in _layouts(SELF_EVALUATION)
        for fld in layout.all_fields()
        if fld.key.startswith("funds.") and fld.required and fld.key not in _NOT_REQUIRED
    ]
    if grid:  # a line's cell cannot be a nullable column: the frame holds all four lines
        raise NotImplementedError(f"required cells of the funds grid: {grid}")
    layout_types = {
        fld.key.rsplit(".", 1)[1]: fld.type
        for layout in _layouts(SELF_EVALUATION)
        for fld in layout.all_fields()
        if fld.key.startswith("funds.") and fld.key.count(".") == 2
    }
    columns = {key: pa.Column(dtype) for key, dtype in _FUNDS.items()}
    for key, typ in layout_types.items():
        columns[key] = pa.Column(_dtype(typ), nullable=True, required=False)
    checks = _checks(rules)
    schema = pa.DataFrameSchema(
        columns, checks=[_check(r) for r in checks.values()], coerce=True, name="funds"
    )
    return Table("funds", schema, checks)


def indicators_table(rules: list[RowRule], layouts: list[Layout] | None = None) -> Table:
    """One Column per indicator column of the layouts. The text columns keep the dtype the
    frame has (dtype None): the rules read None and NaN apart (D10's "二级 left blank")."""
    columns = {key: pa.Column(dtype) for key, dtype in _INDICATOR_EXTRA.items()}
    unique = ["pid"]
    for layout in (
        layouts if layouts is not None else [*_layouts(DECLARATION), *_layouts(SELF_EVALUATION)]
    ):
        for col in layout.columns:
            if col.key not in columns:
                number = col.type in NUMBER_TYPES
                columns[col.key] = pa.Column(
                    FLOAT if number else None, nullable=True, required=False
                )
            if col.unique and col.key not in unique:
                unique.append(col.key)
    columns["computed"] = pa.Column(FLOAT, nullable=True)
    checks = _checks(rules)
    schema = pa.DataFrameSchema(
        columns,
        checks=[_check(r) for r in checks.values()],
        coerce=True,
        unique=unique if len(unique) > 1 else None,
        report_duplicates="exclude_first",  # the first is the original, the others repeat it
        name="indicators",
    )
    return Table("indicators", schema, checks, unique=len(unique) > 1)


def all_rules(profile: Profile) -> dict[str, list[RowRule]]:
    rules = [
        *declaration_rules(profile),
        *project_rules(profile),
        *funds_rules(profile),
        *structure_rules(profile, DECLARATION),
        *structure_rules(profile, SELF_EVALUATION),
        *target_rules(),
        *score_rules(profile),
    ]
    return {t: [r for r in rules if r.table == t] for t in TABLES}


def tables(profile: Profile) -> dict[str, Table]:
    rules = all_rules(profile)
    return {
        "declarations": project_table(DECLARATION, rules["declarations"]),
        "self_evaluations": project_table(SELF_EVALUATION, rules["self_evaluations"]),
        "funds": funds_table(rules["funds"]),
        "indicators": indicators_table(rules["indicators"]),
    }


def _validate(table: Table, frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """The coerced frame and its failure cases (None: all rows pass)."""
    try:
        return table.schema.validate(frame, lazy=True), None
    except pa.errors.SchemaErrors as exc:
        return exc.data, exc.failure_cases


def failing(table: Table, cases: pd.DataFrame | None) -> Iterator[tuple[str, str, int]]:
    """(how, key, row label) of each failing row: ``("check", name)``, ``("required", column)``
    or ``("unique", column)``; in the table's order of rules (required fields first), rows
    ascending."""
    if cases is None:
        return
    # A table check fails once per column of a failing row: each (check, row) once.
    cases = cases[cases["index"].notna()]
    labels = cases["check"].astype(str)
    found: dict[tuple[str, str], set[int]] = {}
    nulls = cases.loc[labels == NOT_NULLABLE, ["column", "index"]].drop_duplicates()
    for column, index in zip(nulls["column"].tolist(), nulls["index"].tolist(), strict=True):
        if column in table.required:
            found.setdefault(("required", column), set()).add(int(index))
    named = cases.loc[labels.isin(list(table.checks)), ["check", "index"]]
    named = named.assign(check=labels[named.index]).drop_duplicates()
    for name, index in zip(named["check"].tolist(), named["index"].tolist(), strict=True):
        found.setdefault(("check", name), set()).add(int(index))
    if table.unique:
        dups = cases.loc[labels == UNIQUENESS, "index"].drop_duplicates()
        found[("unique", "")] = {int(i) for i in dups.tolist()}
    order = [
        *(("required", c) for c in table.required),
        *(("check", n) for n in table.checks),
        ("unique", ""),
    ]
    for how, key in order:
        for index in sorted(found.get((how, key), ())):
            yield how, key, index


def validate(
    frames: Frames, records: list[Record], profile: Profile
) -> tuple[Frames, list[tuple[int, Finding]]]:
    """The frames as the schemas coerced them, and every (record position, finding) of a row
    that fails, over all tables; one lazy pandera call per table."""
    out: list[tuple[int, Finding]] = []
    schemas = tables(profile)
    projects = frames.projects
    coerced: dict[str, pd.DataFrame] = {}
    for name in TABLES:
        table = schemas[name]
        if name in KIND_OF_TABLE:
            frame = projects[projects.kind == KIND_OF_TABLE[name]]
        else:
            frame = getattr(frames, name)
        frame, cases = _validate(table, frame)
        coerced[name] = frame
        failures = list(failing(table, cases))
        # The failing rows, each once, as plain mappings (a row read with .loc one by one
        # costs 10× more; a Series per row, as iterrows builds, 5×).
        labels = sorted({index for _, _, index in failures})
        rows = {k: Row(v) for k, v in frame.loc[labels].to_dict("index").items()} if labels else {}
        for how, key, index in failures:
            row = rows[index]
            pid = int(row["pid"])
            record = records[pid]
            if how == "unique":
                name_ = row["name"]
                if pd.isna(name_):
                    continue  # blank 三级指标 are D11/S16, not repeats of each other
                rule_id = DUPLICATE_RULE[row["kind"]]
                text = message(rule_id, name=name_)
                cell = record_cell(record, "name", row["row"])
                out.append((pid, record_finding(rule_id, record, cell, text, name_, "不重复")))
                continue
            rule = table.required[key] if how == "required" else table.checks[key]
            text, value, expected = rule.message(row)
            at = row.get("row") if name == "indicators" else None
            cell = record_cell(record, rule.locate, at)
            found = record_finding(rule.id, record, cell, text, value, expected, rule.severity)
            out.append((pid, found))
    both = [coerced["declarations"], coerced["self_evaluations"]]
    kinds = pd.concat([f for f in both if len(f)] or [both[0]]).sort_index()
    return replace(
        frames, projects=kinds, funds=coerced["funds"], indicators=coerced["indicators"]
    ), out
