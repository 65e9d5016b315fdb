"""Every value a cell can hold, made safe for a record, a finding and JSON.

python-calamine gives str, int, float (``inf`` and ``nan`` included: ``1e999`` typed as
text in an .ods or written by a script), bool, ``datetime``/``date``/``time``/``timedelta``
and the error texts (``#DIV/0!``). A record keeps only finite numbers a clerk could mean;
a finding's value is always plain JSON (a date in an amount cell once ended
``check --format json`` with exit 4 and no output).
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from xltools.catalogue import message

# Larger than any budget in 元 (a quadrillion): beyond this, a sum or a rate overflows or
# loses its cents; it is a slip (1e300, a pasted serial), never an amount.
MAX_NUMBER = 1e15
# Excel's limit for one cell; a longer text (only a script or a hostile file writes one)
# could not be written back into a 自评表 or the 汇总 workbook.
MAX_TEXT = 32_767


def plain(value: Any) -> Any:
    """``value`` as JSON holds it: dates as ISO text, non-finite numbers as text."""
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return str(value)
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


SHOWN = 200  # characters of a cell's text quoted in a message


def shown(value: Any) -> str:
    """How a cell's value is named in a message: 2025-01-01（日期）, TRUE（逻辑值）."""
    if isinstance(value, str) and len(value) > SHOWN:
        return value[:SHOWN] + "…"
    if isinstance(value, bool):
        return f"{'TRUE' if value else 'FALSE'}（逻辑值）"
    if isinstance(value, dt.datetime | dt.date):
        return f"{plain(value)}（日期）"
    if isinstance(value, dt.time | dt.timedelta):
        return f"{plain(value)}（时间）"
    return str(plain(value))


def number_problem(number: float) -> str | None:
    """Why a parsed number cannot be used as an amount, weight, score or rate."""
    if not math.isfinite(number):
        return message("R04", "not_finite")
    if abs(number) > MAX_NUMBER:
        return message("R04", "too_large", most=MAX_NUMBER)
    return None


def is_number(value: Any) -> bool:
    """A numeric cell (bools excluded): a formula's cached result where text belongs."""
    return isinstance(value, int | float) and not isinstance(value, bool)
