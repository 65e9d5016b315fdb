"""Fuzz xltools as a user would: folders of mutants, each checked by the real command line.

    python tests/fuzz/run.py --mutants 10000 --per-folder 100 --workdir /tmp/fuzz
    python tests/fuzz/run.py --replay 4711          # one mutant, by its number

For each folder: ``check DIR --format json``, ``read DIR``, and on every ``--heavy-every``
th folder ``merge`` and ``prefill`` too, each in its own process. A run fails when a
command exits other than 0/1/3, prints a traceback or 内部错误, gives invalid JSON
(NaN/Infinity included), leaves out an input, or changes one. The seeds are the example
workbooks, and .ods/.xls copies of two of them when LibreOffice is installed.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))  # testkit/, when run as a script
from testkit.mutants import mutant  # noqa: E402

EXAMPLES = ROOT / "examples"
EXITS = {0, 1, 3}


def seeds(workdir: Path, office: bool = True) -> list[Path]:
    found = sorted(EXAMPLES.glob("*.xlsx"))
    binary = shutil.which("soffice") if office else None
    if binary:
        out = workdir / "seeds"
        picked = [
            EXAMPLES / "申报表_信息系统维护经费.xlsx",
            EXAMPLES / "自评表_工作服专项经费.xlsx",
        ]
        for fmt in ("ods", "xls"):
            if not all((out / f"{p.stem}.{fmt}").exists() for p in picked):
                subprocess.run(
                    [
                        binary,
                        f"-env:UserInstallation={(workdir / 'lo-profile').as_uri()}",
                        "--headless",
                        "--norestore",
                        "--convert-to",
                        fmt,
                        "--outdir",
                        str(out),
                        *map(str, picked),
                    ],
                    capture_output=True,
                    timeout=300,
                    check=False,
                )
        found += sorted(p for p in out.glob("*") if p.suffix in (".ods", ".xls"))
    return found


def _digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def _strict(text: str):
    def refuse(constant: str):
        raise ValueError(f"invalid JSON constant {constant}")

    return json.loads(text, parse_constant=refuse)


def _run(args: list[str], timeout: float) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONUTF8": "1", "RUST_BACKTRACE": "0"}
    return subprocess.run(
        [sys.executable, "-m", "xltools", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        env=env,
        timeout=timeout,
        check=False,
        cwd=ROOT,
    )


def _problems(name: str, proc: subprocess.CompletedProcess[str]) -> list[str]:
    out = []
    if proc.returncode not in EXITS:
        out.append(f"{name}: exit {proc.returncode}: {proc.stderr[-500:]}")
    for bad in ("Traceback", "内部错误"):
        if bad in proc.stderr or bad in proc.stdout:
            out.append(f"{name}: {bad}: {proc.stderr[-800:]}")
    return out


def check_folder(folder: Path, heavy: bool, timeout: float = 600) -> list[str]:
    """Run the commands over ``folder``; the problems found (empty: all is well)."""
    before = _digests(folder)
    problems: list[str] = []
    proc = _run(["check", str(folder), "--format", "json", "-j", "1"], timeout)
    problems += _problems("check", proc)
    try:
        report = _strict(proc.stdout)
        reported = sorted(Path(fr["file"]).name for fr in report["files"])
        if reported != sorted(before):
            problems.append(
                f"check: inputs not all reported: {sorted(set(before) - set(reported))}"
            )
    except (ValueError, KeyError, TypeError) as exc:
        problems.append(f"check: not JSON ({exc}): {proc.stdout[:200]!r}")
    proc = _run(["read", str(folder)], timeout)
    problems += _problems("read", proc)
    try:
        _strict(proc.stdout)
    except ValueError as exc:
        problems.append(f"read: not JSON ({exc})")
    if heavy:
        out = folder.parent / f"{folder.name}-out"
        merged = _run(
            ["merge", str(folder), "-o", str(out / "汇总.xlsx"), "--include-invalid"], timeout
        )
        problems += _problems("merge", merged)
        filled = _run(["prefill", str(folder), "-o", str(out / "自评表")], timeout)
        problems += _problems("prefill", filled)
        if merged.returncode == 2 and "没有可以汇总的项目" not in merged.stderr:
            problems.append(f"merge: exit 2: {merged.stderr[-300:]}")
        shutil.rmtree(out, ignore_errors=True)
    if _digests(folder) != before:
        problems.append("an input was changed")
    return problems


def write_folder(folder: Path, sources: list[Path], numbers: range) -> dict[str, str]:
    """Mutants ``numbers`` into ``folder``; file name → what was done to it."""
    folder.mkdir(parents=True, exist_ok=True)
    what = {}
    for n in numbers:
        suffix, data, description = mutant(sources, n)
        name = f"m{n:06d}{suffix}"
        (folder / name).write_bytes(data)
        what[name] = description
    return what


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--mutants", type=int, default=10_000)
    parser.add_argument("--per-folder", type=int, default=100)
    parser.add_argument("--heavy-every", type=int, default=5, help="merge+prefill every Nth folder")
    parser.add_argument("--start", type=int, default=0, help="first mutant number")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/xltools-fuzz"))
    parser.add_argument("--replay", type=int, help="write and check this one mutant")
    parser.add_argument("--deadline", type=float, default=0, help="stop after this many seconds")
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    sources = seeds(args.workdir)
    print(f"seeds: {', '.join(p.name for p in sources)}", flush=True)
    if args.replay is not None:
        folder = args.workdir / f"replay-{args.replay}"
        shutil.rmtree(folder, ignore_errors=True)
        print(write_folder(folder, sources, range(args.replay, args.replay + 1)))
        problems = check_folder(folder, heavy=True)
        print("\n".join(problems) or "ok")
        return 1 if problems else 0
    start, failures, done = time.monotonic(), 0, 0
    for i, first in enumerate(range(args.start, args.start + args.mutants, args.per_folder)):
        if args.deadline and time.monotonic() - start > args.deadline:
            print(f"deadline reached after {done} mutants", flush=True)
            break
        numbers = range(first, min(first + args.per_folder, args.start + args.mutants))
        folder = args.workdir / f"f{first:06d}"
        shutil.rmtree(folder, ignore_errors=True)
        what = write_folder(folder, sources, numbers)
        problems = check_folder(folder, heavy=i % args.heavy_every == 0)
        done += len(numbers)
        if problems:
            failures += 1
            print(
                f"FOLDER {folder} (mutants {numbers.start}–{numbers.stop - 1}) FAILED:", flush=True
            )
            for line in problems:
                print(f"  {line}", flush=True)
            (args.workdir / f"{folder.name}.what.json").write_text(
                json.dumps(what, ensure_ascii=False, indent=1), "utf-8"
            )
        else:
            shutil.rmtree(folder, ignore_errors=True)
        elapsed = time.monotonic() - start
        print(f"{done} mutants, {failures} failed folders, {elapsed:.0f} s", flush=True)
    print(f"RESULT: {done} mutants in {time.monotonic() - start:.0f} s, {failures} failed folders")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
