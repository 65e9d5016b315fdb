"""The verbs of xltools, for scripts and for the command line alike.

Each CLI command parses its options, calls one function here, renders the result
and picks an exit code (style.md, after sqlite-utils).
"""

from __future__ import annotations

import datetime as dt
import gc
import json
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from xltools.catalogue import UNOPENED
from xltools.check.checker import FileReport, Report
from xltools.check.checker import check as check_files
from xltools.errors import InputError, UserError
from xltools.exits import exit_code
from xltools.files import (
    FULL_DISK,
    atomic_path,
    check_writable,
    is_input,
    safe_filename,
    scratch_dir,
    unique_path,
)
from xltools.findings import Finding
from xltools.forms import KIND_ALIASES, layout_for
from xltools.model import (
    DECLARATION,
    KIND_NAMES,
    SELF_EVALUATION,
    Declaration,
    Record,
    SelfEvaluation,
    from_dict,
)
from xltools.profiles import Profile, load_profile
from xltools.progress import Progress, ProgressArg, stage
from xltools.read.workbook import ReadResult, ReadResults, discover, read_workbook

if TYPE_CHECKING:  # imported when first asked for (see __getattr__): openpyxl is heavy
    from xltools.write.fix import FixedFile, FixResults
    from xltools.write.merge import MergePlan


def kind_of(name: str) -> str:
    """申报表/declaration → "declaration"; 自评表/self-evaluation → "self_evaluation"."""
    try:
        return KIND_ALIASES[name.strip().lower()]
    except KeyError:
        raise UserError(
            f"表单类型应为 申报表 或 自评表（declaration / self-evaluation），而不是“{name}”"
        ) from None


def default_year(kind: str, today: dt.date | None = None) -> int:
    """Declarations are filed for next year's budget; self-evaluations for last year."""
    year = (today or dt.date.today()).year
    return year + 1 if kind == DECLARATION else year - 1


def blank_record(kind: str, year: int, **values: Any) -> Record:
    record: Record = Declaration(year=year) if kind == DECLARATION else SelfEvaluation(year=year)
    for key, value in values.items():
        if value is None:
            continue
        target: Any = record
        *path, last = key.split(".")
        for part in path:
            target = getattr(target, part)
        setattr(target, last, value)
    return record


def write_form(
    out: str | Path,
    record: Record,
    *,
    rows: int = 20,
    profile: Profile | None = None,
    variant: str | None = None,
    force: bool = False,
) -> Path:
    """Write ``record`` (blank or filled) into our template at ``out``, atomically."""
    from xltools.write import write_workbook  # xlsxwriter only when writing

    out = Path(out)
    if out.suffix.lower() != ".xlsx":
        raise UserError(f"输出文件应以 .xlsx 结尾：{out}")
    if rows < 1 or rows > 500:
        raise UserError("空白指标行数应在 1 到 500 之间")
    check_writable(out, force)
    layout = layout_for(record.kind, record.year, variant)
    with atomic_path(out) as tmp:
        write_workbook(tmp, layout, record, profile=profile or load_profile(), rows=rows)
    return out


def write_template(
    out: str | Path,
    kind: str,
    *,
    year: int | None = None,
    department: str | None = None,
    unit: str | None = None,
    money_unit: str = "元",
    rows: int = 20,
    profile: Profile | None = None,
    variant: str | None = None,
    force: bool = False,
) -> Path:
    """A blank 申报表 or 自评表 ready to send out, optionally with 主管部门/实施单位 filled."""
    kind = kind_of(kind)
    if money_unit not in ("元", "万元"):
        raise UserError("金额单位应为 元 或 万元")
    record = blank_record(
        kind,
        year or default_year(kind),
        department=department,
        implementing_unit=unit,
        money_unit=money_unit,
    )
    return write_form(out, record, rows=rows, profile=profile, variant=variant, force=force)


