"""Normalising what people type into cells: labels, numbers, dates.

Real returned forms mix full-width and half-width characters (``项目资金（元）`` vs
``项目资金 (元)``, ``其中:当年财政拨款``), thousands separators (``29,620,000.00``)
and every date spelling a clerk can think of. Everything here is pure and small.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from dataclasses import dataclass

_SPACES = re.compile(r"\s+")
_LABEL_PUNCT = str.maketrans("", "", ":：")
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Only escapes of control characters: "_x0041_" typed by a user is text, not an "A".
_XML_ESCAPE = re.compile(r"_x(00[01][0-9A-Fa-f]|007[Ff])_")


# A trailing bracket that qualifies a label without changing what it names: a period
# （2023年-2023年）, a year (2023年度), a unit (万元) (%), points (50分), a column letter (A)
# (B/A), or the stamp note （盖章）.
_QUALIFIER = re.compile(
    r"(?<=.)\((?:\d{4}年?度?(?:[-—–~至到]\d{4}年?度?)?|万?元|%|百分比|[\d.]+分|"
    r"[A-Za-z](?:/[A-Za-z])?|盖章)\)$"
)


def normalise_label(text: object) -> str:
    """A label as the reader compares it: NFKC, no whitespace, no colons, no qualifier.

    ``年度总目标（2023年 - 2023年）``, ``实施单位（盖章）``, ``分值(10分)`` and
    ``执行率(B/A)`` all compare as their bare label.
    """
    if text is None:
        return ""
    return _normalise(str(text))


@functools.lru_cache(maxsize=65536)
def _normalise(text: str) -> str:
    # Cached: the same labels recur in every file of a run.
    bare = _SPACES.sub("", unicodedata.normalize("NFKC", text)).translate(_LABEL_PUNCT)
    if bare.endswith(")"):
        bare = _QUALIFIER.sub("", bare)
    return bare


_POINTS = re.compile(r"^(?P<name>.+?)\((?P<points>\d+(?:\.\d+)?)分\)$")


def split_points(text: object) -> tuple[str, float | None]:
    """``产出指标(50分)`` → ("产出指标", 50.0); a heading without points → (text, None)."""
    bare = _SPACES.sub("", unicodedata.normalize("NFKC", str(text or "")))
    m = _POINTS.match(bare)
    return (m.group("name"), float(m.group("points"))) if m else (bare, None)


_CJK = r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]"
_BREAKS = re.compile(r"\s*[\r\n]+\s*")
_CJK_GAP = re.compile(rf"(?<={_CJK})[ \t\u3000]+(?={_CJK})")


def clean_name(value: object) -> str | None:
    """A name as stored: line breaks (the wrap of a narrow cell) and spaces between
    Chinese characters removed — ``服务对象满意度\n指标`` → ``服务对象满意度指标``."""
    text = clean_text(value)
    if text is None or not (
        ("\n" in text) or ("\r" in text) or (" " in text) or ("\u3000" in text)
    ):
        return text
    return _CJK_GAP.sub("", _BREAKS.sub("", text)).strip() or None


def clean_text(value: object) -> str | None:
    """User text as stored in a record: stripped, control characters removed; blank → None.

    Control characters come back from xlsx files as ``_x0008_`` escapes (an
    openpyxl/xlsxwriter round trip of ``\\x08``), so both spellings are removed.
    """
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value)
    # Most cells hold neither an escape nor a control character (both are unprintable
    # or contain "_x"): skip the two regex passes for them.
    if "_x" in text or not text.isprintable():
        text = _XML_ESCAPE.sub(lambda m: _strip_control(chr(int(m.group(1), 16))), text)
        text = _strip_control(text)
    return text.strip() or None


def _strip_control(text: str) -> str:
    return _CONTROL.sub("", text)


@dataclass(frozen=True)
class Parsed:
    """A normalised cell value and how it was obtained."""

    value: object
    ok: bool = True  # False: the cell holds something that is not of the expected type
    coerced: bool = False  # True: text was turned into a number/date (rule R06)


BLANK = Parsed(None)
_NUMBER = re.compile(r"^[+-]?(\d{1,3}(,\d{3})+|\d+)?(\.\d+)?$")


def parse_number(value: object) -> Parsed:
    """``23,860,000`` / ``２９６２００００.００`` / 1.5 → float; ``2000万`` is not a number."""
    if value is None or value == "":
        return BLANK
    if isinstance(value, bool):
        return Parsed(value, ok=False)
    if isinstance(value, int | float):
        return Parsed(float(value))
    text = _SPACES.sub("", unicodedata.normalize("NFKC", str(value)))
    if text in ("", "-", "—", "–", "/"):
        return BLANK
    if not text or not _NUMBER.match(text) or text in ("+", "-", "."):
        return Parsed(str(value).strip(), ok=False)
    return Parsed(float(text.replace(",", "")), coerced=True)


_DATE_PATTERNS = (
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)


def parse_date(value: object) -> Parsed:
    """Dates to ISO: ``2025-01-01``, ``2025/1/1``, ``2025年1月1日``, Excel serials, datetimes."""
    if value is None or value == "":
        return BLANK
    if isinstance(value, dt.datetime):
        return Parsed(value.date().isoformat())
    if isinstance(value, dt.date):
        return Parsed(value.isoformat())
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 1 <= value < 2958466:  # Excel's valid serial range
            return Parsed((_EXCEL_EPOCH + dt.timedelta(days=int(value))).isoformat(), coerced=True)
        return Parsed(str(value), ok=False)
    text = _SPACES.sub("", unicodedata.normalize("NFKC", str(value)))
    text = re.sub(r"[T ]?00:00(:00)?$", "", text)
    for pattern in _DATE_PATTERNS:
        if m := pattern.match(text):
            try:
                return Parsed(dt.date(*map(int, m.groups())).isoformat(), coerced=True)
            except ValueError:
                break
    return Parsed(str(value).strip(), ok=False)


_MONTH = r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*(?:[-/.月]\s*(\d{1,2})\s*日?|月)?"
_PERIOD = re.compile(rf"^{_MONTH}\s*[-—–~至到]\s*{_MONTH}$")


def parse_period(value: object) -> tuple[str, str] | None:
    """ "2023.07-2024.01" → ("2023-07-01", "2024-01-31"): a month means all of it."""
    m = _PERIOD.match(unicodedata.normalize("NFKC", str(value or "")).strip())
    if not m:
        return None
    y1, m1, d1, y2, m2, d2 = (int(g) if g else None for g in m.groups())
    try:
        start = dt.date(y1, m1, d1 or 1)  # type: ignore[arg-type]
        if d2:
            end = dt.date(y2, m2, d2)  # type: ignore[arg-type]
        else:
            first_next = dt.date(y2 + (m2 == 12), m2 % 12 + 1, 1)  # type: ignore[operator]
            end = first_next - dt.timedelta(days=1)
    except (ValueError, TypeError):
        return None
    return start.isoformat(), end.isoformat()


def parse_rate(value: object, fraction: bool) -> Parsed:
    """An execution rate as a percentage: ``85.47%``/``85.47`` → 85.47.

    ``fraction`` says the cell stores a fraction under a percent format (our
    templates do: 0.8547 shows as 85.47%).
    """
    if isinstance(value, str) and value.strip().endswith(("%", "％")):
        parsed = parse_number(value.strip()[:-1])
        return Parsed(parsed.value, parsed.ok, True) if parsed.ok else Parsed(value, ok=False)
    parsed = parse_number(value)
    if not parsed.ok or parsed.value is None:
        return parsed
    number = float(parsed.value)  # type: ignore[arg-type]
    # A clerk may type 85.47 over the template's fraction cell: no execution rate is 1000 %.
    if fraction and abs(number) < 10:
        number = round(number * 100, 10)
    return Parsed(number, coerced=parsed.coerced)


def year_of(text: object) -> int | None:
    """The year of a title line such as ``（2025年度）`` or ``(2025 年度)``."""
    m = re.search(r"(\d{4})\s*年", unicodedata.normalize("NFKC", str(text or "")))
    return int(m.group(1)) if m else None
