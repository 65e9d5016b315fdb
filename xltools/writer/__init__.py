"""Writing workbooks: the only package that imports xlsxwriter.

``forms`` draws the official forms (templates and filled forms); ``consolidated``
writes the workbook ``xltools merge`` hands to the bureau above.
"""

from xltools.writer.forms import FormDrawer, FormWorkbook, Placement, Styles, write_workbook

__all__ = ["FormDrawer", "FormWorkbook", "Placement", "Styles", "write_workbook"]