@dataclass
class BatchResult:
    written: list[Path] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)  # inputs that could not be opened

    def failed(self, strict: bool = False) -> bool:
        """Nothing written (prefill: no 申报表 among the inputs)."""
        return not self.written


def write_templates_from_list(
    list_path: str | Path,
    out_dir: str | Path,
    kind: str,
    *,
    year: int | None = None,
    department: str | None = None,
    unit: str | None = None,
    money_unit: str = "元",
    rows: int = 20,
    profile: Profile | None = None,
    variant: str | None = None,
    force: bool = False,
) -> BatchResult:
    """One template per project of a list, named after the project, fields prefilled."""
    from xltools.write.lists import read_project_list

    kind = kind_of(kind)
    year = year or default_year(kind)
    out_dir = _output_folder(out_dir, "使用 --from 时 -o")
    projects = read_project_list(Path(list_path), layout_for(kind, year, variant))
    result = BatchResult(problems=projects.problems)
    taken: set[str] = set()
    plans = []
    for values in projects.rows:
        defaults = {"department": department, "implementing_unit": unit, "money_unit": money_unit}
        merged = {**defaults, **{k: v for k, v in values.items() if v is not None}}
        record = blank_record(kind, int(merged.pop("year", None) or year), **merged)
        name = safe_filename(f"{KIND_NAMES[kind]}_{record.project_name}")
        plans.append((unique_path(out_dir, name, taken), record))
    _refuse_existing([path for path, _ in plans], force, (Path(list_path),))
    for path, record in plans:
        result.written.append(
            write_form(path, record, rows=rows, profile=profile, variant=variant, force=True)
        )
    return result


def read(paths: Iterable[str | Path], profile: Profile | None = None) -> ReadResults:
    """Read every form of every file (folders are searched); one result per file."""
    files = discover(paths)
    if not files:
        raise UserError("没有找到要读取的文件（.xlsx、.xlsm、.xls、.ods、.et）")
    profile = profile or load_profile()
    return ReadResults(read_workbook(f, profile) for f in files)


def _refuse_existing(paths: list[Path], force: bool, inputs: tuple[Path, ...] = ()) -> None:
    """Before writing a batch: none of ``paths`` may exist, unless ``force``; none may be
    an input, even with ``force`` (``prefill DIR -o DIR --force`` once overwrote them)."""
    clashes = [str(p) for p in paths if is_input(p, inputs)]
    if clashes:
        raise UserError(
            f"输出文件不能与输入文件相同（输入文件只读取，不会被覆盖）：{'、'.join(clashes[:5])}"
        )
    existing = [str(p) for p in paths if p.exists()]
    if existing and not force:
        raise UserError(
            f"以下文件已存在（如需覆盖，请加 --force）：{'、'.join(existing[:5])}"
            + (f" 等 {len(existing)} 个" if len(existing) > 5 else "")
        )


def check(
    paths: Iterable[str | Path],
    profile: Profile | str | Path | None = None,
    *,
    select: Iterable[str] = (),
    ignore: Iterable[str] = (),
    progress: ProgressArg = None,
    declarations: Iterable[str | Path] | None = None,
    jobs: int = 1,
) -> Report:
    """Check every form in ``paths`` against the rule catalogue; one :class:`Report`.

    ``declarations``: 申报表 files/folders to check self-evaluations against (X01–X05).
    ``jobs``: processes reading and checking; ``xltools.read.workers.AUTO`` (0): one per CPU
    on 3 CPUs or more, from 500 files. In a script, more than one needs the ``if __name__ == "__main__":``
    guard, as with any use of multiprocessing.
    ``progress``: see :mod:`xltools.progress` (the command line passes its rich bar,
    the web page a function called with the number of files just finished).
    """

    if not isinstance(profile, Profile):
        profile = load_profile(profile)
    files = discover(paths)
    if not files:
        raise UserError("没有找到要检查的文件（.xlsx、.xlsm、.xls、.ods、.et）")
    if declarations is not None:
        declarations = list(declarations)
        if not discover(declarations):
            raise UserError("--declarations 中没有找到申报表文件（.xlsx、.xlsm、.xls、.ods、.et）")
    return check_files(
        files,
        profile,
        select=select,
        ignore=ignore,
        declarations=declarations,
        jobs=jobs,
        progress=stage(progress, "正在检查", len(files)),
    )


