"""click's own messages in Chinese, from the gettext catalogue (xltools/locale, xltools.i18n).

The catalogue must hold every message click marks for translation (enumerated from
click's source, so a click upgrade that adds one fails here), each translation must
format with the fields click passes, and the commands' errors must show the user's
input exactly as typed, with no English around it.
"""

from __future__ import annotations

import ast
import gettext
import os
import re
import string
import subprocess
import sys
from pathlib import Path

import click
import polib
import pytest
from click.testing import CliRunner

from xltools import i18n
from xltools.cli import Command, cli

CLICK_DIR = Path(click.__file__).parent
MO = i18n.CATALOGUE.with_suffix(".mo")


def click_messages() -> list[tuple[str, ...]]:
    """Every ``_("…")`` and ``ngettext("…", "…", n)`` in click's source: (msgid[, plural])."""
    out = []
    for path in sorted(CLICK_DIR.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) in ("_", "ngettext"):
                texts = tuple(
                    a.value
                    for a in node.args
                    if isinstance(a, ast.Constant) and isinstance(a.value, str)
                )
                if texts and texts not in out:
                    out.append(texts)
    return out


def catalogue() -> gettext.GNUTranslations:
    with MO.open("rb") as fh:
        return gettext.GNUTranslations(fh)


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def english(text: str, *allowed: str) -> list[str]:
    """ASCII words left once the user's input, option and command names are removed."""
    for a in sorted((*allowed, *cli.commands), key=len, reverse=True):
        text = text.replace(a, "")
    text = re.sub(r"--?[A-Za-z][\w-]*|xltools|\{\w+\}|%\(\w+\)s", "", text)
    return re.findall(r"[A-Za-z]{2,}", text)


# -- the catalogue -----------------------------------------------------------------------------


def test_click_source_has_messages_to_translate() -> None:
    assert len(click_messages()) > 50  # the enumeration below really reads click


@pytest.mark.parametrize("message", click_messages(), ids=lambda m: m[0][:40])
def test_every_click_message_is_translated(message: tuple[str, ...]) -> None:
    t = catalogue()
    if len(message) == 1:
        (msgid,) = message
        translated = t.gettext(msgid)
        given = fields(msgid)
    else:
        msgid, plural = message
        translated = t.ngettext(msgid, plural, 1)
        assert t.ngettext(msgid, plural, 2) == translated  # Chinese: one form
        given = fields(msgid) | fields(plural)
    assert translated != msgid, f"no translation for {msgid!r}"
    assert fields(translated) <= given  # formats with what click passes
    assert english(translated, "UUID", "Bash", "Windows") == []


def test_shipped_mo_is_the_compiled_po(tmp_path: Path) -> None:
    po = tmp_path / "click.po"
    po.write_bytes(i18n.CATALOGUE.read_bytes())
    with i18n.compile_catalogue(po).open("rb") as fh:
        fresh = gettext.GNUTranslations(fh)
    assert fresh._catalog == catalogue()._catalog  # run `python -m xltools.i18n` after edits
    assert len(polib.pofile(str(i18n.CATALOGUE)).untranslated_entries()) == 0


def test_catalogue_is_active_only_while_a_command_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LANGUAGE", "en")
    before = gettext.textdomain()
    with i18n.chinese_click():
        assert gettext.gettext("Missing argument") == "缺少参数"
    assert gettext.textdomain() == before
    assert os.environ["LANGUAGE"] == "en"
    assert gettext.gettext("Missing argument") == "Missing argument"


