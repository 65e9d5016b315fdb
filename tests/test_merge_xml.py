"""The consolidated workbook's own worksheet class writes what xlsxwriter would write.

``writer.consolidated._Sheet`` stores cells without xlsxwriter's call chain, writes their
XML in one pass, and sends the rows of 指标明细 and 汇总表 to a temporary file as soon as
they are drawn (issue 11: time and memory of merging 10,000 projects). Here the same
merges are written once with it and once with xlsxwriter's plain ``Worksheet``, and every
part of the two files but the document's timestamp must be the same, byte for byte.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from xltools import api
from xltools.write import consolidated

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


_Plain = consolidated._PlainSheet  # xlsxwriter's worksheet, the writer's flush a no-op


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n) for n in zf.namelist() if n != "docProps/core.xml"}


@pytest.mark.parametrize(
    "options",
    [
        {"include_invalid": True},  # with 校验结果 and M04-free sources
        {"include_invalid": False},
        {"include_invalid": True, "money_unit": "万元"},
    ],
)
def test_same_bytes_as_xlsxwriter(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, options: dict
) -> None:
    fast = tmp_path / "fast.xlsx"
    api.merge([EXAMPLES], fast, force=True, **options)
    with monkeypatch.context() as m:
        m.setattr(consolidated, "_Sheet", _Plain)
        plain = tmp_path / "plain.xlsx"
        api.merge([EXAMPLES], plain, force=True, **options)
    a, b = _parts(fast), _parts(plain)
    assert sorted(a) == sorted(b)
    assert [n for n in a if a[n] != b[n]] == []


def test_flushed_rows_leave_memory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The 汇总表 and 指标明细 sheets keep no more than their last rows until close."""
    kept: dict[str, int] = {}
    close = consolidated._Sheet._write_rows

    def counting(self: consolidated._Sheet) -> None:
        kept[self.name] = sum(1 for cells in self.table.values() if cells)
        close(self)

    monkeypatch.setattr(consolidated._Sheet, "_write_rows", counting)
    api.merge([EXAMPLES], tmp_path / "out.xlsx", force=True, include_invalid=True)
    forms = [n for n in kept if n.startswith("汇总表")]
    details = [n for n in kept if n.startswith("指标明细")]
    assert forms and details
    for name in forms + details:
        assert kept[name] < 80, (name, kept[name])  # a form is 30–60 rows


def test_a_cell_written_above_the_flushed_rows_is_an_error(tmp_path: Path) -> None:
    """Never a cell dropped silently: the writer promised not to write there any more."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(tmp_path / "x.xlsx"), {"in_memory": True})
    book.worksheet_class = consolidated._Sheet
    ws = book.add_worksheet("表")
    for r in range(40):
        ws.write_string(r, 0, "文字")
    ws.flush(35)  # rows 1–32 leave memory
    ws.write_string(3, 1, "迟到")
    with pytest.raises(RuntimeError, match="row 4 written after it was flushed"):
        book.close()
    ws.discard()


def test_an_uncompared_xlsxwriter_release_gets_its_own_worksheet(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fast worksheet leans on xlsxwriter's internals: only with releases compared here."""
    import xlsxwriter

    assert consolidated.worksheet_class() is consolidated._Sheet  # the release installed
    monkeypatch.setattr(xlsxwriter, "__version__", "9.0.0")
    assert consolidated.worksheet_class() is consolidated._PlainSheet
    fast, plain = tmp_path / "fast.xlsx", tmp_path / "plain.xlsx"
    api.merge([EXAMPLES], plain, force=True)
    monkeypatch.undo()
    api.merge([EXAMPLES], fast, force=True)
    a, b = _parts(fast), _parts(plain)
    assert [n for n in a if a[n] != b[n]] == []


@pytest.mark.parametrize(
    "formula",
    [
        '=IF(ISNUMBER(C5),ROUND(D5/C5*100,2),"")',
        "{=SUM(A1:A3)}",
        "=A1+B1",
        "=N(G7)+SUM(G9:G20)",  # N and T: classic, and no dynamic-array name ends in them
        '=T(A1)&IF(COUNT(I4,H5:H9)=0,"",N(I4))',
        "=FILTER(A1:A9,B1:B9>0)",  # a dynamic-array function: prefixed
        '=IF(A1="SORT(",1,0)',  # its name in a text: left to xlsxwriter
        "=_xlfn.XLOOKUP(1,A:A,B:B)",
        "=X.SINGLE(A1)",  # xlsxwriter's odd pattern for SINGLE
        "=MYFUNC(A1)",
    ],
)
@pytest.mark.parametrize("future", [False, True])
def test_formulas_are_prepared_as_xlsxwriter_prepares_them(formula: str, future: bool) -> None:
    from xlsxwriter.worksheet import Worksheet

    ours, theirs = consolidated._Sheet(), Worksheet()
    ours.use_future_functions = theirs.use_future_functions = future
    assert ours._prepare_formula(formula) == theirs._prepare_formula(formula)
    assert ours._prepare_formula(formula, True) == theirs._prepare_formula(formula, True)


def test_every_formula_of_a_merge_takes_the_classic_path(monkeypatch, tmp_path: Path) -> None:
    """The printed forms' formulas (N, SUM, IF …) skip xlsxwriter's substitutions: a function
    missing from the classic list sends every one of them the slow way (as N did)."""
    from xlsxwriter.worksheet import Worksheet

    slow: list[str] = []
    prepare = Worksheet._prepare_formula

    def spy(self, formula, expand_future_functions=False):
        slow.append(formula)
        return prepare(self, formula, expand_future_functions)

    monkeypatch.setattr(Worksheet, "_prepare_formula", spy)
    fast = consolidated._Sheet._prepare_formula
    seen: list[str] = []

    def count(self, formula, expand_future_functions=False):
        seen.append(formula)
        return fast(self, formula, expand_future_functions)

    monkeypatch.setattr(consolidated._Sheet, "_prepare_formula", count)
    api.merge([EXAMPLES], tmp_path / "汇总.xlsx")
    assert len(seen) > 50  # the printed forms hold formulas
    assert slow == []


@pytest.mark.parametrize(
    "args",
    [(3, 15.0), (3, 27.75, "fmt"), (0, 12), (5, 0), (5, None), (7, 20.0, None, {"hidden": True})],
)
def test_rows_are_sized_as_xlsxwriter_sizes_them(args: tuple) -> None:
    from xlsxwriter.worksheet import Worksheet

    sheets = consolidated._Sheet(), Worksheet()
    for sheet in sheets:
        sheet.write_blank(2, 4, None)  # a used area for the row's dimensions
        assert sheet.set_row(*args) == 0
    ours, theirs = sheets
    for attr in ("row_sizes", "dim_rowmin", "dim_rowmax", "dim_colmin", "dim_colmax"):
        assert getattr(ours, attr) == getattr(theirs, attr), attr
    assert vars(ours.row_info[args[0]]) == vars(theirs.row_info[args[0]])