@contextmanager
def paused_gc() -> Iterator[None]:
    """No cyclic garbage collection inside the block; reference counting still frees memory.

    Writing a large workbook allocates millions of small objects (xlsxwriter keeps a
    tuple per cell) and creates no reference cycles; every full collection walks all of
    them again. Measured on the merge benchmark: the write takes about 15% less time.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def annotate(
    report: Report,
    out_dir: str | Path,
    *,
    force: bool = False,
    notes: list[str] | None = None,
    skipped: Callable[[str, str], None] | None = None,
) -> list[Path]:
    """An annotated copy of every checked workbook in ``out_dir``; inputs are never modified.

    A .xls, .ods or .et return gets an .xlsx copy; ``notes`` (when given) receives one
    sentence per such copy and per file that gets none, for the terminal. A workbook
    openpyxl cannot load (python-calamine read it) gets no copy and ``skipped(file,
    reason)`` is told; the other copies are still written.
    """
    from xltools.write.annotate import ANNOTATABLE, conversion_note, copy_name
    from xltools.write.annotate import annotate as write_copy

    out_dir = _output_folder(out_dir, "--annotate")
    inputs = tuple(Path(fr.file) for fr in report.files)
    taken: set[str] = set()
    plans = []
    said: list[str] = []
    for fr in report.files:
        source = Path(fr.file)
        if any(f.rule in UNOPENED for f in fr.findings):
            said.append(f"{source.name}：文件无法打开，未生成批注副本")
            continue
        if source.suffix.lower() not in ANNOTATABLE:
            said.append(f"{source.name}：不是表格文件格式，未生成批注副本")
            continue
        out = unique_path(out_dir, copy_name(source), taken)
        check_writable(out, force, inputs)
        plans.append((fr, out))
        if (note := conversion_note(source)) is not None:
            said.append(f"{out.name}：{note}")
    written = []
    for fr, out in plans:
        try:
            written.append(write_copy(fr, out))
        except Exception as exc:  # openpyxl is stricter than calamine: one file, not the batch
            if isinstance(exc, OSError) and exc.errno in FULL_DISK:
                raise
            if skipped is not None:
                skipped(fr.file, f"无法生成批注副本（{type(exc).__name__}: {exc}）")
    if notes is not None:
        notes.extend(said)
    return written


def _output_folder(path: str | Path, option: str) -> Path:
    """The folder an option names: it may not exist yet, but must not be a file."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise UserError(f"{option} 应为文件夹：{path}")
    return path


def write_notices(
    report: Report, out_dir: str | Path, *, force: bool = False, date: dt.date | None = None
) -> list[Path]:
    """退回修改通知: one Word document per 实施单位 with something to fix, in ``out_dir``.

    ``date``: the date printed on the notices (default: today). Units whose files have
    no errors or warnings get none. Nothing is written unless every notice can be.
    """
    from xltools.write.notices import group_by_unit, write_notice

    out_dir = _output_folder(out_dir, "--notices")
    inputs = tuple(Path(fr.file) for fr in report.files)
    taken: set[str] = set()
    plans = []
    for notice in group_by_unit(report.files):
        out = unique_path(out_dir, safe_filename(notice.filename, ".docx"), taken)
        check_writable(out, force, inputs)
        plans.append((notice, out))
    written = []
    for notice, out in plans:
        with atomic_path(out) as tmp:
            write_notice(notice, tmp, date or dt.date.today())
        written.append(out)
    return written


