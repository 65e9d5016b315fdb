"""What the worst inputs cost: each bad-input case through check, merge and prefill.

    python benchmarks/bench_hostile.py                   # the worst cases, in a temp folder
    python benchmarks/bench_hostile.py --workdir /tmp/h --all

Each command runs in its own process (``common.run_child``: wall and CPU time, peak memory of
the process). Before the limits (issue 13) a cell at XFD1048576 aborted every command (exit
134), a cell at ZZ100000 cost 2.7 GB, 1,000,000 rows more than 400 s. The cases come from
testkit/badfiles.py, plus the largest sheet still read: 50,000 rows × 10 full columns
(500,000 cells, the area limit).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from common import run_child

from testkit import badfiles as bad

WORST = [
    "单元格在XFD1048576.xlsx",
    "单元格在ZZ100000.xlsx",
    "一百万行.xlsx",
    "压缩炸弹.xlsx",
    "解压过大.xlsx",
    "日期远超范围.xlsx",
]
LARGEST_READ = "最大可读区域.xlsx"


def largest_read(out: Path) -> None:
    cols = [chr(65 + i).encode() for i in range(10)]
    rows = b"".join(
        b'<row r="%d">' % r
        + b"".join(b'<c r="%s%d"><v>%d</v></c>' % (c, r, r) for c in cols)
        + b"</row>"
        for r in range(40, 50_001)
    )
    bad.add_rows(rows)(out)


def commands(path: Path, out: Path) -> dict[str, list[str]]:
    xltools = [sys.executable, "-m", "xltools"]
    return {
        "check": [*xltools, "check", str(path), "--format", "json", "-o", str(out / "c.json")],
        "merge": [*xltools, "merge", str(path), "-o", str(out / "m.xlsx"), "--include-invalid"],
        "prefill": [*xltools, "prefill", str(path), "-o", str(out / "p")],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--workdir", type=Path, help="where the files are built (a temp folder)")
    parser.add_argument("--all", action="store_true", help="every case of the catalogue")
    args = parser.parse_args()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="bench-hostile-"))
    names = [n for n in bad.CASES if n not in bad.NOT_INPUTS] if args.all else WORST
    paths = bad.build(work / "in", names)
    largest_read(work / "in" / LARGEST_READ)
    paths.append(work / "in" / LARGEST_READ)
    print(
        f"{'case':<28} {'command':<8} {'size':>9} {'exit':>4} {'wall s':>7} {'CPU s':>6} {'peak MB':>8}"
    )
    for path in paths:
        size = path.lstat().st_size
        for name, cmd in commands(path, work / "out" / path.stem).items():
            (work / "out" / path.stem).mkdir(parents=True, exist_ok=True)
            run = run_child(cmd, capture_output=True)
            peak = run.tree_mb if run.tree_mb is not None else run.peak_mb
            print(
                f"{path.name:<28} {name:<8} {size / 1024:>7,.0f}KB {run.returncode:>4} "
                f"{run.timing.wall:>7.2f} {run.timing.cpu:>6.2f} {peak:>8.0f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
