"""werklab.spreadsheets: typed cells (amounts, dates, whole numbers) in CSV and XLSX, and text
that is never a formula, even when a caller forgot to neutralise it."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

import pytest
from openpyxl import load_workbook

from werklab.spreadsheets import Amount, to_csv, to_xlsx

TABLE = [
    ["Text", "Amount", "Date", "Count"],
    ["Arnhem", Amount(125050), date(2027, 1, 31), 3],
    ["=1+1", Amount(-90750), None, 0],
    ["", Amount(5), date(2027, 12, 1), -2],
]


def test_csv_writes_what_dutch_excel_reads():
    text = to_csv(TABLE).decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:]), delimiter=";"))
    assert rows[1:] == [
        ["Arnhem", "1250,50", "2027-01-31", "3"],
        ["=1+1", "-907,50", "", "0"],  # text is the caller's to neutralise (see below for XLSX)
        ["", "0,05", "2027-12-01", "-2"],
    ]


def test_xlsx_stores_numbers_and_dates_and_never_a_formula():
    sheet = load_workbook(io.BytesIO(to_xlsx(TABLE, title="Test: [x]", bold_rows=(3,)))).active
    assert sheet.title == "Test x"
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[1] == ["Arnhem", 1250.5, datetime(2027, 1, 31), 3]
    assert values[2] == ["=1+1", -907.5, None, 0]
    assert sheet.cell(row=3, column=1).data_type == "s"  # text, not a formula
    assert sheet.cell(row=2, column=2).number_format == "#,##0.00"
    assert sheet.cell(row=2, column=3).number_format == "dd-mm-yyyy"
    assert sheet.cell(row=4, column=1).font.b and not sheet.cell(row=3, column=1).font.b


def test_a_moment_is_not_a_date():
    with pytest.raises(TypeError):
        to_csv([[datetime(2027, 1, 31, 9, 0)]])
