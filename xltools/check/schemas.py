"""pandera schemas built from the form declarations and the row rules; the only pandera user.

One schema per table (declarations, self-evaluations, funds, indicators), each
check named by its rule ID, validated lazily over the rows of ALL files at once.
Severity is not pandera's business: it stays in :mod:`xltools.catalogue`
(a pandera check with ``raise_warning=True`` would vanish from the lazy report).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import pandera.pandas as pa

from xltools.check.rules.base import RowRule, filled
from xltools.check.rules.declaration import declaration_rules
from xltools.check.rules.indicators import score_rules, structure_rules, target_rules
from xltools.check.rules.self_evaluation import funds_rules, project_rules
from xltools.forms import LAYOUTS
from xltools.model import DECLARATION, SELF_EVALUATION
from xltools.profiles import Profile

TABLES = ("declarations", "self_evaluations", "funds", "indicators")
# A blank 全年预算数 is a warning of its own (S20), not a missing required field.
_NOT_REQUIRED = frozenset({"funds.total.adjusted_budget"})


@dataclass(frozen=True)
class Failure:
    rule: RowRule
    index: int  # row label in the table's frame


def required_rules() -> list[RowRule]:
    """D01/S01 for every field the form declarations mark as required."""
    out: list[RowRule] = []
    seen: set[tuple[str, str]] = set()
    for (kind, _), layout in LAYOUTS.items():
        rule_id = "D01" if kind == DECLARATION else "S01"
        table = "declarations" if kind == DECLARATION else "self_evaluations"
        for fld in layout.all_fields():
            if not fld.required or (kind, fld.key) in seen or fld.key in _NOT_REQUIRED:
                continue
            seen.add((kind, fld.key))
            if fld.key.startswith("funds.total."):
                column = fld.key.removeprefix("funds.total.")
                out.append(
                    RowRule(
                        rule_id,
                        "funds",
                        fld.key,
                        lambda d, c=column: (d.line != "total") | d[c].notna(),
                        lambda r, label=fld.label: (f"“{label}”行的全年预算数未填写", None, "金额"),
                    )
                )
            else:
                out.append(
                    RowRule(
                        rule_id,
                        table,
                        fld.key,
                        lambda d, c=fld.key: filled(d[c]),
                        lambda r, label=fld.label: (f"必填项“{label}”未填写", None, label),
                    )
                )
    return out


def all_rules(profile: Profile) -> dict[str, list[RowRule]]:
    rules = [
        *required_rules(),
        *declaration_rules(profile),
        *project_rules(profile),
        *funds_rules(profile),
        *structure_rules(profile, DECLARATION),
        *structure_rules(profile, SELF_EVALUATION),
        *target_rules(),
        *score_rules(profile),
    ]
    return {t: [r for r in rules if r.table == t] for t in TABLES}


def _scoped(rule: RowRule):
    if rule.kind is None:
        return rule.predicate
    return lambda d: (d.kind != rule.kind) | rule.predicate(d)


def build_schema(table: str, rules: list[RowRule]) -> pa.DataFrameSchema:
    checks = [pa.Check(_scoped(r), name=r.id, ignore_na=False) for r in rules]
    return pa.DataFrameSchema(checks=checks, name=table)


def validate(frames: dict[str, pd.DataFrame], profile: Profile) -> list[Failure]:
    """Every (rule, row) that fails, over all tables; one lazy pandera call per table."""
    failures: list[Failure] = []
    for table, rules in all_rules(profile).items():
        frame = frames[table]
        if frame.empty or not rules:
            continue
        try:
            build_schema(table, rules).validate(frame, lazy=True)
        except pa.errors.SchemaErrors as exc:
            cases = exc.failure_cases
            cases = cases[cases["index"].notna() & cases["check_number"].notna()]
            pairs = cases[["check_number", "index"]].drop_duplicates()
            failures += [Failure(rules[int(n)], int(i)) for n, i in pairs.itertuples(index=False)]
    return failures
