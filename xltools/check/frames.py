"""Records → one DataFrame per table, for batch validation across all files at once.

``projects`` (one row per form), ``funds`` (one row per funds line of a
self-evaluation) and ``indicators`` (one row per indicator). Every row carries
``pid``, the position of its record in the list, so a failing row maps back to
its file, sheet and cell. Targets and actuals are parsed here once
(:mod:`xltools.check.targets`) so the rules are vectorised. The frames are raw: the pandera
schemas (:mod:`xltools.check.schemas`) coerce them to their declared dtypes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from xltools.check import targets
from xltools.model import DECLARATION, Record, SelfEvaluation
from xltools.profiles import Profile

DECLARATION_FUNDS = (
    "project_total",
    "fiscal_funds",
    "other_funds",
    "annual_total",
    "current_appropriation",
    "carryover",
    "annual_other_funds",
)
FUNDS_LINES = ("total", "current_appropriation", "carryover", "other")
FUNDS_COLUMNS = (
    "initial_budget",
    "adjusted_budget",
    "executed",
    "weight",
    "execution_rate",
    "score",
)
HEADER = (
    "project_name",
    "project_category",
    "project_nature",
    "department",
    "implementing_unit",
    "start_date",
    "end_date",
    "overall_goal",
    "annual_goal",
    "expected_goal",
    "actual_result",
    "total_score",
    "grade",
)
TEXT_COLUMNS = ("level1", "level2", "name", "target", "actual", "deviation_reason")


@dataclass
class Frames:
    projects: pd.DataFrame
    funds: pd.DataFrame
    indicators: pd.DataFrame


def _project_row(pid: int, record: Record) -> dict[str, Any]:
    row: dict[str, Any] = {
        "pid": pid,
        "kind": record.kind,
        "year": record.year,
        "n_indicators": len(record.indicators),
    }
    row.update({k: getattr(record, k, None) for k in HEADER})
    if record.kind == DECLARATION:
        row.update({f"funds.{k}": getattr(record.funds, k) for k in DECLARATION_FUNDS})
    return row


def _funds_rows(pid: int, record: SelfEvaluation) -> list[dict[str, Any]]:
    return [
        {
            "pid": pid,
            "line": line,
            **{c: getattr(getattr(record.funds, line), c) for c in FUNDS_COLUMNS},
            # A form xltools did not write: its figures may be shown with fewer decimals.
            "printed": record.cells.get("layout") == "foreign",
        }
        for line in FUNDS_LINES
    ]


def _indicator_rows(pid: int, record: Record, profile: Profile) -> list[dict[str, Any]]:
    reverse = profile.section("scoring")["reverse"]
    vague = tuple(profile.section("targets")["vague"])
    out = []
    for ind in record.indicators:
        target, actual = targets.parse_value(ind.target), targets.parse_value(ind.actual)
        out.append(
            {
                "pid": pid,
                "kind": record.kind,
                "row": ind.row,
                **{k: getattr(ind, k) for k in TEXT_COLUMNS},
                "weight": ind.weight,
                "score": ind.score,
                "target_quantitative": bool(target and target.quantitative),
                "target_sentence": bool(target and targets.looks_like_sentence(target)),
                "actual_quantitative": bool(actual and actual.quantitative),
                "computed": targets.computed_score(target, actual, ind.weight, reverse),
                "over_achieved": targets.over_achieved(
                    target, actual, profile.section("scoring")["over_achievement"]
                ),
                "tier": targets.tier_of(ind.actual),
                "target_vague": targets.vague_target(ind.target, vague)
                and targets.quantitative_looking(ind.level1, ind.level2, ind.name),
            }
        )
    return out


def build_frames(records: list[Record], profile: Profile) -> Frames:
    projects, funds, indicators = [], [], []
    for pid, record in enumerate(records):
        projects.append(_project_row(pid, record))
        if isinstance(record, SelfEvaluation):
            funds += _funds_rows(pid, record)
        indicators += _indicator_rows(pid, record, profile)
    return Frames(
        projects=_frame(projects, ["pid", "kind", "year", "n_indicators", *HEADER]),
        funds=_frame(funds, ["pid", "line", *FUNDS_COLUMNS]),
        indicators=_frame(
            indicators,
            [
                "pid",
                "kind",
                "row",
                *TEXT_COLUMNS,
                "weight",
                "score",
                "target_quantitative",
                "target_sentence",
                "actual_quantitative",
                "computed",
                "over_achieved",
                "tier",
                "target_vague",
            ],
        ),
    )


def _frame(rows: list[dict[str, Any]], columns: list[str]) -> pd.DataFrame:
    """The rows as they are: dtypes are the schemas' business (:mod:`xltools.check.schemas`
    coerces every declared column)."""
    return pd.DataFrame(rows) if rows else pd.DataFrame(columns=columns)
