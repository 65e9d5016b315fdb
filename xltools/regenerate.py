"""Regenerate the committed workbooks: ``python -m xltools.regenerate`` from the repo root.

templates/申报表.xlsx and templates/自评表.xlsx are the blank templates an office can
hand out as they are; examples/*.xlsx are the seed forms filled into them. Beside them,
tests/golden/ holds each workbook's content as text (``testkit.snapshot.to_text``): the
tests compare what the generator makes now with that text, and a change to a template
is reviewed as the diff of those files. This command rewrites the workbooks and their
golden texts together.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from xltools import api

TEMPLATE_YEARS = {"申报表": 2026, "自评表": 2025}


def templates(folder: Path) -> list[Path]:
    return [
        api.write_template(folder / f"{kind}.xlsx", kind, year=year, force=True)
        for kind, year in TEMPLATE_YEARS.items()
    ]


def _testkit(root: Path) -> Any:
    """testkit.snapshot, from the repository at ``root`` (testkit is not installed)."""
    if str(root.resolve()) not in sys.path:
        sys.path.insert(0, str(root.resolve()))
    from testkit import snapshot

    return snapshot


def main(root: Path = Path()) -> None:
    """Write every workbook; replace a committed one only when its content changed (a new
    save of equal content differs only in timestamps), then rewrite the golden texts."""
    snap = _testkit(root)
    with tempfile.TemporaryDirectory() as tmp:
        fresh = templates(Path(tmp) / "templates") + api.build_examples(Path(tmp) / "examples")
        kept = []
        for new in fresh:
            old = root / new.relative_to(tmp)
            text = snap.to_text(snap.snapshot(new))
            if not old.exists() or snap.to_text(snap.snapshot(old)) != text:
                old.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(new, old)
                print(f"changed: {old}")
            kept.append(old)
    for path in snap.write_goldens(root, kept):
        print(path)


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path())
