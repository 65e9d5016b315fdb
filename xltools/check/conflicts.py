"""M05: the same project in two files with different content — two revisions, one valid.

A project is identified as for M01 by (form, year, 实施单位, 项目名称). When two
files hold it with different figures or indicators, the finding names both files
and the fields that differ ("年度资金申请总额", "指标“系统运行天数”的目标值"). The
newer revision is the one merge keeps: newer by the time the workbook records for
its last save (docProps/core.xml of an .xlsx, which survives copying and e-mail),
else by the file's modification time. :func:`check_conflicts` is check's use (over
all files of a batch); merge decides with :func:`newest` and words with :func:`message`.
"""

from __future__ import annotations

import datetime as dt
import zipfile
import zlib
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from xltools.catalogue import RULES
from xltools.columns import HEADERS
from xltools.model import KIND_NAMES, Record, content
from xltools.text import normalise_label

LABELS = {
    **HEADERS,
    "overall_goal": "项目总目标",
    "annual_goal": "年度总目标",
    "expected_goal": "年度总体目标·预期目标",
    "actual_result": "年度总体目标·实际完成情况",
}
INDICATOR_FIELDS = {
    "level1": "一级指标",
    "level2": "二级指标",
    "target": "目标值",
    "actual": "实际完成值",
    "weight": "分值",
    "score": "得分",
    "deviation_reason": "偏差原因",
}
SHOWN = 4  # differences named in the message; the rest are counted


@dataclass(frozen=True)
class Difference:
    label: str  # as the clerk reads it: 年度资金申请总额, 指标“…”的目标值
    key: str  # record key (or indicator column) of the cell, for the location
    row: int | None  # the indicator's row in the record that is reported
    this: Any  # the value in the record that is reported
    other: Any  # the value in the other revision


def key(record: Record) -> tuple:
    """What makes two forms the same project (as for M01)."""
    return (
        record.kind,
        record.year,
        normalise_label(record.implementing_unit),
        normalise_label(record.project_name),
    )


def _flat(data: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in data.items():
        if isinstance(v, dict):
            out.update(_flat(v, f"{prefix}{k}."))
        else:
            out[f"{prefix}{k}"] = v
    return out


def differences(this: Record, other: Record) -> list[Difference]:
    """What differs between two revisions of a project, in the form's order."""
    a, b = content(this), content(other)
    for same in ("kind", "year", "project_name", "implementing_unit"):  # the key: same anyway
        a.pop(same, None)
        b.pop(same, None)
    inds_a, inds_b = a.pop("indicators"), b.pop("indicators")
    flat_a, flat_b = _flat(a), _flat(b)
    out = [
        Difference(LABELS.get(k, k), k, None, flat_a.get(k), flat_b.get(k))
        for k in dict.fromkeys([*flat_a, *flat_b])
        if flat_a.get(k) != flat_b.get(k)
    ]
    rows = {i.name: i.row for i in this.indicators}
    by_name_b = {i.get("name"): i for i in inds_b}
    for ind in inds_a:
        name = ind.get("name")
        twin = by_name_b.pop(name, None)
        if twin is None:
            out.append(
                Difference(f"指标“{name}”（另一份中没有）", "name", rows.get(name), name, None)
            )
            continue
        for field, label in INDICATOR_FIELDS.items():
            if ind.get(field) != twin.get(field):
                out.append(
                    Difference(
                        f"指标“{name}”的{label}",
                        field,
                        rows.get(name),
                        ind.get(field),
                        twin.get(field),
                    )
                )
    for name in by_name_b:
        out.append(Difference(f"指标“{name}”（本份中没有）", "indicators", None, None, name))
    return out


_CORE_MAX = 1 << 20  # bytes of docProps/core.xml read at most (a few hundred in practice)


def saved_time(path: str | Path) -> dt.datetime | None:
    """When the workbook says it was last saved (an .xlsx's core properties), or None."""
    from defusedxml import ElementTree

    try:
        with zipfile.ZipFile(path) as book, book.open("docProps/core.xml") as part:
            root = ElementTree.fromstring(part.read(_CORE_MAX))
    # A part calamine never reads may be broken in any way (fuzz mutant 9,9xx: a corrupt
    # deflate stream gave zlib.error and ended the run); then the file's time decides.
    except (
        OSError,
        EOFError,
        KeyError,
        RuntimeError,  # an encrypted member
        NotImplementedError,  # a compression method zipfile lacks
        ValueError,  # defusedxml refuses entities; bad offsets
        zipfile.BadZipFile,
        zlib.error,
        ElementTree.ParseError,
    ):
        return None
    node = root.find("{http://purl.org/dc/terms/}modified")
    try:
        stamp = dt.datetime.fromisoformat((node.text or "").strip().replace("Z", "+00:00"))
    except (AttributeError, ValueError):
        return None
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=dt.UTC)


