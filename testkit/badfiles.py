"""The bad-input catalogue: hostile and broken files, each with the finding it must give.

    python tests/fixtures/bad/build.py OUT_DIR     # build every case into OUT_DIR
    python -m testkit.badfiles OUT_DIR             # the same

Files are built from the example workbooks by editing their zip parts directly (no
xltools code involved), so what they contain is exactly what an attacker or an unlucky
clerk could send. Nothing large is committed: the million-row sheet and the bombs are
made in a fraction of a second each.

``CASES``: name → Case(build, rule, word, exit). ``rule`` is the finding the file gives
(None: the path is not an input at all), ``word`` a part of its message, ``exit`` the
code of ``xltools check FILE``.
"""

from __future__ import annotations

import os
import re
import shutil
import struct
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
DECLARATION = ROOT / "examples" / "申报表_信息系统维护经费.xlsx"
SELF_EVALUATION = ROOT / "examples" / "自评表_工作服专项经费.xlsx"
SHEET = "xl/worksheets/sheet1.xml"


@dataclass(frozen=True)
class Case:
    build: Callable[[Path], None]
    rule: str | None
    word: str
    exit: int


def rezip(source: Path, out: Path, edit: Callable[[str, bytes], bytes | None]) -> None:
    """Copy ``source`` part by part; ``edit(name, data)`` returns new bytes or None to drop."""
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = edit(info.filename, zin.read(info))
            if data is not None:
                zout.writestr(info.filename, data, zipfile.ZIP_DEFLATED)


def set_cell(ref: str, xml: str, source: Path = DECLARATION) -> Callable[[Path], None]:
    """A workbook whose cell ``ref`` (first sheet) is replaced by the raw ``xml``."""
    pattern = re.compile(rb'<c r="%s"[^>]*?(/>|>.*?</c>)' % ref.encode(), re.S)

    def build(out: Path) -> None:
        def edit(name: str, data: bytes) -> bytes:
            if name != SHEET:
                return data
            new, n = pattern.subn(xml.encode(), data, count=1)
            assert n == 1, f"{ref} not in {source.name}"
            return new

        rezip(source, out, edit)

    return build


def add_rows(rows: bytes | Callable[[], bytes]) -> Callable[[Path], None]:
    """The declaration with ``rows`` (sheetData XML) appended to its first sheet."""

    def build(out: Path) -> None:
        extra = rows() if callable(rows) else rows
        rezip(
            DECLARATION,
            out,
            lambda n, d: d.replace(b"</sheetData>", extra + b"</sheetData>") if n == SHEET else d,
        )

    return build


def _date_style(source: Path = DECLARATION) -> int:
    """Index of the first cell format with a date number format (yyyy-mm-dd)."""
    with zipfile.ZipFile(source) as zf:
        styles = zf.read("xl/styles.xml").decode()
    ids = {m[0] for m in re.findall(r'numFmtId="(\d+)" formatCode="(y[^"]*)"', styles)} | {"14"}
    xfs = re.search(r"<cellXfs[^>]*>(.*?)</cellXfs>", styles, re.S)
    assert xfs
    formats = re.findall(r'<xf [^>]*?numFmtId="(\d+)"', xfs.group(1))
    return next(i for i, n in enumerate(formats) if n in ids)


# -- files that are no workbook ------------------------------------------------------------


def text_file(out: Path) -> None:
    out.write_text("项目名称,年度资金申请总额\n信息系统维护经费,1200000\n", "utf-8")


