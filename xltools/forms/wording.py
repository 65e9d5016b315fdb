"""A profile's wording on our templates: 四川 calls an indicator's points 权重, not 分值.

The forms are declared once, in the national word (:data:`WEIGHT_WORD`). :func:`worded`
gives the layout with that word replaced in every text the template prints — column
headers, the funds grid's headers, the input prompts — and the national word kept as
an alias; :func:`reword` does the same for any other printed text (the 填表说明 sheet,
validation messages). Reading is unaffected: the vocabulary knows both words.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TypeVar

from xltools.forms.base import Column, Field, Footer, Layout

_Labelled = TypeVar("_Labelled", Field, Column)

WEIGHT_WORD = "分值"  # what the layouts print; profiles may set another (wording.weight)

# (id of the source layout, word) → (source layout, worded layout); the source is kept
# so that its id is never reused while the entry lives.
_WORDED: dict[tuple[int, str], tuple[Layout, Layout]] = {}


def reword(text: str, word: str) -> str:
    """``text`` with the points called ``word``."""
    return text if word == WEIGHT_WORD else text.replace(WEIGHT_WORD, word)


def worded(layout: Layout, word: str) -> Layout:
    """``layout`` as printed for a profile whose points are called ``word``.

    The national word returns ``layout`` itself, so its templates stay the same.
    """
    if word == WEIGHT_WORD:
        return layout
    hit = _WORDED.get((id(layout), word))
    if hit is not None and hit[0] is layout:
        return hit[1]
    result = _reworded(layout, word)
    _WORDED[(id(layout), word)] = (layout, result)
    return result


def _aliases(old: str, new: str, aliases: tuple[str, ...]) -> tuple[str, ...]:
    """When a label changes, the old one becomes an alias and the new one leaves them."""
    if old == new:
        return aliases
    return (old, *(a for a in aliases if a not in (old, new)))


def _reworded(layout: Layout, word: str) -> Layout:
    def item(x: _Labelled) -> _Labelled:
        label = reword(x.label, word)
        aliases = _aliases(x.label, label, x.aliases)
        return replace(x, label=label, aliases=aliases, prompt=reword(x.prompt, word))

    def footer(foot: Footer) -> Footer:
        return replace(foot, fields=tuple(item(f) for f in foot.fields))

    return replace(
        layout,
        fields=tuple(item(f) for f in layout.fields),
        statics=tuple((ref, reword(text, word)) for ref, text in layout.statics),
        columns=tuple(item(c) for c in layout.columns),
        footers=tuple(footer(f) for f in layout.footers),
    )
