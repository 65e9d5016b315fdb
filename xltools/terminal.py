"""The command line's progress bar: rich, on stderr, only on a terminal.

This is the renderer of :mod:`xltools.progress` for people at a terminal; the library
itself never draws. The bar is transient (it leaves no lines behind), keeps stdout
clean for reports and pipes, never goes into a log (a redirected bar leaves only
blank lines) and appears only for batches worth waiting for (the first stage has ``SHOWN_FROM`` steps
or more; the later stages of the same verb are then shown too).
"""

from __future__ import annotations

from typing import Any

from xltools.progress import Advance

SHOWN_FROM = 20  # steps: a shorter stage ends before a bar would help


class TerminalProgress:
    """``with TerminalProgress(show) as bar: api.check(..., progress=bar)``."""

    def __init__(self, show: bool = True) -> None:
        self.show = show
        self.bar: Any = None

    def __enter__(self) -> TerminalProgress:
        if not self.show:
            return self
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

        console = Console(stderr=True)
        if console.is_terminal:
            columns = (
                "[progress.description]{task.description}",
                BarColumn(),
                MofNCompleteColumn(),
                TimeRemainingColumn(),
            )
            self.bar = Progress(*columns, console=console, transient=True)
            self.bar.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()
            self.bar = None

    def task(self, description: str, total: int) -> Advance | None:
        """A line of the bar for one stage, or None when nothing is shown."""
        if self.bar is None:
            return None
        if not self.bar.tasks and total < SHOWN_FROM:  # the first stage decides for all
            return None
        bar, task = self.bar, self.bar.add_task(description, total=total)
        return lambda n: bar.advance(task, n)
