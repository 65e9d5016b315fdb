"""Benchmark of ``xltools merge``: many projects in one consolidated workbook.

    python benchmarks/bench_merge.py                       # 10,000 projects, 10 per file
    python benchmarks/bench_merge.py --projects 10000 --per-file 1   # 10,000 one-form files
    python benchmarks/bench_merge.py --projects 500 --workdir /tmp/bm --profile merge.prof

The inputs are generated once (not measured) and reused while the work folder's
manifest matches. ``xltools merge DIR -o OUT.xlsx --force`` then runs in a child
process (wall time, CPU time, peak RSS of the largest process from ``os.wait4`` and of the
whole process tree, workers included, sampled with psutil), and ``api.merge`` runs
again in process, split into its stages: read, check, plan, write (per sheet).
See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import cProfile
import multiprocessing
import pstats
import re
import resource
import sys
import tempfile
import time
import zipfile
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench_check import Stopwatch, machine, verdict
from common import ChildRun, Timing, load, run_child, warm

from testkit.corpus import Inputs, generate_merge_inputs

WALL_GOAL_S = 60.0
MEMORY_GOAL_MB = 1024.0  # MB here are MiB (2**20 bytes), as ru_maxrss


# -- measuring -------------------------------------------------------------------------------


def merge_command(folder: Path, out: Path, jobs: int | None = None) -> list[str]:
    cmd = [sys.executable, "-m", "xltools", "merge", str(folder), "-o", str(out), "--force"]
    return cmd if jobs is None else [*cmd, "--jobs", str(jobs)]


@dataclass
class Counts:
    projects: int
    indicators: int
    sheets: list[str]


def counts(out: Path) -> Counts:
    """Projects (项目汇总 rows between the header and 合计) and indicator rows (指标明细),
    read back with calamine."""
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(str(out))
    n_projects = n_indicators = 0
    for name in book.sheet_names:
        if name.startswith("项目汇总"):
            first = [row[0] for row in book.get_sheet_by_name(name).iter_rows()]
            n_projects += first.index("合计") - first.index("序号") - 1  # under the title
        elif name.startswith("指标明细"):
            n_indicators += sum(1 for _ in book.get_sheet_by_name(name).iter_rows()) - 1
    return Counts(n_projects, n_indicators, list(book.sheet_names))


def peak_mb() -> float:
    """This process's peak RSS so far: VmHWM, the high-water mark of its own address space.

    Not ru_maxrss: on Linux that starts from the peak of the process that spawned this one.
    """
    try:
        status = Path("/proc/self/status").read_text()
        return int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) / 1024  # type: ignore[union-attr]
    except (OSError, AttributeError):
        scale = 1 if sys.platform == "darwin" else 1024
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale / 2**20


class Laps(Stopwatch):
    """A Stopwatch that also notes the process's peak RSS at the end of each stage."""

    def __init__(self) -> None:
        super().__init__()
        self.peaks: dict[str, float] = {}

    def lap(self, name: str) -> None:
        super().lap(name)
        self.peaks[name] = peak_mb()
        self._reset()


WRITER_PARTS = {
    "_summary": "项目汇总",
    "_indicators": "指标明细",
    "_forms": "汇总表 (FormDrawer)",
    "_charts": "图表",
    "_findings": "校验结果",
    "_sources": "来源",
}


def timed_writer(writer: Any) -> dict[str, Timing]:
    """Wrap the writer's sheet methods and ``book.close`` (the XML is written there) in timers."""
    parts: dict[str, Timing] = {}

    def wrap(owner: Any, attr: str, label: str) -> None:
        inner: Callable[..., Any] = getattr(owner, attr)

        def timed(*args: Any, **kwargs: Any) -> Any:
            wall, cpu = time.perf_counter(), time.process_time()
            try:
                return inner(*args, **kwargs)
            finally:
                old = parts.get(label, Timing(0.0, 0.0))
                parts[label] = Timing(
                    old.wall + time.perf_counter() - wall, old.cpu + time.process_time() - cpu
                )

        setattr(owner, attr, timed)

    for attr, label in WRITER_PARTS.items():
        wrap(writer, attr, label)
    wrap(writer.book, "close", "book.close (xlsxwriter writes the XML, zips)")
    return parts


