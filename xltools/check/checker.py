"""``check``: read every file, validate all records in one batch, report findings per file."""

from __future__ import annotations

import importlib
import re
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from xltools.catalogue import ERROR, SEVERITY_ORDER, UNOPENED, WARNING, matches
from xltools.exits import exit_code
from xltools.findings import Finding, record_cell, record_finding
from xltools.model import Record
from xltools.profiles import Profile, load_profile
from xltools.progress import Advance
from xltools.read.workbook import ReadResult, discover, read_workbook


@dataclass
class FileReport:
    file: str
    records: list[Record] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    # Scoring help: the score each quantitative indicator should have, and why.
    scores: list[dict[str, Any]] = field(default_factory=list)

    def count(self, severity: str) -> int:
        return sum(f.severity == severity for f in self.findings)

    @property
    def unit(self) -> str:
        units = {r.implementing_unit for r in self.records if r.implementing_unit}
        return "、".join(sorted(units)) or "（未知单位）"


@dataclass
class Report:
    files: list[FileReport]

    @property
    def findings(self) -> list[Finding]:
        return [f for fr in self.files for f in fr.findings]

    def count(self, severity: str) -> int:
        return sum(fr.count(severity) for fr in self.files)

    @property
    def unreadable(self) -> list[str]:
        return [fr.file for fr in self.files if any(f.rule in UNOPENED for f in fr.findings)]

    def failed(self, strict: bool = False) -> bool:
        """Errors found (with ``strict``, warnings too): the forms go back to be fixed."""
        return bool(self.count(ERROR) or (strict and self.count(WARNING)))

    def exit_code(self, strict: bool = False) -> int:
        return exit_code(self, strict)

    def by_unit(self) -> list[dict[str, Any]]:
        """Files, projects, errors and warnings per 实施单位."""
        units: dict[str, dict[str, Any]] = {}
        for fr in self.files:
            row = units.setdefault(
                fr.unit, {"unit": fr.unit, "files": 0, "projects": 0, "errors": 0, "warnings": 0}
            )
            row["files"] += 1
            row["projects"] += len(fr.records)
            row["errors"] += fr.count(ERROR)
            row["warnings"] += fr.count(WARNING)
        return sorted(units.values(), key=lambda r: r["unit"])

    def to_dict(self) -> dict[str, Any]:
        return {
            "summary": {
                "files": len(self.files),
                "projects": sum(len(f.records) for f in self.files),
                "errors": self.count(ERROR),
                "warnings": self.count(WARNING),
                "infos": self.count("提示"),
                "units": self.by_unit(),
            },
            "files": [
                {
                    "file": fr.file,
                    "projects": [r.project_name for r in fr.records],
                    "findings": [f.to_dict() for f in fr.findings],
                    "scores": fr.scores,
                }
                for fr in self.files
            ],
        }


def _cell_key(f: Finding) -> tuple:
    m = re.match(r"([A-Z]+)(\d+)", f.cell or "")
    row, col = (int(m.group(2)), (len(m.group(1)), m.group(1))) if m else (0, (0, ""))
    return (f.sheet or "", row, col, SEVERITY_ORDER.get(f.severity, 9), f.rule)


# The protocol every batch evaluation follows: all records in, (record position, finding) out.
Evaluation = Callable[[list[Record]], list[tuple[int, Finding]]]
BLANK_RULES = ("D01", "D02", "S01")  # "must / should be filled in"


def _not_blank(fr: FileReport) -> None:
    """A cell R04 rejected ("2000万") was filled in: it is not also reported as blank."""
    rejected = {(f.sheet, f.cell) for f in fr.findings if f.rule == "R04"}
    if rejected:
        fr.findings = [
            f for f in fr.findings if not (f.rule in BLANK_RULES and (f.sheet, f.cell) in rejected)
        ]


