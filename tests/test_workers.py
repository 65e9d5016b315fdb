"""Reading and checking on several processes gives exactly what one process gives.

The parallel path starts real worker processes ("spawn"), so these tests lower the
batch size from which it is used (``PARALLEL_FROM``, read in this process only) and
compare whole reports: findings with their cells, scores, file order.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from processes import run_python

from xltools import api
from xltools.read import workers
from xltools.terminal import TerminalProgress

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
SEEDS = ROOT / "tests" / "fixtures" / "seeds"


@pytest.fixture
def inputs(tmp_path: Path) -> Path:
    """The examples (two with planted mistakes), seed fixtures in foreign layouts, and
    files that cannot be read: every kind of result a worker can send back."""
    folder = tmp_path / "inputs"
    folder.mkdir()
    for path in sorted(EXAMPLES.glob("*.xlsx")):
        shutil.copy(path, folder / path.name)
    for name in ("seed002_declarations_2025.xls", "seed004_stacked.xlsx", "variants.xlsx"):
        shutil.copy(SEEDS / name, folder / name)
    (folder / "不是表格.xlsx").write_text("这不是工作簿", encoding="utf-8")
    shutil.copy(ROOT / "tests" / "fixtures" / "encrypted.xlsx", folder / "加密.xlsx")
    return folder


@pytest.fixture
def parallel_from_two(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(workers, "PARALLEL_FROM", 2)


def test_jobs_for_small_batches_is_one_process() -> None:
    assert workers.jobs_for(workers.PARALLEL_FROM - 1, 8) == 1
    assert workers.jobs_for(workers.PARALLEL_FROM, 8) == 8
    assert workers.jobs_for(workers.PARALLEL_FROM, 1) == 1
    cpus = workers.default_jobs()
    expected = cpus if cpus >= workers.WORKERS_FROM_CPUS else 1
    assert workers.jobs_for(workers.PARALLEL_FROM, workers.AUTO) == expected


@pytest.mark.parametrize(("cpus", "processes"), [(1, 1), (2, 1), (3, 3), (8, 8)])
def test_auto_uses_workers_only_where_they_pay(
    monkeypatch: pytest.MonkeyPatch, cpus: int, processes: int
) -> None:
    """On two CPUs one process: workers bought 13–16 % of the wall time idle and lost
    11–61 % under load (measured, see workers.WORKERS_FROM_CPUS); -j 2 still gets one."""
    monkeypatch.setattr(workers, "default_jobs", lambda: cpus)
    assert workers.jobs_for(workers.PARALLEL_FROM, workers.AUTO) == processes
    assert workers.jobs_for(workers.PARALLEL_FROM - 1, workers.AUTO) == 1
    assert workers.jobs_for(workers.PARALLEL_FROM, 2) == 2


def test_chunks_keep_every_file_once_in_order() -> None:
    files = [Path(f"{i:04d}.xlsx") for i in range(1001)]
    parts = workers.chunks(files, 2)
    assert [f for part in parts for f in part] == files
    assert len(parts) >= 2 * workers.CHUNKS_PER_JOB
    assert max(len(p) for p in parts) <= workers.MAX_CHUNK
    assert workers.chunks(files[:3], 4) == [[files[0]], [files[1]], [files[2]]]


@pytest.mark.usefixtures("parallel_from_two")
def test_check_on_two_processes_equals_one(inputs: Path) -> None:
    one = api.check([inputs], jobs=1).to_dict()
    two = api.check([inputs], jobs=2).to_dict()
    assert two == one
    rules = {f["rule"] for file in one["files"] for f in file["findings"]}
    assert {"R01", "S10", "D06"} <= rules  # the comparison covered real findings
    assert len(one["files"]) == len(list(inputs.iterdir()))


@pytest.mark.usefixtures("parallel_from_two")
def test_check_against_declarations_on_two_processes_equals_one(inputs: Path) -> None:
    declarations = [p for p in inputs.iterdir() if p.name.startswith("申报表")]
    one = api.check([inputs], jobs=1, declarations=declarations).to_dict()
    two = api.check([inputs], jobs=2, declarations=declarations).to_dict()
    assert two == one
    assert any(f["rule"].startswith("X") for file in one["files"] for f in file["findings"])


@pytest.mark.usefixtures("parallel_from_two")
def test_merge_on_two_processes_equals_one(inputs: Path, tmp_path: Path) -> None:
    plans = [
        api.merge([inputs], tmp_path / f"汇总{jobs}.xlsx", jobs=jobs, include_invalid=True)
        for jobs in (1, 2)
    ]
    one, two = ([(e.file, e.record, e.errors, e.warnings) for e in p.entries] for p in plans)
    assert two == one and len(one) > 10
    assert [f.to_dict() for f in plans[1].findings] == [f.to_dict() for f in plans[0].findings]
    assert [vars(s) for s in plans[1].sources] == [vars(s) for s in plans[0].sources]


def test_script_without_main_guard_falls_back_to_one_process(inputs: Path, tmp_path: Path) -> None:
    """A script calling the API without ``if __name__ == "__main__":`` re-runs itself in
    every spawned worker, which multiprocessing refuses: the check still completes, in
    this process, with the same report and a notice."""
    script = tmp_path / "no_guard.py"
    script.write_text(
        "import json, sys\n"
        "from xltools import api\nfrom xltools.read import workers\n"
        "workers.PARALLEL_FROM = 2\n"
        f"report = api.check([{str(inputs)!r}], jobs=2)\n"
        "sys.stdout.write(json.dumps(report.to_dict(), ensure_ascii=False))\n",
        encoding="utf-8",
    )
    run = run_python(str(script), timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    assert "改为逐个读取检查" in run.stderr
    assert json.loads(run.stdout) == api.check([inputs], jobs=1).to_dict()


def test_command_line_with_two_workers_equals_one(tmp_path: Path) -> None:
    """``python -m xltools check -j 2`` on as many files as start the workers: the spawned
    processes start from the installed package and the report is the same."""
    folder = tmp_path / "多个文件"
    folder.mkdir()
    source = EXAMPLES / "自评表_公共服务窗口运行经费（示例：含错误）.xlsx"
    for i in range(workers.PARALLEL_FROM):
        shutil.copy(source, folder / f"{i:03d}.xlsx")
    runs = [
        run_python("-m", "xltools", "check", str(folder), "--format", "json", "-j", j, timeout=300)
        for j in ("1", "2")
    ]
    assert [r.returncode for r in runs] == [1, 1], runs[1].stderr
    one, two = (json.loads(r.stdout) for r in runs)
    assert two == one
    assert one["summary"]["files"] == workers.PARALLEL_FROM
    errors = [sum(f["severity"] == "错误" for f in file["findings"]) for file in one["files"]]
    assert errors[0] > 0 and set(errors) == {errors[0]}
    assert one["summary"]["errors"] == sum(errors)


def test_progress_bar_on_a_terminal_and_never_into_a_log(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "inputs"
    folder.mkdir()
    for i in range(20):  # the bar shows from 20 files
        shutil.copy(EXAMPLES / "自评表_工作服专项经费.xlsx", folder / f"{i:02d}.xlsx")
    with TerminalProgress() as bar:  # stderr is not a terminal
        api.merge([folder], tmp_path / "汇总.xlsx", progress=bar)
    assert capsys.readouterr().err == ""
    monkeypatch.setenv("TTY_COMPATIBLE", "1")  # rich ≥ 14: treat stderr as a terminal
    monkeypatch.setenv("FORCE_TERMINAL", "1")  # older rich
    with TerminalProgress() as bar:
        api.merge([folder], tmp_path / "汇总.xlsx", progress=bar, force=True)
    shown = capsys.readouterr()
    assert "正在读取并检查" in shown.err and "正在写入汇总工作簿" in shown.err
    assert shown.out == ""


def test_paused_gc_restores_the_collector_even_after_an_error() -> None:
    import gc

    assert gc.isenabled()
    with pytest.raises(ValueError), api.paused_gc():
        assert not gc.isenabled()
        raise ValueError
    assert gc.isenabled()
    gc.disable()
    try:
        with api.paused_gc():
            pass
        assert not gc.isenabled()  # left as it was found
    finally:
        gc.enable()