@dataclass
class Stages:
    """What the in-process run measured (plain data: it comes back from a child process)."""

    stages: dict[str, Timing]
    peaks: dict[str, float]  # the process's peak RSS at the end of each stage
    parts: dict[str, Timing]  # the write stage by sheet, and book.close
    summary: str


def in_process(folder: Path, out: Path, jobs: int | None) -> Stages:
    """``api.merge`` split in its stages, each on the previous stage's results.

    ``merge.plan`` reads and checks by itself; here it gets the result of the read and
    check stage (its ``read_and_check`` is swapped for the cached reports), so the "plan"
    line is only what plan adds: SHA-256, unit conversion, duplicates, order.
    """
    clock = Laps()
    import xltools.check.frames
    import xltools.check.rules.cross
    import xltools.check.schemas  # noqa: F401  (pandera: imported here so check is not charged)
    from xltools.api import paused_gc
    from xltools.catalogue import ERROR, WARNING
    from xltools.check.checker import Checker, Report, read_and_check
    from xltools.profiles import load_profile
    from xltools.read.workbook import discover
    from xltools.read.workers import AUTO, jobs_for
    from xltools.write import merge as merging
    from xltools.write.consolidated import ConsolidatedWriter

    clock.lap("imports (pandas, pandera, xlsxwriter)")
    profile = load_profile()
    files = sorted(discover([folder]), key=str)
    jobs = AUTO if jobs is None else jobs  # as the command does without --jobs
    processes = jobs_for(len(files), jobs)
    reports = read_and_check(files, Checker(profile, scores=False), jobs, None)
    report = Report(reports)
    clock.lap(f"read + check: read_and_check, {processes} process(es)")
    saved = merging.read_and_check
    merging.read_and_check = lambda *_args: reports
    try:
        plan = merging.plan(files, profile, money_unit="元", include_invalid=False)
    finally:
        merging.read_and_check = saved
    clock.lap("plan: sha256, convert, duplicates, order")
    writer = ConsolidatedWriter(out, plan, profile)
    parts = timed_writer(writer)
    with paused_gc():  # as api.merge writes
        writer.write()
    clock.lap("write: ConsolidatedWriter.write (no cyclic GC)")
    summary = (
        f"check found {report.count(ERROR)} errors, {report.count(WARNING)} warnings; "
        f"plan: {len(plan.entries)} projects, {len(plan.left_out)} files left out, "
        f"findings by rule {dict(Counter(f.rule for f in plan.findings))}"
    )
    return Stages(clock.stages, clock.peaks, parts, summary)


def stages_in_child(folder: Path, out: Path, jobs: int | None) -> Stages:
    """``in_process`` in a fresh (spawned) process, so its peak RSS is the merge's alone."""
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(in_process, folder, out, jobs).result()


def sheet_sizes(out: Path) -> dict[str, float]:
    """Uncompressed MB of each sheet's XML (and the shared strings), grouped by sheet name."""
    with zipfile.ZipFile(out) as zf:
        names = re.findall(r'<sheet name="([^"]+)"', zf.read("xl/workbook.xml").decode("utf-8"))
        sizes: dict[str, float] = {}
        for i, name in enumerate(names, start=1):
            group = re.sub(r"\d+$", "", name)
            size = zf.getinfo(f"xl/worksheets/sheet{i}.xml").file_size / 2**20
            sizes[group] = sizes.get(group, 0.0) + size
        if "xl/sharedStrings.xml" in zf.namelist():
            sizes["(shared strings)"] = zf.getinfo("xl/sharedStrings.xml").file_size / 2**20
    return sizes


