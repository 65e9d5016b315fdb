"""退回修改通知: one Word document per 实施单位 listing what to fix in each of its files.

Written with python-docx, laid out for A4 as a Chinese office prints a notice: title in
宋体, body in 仿宋 (the East-Asian font is set through ``w:eastAsia``, or Word falls
back to a Latin font), a table per file that repeats its header row on every page,
"第 N 页，共 M 页" in the footer and a line for the clerk's signature.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from xltools.catalogue import ERROR, INFO, RULES, SEVERITY_ORDER, WARNING
from xltools.check.checker import FileReport
from xltools.findings import Finding
from xltools.model import KIND_NAMES

UNKNOWN_UNIT = "（未知单位）"  # check.FileReport.unit of a file with no readable form
TITLE_FONT, BODY_FONT = "宋体", "仿宋"
# Text width 15.6 cm (A4 minus margins of 2.8 and 2.6 cm, as GB/T 9704 sets them).
COLUMNS = (("序号", 1.3), ("位置", 2.6), ("类别", 1.2), ("问题及修改要求", 6.1))
COLUMNS += (("表中内容", 2.2), ("应为", 2.2))
CHINESE_NUMERALS = "一二三四五六七八九十"

# What the unit should do, for the rules a clerk meets most; other rules fall back to
# their catalogue text ("应符合：…").
FIX_HINTS = {
    "R01": "请重新保存为 .xlsx 文件（去掉打开密码）后再报送。",
    "R02": "请使用下发的申报表或自评表模板填写，不要删除表头。",
    "R03": "请恢复模板中的这一项（标签和填写位置），不要删除或改写标签。",
    "R04": "请只填写数字，单位写在标签中（如“2000万”改为 20000000 或注明万元）。",
    "R05": "请在 Excel 或 WPS 中打开文件、保存后再报送。",
    "R06": "可不修改；建议直接填写数字，不要用文本格式或全角数字。",
    "R07": "请在项目资金标签中注明金额单位（元或万元）。",
    "D01": "请填写此必填项。",
    "D02": "建议填写此项。",
    "D03": "请按 2025-01-01 的格式填写日期，并确认开始日期不晚于完成日期。",
    "D04": "请核实计划日期是否在申报年度内。",
    "D05": "请填写不小于 0 的金额。",
    "D06": "请核对年度资金申请总额与当年财政拨款、上年结转资金、其他资金之和。",
    "D07": "请核对项目资金总额与财政资金、其他资金之和。",
    "D08": "请核实年度资金申请总额是否超过项目资金总额。",
    "D09": "请核对左右两栏的“其他资金”。",
    "D10": "请从下拉列表中选择一级指标、二级指标。",
    "D11": "请填写三级指标和指标目标值。",
    "D12": "请按“运算符 + 数值 + 单位”填写指标值，如 ≥95%、≥10000人。",
    "D13": "请补充缺少的一级指标。",
    "S01": "请填写此必填项。",
    "S02": "请按 全年执行数 ÷ 全年预算数 重新计算执行率（或恢复模板公式）。",
    "S03": "请按 min(执行率, 100%) × 分值 重新计算执行率得分（或恢复模板公式）。",
    "S04": "请核对年度资金总额与各项资金之和。",
    "S05": "请核实全年执行数与全年预算数。",
    "S06": "请调整分值，使各指标分值与预算执行率分值之和为 100。",
    "S08": "请把得分改为 0 到分值之间的数。",
    "S09": "请填写偏差原因分析及改进措施。",
    "S10": "请核实得分，或说明为何与按完成比例计算的得分不同。",
    "S11": "请说明实际值远超目标值的原因。",
    "S12": "请按完成情况的档次调整得分。",
    "S13": "请按 执行率得分 + 各指标得分之和 重新计算总分（或恢复模板公式）。",
    "S14": "请按总分重新选择评分等级。",
    "S15": "请填写年度总体目标的预期目标和实际完成情况。",
    "S16": "请从下拉列表中选择一级、二级指标，并填写三级指标和年度指标值。",
    "X01": "请按批复的申报表填写年度指标值。",
    "X02": "请补充申报表中的这一绩效指标。",
    "X04": "请按申报表核对年初预算数。",
}


@dataclass(frozen=True)
class UnitNotice:
    """The files of one 实施单位 that need changes, and the clean ones."""

    unit: str
    files: list[FileReport]  # with errors or warnings, errors first
    clean: list[FileReport]  # nothing to change

    @property
    def filename(self) -> str:
        return f"退回修改通知_{'未识别单位' if self.unit == UNKNOWN_UNIT else self.unit}"


def needs_notice(fr: FileReport) -> bool:
    return any(f.severity in (ERROR, WARNING) for f in fr.findings)


def group_by_unit(files: Iterable[FileReport]) -> list[UnitNotice]:
    """One notice per unit with something to change; units in name order, unknown last."""
    units: dict[str, list[FileReport]] = {}
    for fr in files:
        units.setdefault(fr.unit, []).append(fr)
    notices = []
    for unit in sorted(units, key=lambda u: (u == UNKNOWN_UNIT, u)):
        todo = [fr for fr in units[unit] if needs_notice(fr)]
        if todo:
            todo.sort(key=lambda fr: (-fr.count(ERROR), -fr.count(WARNING), Path(fr.file).name))
            clean = [fr for fr in units[unit] if not needs_notice(fr)]
            notices.append(UnitNotice(unit, todo, clean))
    return notices


def ordered(findings: list[Finding]) -> list[Finding]:
    """Errors first, then warnings, then hints; the report's cell order within each."""
    return sorted(findings, key=lambda f: SEVERITY_ORDER.get(f.severity, 9))


