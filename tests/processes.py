"""Running Python in a child process, as a user's shell would: UTF-8 both ways."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def run_python(
    *args: str, cwd: Path | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """``python ARGS...`` with captured UTF-8 output; never raises on a non-zero exit."""
    return subprocess.run(
        [sys.executable, *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=cwd,
        env={**os.environ, "PYTHONUTF8": "1"},
        timeout=timeout,
        check=False,
    )