def warm_imports() -> None:
    """Import what merge needs before profiling, so the profiles show the work, not imports."""
    import xltools.check.frames
    import xltools.check.rules.cross
    import xltools.check.schemas
    import xltools.write.consolidated  # noqa: F401


def profile_merge(folder: Path, out: Path, dump: Path, top: int) -> None:
    """cProfile of ``api.merge`` in process: top functions by own and cumulative time."""
    from xltools import api

    warm_imports()
    profiler = cProfile.Profile()
    profiler.enable()
    api.merge([folder], out, force=True)
    profiler.disable()
    profiler.dump_stats(dump)
    stats = pstats.Stats(profiler)
    total = stats.total_tt  # type: ignore[attr-defined]
    for key in ("tottime", "cumulative"):
        print(f"\n-- cProfile of api.merge, top {top} by {key} (total {total:.1f} s; {dump}) --")
        stats.strip_dirs().sort_stats(key).print_stats(top)


def pyinstrument_merge(folder: Path, out: Path) -> None:
    """A sampling profile of ``api.merge`` as a call tree, in percent of the total."""
    try:
        from pyinstrument import Profiler
    except ImportError:
        print("\npyinstrument is not installed: pip install pyinstrument", file=sys.stderr)
        return
    from xltools import api

    warm_imports()
    profiler = Profiler(interval=0.005)
    profiler.start()
    api.merge([folder], out, force=True)
    profiler.stop()
    print("\n-- pyinstrument of api.merge (percent of total) --")
    print(profiler.output_text(unicode=True, color=False, time="percent_of_total"))


# -- the report ------------------------------------------------------------------------------


def arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=10_000, help="projects (10000)")
    parser.add_argument("--per-file", type=int, default=10, help="projects per file, stacked (10)")
    parser.add_argument(
        "--workdir",
        type=Path,
        default=Path(tempfile.gettempdir()) / "xltools-bench-merge",
        help="folder for the generated files and the output, reused when it holds the same files",
    )
    parser.add_argument("--seed", type=int, default=1, help="generation seed (1)")
    parser.add_argument("--jobs", type=int, default=None, help="processes for generation (CPUs)")
    parser.add_argument(
        "--merge-jobs",
        type=int,
        default=None,
        help="xltools merge --jobs (default: not given, so one worker per CPU)",
    )
    parser.add_argument("--repeat", type=int, default=1, help="runs of the command, best kept (1)")
    parser.add_argument("--no-stages", action="store_true", help="skip the in-process stages")
    parser.add_argument(
        "--no-baseline", action="store_true", help="skip the pandas read + to_excel baseline"
    )
    parser.add_argument("--profile", type=Path, help="also cProfile api.merge into this file")
    parser.add_argument("--top", type=int, default=30, help="functions shown per profile (30)")
    parser.add_argument(
        "--pyinstrument", action="store_true", help="also a sampling profile of api.merge"
    )
    args = parser.parse_args(argv)
    if args.projects < 1 or args.per_file < 1:
        parser.error("--projects and --per-file must be at least 1")
    return args


def prepare(args: argparse.Namespace) -> Inputs:
    print(f"xltools merge benchmark — {machine()}")
    inputs = generate_merge_inputs(args.workdir, args.projects, args.per_file, args.seed, args.jobs)
    kinds = ", ".join(f"{n} {k}" for k, n in sorted(inputs.kinds.items()))
    made = "reused" if inputs.seconds is None else f"generated in {inputs.seconds:.1f} s"
    print(
        f"input: {inputs.projects} projects ({kinds}), {inputs.indicators} indicator rows, "
        f"{len(inputs.files)} files ({args.per_file} per file) in {inputs.folder}: {made} "
        f"(not measured)"
    )
    size = warm(inputs.files)
    print(f"cache: one throwaway pass read all {size / 2**20:.1f} MB before any timing")
    return inputs


