"""Every output printed on A4 by LibreOffice, page by page (issue 14).

The bundled examples are merged, checked and annotated the way the demo does it; the
consolidated workbook, an annotated copy and the templates are printed to PDF in one
LibreOffice start, and each page is read back with pdfplumber: which sheet it is (the
footer names it), its size, its text. What can be checked is: the page numbers and
totals of the footers, how many pages a sheet takes (a table wider than a page would
spill its last columns onto pages of their own), that the repeated key columns and
header rows are on every page, that no text is lost at a margin, and that each chart
has a page to itself.

LibreOffice on Linux has no 宋体; docs/fonts.conf gives it a font with the same widths
(ASCII half a CJK character), as Excel and WPS measure them.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import pdfplumber
import pytest
from test_roundtrip import Soffice, soffice  # noqa: F401  (the session's LibreOffice)

from xltools import api
from xltools.forms import layout_for
from xltools.model import DECLARATION, SELF_EVALUATION
from xltools.profiles import load_profile
from xltools.write.guide import guide_lines

ROOT = Path(__file__).resolve().parent.parent
FONTS = ROOT / "docs" / "fonts.conf"
A4_PORTRAIT, A4_LANDSCAPE = (595, 842), (842, 595)
FOOTER = re.compile(r"^(?P<sheet>\S*)\s*第\s*(?P<n>\d+)\s*页，共\s*(?P<of>\d+)\s*页")


class Printed:
    """A PDF's pages: size, the sheet the footer names, and the text without spaces."""

    def __init__(self, pdf: Path) -> None:
        self.pdf = pdf
        self.pages: list[tuple[tuple[int, int], str, str]] = []
        with pdfplumber.open(pdf) as doc:
            total = len(doc.pages)
            for i, page in enumerate(doc.pages, start=1):
                text = page.extract_text() or ""
                footers = [m for line in text.splitlines() if (m := FOOTER.match(line.strip()))]
                assert footers, f"{pdf.name} page {i} has no 第 N 页，共 M 页 footer"
                footer = footers[-1]
                # Pages are counted over the whole print, like Excel and WPS count them.
                assert (int(footer["n"]), int(footer["of"])) == (i, total), (pdf.name, i)
                size = (round(page.width), round(page.height))
                self.pages.append((size, footer["sheet"], _squeeze(text)))

    def of(self, sheet: str) -> list[tuple[tuple[int, int], str]]:
        return [(size, text) for size, name, text in self.pages if name == sheet]

    def sheets(self) -> dict[str, int]:
        out: dict[str, int] = defaultdict(int)
        for _, name, _ in self.pages:
            out[name] += 1
        return dict(out)

    def column(self, sheet: str, header: str) -> list[str]:
        """Per page of ``sheet``, the text of the table column headed ``header`` (found by
        its first three characters, or two where the header wraps sooner, and the borders)."""
        out = []
        with pdfplumber.open(self.pdf) as doc:
            for page, (_, name, _) in zip(doc.pages, self.pages, strict=True):
                if name != sheet:
                    continue
                hits = page.search(header[:3]) or page.search(header[:2])
                if not hits:  # not on this page: the column printed on another
                    out.append("")
                    continue
                hit = min(hits, key=lambda h: h["top"])
                edges = sorted({round(e["x0"], 1) for e in page.edges if e["orientation"] == "v"})
                left = max(x for x in edges if x <= hit["x0"] + 0.5)
                right = min(x for x in edges if x >= hit["x1"] - 0.5)
                box = (left, hit["top"] - 2, right, page.height - 30)
                out.append(_squeeze(page.crop(box).extract_text() or ""))
        return out


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def printed(soffice: Soffice, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Printed]:  # noqa: F811
    tmp = tmp_path_factory.mktemp("print")
    returned = sorted(p for p in api.examples_dir().iterdir() if p.suffix == ".xlsx")
    merged = tmp / "汇总.xlsx"
    api.merge(returned, merged)
    report = api.check(returned)
    copies = api.annotate(report, tmp / "退回修改")
    [with_errors] = [
        c for c in copies if c.name == "自评表_公共服务窗口运行经费（示例：含错误）.xlsx"
    ]
    templates = [ROOT / "templates" / "申报表.xlsx", ROOT / "templates" / "自评表.xlsx"]
    pytest.MonkeyPatch().setenv("FONTCONFIG_FILE", str(FONTS))
    pdfs = soffice.convert([merged, with_errors, *templates], "pdf", tmp / "pdf")
    findings = [f for fr in report.files if fr.file.endswith(with_errors.name) for f in fr.findings]
    assert findings  # the precondition: the copy lists findings
    out = dict(zip(("merged", "copy", "申报表", "自评表"), map(Printed, pdfs), strict=True))
    out["copy"].findings = findings  # type: ignore[attr-defined]
    return out


