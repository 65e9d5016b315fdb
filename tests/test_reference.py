"""What xltools writes, as an independent producer reads and re-saves it (issue 11, part 5).

The golden texts under tests/golden/ only compare xltools with itself. Here each template,
blank and filled (``testkit.reference.SOURCES``), is compared by content with its copy
re-saved by LibreOffice: cell values and labels, formulas and the results LibreOffice
computed for them, validations with their lists and bounds, named lists, and the record
``xltools read`` returns. The committed copies (tests/fixtures/reference/, refreshed with
``python -m testkit.reference``) make the comparison run without LibreOffice; where it is
installed (CI) a fresh re-save is compared the same way.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from test_roundtrip import Soffice, soffice  # noqa: F401  (the session's LibreOffice)

from testkit.reference import REFERENCE_DIR, SOURCES, compare, reference_path, sources
from xltools import api, regenerate

REFRESH = (
    "the LibreOffice reference of {rel} differs from what xltools writes now; if the template "
    "changed on purpose, refresh it with `python -m testkit.reference` and review:\n{diff}"
)


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The sources as xltools writes them now (what ``python -m xltools.regenerate`` writes)."""
    root = tmp_path_factory.mktemp("written")
    paths = regenerate.templates(root / "templates") + api.build_examples(root / "examples")
    found = {p.relative_to(root).as_posix(): p for p in paths}
    return {rel: found[rel] for rel in sources()}


def _shown(diff: list[str]) -> str:
    return "\n".join(diff[:40]) + (f"\n… and {len(diff) - 40} more" if len(diff) > 40 else "")


def test_every_template_has_a_blank_and_a_filled_reference() -> None:
    assert sorted(SOURCES) == ["申报表", "自评表"]
    assert all(rel.startswith("templates/") for rel, _ in SOURCES.values())
    assert all(rel.startswith("examples/") for _, rel in SOURCES.values())
    committed = sorted(p.name for p in REFERENCE_DIR.glob("*.xlsx"))
    assert committed == sorted(reference_path(rel).name for rel in sources())


@pytest.mark.parametrize("rel", sources())
def test_reference_was_saved_by_libreoffice(rel: str) -> None:
    """Not a copy of our own file: LibreOffice names itself in docProps/app.xml."""
    with zipfile.ZipFile(reference_path(rel)) as zf:
        app = zf.read("docProps/app.xml").decode("utf-8")
    assert re.search(r"<Application>LibreOffice/", app), app


@pytest.mark.parametrize("rel", sources())
def test_committed_reference_reads_as_what_xltools_writes(
    written: dict[str, Path], rel: str
) -> None:
    diff = compare(written[rel], reference_path(rel))
    assert not diff, REFRESH.format(rel=rel, diff=_shown(diff))


def test_filled_reference_holds_the_figures_libreoffice_computed() -> None:
    """The filled 自评表's formulas carry results (LibreOffice recalculated them on load)."""
    import openpyxl

    ws = openpyxl.load_workbook(reference_path(SOURCES["自评表"][1]), data_only=True)["自评表"]
    # 工作服专项经费: 75,000 of 75,000 spent → 100 %, 10 points; the indicators give 90.
    assert ws["H6"].value == pytest.approx(1.0)
    assert ws["I6"].value == pytest.approx(10.0)
    totals = [c.value for row in ws.iter_rows() for c in row if c.value in ("优", "良", "中", "差")]
    assert totals == ["优"]


def test_comparison_sees_a_stale_cached_result(written: dict[str, Path], tmp_path: Path) -> None:
    """The comparison is not blind to cached results: zeros in place of them are reported."""
    source = written[SOURCES["自评表"][1]]
    stale = tmp_path / "stale.xlsx"
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(stale, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb"(</f>)<v>[^<]*</v>", rb"\1<v>0</v>", data)
            zout.writestr(item, data)
    diff = compare(source, stale)
    assert any("cached › H6" in line for line in diff), diff
    assert any("read › records" in line for line in diff), diff


@pytest.mark.libreoffice
def test_fresh_libreoffice_copy_reads_as_what_xltools_writes(
    soffice: Soffice,  # noqa: F811
    written: dict[str, Path],
    tmp_path: Path,
) -> None:
    """The LibreOffice installed here re-saves what xltools writes now: same content."""
    rels = sources()
    resaved = soffice.convert([written[rel] for rel in rels], "xlsx", tmp_path / "resaved")
    for rel, copy in zip(rels, resaved, strict=True):
        diff = compare(written[rel], copy)
        assert not diff, f"LibreOffice's fresh copy of {rel} differs:\n{_shown(diff)}"