def run_merge(
    inputs: Inputs, out: Path, log: Path, repeat: int, jobs: int | None
) -> tuple[Timing, ChildRun]:
    """The command as a user runs it; best wall and CPU of ``repeat`` runs, the run with
    the largest memory."""
    runs = []
    for _ in range(max(1, repeat)):
        with log.open("w", encoding="utf-8") as fh:
            cmd = merge_command(inputs.folder, out, jobs)
            runs.append(run_child(cmd, stdout=fh, stderr=fh))
        if runs[-1].returncode != 0:  # 1: a file or project left out; nothing should be
            print(log.read_text("utf-8")[-3000:], file=sys.stderr)
            raise SystemExit(f"xltools merge exited with {runs[-1].returncode} (log: {log})")
    best = Timing(min(r.timing.wall for r in runs), min(r.timing.cpu for r in runs))
    return best, max(runs, key=lambda r: r.memory_mb)


def show_command(
    inputs: Inputs, out: Path, log: Path, timing: Timing, run: ChildRun, jobs: int | None
) -> None:
    got = counts(out)
    print(f"\n(a) {' '.join(['xltools', *merge_command(inputs.folder, out, jobs)[3:]])}")
    tree = (
        f"whole process tree (command + workers, summed, sampled every 20 ms) {run.tree_mb:.0f} MB"
        if run.tree_mb is not None
        else "process tree not sampled: pip install psutil (or .[bench])"
    )
    print(
        f"    wall {timing.wall:.2f} s, CPU {timing.cpu:.2f} s (command + workers); peak RSS: "
        f"largest process {run.peak_mb:.0f} MB, {tree}"
    )
    print(
        f"    output {out.stat().st_size / 2**20:.1f} MB, {len(got.sheets)} sheets; XML unzipped:"
    )
    for group, size in sheet_sizes(out).items():
        print(f"      {pad(group, 40)}{size:8.1f} MB")
    ok = (got.projects, got.indicators) == (inputs.projects, inputs.indicators)
    print(
        f"    read back: {got.projects} projects in 项目汇总, {got.indicators} rows in 指标明细 "
        f"(expected {inputs.projects} and {inputs.indicators}: {'ok' if ok else 'MISMATCH'})"
    )
    for line in log.read_text("utf-8").splitlines()[:4]:
        print(f"    | {line}")
    peak = run.memory_mb
    gb = peak * 2**20 / 1e9
    print(
        f"    wall {timing.wall:.1f} s (goal ≤ {WALL_GOAL_S:g} s: {verdict(timing.wall <= WALL_GOAL_S)})"
        f"; peak {peak:.0f} MB = {gb:.2f} GB (goal ≤ 1 GB: {verdict(gb <= 1.0)}; "
        f"≤ 1 GiB = 1024 MB: {verdict(peak <= MEMORY_GOAL_MB)})"
    )
    if not ok:
        raise SystemExit("the consolidated workbook does not hold every project and indicator")


def pad(text: str, width: int) -> str:
    """``text`` left-aligned in ``width`` terminal columns (a CJK character takes two)."""
    return text + " " * max(0, width - sum(2 if ord(ch) > 0x2E7F else 1 for ch in text))


def show_stages(stages: Stages, startup: Timing) -> None:
    print(f"\n(b) api.merge in process, by stage{'':<24}{'wall s':>8}{'CPU s':>8}{'peak MB':>9}")
    for name, t in stages.stages.items():
        print(f"    {pad(name, 54)}{t.wall:8.2f}{t.cpu:8.2f}{stages.peaks[name]:9.0f}")
        if name.startswith("write"):
            for part, p in stages.parts.items():
                print(f"      {pad(part, 52)}{p.wall:8.2f}{p.cpu:8.2f}")
    label = "startup: python + imports (own process)"
    print(f"    {label:<54}{startup.wall:8.2f}{startup.cpu:8.2f}")
    print(f"    {stages.summary}")


