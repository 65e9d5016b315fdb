"""The package's shape: imports point one way, the library never prints, the API is typed.

Read from the source with :mod:`ast` (every import, also those inside functions), so a
cycle hidden behind a lazy import is found as well.
"""

from __future__ import annotations

import ast
import inspect
import subprocess
import sys
from pathlib import Path

import pytest

import xltools
from xltools import api, exits
from xltools.check.checker import Report
from xltools.progress import Progress, stage

PACKAGE = Path(xltools.__file__).resolve().parent
# The command line and the web page talk to people; everything else is library.
FRONT_ENDS = (
    "xltools.__main__",
    "xltools.cli",
    "xltools.terminal",
    "xltools.render",
    "xltools.demo",
    "xltools.i18n",
    "xltools.regenerate",  # the maintainers' command that rebuilds templates/ and examples/
    "xltools.web",
)
EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def _modules() -> dict[str, Path]:
    out = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts).removesuffix(".__init__")
        out[name] = path
    return out


MODULES = _modules()


def _imports(name: str, path: Path) -> set[str]:
    """The xltools modules ``name`` imports, anywhere in its source."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package
                for _ in range(node.level - 1):
                    anchor = anchor.rpartition(".")[0]
                base = f"{anchor}.{base}" if base else anchor
            for alias in node.names:
                full = f"{base}.{alias.name}"
                found.add(full if full in MODULES else base)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {m for m in found if m in MODULES and m != name}


def _front_end(name: str) -> bool:
    return any(name == f or name.startswith(f + ".") for f in FRONT_ENDS)


def test_no_import_cycle():
    graph = {name: _imports(name, path) for name, path in MODULES.items()}
    # A package's __init__ importing its own modules is how a package is built, not a cycle.
    graph = {
        name: {t for t in targets if not t.startswith(name + ".")}
        for name, targets in graph.items()
    }
    cycles: list[list[str]] = []
    state: dict[str, int] = {}  # 1: on the path, 2: done
    path: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append([*path[path.index(nxt) :], nxt])
            elif nxt not in state:
                visit(nxt)
        path.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)
    assert cycles == [], "\n".join(" → ".join(c) for c in cycles)


def test_the_library_never_imports_a_front_end():
    wrong = {
        name: sorted(t for t in _imports(name, path) if _front_end(t))
        for name, path in MODULES.items()
        if not _front_end(name)
    }
    assert {k: v for k, v in wrong.items() if v} == {}


def _prints(path: Path) -> list[str]:
    out = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name) and func.id in ("print", "input", "breakpoint"):
                out.append(f"{func.id}() line {node.lineno}")
            if isinstance(func, ast.Attribute) and func.attr in ("echo", "secho"):
                out.append(f"click.{func.attr}() line {node.lineno}")
        if (
            isinstance(node, ast.Attribute)
            and node.attr in ("stdout", "stderr")
            and isinstance(node.value, ast.Name)
            and node.value.id == "sys"
        ):
            out.append(f"sys.{node.attr} line {node.lineno}")
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("rich"):
            out.append(f"from {node.module} import line {node.lineno}")
    return out


def test_library_code_never_prints():
    """Messages reach people through the front ends; the library returns them."""
    speaking = {name: _prints(path) for name, path in MODULES.items() if not _front_end(name)}
    assert {k: v for k, v in speaking.items() if v} == {}


def test_the_detector_sees_printing():
    sample = PACKAGE.parent / "tests" / "_printing_sample.py"
    sample.write_text(
        "import sys\nfrom rich.console import Console\nprint(1)\nsys.stderr.write('x')\n"
    )
    try:
        assert len(_prints(sample)) == 3
    finally:
        sample.unlink()


def test_every_public_name_is_there_and_every_verb_is_typed():
    for name in api.__all__:
        assert getattr(api, name) is not None, name
    verbs = ("check", "merge", "fix", "read", "prefill", "annotate", "write_notices")
    assert set(verbs) <= set(api.__all__)
    for verb in verbs:
        hints = inspect.signature(getattr(api, verb)).return_annotation
        assert hints not in ("Any", inspect.Signature.empty), verb


def test_importing_the_api_loads_neither_rich_nor_openpyxl():
    code = (
        "import sys, xltools.api; print(sorted({'rich', 'openpyxl', 'pandas'} & set(sys.modules)))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.stdout.strip() == "[]", done.stdout + done.stderr


class _Result:
    def __init__(self, unreadable: list[str], failed: bool) -> None:
        self.unreadable, self._failed = unreadable, failed

    def failed(self, strict: bool = False) -> bool:
        return self._failed or strict


@pytest.mark.parametrize(
    ("unreadable", "failed", "strict", "code"),
    [
        ([], False, False, 0),
        ([], True, False, 1),
        ([], False, True, 1),
        (["a.xlsx"], True, False, 3),
    ],
)
def test_one_mapping_from_a_result_to_an_exit_code(unreadable, failed, strict, code):
    assert exits.exit_code(_Result(unreadable, failed), strict) == code


def test_each_verb_result_speaks_the_exit_code_protocol(tmp_path: Path):
    clean = EXAMPLES / "自评表_工作服专项经费.xlsx"
    broken = tmp_path / "坏.xlsx"
    broken.write_bytes(b"not a workbook")
    report = api.check([clean])
    assert isinstance(report, Report) and exits.exit_code(report) == 0
    assert exits.exit_code(api.check([clean, broken])) == 3
    assert (
        exits.exit_code(api.check([EXAMPLES / "自评表_公共服务窗口运行经费（示例：含错误）.xlsx"]))
        == 1
    )
    assert exits.exit_code(api.read([clean])) == 0
    assert exits.exit_code(api.read([broken, clean])) == 3
    plan = api.merge([clean], tmp_path / "汇总.xlsx")
    assert isinstance(plan, api.MergePlan) and exits.exit_code(plan) == 0
    fixed = api.fix([clean], tmp_path / "改", force=True)
    assert isinstance(fixed, api.FixResults) and exits.exit_code(fixed) == 0


def test_progress_goes_to_the_caller_never_to_the_screen(tmp_path: Path, capsys):
    class Recorder:
        def __init__(self) -> None:
            self.stages: dict[str, list[int]] = {}

        def task(self, description: str, total: int):
            self.stages[description] = [total, 0]
            return lambda n: self.stages[description].__setitem__(
                1, self.stages[description][1] + n
            )

    recorder = Recorder()
    assert isinstance(recorder, Progress)
    files = [EXAMPLES / "自评表_工作服专项经费.xlsx", EXAMPLES / "申报表_信息系统维护经费.xlsx"]
    api.merge(files, tmp_path / "汇总.xlsx", progress=recorder)
    assert recorder.stages == {"正在读取并检查": [2, 2], "正在写入汇总工作簿": [2, 2]}
    seen: list[int] = []
    api.check(files, progress=seen.append)  # a plain function hears the files read
    assert sum(seen) == 2
    assert stage(seen.append, "正在写入汇总工作簿", 5, main=False) is None
    assert capsys.readouterr().err == ""
