"""The metamorphic property of issue 10: a layout change drawn from the vocabulary never
changes the record read back.

A valid generated form (testkit/strategies.py) is drawn as a plain foreign workbook (no
identity stamp, labels as our template prints them) and again with changes regions make:
synonym labels, trailing brackets with a period / unit / points / letter, line breaks
inside labels, a spacer column, an extra 绩效标准 column, a target split over 指标性质 /
指标值 / 度量单位, points in the 一级 headings, another title. Both must read as the same
record; the points and the extra column are read as what was drawn.
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from testkit.regional import CHANGES, comparable, draw
from testkit.strategies import records
from xltools import api
from xltools.model import Record


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    record=records(),
    changes=st.sets(st.sampled_from(CHANGES), min_size=1),
    seed=st.integers(0, 2**16),
)
def test_layout_changes_do_not_change_the_record(
    tmp_path: Path, record: Record, changes: set[str], seed: int
) -> None:
    draw(tmp_path / "plain.xlsx", record, set(), seed)
    drawn = draw(tmp_path / "changed.xlsx", record, changes, seed)
    [plain] = api.read([tmp_path / "plain.xlsx"])
    [changed] = api.read([tmp_path / "changed.xlsx"])
    assert len(plain.records) == len(changed.records) == 1
    got = changed.records[0]
    assert comparable(got) == comparable(plain.records[0])
    assert got.declared_points == drawn["points"]
    if drawn["extras"]:
        assert [i.extras for i in got.indicators] == drawn["extras"][: len(got.indicators)]
