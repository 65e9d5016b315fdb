"""Which region a form's layout names, to suggest a shipped profile (D17 / S26, 提示).

Read from what a layout prints, never from who filled it in: the 报表编号 of an
integrated budget system (``报表编号:510000_0013zp``: 51 = 四川; 310000 = 上海市级,
3101xx = a Shanghai district) above the title, or a region in the title itself
(``四川省部门预算项目支出绩效自评表``). The suggestion is only a note: the profile the
user chose is always the one applied.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from xltools.text import normalise_label

_CODE = re.compile(r"报表编号[:：]?\s*(\d{6})")
ABOVE_TITLE = 8  # rows above the title searched for a 报表编号


@dataclass(frozen=True)
class Hint:
    profile: str  # a shipped profile's name
    row: int  # 1-based cell of the evidence
    col: int
    evidence: str


def _by_code(code: str) -> str | None:
    if code.startswith("51"):
        return "四川"
    if code == "310000":
        return "上海市级"
    if code.startswith("31"):
        return "上海区级"
    return None


def _by_title(title: str) -> str | None:
    if title.startswith("四川"):
        return "四川"
    if title.startswith("上海市"):
        return "上海区级" if re.match(r"上海市\w{1,4}区", title) else "上海市级"
    return None


def detect(rows: Sequence[Sequence[Any]], top: int) -> Hint | None:
    """The region hint of the form whose title is on 1-based row ``top``, if any."""
    for r in range(max(1, top - ABOVE_TITLE), top + 1):
        values = rows[r - 1] if r <= len(rows) else ()
        for c, value in enumerate(values, start=1):
            if not isinstance(value, str) or not value.strip():
                continue
            text = normalise_label(value)
            m = _CODE.search(text)
            name = _by_code(m.group(1)) if m else None
            if name is None and r == top:
                name = _by_title(text)
            if name is not None:
                return Hint(name, r, c, value.strip())
    return None
