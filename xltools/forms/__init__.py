"""The two forms, each declared once (see :mod:`xltools.forms.base`)."""

from __future__ import annotations

from xltools.forms import declaration, self_evaluation
from xltools.forms.base import Cell, Column, Field, Footer, Layout, Span, T, col_letter
from xltools.forms.binding import check_layouts
from xltools.forms.vocabulary import with_synonyms
from xltools.model import DECLARATION, SELF_EVALUATION

# Each layout with the regional synonyms of its labels (forms/vocabulary.py).
LAYOUTS: dict[tuple[str, str], Layout] = {
    (DECLARATION, "2022"): with_synonyms(declaration.LAYOUT_2022),
    (DECLARATION, "2025"): with_synonyms(declaration.LAYOUT_2025),
    (SELF_EVALUATION, "2022"): with_synonyms(self_evaluation.LAYOUT),
}
# A misspelt key would write blanks and read into nowhere: refuse to load instead.
check_layouts(LAYOUTS.values())
TITLES = {DECLARATION: declaration.TITLE, SELF_EVALUATION: self_evaluation.TITLE}
KIND_ALIASES = {
    "申报表": DECLARATION,
    "declaration": DECLARATION,
    "自评表": SELF_EVALUATION,
    "self-evaluation": SELF_EVALUATION,
    "self_evaluation": SELF_EVALUATION,
}


def layout_for(kind: str, year: int | None = None, variant: str | None = None) -> Layout:
    """The layout to write: declarations from 2024 on carry 项目性质 (the 2025 variant)."""
    if kind == SELF_EVALUATION:
        return LAYOUTS[(SELF_EVALUATION, "2022")]
    if variant is None:
        variant = "2025" if (year or 2025) >= 2024 else "2022"
    return LAYOUTS[(kind, variant)]


__all__ = [
    "KIND_ALIASES",
    "LAYOUTS",
    "TITLES",
    "Cell",
    "Column",
    "Field",
    "Footer",
    "Layout",
    "Span",
    "T",
    "col_letter",
    "layout_for",
]
