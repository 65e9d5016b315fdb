"""``merge``: every project of every accepted file in one consolidated workbook.

The logic lives here (which files and projects go in, M01–M05, unit conversion,
order, titles); :mod:`xltools.write.consolidated` draws the workbook. Nothing is
merged twice and nothing is dropped silently: each left-out file or project is a
finding, listed in the output's 来源 and 校验结果 sheets and on the terminal.
"""

from __future__ import annotations

import copy
import hashlib
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from xltools.catalogue import ERROR, RULES, UNOPENED, WARNING
from xltools.check.checker import Checker, FileReport, Report, read_and_check
from xltools.check.conflicts import differences, message, newest
from xltools.check.conflicts import key as project_key
from xltools.compute import tidy
from xltools.findings import Finding, finding
from xltools.model import KIND_NAMES, SELF_EVALUATION, Record
from xltools.profiles import Profile
from xltools.progress import Advance
from xltools.read.paths import NotReadable, open_regular

UNIT_FACTOR = {("万元", "元"): 10000.0, ("元", "万元"): 0.0001}
AMOUNT_KEYS = ("initial_budget", "adjusted_budget", "executed")


@dataclass
class SourceInfo:
    """One input file as the 来源 sheet lists it."""

    file: str
    sha256: str
    projects: list[str] = field(default_factory=list)
    included: bool = True
    reason: str = ""


@dataclass
class Entry:
    """One accepted project: its record (in the merge's unit) and where it came from."""

    record: Record
    file: str
    errors: int = 0
    warnings: int = 0

    @property
    def group(self) -> tuple[str, int | None]:
        return (self.record.kind, self.record.year)


MERGE_FAILURES = ("M01", "M04", "M05")


@dataclass
class MergePlan:
    title: str
    money_unit: str
    entries: list[Entry]
    sources: list[SourceInfo]
    findings: list[Finding]  # the inputs' check findings plus M01–M04
    report: Report

    def groups(self) -> dict[tuple[str, int | None], list[Entry]]:
        out: dict[tuple[str, int | None], list[Entry]] = defaultdict(list)
        for entry in self.entries:
            out[entry.group].append(entry)
        return dict(sorted(out.items(), key=lambda kv: (kv[0][0], kv[0][1] or 0)))

    @property
    def left_out(self) -> list[SourceInfo]:
        return [s for s in self.sources if not s.included]

    @property
    def unreadable(self) -> list[str]:
        return self.report.unreadable

    def failed(self, strict: bool = False) -> bool:
        """A file or project left out (M01), a duplicate left out (M04), or one project
        in two different revisions (M05): the workbook is not the whole round."""
        return any(f.rule in MERGE_FAILURES for f in self.findings)


def sha256(path: str | Path) -> str:
    """The file's SHA-256, or "" when it is no longer a regular file we can read."""
    digest = hashlib.sha256()
    try:
        with open_regular(Path(path)) as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
    except (OSError, NotReadable):  # removed or replaced (by a pipe) since it was read
        return ""
    return digest.hexdigest()


def _finding(rule: str, message: str, file: str, project: str | None = None) -> Finding:
    return finding(rule, message, file, project=project)


def convert(record: Record, unit: str) -> Record:
    """A copy of ``record`` with its amounts in ``unit`` (1 万元 = 10,000 元)."""
    factor = UNIT_FACTOR.get((record.money_unit, unit))
    if factor is None:
        return record
    out = copy.deepcopy(record)
    out.money_unit = unit
    if out.kind == SELF_EVALUATION:
        for line in vars(out.funds).values():
            for key in AMOUNT_KEYS:
                if getattr(line, key) is not None:
                    setattr(line, key, tidy(getattr(line, key) * factor))
    else:
        for key, value in vars(out.funds).items():
            if value is not None:
                setattr(out.funds, key, tidy(value * factor))
    return out


def _order(entry: Entry) -> tuple:
    r = entry.record
    return (r.department or "", r.implementing_unit or "", r.project_name or "", entry.file)


def default_title(entries: list[Entry]) -> str:
    """E.g. 上海市长宁区医疗保险事务中心 2025 年度项目绩效目标汇总表."""
    records = [e.record for e in entries]
    units = sorted({r.implementing_unit for r in records if r.implementing_unit})
    departments = sorted({r.department for r in records if r.department})
    who = units[0] if len(units) == 1 else (departments[0] if len(departments) == 1 else "")
    years = sorted({r.year for r in records if r.year})
    when = f"{years[0]}" if len(years) == 1 else (f"{years[0]}—{years[-1]}" if years else "")
    kinds = {r.kind for r in records}
    what = (
        "项目绩效自评汇总表"
        if kinds == {SELF_EVALUATION}
        else ("项目绩效目标汇总表" if len(kinds) == 1 else "项目绩效目标与自评汇总表")
    )
    return " ".join(x for x in (who, f"{when} 年度{what}" if when else what) if x)


@dataclass
class Revision:
    """The file whose revision of a project is merged, and why it was chosen over others."""

    file: str
    record: Record
    others: str = ""  # the files of the revisions left out, for the 来源 note
    why: str = ""  # set when the revisions in different files differ (M05)


