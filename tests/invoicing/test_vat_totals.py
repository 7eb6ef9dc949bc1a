"""The invoice export's VAT totals per rate (CSV and XLSX): net, VAT and gross per rate and in
all, credit notes negative, each document's VAT as the document states it (so the totals
agree with the invoices to the cent), and a query count that does not grow."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from tests.invoicing.conftest import NOW, pdf_text
from werklab.extensions import db
from werklab.invoicing import services
from werklab.invoicing.models import Invoice


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))


def cents(text: str) -> int:
    return int(text.replace(",", ""))


@pytest.fixture
def documents(factories, cop, invoiced):
    """At 21%: two invoices of EUR 750, one credited (a credit note of -750). At 9%: two
    invoices of EUR 10,05, whose VAT is 0,9045 -> 0,90 each (1,80 together, where 9% of the
    summed 20,10 would be 1,81). At 0%: one invoice of EUR 200."""
    nine = factories.programme(now=NOW, title="LG Zwolle", fee_cents=1005, vat_rate_bp=900)
    exempt = factories.programme(now=NOW, title="CoP Vrij", fee_cents=20000, vat_rate_bp=0)
    credited, _ = invoiced(cop)
    invoiced(cop)
    services.credit_registration(credited, reason="cancelled", now=NOW)
    invoiced(nine)
    invoiced(nine)
    invoiced(exempt)
    db.session.commit()
    return list(db.session.execute(select(Invoice).order_by(Invoice.id)).scalars())


def test_csv_has_totals_per_rate_that_agree_with_the_documents(admin, documents):
    response = admin.get("/beheer/facturen/export.csv")

    rows = csv_rows(response)
    blank = rows.index([])
    listed, section = rows[1:blank], rows[blank + 1 :]
    assert len(listed) == 6
    assert section[0] == ["Totalen per btw-tarief"] + [""] * 8 + ["Excl. btw", "Btw", "Incl. btw"]
    totals = {row[0]: row[9:] for row in section[1:]}
    assert [row[1:9] for row in section[1:]] == [[""] * 8] * 4
    assert totals == {
        "Btw 21%": ["750,00", "157,50", "907,50"],  # 750 + 750 - 750
        "Btw 9%": ["20,10", "1,80", "21,90"],  # as on the two invoices, not 9% of 20,10
        "Btw 0%": ["200,00", "0,00", "200,00"],
        "Totaal": ["970,10", "159,30", "1129,40"],
    }
    # The grand total is the sum of the documents' own columns, in the file and as stored.
    for column, attribute in zip(
        (9, 10, 11), ("total_excl_cents", "vat_cents", "total_incl_cents"), strict=True
    ):
        assert cents(totals["Totaal"][column - 9]) == sum(cents(row[column]) for row in listed)
        assert cents(totals["Totaal"][column - 9]) == sum(getattr(d, attribute) for d in documents)
    # ... and each document's VAT is what its PDF says: 0,90 on an invoice of 10,05 at 9%.
    nine = next(d for d in documents if d.total_excl_cents == 1005)
    assert "0,90" in pdf_text(services.document_pdf(nine))


def test_the_totals_follow_the_filters(admin, documents):
    rows = csv_rows(admin.get("/beheer/facturen/export.csv?status=creditnotas"))
    blank = rows.index([])
    assert len(rows[1:blank]) == 1
    assert {row[0]: row[9:] for row in rows[blank + 2 :]} == {
        "Btw 21%": ["-750,00", "-157,50", "-907,50"],
        "Totaal": ["-750,00", "-157,50", "-907,50"],
    }


def test_xlsx_export_with_numbers_and_bold_totals(admin, documents):
    response = admin.get("/beheer/facturen/export.xlsx")

    assert response.status_code == 200
    assert response.mimetype == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="facturen-')
    assert response.headers["Content-Disposition"].endswith('.xlsx"')
    sheet = load_workbook(io.BytesIO(response.data)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0][0] == "Nummer"
    first = values[1]
    assert first[2].date() == NOW.date()  # invoice date: a date cell
    assert first[9:12] == [750, 157.5, 907.5]  # numbers
    credit = next(row for row in values[1:7] if row[1] == "Creditnota")
    assert credit[9:12] == [-750, -157.5, -907.5]
    total = values[-1]
    assert total[0] == "Totaal"
    assert [Decimal(str(v)) for v in total[9:12]] == [
        Decimal("970.1"),
        Decimal("159.3"),
        Decimal("1129.4"),
    ]
    assert sheet.cell(row=sheet.max_row, column=1).font.b
    assert sheet.cell(row=2, column=10).number_format == "#,##0.00"
    page = admin.get("/beheer/facturen").get_data(as_text=True)
    assert "/beheer/facturen/export.xlsx" in page


def test_export_queries_do_not_grow_with_documents(admin, cop, invoiced, count_queries):
    invoiced(cop)
    db.session.commit()
    admin.get("/beheer/facturen/export.xlsx")
    with count_queries() as few:
        assert admin.get("/beheer/facturen/export.csv").status_code == 200
    for _ in range(6):
        registration, _ = invoiced(cop)
    services.credit_registration(registration, reason="cancelled", now=NOW)
    db.session.commit()
    with count_queries() as many:
        response = admin.get("/beheer/facturen/export.csv")
    assert len(csv_rows(response)) == 1 + 8 + 1 + 3
    assert len(many) == len(few), many
