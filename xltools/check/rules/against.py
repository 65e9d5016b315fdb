"""X01–X05: a self-evaluation against the approved declaration of the same project.

Matched by (实施单位, 项目名称), tolerant of whitespace and full-/half-width
differences; indicators matched by 三级指标 the same way. Targets are equal when
they are the same text or the same operator, number and unit (``≥90.00(%)`` = ``≥90%``).
"""

from __future__ import annotations

from collections.abc import Iterator

from xltools.catalogue import WARNING, message
from xltools.check.targets import parse_value
from xltools.findings import Finding, record_finding
from xltools.model import Declaration, Indicator, Record, SelfEvaluation
from xltools.profiles import Profile
from xltools.text import normalise_label

FACTOR = {("万元", "元"): 10000.0, ("元", "万元"): 0.0001}


def project_key(record: Record) -> tuple[str, str]:
    return (normalise_label(record.implementing_unit), normalise_label(record.project_name))


def same_target(a: str | None, b: str | None) -> bool:
    if normalise_label(a) == normalise_label(b):
        return True
    pa, pb = parse_value(a), parse_value(b)
    return bool(
        pa
        and pb
        and pa.quantitative
        and pb.quantitative
        and (pa.op, pa.number, pa.unit) == (pb.op, pb.number, pb.unit)
    )


def find_declaration(record: SelfEvaluation, index: dict) -> Declaration | None:
    """The declaration of the same project and year (rules.md: "year N"); a year missing on
    either form does not prevent the match, another year's declaration does."""
    candidates = index.get(project_key(record), [])
    fitting = [
        d for d in candidates if d.year is None or record.year is None or d.year == record.year
    ]
    return fitting[0] if fitting else None


_finding = record_finding


def _cell(record: Record, column: str, ind: Indicator) -> str | None:
    letter = record.cells.get(f"indicators.{column}")
    return f"{letter}{ind.row}" if letter and ind.row else None


def compare(
    record: SelfEvaluation, declaration: Declaration, profile: Profile
) -> Iterator[Finding]:
    declared = {normalise_label(i.name): i for i in declaration.indicators if i.name}
    reported = {normalise_label(i.name): i for i in record.indicators if i.name}
    where = f"申报表 {declaration.source.file if declaration.source else ''}"
    for key, ind in reported.items():
        if key not in declared:
            yield _finding(
                "X03",
                record,
                _cell(record, "name", ind),
                message("X03", name=ind.name, where=where),
                ind.name,
                None,
            )
        elif not same_target(ind.target, declared[key].target):
            yield _x01(record, ind, declared[key].target, profile)
    for key, ind in declared.items():
        if key not in reported:
            yield _finding(
                "X02",
                record,
                record.cells.get("indicators"),
                message(
                    "X02", level1=ind.level1, level2=ind.level2, name=ind.name, target=ind.target
                ),
                None,
                ind.name,
            )
    yield from _budget(record, declaration, profile)


def _x01(record: SelfEvaluation, ind: Indicator, declared: str | None, profile: Profile) -> Finding:
    """X01, a warning when the budget was adjusted: the targets may have been re-approved."""
    total = record.funds.total
    adjusted = (
        total.initial_budget is not None
        and total.adjusted_budget is not None
        and abs(total.adjusted_budget - total.initial_budget) > profile.tolerance + 1e-9
    )
    text = message(
        "X01",
        "adjusted" if adjusted else "",
        target=ind.target,
        declared=declared,
        adjusted=total.adjusted_budget,
        initial=total.initial_budget,
    )
    return record_finding(
        "X01",
        record,
        _cell(record, "target", ind),
        text,
        ind.target,
        declared,
        WARNING if adjusted else None,
    )


def _budget(
    record: SelfEvaluation, declaration: Declaration, profile: Profile
) -> Iterator[Finding]:
    initial, annual = record.funds.total.initial_budget, declaration.funds.annual_total
    if initial is None or annual is None:
        return
    annual_here = annual * FACTOR.get((declaration.money_unit, record.money_unit), 1.0)
    if abs(initial - annual_here) > profile.tolerance + 1e-9:
        yield _finding(
            "X04",
            record,
            record.cells.get("funds.total.initial_budget"),
            message("X04", initial=initial, annual=annual_here, unit=record.money_unit),
            initial,
            annual_here,
        )


def against_declarations(
    records: list[Record], declarations: list[Record], profile: Profile
) -> list[tuple[int, Finding]]:
    """X findings for every self-evaluation among ``records`` (pid, finding)."""
    index: dict[tuple[str, str], list[Declaration]] = {}
    for d in declarations:
        if isinstance(d, Declaration):
            index.setdefault(project_key(d), []).append(d)
    out: list[tuple[int, Finding]] = []
    for pid, record in enumerate(records):
        if not isinstance(record, SelfEvaluation):
            continue
        declaration = find_declaration(record, index)
        if declaration is None:
            out.append(
                (
                    pid,
                    _finding(
                        "X05",
                        record,
                        record.cells.get("project_name"),
                        message("X05", unit=record.implementing_unit, project=record.project_name),
                        record.project_name,
                        None,
                    ),
                )
            )
            continue
        out += [(pid, f) for f in compare(record, declaration, profile)]
    return out
