"""Writing what xltools produces: workbooks, annotated and corrected copies, notices.

``forms`` draws the official forms (templates and filled forms) and ``consolidated``
the workbook ``xltools merge`` hands to the bureau above (with ``paper``: the print
layout; ``guide``: the 填表说明 sheet) — the only modules that import xlsxwriter.
``annotate`` and ``fix`` write copies of returned workbooks with openpyxl, keeping
their cached formula results (``cached``); ``notices`` the Word return notices;
``merge`` plans the consolidated workbook; ``prefill`` turns declarations into
self-evaluations; ``lists`` reads the project lists templates are made from.
"""

from __future__ import annotations

from typing import Any

_FORMS = ("FormDrawer", "FormWorkbook", "Placement", "Styles", "write_workbook")


def __getattr__(name: str) -> Any:  # xlsxwriter only when a form is drawn
    if name in _FORMS:
        from xltools.write import forms

        return getattr(forms, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = list(_FORMS)