# -- what a clerk sees ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "expected", "typed"),
    [
        (
            ["template", "申报表", "-o", "x.xlsx", "--year", "20255"],
            "用法错误：--year 的值无效：20255 不在 2000 到 2100 之间。",
            "20255",
        ),
        (
            ["template", "申报表", "-o", "x.xlsx", "--rows", "0"],
            "用法错误：--rows 的值无效：0 不在 1 到 500 之间。",
            "0",
        ),
        (
            ["check", "收回的表格", "-j", "MyFile"],
            "用法错误：-j / --jobs 的值无效：“MyFile”不是有效的整数。",
            "MyFile",
        ),
        (
            ["template", "申报表", "-o", "x.xlsx", "--yaer", "2025"],
            "用法错误：没有这个选项：--yaer。您是否想输入 --year？",
            "--yaer",
        ),
        (["chek", "收回的表格"], "用法错误：没有这个命令：chek。您是否想输入 check？", "chek"),
        (
            ["template", "File报告表", "-o", "x.xlsx"],
            "用法错误：申报表|自评表 的值无效：“File报告表”不是以下之一：申报表、自评表、declaration、self-evaluation。",
            "File报告表",
        ),
        (
            ["template", "申报表", "--money-unit", "千元", "-o", "x.xlsx"],
            "用法错误：--money-unit 的值无效：“千元”不是以下之一：元、万元。",
            "千元",
        ),
        (["check"], "用法错误：缺少参数：文件或文件夹...", ""),
        (["template"], "用法错误：缺少参数：申报表|自评表", ""),
        (["template", "申报表", "-o"], "用法错误：选项 -o 需要 1 个值。", ""),
        (
            ["rules", "--format", "html"],
            "用法错误：--format 的值无效：“html”不是以下之一",
            "html",
        ),
        (["demo", "a", "Path", "File"], "用法错误：多余的参数：Path File", "Path File"),
    ],
    ids=lambda v: v if isinstance(v, str) else " ".join(v),
)
def test_usage_errors_are_chinese_and_keep_the_input(
    tmp: Path, run_main, args: list[str], expected: str, typed: str
) -> None:
    outcome = run_main(*args)
    assert outcome.code == 2
    assert outcome.err.startswith(expected), outcome.err
    assert outcome.err.count("\n") == 1  # one line
    assert not re.search(r"['?]|\.$", outcome.err.strip())  # no ASCII quotes, ? or full stop
    choices = ("declaration", "self-evaluation", "table", "markdown")  # listed as valid values
    assert english(outcome.err, typed, *choices) == []


def test_a_file_error_of_click_is_chinese(tmp: Path) -> None:
    with i18n.chinese_click():  # types name themselves when made: make it in Chinese
        show = click.command(cls=Command)(
            click.argument("name", type=click.Path(exists=True), metavar="文件")(lambda name: None)
        )
    result = CliRunner().invoke(show, ["MyFile.xlsx"], prog_name="xltools")
    assert result.exit_code == 2
    assert "错误：'文件' 的值无效：路径“MyFile.xlsx”不存在。" in result.output
    assert english(result.output, "MyFile.xlsx") == []


@pytest.mark.parametrize("command", [None, *sorted(cli.commands)])
def test_help_has_no_english_headings(command: str | None) -> None:
    result = CliRunner().invoke(cli, [command, "--help"] if command else ["--help"])
    assert result.exit_code == 0
    text = result.stdout
    assert text.startswith("用法：")
    assert "选项：" in text and ("命令：" in text) == (command is None)
    assert not re.search(r"Usage|Options|Commands|Show this|x>=|<=x|integer|range", text)


def test_clirunner_error_page_is_chinese() -> None:
    result = CliRunner().invoke(
        cli, ["template", "申报表", "--year", "MyYear"], prog_name="xltools"
    )
    assert result.exit_code == 2
    assert result.output.startswith("用法：")
    assert "错误：'--year' 的值无效：“MyYear”不是有效的整数。" in result.output
    assert english(result.output, "MyYear") == []


def test_english_locale_still_gets_chinese(tmp: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "xltools", "check", "x", "-j", "MyFile"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=tmp,
        env={**os.environ, "PYTHONUTF8": "1", "LANG": "en_US.UTF-8", "LANGUAGE": "en_US"},
        timeout=60,
        check=False,
    )
    assert proc.returncode == 2
    assert proc.stderr.startswith("用法错误：-j / --jobs 的值无效：“MyFile”不是有效的整数。")


def test_every_number_option_uses_the_chinese_types() -> None:
    """click.INT / click.IntRange would say "integer" and "1<=x<=500", click.Choice would
    list 'a', 'b': use xltools.i18n's types."""
    english_types = (click.types.IntParamType, click.types.FloatParamType, click.Choice)
    for name, command in cli.commands.items():
        for param in command.params:
            kind = type(param.type)
            if issubclass(kind, english_types):
                assert kind.__module__ == "xltools.i18n", f"{name} {param.name}: {kind.__name__}"
