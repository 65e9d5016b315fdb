"""Project lists for ``xltools template --from``: one row per project, headers in Chinese.

Finance offices export the project list from the budget system as .xlsx or .csv
(often GBK-encoded when saved by Excel on Chinese Windows); the headers name the
form's fields (项目名称, 主管部门, 实施单位, 项目类别, 年度资金申请总额, …).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from xltools.errors import UserError
from xltools.forms import Layout, T
from xltools.text import clean_text, normalise_label, parse_date, parse_number

# Headers a budget-system export uses that are not labels on the form itself.
EXTRA_HEADERS = {
    "年度": "year",
    "年份": "year",
    "预算年度": "year",
    "年初预算数": "funds.total.initial_budget",
    "全年预算数": "funds.total.adjusted_budget",
    "全年执行数": "funds.total.executed",
    "单位": "implementing_unit",
    "项目单位": "implementing_unit",
}
SELF_EVALUATION_HEADERS = {"年度资金申请总额": "funds.total.initial_budget"}


@dataclass
class ProjectList:
    rows: list[dict[str, Any]] = field(default_factory=list)  # field key → value, one per project
    problems: list[str] = field(default_factory=list)  # Chinese lines for the user


def header_map(layout: Layout) -> dict[str, tuple[str, T]]:
    """Normalised header text → (field key, type), from the form declaration."""
    out: dict[str, tuple[str, T]] = {}
    types = {f.key: f.type for f in layout.fields}
    for fld in layout.fields:
        if fld.formula or fld.key.startswith("_"):
            continue
        for text in (fld.label, *fld.aliases):
            out.setdefault(normalise_label(text).removeprefix("其中"), (fld.key, fld.type))
    extras = dict(EXTRA_HEADERS)
    if layout.kind == "self_evaluation":
        extras.update(SELF_EVALUATION_HEADERS)
    for text, key in extras.items():
        if key == "year" or key in types:
            out.setdefault(normalise_label(text), (key, T.TEXT if key != "year" else T.WEIGHT))
    return out


def _table(path: Path) -> list[list[Any]]:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        raw = path.read_bytes()
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = raw.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise UserError(f"无法识别项目清单 {path} 的文字编码（请另存为 UTF-8 的 CSV 或 .xlsx）")
        return [row for row in csv.reader(text.splitlines())]
    if suffix in (".xlsx", ".xlsm", ".xls", ".ods"):
        import python_calamine

        try:
            book = python_calamine.CalamineWorkbook.from_path(str(path))
            return book.get_sheet_by_index(0).to_python()
        except Exception as exc:
            raise UserError(f"无法读取项目清单 {path}：{exc}") from None
    raise UserError(f"项目清单应为 .xlsx、.xls、.ods 或 .csv 文件：{path}")


def read_project_list(path: Path, layout: Layout) -> ProjectList:
    if not path.is_file():
        raise UserError(f"找不到项目清单：{path}")
    rows = [r for r in _table(path) if any(str(v).strip() for v in r)]
    if not rows:
        raise UserError(f"项目清单是空的：{path}")
    headers = [normalise_label(h).removeprefix("其中") for h in rows[0]]
    known = header_map(layout)
    out = ProjectList()
    unknown = [str(h) for h, n in zip(rows[0], headers, strict=True) if n and n not in known]
    if unknown:
        out.problems.append(f"清单中这些列不对应表单中的项目，已忽略：{'、'.join(unknown)}")
    if "project_name" not in {known[h][0] for h in headers if h in known}:
        raise UserError(f"项目清单 {path} 没有“项目名称”列（第一行应为列名）")
    for number, row in enumerate(rows[1:], start=2):
        values = _convert_row(headers, row, known, number, out.problems)
        if values.get("project_name"):
            out.rows.append(values)
        else:
            out.problems.append(f"清单第 {number} 行没有项目名称，已跳过")
    return out


def _convert_row(
    headers: list[str], row: list[Any], known: dict, number: int, problems: list[str]
) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for header, raw in zip(headers, row, strict=False):
        if header not in known or raw in (None, ""):
            continue
        key, typ = known[header]
        if typ in (T.MONEY, T.WEIGHT):
            parsed = parse_number(raw)
            if not parsed.ok:
                problems.append(f"清单第 {number} 行“{header}”不是数字（“{raw}”），该项留空")
                continue
            value: Any = parsed.value
            if key == "year":
                value = int(value) if value is not None else None
        elif typ == T.DATE:
            value = parse_date(raw).value
        else:
            value = clean_text(raw)
        values[key] = value
    return values
