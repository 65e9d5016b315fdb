"""Browser sessions: each one a temp folder, a CSRF token and its jobs, removed after use.

A session begins with the first page a browser opens and ends when the clerk clicks
结束并清除, after ``idle`` seconds without a request, or when the server stops; its
folder (uploads, results) is removed then. Nothing of a session outlives the process.
"""

from __future__ import annotations

import secrets
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class Job:
    """One piece of work (a check, a merge …) running in a thread, with its progress."""

    id: str
    kind: str  # "check", "merge", "prefill", "templates"
    folder: Path
    total: int = 0
    done: int = 0
    state: str = "running"  # "running", "done", "failed"
    error: str = ""
    result: Any = None
    extra: dict[str, Any] = field(default_factory=dict)
    started: float = field(default_factory=time.monotonic)
    finished: float | None = None
    thread: threading.Thread | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def advance(self, n: int) -> None:
        self.done = min(self.total, self.done + n)

    def status(self) -> dict[str, Any]:
        return {"state": self.state, "done": self.done, "total": self.total, "error": self.error}

    def run(self, work: Callable[[Job], Any], describe_error: Callable[[BaseException], str]):
        """Start ``work(self)`` in a thread; its value becomes ``result``."""

        def target() -> None:
            try:
                self.result = work(self)
                self.state = "done"
            except BaseException as exc:  # shown on the page, never lost
                self.error = describe_error(exc)
                self.state = "failed"
            finally:
                self.finished = time.monotonic()

        self.thread = threading.Thread(target=target, name=f"xltools-{self.kind}", daemon=True)
        self.thread.start()

    def wait(self, seconds: float) -> bool:
        """Wait up to ``seconds`` for the job to finish; whether it has."""
        if self.thread is not None:
            self.thread.join(seconds)
        return self.state != "running"


@dataclass
class Session:
    id: str
    folder: Path
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    seen: float = field(default_factory=time.monotonic)
    jobs: dict[str, Job] = field(default_factory=dict)
    counter: int = 0

    def new_job(self, kind: str, keep: int) -> Job:
        """A job with its own folder; the oldest finished jobs beyond ``keep`` are removed."""
        finished = [j for j in self.jobs.values() if j.state != "running"]
        for old in finished[: max(0, len(self.jobs) - keep + 1)]:
            self.drop_job(old.id)
        self.counter += 1
        job_id = f"{self.counter}-{secrets.token_hex(4)}"
        folder = self.folder / job_id
        folder.mkdir()
        job = self.jobs[job_id] = Job(job_id, kind, folder)
        return job

    def drop_job(self, job_id: str) -> None:
        job = self.jobs.pop(job_id, None)
        if job is not None:
            shutil.rmtree(job.folder, ignore_errors=True)


class Sessions:
    """All live sessions of one server, under one temp folder removed at exit."""

    def __init__(self, idle: float = 3600.0, most: int = 50, root: Path | None = None) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="xltools-serve-", dir=root))
        self.idle, self.most = idle, most
        self.live: dict[str, Session] = {}
        self.lock = threading.Lock()

    def get(self, session_id: str | None) -> Session | None:
        with self.lock:
            session = self.live.get(session_id or "")
            if session is not None:
                session.seen = time.monotonic()
            return session

    def create(self) -> Session:
        self.sweep()
        with self.lock:
            if len(self.live) >= self.most:  # the least recently used goes
                oldest = min(self.live.values(), key=lambda s: s.seen)
                self._end(oldest.id)
            session_id = secrets.token_urlsafe(32)
            folder = self.root / secrets.token_hex(8)
            folder.mkdir()
            session = self.live[session_id] = Session(session_id, folder)
            return session

    def end(self, session_id: str) -> None:
        with self.lock:
            self._end(session_id)

    def _end(self, session_id: str) -> None:
        session = self.live.pop(session_id, None)
        if session is not None:
            shutil.rmtree(session.folder, ignore_errors=True)

    def sweep(self) -> None:
        """End the sessions idle for longer than ``idle`` seconds (and not working)."""
        now = time.monotonic()
        with self.lock:
            for s in list(self.live.values()):
                busy = any(j.state == "running" for j in s.jobs.values())
                if now - s.seen > self.idle and not busy:
                    self._end(s.id)

    def close(self) -> None:
        """Every session ended and the whole temp folder removed (at exit)."""
        with self.lock:
            self.live.clear()
        shutil.rmtree(self.root, ignore_errors=True)
