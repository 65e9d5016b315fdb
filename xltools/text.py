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


def normalise_label(text: object) -> str:
    """A label as the reader compares it: NFKC, no whitespace, no colons."""
    if text is None:
        return ""
    return _normalise(str(text))


@functools.lru_cache(maxsize=65536)
def _normalise(text: str) -> str:
    # Cached: the same labels recur in every file of a run.
    return _SPACES.sub("", unicodedata.normalize("NFKC", text)).translate(_LABEL_PUNCT)


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