def _modified(path: str) -> dt.datetime | None:
    try:
        return dt.datetime.fromtimestamp(Path(path).stat().st_mtime, dt.UTC)
    except OSError:
        return None


def newest(files: list[str]) -> tuple[int, str]:
    """Which of ``files`` holds the newer revision, and why (in Chinese).

    By the workbooks' saved times when every file has one and they differ, else by
    the files' modification times; on a tie, the file listed first.
    """
    saved = [saved_time(f) for f in files]
    basis, times = "工作簿记录的保存时间", saved
    if any(t is None for t in saved) or len(set(saved)) == 1:
        basis, times = "文件修改时间", [_modified(f) for f in files]
    if any(t is None for t in times) or len(set(times)) == 1:
        return 0, f"各份的{basis}相同，采用先列出的一份"
    best = max(range(len(files)), key=lambda i: times[i])  # type: ignore[arg-type, return-value]
    others = "、".join(_when(times[i]) for i in range(len(files)) if i != best)
    return best, f"按{basis}，{_when(times[best])} 晚于 {others}"


def _when(stamp: dt.datetime | None) -> str:
    return stamp.astimezone().strftime("%Y-%m-%d %H:%M:%S") if stamp else "未知"


def _shown(value: Any) -> str:
    if value is None or value == "":
        return "空白"
    if isinstance(value, float):
        return f"{value:,.2f}"
    return str(value)


def message(record: Record, file: str, kept: str, diffs: list[Difference], why: str) -> str:
    """The M05 text for the revision in ``file``, ``kept`` being the newer one."""
    listed = "；".join(
        f"{d.label}：本份为 {_shown(d.this)}，另一份为 {_shown(d.other)}" for d in diffs[:SHOWN]
    )
    more = f"；另有 {len(diffs) - SHOWN} 处不同" if len(diffs) > SHOWN else ""
    what = f"{record.implementing_unit}，{record.year} 年{KIND_NAMES[record.kind]}"
    return RULES["M05"].message(
        project=record.project_name,
        what=what,
        file=file,
        kept=kept,
        listed=listed,
        more=more,
        why=why,
    )


def cell(record: Record, diff: Difference) -> str | None:
    """The cell of the first difference in ``record`` (None when it is not in this file)."""
    if diff.row is not None:
        letter = record.cells.get(f"indicators.{diff.key}")
        return f"{letter}{diff.row}" if letter else None
    return record.cells.get(diff.key)


@dataclass(frozen=True)
class Conflict:
    record: Record  # the older revision: the one reported
    file: str
    kept_file: str
    diffs: list[Difference]
    why: str

    def message(self) -> str:
        return message(self.record, self.file, self.kept_file, self.diffs, self.why)


def check_conflicts(forms: list[tuple[str, Record]]) -> list[Conflict]:
    """Every older revision among ``forms`` ((file, record) pairs) that differs from the newest."""
    groups: dict[tuple, list[tuple[str, Record]]] = defaultdict(list)
    for file, record in forms:
        if record.project_name:
            groups[key(record)].append((file, record))
    out = []
    for group in groups.values():
        files = list(dict.fromkeys(f for f, _ in group))
        if len(files) < 2:
            continue
        best, why = newest(files)
        kept_file = files[best]
        kept = next(r for f, r in group if f == kept_file)
        for file, record in group:
            if file != kept_file:
                diffs = differences(record, kept)
                if diffs:
                    out.append(Conflict(record, file, kept_file, diffs, why))
    return out