def prefill(
    paths: Iterable[str | Path],
    out_dir: str | Path,
    *,
    rows: int = 20,
    force: bool = False,
    profile: Profile | str | Path | None = None,
) -> BatchResult:
    """A 自评表 in our template for every 申报表 found in ``paths`` (any readable layout)."""
    from xltools.write.prefill import self_evaluation_from

    if not isinstance(profile, Profile):
        profile = load_profile(profile)
    out_dir = _output_folder(out_dir, "-o")
    result, taken, plans = BatchResult(), set(), []
    results = read(paths, profile)
    for res in results:
        declarations = [r for r in res.records if isinstance(r, Declaration)]
        unopened = [f.message for f in res.findings if f.rule in UNOPENED]
        if unopened:
            result.unreadable.append(res.file)
        if not declarations:
            why = unopened[0] if unopened else "没有申报表"
            result.problems.append(f"{res.file}：{why}，已跳过")
        for record in declarations:
            evaluation = self_evaluation_from(record, profile)
            plans.append((unique_path(out_dir, example_filename(evaluation), taken), evaluation))
    _refuse_existing([path for path, _ in plans], force, tuple(Path(r.file) for r in results))
    for path, evaluation in plans:
        result.written.append(write_form(path, evaluation, rows=rows, profile=profile, force=True))
    return result


def merge(
    paths: Iterable[str | Path],
    out: str | Path,
    *,
    title: str | None = None,
    money_unit: str | None = None,
    include_invalid: bool = False,
    force: bool = False,
    profile: Profile | str | Path | None = None,
    jobs: int = 1,
    progress: ProgressArg = None,
    names: Callable[[str], str] | None = None,
) -> MergePlan:
    """All projects of all accepted files in one consolidated workbook; returns the plan.

    ``names``: how the workbook and the findings name each input file (default: its path
    as given), e.g. the name a file was uploaded under rather than a server's temp path.
    ``jobs``: processes reading and checking the inputs, and ``progress``, as for
    :func:`check` (a function is called for the files read, not for the writing).
    """
    from xltools.write import merge as merging
    from xltools.write.consolidated import write_consolidated

    if not isinstance(profile, Profile):
        profile = load_profile(profile)
    out = Path(out)
    if out.suffix.lower() != ".xlsx":
        raise UserError(f"汇总输出文件应以 .xlsx 结尾：{out}")
    files = discover(paths)
    if not files:
        raise UserError("没有找到要汇总的文件（.xlsx、.xlsm、.xls、.ods、.et）")
    check_writable(out, force, tuple(files))
    unit = money_unit or profile.section("merge")["money_unit"]
    if unit not in ("元", "万元"):
        raise UserError("金额单位应为 元 或 万元")
    plan = merging.plan(
        files,
        profile,
        money_unit=unit,
        include_invalid=include_invalid,
        jobs=jobs,
        progress=stage(progress, "正在读取并检查", len(files)),
    )
    if not plan.entries:
        reasons = "；".join(f"{Path(s.file).name}：{s.reason}" for s in plan.left_out[:5])
        error = InputError if plan.report.unreadable else UserError  # exit 3 or 2
        raise error(f"没有可以汇总的项目（{reasons}）")
    if title:
        plan.title = title
    if names is not None:
        merging.rename(plan, names)
    with atomic_path(out) as tmp, scratch_dir(out) as scratch, paused_gc():
        write_consolidated(
            tmp,
            plan,
            profile,
            progress=stage(progress, "正在写入汇总工作簿", len(plan.entries), main=False),
            tmpdir=scratch,
        )
    return plan


