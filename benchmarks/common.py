"""Shared helpers for the benchmarks: a folder of filled forms, warm caches, timed children.

The forms are the example projects (``xltools.api.example_records()``, taken from the
real seed forms) varied file by file: project and unit names, amounts, 5–20
indicators, and in about one file in ten a planted mistake whose rule ID is
remembered in ``manifest.json``, so a benchmark can also tell whether the checker
still finds what it should. Generation is deterministic for a given seed and is
skipped when the work folder already holds the same set of files.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from xltools.api import example_records, write_form
from xltools.files import safe_filename
from xltools.model import DECLARATION, KIND_NAMES, Indicator, Record, from_dict, to_dict

GENERATOR_VERSION = 1  # bump when the generated files change, so old work folders regenerate
MISTAKE_RATE = 0.1
DISTRICTS = ("长宁", "徐汇", "静安", "普陀", "虹口", "杨浦", "闵行", "宝山", "嘉定", "浦东新")
# Self-evaluation weight structure of the default profile: 产出 50, 效益 30, 满意度 10 (+ 10 funds).
SE_WEIGHTS = {"产出指标": 50.0, "效益指标": 30.0, "满意度指标": 10.0}


# -- varying the example records ---------------------------------------------------------


def _copy(record: Record) -> Record:
    return from_dict(to_dict(record))


def bases() -> list[Record]:
    """The example projects without the ones that carry mistakes on purpose (示例：含错误)."""
    return [r for r in example_records() if "示例" not in (r.project_name or "")]


def _pools(records: Sequence[Record]) -> dict[str, dict[str, list[Indicator]]]:
    """Indicators of each kind grouped by 一级指标, only fully scored ones for 自评表."""
    pools: dict[str, dict[str, list[Indicator]]] = {}
    for record in records:
        for ind in record.indicators:
            if not (ind.name and ind.target):
                continue  # a seed indicator without a target (D11); planted mistakes cover it
            if record.kind != DECLARATION and (ind.score is None or ind.score != ind.weight):
                continue
            if (ind.level1, ind.level2) == ("产出指标", "经济效益指标"):
                continue  # a seed-form slip (D10); the planted mistakes cover that rule
            pools.setdefault(record.kind, {}).setdefault(ind.level1 or "", []).append(ind)
    return pools


def _counts(kind: str, n: int, rng: random.Random) -> dict[str, int]:
    """How many indicators of each 一级指标 a form of ``n`` indicators gets."""
    counts = {"满意度指标": 1 if n < 12 else 2}
    if kind == DECLARATION:
        counts["成本指标"] = 1 if n < 10 else 2
    rest = n - sum(counts.values())
    counts["效益指标"] = max(1, round(rest * rng.uniform(0.25, 0.4)))
    counts["产出指标"] = rest - counts["效益指标"]
    return counts


def _split(total: float, k: int) -> list[float]:
    """``total`` in ``k`` two-decimal parts that add up exactly: 50/3 → 16.67, 16.67, 16.66."""
    part = int(total * 100 / k) / 100
    return [part] * (k - 1) + [round(total - part * (k - 1), 2)]


def _indicators(record: Record, pools: dict, n: int, rng: random.Random) -> list[Indicator]:
    out: list[Indicator] = []
    seen: Counter[str] = Counter()
    for level1, k in _counts(record.kind, n, rng).items():
        weights = _split(SE_WEIGHTS[level1], k) if record.kind != DECLARATION else [None] * k
        for weight in weights:
            ind = replace(rng.choice(pools[record.kind][level1]), row=None)
            seen[ind.name or ""] += 1
            if seen[ind.name or ""] > 1:  # D14/S17: names must not repeat within a form
                ind.name = f"{ind.name}（{seen[ind.name or '']}）"
            if record.kind != DECLARATION:
                ind.weight = ind.score = weight
            out.append(ind)
    return out


def _amount(base: float | None, factor: float) -> float:
    return round((base or 100_000.0) * factor, 2)


def _declaration_funds(record: Any, factor: float, rng: random.Random) -> None:
    funds = record.funds
    funds.current_appropriation = _amount(funds.current_appropriation, factor)
    share = rng.random()
    funds.carryover = round(funds.current_appropriation * 0.2, 2) if share < 0.2 else 0.0
    funds.annual_other_funds = round(funds.current_appropriation * 0.1, 2) if share > 0.9 else 0.0
    funds.annual_total = round(
        funds.current_appropriation + funds.carryover + funds.annual_other_funds, 2
    )
    # A one-year project: the left column equals the right one (D07, D08, D09 hold).
    funds.fiscal_funds = round(funds.current_appropriation + funds.carryover, 2)
    funds.other_funds = funds.annual_other_funds
    funds.project_total = funds.annual_total
    record.overall_goal = record.overall_goal or record.annual_goal


def _self_evaluation_funds(record: Any, factor: float, rng: random.Random) -> None:
    budget = _amount(record.funds.total.adjusted_budget, factor)
    rate = 1.0 if rng.random() < 0.5 else rng.uniform(0.7, 1.0)
    values = {"initial_budget": budget, "adjusted_budget": budget}
    values["executed"] = round(budget * rate, 2)
    for line in ("total", "current_appropriation"):
        row = getattr(record.funds, line)
        for key, value in values.items():
            setattr(row, key, value)
        row.execution_rate = row.score = None  # formula cells: the writer computes them
    record.funds.total.weight = 10
    for line in ("carryover", "other"):
        row = getattr(record.funds, line)
        row.initial_budget = row.adjusted_budget = row.executed = 0
    record.expected_goal = record.expected_goal or record.actual_result
    record.actual_result = record.actual_result or record.expected_goal
    record.total_score = record.grade = None  # formulas


def vary(
    base: Record, i: int, pools: dict, rng: random.Random, indicators: tuple[int, int] = (5, 20)
) -> Record:
    """Project ``i``: ``base`` with its own names, amounts and 5–20 (``indicators``) indicators."""
    record = _copy(base)
    district = rng.choice(DISTRICTS)
    for key in ("department", "implementing_unit"):
        value = getattr(record, key)
        setattr(record, key, value.replace("长宁", district) if value else value)
    record.project_name = f"{base.project_name}（{district}区第{i:05d}号）"
    factor = rng.lognormvariate(0.0, 1.0)
    if record.kind == DECLARATION:
        _declaration_funds(record, factor, rng)
    else:
        _self_evaluation_funds(record, factor, rng)
    record.indicators = _indicators(record, pools, rng.randint(*indicators), rng)
    return record


# -- planted mistakes --------------------------------------------------------------------
# Each mutates a varied record and returns the rule ID the checker must report for it.


def _d06(r: Any, rng: random.Random) -> str:
    r.funds.annual_total = round(r.funds.annual_total + rng.choice((100.0, 1000.0, 0.5)), 2)
    r.funds.project_total = r.funds.annual_total
    return "D06"


def _d01(r: Any, rng: random.Random) -> str:
    r.implementing_unit = None
    return "D01"


def _d03(r: Any, rng: random.Random) -> str:
    r.start_date, r.end_date = r.end_date, r.start_date
    return "D03"


def _d11(r: Any, rng: random.Random) -> str:
    rng.choice(r.indicators).target = None
    return "D11"


def _d10(r: Any, rng: random.Random) -> str:
    ind = rng.choice([i for i in r.indicators if i.level1 == "产出指标"])
    ind.level2 = "社会效益指标"
    return "D10"


def _r04(r: Any, rng: random.Random) -> str:
    if r.kind == DECLARATION:
        r.funds.carryover = f"约{r.funds.carryover + 100:.0f}元"
    else:  # not a total-line amount: the writer computes the formulas from those
        executed = r.funds.current_appropriation.executed
        r.funds.current_appropriation.executed = f"约{executed:.0f}元"
    return "R04"


def _s08(r: Any, rng: random.Random) -> str:
    ind = rng.choice(r.indicators)
    ind.score = round(ind.weight + 2, 2)
    return "S08"


def _s09(r: Any, rng: random.Random) -> str:
    ind = rng.choice(r.indicators)
    ind.score, ind.deviation_reason = round(ind.weight / 2, 2), None
    return "S09"


def _s06(r: Any, rng: random.Random) -> str:
    ind = rng.choice(r.indicators)
    ind.weight = ind.score = round(ind.weight + 5, 2)
    return "S06"


def _s01(r: Any, rng: random.Random) -> str:
    r.department = None
    return "S01"


MISTAKES = {
    DECLARATION: (_d06, _d01, _d03, _d11, _d10, _r04),
    "self_evaluation": (_s08, _s09, _s06, _s01, _r04),
}


# -- the work folder -----------------------------------------------------------------------


@dataclass
class Corpus:
    """A folder of generated forms and what was planted in them."""

    folder: Path
    files: list[Path]
    planted: dict[str, str] = field(default_factory=dict)  # file name → rule ID
    kinds: dict[str, int] = field(default_factory=dict)  # 申报表/自评表 → count
    seconds: float | None = None  # generation time; None when reused

    @property
    def bytes(self) -> int:
        return sum(p.stat().st_size for p in self.files)


def plan(n: int, seed: int) -> list[tuple[str, Record, str | None]]:
    """(file name, record, planted rule or None) for each of ``n`` files."""
    examples = bases()
    pools = _pools(examples)
    out = []
    for i in range(n):
        rng = random.Random(seed * 1_000_003 + i)
        record = vary(examples[i % len(examples)], i, pools, rng)
        rule = (
            rng.choice(MISTAKES[record.kind])(record, rng) if rng.random() < MISTAKE_RATE else None
        )
        name = f"{i:05d}_" + safe_filename(f"{KIND_NAMES[record.kind]}_{record.project_name}")
        out.append((name, record, rule))
    return out


_PROFILE: Any = None


def _write(job: tuple[Path, Record]) -> None:
    global _PROFILE
    if _PROFILE is None:
        from xltools.profiles import load_profile

        _PROFILE = load_profile()
    write_form(job[0], job[1], profile=_PROFILE, force=True)


def generate(workdir: Path, n: int, seed: int = 1, jobs: int | None = None) -> Corpus:
    """``n`` filled forms in ``workdir/forms``; reused when the manifest matches."""
    folder, manifest = workdir / "forms", workdir / "manifest.json"
    wanted = {"version": GENERATOR_VERSION, "seed": seed, "files": n}
    if manifest.exists():
        saved = json.loads(manifest.read_text("utf-8"))
        files = [folder / name for name in saved.get("names", [])]
        if {k: saved.get(k) for k in wanted} == wanted and all(p.exists() for p in files):
            return Corpus(folder, files, saved["planted"], saved["kinds"])
    started = time.perf_counter()
    jobs_list = plan(n, seed)
    if folder.exists():
        for old in folder.glob("*.xlsx"):
            old.unlink()
    folder.mkdir(parents=True, exist_ok=True)
    writes = [(folder / name, record) for name, record, _ in jobs_list]
    with ProcessPoolExecutor(max_workers=jobs or os.cpu_count() or 1) as pool:
        list(pool.map(_write, writes, chunksize=16))
    kinds = dict(Counter(KIND_NAMES[r.kind] for _, r, _ in jobs_list))
    planted = {name: rule for name, _, rule in jobs_list if rule}
    names = [name for name, _, _ in jobs_list]
    manifest.write_text(
        json.dumps(
            {**wanted, "names": names, "planted": planted, "kinds": kinds}, ensure_ascii=False
        ),
        "utf-8",
    )
    seconds = time.perf_counter() - started
    return Corpus(folder, [folder / name for name in names], planted, kinds, seconds)


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
