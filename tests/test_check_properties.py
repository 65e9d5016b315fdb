"""Properties of `check` over generated forms (issue: check).

* A valid generated form — every error rule of shared/spec/rules.md respected — has no
  error finding.
* Corrupting one chosen cell yields exactly the expected error rule at that cell.

The generator (testkit/error_free.py) builds validity from the rules themselves (sums,
bands, tiers), written out independently of the code under test.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from tempfile import TemporaryDirectory

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from testkit.error_free import WRONG_LEVEL2, declarations, self_evaluations
from xltools import api
from xltools.model import (
    Declaration,
    SelfEvaluation,
)

SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# First indicator row in our templates: 申报表 row 14, 自评表 row 13 (header one row above).
DECL_FIRST, SELF_FIRST = 14, 13


def errors(record, edit=None) -> set[tuple[str, str]]:
    with TemporaryDirectory() as tmp:
        path = api.write_form(Path(tmp) / "form.xlsx", record)
        if edit:
            edit(path)
        report = api.check([path])
        return {(f.rule, f.cell) for f in report.findings if f.severity == "错误"}


@SETTINGS
@given(st.one_of(declarations(), self_evaluations()))
def test_valid_generated_form_has_no_errors(record) -> None:
    assert errors(record) == set()


@SETTINGS
@given(declarations(), st.data())
def test_one_corrupted_declaration_cell_gives_exactly_its_rule(record: Declaration, data) -> None:
    i = data.draw(st.integers(0, len(record.indicators) - 1))
    row = DECL_FIRST + i
    ind = record.indicators[i]
    corruptions = {
        "D01": (lambda r: replace(r, project_name=None), "B3"),
        "D03": (
            lambda r: (
                replace(r, start_date=r.end_date, end_date=r.start_date.replace("-01", "-02", 1))
                if r.start_date != r.end_date
                else r
            ),
            "B6",  # the start date is marked, not the end date
        ),
        "D06": (
            lambda r: replace(r, funds=replace(r.funds, annual_total=r.funds.annual_total + 1)),
            "E7",
        ),
        "D10": (lambda r: _with_indicator(r, i, level2=WRONG_LEVEL2[ind.level1]), f"C{row}"),
        "D11": (lambda r: _with_indicator(r, i, target=None), f"E{row}"),
    }
    rule = data.draw(st.sampled_from(sorted(corruptions)))
    mutate, cell = corruptions[rule]
    if rule == "D03":
        bad = replace(record, start_date=f"{record.year}-12-31", end_date=f"{record.year}-01-01")
    else:
        bad = mutate(record)
    assert errors(bad) == {(rule, cell)}


@SETTINGS
@given(self_evaluations(), st.data())
def test_one_corrupted_self_evaluation_cell_gives_exactly_its_rule(
    record: SelfEvaluation, data
) -> None:
    i = data.draw(st.integers(0, len(record.indicators) - 1))
    row = SELF_FIRST + i
    total_row = SELF_FIRST + max(20, len(record.indicators))  # 总分 row below the table
    ind = record.indicators[i]
    options = {
        # The funds row's 分值 10 → 11: the weights no longer sum to 100 (shown on the 总分 row).
        "S06": (
            lambda r: replace(r, funds=replace(r.funds, total=replace(r.funds.total, weight=11.0))),
            f"G{total_row}",
        ),
        "S16": (lambda r: _with_indicator(r, i, level2=WRONG_LEVEL2[ind.level1]), f"C{row}"),
    }
    if (
        ind.weight
        and ind.weight >= 0.02
        and ind.actual not in ("达成指标", "部分达成指标并具有一定效果")
    ):
        options["S09"] = (
            lambda r: _with_indicator(r, i, score=ind.weight - 0.01, deviation_reason=None),
            f"I{row}",
        )
    if ind.actual == "部分达成指标并具有一定效果" and ind.weight and ind.weight >= 1:
        options["S12"] = (
            lambda r: _with_indicator(r, i, score=round(ind.weight * 0.5, 2)),
            f"H{row}",
        )
    rule = data.draw(st.sampled_from(sorted(options)))
    mutate, cell = options[rule]
    assert errors(mutate(record)) == {(rule, cell)}


def _with_indicator(record, i: int, **changes):
    inds = list(record.indicators)
    inds[i] = replace(inds[i], **changes)
    return replace(record, indicators=inds)
