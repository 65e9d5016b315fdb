"""Shared helpers for the benchmarks: warm caches, best-of timings, timed children.

The forms they run on come from the test kit at the repository root (testkit/, shared
with the tests): ``generate`` (:func:`testkit.corpus.generate`, re-exported here) fills a
work folder with the example projects varied file by file — names, amounts, 5–20
indicators, a planted mistake whose rule ID ``manifest.json`` remembers in about one file
in ten — and reuses the folder while its manifest matches.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# The benchmarks run as ``python benchmarks/bench_x.py``: the repository root, where
# testkit/ lives, is not on sys.path by itself.
ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# Re-exported: bench_check and bench_serve take their corpus from here.
from testkit.corpus import GENERATOR_VERSION, Corpus, generate  # noqa: E402, F401

# -- measuring -----------------------------------------------------------------------------


def warm(files: Iterable[Path]) -> int:
    """A throwaway pass reading every byte, so every measurement starts with a warm page cache."""
    return sum(len(p.read_bytes()) for p in files)


@dataclass
class Timing:
    """Wall time and CPU time (user + system) of one measure, in seconds."""

    wall: float
    cpu: float


def best_of(repeat: int, fn: Any) -> Timing:
    """The shortest wall and CPU times of ``repeat`` calls of ``fn()`` in this process.

    CPU time is reported beside wall time because on a shared machine other processes
    stretch the wall clock; the CPU time of the work itself hardly moves.
    """
    walls, cpus = [], []
    for _ in range(max(1, repeat)):
        wall, cpu = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return Timing(min(walls), min(cpus))


def load() -> str:
    """The 1-minute load average against the CPU count: "load 0.4 on 2 CPUs"."""
    try:
        return f"load {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
    except OSError:
        return f"{os.cpu_count()} CPUs"


@dataclass
class ChildRun:
    timing: Timing  # CPU: the child and every worker process it waited for
    peak_mb: float  # max RSS of the largest single process: the child or one of its workers
    returncode: int
    tree_mb: float | None = None  # peak of the summed RSS of the child and its workers

    @property
    def memory_mb(self) -> float:
        """What the command needed at its peak: the whole process tree when it was sampled."""
        return self.tree_mb if self.tree_mb is not None else self.peak_mb


# Runs the command as its own child and reports that child's rusage. On Linux a process's
# ru_maxrss starts from the high-water mark of the process that spawned it (exec keeps the old
# address space's peak, and subprocess spawns with vfork): a command started straight from a
# benchmark that had loaded pandas or generated 10,000 records reported that peak as its own.
# Started from this small launcher, the command's peak is its own. wait4's ru_maxrss is that of
# the largest single process (the child or a worker it reaped), not of processes running side by
# side; with psutil installed the launcher also samples the summed RSS of the child and all its
# descendants every 20 ms, which is what a command with worker processes really takes.
_LAUNCHER = """
import json, os, subprocess, sys, threading, time
try:
    import psutil
except ImportError:
    psutil = None
started = time.perf_counter()
proc = subprocess.Popen(sys.argv[2:])
tree, done = [0], threading.Event()

def sample():
    root = psutil.Process(proc.pid)
    while not done.wait(0.02):
        try:
            members = [root, *root.children(recursive=True)]
        except psutil.Error:
            return
        total = 0
        for member in members:
            try:
                total += member.memory_info().rss
            except psutil.Error:
                pass
        tree[0] = max(tree[0], total)

if psutil is not None:
    threading.Thread(target=sample, daemon=True).start()
_, status, usage = os.wait4(proc.pid, 0)
done.set()
wall = time.perf_counter() - started
cpu = usage.ru_utime + usage.ru_stime
result = [wall, cpu, usage.ru_maxrss, os.waitstatus_to_exitcode(status), tree[0] if psutil else None]
with open(sys.argv[1], "w") as fh:
    json.dump(result, fh)
"""


def run_child(cmd: Sequence[str], **kwargs: Any) -> ChildRun:
    """Run ``cmd``; wall time, CPU time and peak memory of that child (and its workers).

    ``os.wait4`` gives the rusage of exactly this child and the workers it waited for;
    RUSAGE_CHILDREN would report the largest of all children so far, including the
    generation workers. The child is started by a small launcher process (see
    ``_LAUNCHER``), which times it and, with psutil, samples its process tree's memory.
    """
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "rusage.json"
        launcher = subprocess.run(
            [sys.executable, "-c", _LAUNCHER, str(report), *cmd], check=False, **kwargs
        )
        if launcher.returncode != 0 or not report.exists():
            raise RuntimeError(f"the launcher failed (exit {launcher.returncode}): {cmd}")
        wall, cpu, maxrss, returncode, tree = json.loads(report.read_text("utf-8"))
    scale = 1 if sys.platform == "darwin" else 1024  # ru_maxrss: bytes on macOS, KiB on Linux
    tree_mb = None if tree is None else tree / 2**20
    return ChildRun(Timing(wall, cpu), maxrss * scale / 2**20, returncode, tree_mb)
