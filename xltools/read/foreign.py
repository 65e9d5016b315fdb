"""Reading forms that xltools did not write: find values by the labels beside them.

Returned files come in last year's layout, a region's variant or a PDF-era
workbook; columns shift, labels carry colons, units and spaces
(``项目资金 (元)``, ``其中: 当年财政拨款``), and merged cells leave their neighbours
empty. Here a value is the first filled cell to the right of its label (or below
it, for goal texts), unless that cell is itself a label — then the field is blank.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import Any

from xltools.forms import LAYOUTS, Cell, vocabulary
from xltools.profiles import FRAMEWORKS
from xltools.text import clean_text, normalise_label

# "（2022 年 - 2022年）" under 项目总目标: the period the goal covers, not the goal (seed 000).
_PERIOD = re.compile(r"^[（(]\s*\d{4}\s*年?\s*[-—–~至到]\s*\d{4}\s*年?\s*[)）]$")
_DASHES = re.compile(r"^[-—–_=~·.。、\s]+$")
# "/": the form's way of saying "not filled in on this row" (四川's sub-rows of the funds grid).
_NOT_APPLICABLE = re.compile(r"^[/／\\]+$")
# The 四川 template prints its instructions where the reasons go, merged down the funds grid
# from the 总额 row: "1.预算执行率=预算执行数/调整后预算数，预算执行率未达到90%的需说明原因
# (100字以内)；2.年中发生预算调整的……". A form sent back keeps it when nobody wrote a reason:
# it tells the clerk what to write and is no reason itself, so it reads as blank (and S24
# then asks for the reason, as it should). Compared after NFKC, without spaces.
_REASON_NOTE = re.compile(r"^1[.、]?预算执行率=|说明(?:原因|理由)\(\d+字以内\)")
_HTML_TAG = re.compile(r"<\s*/?\s*[a-zA-Z][^<>]*>")
_HTML_ENTITIES = {"&nbsp;": " ", "&lt;": "<", "&gt;": ">", "&amp;": "&", "&quot;": '"'}
# Words that appear on the forms as labels but are not fields.
_EXTRA = (
    "项目资金",
    "项目绩效目标",
    "绩效指标",
    "年度总体目标",
    "年度总目标",
    "总分",
    "评分等级",
    "项目总目标",
    "预期目标",
    "预算目标",
    "实际完成情况",
    "分值",
    "分数",
    "执行率",
    "得分",
)


def _known_labels() -> frozenset[str]:
    texts: list[str] = list(_EXTRA)
    for layout in LAYOUTS.values():
        texts += [layout.title, layout.table_block]
        for fld in layout.all_fields():
            texts += [fld.label, *fld.aliases]
        for column in layout.columns:
            texts += [column.label, *column.aliases]
        texts += [text for _, text in layout.statics if text and "{" not in text]
        for header_texts in layout.grid_columns.values():
            texts += header_texts
    return frozenset(normalise_label(t) for t in texts if t) | vocabulary.all_labels()


KNOWN_LABELS = _known_labels()
LEVEL1 = frozenset(level1 for fw in FRAMEWORKS.values() for level1 in fw)
LEVEL2 = frozenset(level2 for fw in FRAMEWORKS.values() for l2s in fw.values() for level2 in l2s)
LEVELS = LEVEL1 | LEVEL2


def is_label(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    text = normalise_label(value)
    return (
        text.removeprefix("其中") in KNOWN_LABELS
        or text in KNOWN_LABELS
        or text.startswith("项目资金(")
    )


def blank(value: Any) -> bool:
    """Empty, or only dashes and dots (separator rows, "—" placeholders)."""
    return value is None or (
        isinstance(value, str) and (not value.strip() or bool(_DASHES.match(value)))
    )


def not_applicable(value: Any) -> bool:
    """Blank, or "/" (the form's "not filled in on this row")."""
    return blank(value) or (isinstance(value, str) and bool(_NOT_APPLICABLE.match(value.strip())))


def funds_reason(value: Any) -> str | None:
    """The text of a funds row's reason cell (原因); None when blank, "/" or the template's
    instruction text."""
    text = clean_text(value)
    if text is None or not_applicable(text):
        return None
    bare = "".join(unicodedata.normalize("NFKC", text).split())
    return None if _REASON_NOTE.search(bare) else text


def strip_html(text: str | None) -> str | None:
    """Goal texts pasted from web systems keep ``<p>…</p>``: keep the words only."""
    if not text or ("<" not in text and "&" not in text):
        return text
    for entity, char in _HTML_ENTITIES.items():
        text = text.replace(entity, char)
    cleaned = _HTML_TAG.sub("\n", text)
    return "\n".join(line.strip() for line in cleaned.splitlines() if line.strip()) or None


def scan_right(grid: Any, label: Cell, limit: int = 8) -> Cell | None:
    """The value cell right of ``label`` (after its merged extent and any spacer columns)."""
    end_col = grid.merged_to.get((label.row, label.col), (label.row, label.col))[1]
    for col in range(end_col + 1, end_col + 1 + limit):
        value = grid.value(Cell(label.row, col))
        if blank(value):
            continue
        return None if is_label(value) else Cell(label.row, col)
    return None


def scan_down(grid: Any, label: Cell, limit: int = 3) -> Cell | None:
    """The text below a goal label (within the label's merged columns)."""
    first = label.col
    last = grid.merged_to.get((label.row, label.col), (label.row, label.col))[1]
    for row in range(label.row + 1, label.row + 1 + limit):
        for col in range(first, last + 1):
            value = grid.value(Cell(row, col))
            if blank(value) or (isinstance(value, str) and _PERIOD.match(value.strip())):
                continue
            return None if is_label(value) else Cell(row, col)
    return None


def split_indicator_row(values: Iterable[tuple[int, Any]], level1: str | None) -> dict[str, Any]:
    """A declaration's indicator row by meaning, not by column.

    Exports of merged tables shift cells sideways (seed 002: ``产出指标`` one column
    right of the 一级 column, ``质量指标`` in it). The 一级/二级 words are recognised
    by the indicator frameworks; the remaining cells are 三级指标 then 指标值.
    """
    cells = [(col, v) for col, v in values if not blank(v) and normalise_label(v) != "绩效指标"]
    out: dict[str, Any] = {"level1": None, "level2": None, "cols": {}}
    current = level1
    if cells and _is_level1(cells[0][1], cells[1:], current):
        out["level1"], current = cells[0][1].strip(), cells[0][1].strip()
        out["cols"]["level1"] = cells.pop(0)[0]
    if cells and isinstance(cells[0][1], str) and cells[0][1].strip() in LEVEL2:
        out["level2"] = cells[0][1].strip()
        out["cols"]["level2"] = cells.pop(0)[0]
    for key, (col, value) in zip(("name", "target"), cells, strict=False):
        out[key] = value
        out["cols"][key] = col
    return out


def _is_level1(value: Any, rest: list[tuple[int, Any]], current: str | None) -> bool:
    text = value.strip() if isinstance(value, str) else ""
    if text not in LEVEL1:
        return False
    if text in LEVEL2 and current:
        # 成本指标: a 一级 (2021) unless it sits under the current 一级 as its 二级 (2015).
        following = rest[0][1].strip() if rest and isinstance(rest[0][1], str) else ""
        return following in LEVEL2 and following not in FRAMEWORKS["2015"].get(current, ())
    return True
