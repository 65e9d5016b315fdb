"""Fuzzing in the suite: folders of seeded mutants through the real command line.

No traceback, no exit other than 0/1/3, strict JSON, every input reported, no input
changed (tests/fuzz/run.py, which also runs the long campaign outside the suite).
Bounded: about 300 mutants in four folders, a minute or two on a loaded machine.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from fuzz import run as fuzz

from testkit.mutants import mutant

FOLDERS = 4
PER_FOLDER = 75
FIRST = 1_000_000  # mutant numbers of their own: the long campaign starts at 0


@pytest.fixture(scope="module")
def sources(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    found = fuzz.seeds(tmp_path_factory.mktemp("fuzz-seeds"))
    assert len(found) >= 11  # the example workbooks, and .ods/.xls with LibreOffice
    return found


@pytest.mark.parametrize("n", range(FOLDERS))
def test_a_folder_of_mutants_never_ends_the_batch(
    tmp_path: Path, sources: list[Path], n: int
) -> None:
    first = FIRST + n * PER_FOLDER
    folder = tmp_path / "收回"
    what = fuzz.write_folder(folder, sources, range(first, first + PER_FOLDER))
    problems = fuzz.check_folder(folder, heavy=n == 0, timeout=300)
    assert problems == [], f"mutants {first}…{first + PER_FOLDER - 1}: {what}"


def test_a_mutant_number_gives_the_same_bytes_on_every_run() -> None:
    """A failure is replayed by its number alone (``run.py --replay N``): the zip parts keep
    their own time stamps, so a mutant does not change with the clock (2 s resolution)."""
    seeds = sorted(fuzz.EXAMPLES.glob("*.xlsx"))
    numbers = [n for n in range(40) if "+" not in mutant(seeds, n)[2]][:10]
    first = [mutant(seeds, n) for n in numbers]
    time.sleep(2.1)
    assert [mutant(seeds, n) for n in numbers] == first
