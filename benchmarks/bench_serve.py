"""Time from upload to results in ``xltools serve``, against ``xltools check`` on the same files.

For 1 file and for N files (default 200) of the generated forms (see common.py):

- serve: one warm ``xltools serve`` process (started once, as a clerk leaves it open);
  the clock runs from the POST of the upload to the results page received (the page
  waits for the job, or progress is polled until it is done, then the page is fetched);
- CLI: ``xltools check FOLDER --format json -o out.json`` as a new process each time,
  which is what the clerk waits for at a terminal (start, imports, reading, checking);
- floor: ``api.check`` in this process, already warm (no HTTP, no upload, no page).

Each figure is the shortest of ``--repeat`` runs. Both sides use the same jobs setting
(one process per CPU from 200 files).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx2 as httpx
from common import best_of, generate, load, run_child, warm

from xltools import api


def start_server(tmp: Path) -> tuple[subprocess.Popen, str]:
    env = {**os.environ, "PYTHONUTF8": "1", "TMPDIR": str(tmp)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "xltools", "serve", "--no-browser"],
        stdout=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        env=env,
    )
    first = proc.stdout.readline()
    url = re.search(r"http://\S+", first).group(0).rstrip("/")
    while "Ctrl+C" not in proc.stdout.readline():
        pass
    return proc, url


def upload_to_results(client: httpx.Client, files: list[Path]) -> float:
    """Seconds from the POST of ``files`` to the results page in hand."""
    page = client.get("/check")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    parts = [("files", (p.name, p.read_bytes())) for p in files]
    started = time.perf_counter()
    answer = client.post(
        "/check", data={"csrf": csrf}, files=parts, headers={"accept": "application/json"}
    )
    url = answer.json()["url"]
    while client.get(url + "/status").json()["state"] == "running":
        time.sleep(0.05)
    result = client.get(url)
    elapsed = time.perf_counter() - started
    assert "检查结果" in result.text, result.text[:500]
    assert result.text.count('<article class="file">') == len(files)
    return elapsed


def cli_check(folder: Path, out: Path) -> float:
    cmd = [sys.executable, "-m", "xltools", "check", str(folder), "--format", "json"]
    run = run_child([*cmd, "-o", str(out), "--force"], stdout=subprocess.DEVNULL)
    assert run.returncode in (0, 1), run.returncode
    return run.timing.wall


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--workdir", type=Path, default=Path(tempfile.gettempdir()) / "xltools-bench-serve"
    )
    args = parser.parse_args(argv)
    corpus = generate(args.workdir, args.files)
    one = args.workdir / "one"
    one.mkdir(exist_ok=True)
    shutil.copy2(corpus.files[0], one / corpus.files[0].name)
    cases = {"1 file": [one / corpus.files[0].name], f"{args.files} files": corpus.files}
    folders = {"1 file": one, f"{args.files} files": corpus.folder}
    warm(corpus.files)
    api.check(cases["1 file"])  # the floor is measured warm, as the server is
    tmp = Path(tempfile.mkdtemp(prefix="bench-serve-"))
    proc, url = start_server(tmp)
    rows = []
    try:
        with httpx.Client(base_url=url, timeout=600, trust_env=False) as client:
            upload_to_results(client, cases["1 file"])  # the first request of a session
            for name, files in cases.items():
                serve = min(upload_to_results(client, files) for _ in range(args.repeat))
                cli = min(cli_check(folders[name], tmp / "out.json") for _ in range(args.repeat))
                floor = best_of(args.repeat, lambda files=files: api.check(files, jobs=0)).wall
                rows.append((name, serve, cli, floor))
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(30)
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"xltools serve vs xltools check ({load()}; shortest of {args.repeat})")
    print(f"{'':<12}{'serve':>10}{'CLI':>10}{'CLI/serve':>11}{'api floor':>11}")
    for name, serve, cli, floor in rows:
        print(f"{name:<12}{serve:>9.2f}s{cli:>9.2f}s{cli / serve:>10.1f}x{floor:>10.2f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