def where(f: Finding) -> str:
    """``自评表!H13``, ``自评表 第14行`` for a whole row, or 整个文件."""
    if f.sheet and f.cell:
        return f"{f.sheet} 第{f.cell}行" if f.cell.isdigit() else f"{f.sheet}!{f.cell}"
    return f.sheet or "整个文件"


def shown(value: Any, blank: str = "") -> str:
    if value is None or value == "":
        return blank
    if isinstance(value, float):
        return f"{value:,.15g}"
    return str(value)


def advice(f: Finding) -> str:
    return FIX_HINTS.get(f.rule) or f"应符合：{RULES[f.rule].title}。"


def chinese_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


# -- the document ---------------------------------------------------------------------------


def write_notice(notice: UnitNotice, out: Path, day: dt.date) -> Path:
    """The notice for one unit, saved at ``out`` (the caller makes it atomic)."""
    doc = Document()
    _page_setup(doc)
    _fonts(doc)
    _title(doc, notice, day)
    _opening(doc, notice)
    for i, fr in enumerate(notice.files):
        _file_section(doc, i, fr)
    if notice.clean:
        names = "、".join(Path(fr.file).name for fr in notice.clean)
        _para(doc, f"以下文件未发现需要修改的问题，无需重新报送：{names}。", indent=True, before=12)
    _closing(doc)
    doc.save(str(out))
    return out


def _page_setup(doc: Any) -> None:
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(3.0), Cm(2.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    section.footer_distance = Cm(1.5)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.add_run("第 ")
    _field(footer, "PAGE")
    footer.add_run(" 页，共 ")
    _field(footer, "NUMPAGES")
    footer.add_run(" 页")
    for run in footer.runs:
        _font(run, TITLE_FONT, 10.5)


def _field(paragraph: Any, code: str) -> None:
    """A Word field (PAGE, NUMPAGES) that every word processor fills in when printing."""
    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, code), ("separate", None), (None, "1")):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        else:
            el = OxmlElement("w:instrText" if text == code else "w:t")
            el.set(qn("xml:space"), "preserve")
            el.text = f" {code} " if text == code else text
        run._r.append(el)
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    run._r.append(end)


def _fonts(doc: Any) -> None:
    normal = doc.styles["Normal"]
    normal.font.name = BODY_FONT
    normal.font.size = Pt(14)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.line_spacing = 1.25


def _font(run: Any, name: str, size: float, bold: bool = False) -> None:
    run.font.name, run.font.size, run.font.bold = name, Pt(size), bold
    run._r.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)


def _para(
    doc: Any,
    text: str,
    *,
    font: str = BODY_FONT,
    size: float = 14,
    bold: bool = False,
    align: Any = None,
    indent: bool = False,
    before: float = 0,
) -> Any:
    p = doc.add_paragraph()
    if align is not None:
        p.alignment = align
    if indent:
        p.paragraph_format.first_line_indent = Pt(size * 2)  # two characters, as in 公文
    p.paragraph_format.space_before = Pt(before)
    _font(p.add_run(text), font, size, bold)
    return p


