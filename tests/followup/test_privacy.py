"""A contact note is a note about a participant: they can read it under "mijn gegevens",
and it goes when they have their data erased."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import func, select

from tests.conftest import csrf_from
from tests.participant.conftest import sign_in, text
from tests.workspace.helpers import staff
from werklab.attendance.models import AttendanceStatus
from werklab.attendance.services import mark_attendance
from werklab.db import utcnow
from werklab.extensions import db
from werklab.followup import services
from werklab.followup.models import ContactNote


def contacted(factories, days_ago: int):
    trainer = staff("t@example.nl", "Tineke Trainer", password=False)
    programme = factories.programme(now=utcnow() - timedelta(days=days_ago))
    programme.trainers.append(trainer)
    sanne = factories.registration(
        programme,
        now=utcnow() - timedelta(days=days_ago),
        email="sanne@example.nl",
        first_name="Sanne",
    )
    session = programme.sessions[0]
    mark_attendance(session, sanne, AttendanceStatus.ABSENT, recorded_by=trainer)
    services.record_contact(
        sanne, "Gebeld: ze was ziek.", actor=trainer, now=session.ends_at + timedelta(days=1)
    )
    db.session.commit()
    return sanne


def test_the_participant_reads_the_contact_note_under_my_data(client, factories):
    contacted(factories, days_ago=60)
    sign_in(client, "sanne@example.nl")
    page = text(client.get("/mijn-traject/gegevens"))
    assert "Gebeld: ze was ziek." in page
    assert "Tineke Trainer" in page
    export = json.loads(client.get("/mijn-traject/gegevens.json").get_data(as_text=True))
    [notes] = [r["trainer_notes"] for r in export["registrations"]]
    assert [(n["by"], n["text"]) for n in notes] == [("Tineke Trainer", "Gebeld: ze was ziek.")]


def test_erasure_removes_the_contact_notes(client, factories):
    contacted(factories, days_ago=200)  # the programme is long over
    sign_in(client, "sanne@example.nl")
    page = text(client.get("/mijn-traject/gegevens/wissen"))
    response = client.post(
        "/mijn-traject/gegevens/wissen", data={"csrf_token": csrf_from(page), "confirm": "y"}
    )
    assert response.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(ContactNote)) == 0
