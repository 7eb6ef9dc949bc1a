"""Tables as CSV and XLSX, safe to open in a spreadsheet.

A cell that starts with = + - @ (or a tab or carriage return) is a formula to Excel and
LibreOffice: "=HYPERLINK(...)" typed into a registration form would run on the trainer's
computer. Such cells get a leading single quote, which makes them plain text.

Besides text (neutralised by the caller), a table may hold typed cells: an `Amount` (cents),
a `date` or an `int`. CSV writes them the way Dutch Excel reads them on a double-click
(amounts "1250,00" and "-907,50" with a decimal comma and no thousands separator, dates as
ISO "2027-01-31", which Excel recognises in every language); XLSX stores them as real numbers
and dates with a display format, so that they sum and sort in any spreadsheet.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
#: The media type of an XLSX workbook.
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def neutralise(value: object) -> str:
    """Text for one cell: never read as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


@dataclass(frozen=True)
class Amount:
    """An amount of money in cents, for a cell that must stay a number."""

    cents: int

    def __str__(self) -> str:
        """Cents as a number a Dutch spreadsheet reads: "1250,00", "-907,50"."""
        sign = "-" if self.cents < 0 else ""
        whole, rest = divmod(abs(self.cents), 100)
        return f"{sign}{whole},{rest:02d}"


#: What a cell may hold: neutralised text, or a typed value written as a number or a date.
Cell = str | Amount | date | int | None

#: Display formats in XLSX; Excel shows them with the reader's own separators.
AMOUNT_FORMAT = "#,##0.00"
DATE_FORMAT = "dd-mm-yyyy"


def _csv_text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        raise TypeError("a date and time has no cell type: give a date")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def to_csv(table: list[list[Cell]]) -> bytes:
    """CSV as Dutch Excel opens it by double-click: UTF-8 with BOM, semicolons."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerows([_csv_text(value) for value in row] for row in table)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(table: list[list[Cell]], *, title: str, bold_rows: tuple[int, ...] = ()) -> bytes:
    """An Excel workbook with one sheet. Text is stored as text, never as a formula; amounts,
    whole numbers and dates as numbers with a display format. `bold_rows` (0-based, besides
    the header) are printed bold: totals."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _sheet_title(title)
    for row_number, row in enumerate(table, start=1):
        for column, value in enumerate(row, start=1):
            cell = sheet.cell(row=row_number, column=column)
            if isinstance(value, Amount):
                cell.value = Decimal(value.cents) / 100
                cell.number_format = AMOUNT_FORMAT
            elif isinstance(value, date) and not isinstance(value, datetime):
                cell.value = value
                cell.number_format = DATE_FORMAT
            elif isinstance(value, int) and not isinstance(value, bool):
                cell.value = value
            else:
                cell.value = _csv_text(value)
                cell.data_type = "s"  # text, also if a value ever escaped neutralise()
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for index in bold_rows:
        for cell in sheet[index + 1]:
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
