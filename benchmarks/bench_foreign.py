"""Benchmark of ``xltools check`` on forms in layouts xltools did not write (issue 5).

    python benchmarks/bench_foreign.py                    # 2,000 files in a reused temp folder
    python benchmarks/bench_foreign.py --files 200 --xls 20 --workdir /tmp/bench-foreign
    python benchmarks/bench_foreign.py --profile foreign.prof --pyinstrument

The workbooks are drawn with xlsxwriter directly, never with xltools' writer, so they
carry no identity stamp and the reader has to find every value by its label; the styles
(``decl``, ``decl3``, ``se``, ``se_stack``, and with ``--layouts regional`` ``reg_decl``,
``reg_se``) are described in ``testkit/foreign.py``, which draws them. With ``--xls N``,
N of the workbooks are converted to .xls by LibreOffice.

The values come from ``xltools.api.example_records()`` varied as in ``testkit/records.py``;
the drawing is ``testkit/foreign.py``.
Before any timing, a sample of files is read back with ``xltools.api.read`` and
compared with the records that were drawn; the script stops if one differs. See
benchmarks/README.md, section "Foreign layouts".
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import warnings
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench_check import (
    Row,
    calamine_loop,
    machine,
    profile_check,
    pyinstrument_check,
    show_ratios,
    show_stages,
    table,
    timed_check,
)
from common import Corpus, best_of, generate, load, warm

from testkit.foreign import (
    EXPECTED_NOTES,
    MIXES,
    STYLE_NAMES,
    STYLES,
    Foreign,
    generate_foreign,
    plan_one,
)
from testkit.regional import comparable as _comparable
from xltools import api
from xltools.profiles import load_profile
from xltools.read.workbook import read_workbook

# -- correctness first ---------------------------------------------------------------------------


def _differences(got: Any, expected: Any, where: str = "") -> list[str]:
    if isinstance(got, dict) and isinstance(expected, dict):
        out = []
        for key in dict.fromkeys([*expected, *got]):
            out += _differences(got.get(key), expected.get(key), f"{where}.{key}")
        return out
    if isinstance(got, list) and isinstance(expected, list):
        if len(got) != len(expected):
            return [f"{where}: {len(got)} items read, {len(expected)} drawn"]
        return [
            d
            for n, (g, e) in enumerate(zip(got, expected, strict=True))
            for d in _differences(g, e, f"{where}[{n}]")
        ]
    return [] if got == expected else [f"{where}: read {got!r}, drawn {expected!r}"]


def sample(foreign: Foreign, size: int) -> list[int]:
    """Indices of the files to verify: evenly spread, every style, every .xls (up to 20)."""
    n = len(foreign.files)
    if size <= 0 or size >= n:
        return list(range(n))
    picked = set(range(0, n, max(1, n // size)))
    names = [p.name for p in foreign.files]
    for style in STYLES:
        picked.update([i for i, name in enumerate(names) if foreign.styles[name] == style][:3])
    picked.update([i for i, name in enumerate(names) if name.endswith(".xls")][:20])
    return sorted(picked)


def verify(foreign: Foreign, seed: int, size: int, layouts: str = "shanghai") -> int:
    """Read a sample back with ``api.read``: the records drawn, and no finding but R06 notes."""
    problems: list[str] = []
    indices = sample(foreign, size)
    for i in indices:
        path = foreign.files[i]
        wb = plan_one(i, seed, layouts)
        [result] = api.read([path])
        got = [_comparable(r) for r in result.records]
        expected = [_comparable(r) for r in wb.records]
        diffs = _differences(got, expected)
        unexpected = [
            f"{f.rule} {f.sheet}!{f.cell}: {f.message}"
            for f in result.findings
            if f.rule not in EXPECTED_NOTES
        ]
        if diffs or unexpected:
            problems.append(f"{path.name}:\n    " + "\n    ".join([*diffs[:8], *unexpected[:8]]))
    if problems:
        print(f"\nREAD WRONG in {len(problems)} of {len(indices)} files checked:", file=sys.stderr)
        print("\n".join(problems[:10]), file=sys.stderr)
        raise SystemExit("the reader does not return what was drawn: no benchmark of it")
    return len(indices)


# -- measuring -------------------------------------------------------------------------------------

ENGINES = {".xlsx": "openpyxl", ".xls": "xlrd"}  # pandas' own defaults, named explicitly


def pandas_loop(files: list[Path]) -> None:
    import pandas as pd

    # pandas 3 deprecates its .xls reader (xlrd) but still uses it by default.
    warnings.filterwarnings("ignore", message="The xlrd engine is deprecated")
    for path in files:
        pd.read_excel(path, sheet_name=None, header=None, engine=ENGINES[path.suffix.lower()])


def read_loop(files: list[Path]) -> Callable[[], None]:
    profile = load_profile()

    def run() -> None:
        for path in files:
            read_workbook(path, profile)

    return run


def measure(foreign: Foreign, out: Path, repeat: int) -> list[Row]:
    """(a) pandas, (b) calamine floor, (c) ``xltools check`` in its own process."""
    n = len(foreign.files)
    pandas = best_of(repeat, lambda: pandas_loop(foreign.files))
    floor = best_of(repeat, lambda: calamine_loop(foreign.files))
    one, one_mb = timed_check(foreign.folder, out, repeat, jobs=1)
    check, check_mb = timed_check(foreign.folder, out, repeat)  # last: out.json is its report
    return [
        Row("(a) pandas.read_excel, all sheets", pandas, n),
        Row("(b) calamine floor: open + to_python()", floor, n),
        Row("(c) xltools check DIR --format json (process)", check, n, check_mb),
        Row("(c1) the same with -j 1 (one process)", one, n, one_mb),
    ]


@dataclass
class ReadRow:
    name: str
    files: int
    forms: int
    wall: float
    cpu: float


def read_rates(foreign: Foreign, stamped: Corpus | None, repeat: int) -> list[ReadRow]:
    """In-process ``read_workbook`` (what ``api.read`` does per file), overall and by style."""
    groups: dict[str, list[tuple[Path, int]]] = {}
    for path, count in zip(foreign.files, foreign.counts, strict=True):
        key = "xls" if path.suffix == ".xls" else foreign.styles[path.name]
        groups.setdefault(key, []).append((path, count))
    t = best_of(repeat, read_loop(foreign.files))
    rows = [ReadRow("all foreign files", len(foreign.files), foreign.forms, t.wall, t.cpu)]
    for key in [*STYLES, "xls"]:
        if key in groups:
            paths = [p for p, _ in groups[key]]
            t = best_of(repeat, read_loop(paths))
            name = f"  {key}: {STYLE_NAMES.get(key, '.xls copies (LibreOffice)')}"
            forms = sum(c for _, c in groups[key])
            rows.append(ReadRow(name, len(paths), forms, t.wall, t.cpu))
    if stamped is not None:
        t = best_of(repeat, read_loop(stamped.files))
        n = len(stamped.files)
        rows.append(ReadRow("stamped template files (common.generate)", n, n, t.wall, t.cpu))
    return rows


def show_reads(rows: list[ReadRow]) -> None:
    head = f"{'in-process read_workbook':<46}{'files':>6}{'forms':>6}{'CPU s':>8}{'files/s':>9}{'forms/s':>9}"
    print(f"\n{head}")
    for r in rows:
        print(
            f"{r.name:<46}{r.files:>6}{r.forms:>6}{r.cpu:8.2f}"
            f"{r.files / r.cpu:9.1f}{r.forms / r.cpu:9.1f}"
        )


def show_report(foreign: Foreign, out: Path) -> None:
    """What check said about the files: nothing was planted, so the rules it names are listed."""
    data = json.loads(out.read_text("utf-8"))
    summary = data["summary"]
    rules = Counter(f["rule"] for entry in data["files"] for f in entry["findings"])
    print(
        f"check report: {summary['files']} files, {summary['projects']} projects "
        f"({foreign.forms} drawn), {summary['errors']} errors, {summary['warnings']} warnings; "
        f"findings by rule: {dict(sorted(rules.items()))}"
    )


def arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=2000, help="number of workbooks (2000)")
    parser.add_argument(
        "--workdir",
        type=Path,
        default=Path(tempfile.gettempdir()) / "xltools-bench-foreign",
        help="folder for the generated files, reused when it already holds them",
    )
    parser.add_argument("--seed", type=int, default=1, help="generation seed (1)")
    parser.add_argument(
        "--layouts",
        choices=sorted(MIXES),
        default="shanghai",
        help="shanghai: seed 002/004 layouts (default); regional: layouts of other regions",
    )
    parser.add_argument("--jobs", type=int, default=None, help="processes for generation (CPUs)")
    parser.add_argument(
        "--xls", type=int, default=0, help="convert this many of the files to .xls (LibreOffice)"
    )
    parser.add_argument(
        "--verify", type=int, default=100, help="files read back before timing (100; 0 = all)"
    )
    parser.add_argument(
        "--stamped",
        type=int,
        default=300,
        help="stamped template files to compare the read rate with (300; 0 = skip)",
    )
    parser.add_argument("--repeat", type=int, default=1, help="runs per measure, best kept (1)")
    parser.add_argument("--profile", type=Path, help="also cProfile api.check into this file")
    parser.add_argument("--top", type=int, default=25, help="functions shown per profile (25)")
    parser.add_argument(
        "--pyinstrument",
        action="store_true",
        help="also a sampling profile (pip install pyinstrument)",
    )
    return parser.parse_args(argv)


def prepare(args: argparse.Namespace) -> Foreign:
    print(f"xltools foreign-layout benchmark — {machine()}")
    if args.xls:
        try:
            import xlrd  # noqa: F401  (pandas reads .xls with xlrd)
        except ImportError:
            raise SystemExit("--xls: pandas needs xlrd to read .xls (pip install xlrd)") from None
    foreign, _ = generate_foreign(
        args.workdir, args.files, args.seed, args.xls, args.jobs, args.layouts
    )
    styles = Counter(foreign.styles[p.name] for p in foreign.files)
    xls = sum(p.suffix == ".xls" for p in foreign.files)
    shown = ", ".join(f"{styles[s]} {s}" for s in STYLES)
    if foreign.seconds is None:
        made = "reused"
    else:
        made = f"generated in {foreign.seconds:.1f} s"
        if foreign.xls_seconds is not None:
            made += f", of which .xls conversion {foreign.xls_seconds:.1f} s"
    print(
        f"files: {len(foreign.files)} ({shown}; {xls} as .xls), {foreign.forms} forms, "
        f"{foreign.bytes / 2**20:.1f} MB in {foreign.folder}: {made} (not measured)"
    )
    started = time.perf_counter()
    checked = verify(foreign, args.seed, args.verify, args.layouts)
    print(
        f"verified: api.read of {checked} files gives the records drawn "
        f"({time.perf_counter() - started:.1f} s, not measured)"
    )
    size = warm(foreign.files)
    print(f"cache: one throwaway pass read all {size / 2**20:.1f} MB before any timing")
    return foreign


def main(argv: list[str] | None = None) -> int:
    args = arguments(argv)
    foreign = prepare(args)
    stamped = None
    if args.stamped:
        stamped = generate(args.workdir / "stamped", args.stamped, args.seed, args.jobs)
        warm(stamped.files)
        made = "reused" if stamped.seconds is None else f"generated in {stamped.seconds:.1f} s"
        print(f"stamped files for comparison: {len(stamped.files)}: {made} (not measured)")
    out = args.workdir / "out.json"
    print(f"before: {load()}")
    rows = measure(foreign, out, args.repeat)
    table(rows)
    show_stages(foreign, rows[3].timing)  # bench_check helpers only use .folder
    show_reads(read_rates(foreign, stamped, args.repeat))
    print(f"after: {load()}\n")
    show_ratios(rows)
    show_report(foreign, out)
    if args.profile:
        profile_check(foreign, args.profile, args.top)
    if args.pyinstrument:
        pyinstrument_check(foreign)
    return 0


if __name__ == "__main__":
    sys.exit(main())