def _without_hypothesis(module: str) -> None:
    """Import ``module`` (pandera's pandas checks) with hypothesis hidden, before pandera
    imports them itself.

    When hypothesis is installed (the test extras), pandera imports it, and with it
    whatever registers as a hypothesis plugin (trio, pytest), for its data synthesis,
    which xltools never uses: 0.7 s of every ``check`` and ``merge``. Nothing is hidden
    when hypothesis is already imported (the test suite) or the module is.
    """
    if "hypothesis" in sys.modules or module in sys.modules:
        return
    sys.modules["hypothesis"] = None  # type: ignore[assignment]  # import → ImportError
    try:
        importlib.import_module(module)
    finally:
        if sys.modules.get("hypothesis", 0) is None:
            del sys.modules["hypothesis"]


class Checker:
    def __init__(
        self,
        profile: Profile,
        select: Iterable[str] = (),
        ignore: Iterable[str] = (),
        declarations: list[Record] | None = None,
        scores: bool = True,
    ):
        self.profile = profile
        self.with_scores = scores  # the scoring help; merge does not show it
        self.declarations = declarations  # given: also check X01–X05 against them
        self.select, self.ignore = tuple(select), tuple(ignore)
        self.severity = {k.upper(): v for k, v in profile.data.get("severity", {}).items()}

    def wanted(self, rule: str) -> bool:
        if self.select and not matches(rule, self.select):
            return False
        return not (self.ignore and matches(rule, self.ignore))

    def finish(self, f: Finding) -> Finding:
        """The profile's severity where it names the rule; else the finding's own (the
        catalogue's, or the one its case calls for: S09 inside the 达成 tier, X01)."""
        severity = self.severity.get(f.rule, f.severity)
        if severity == f.severity:
            return f
        return replace(f, severity=severity)

    def run(self, results: list[ReadResult]) -> Report:
        reports = [FileReport(res.file, res.records, list(res.findings)) for res in results]
        self.add(reports, self.validate)
        if self.with_scores:
            self.add_scores(reports)
        for fr in reports:
            _not_blank(fr)
        if self.declarations is not None:
            self.against(reports)
        return Report(self.finish_all(reports))

    def against(self, reports: list[FileReport]) -> None:
        """X01–X05: every self-evaluation in ``reports`` against the declarations."""
        from xltools.check.rules.against import against_declarations

        assert self.declarations is not None
        declarations, profile = self.declarations, self.profile
        self.add(reports, lambda records: against_declarations(records, declarations, profile))
        self.finish_all(reports)

    @staticmethod
    def add(reports: list[FileReport], *rules: Evaluation) -> None:
        """Run ``rules`` over all records at once; file each finding under its record's file."""
        records = [r for fr in reports for r in fr.records]
        owners = [i for i, fr in enumerate(reports) for _ in fr.records]
        for rule in rules:
            for pid, found in rule(records):
                reports[owners[pid]].findings.append(found)

    def add_scores(self, reports: list[FileReport]) -> None:
        """The scoring help (not findings): each file's quantitative indicators."""
        records = [r for fr in reports for r in fr.records]
        owners = [i for i, fr in enumerate(reports) for _ in fr.records]
        for pid, score in self.scores(records):
            reports[owners[pid]].scores.append(score)

    def finish_all(self, reports: list[FileReport]) -> list[FileReport]:
        """Selected rules only, with the profile's severities, in cell order (idempotent)."""
        for fr in reports:
            fr.findings = sorted(
                (self.finish(f) for f in fr.findings if self.wanted(f.rule)), key=_cell_key
            )
        return reports

    def validate(self, records: list[Record]) -> list[tuple[int, Finding]]:
        """The row rules (pandera schemas), then the rules across rows and tables."""
        if not records:
            return []
        from xltools.check.frames import build_frames  # pandas and pandera only when checking
        from xltools.check.rules.cross import CROSS_RULES, Context
        from xltools.check.rules.scoring import SCORING_RULES  # record-level, on the same Context

        _without_hypothesis("pandera.backends.pandas.builtin_checks")
        from xltools.check.schemas import validate

        frames, out = validate(build_frames(records, self.profile), records, self.profile)
        ctx = Context(frames, records, self.profile)
        for rule in (*CROSS_RULES, *SCORING_RULES):
            rule(ctx)
        return out + ctx.found

    def scores(self, records: list[Record]) -> list[tuple[int, dict[str, Any]]]:
        """For each quantitative indicator of a self-evaluation: the computed score and why."""
        from xltools.check.targets import computed_score, explain_score, parse_value

        reverse = self.profile.section("scoring")["reverse"]
        out = []
        for pid, record in enumerate(records):
            if record.kind != "self_evaluation":
                continue
            for ind in record.indicators:
                target, actual = parse_value(ind.target), parse_value(ind.actual)
                score = computed_score(target, actual, ind.weight, reverse)
                if score is None or target is None or actual is None or ind.weight is None:
                    continue
                out.append(
                    (
                        pid,
                        {
                            "project": record.project_name,
                            "sheet": record.source.sheet if record.source else None,
                            "cell": self._cell(record, "score", ind.row),
                            "name": ind.name,
                            "target": ind.target,
                            "actual": ind.actual,
                            "weight": ind.weight,
                            "score": ind.score,
                            "computed": round(score, 2),
                            "why": explain_score(target, actual, ind.weight, reverse),
                        },
                    )
                )
        return out

    _cell = staticmethod(record_cell)


