"""Tables as CSV and XLSX, safe to open in a spreadsheet.

A cell that starts with = + - @ (or a tab or carriage return) is a formula to Excel and
LibreOffice: "=HYPERLINK(...)" typed into a registration form would run on the trainer's
computer. Such cells get a leading single quote, which makes them plain text.
"""

from __future__ import annotations

import csv
import io

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def neutralise(value: object) -> str:
    """Text for one cell: never read as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def to_csv(table: list[list[str]]) -> bytes:
    """CSV as Dutch Excel opens it by double-click: UTF-8 with BOM, semicolons."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerows(table)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(table: list[list[str]], *, title: str) -> bytes:
    """An Excel workbook with one sheet; every cell is stored as text, never as a formula."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _sheet_title(title)
    for row_number, row in enumerate(table, start=1):
        for column, value in enumerate(row, start=1):
            cell = sheet.cell(row=row_number, column=column)
            cell.value = value
            cell.data_type = "s"  # text, also if a value ever escaped neutralise()
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for column_cells in sheet.columns:
        width = max(len(str(c.value or "")) for c in column_cells)
        sheet.column_dimensions[column_cells[0].column_letter].width = min(max(width, 10), 60)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _sheet_title(title: str) -> str:
    # Excel sheet names: at most 31 characters, none of : \ / ? * [ ]
    cleaned = "".join(ch for ch in title if ch not in ":\\/?*[]").strip()
    return cleaned[:31] or "Deelnemers"
