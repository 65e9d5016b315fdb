"""The Chinese CSV headers: one per key, all different, every one in docs/glossary.md."""

from __future__ import annotations

from pathlib import Path

from xltools.columns import HEADERS
from xltools.render import FINDING_COLUMNS, UNIT_COLUMNS

GLOSSARY = (Path(__file__).resolve().parent.parent / "docs" / "glossary.md").read_text("utf-8")


def test_headers_are_distinct() -> None:
    assert len(set(HEADERS.values())) == len(HEADERS)


def test_every_csv_key_and_header_is_in_the_glossary() -> None:
    pairs = [*HEADERS.items(), *FINDING_COLUMNS, *UNIT_COLUMNS]
    missing = [(k, v) for k, v in pairs if f"| `{k}` | {v} |" not in GLOSSARY]
    assert missing == [], f"add to docs/glossary.md: {missing}"


def test_glossary_lists_no_header_the_code_lacks() -> None:
    section = GLOSSARY.split("## CSV 表头", 1)[1]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    assert len(rows) == len(HEADERS) + len(FINDING_COLUMNS) + len(UNIT_COLUMNS)


def test_every_column_the_csv_can_have_has_a_header() -> None:
    from dataclasses import fields

    from xltools.model import DeclarationFunds, FundsRow, SelfEvaluationFunds
    from xltools.render import CSV_INDICATOR_KEYS, CSV_PROJECT_KEYS

    keys = ["file", "sheet", *CSV_PROJECT_KEYS, "total_score", "grade", *CSV_INDICATOR_KEYS]
    keys += [f"funds.{f.name}" for f in fields(DeclarationFunds)]
    keys += [
        f"funds.{line.name}.{col.name}"
        for line in fields(SelfEvaluationFunds)
        for col in fields(FundsRow)
    ]
    assert [k for k in keys if k not in HEADERS] == []
