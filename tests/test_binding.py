"""The form ↔ record binding: every dotted key of every layout names a record attribute.

A misspelt key once wrote 123 into a template and read back None with every test
green; now it stops ``import xltools.forms``.
"""

from __future__ import annotations

import dataclasses
import subprocess
import sys
import textwrap

import pytest

from xltools.forms import LAYOUTS
from xltools.forms.base import Column
from xltools.forms.binding import BindingError, check_layout, resolve
from xltools.model import Declaration, FundsRow, SelfEvaluation


def _renamed(layout, old: str, new: str):
    fields = tuple(dataclasses.replace(f, key=new) if f.key == old else f for f in layout.fields)
    assert fields != layout.fields, f"{old} is not a field of the layout"
    return dataclasses.replace(layout, fields=fields)


@pytest.mark.parametrize("key", sorted(LAYOUTS), ids=lambda k: "-".join(k))
def test_every_layout_is_bound(key):
    check_layout(LAYOUTS[key])  # raises on any unbound key


def test_resolve_walks_nested_records():
    assert resolve(SelfEvaluation, "funds.total.adjusted_budget") is not None
    assert resolve(Declaration, "funds.carryover") is not None
    with pytest.raises(BindingError, match="carryovr"):
        resolve(Declaration, "funds.carryovr")
    with pytest.raises(BindingError, match="adjusted"):
        resolve(SelfEvaluation, "funds.total.adjusted")


def test_a_misspelt_field_key_is_refused():
    layout = _renamed(LAYOUTS[("declaration", "2025")], "funds.carryover", "funds.carryovr")
    with pytest.raises(BindingError, match=r"funds\.carryovr") as exc:
        check_layout(layout)
    assert "上年结转资金" in str(exc.value)  # the field is named by its label too


def test_a_formula_placeholder_must_be_bound():
    layout = LAYOUTS[("self_evaluation", "2022")]

    def misspelt(fld):
        if fld.formula and "{total_score}" in fld.formula:
            return dataclasses.replace(
                fld, formula=fld.formula.replace("{total_score}", "{total_scor}")
            )
        return fld

    footers = tuple(
        dataclasses.replace(ft, fields=tuple(misspelt(f) for f in ft.fields))
        for ft in layout.footers
    )
    assert footers != layout.footers  # the 评分等级 formula refers to {total_score}
    with pytest.raises(BindingError, match="total_scor"):
        check_layout(dataclasses.replace(layout, footers=footers))


def test_indicator_and_grid_columns_must_be_bound():
    layout = LAYOUTS[("self_evaluation", "2022")]
    bad_column = Column("deviation", "偏差原因", "Z", layout.columns[0].type)
    with pytest.raises(BindingError, match="deviation"):
        check_layout(dataclasses.replace(layout, columns=(*layout.columns, bad_column)))
    grid = {**layout.grid_columns, "execution": ("执行数",)}
    with pytest.raises(BindingError, match="execution"):
        check_layout(dataclasses.replace(layout, grid_columns=grid))
    assert "executed" in {f.name for f in dataclasses.fields(FundsRow)}


def test_loading_the_forms_refuses_a_misspelt_key():
    """The check runs when xltools.forms is imported, not only when a test asks."""
    script = textwrap.dedent(
        """
        import dataclasses, importlib
        import xltools.forms as forms
        from xltools.forms import declaration
        from xltools.forms.binding import BindingError
        layout = declaration.LAYOUT_2025
        declaration.LAYOUT_2025 = dataclasses.replace(layout, fields=tuple(
            dataclasses.replace(f, key="funds.carryovr") if f.key == "funds.carryover" else f
            for f in layout.fields))
        try:
            importlib.reload(forms)
        except BindingError as exc:
            print("refused:", exc)
        else:
            print("loaded")
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("refused:"), done.stdout
    assert "funds.carryovr" in done.stdout
