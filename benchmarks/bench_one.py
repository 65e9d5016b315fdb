"""Benchmark of one file: ``xltools check FILE`` next to ``xltools read FILE`` (issue 11).

    python benchmarks/bench_one.py                                   # the example 自评表, best of 7
    python benchmarks/bench_one.py examples/申报表_信息系统维护经费.xlsx --repeat 11
    python benchmarks/bench_one.py --imports                          # also: what check imports
    python benchmarks/bench_one.py --against /tmp/old                  # and an older checkout

Both commands run as child processes, as a clerk runs them (``python -m xltools …``, the
output to a file so that no terminal is timed), in turn in the same minutes: read, check,
read, check… The shortest wall and CPU time of each is kept and the ratio printed. What a
single file costs is start-up: Python, the imports, one read; ``check`` adds pandas and
pandera and the rules. See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from bench_check import machine
from common import Timing, load, run_child

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ROOT / "examples" / "自评表_工作服专项经费.xlsx"


def command(verb: str, path: Path, out: Path) -> list[str]:
    return [sys.executable, "-m", "xltools", verb, str(path), "-o", str(out), "--force"]


def imports(path: Path, top: int) -> None:
    """``python -X importtime`` of ``check``: the modules that cost most, cumulative."""
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [sys.executable, "-X", "importtime", *command("check", path, Path(tmp) / "r.txt")[1:]]
        err = subprocess.run(cmd, capture_output=True, text=True, check=False).stderr
    rows = []
    for line in err.splitlines():
        m = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)", line)
        if m and len(m.group(3)) <= 3:  # top-level imports and their direct children
            rows.append((int(m.group(2)) / 1e6, len(m.group(3)) // 2, m.group(4)))
    total = sum(s for s, depth, _ in rows if depth == 0)
    print(f"\nimports of check (python -X importtime), {total:.2f} s at the top level:")
    for seconds, depth, name in sorted(rows, reverse=True)[:top]:
        print(f"    {seconds:6.3f} s  {'  ' * depth}{name}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", type=Path, nargs="?", default=DEFAULT, help="the workbook")
    parser.add_argument("--repeat", type=int, default=7, help="runs of each command (7)")
    parser.add_argument("--imports", action="store_true", help="also list check's imports")
    parser.add_argument("--top", type=int, default=15, help="imports listed (15)")
    parser.add_argument(
        "--against",
        type=Path,
        help="also time a checkout of other code (its xltools/ runs from this folder), in turn",
    )
    args = parser.parse_args(argv)
    print(f"xltools one-file benchmark — {machine()}")
    print(f"file: {args.file} ({args.file.stat().st_size / 1024:.0f} KB)")
    print(f"before: {load()}")
    # (label, working folder): python -m xltools imports xltools/ from the working folder
    code = [("", None)] + ([(f" [{args.against}]", args.against.resolve())] if args.against else [])
    keys = [(verb, label) for label, _ in code for verb in ("read", "check")]
    runs: dict[tuple[str, str], list[Timing]] = {k: [] for k in keys}
    codes: dict[tuple[str, str], set[int]] = {k: set() for k in keys}
    path = args.file.resolve()
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(max(1, args.repeat)):
            for label, cwd in code:
                for verb in ("read", "check"):
                    cmd = command(verb, path, Path(tmp) / f"{verb}.out")
                    run = run_child(
                        cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=cwd
                    )
                    runs[verb, label].append(run.timing)
                    codes[verb, label].add(run.returncode)
    print(f"after: {load()}")
    best = {k: Timing(min(t.wall for t in ts), min(t.cpu for t in ts)) for k, ts in runs.items()}
    print(f"\nbest of {args.repeat}, each command in its own process{'':<6}wall s   CPU s")
    for (verb, label), t in best.items():
        shown = " ".join(["xltools", verb, args.file.name]) + label
        exits = ",".join(map(str, sorted(codes[verb, label])))
        print(f"    {shown:<46}{t.wall:7.2f} {t.cpu:7.2f}   (exit {exits})")
    for label, _ in code:
        read, check = best["read", label], best["check", label]
        print(
            f"    check ÷ read{label}: {check.wall / read.wall:.2f}× wall, "
            f"{check.cpu / read.cpu:.2f}× CPU"
        )
    if args.imports:
        imports(args.file, args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
