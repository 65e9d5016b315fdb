"""The reader's short cuts give what the full search gives.

A stamped form is read without a label index (Grid.find looks on the layout's row
first), the template's own sheets (选项, 填表说明) are not parsed once a stamped form was
read, and the workers' fallback notice is a log record, not a print.
"""

from __future__ import annotations

import logging
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import pytest

from xltools.forms import LAYOUTS
from xltools.profiles import load_profile
from xltools.read import workbook as reader
from xltools.read import workers
from xltools.write import forms as writer_forms

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.xlsx"))
SEEDS = sorted((ROOT / "tests" / "fixtures" / "seeds").glob("*.xlsx"))


def test_template_sheet_names_are_the_writers() -> None:
    assert reader.LISTS_SHEET == writer_forms.LISTS_SHEET
    assert reader.GUIDE_SHEET == writer_forms.GUIDE_SHEET


def test_template_sheets_of_a_stamped_workbook_are_not_parsed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    parsed: list[str] = []
    real = reader._sheet_rows

    def spy(book, name, result):  # type: ignore[no-untyped-def]
        parsed.append(name)
        return real(book, name, result)

    monkeypatch.setattr(reader, "_sheet_rows", spy)
    result = reader.read_workbook(EXAMPLES[0])
    assert result.records and result.records[0].cells.get("layout") != "foreign"
    assert reader.GUIDE_SHEET not in parsed and reader.LISTS_SHEET not in parsed
    assert parsed  # the form's own sheet is


def _every_search(grid: reader.Grid, rows: range, lazy: bool) -> list:
    """Grid.find for every label of every layout, near every row of the form; ``lazy``:
    each search starts without the index, as on a stamped form."""
    texts = {(f.label, *f.aliases) for lay in LAYOUTS.values() for f in lay.all_fields()}
    texts |= {(c.label, *c.aliases) for lay in LAYOUTS.values() for c in lay.columns}
    out = []
    for near in rows:
        for t in sorted(texts):
            for col in (None, 1, 2):
                if lazy:
                    grid.__dict__.pop("labels", None)
                out.append(grid.find(t, col, rows, near))
    return out


@pytest.mark.parametrize("path", EXAMPLES[:3] + SEEDS[:2], ids=lambda p: p.name)
def test_find_without_the_index_equals_find_with_it(path: Path) -> None:
    result, found = reader.ReadResult(str(path)), 0
    for _, read, _ in reader._sheets(path, result):
        if not isinstance(read, tuple):
            continue
        rows = range(1, len(read[0]) + 1)
        lazy = _every_search(reader.Grid(*read), rows, lazy=True)
        assert lazy == _every_search(reader.Grid(*read), rows, lazy=False)
        found += sum(hit is not None for hit in lazy)
    assert found > 100  # the searches found labels, on the row searched and elsewhere


def _headings_by_index(grid: reader.Grid) -> list:
    """The headings as found before the scan: every indexed title cell that heads its row."""
    recognise = reader.recognise
    out = []
    for text, cells in grid.labels.items():
        kind = recognise.title_kind(text)
        if kind is None and recognise.related_form(text) is None:
            continue
        for cell in cells:
            left = grid.rows[cell.row - 1][: cell.col - 1]
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in left):
                value = grid.rows[cell.row - 1][cell.col - 1]
                out.append(recognise.Heading(cell.row, cell.col, value, kind))
    return sorted(out, key=lambda h: (h.row, h.col))


def test_headings_scan_equals_the_heading_cells_of_the_index() -> None:
    seen = 0
    for path in EXAMPLES + SEEDS:
        result = reader.ReadResult(str(path))
        for _, read, _ in reader._sheets(path, result):
            if isinstance(read, tuple):
                grid = reader.Grid(*read)
                found = reader.recognise.headings(grid.rows, reader.cell_keys)
                assert found == _headings_by_index(grid)
                seen += len(found)
    assert seen > len(EXAMPLES)


def test_workers_fallback_is_a_log_record(
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    class Broken:
        def __init__(self, *args: object, **kwargs: object) -> None:
            raise BrokenProcessPool("no workers")

    monkeypatch.setattr(workers, "ProcessPoolExecutor", Broken)
    files = [EXAMPLES[0], EXAMPLES[1]]
    with caplog.at_level(logging.WARNING, logger="xltools.read.workers"):
        results = workers.read_files(files, load_profile(), jobs=2)
    assert [r.file for r in results] == [str(f) for f in files]
    assert [r.message for r in caplog.records] == [workers.FALLBACK]
    assert capsys.readouterr().err == ""  # logged, not printed (pytest's handler took it)


def test_calamine_picks_its_reader_by_the_file_name_as_before(tmp_path: Path) -> None:
    """The bytes already read are opened only where by-name and by-content agree: an .ods
    named .xlsx (and an .xlsx named .ods) stay unreadable, as from the path."""
    ods = tmp_path / "表格.xlsx"
    ods.write_bytes(
        (ROOT / "tests" / "fixtures" / "seeds" / "seed004_self_evaluations_2022.ods").read_bytes()
    )
    xlsx = tmp_path / "表格.ods"
    xlsx.write_bytes(EXAMPLES[0].read_bytes())
    for path in (ods, xlsx):
        result = reader.read_workbook(path)
        assert not result.records
        assert [f.rule for f in result.findings] == ["R01"]