def fix(
    paths: Iterable[str | Path],
    out_dir: str | Path,
    *,
    force: bool = False,
    profile: Profile | str | Path | None = None,
    jobs: int = 1,
) -> FixResults:
    """A corrected copy in ``out_dir`` of every file with certain corrections.

    Returns one :class:`FixedFile` per file: its changes, the findings that remain, and
    the copy written (or why none was: nothing to correct, unreadable, not .xlsx/.xlsm).
    Nothing is written unless every copy can be; inputs are never modified.
    """
    from xltools.write import fix as fixing

    if not isinstance(profile, Profile):
        profile = load_profile(profile)
    out_dir = _output_folder(out_dir, "-o")
    report = check(paths, profile, jobs=jobs)
    inputs = tuple(Path(fr.file) for fr in report.files)
    taken: set[str] = set()
    results, plans = fixing.FixResults(), []
    for fr in report.files:
        changes = fixing.plan(fr, profile)
        done = fixing.fixed_rules(changes)
        remaining = [f for f in fr.findings if (f.rule, f.sheet, f.cell) not in done]
        result = fixing.FixedFile(fr.file, changes, remaining)
        results.append(result)
        source = Path(fr.file)
        if any(f.rule in ("R01", "R02") for f in fr.findings):
            result.failed = True
            result.reason = "文件无法读取或不含表单，未修改"
        elif not changes:
            result.reason = "没有可以自动修改的问题"
        elif source.suffix.lower() not in fixing.EDITABLE:
            result.reason = (
                f"{source.suffix} 文件不能直接修改：请在 Excel 或 WPS 中按上表修改，"
                "或另存为 .xlsx 后再运行 xltools fix"
            )
        else:
            out = unique_path(out_dir, source.name, taken)
            check_writable(out, force, inputs)
            plans.append((result, source, out))
    for result, source, out in plans:
        try:
            with atomic_path(out) as tmp:
                fixing.write_copy(source, tmp, result.changes)
        except OSError:
            raise
        except Exception as exc:  # a file calamine reads but openpyxl cannot open or save
            result.failed = True
            result.reason = (
                "无法生成副本：文件内部结构不规范，无法按原样保存"
                f"（{type(exc).__name__}: {exc}）；请在 Excel 或 WPS 中另存后再试"
            )
            continue
        result.output = out
    return results


# -- bundled examples ---------------------------------------------------------------------

# The real seed forms, and two of them with mistakes planted (see examples/README.md).
EXAMPLE_DATA = (
    "seed002_declarations_2025.json",
    "seed004_self_evaluations_2022.json",
    "planted_mistakes.json",
)


def examples_dir() -> Any:
    """The bundled examples: package data when installed, ``examples/`` in a source tree."""
    try:
        return resources.files("xltools.examples")
    except ModuleNotFoundError:
        return Path(__file__).resolve().parent.parent / "examples"


def example_records() -> list[Record]:
    """The example projects (from the real seed forms) as records."""
    data = examples_dir().joinpath("data")
    records: list[Record] = []
    for name in EXAMPLE_DATA:
        records += [from_dict(d) for d in json.loads(data.joinpath(name).read_text("utf-8"))]
    return records


def example_filename(record: Record) -> str:
    return safe_filename(f"{KIND_NAMES[record.kind]}_{record.project_name}")


def build_examples(out_dir: str | Path, force: bool = False) -> list[Path]:
    """Fill each example record into our template: the workbooks in examples/."""
    out_dir = Path(out_dir)
    return [write_form(out_dir / example_filename(r), r, force=force) for r in example_records()]


# Result types whose modules are heavy to import: loaded when a script first names them.
_LAZY = {
    "FixedFile": "xltools.write.fix",
    "FixResults": "xltools.write.fix",
    "MergePlan": "xltools.write.merge",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "DECLARATION",
    "SELF_EVALUATION",
    "BatchResult",
    "FileReport",
    "Finding",
    "FixResults",
    "FixedFile",
    "MergePlan",
    "Progress",
    "ReadResult",
    "ReadResults",
    "Report",
    "annotate",
    "build_examples",
    "check",
    "default_year",
    "example_records",
    "exit_code",
    "fix",
    "kind_of",
    "merge",
    "prefill",
    "read",
    "write_form",
    "write_notices",
    "write_template",
    "write_templates_from_list",
]
