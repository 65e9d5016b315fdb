"""Benchmark of ``xltools check`` against pandas and the python-calamine floor.

    python benchmarks/bench_check.py                  # 2,000 files in a reused temp folder
    python benchmarks/bench_check.py --files 200 --workdir /tmp/bench
    python benchmarks/bench_check.py --profile check.prof   # + cProfile of the in-process check

All measurements run on the same files, after a throwaway pass that reads every
file once, so the page cache is warm for each of them. Generating the files is
timed separately and never counted. See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import platform
import pstats
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from common import Corpus, Timing, best_of, generate, load, run_child, warm

PANDAS_GOAL = 3.0  # check files/s ÷ pandas files/s
FLOOR_GOAL = 0.4  # check -j 1 files/s ÷ calamine floor files/s (issue 11)
MEMORY_GOAL_MB = 500.0  # for 2,000 files


@dataclass
class Row:
    name: str
    timing: Timing
    files: int
    peak_mb: float | None = None

    def rate(self, cpu: bool = False) -> float:
        return self.files / (self.timing.cpu if cpu else self.timing.wall)


def pandas_loop(files: list[Path]) -> None:
    import pandas as pd

    # openpyxl is pandas' default for .xlsx; named so a change of default cannot move the baseline.
    for path in files:
        pd.read_excel(path, sheet_name=None, header=None, engine="openpyxl")


def calamine_loop(files: list[Path]) -> None:
    from python_calamine import CalamineWorkbook

    for path in files:
        book = CalamineWorkbook.from_path(str(path))
        for name in book.sheet_names:
            book.get_sheet_by_name(name).to_python()


def check_command(folder: Path, out: Path, jobs: int | None = None) -> list[str]:
    """``xltools check`` exactly as a user runs it, JSON written to a file; ``jobs``: its
    ``-j`` (None: the default, one worker per CPU from ``workers.PARALLEL_FROM`` files)."""
    check = ["-m", "xltools", "check", str(folder), "--format", "json", "-o", str(out)]
    return [sys.executable, *check, "--force", *(["-j", str(jobs)] if jobs else [])]


def timed_check(
    folder: Path, out: Path, repeat: int, jobs: int | None = None
) -> tuple[Timing, float]:
    """Best wall and CPU time of ``repeat`` runs of the command, and its largest peak MB."""
    runs = [run_child(check_command(folder, out, jobs)) for _ in range(max(1, repeat))]
    if any(r.returncode not in (0, 1) for r in runs):  # 1: errors found, as planted
        raise SystemExit(f"xltools check failed: exit codes {[r.returncode for r in runs]}")
    timing = Timing(min(r.timing.wall for r in runs), min(r.timing.cpu for r in runs))
    return timing, max(r.memory_mb for r in runs)


# What ``xltools check`` imports before it reads a file: Python, click, pandas, pandera, rich.
STARTUP = (
    "import xltools.cli, xltools.api, xltools.check.checker, xltools.check.frames, xltools.check.schemas, "
    "xltools.check.rules.cross, xltools.render, rich.console"
)


class Stopwatch:
    """Wall and CPU time of consecutive stages."""

    def __init__(self) -> None:
        self.stages: dict[str, Timing] = {}
        self._reset()

    def _reset(self) -> None:
        self._wall, self._cpu = time.perf_counter(), time.process_time()

    def lap(self, name: str) -> None:
        wall, cpu = time.perf_counter() - self._wall, time.process_time() - self._cpu
        self.stages[name] = Timing(wall, cpu)
        self._reset()


def in_process(corpus: Corpus) -> dict[str, Timing]:
    """``api.check`` split in its stages: read, validate, JSON (imports timed first, apart)."""
    clock = Stopwatch()
    import xltools.check.frames
    import xltools.check.rules.cross
    import xltools.check.schemas  # noqa: F401  (pandera: imported here so validate is not charged)
    from xltools import render
    from xltools.check.checker import Checker
    from xltools.profiles import load_profile
    from xltools.read.workbook import discover, read_workbook

    clock.lap("imports (pandera etc.)")
    profile = load_profile()
    results = [read_workbook(p, profile) for p in discover([corpus.folder])]
    clock.lap("read: calamine → records")
    report = Checker(profile).run(results)
    clock.lap("validate: frames, pandera, rules")
    render.report_json(report)
    clock.lap("render JSON")
    return clock.stages


def planted_found(corpus: Corpus, out: Path) -> tuple[int, Counter[str], dict[str, Any]]:
    """How many planted mistakes the report names, and the findings of the other files."""
    data = json.loads(out.read_text("utf-8"))
    found, clean = 0, Counter()
    for entry in data["files"]:
        rules = {f["rule"] for f in entry["findings"]}
        name = Path(entry["file"]).name
        if name in corpus.planted:
            found += corpus.planted[name] in rules
        else:
            clean.update(f["rule"] for f in entry["findings"])
    return found, clean, data["summary"]


def profile_check(corpus: Corpus, out: Path, top: int) -> None:
    """cProfile of ``api.check`` in process: top functions by own time and by cumulative time.

    cProfile charges a fixed cost to every call, so functions called very often look
    bigger than they are; ``--pyinstrument`` (sampling) gives fairer percentages.
    """
    from xltools import api

    api.check([corpus.folder])  # warm: imports and lazy initialisation are not profiled
    profiler = cProfile.Profile()
    profiler.enable()
    api.check([corpus.folder])
    profiler.disable()
    profiler.dump_stats(out)
    for key in ("tottime", "cumulative"):
        print(f"\n-- cProfile of api.check, top {top} by {key} (saved to {out}) --")
        pstats.Stats(profiler).strip_dirs().sort_stats(key).print_stats(top)


def pyinstrument_check(corpus: Corpus) -> None:
    """A sampling profile of ``api.check`` as a call tree, in percent of the total."""
    try:
        from pyinstrument import Profiler
    except ImportError:
        print("\npyinstrument is not installed: pip install pyinstrument", file=sys.stderr)
        return
    from xltools import api

    api.check([corpus.folder])  # warm, as for cProfile
    profiler = Profiler(interval=0.001)
    profiler.start()
    api.check([corpus.folder])
    profiler.stop()
    print("\n-- pyinstrument of api.check (percent of total) --")
    print(profiler.output_text(unicode=True, color=False, time="percent_of_total"))


def machine() -> str:
    return (
        f"{os.cpu_count()} CPUs, {platform.machine()}, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}"
    )


def table(rows: list[Row]) -> None:
    head = f"{'measure':<46}{'wall s':>8}{'CPU s':>8}{'files/s':>9}{'(CPU)':>8}{'peak MB':>9}"
    print(f"\n{head}")
    for row in rows:
        peak = f"{row.peak_mb:9.0f}" if row.peak_mb is not None else f"{'—':>9}"
        print(
            f"{row.name:<46}{row.timing.wall:8.2f}{row.timing.cpu:8.2f}"
            f"{row.rate():9.1f}{row.rate(cpu=True):8.1f}{peak}"
        )


def verdict(ok: bool) -> str:
    return "met" if ok else "NOT MET"


def arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=2000, help="number of workbooks (2000)")
    parser.add_argument(
        "--workdir",
        type=Path,
        default=Path(tempfile.gettempdir()) / "xltools-bench-check",
        help="folder for the generated files, reused when it already holds them",
    )
    parser.add_argument("--seed", type=int, default=1, help="generation seed (1)")
    parser.add_argument("--jobs", type=int, default=None, help="processes for generation (CPUs)")
    parser.add_argument("--repeat", type=int, default=1, help="runs per measure, best kept (1)")
    parser.add_argument("--profile", type=Path, help="also cProfile api.check into this file")
    parser.add_argument("--top", type=int, default=25, help="functions shown per profile (25)")
    parser.add_argument(
        "--pyinstrument",
        action="store_true",
        help="also a sampling profile (pip install pyinstrument)",
    )
    parser.add_argument(
        "--no-scaling",
        dest="scaling",
        action="store_false",
        help="skip the -j 1 against default -j runs on a 200-file subset",
    )
    return parser.parse_args(argv)


def prepare(args: argparse.Namespace) -> Corpus:
    """Generate (or reuse) the files, then warm the page cache with a throwaway pass."""
    print(f"xltools check benchmark — {machine()}")
    corpus = generate(args.workdir, args.files, args.seed, args.jobs)
    kinds = ", ".join(f"{n} {k}" for k, n in sorted(corpus.kinds.items()))
    made = "reused" if corpus.seconds is None else f"generated in {corpus.seconds:.1f} s"
    print(f"files: {len(corpus.files)} ({kinds}) in {corpus.folder}: {made} (not measured)")
    print(f"planted mistakes: {len(corpus.planted)} ({dict(Counter(corpus.planted.values()))})")
    size = warm(corpus.files)
    print(f"cache: one throwaway pass read all {size / 2**20:.1f} MB before any timing")
    return corpus


def measure(corpus: Corpus, out: Path, repeat: int) -> list[Row]:
    """(a) pandas, (b) calamine floor, (c) ``xltools check`` in its own process, with the
    default ``-j`` and with ``-j 1``."""
    n = len(corpus.files)
    pandas = best_of(repeat, lambda: pandas_loop(corpus.files))
    floor = best_of(repeat, lambda: calamine_loop(corpus.files))
    one, one_mb = timed_check(corpus.folder, out, repeat, jobs=1)
    check, check_mb = timed_check(corpus.folder, out, repeat)  # last: out.json is its report
    return [
        Row("(a) pandas.read_excel, openpyxl, all sheets", pandas, n),
        Row("(b) calamine floor: open + to_python()", floor, n),
        Row("(c) xltools check DIR --format json (process)", check, n, check_mb),
        Row("(c1) the same with -j 1 (one process)", one, n, one_mb),
    ]


def subset(corpus: Corpus, n: int) -> Path:
    """A folder holding the first ``n`` files of the corpus (hard links where possible)."""
    folder = corpus.folder.parent / f"first{n}"
    folder.mkdir(exist_ok=True)
    wanted = {p.name for p in corpus.files[:n]}
    for old in folder.iterdir():
        if old.name not in wanted:
            old.unlink()
    for path in corpus.files[:n]:
        link = folder / path.name
        if not link.exists():
            try:
                os.link(path, link)
            except OSError:
                link.write_bytes(path.read_bytes())
    return folder


def scaling(corpus: Corpus, rows: list[Row], repeat: int, small: int = 200) -> None:
    """Workers only where they pay (issue 11): default -j against -j 1 at 200 and N files."""
    print(
        f"\n(e) default -j against -j 1 (same run){'':<8}{'wall s':>8}{'CPU s':>8}{'÷ -j 1 wall':>13}"
    )
    cases = []
    if len(corpus.files) > small:
        folder, out = subset(corpus, small), corpus.folder.parent / f"out-first{small}.json"
        one, _ = timed_check(folder, out, repeat, jobs=1)
        default, _ = timed_check(folder, out, repeat)
        cases.append((small, one, default))
    cases.append((len(corpus.files), rows[3].timing, rows[2].timing))
    for n, one, default in cases:
        print(f"    {n:>5} files, -j 1{'':<30}{one.wall:8.2f}{one.cpu:8.2f}")
        print(
            f"    {n:>5} files, default -j{'':<25}{default.wall:8.2f}{default.cpu:8.2f}"
            f"{default.wall / one.wall:12.2f}×"
        )


def show_stages(corpus: Corpus, check: Timing, measure: str = "(c1)") -> None:
    """(d) where the in-process time goes, and the fixed cost of starting the command."""
    stages = in_process(corpus)
    print(f"\n(d) api.check in process, by stage{'':<17}{'wall s':>8}{'CPU s':>8}")
    for name, t in stages.items():
        print(f"    {name:<46}{t.wall:8.2f}{t.cpu:8.2f}")
    startup = run_child([sys.executable, "-c", STARTUP]).timing
    label = "startup: python + imports (own process)"
    print(f"    {label:<46}{startup.wall:8.2f}{startup.cpu:8.2f}")
    # Only in CPU time: two wall clocks taken minutes apart on a shared machine do not subtract.
    work = sum(t.cpu for k, t in stages.items() if not k.startswith("imports"))
    print(f"    {measure + ' − read − validate − JSON':<46}{'':>8}{check.cpu - work:8.2f}")


def show_ratios(rows: list[Row]) -> None:
    pandas, floor, check, *more = rows
    for label, cpu in (("wall", False), ("CPU", True)):
        ratio = check.rate(cpu) / pandas.rate(cpu)
        print(
            f"[{label:>4}] check ÷ pandas: {ratio:5.2f}×  (goal ≥ {PANDAS_GOAL:g}×: "
            f"{verdict(ratio >= PANDAS_GOAL)});  check ÷ calamine floor: "
            f"{check.rate(cpu) / floor.rate(cpu):5.2f}×"
        )
    for one in more:  # -j 1 against the floor (issue 11)
        for label, cpu in (("wall", False), ("CPU", True)):
            ratio = one.rate(cpu) / floor.rate(cpu)
            print(
                f"[{label:>4}] check -j 1 ÷ calamine floor: {ratio:5.2f}×  (goal ≥ {FLOOR_GOAL:g}×: "
                f"{verdict(ratio >= FLOOR_GOAL)});  check -j 1 ÷ pandas: "
                f"{one.rate(cpu) / pandas.rate(cpu):5.2f}×"
            )
    peak = check.peak_mb or 0.0
    print(
        f"peak memory of check: {peak:.0f} MB  (goal < {MEMORY_GOAL_MB:g} MB for 2,000 files: "
        f"{verdict(peak < MEMORY_GOAL_MB)})"
    )


def show_report(corpus: Corpus, out: Path) -> None:
    found, clean, summary = planted_found(corpus, out)
    print(
        f"check report: {summary['files']} files, {summary['projects']} projects, "
        f"{summary['errors']} errors, {summary['warnings']} warnings; "
        f"planted mistakes found {found}/{len(corpus.planted)}; "
        f"findings in unplanted files: {dict(clean)}"
    )


def main(argv: list[str] | None = None) -> int:
    args = arguments(argv)
    corpus = prepare(args)
    out = args.workdir / "out.json"
    print(f"before: {load()}")
    rows = measure(corpus, out, args.repeat)
    table(rows)
    show_stages(corpus, rows[3].timing)  # in one process, as -j 1
    if args.scaling:
        scaling(corpus, rows, args.repeat)
    print(f"after: {load()}\n")
    show_ratios(rows)
    show_report(corpus, out)
    if args.profile:
        profile_check(corpus, args.profile, args.top)
    if args.pyinstrument:
        pyinstrument_check(corpus)
    return 0


if __name__ == "__main__":
    sys.exit(main())