def _title(doc: Any, notice: UnitNotice, day: dt.date) -> None:
    _para(doc, "退回修改通知", font=TITLE_FONT, size=22, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    _para(doc, chinese_date(day), size=14, align=WD_ALIGN_PARAGRAPH.CENTER, before=6)
    addressee = "报送单位" if notice.unit == UNKNOWN_UNIT else notice.unit
    _para(doc, f"{addressee}：", size=16, before=18)


def _opening(doc: Any, notice: UnitNotice) -> None:
    errors = sum(fr.count(ERROR) for fr in notice.files)
    warnings = sum(fr.count(WARNING) for fr in notice.files)
    total = len(notice.files) + len(notice.clean)
    counts = f"错误 {errors} 处（必须修改）" if errors else ""
    if warnings:
        counts += ("、" if counts else "") + f"警告 {warnings} 处（请核实，确有问题的请修改）"
    text = (
        f"经审核，贵单位报送的 {total} 个文件中有 {len(notice.files)} 个需要修改，共有{counts}。"
        "请按下列各表逐项修改（位置即工作表和单元格，如“自评表!H13”），修改后重新报送。"
    )
    if notice.unit == UNKNOWN_UNIT:
        text = (
            f"经审核，以下 {len(notice.files)} 个文件无法识别报送单位（文件无法打开或不是规定的表样），"
            "请按说明处理后重新报送。"
        )
    _para(doc, text, size=16, indent=True, before=6)


def _file_section(doc: Any, index: int, fr: FileReport) -> None:
    numeral = CHINESE_NUMERALS[index] if index < len(CHINESE_NUMERALS) else str(index + 1)
    heading = _para(doc, f"{numeral}、{Path(fr.file).name}", font=TITLE_FONT, size=14, bold=True)
    heading.paragraph_format.space_before = Pt(12)
    heading.paragraph_format.keep_with_next = True
    projects = "；".join(
        f"{KIND_NAMES[r.kind]}（{r.year or '年度未填'}年度）{r.project_name or '（未填项目名称）'}"
        for r in fr.records
    )
    counts = "，".join(f"{s} {fr.count(s)} 处" for s in (ERROR, WARNING, INFO) if fr.count(s))
    hints = "（提示仅供参考，不要求修改，未列入下表）" if fr.count(INFO) else ""
    line = _para(doc, f"{projects or '未读到表单'}。{counts}{hints}。", size=12)
    line.paragraph_format.keep_with_next = True
    # The notice asks for changes: errors and warnings. Hints (R06 text read as a number,
    # D16 a target that could be more precise) stay in the annotated copy.
    to_change = [f for f in fr.findings if f.severity != INFO]
    _findings_table(doc, ordered(to_change), several=len(fr.records) > 1)


def _findings_table(doc: Any, findings: list[Finding], several: bool) -> None:
    table = doc.add_table(rows=1, cols=len(COLUMNS))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    header = table.rows[0]
    _repeat_header(header)
    for cell, (name, _) in zip(header.cells, COLUMNS, strict=True):
        _cell_text(cell, name, bold=True, center=True)
    for i, f in enumerate(findings, start=1):
        row = table.add_row()
        _keep_row_together(row)
        problem = f"［{f.project}］{f.message}" if several and f.project else f.message
        values = (
            str(i),
            where(f),
            f.severity,
            problem,
            shown(f.value, "（空白）" if f.expected is not None else ""),
            shown(f.expected),
        )
        for col, (cell, text) in enumerate(zip(row.cells, values, strict=True)):
            _cell_text(cell, text, bold=col == 2 and f.severity == ERROR, center=col in (0, 2))
        cell = row.cells[3]
        hint = cell.add_paragraph()
        _font(hint.add_run(f"修改：{advice(f)}"), TITLE_FONT, 10)
    # Word reads the cell widths, LibreOffice the grid columns: set both.
    for column, (_, width) in zip(table.columns, COLUMNS, strict=True):
        column.width = Cm(width)
    for row in table.rows:
        for cell, (_, width) in zip(row.cells, COLUMNS, strict=True):
            cell.width = Cm(width)


def _cell_text(cell: Any, text: str, *, bold: bool = False, center: bool = False) -> None:
    p = cell.paragraphs[0]
    p.paragraph_format.line_spacing = 1.0
    if center:
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(p.add_run(text), TITLE_FONT, 10.5, bold)


def _repeat_header(row: Any) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    tr_pr.append(el)


def _keep_row_together(row: Any) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:cantSplit")
    el.set(qn("w:val"), "true")
    tr_pr.append(el)


def _closing(doc: Any) -> None:
    _para(doc, "如有疑问，请与经办人联系。", size=14, indent=True, before=12)
    sign = _para(
        doc,
        "经办人（签字）：______________      日期：______年____月____日",
        size=14,
        before=30,
        align=WD_ALIGN_PARAGRAPH.RIGHT,
    )
    sign.paragraph_format.keep_together = True