def _revisions(forms: list[tuple[str, Record]]) -> dict[tuple, Revision]:
    """Per project: the first file holding it, or, when its revisions differ, the newest."""
    groups: dict[tuple, list[tuple[str, Record]]] = defaultdict(list)
    for file, record in forms:
        groups[project_key(record)].append((file, record))
    out = {}
    for k, group in groups.items():
        files = list(dict.fromkeys(f for f, _ in group))
        first = Revision(files[0], group[0][1])
        if len(files) > 1 and any(differences(r, first.record) for _, r in group):
            best, why = newest(files)
            kept = next(r for f, r in group if f == files[best])
            others = "、".join(f for f in files if f != files[best])
            first = Revision(files[best], kept, others, why)
        out[k] = first
    return out


def _left_out(record: Record, file: str, kept: Revision, source: SourceInfo) -> Finding:
    """M01 for an identical copy of the merged revision, M05 for a different one."""
    diffs = differences(record, kept.record)
    what = f"{record.implementing_unit}，{record.year} 年{KIND_NAMES[record.kind]}"
    if diffs:
        rule = "M05"
        text = message(record, file, kept.file, diffs, kept.why or "同一文件中先出现的一份")
        skipped = f"项目“{record.project_name}”采用了较新的 {kept.file}（{kept.why}），本份未汇总"
    else:
        rule = "M01"
        text = RULES[rule].message(
            project=record.project_name, what=what, kept=kept.file, file=file
        )
        skipped = f"项目“{record.project_name}”已从 {kept.file} 汇总，此处未重复汇总"
    source.reason = "；".join(x for x in (source.reason, skipped) if x)
    return _finding(rule, text, file, record.project_name)


def plan(
    files: list[Path],
    profile: Profile,
    *,
    money_unit: str,
    include_invalid: bool,
    jobs: int = 1,
    progress: Advance | None = None,
) -> MergePlan:
    """Decide what goes into the consolidated workbook, without writing anything.

    ``jobs`` and ``progress`` as for :func:`xltools.check.checker.read_and_check`.
    """
    # A file named twice (a folder and a file in it) is one file, not an M01 with itself.
    unique: dict[Path, Path] = {}
    for f in files:
        unique.setdefault(Path(f).resolve(), Path(f))
    inputs = sorted(unique.values(), key=str)
    report = Report(read_and_check(inputs, Checker(profile, scores=False), jobs, progress))
    for fr in report.files:  # cell locations were for the findings; the writer needs none
        for record in fr.records:
            record.cells = {}
    findings = list(report.findings)
    sources: list[SourceInfo] = []
    entries: list[Entry] = []
    accepted: list[tuple[FileReport, SourceInfo]] = []
    for fr in report.files:
        source = SourceInfo(fr.file, sha256(fr.file), [r.project_name or "" for r in fr.records])
        sources.append(source)
        errors = fr.count(ERROR)
        if not fr.records:
            why = next((f.message for f in fr.findings if f.rule in UNOPENED), "没有表单")
            source.included, source.reason = False, why
            continue
        if errors and not include_invalid:
            source.included, source.reason = (
                False,
                f"有 {errors} 条错误（可用 --include-invalid 仍然汇总）",
            )
            findings.append(
                _finding(
                    "M04",
                    RULES["M04"].message(errors=errors),
                    fr.file,
                )
            )
            continue
        accepted.append((fr, source))
    kept = _revisions([(fr.file, r) for fr, _ in accepted for r in fr.records])
    for fr, source in accepted:
        per_project = Counter((f.project, f.severity) for f in fr.findings)
        for record in fr.records:
            revision = kept[project_key(record)]
            if record is not revision.record:  # a copy, or an older revision
                findings.append(_left_out(record, fr.file, revision, source))
                continue
            if revision.why:
                note = f"项目“{record.project_name}”的另一份在 {revision.others} 中，采用本份：{revision.why}"
                source.reason = "；".join(x for x in (source.reason, note) if x)
            if record.money_unit != money_unit:
                findings.append(
                    _finding(
                        "M03",
                        RULES["M03"].message(
                            project=record.project_name, unit=record.money_unit, to=money_unit
                        ),
                        fr.file,
                        record.project_name,
                    )
                )
            entries.append(
                Entry(
                    convert(record, money_unit),
                    fr.file,
                    per_project[(record.project_name, ERROR)],
                    per_project[(record.project_name, WARNING)],
                )
            )
    merged = {e.file for e in entries}  # a set: 10,000 files × 10,000 entries took 8 s
    for source in sources:  # a file all of whose projects were duplicates adds nothing
        if source.included and source.projects and source.file not in merged:
            source.included = False
    entries.sort(key=_order)
    groups = {e.group for e in entries}
    if len(groups) > 1:
        names = "、".join(f"{y or ''} 年{KIND_NAMES[k]}" for k, y in sorted(groups, key=str))
        findings.append(_finding("M02", RULES["M02"].message(names=names), ""))
    return MergePlan(default_title(entries), money_unit, entries, sources, findings, report)


def rename(plan: MergePlan, name: Callable[[str], str]) -> None:
    """Name every input file by ``name(path)`` in ``plan`` (sources, entries, findings and
    their messages), e.g. as uploaded rather than where a server saved it."""
    names = {fr.file: name(fr.file) for fr in plan.report.files}

    def text(s: str) -> str:
        for old, new in names.items():
            s = s.replace(old, new)
        return s

    for source in plan.sources:
        source.file, source.reason = names.get(source.file, source.file), text(source.reason)
    for entry in plan.entries:
        entry.file = names.get(entry.file, entry.file)
    plan.findings = [
        replace(f, file=names.get(f.file, f.file), message=text(f.message)) for f in plan.findings
    ]