def check(
    paths: Iterable[str | Path],
    profile: Profile | None = None,
    *,
    select: Iterable[str] = (),
    ignore: Iterable[str] = (),
    progress: Advance | None = None,
    declarations: Iterable[str | Path] | None = None,
    jobs: int = 1,
) -> Report:
    """Check every form in ``paths`` (files and folders) against the rule catalogue.

    With ``declarations`` (files and folders of 申报表), self-evaluations are also
    checked against the approved declaration of the same project (X01–X05).
    ``jobs``: processes reading and checking (``workers.AUTO``: one per CPU; few files: one);
    ``progress`` is called with the number of files just finished.
    """
    profile = profile or load_profile()
    checker = Checker(profile, tuple(select), tuple(ignore))
    files = discover(paths)
    reports = read_and_check(files, checker, jobs, progress)
    add_conflicts(reports, checker)
    if declarations is None:
        return Report(reports)
    approved: list[Record] = []
    for f in discover(declarations):
        res = read_workbook(f, profile)
        approved += res.records
        # An unreadable 申报表 must not pass as "no declaration" (X05 only): report it (R01).
        unreadable = [
            replace(x, message=f"申报表（--declarations）{x.message}")
            for x in res.findings
            if x.rule in UNOPENED
        ]
        if unreadable:
            reports.append(FileReport(res.file, [], unreadable))
    checker.declarations = approved
    checker.against(reports)
    return Report(reports)


def add_conflicts(reports: list[FileReport], checker: Checker) -> None:
    """M05 over the whole batch: a project whose revisions in two files differ."""
    from xltools.check.conflicts import cell, check_conflicts

    by_file = {fr.file: fr for fr in reports}
    forms = [(fr.file, r) for fr in reports for r in fr.records]
    for c in check_conflicts(forms):
        located = [(d, cell(c.record, d)) for d in c.diffs]
        first, where = next(((d, x) for d, x in located if x), located[0])
        by_file[c.file].findings.append(
            record_finding("M05", c.record, where, c.message(), first.this, first.other)
        )
    checker.finish_all(reports)


def read_and_check(
    files: list[Path], checker: Checker, jobs: int = 1, progress: Advance | None = None
) -> list[FileReport]:
    """Each file read and checked, in order; ``jobs`` processes (AUTO: one per CPU) when
    there are many files. A script that asks for several must have the usual
    ``if __name__ == "__main__":`` guard, as with any use of multiprocessing."""
    from xltools.read.workers import jobs_for, read_files

    n = jobs_for(len(files), jobs)
    if n > 1:
        results = read_files(files, checker.profile, jobs=n, advance=progress)
    else:
        results = []
        for path in files:
            results.append(read_workbook(path, checker.profile))
            if progress:
                progress(1)
    return checker.run(results).files