def truncated(out: Path) -> None:
    data = DECLARATION.read_bytes()
    out.write_bytes(data[: len(data) // 2])


def corrupt(out: Path) -> None:
    """A complete zip whose sheet's deflate data were damaged."""
    data = bytearray(DECLARATION.read_bytes())
    with zipfile.ZipFile(DECLARATION) as zf:
        info = zf.getinfo(SHEET)
    name_len, extra_len = struct.unpack_from("<HH", data, info.header_offset + 26)
    start = info.header_offset + 30 + name_len + extra_len + info.compress_size // 3
    for offset in range(start, start + 4):
        data[offset] ^= 0xFF
    out.write_bytes(bytes(data))


def other_zip(out: Path) -> None:
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("说明.txt", "不是表格")


def empty(out: Path) -> None:
    out.write_bytes(b"")


def encrypted(out: Path) -> None:
    shutil.copyfile(FIXTURES / "encrypted.xlsx", out)


def no_form(out: Path) -> None:
    """A workbook with no form in it: a plain project list (a form without its title is
    still read by its labels, so the case holds no form labels either)."""
    import openpyxl

    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "清单"
    ws.append(["序号", "名称", "金额（元）"])
    ws.append([1, "办公设备采购", 12000])
    book.save(out)


def dropped_sheet(out: Path) -> None:
    rezip(DECLARATION, out, lambda n, d: None if n == SHEET else d)


# -- over a limit -------------------------------------------------------------------------------


def ratio_bomb(out: Path) -> None:
    """30 MB of shared-string padding in 30 KB: a compression ratio of about 1000:1."""
    pad = b" " * (30 << 20)
    rezip(
        DECLARATION,
        out,
        lambda n, d: (
            d.replace(b"</sst>", b"<!--" + pad + b"--></sst>") if n == "xl/sharedStrings.xml" else d
        ),
    )


def size_bomb(out: Path) -> None:
    """A sheet that is 70 MB of XML once decompressed."""
    add_rows(b"<!--" + b" " * (70 << 20) + b"-->")(out)


def million_rows() -> bytes:
    return b"".join(b'<row r="%d"><c r="A%d"><v>1</v></c></row>' % (i, i) for i in range(40, 10**6))


# -- special files -------------------------------------------------------------------------------


def fifo(out: Path) -> None:
    os.mkfifo(out)


def dangling(out: Path) -> None:
    out.symlink_to(out.parent / "已删除的文件.xlsx")


def loop(out: Path) -> None:
    other = out.with_name(f"{out.stem}_另一端.lnk")
    out.symlink_to(other.name)
    other.symlink_to(out.name)


def lock_file(out: Path) -> None:
    shutil.copyfile(DECLARATION, out)


MARKUP_UNIT = "[/x][link=https://example.com]长宁区[bold]医保中心"
FORMULA_NAME = '=HYPERLINK("https://example.com","点我")'

CASES: dict[str, Case] = {
    "文本文件.xlsx": Case(text_file, "R01", "不是 Excel/WPS 表格文件", 3),
    "下载一半.xlsx": Case(truncated, "R01", "损坏", 3),
    "内容损坏.xlsx": Case(corrupt, "R01", "损坏", 3),
    "压缩包.xlsx": Case(other_zip, "R01", "格式无法识别", 3),
    "空文件.xlsx": Case(empty, "R01", "0 字节", 3),
    "加密.xlsx": Case(encrypted, "R01", "密码", 3),
    "缺少工作表部件.xlsx": Case(dropped_sheet, "R01", "", 3),
    "没有表单.xlsx": Case(no_form, "R02", "没有找到申报表或自评表", 1),
    "单元格在XFD1048576.xlsx": Case(
        add_rows(b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'),
        "R20",
        "超过 100,000 行",
        3,
    ),
    "单元格在ZZ100000.xlsx": Case(
        add_rows(b'<row r="100000"><c r="ZZ100000"><v>1</v></c></row>'),
        "R20",
        "500,000 个单元格",
        3,
    ),
    "单元格在ALL1.xlsx": Case(
        add_rows(b'<row r="30"><c r="ALM30"><v>1</v></c></row>'), "R20", "超过 1,000 列", 3
    ),
    "一百万行.xlsx": Case(add_rows(million_rows), "R20", "超过 500,000 个单元格", 3),
    "压缩炸弹.xlsx": Case(ratio_bomb, "R20", "压缩炸弹", 3),
    "解压过大.xlsx": Case(size_bomb, "R20", "超过读取上限 64 MB", 3),
    "金额是日期.xlsx": Case(
        set_cell("E7", f'<c r="E7" s="{_date_style()}"><v>45658</v></c>'), "R04", "日期", 1
    ),
    "金额无穷大.xlsx": Case(set_cell("E7", '<c r="E7"><v>1e999</v></c>'), "R04", "无穷大", 1),
    "金额非数字.xlsx": Case(set_cell("E7", '<c r="E7"><v>NaN</v></c>'), "R04", "非数字", 1),
    "金额过大.xlsx": Case(set_cell("E7", '<c r="E7"><v>1e300</v></c>'), "R04", "数字过大", 1),
    # python-calamine (0.9) gives an error cell as "": it reads as blank, never as 0.
    "金额是错误值.xlsx": Case(
        set_cell("E7", '<c r="E7" t="e"><v>#DIV/0!</v></c>'), "D01", "年度资金申请总额", 1
    ),
    "金额是逻辑值.xlsx": Case(set_cell("E7", '<c r="E7" t="b"><v>1</v></c>'), "R04", "逻辑值", 1),
    "日期远超范围.xlsx": Case(
        set_cell("B6", f'<c r="B6" s="{_date_style()}"><v>-1e999</v></c>'), "R01", "无法读取", 3
    ),
    "单位名称含标记.xlsx": Case(
        set_cell("E5", f'<c r="E5" t="inlineStr"><is><t>{MARKUP_UNIT}</t></is></c>'), None, "", 0
    ),
    "项目名称像公式.xlsx": Case(
        set_cell(
            "B3",
            '<c r="B3" t="inlineStr"><is><t>'
            + FORMULA_NAME.replace('"', "&quot;")
            + "</t></is></c>",
        ),
        None,
        "",
        0,
    ),
    "项目名称过长.xlsx": Case(
        set_cell("B3", '<c r="B3" t="inlineStr"><is><t>' + "长" * 40_000 + "</t></is></c>"),
        "R22",
        "40,000 字",
        0,
    ),
    "管道.xlsx": Case(fifo, "R21", "管道", 3),
    "失效的快捷方式.xlsx": Case(dangling, "R21", "指向的文件不存在", 3),
    "循环的快捷方式.xlsx": Case(loop, "R21", "循环", 3),
    "~$申报表.xlsx": Case(lock_file, None, "not an input", 0),
    ".xltools-abc123.xlsx": Case(truncated, None, "not an input", 0),
}
SPECIAL = {"管道.xlsx", "失效的快捷方式.xlsx", "循环的快捷方式.xlsx"}  # POSIX file types
NOT_INPUTS = {name for name, case in CASES.items() if case.word == "not an input"}


def build(folder: Path, names: list[str] | None = None) -> list[Path]:
    """Build the named cases (default: all) into ``folder``; their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for name in names or list(CASES):
        path = folder / name
        CASES[name].build(path)
        out.append(path)
    return out


if __name__ == "__main__":
    for built in build(Path(sys.argv[1])):
        print(built)