STARTUP = (
    "import xltools.cli, xltools.api, xltools.write.merge, xltools.check.checker, xltools.check.frames, "
    "xltools.check.schemas, xltools.check.rules.cross, xltools.write.consolidated"
)


# The baseline: what a clerk's own script would do to put every file into one workbook.
# pandas reads every sheet of every file (calamine, the fastest engine pandas has), the
# sheets are stacked as they are, and written to one sheet per 1,000,000 rows with
# xlsxwriter: no checking, no summaries, no layout, no formats. Same files, same run.
NAIVE = """
import sys
from pathlib import Path
import pandas as pd
folder, out = Path(sys.argv[1]), sys.argv[2]
frames = []
for path in sorted(folder.glob("*.xlsx")):
    for frame in pd.read_excel(path, sheet_name=None, header=None, engine="calamine").values():
        frames.append(frame)
stacked = pd.concat(frames, ignore_index=True)
with pd.ExcelWriter(out, engine="xlsxwriter") as writer:
    for i in range(0, len(stacked), 1_000_000):
        stacked.iloc[i : i + 1_000_000].to_excel(writer, sheet_name=f"S{i}", header=False, index=False)
print(len(stacked), int(stacked.notna().sum().sum()))
"""


def run_naive(inputs: Inputs, out: Path) -> ChildRun:
    """The baseline as a child process (see NAIVE); raises if it fails."""
    with tempfile.TemporaryFile("w+", encoding="utf-8") as fh:
        run = run_child([sys.executable, "-c", NAIVE, str(inputs.folder), str(out)], stdout=fh)
        fh.seek(0)
        rows, cells = fh.read().split()
    if run.returncode != 0:
        raise SystemExit(f"the pandas baseline failed (exit {run.returncode})")
    print(
        f"\n(c) baseline: pandas.read_excel (calamine) of every sheet, stacked, DataFrame.to_excel "
        f"(xlsxwriter): {int(rows):,} rows, {int(cells):,} filled cells\n"
        f"    wall {run.timing.wall:.2f} s, CPU {run.timing.cpu:.2f} s, peak RSS {run.memory_mb:.0f} MB"
    )
    return run


def main(argv: list[str] | None = None) -> int:
    args = arguments(argv)
    inputs = prepare(args)
    out, log = args.workdir / "汇总.xlsx", args.workdir / "merge.log"
    print(f"before: {load()}")
    timing, run = run_merge(inputs, out, log, args.repeat, args.merge_jobs)
    print(f"after the command: {load()}")
    show_command(inputs, out, log, timing, run, args.merge_jobs)
    if not args.no_baseline:
        naive = run_naive(inputs, args.workdir / "baseline.xlsx")
        ratio = timing.wall / naive.timing.wall
        print(
            f"    xltools merge ÷ baseline, wall time: {ratio:.2f} "
            f"(CPU {timing.cpu / naive.timing.cpu:.2f}; goal ≤ 1, issue 11: "
            f"{verdict(ratio <= 1.0)}); below 1: merge is faster. "
            f"The goal in seconds on a quiet machine is {WALL_GOAL_S:g} s; a run whose baseline "
            f"is slower than usual was slowed by other jobs as much"
        )
        print(f"after the baseline: {load()}")
    if not args.no_stages:
        stages = stages_in_child(inputs.folder, args.workdir / "汇总-stages.xlsx", args.merge_jobs)
        startup = run_child([sys.executable, "-c", STARTUP]).timing
        show_stages(stages, startup)
        print(f"after the stages: {load()}")
    profiled = args.workdir / "汇总-profile.xlsx"
    if args.profile:
        profile_merge(inputs.folder, profiled, args.profile, args.top)
    if args.pyinstrument:
        pyinstrument_merge(inputs.folder, profiled)
    return 0


if __name__ == "__main__":
    sys.exit(main())
