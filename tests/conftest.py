"""Shared fixtures: the default profile, a temp folder, the seed records, and helpers that
write a record into our template and then type into it the way a clerk would."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from xltools import api
from xltools.model import Record, from_dict
from xltools.profiles import Profile, load_profile

ROOT = Path(__file__).resolve().parent.parent
SEED_DIR = ROOT / "examples" / "data"


@pytest.fixture
def profile() -> Profile:
    return load_profile()


@pytest.fixture
def tmp(tmp_path: Path) -> Path:
    return tmp_path


def _seed_dicts() -> dict[tuple[str, str], dict[str, Any]]:
    out = {}
    for path in sorted(SEED_DIR.glob("*.json")):
        for data in json.loads(path.read_text("utf-8")):
            out[(data["kind"], data["project_name"])] = data
    return out


@pytest.fixture(scope="session")
def seed_dicts() -> dict[tuple[str, str], dict[str, Any]]:
    """Every hand-transcribed seed form, keyed by (kind, project_name). Do not mutate."""
    return _seed_dicts()


@pytest.fixture
def seed_record(seed_dicts: dict) -> Callable[[str, str], Record]:
    """``seed_record("self_evaluation", "公共服务窗口运行经费")`` → a fresh record."""

    def make(kind: str, project_name: str) -> Record:
        return from_dict(json.loads(json.dumps(seed_dicts[(kind, project_name)])))

    return make


@pytest.fixture
def write_record(tmp_path: Path) -> Callable[..., Path]:
    """Write a record into our template (``xltools.api.write_form``) inside the temp folder."""

    def write(record: Record, name: str = "form.xlsx", **options: Any) -> Path:
        return api.write_form(tmp_path / name, record, **options)

    return write


def edit_workbook(
    path: Path,
    cells: dict[str, Any] | None = None,
    *,
    sheet: str | None = None,
    edit: Callable[[Any], None] | None = None,
) -> Path:
    """Type into a saved workbook with openpyxl, as a clerk would, and save it in place.

    ``cells`` maps ``"E7"`` to the new value (None clears the cell); ``edit`` gets the
    worksheet for structural changes (insert_rows, delete_rows). openpyxl drops every
    cached formula value when it saves, like a script that never opened Excel.
    """
    book = openpyxl.load_workbook(path)
    ws = book[sheet] if sheet else book.worksheets[0]
    for ref, value in (cells or {}).items():
        ws[ref].value = value
    if edit is not None:
        edit(ws)
    book.save(path)
    book.close()
    return path


@pytest.fixture
def edit_cells() -> Callable[..., Path]:
    return edit_workbook


@dataclass
class Outcome:
    code: int
    out: str
    err: str


@pytest.fixture
def run_main(capsys: pytest.CaptureFixture[str]) -> Callable[..., Outcome]:
    """Run the real entry point ``xltools.cli.main`` in-process: exit code, stdout, stderr.

    Unlike CliRunner over ``cli``, this goes through main()'s mapping of errors to
    Chinese messages and exit codes.
    """
    from xltools.cli import main

    def run(*args: str) -> Outcome:
        capsys.readouterr()
        try:
            main(list(args))
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        captured = capsys.readouterr()
        return Outcome(code, captured.out, captured.err)

    return run
