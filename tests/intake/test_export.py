"""The werklab requests with their stage as CSV and XLSX (coordinators): the date of each
stage, the quote's amounts, formula neutralising, the status filter, and a query count that
does not grow with the number of requests."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta

import pytest
from openpyxl import load_workbook

from tests.intake.conftest import LINES, NOW, acceptance, intake_data, sign_in, text
from werklab.accounts import services as accounts
from werklab.extensions import db
from werklab.intake import services
from werklab.intake.models import RequestStatus
from werklab.intake.services import QuoteData

EVIL = "=cmd|' /C calc'!A0"
HEADER = [
    "Nummer",
    "Gemeente",
    "Contactpersoon",
    "E-mailadres",
    "Verwacht aantal deelnemers",
    "Fase",
    "Ontvangen",
    "In behandeling",
    "Offerte verstuurd",
    "Geaccepteerd",
    "Afgewezen",
    "Verlopen",
    "Offerte geldig tot",
    "Offerte excl. btw",
    "Btw-tarief",
    "Btw offerte",
    "Offerte incl. btw",
    "Traject",
]


def day(n: int) -> datetime:
    """NOW (2 March 2026, 10:00 in Amsterdam) plus n days."""
    return NOW + timedelta(days=n)


def quote_for(
    booking, *, valid_until: date, sent: datetime | None, lines=LINES, vat=2100, saved=None
):
    quote = services.save_quote(
        booking, QuoteData(lines, vat, valid_until), actor="test", now=saved or sent
    )
    if sent:
        services.send_quote(quote, actor="test", now=sent)
    return quote


@pytest.fixture
def pipeline(coordinator):
    """Arnhem: accepted (in progress on day 1, quote on day 2, accepted on day 4);
    "=cmd..." declined by the coordinator on day 5; Ede: quote expired; Epe: new, a draft
    quote at 9%."""
    arnhem = services.submit_request(intake_data(), now=NOW)
    services.update_request(
        arnhem, status=RequestStatus.IN_PROGRESS, notes="", actor="test", now=day(1)
    )
    quote = quote_for(arnhem, valid_until=date(2026, 3, 31), sent=day(2))
    services.accept_quote(quote, acceptance(), now=day(4))
    evil = services.submit_request(
        intake_data(municipality=EVIL, contact_name="+31 6 1234", contact_email="x@evil.example"),
        now=day(3),
    )
    services.update_request(evil, status=RequestStatus.DECLINED, notes="", actor="test", now=day(5))
    ede = services.submit_request(intake_data(municipality="Ede"), now=day(6))
    quote_for(ede, valid_until=date(2026, 3, 10), sent=day(7))
    assert services.expire_quotes(now=day(10)) == 1
    epe = services.submit_request(intake_data(municipality="Epe"), now=day(11))
    quote_for(
        epe,
        valid_until=date(2026, 4, 30),
        sent=None,
        saved=day(12),
        lines=[("Werklab", 100000)],
        vat=900,
    )
    db.session.commit()
    return {"arnhem": arnhem, "evil": evil, "ede": ede, "epe": epe}


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))


def test_csv_export(client, coordinator, pipeline):
    sign_in(client, coordinator.email)
    response = client.get("/beheer/aanvragen.csv")

    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Content-Disposition"].startswith(
        'attachment; filename="werklab-aanvragen-20'
    )
    rows = csv_rows(response)
    assert rows[0] == HEADER
    ids = {name: str(b.id) for name, b in pipeline.items()}
    # 5850,50 excl. VAT; 21% of it is 1228,605, rounded half up: 1228,61.
    assert rows[1:] == [
        [ids["epe"], "Epe", "Fatima el Amrani", "f.elamrani@arnhem.nl", "14", "In behandeling"]
        + ["2026-03-13", "2026-03-14", "", "", "", "", "", "1000,00", "9%", "90,00", "1090,00", ""],
        [ids["ede"], "Ede", "Fatima el Amrani", "f.elamrani@arnhem.nl", "14", "Verlopen"]
        + ["2026-03-08", "2026-03-09", "2026-03-09", "", "", "2026-03-12", "2026-03-10"]
        + ["5850,50", "21%", "1228,61", "7079,11", ""],
        [ids["evil"], "'" + EVIL, "'+31 6 1234", "x@evil.example", "14", "Afgewezen"]
        + ["2026-03-05", "", "", "", "2026-03-07", "", "", "", "", "", "", ""],
        [ids["arnhem"], "Arnhem", "Fatima el Amrani", "f.elamrani@arnhem.nl", "14"]
        + ["Geaccepteerd", "2026-03-02", "2026-03-03", "2026-03-04", "2026-03-06", "", ""]
        + ["2026-03-31", "5850,50", "21%", "1228,61", "7079,11", "Werklab Arnhem"],
    ]


def test_xlsx_export_has_numbers_and_dates(client, coordinator, pipeline):
    sign_in(client, coordinator.email)
    response = client.get("/beheer/aanvragen.xlsx")

    assert response.status_code == 200
    assert response.mimetype == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    sheet = load_workbook(io.BytesIO(response.data)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0] == HEADER
    arnhem = values[4]
    assert arnhem[0] == pipeline["arnhem"].id
    assert arnhem[6] == datetime(2026, 3, 2)  # a date cell
    assert arnhem[13:17] == [5850.5, "21%", 1228.61, 7079.11]
    assert sheet.cell(row=5, column=14).number_format == "#,##0.00"
    assert sheet.cell(row=5, column=7).number_format == "dd-mm-yyyy"
    assert values[3][1] == "'" + EVIL


def test_the_status_filter(client, coordinator, pipeline):
    sign_in(client, coordinator.email)
    rows = csv_rows(client.get("/beheer/aanvragen.csv?status=accepted"))
    assert [row[1] for row in rows[1:]] == ["Arnhem"]
    assert rows[1][7] == "2026-03-03"  # the stage dates come along with a filter too
    rows = csv_rows(client.get("/beheer/aanvragen.csv?status=onzin"))
    assert len(rows) == 5
    page = text(client.get("/beheer/aanvragen?status=expired"))
    assert "/beheer/aanvragen.xlsx?status=expired" in page


def test_only_coordinators(client, pipeline):
    accounts.create_user(
        "tineke@example.nl", "Tineke", password="lang-genoeg-wachtwoord", trainer=True, actor="t"
    )
    db.session.commit()
    sign_in(client, "tineke@example.nl")
    for url in ("/beheer/aanvragen.csv", "/beheer/aanvragen.xlsx"):
        response = client.get(url)
        assert response.status_code == 403
        assert b"Arnhem" not in response.data


def test_query_count_does_not_grow_with_requests(client, coordinator, count_queries):
    def add(count: int) -> None:
        for n in range(count):
            booking = services.submit_request(intake_data(municipality=f"Gemeente {n}"), now=NOW)
            services.update_request(
                booking, status=RequestStatus.IN_PROGRESS, notes="", actor="test", now=day(1)
            )
            quote_for(booking, valid_until=date(2026, 3, 31), sent=day(2))
        db.session.commit()

    add(2)
    sign_in(client, coordinator.email)
    client.get("/beheer/aanvragen.xlsx")
    with count_queries() as few:
        assert client.get("/beheer/aanvragen.xlsx").status_code == 200
    add(8)
    with count_queries() as many:
        response = client.get("/beheer/aanvragen.xlsx")
    assert load_workbook(io.BytesIO(response.data)).active.max_row == 11
    assert len(many) == len(few), many
