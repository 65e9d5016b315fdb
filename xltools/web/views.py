"""What the pages show, made from the API's results: no rule or form logic here.

Files are shown by the name the clerk uploaded them under (not the server's temp
path), findings grouped by 实施单位 and file and filtered by severity and rule.
"""

from __future__ import annotations

import os
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from xltools.catalogue import CATALOGUE, GROUPS, RULES

SEVERITIES = ("错误", "警告", "提示")


def label(path: str | Path, roots: dict[Path, str]) -> str:
    """The name a clerk knows: ``path`` relative to the upload folder it lies in."""
    p = Path(path)
    for root, prefix in roots.items():
        if p.is_relative_to(root):
            return prefix + p.relative_to(root).as_posix()
    return p.name


def unroot(text: str, roots: dict[Path, str]) -> str:
    """A message that names an uploaded file by its server path, with the clerk's name."""
    for root, prefix in roots.items():
        text = text.replace(f"{root}{os.sep}", prefix)
    return text


def relabelled(report: Any, roots: dict[Path, str]) -> Any:
    """A copy of a check report whose files and findings name the uploaded files."""
    files = []
    for fr in report.files:
        name = label(fr.file, roots)
        findings = [replace(f, file=name) for f in fr.findings]
        files.append(replace(fr, file=name, findings=findings))
    return replace(report, files=files)


@dataclass
class FileView:
    name: str
    projects: list[str]
    counts: dict[str, int]
    findings: list[Any]  # the ones the filter lets through


@dataclass
class UnitView:
    unit: str
    files: list[FileView] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        return {s: sum(f.counts[s] for f in self.files) for s in SEVERITIES}


def grouped(report: Any, severities: Iterable[str], rule: str) -> list[UnitView]:
    """The files by 实施单位 (units with errors first), findings kept by the filter.

    With a filter, files without a matching finding are left out; without one, every
    file is listed (a clean file says so on the page).
    """
    wanted = set(severities) or set(SEVERITIES)
    filtering = wanted != set(SEVERITIES) or bool(rule)
    units: dict[str, UnitView] = {}
    for fr in report.files:
        kept = [f for f in fr.findings if f.severity in wanted and (not rule or f.rule == rule)]
        if filtering and not kept:
            continue
        view = FileView(
            fr.file,
            [r.project_name or "（未填项目名称）" for r in fr.records],
            {s: fr.count(s) for s in SEVERITIES},
            kept,
        )
        units.setdefault(fr.unit, UnitView(fr.unit)).files.append(view)
    return sorted(units.values(), key=lambda u: (-u.counts["错误"], -u.counts["警告"], u.unit))


def rule_choices(report: Any) -> list[tuple[str, str, int]]:
    """(rule ID, its title, how many findings) for the rules that occur in ``report``."""
    counts: dict[str, int] = {}
    for f in report.findings:
        counts[f.rule] = counts.get(f.rule, 0) + 1
    return [(r, RULES[r].title if r in RULES else "", n) for r, n in sorted(counts.items())]


def rules_table(query: str, overrides: dict[str, str]) -> list[tuple[str, list[dict[str, str]]]]:
    """The catalogue by group, rules matching ``query`` (ID, severity, scope or words) only."""
    q = query.strip().casefold()
    out = []
    for prefix, group in GROUPS.items():
        rows = []
        for rule in CATALOGUE:
            if not rule.id.startswith(prefix):
                continue
            severity = overrides.get(rule.id, rule.severity)
            text = f"{rule.title}。{rule.detail}" if rule.detail else rule.title
            scope = rule.scope_name
            if q and q not in f"{rule.id} {severity} {scope} {text}".casefold():
                continue
            rows.append({"id": rule.id, "severity": severity, "scope": scope, "text": text})
        if rows:
            out.append((f"{prefix} — {group}", rows))
    return out


def zip_folder(paths: Iterable[Path], root: Path, out: Path) -> Path:
    """``paths`` (inside ``root``) into the zip ``out``, named relative to ``root``."""
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for p in paths:
            zf.write(p, p.relative_to(root).as_posix())
    return out


def summary_sheets(workbook: Path, most_rows: int = 500) -> list[dict[str, Any]]:
    """The 项目汇总 sheets of a consolidated workbook, read back to show on the page."""
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(str(workbook))
    out = []
    for name in book.sheet_names:
        if not name.startswith("项目汇总"):
            continue
        rows = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
        # The header is the row that names the columns: title lines stand above it.
        top = next((i for i, row in enumerate(rows) if "项目名称" in row), 0)
        header, body = (rows[top], rows[top + 1 :]) if rows else ([], [])
        out.append(
            {
                "name": name,
                "header": [str(v) for v in header],
                "rows": [
                    [_cell(v, str(h)) for v, h in zip(row, header, strict=False)]
                    for row in body[:most_rows]
                ],
                "more": max(0, len(body) - most_rows),
            }
        )
    return out


def shown(value: Any) -> str:
    """A finding's value or expected value: numbers as the message writes them."""
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:,.2f}"
    return str(value)


AMOUNT_WORDS = ("资金", "金额", "预算", "执行数", "拨款", "结转")


def _cell(value: Any, header: str) -> str:
    """A number as the workbook shows it: amounts with two decimals, counts and years plain."""
    if value is None or value == "":
        return ""
    if isinstance(value, float):
        if any(w in header for w in AMOUNT_WORDS):
            return f"{value:,.2f}"
        return str(int(value)) if value == int(value) else f"{value:g}"
    return str(value)
