"""Exit codes: the one place that maps what a verb returned to the process's exit code.

Every result the API returns (a check :class:`~xltools.check.checker.Report`, a merge plan, the
results of read, prefill or fix) says two things about itself: which inputs could not
be read (``unreadable``) and whether it found what a clerk must act on
(``failed(strict)``). :func:`exit_code` turns that into the code scripts test:

====  ==========================================================================
0     done, nothing to act on
1     findings to act on (errors; with ``--strict`` warnings too), projects left out
2     the command was used wrongly (a :class:`~xltools.errors.UserError`)
3     some input could not be opened at all (the rest was still done)
4     an internal error (a bug: please report it)
130   interrupted (Ctrl+C)
====  ==========================================================================
"""

from __future__ import annotations

from collections.abc import Sized
from typing import Protocol

OK = 0
FINDINGS = 1
USAGE = 2
UNREADABLE = 3
INTERNAL = 4
INTERRUPTED = 130


class Outcome(Protocol):
    """What :func:`exit_code` asks of a result."""

    @property
    def unreadable(self) -> Sized: ...

    def failed(self, strict: bool = False) -> bool: ...


def exit_code(outcome: Outcome, strict: bool = False) -> int:
    """3 when an input could not be read, else 1 when there is something to act on, else 0."""
    if len(outcome.unreadable):
        return UNREADABLE
    if outcome.failed(strict):
        return FINDINGS
    return OK
