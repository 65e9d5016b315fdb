"""Printing on A4: how wide a page is in column units, how tall a wrapped row must be.

Excel, WPS and LibreOffice size neither rows for wrapped text (xlsxwriter writes no
autofit) nor columns for a page: the writers measure the text themselves, with the
rule Excel's width unit follows for a CJK font (a CJK character is two units wide).
"""

from __future__ import annotations

import math
import re

from xlsxwriter.worksheet import Worksheet

A4 = 9
MARGIN = 0.4  # inches, left and right: room for the binding holes, more room for columns
_PAGE = {"landscape": 11.69, "portrait": 8.27}  # A4 in inches
LINE = 14  # points a line of 10-point CJK text needs (宋体 in Excel, Noto Sans CJK in LibreOffice)
_NARROW = re.compile("[\x00-\u2e7f]+")  # characters one column unit wide


def display_width(text: str) -> int:
    """Columns a text needs: CJK characters count two, like Excel's column width unit."""
    if text.isascii():
        return len(text)
    return 2 * len(text) - len("".join(_NARROW.findall(text)))


def printable(orientation: str) -> float:
    """Column units that fit across an A4 page at 100 % (a unit is 7 pixels, 96 to an inch)."""
    return (_PAGE[orientation] - 2 * MARGIN) * 96 / 7 - 2  # less a little for the gridlines


def columns_width(widths: list[float] | tuple[float, ...]) -> float:
    """The printed width of columns in units: Excel adds 5 pixels of padding to each."""
    return sum(w + 5 / 7 for w in widths)


def lines(text: str, width: float) -> int:
    """Lines a text wraps to in a column ``width`` units wide (its own line breaks count)."""
    room = max(width - 1, 1)  # a unit of cell padding
    return sum(max(1, math.ceil(display_width(part) / room)) for part in str(text).split("\n"))


def height(n: int, minimum: float = 18) -> float:
    """Points for a row of ``n`` lines of 10-point text."""
    return max(minimum, LINE * n + 4)


def scale_to_fit(width: float, orientation: str) -> int:
    """The print scale (percent) at which ``width`` units fit across the page; at most 100."""
    return max(10, min(100, math.floor(100 * printable(orientation) / width)))


def footer_text(text: str) -> str:
    """Text for a header or footer: ``&`` starts a code there, so a literal one is doubled."""
    return text.replace("&", "&&")


def a4(ws: Worksheet, orientation: str, title: str | None = None) -> None:
    """A4, the orientation, narrow side margins, centred, and the page footer every output
    shares: the sheet name left, "第 N 页，共 M 页" in the middle, the print date right.

    Pages are counted over the whole print: Excel, WPS and LibreOffice all number the
    pages of a workbook printed whole one after the other, so "共 M 页" is the workbook's.
    """
    ws.set_paper(A4)
    if orientation == "landscape":
        ws.set_landscape()
    else:
        ws.set_portrait()
    ws.set_margins(left=MARGIN, right=MARGIN, top=0.6, bottom=0.6)
    ws.center_horizontally()
    if title:
        ws.set_header(f"&C&10{footer_text(title)}"[:255])
    ws.set_footer("&L&A&C第 &P 页，共 &N 页&R&D")
