"""Progress: how a long verb tells its caller how far it got, without printing anything.

The library never draws: a verb takes ``progress`` and reports through it, and the
caller renders it — the command line as a rich bar (:mod:`xltools.terminal`), the web
page as server-sent events, a script however it likes. ``progress`` is either

- an object with ``task(description, total)`` (a :class:`Progress`): each stage of the
  verb ("正在检查", "正在写入汇总工作簿") asks it for a function to call with the size of
  each step, or None to report nothing for that stage; or
- a plain function, called with the number of files just read (the main stage only).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, runtime_checkable

Advance = Callable[[int], None]  # called with the number of steps (files) just finished


@runtime_checkable
class Progress(Protocol):
    def task(self, description: str, total: int) -> Advance | None: ...


ProgressArg = Progress | Advance | None


def stage(
    progress: ProgressArg, description: str, total: int, *, main: bool = True
) -> Advance | None:
    """The function a stage of ``total`` steps reports to; None: report nothing.

    A plain function hears only the ``main`` stage (the files read), as it always has.
    """
    if progress is None:
        return None
    if isinstance(progress, Progress):
        return progress.task(description, total)
    return progress if main else None
