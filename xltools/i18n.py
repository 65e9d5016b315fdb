"""click in Chinese, through gettext: the message catalogue and the parameter types.

click marks its messages with the standard :mod:`gettext` functions (the global
domain). :func:`chinese_click` binds that domain to the catalogue shipped in
``xltools/locale`` (``zh_CN/LC_MESSAGES/click.po``, compiled to ``click.mo``) for the
duration of a command, so every message click builds — usage errors, "Did you
mean", choice and range errors, help headings — is looked up there, with the
user's input inserted as typed. Nothing is rewritten after the fact.

A few words click does not send through gettext are its parameter types' own:
the number type's name ("integer"), a range's description ("2000<=x<=2100") and
the list of choices ('元', '万元'). :class:`Integer`, :class:`IntRange` and
:class:`Choice` give them in Chinese through click's hooks for them.

After editing the .po file: ``python -m xltools.i18n`` compiles it (needs polib).
"""

from __future__ import annotations

import gettext
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click

LOCALE_DIR = Path(__file__).parent / "locale"
LANGUAGE = "zh_CN"
DOMAIN = "click"
CATALOGUE = LOCALE_DIR / LANGUAGE / "LC_MESSAGES" / f"{DOMAIN}.po"


@contextmanager
def chinese_click() -> Iterator[None]:
    """click's messages in Chinese while the block runs; the previous setting after it.

    gettext picks the catalogue's language from ``LANGUAGE`` (then LC_ALL, LANG…):
    it is set to zh_CN whatever the machine's locale, as everything else xltools
    prints is Chinese too. Worker processes started meanwhile inherit it.
    """
    previous_domain = gettext.textdomain()
    previous_language = os.environ.get("LANGUAGE")
    gettext.bindtextdomain(DOMAIN, str(LOCALE_DIR))
    gettext.textdomain(DOMAIN)
    os.environ["LANGUAGE"] = LANGUAGE
    try:
        yield
    finally:
        gettext.textdomain(previous_domain)
        if previous_language is None:
            os.environ.pop("LANGUAGE", None)
        else:
            os.environ["LANGUAGE"] = previous_language


class Integer(click.types.IntParamType):
    """``type=int`` with its name in Chinese: "“MyFile”不是有效的整数。"."""

    name = "整数"


class IntRange(click.IntRange):
    """``click.IntRange`` that says "20255 不在 2000 到 2100 之间。" (and so in --help)."""

    name = "整数"

    def _describe_range(self) -> str:  # click's hook for the range's wording
        low = None if self.min is None else f"{self.min}{'（不含）' if self.min_open else ''}"
        high = None if self.max is None else f"{self.max}{'（不含）' if self.max_open else ''}"
        if low is None:
            return f"{high} 以内"
        if high is None:
            return f"{low} 以上"
        return f"{low} 到 {high} 之间"


class Choice(click.Choice):
    """``click.Choice`` listing the choices as Chinese does: “千元”不是以下之一：元、万元。"""

    def _listed(self) -> str:
        return "、".join(map(str, self.choices))

    def get_invalid_choice_message(self, value: object, ctx: click.Context | None) -> str:
        choices = self._listed()  # click's hook (8.2+); the words still come from the catalogue
        return gettext.ngettext(
            "{value!r} is not {choice}.", "{value!r} is not one of {choices}.", len(self.choices)
        ).format(value=value, choice=choices, choices=choices)

    def get_missing_message(self, param: click.Parameter, ctx: click.Context | None) -> str:
        return gettext.gettext("Choose from:\n\t{choices}").format(choices=self._listed())


# An unknown option, and (click 8.4+) an unknown command, carry their close matches.
_NO_SUCH = tuple(
    c for c in (click.NoSuchOption, getattr(click.exceptions, "NoSuchCommand", None)) if c
)


def usage_message(exc: click.UsageError) -> str:
    """The one line xltools prints for a usage error, worded by the catalogue.

    click joins the pieces of some messages with ASCII punctuation of its own (the
    parameter in quotes, "Missing argument 'X'.", the choices on lines of their own,
    "'--year'?"); those are put together here from the exception's parts instead.
    """
    _ = gettext.gettext
    param = getattr(exc, "param", None)
    hint = None
    if param is not None:
        named = param.param_type_name == "argument"
        hint = (param.metavar or param.name) if named else " / ".join(param.opts)
    if isinstance(exc, click.MissingParameter) and param is not None:
        missing = (
            _("Missing argument") if param.param_type_name == "argument" else _("Missing option")
        )
        return f"{missing}：{hint}"
    if isinstance(exc, click.BadParameter) and param is not None:
        given = exc.param_hint if isinstance(exc.param_hint, str) else hint
        return _("Invalid value for {param_hint}: {message}").format(
            param_hint=given, message=exc.message
        )
    possibilities = getattr(exc, "possibilities", None)
    if isinstance(exc, _NO_SUCH) and possibilities:
        listed = "、".join(sorted(possibilities))
        did_you_mean = gettext.ngettext(
            "Did you mean {possibility}?",
            "(Did you mean one of: {possibilities}?)",
            len(possibilities),
        ).format(possibility=listed, possibilities=listed)
        return f"{exc.message}{did_you_mean}"
    return exc.format_message()


def compile_catalogue(po: Path = CATALOGUE) -> Path:
    """``click.po`` → ``click.mo`` beside it (the file gettext reads)."""
    import polib

    mo = po.with_suffix(".mo")
    polib.pofile(str(po)).save_as_mofile(str(mo))
    return mo


if __name__ == "__main__":
    print(compile_catalogue())
