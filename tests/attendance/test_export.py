"""The attendance matrix (participants x sessions) as CSV and XLSX: who is on it, the words
per cell, the totals per person and per session, formula neutralising, an erased
participant, who may download it, and a query count that does not grow with the data."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from tests.workspace.helpers import sign_in, staff, text
from werklab.accounts import services as accounts
from werklab.attendance import services
from werklab.attendance.models import AttendanceStatus
from werklab.catalog.services import utc_to_local
from werklab.db import utcnow
from werklab.extensions import db
from werklab.participant import erasure
from werklab.registration.cancellation import cancel_registration
from werklab.registration.models import RegistrationStatus

P, E, A = AttendanceStatus.PRESENT, AttendanceStatus.EXCUSED, AttendanceStatus.ABSENT
EVIL = "=cmd|' /C calc'!A0"


@pytest.fixture
def trainer(programme):
    user = staff("tineke@example.nl", "Tineke Trainer")
    programme.trainers.append(user)
    db.session.commit()
    return user


def mark(trainer, registration, marks) -> None:
    """Mark a participant at the programme's sessions, in order (None: not marked)."""
    for session, status in zip(registration.programme.sessions, marks, strict=False):
        if status is not None:
            services.mark_attendance(session, registration, status, recorded_by=trainer)


@pytest.fixture
def people(programme, trainer, factories):
    """Bakker (P, P, E), Evil (named =cmd...: A, P, -), Cees who left after one session (P), Dirk
    who was erased after the programme (P, A, P), and Wanda on the waiting list (not on it)."""
    bakker = factories.registration(
        programme, first_name="Sanne", last_name="Bakker", organisation="Wijkteam Oost"
    )
    evil = factories.registration(
        programme, first_name=EVIL, last_name="Evil", organisation="+31 6 12345678"
    )
    cees = factories.registration(programme, first_name="Cees", last_name="Claassen")
    dirk = factories.registration(
        programme, first_name="Dirk", last_name="Dekker", email="dirk@example.nl"
    )
    programme.min_participants, programme.max_participants = 1, 4
    wanda = factories.registration(programme, first_name="Wanda", last_name="Wacht")
    assert wanda.status is RegistrationStatus.WAITLISTED
    mark(trainer, bakker, [P, P, E])
    mark(trainer, evil, [A, P, None])
    mark(trainer, cees, [P])
    mark(trainer, dirk, [P, A, P])
    cancel_registration(cees, actor="test", now=utcnow())
    accounts.create_user("dirk@example.nl", "Dirk Dekker", actor="test")
    db.session.flush()
    erasure.erase(accounts.find_user("dirk@example.nl"), now=utcnow())
    db.session.commit()
    return bakker, evil, cees, dirk


def headings(programme) -> list[str]:
    return [
        f"{s.position}. {utc_to_local(s.starts_at):%d-%m-%Y} {s.theme}" for s in programme.sessions
    ]


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))


def test_csv_matrix(client, programme, trainer, people):
    sign_in(client, trainer)
    response = client.get(f"/werkruimte/{programme.id}/presentie.csv")

    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith(f'attachment; filename="presentie-{programme.slug}-20')
    assert disposition.endswith('.csv"')
    assert response.headers["Cache-Control"] == "no-store"
    rows = csv_rows(response)
    assert rows[0] == (
        ["Naam", "Organisatie", "Inschrijving"]
        + headings(programme)
        + ["Aanwezig", "Afgemeld", "Afwezig"]
    )
    assert rows[1:5] == [
        # by last name, erased people last
        ["Sanne Bakker", "Wijkteam Oost", "Bevestigd", "Aanwezig", "Aanwezig", "Afgemeld"]
        + ["2", "1", "0"],
        ["Cees Claassen", "Gemeente Arnhem", "Geannuleerd", "Aanwezig", "", ""] + ["1", "0", "0"],
        ["'" + EVIL + " Evil", "'+31 6 12345678", "Bevestigd", "Afwezig", "Aanwezig", ""]
        + ["1", "0", "1"],
        ["Gewiste deelnemer", "", "Bevestigd", "Aanwezig", "Afwezig", "Aanwezig"] + ["2", "0", "1"],
    ]
    assert rows[5] == []
    assert rows[6:] == [
        ["Totaal aanwezig", "", "", "3", "2", "1", "6", "", ""],
        ["Totaal afgemeld", "", "", "0", "0", "1", "", "1", ""],
        ["Totaal afwezig", "", "", "1", "1", "0", "", "", "2"],
    ]
    body = text(response)
    assert "Wanda" not in body and "Dekker" not in body and "dirk@" not in body


def test_xlsx_matrix_has_numbers_for_totals_and_text_for_names(client, programme, trainer, people):
    sign_in(client, trainer)
    response = client.get(f"/werkruimte/{programme.id}/presentie.xlsx")

    assert response.status_code == 200
    assert response.mimetype == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response.headers["Content-Disposition"].endswith('.xlsx"')
    sheet = load_workbook(io.BytesIO(response.data)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0][3:6] == headings(programme)
    evil = values[3]
    assert evil[:6] == [
        "'" + EVIL + " Evil",
        "'+31 6 12345678",
        "Bevestigd",
        "Afwezig",
        "Aanwezig",
        None,
    ]
    assert evil[6:] == [1, 0, 1]  # numbers: they sum in Excel
    assert values[6][:6] == ["Totaal aanwezig", None, None, 3, 2, 1]
    assert sheet.cell(row=7, column=1).font.b  # the totals are bold
    assert {cell.data_type for row in sheet.iter_rows() for cell in row} <= {"s", "n", "inlineStr"}


def test_a_trainer_of_another_programme_gets_403(client, programme, people, factories):
    other = staff("yara@example.nl", "Yara Trainer")
    factories.programme().trainers.append(other)
    db.session.commit()
    sign_in(client, other)
    for ext in ("csv", "xlsx"):
        response = client.get(f"/werkruimte/{programme.id}/presentie.{ext}")
        assert response.status_code == 403
        assert b"Bakker" not in response.data


def test_links_on_the_workspace_register_and_coordinator_pages(client, programme, trainer, people):
    url = f"/werkruimte/{programme.id}/presentie.xlsx"
    sign_in(client, trainer)
    assert url in text(client.get(f"/werkruimte/{programme.id}"))
    session = programme.sessions[0]
    assert url in text(client.get(f"/werkruimte/bijeenkomst/{session.id}/presentie"))
    coordinator = staff("cora@example.nl", "Cora", coordinator=True, trainer=False)
    db.session.commit()
    other = client.application.test_client()
    sign_in(other, coordinator)
    page = text(other.get(f"/beheer/programma/{programme.id}"))
    assert url in page
    assert "Download de aanwezigheid van alle deelnemers bij alle bijeenkomsten:" in page


def test_query_count_does_not_grow_with_participants(
    client, programme, trainer, factories, count_queries
):
    first = factories.fill(programme, 2)
    for registration in first:
        mark(trainer, registration, [P, A, E])
    db.session.commit()
    sign_in(client, trainer)
    url = f"/werkruimte/{programme.id}/presentie.xlsx"
    client.get(url)
    with count_queries() as few:
        assert client.get(url).status_code == 200
    for registration in factories.fill(programme, 12):
        mark(trainer, registration, [P, P, A])
    db.session.commit()
    with count_queries() as many:
        response = client.get(url)
    assert load_workbook(io.BytesIO(response.data)).active.max_row == 1 + 14 + 1 + 3
    assert len(many) == len(few), many
