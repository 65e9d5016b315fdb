"""Folders of stamped forms (our template, filled) for the benchmarks: the work folders.

- :func:`generate`: ``n`` filled forms, one per file, the example records varied by
  :func:`testkit.records.vary`, a planted mistake in about one file in ten (its rule ID
  kept in ``manifest.json``) — what ``benchmarks/bench_check.py`` and ``bench_serve.py``
  check;
- :func:`generate_merge_inputs`: valid projects, ``per_file`` of one kind per file,
  several stacked in one sheet — what ``benchmarks/bench_merge.py`` merges.

Generation is deterministic for a given seed and is skipped when the work folder
already holds the same set of files (its manifest names the generator version: bump
``GENERATOR_VERSION`` / ``MERGE_GENERATOR_VERSION`` when the files change).
"""

from __future__ import annotations

import json
import os
import random
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from testkit.records import MISTAKE_RATE, bases, plant, pools, vary
from xltools.api import write_form
from xltools.files import safe_filename
from xltools.model import KIND_NAMES, Record

GENERATOR_VERSION = 1  # bump when the generated files change, so old work folders regenerate
MERGE_GENERATOR_VERSION = 1  # the same for the inputs of bench_merge
MERGE_INDICATORS = (10, 20)  # indicators per merged project, uniform: 15 on average
GAP = 3  # blank rows between two stacked forms
STACK_SHEET = "项目表"


# -- stamped forms, one per file, some with a planted mistake (bench_check, bench_serve) ---


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


def stamped_plan(n: int, seed: int) -> list[tuple[str, Record, str | None]]:
    """(file name, record, planted rule or None) for each of ``n`` files."""
    examples = bases()
    indicator_pools = pools(examples)
    out = []
    for i in range(n):
        rng = random.Random(seed * 1_000_003 + i)
        record = vary(examples[i % len(examples)], i, indicator_pools, rng)
        rule = plant(record, rng) if rng.random() < MISTAKE_RATE else None
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
    jobs_list = stamped_plan(n, seed)
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


# -- valid projects, stacked several to a file (bench_merge) --------------------------------


@dataclass
class Inputs:
    folder: Path
    files: list[Path]
    projects: int
    indicators: int
    kinds: dict[str, int]
    seconds: float | None = None  # generation time; None when reused


def merge_projects(n: int, per_file: int, seed: int) -> list[tuple[str, list[Record]]]:
    """(file name, its records): ``n`` valid projects, ``per_file`` of one kind in each file.

    Each file's projects vary the same example project (one unit returns one kind of
    form); every project has its own name, district, amounts and 10–20 indicators.
    No mistakes are planted, so ``merge`` leaves nothing out.
    """
    examples = bases()
    indicator_pools = pools(examples)
    out = []
    for f, first in enumerate(range(0, n, per_file)):
        base = examples[f % len(examples)]
        records = []
        for i in range(first, min(first + per_file, n)):
            rng = random.Random(seed * 1_000_003 + i)
            records.append(vary(base, i, indicator_pools, rng, MERGE_INDICATORS))
        what = records[0].project_name if len(records) == 1 else f"{base.implementing_unit}等"
        name = safe_filename(f"{KIND_NAMES[base.kind]}_{what}_{len(records)}个项目")
        out.append((f"{f:05d}_{name}", records))
    return out


def write_stacked(path: Path, records: list[Record]) -> None:
    """``records`` (one kind) drawn one below the other in one sheet, plus 填表说明.

    Single-project files go through ``api.write_form`` (our template as sent out);
    several projects are drawn with the template's own FormDrawer, ``GAP`` rows
    apart, as a unit that pastes its forms into one sheet would return them.
    """
    global _PROFILE
    from xltools.forms import Cell, layout_for
    from xltools.profiles import load_profile
    from xltools.write import FormDrawer, FormWorkbook

    if _PROFILE is None:
        _PROFILE = load_profile()
    if len(records) == 1:
        write_form(path, records[0], profile=_PROFILE, force=True)
        return
    layout = layout_for(records[0].kind, records[0].year)
    book = FormWorkbook(path, _PROFILE)
    ws = book.book.add_worksheet(STACK_SHEET)
    for col, width in layout.widths.items():
        c = Cell.parse(f"{col}1").col - 1
        ws.set_column(c, c, width)
    stamp = Cell.parse(f"{layout.last_col}1").col
    ws.set_column(stamp, stamp, 12, None, {"hidden": True})
    top = 1
    for record in records:
        drawer = FormDrawer(ws, book.styles, layout, _PROFILE)
        place = drawer.draw(record, top, 0, record.money_unit or "元")
        top = place.last_row(layout) + GAP + 1
    book.add_guide(layout)
    book.close()


def _write_stacked(job: tuple[Path, list[Record]]) -> None:
    write_stacked(*job)


def generate_merge_inputs(
    workdir: Path, n: int, per_file: int, seed: int, jobs: int | None
) -> Inputs:
    """The input files in ``workdir/forms``; reused when the manifest matches."""
    folder, manifest = workdir / "forms", workdir / "manifest.json"
    wanted = {"version": MERGE_GENERATOR_VERSION, "seed": seed, "projects": n, "per_file": per_file}
    if manifest.exists():
        saved = json.loads(manifest.read_text("utf-8"))
        files = [folder / name for name in saved.get("names", [])]
        if {k: saved.get(k) for k in wanted} == wanted and all(p.exists() for p in files):
            return Inputs(folder, files, n, saved["indicators"], saved["kinds"])
    started = time.perf_counter()
    plan = merge_projects(n, per_file, seed)
    if folder.exists():
        for old in folder.glob("*.xlsx"):
            old.unlink()
    folder.mkdir(parents=True, exist_ok=True)
    names = [f"{name}.xlsx" for name, _ in plan]
    writes = [(folder / name, records) for name, (_, records) in zip(names, plan, strict=True)]
    with ProcessPoolExecutor(max_workers=jobs or os.cpu_count() or 1) as pool:
        list(pool.map(_write_stacked, writes, chunksize=max(1, 16 // per_file)))
    records = [r for _, rs in plan for r in rs]
    kinds = dict(Counter(KIND_NAMES[r.kind] for r in records))
    indicators = sum(len(r.indicators) for r in records)
    saved = {**wanted, "names": names, "indicators": indicators, "kinds": kinds}
    manifest.write_text(json.dumps(saved, ensure_ascii=False), "utf-8")
    seconds = time.perf_counter() - started
    return Inputs(folder, [folder / name for name in names], n, indicators, kinds, seconds)
