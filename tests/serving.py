"""``xltools serve`` in a child process, as a clerk starts it: the address it prints."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def running_server(tmp: Path, *args: str) -> Iterator[tuple[str, list[str]]]:
    """Start ``xltools serve --no-browser ARGS``; yield its URL and the lines it printed.

    The server's temp folder goes under ``tmp`` (TMPDIR), so a test can see it removed.
    On leaving, the server gets Ctrl+C (SIGINT) and must stop within 20 s.
    """
    env = {**os.environ, "PYTHONUTF8": "1", "TMPDIR": str(tmp)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "xltools", "serve", "--no-browser", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        env=env,
    )
    lines: list[str] = []
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                raise AssertionError(f"serve stopped: {proc.wait()} {proc.stderr.read()}")
            lines.append(line.rstrip("\n"))
            if "按 Ctrl+C 停止" in line:
                break
        url = re.search(r"http://\S+", lines[0]).group(0)
        yield url, lines
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            out, _ = proc.communicate(timeout=20)
            lines += out.splitlines()
            assert proc.returncode == 0, (proc.returncode, lines)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            raise AssertionError("serve did not stop on Ctrl+C") from None
        finally:
            proc.stdout.close()
            proc.stderr.close()
