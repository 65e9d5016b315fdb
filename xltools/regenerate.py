"""Regenerate the committed workbooks: ``python -m xltools.regenerate`` from the repo root.

templates/申报表.xlsx and templates/自评表.xlsx are the blank templates an office can
hand out as they are; examples/*.xlsx are the seed forms filled into them. Tests
compare both, by content, with what the generator makes now.
"""

from __future__ import annotations

import sys
from pathlib import Path

from xltools import api

TEMPLATE_YEARS = {"申报表": 2026, "自评表": 2025}


def templates(folder: Path) -> list[Path]:
    return [
        api.write_template(folder / f"{kind}.xlsx", kind, year=year, force=True)
        for kind, year in TEMPLATE_YEARS.items()
    ]


def main(root: Path = Path()) -> None:
    written = templates(root / "templates") + api.build_examples(root / "examples", force=True)
    for path in written:
        print(path)


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path())