@pytest.mark.libreoffice
def test_project_summary_prints_on_two_landscape_pages_with_the_key_columns_on_both(
    printed: dict[str, Printed],
) -> None:
    """Three 申报表 and six 自评表: the amounts on one page, the counts and the source
    files on another, 序号 … 项目名称 and the header on both; nothing spills further."""
    for sheet, projects in (("项目汇总（2025申报表）", 3), ("项目汇总（2022自评表）", 6)):
        pages = printed["merged"].of(sheet)
        assert len(pages) == 2, sheet
        for size, text in pages:
            assert size == A4_LANDSCAPE
            assert "上海市长宁区医疗保险事务中心2022—2025年度项目绩效目标与自评汇总表" in text
            for header in ("序号", "主管部门", "实施单位", "项目名称", "合计", "按实施单位小计"):
                assert header in text, (sheet, header)
        headers = printed["merged"].column
        money = ("年度资金申请总额", "其他资金") if "申报" in sheet else ("全年执行数", "评分等级")
        for header in money:  # on the first page only
            assert [header in text for text in headers(sheet, header)] == [True, False], header
        for header in ("满意度指标数", "警告", "来源文件"):  # on the second page only
            assert [header in text for text in headers(sheet, header)] == [False, True], header
        files = headers(sheet, "来源文件")[1]
        assert files.count(".xlsx") == projects  # each source file's name, wrapped, not cut
    decl = printed["merged"].of("项目汇总（2025申报表）")[0][1]
    assert "29,620,000.00" in decl and "30,540,000.00" in decl  # a project and the 合计


@pytest.mark.libreoffice
def test_charts_print_one_to_a_page_with_formatted_axes(printed: dict[str, Printed]) -> None:
    pages = printed["merged"].of("图表")
    assert len(pages) == 3  # 年度资金 (申报表); 评分等级 and 执行率 (自评表)
    assert all(size == A4_PORTRAIT for size, _ in pages)
    (_, funds), (_, grades), (_, rates) = pages
    assert "各实施单位年度资金申请总额" in funds and "10,000,000" in funds  # thousands
    assert "5000000" not in funds
    assert "评分等级分布" in grades and all(g in grades for g in "优良中差")
    assert "各项目执行率" in rates
    assert all(f"{p}%" in rates for p in (0, 20, 60, 100, 120))  # a percent axis to 120 %
    assert "85.5%" in rates  # the labels, as percent too


@pytest.mark.libreoffice
def test_list_sheets_fit_the_page_width(printed: dict[str, Printed]) -> None:
    """校验结果 and 来源: landscape, every column on every page (none spills over)."""
    merged = printed["merged"]
    for sheet, first, last in (("校验结果", "严重程度", "应为"), ("来源", "文件", "原因")):
        pages = merged.of(sheet)
        assert pages, sheet
        assert all(size == A4_LANDSCAPE for size, _ in pages)
        for header in (first, last):  # the first and the last column, on every page
            assert all(header in text for text in merged.column(sheet, header)), header
    notes = "".join(merged.column("校验结果", "说明"))
    assert "计划开始日期（2025-12-31）晚于计划完成日期（2025-01-01）" in notes  # wrapped, whole


@pytest.mark.libreoffice
def test_indicator_details_and_forms_print_across_one_page(printed: dict[str, Printed]) -> None:
    sheets = printed["merged"].sheets()
    for sheet in ("指标明细（2025申报表）", "指标明细（2022自评表）"):
        for size, text in printed["merged"].of(sheet):
            assert size == A4_LANDSCAPE
            assert "三级指标" in text and "行" in text  # header repeated, last column there
    # 汇总表: one portrait page per form (3 申报表, 6 自评表).
    assert sheets["汇总表（2025申报表）"] == 3 and sheets["汇总表（2022自评表）"] == 6
    for size, _ in printed["merged"].of("汇总表（2022自评表）"):
        assert size == A4_PORTRAIT


@pytest.mark.libreoffice
def test_annotated_copy_lists_every_finding_on_a_titled_page(printed: dict[str, Printed]) -> None:
    copy = printed["copy"]
    pages = copy.of("校验结果")
    assert len(pages) == 1
    [(size, text)] = pages
    assert size == A4_LANDSCAPE
    assert "xltools校验结果" in text
    assert "文件：自评表_公共服务窗口运行经费（示例：含错误）.xlsx" in text
    assert "校验日期：" in text and "应为" in text
    [notes] = copy.column("校验结果", "说明")
    [places] = copy.column("校验结果", "位置")
    for f in copy.findings:  # type: ignore[attr-defined]
        # Each 说明 in full: wrapped inside its column, none cut at the margin.
        assert _squeeze(f.message) in notes, f.message
        assert f.location in places


@pytest.mark.libreoffice
@pytest.mark.parametrize("name", ["申报表", "自评表"])
def test_templates_print_the_form_and_its_guide_uncut(
    printed: dict[str, Printed], name: str
) -> None:
    doc = printed[name]
    assert [size for size, _, _ in doc.pages] == [A4_PORTRAIT, A4_PORTRAIT]
    guide = doc.of("填表说明")
    assert len(guide) == 1
    text = guide[0][1]
    layout = layout_for(DECLARATION, 2026) if name == "申报表" else layout_for(SELF_EVALUATION)
    for _, line in guide_lines(layout, load_profile(None)):
        assert _squeeze(line) in text, line  # no line cut at the right margin
