"""The bad-input catalogue (tests/fixtures/bad/build.py) as a module for the tests."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

_PATH = Path(__file__).resolve().parent / "fixtures" / "bad" / "build.py"
_spec = importlib.util.spec_from_file_location("bad_catalogue", _PATH)
assert _spec and _spec.loader
catalogue = importlib.util.module_from_spec(_spec)
sys.modules["bad_catalogue"] = catalogue  # dataclasses look their module up there
_spec.loader.exec_module(catalogue)
