"""Reading and checking many files on several processes.

Reading a workbook and checking its forms depend on that file alone (every row rule
and cross-table rule is per project; X01–X05 against declarations and M01–M04 are
run afterwards, over all files), so the files are split into chunks, each chunk is
read and checked by a worker process, and the reports come back in input order:
the result is the same as one process checking every file, only sooner.

Workers are started with "spawn" on every platform: it is the only method on
Windows, where most users are, and forking a process that runs rich's progress
thread is unsafe. Starting a worker costs about a second (Python, pandas,
pandera), so small batches are checked in this process.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

from xltools.profiles import Profile

PARALLEL_FROM = 200  # files; below this, starting workers costs more than it saves
MAX_CHUNK = 200  # files per task: progress moves at least every MAX_CHUNK files
CHUNKS_PER_JOB = 4  # several tasks per worker, so one slow chunk does not hold the rest

Advance = Callable[[int], None]  # called with the number of files just finished


def default_jobs() -> int:
    """The CPUs this process may use (a container's or taskset's limit, not the host's)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # Windows, macOS
        return max(1, os.cpu_count() or 1)


AUTO = 0  # jobs: one process per CPU


def jobs_for(files: int, jobs: int) -> int:
    """Processes to use for ``files`` files: ``jobs`` (AUTO: one per CPU), 1 for few files."""
    wanted = default_jobs() if jobs == AUTO else max(1, jobs)
    return 1 if files < PARALLEL_FROM else wanted


def chunks(files: Sequence[Path], jobs: int) -> list[list[Path]]:
    """``files`` in order, cut into about ``CHUNKS_PER_JOB`` pieces per job."""
    size = max(1, min(MAX_CHUNK, -(-len(files) // (jobs * CHUNKS_PER_JOB))))
    return [list(files[i : i + size]) for i in range(0, len(files), size)]


def _check_chunk(files: list[Path], profile: Profile, options: dict[str, Any]) -> list:
    """Worker: read and check ``files``; their FileReports, findings final.

    ``options``: the Checker's keyword arguments (select, ignore, scores).
    """
    from xltools.check import Checker
    from xltools.reader import read_workbook

    results = [read_workbook(path, profile) for path in files]
    return Checker(profile, **options).run(results).files


def check_files(
    files: Sequence[Path],
    profile: Profile,
    options: dict[str, Any],
    *,
    jobs: int,
    advance: Advance | None = None,
) -> list:
    """Every file read and checked by ``jobs`` worker processes; FileReports in input order.

    If the workers cannot run (a script without the ``if __name__ == "__main__":``
    guard re-runs itself in every spawned worker; a worker killed by the system), the
    chunks they did not finish are checked in this process: slower, never wrong.
    """
    parts = chunks(files, jobs)
    done: list[list | None] = [None] * len(parts)
    context = multiprocessing.get_context("spawn")
    try:
        with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
            futures = {
                pool.submit(_check_chunk, part, profile, options): i for i, part in enumerate(parts)
            }
            try:
                for future in as_completed(futures):
                    i = futures[future]
                    done[i] = future.result()
                    if advance:
                        advance(len(parts[i]))
            except BaseException:  # Ctrl+C or a broken pool: do not start the queued chunks
                pool.shutdown(wait=True, cancel_futures=True)
                raise
    except BrokenProcessPool:
        print("提示：无法启动并行进程，改为逐个读取检查（结果相同）", file=sys.stderr)
        for i, part in enumerate(parts):
            if done[i] is None:
                done[i] = _check_chunk(part, profile, options)
                if advance:
                    advance(len(part))
    return [report for part in done for report in part or ()]
