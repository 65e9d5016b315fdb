"""Reading many files on several processes.

Reading a workbook depends on that file alone, so the files are split into chunks and
read by worker processes and by this process itself; the results come back in input
order. The checks then run once over all records in this process: the row and
cross-table rules are vectorised over the whole batch (one pandera validation, not one
per chunk), and the batch rules (X01–X05, M01–M05) need all files anyway. So a worker
imports only the reader — python-calamine, no pandas, no pandera. The result is the same
as one process reading every file.

What a worker costs, measured (benchmarks/bench_check.py, 2 CPUs): starting it (Python
and the reader's imports) ≈ 0.2 s of CPU and 0.5 s of wall time, far more on a loaded
machine; sending a file's results back ≈ 0.2 ms of pickling, against ≈ 1.5 ms to read a
stamped form. So this process does not wait for its workers: it reads chunks too, from
the last one back, taking every chunk no worker has started, and a worker that starts
late (or never) costs little. Below ``PARALLEL_FROM`` files one process is faster: on
the loaded 2-CPU machine (load 5–6), default -j ÷ -j 1 wall time was 1.24 at 200 files,
0.93 at 500, 0.96 at 1,000 and 0.91 at 2,000.

Workers are started with "spawn" on every platform: it is the only method on
Windows, where most users are, and forking a process that runs rich's progress
thread is unsafe. A notice that the workers could not run goes to this module's logger
(``logging.getLogger("xltools.read.workers")``): library code does not print; with no logging
set up, Python shows a warning on stderr, which is what the command line wants.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from xltools.profiles import Profile
from xltools.progress import Advance

PARALLEL_FROM = 500  # files; below this, one process is faster (measured: see the docstring)
MAX_CHUNK = 32  # files per task: progress moves at least every MAX_CHUNK files, and this
# process, stealing the chunks no worker has started, never waits long for the last ones
CHUNKS_PER_JOB = 4  # several tasks per worker, so one slow chunk does not hold the rest
FALLBACK = "提示：无法启动并行进程，改为逐个读取检查（结果相同）"
log = logging.getLogger(__name__)


def default_jobs() -> int:
    """The CPUs this process may use (a container's or taskset's limit, not the host's)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # Windows, macOS
        return max(1, os.cpu_count() or 1)


AUTO = 0  # jobs: one process per CPU


# AUTO uses workers only from this many CPUs. On 2 CPUs (this process and one worker) they
# hardly pay: on an idle 2-CPU machine, 2,000 files took 0.84–0.87× the wall time of -j 1
# for 1.14–1.15× its CPU time, and with the machine loaded (load 3–6) default -j was
# 1.11–1.61× SLOWER than -j 1 on 2,000 regional files in five runs of five. An office PC
# runs other work too, so two CPUs read in one process; ``-j 2`` still asks for a worker.
WORKERS_FROM_CPUS = 3


def jobs_for(files: int, jobs: int) -> int:
    """Processes to use for ``files`` files: ``jobs`` (AUTO: one per CPU from
    ``WORKERS_FROM_CPUS`` CPUs, else one), 1 for few files."""
    if jobs == AUTO:
        cpus = default_jobs()
        wanted = cpus if cpus >= WORKERS_FROM_CPUS else 1
    else:
        wanted = max(1, jobs)
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
    """Every file read by this process and ``jobs - 1`` workers; ReadResults in input order.

    If the workers cannot run (a script without the ``if __name__ == "__main__":``
    guard re-runs itself in every spawned worker; a worker killed by the system), the
    chunks they did not finish are read in this process: slower, never wrong, and said
    (``FALLBACK``, a warning of this module's logger).
    """
    parts = chunks(files, jobs)
    done: list[list | None] = [None] * len(parts)

    def here(i: int) -> None:
        done[i] = _read_chunk(parts[i], profile)
        if advance:
            advance(len(parts[i]))

    context = multiprocessing.get_context("spawn")
    try:
        with ProcessPoolExecutor(max_workers=max(1, jobs - 1), mp_context=context) as pool:
            futures = [pool.submit(_read_chunk, part, profile) for part in parts]
            try:
                # Workers take chunks from the front; this process from the back, each chunk
                # no worker has started (a started one cannot be cancelled, nor any before it).
                for i in reversed(range(len(parts))):
                    if not futures[i].cancel():
                        break
                    here(i)
                started: dict[Future, int] = {
                    f: i for i, f in enumerate(futures) if not f.cancelled()
                }
                for future in as_completed(started):
                    i = started[future]
                    done[i] = future.result()
                    if advance:
                        advance(len(parts[i]))
            except BaseException:  # Ctrl+C or a broken pool: do not start the queued chunks
                pool.shutdown(wait=True, cancel_futures=True)
                raise
    except BrokenProcessPool:
        log.warning(FALLBACK)
        for i in range(len(parts)):
            if done[i] is None:
                here(i)
    return [result for part in done for result in part or ()]
