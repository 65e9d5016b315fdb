"""Reading many files on several processes.

Reading a workbook depends on that file alone, so the files are split into chunks,
each chunk is read by a worker process, and the results come back in input order. The
checks then run once over all records in this process: the row and cross-table rules
are vectorised over the whole batch (one pandera validation, not one per chunk), and
the batch rules (X01–X05, M01–M05) need all files anyway. So a worker imports only the
reader — python-calamine, no pandas, no pandera — and starts in a fraction of the time
a checking worker took (about a second each, which on a loaded 2-CPU machine made the
default -j slower than -j 1). The result is the same as one process reading every file.

Workers are started with "spawn" on every platform: it is the only method on
Windows, where most users are, and forking a process that runs rich's progress
thread is unsafe. Small batches are read in this process.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from xltools.profiles import Profile
from xltools.progress import Advance

PARALLEL_FROM = 200  # files; below this, starting workers costs more than it saves
MAX_CHUNK = 200  # files per task: progress moves at least every MAX_CHUNK files
CHUNKS_PER_JOB = 4  # several tasks per worker, so one slow chunk does not hold the rest


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


def _read_chunk(files: list[Path], profile: Profile) -> list:
    """Worker: read ``files``; their ReadResults (records and reading findings)."""
    from xltools.read.workbook import read_workbook

    return [read_workbook(path, profile) for path in files]


def read_files(
    files: Sequence[Path],
    profile: Profile,
    *,
    jobs: int,
    advance: Advance | None = None,
) -> list:
    """Every file read by ``jobs`` worker processes; ReadResults in input order.

    If the workers cannot run (a script without the ``if __name__ == "__main__":``
    guard re-runs itself in every spawned worker; a worker killed by the system), the
    chunks they did not finish are read in this process: slower, never wrong.
    """
    parts = chunks(files, jobs)
    done: list[list | None] = [None] * len(parts)
    context = multiprocessing.get_context("spawn")
    try:
        with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
            futures = {pool.submit(_read_chunk, part, profile): i for i, part in enumerate(parts)}
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
                done[i] = _read_chunk(part, profile)
                if advance:
                    advance(len(part))
    return [result for part in done for result in part or ()]
