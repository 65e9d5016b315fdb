"""Which blocks of a sheet are forms, and which form each is — by meaning.

A title is the heading of a block: the first filled cell of its row, saying what
the form is in one of the ways regions print it (财政项目支出绩效目标申报表,
项目绩效目标表, 部门预算项目支出绩效自评表(2023年度), 2023年项目支出绩效目标申报表,
…). The same words in a value cell (a project named "……支出绩效自评表", right of
项目名称) are a name. A sheet with no title is still a form when its labels say so.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from xltools.forms import vocabulary
from xltools.model import DECLARATION, SELF_EVALUATION
from xltools.text import normalise_label

_YEAR = r"(?:[(]?\d{4}年?度?[)]?)?"
_TITLE = re.compile(
    rf"^(?:附件\d*)?{_YEAR}(?:.{{0,30}}?)?(?:部门预算|财政)?(?:项目支出|支出项目|项目)"
    rf"(?:支出)?绩效(?P<kind>目标申报表|目标表|自评表|自评价表){_YEAR}$"
)
# Forms of the same family that xltools does not read: named in an info finding (R09).
_RELATED = re.compile(
    r"(部门整体支出绩效(目标申报|目标|自评|评价)表|部门整体绩效目标表|绩效(运行)?监控(情况)?表|"
    r"绩效跟踪(监控)?表|绩效评价(结果)?表|政策绩效目标表)"
)
# Labels that say "this is a form" (for sheets without a title) and which form.
_FORM_LABELS = frozenset(
    normalise_label(w)
    for key in ("project_name", "department", "implementing_unit")
    for w in vocabulary.FIELDS[key]
) | {normalise_label("一级指标"), normalise_label("三级指标")}
_SELF_EVALUATION_LABELS = frozenset(
    normalise_label(w)
    for words in (
        vocabulary.COLUMNS["actual"],
        vocabulary.FUNDS_COLUMNS["executed"],
        vocabulary.FIELDS["actual_result"],
    )
    for w in words
)
_DECLARATION_LABELS = frozenset(
    normalise_label(w)
    for key in ("funds.annual_total", "start_date", "overall_goal")
    for w in vocabulary.FIELDS[key]
)


def _kind_of(word: str) -> str:
    return SELF_EVALUATION if word.startswith("自评") else DECLARATION


def title_kind(text: str) -> str | None:
    """The form a heading names (``declaration`` / ``self_evaluation``), else None."""
    if "绩效" not in text or "表" not in text or len(text) > 60:
        return None
    m = _TITLE.match(text)
    return _kind_of(m.group("kind")) if m else None


def related_form(text: str) -> str | None:
    """The name of a related form xltools does not read (绩效监控表 …), else None."""
    if "表" not in text or len(text) > 60:
        return None
    m = _RELATED.search(text)
    return m.group(1) if m else None


@dataclass(frozen=True)
class Heading:
    row: int
    col: int
    text: str  # as printed
    kind: str | None  # None: a related form xltools does not read


def headings(rows: list[list[Any]], keys: Callable[[str], tuple[str, ...]]) -> list[Heading]:
    """Form titles and related-form titles of a sheet, top to bottom.

    A heading is the first filled cell of its row (blank texts are not filled); ``keys``
    gives the label keys a text is indexed under (its normalised form, and without a
    leading 其中).
    """
    out = []
    for r, values in enumerate(rows, start=1):
        for c, value in enumerate(values, start=1):
            if value is None or (isinstance(value, str) and not value.strip()):
                continue
            if isinstance(value, str):
                for key in keys(value):
                    kind = title_kind(key)
                    if kind is not None or related_form(key) is not None:
                        out.append(Heading(r, c, value, kind))
            break  # only the first filled cell of a row heads it
    return out


def kind_by_labels(labels: dict[str, list[Any]]) -> tuple[str | None, list[str]]:
    """A sheet without a title: the form its labels describe, and the form labels seen.

    A form prints its header labels (项目名称, 主管部门 …) in rows above the indicator
    table's header; a flat list (one project per row) has them all in one header row.
    """
    present = set(labels)
    seen = sorted(present & _FORM_LABELS)
    header = normalise_label("一级指标")
    if len(seen) < 3 or header not in present:
        return None, seen
    table_row = min(c.row for c in labels[header])
    above = {t for t in seen if t != header and any(c.row < table_row for c in labels[t])}
    if len(above) < 2:
        return None, seen
    if present & _SELF_EVALUATION_LABELS:
        return SELF_EVALUATION, seen
    if present & _DECLARATION_LABELS:
        return DECLARATION, seen
    return None, seen


def looks_like_form(rows: list[list[Any]]) -> bool:
    """Cheap test before a sheet is indexed: a title-like text or a form label in it."""
    for row in rows:
        for value in row:
            if (
                isinstance(value, str)
                and value
                and ("绩效" in value or normalise_label(value) in _FORM_LABELS)
            ):
                return True
    return False
