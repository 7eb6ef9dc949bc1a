"""Erasure on request: what goes, what stays without a name, and what blocks it."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from tests.conftest import csrf_from, outbox
from tests.participant.conftest import sign_in, text
from tests.workspace.helpers import sign_in as staff_sign_in
from tests.workspace.helpers import staff
from werklab.accounts import services as accounts
from werklab.attendance.models import AttendanceRecord, AttendanceStatus
from werklab.attendance.services import mark_attendance
from werklab.audit import AuditEntry
from werklab.certificates.models import Certificate
from werklab.certificates.services import issue_certificates
from werklab.db import utcnow
from werklab.extensions import db
from werklab.mail import OutboxMail, queue_mail
from werklab.registration import services as registration_services
from werklab.registration.models import Registration, Sector
from werklab.workspace.models import TrainerNote
from werklab.workspace.services import add_note

ERASE = "/mijn-traject/gegevens/wissen"


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def past_programme(factories, trainer, **kw):
    """A programme whose last session ended weeks ago."""
    programme = factories.programme(now=utcnow() - timedelta(days=200), **kw)
    programme.trainers.append(trainer)
    return programme


def erase(client, confirm=True):
    token = csrf_from(text(client.get(ERASE)))
    data = {"csrf_token": token, **({"confirm": "y"} if confirm else {})}
    return client.post(ERASE, data=data)


def test_erasure_wipes_the_person_and_keeps_the_numbers(client, factories):
    trainer = staff("t@example.nl", "Tineke Trainer")
    programme = past_programme(factories, trainer)
    sanne = factories.registration(
        programme,
        now=utcnow() - timedelta(days=199),
        email="Sanne@Example.nl",
        first_name="Sanne",
        last_name="Smit",
        organisation="Woonstichting Oost",
        sector=Sector.CIVIL_SOCIETY,
        learning_question="Hoe laat ik bewoners het voortouw nemen?",
    )
    bram = factories.registration(
        programme, now=utcnow() - timedelta(days=199), email="bram@example.nl"
    )
    other = factories.programme(title="Ander traject")
    cancelled = factories.registration(other, email="sanne@example.nl", first_name="Sanne")
    registration_services.cancel_registration(cancelled, actor="test")
    for session in programme.sessions:
        mark_attendance(session, sanne, AttendanceStatus.PRESENT, recorded_by=trainer)
        mark_attendance(session, bram, AttendanceStatus.PRESENT, recorded_by=trainer)
    add_note(sanne, "Sanne werkt graag met de buurtcoöperatie.", author=trainer)
    add_note(bram, "Notitie over Bram.", author=trainer)
    assert len(issue_certificates(programme, actor=trainer)) == 2
    old_link = registration_services.manage_token(sanne)
    db.session.commit()
    sign_in(client, "sanne@example.nl")
    assert ERASE in text(client.get("/mijn-traject/gegevens"))
    page = text(client.get(ERASE))
    assert "Wat we wissen" in page and "zeven jaar" in page

    response = erase(client, confirm=False)
    assert response.status_code == 400
    assert "Vink het vakje aan" in text(response)
    assert accounts.find_user("sanne@example.nl") is not None

    response = erase(client)
    assert response.status_code == 302
    assert "Je gegevens zijn gewist" in text(client.get(response.headers["Location"]))
    assert client.get("/mijn-traject/").status_code == 302  # signed out
    db.session.expire_all()
    assert accounts.find_user("sanne@example.nl") is None
    for r in (sanne, cancelled):
        assert r.erased_at is not None
        wiped = (r.first_name, r.last_name, r.organisation, r.learning_question)
        assert wiped == ("", "", "", None)
        assert r.email == f"{r.id}@gewist.invalid"
    assert sanne.sector is Sector.CIVIL_SOCIETY and sanne.status.value == "confirmed"
    assert count(AttendanceRecord, AttendanceRecord.registration_id == sanne.id) == 3
    assert count(TrainerNote) == 1 and count(Certificate) == 1  # Bram's stay
    assert count(OutboxMail, func.lower(OutboxMail.to_addr) == "sanne@example.nl") == 0
    assert count(OutboxMail, OutboxMail.to_addr == "bram@example.nl") > 0
    details = db.session.scalars(
        select(AuditEntry.data).where(
            AuditEntry.object_type == "registrations", AuditEntry.object_id == sanne.id
        )
    ).all()
    assert details and all(d == {} for d in details)
    [erased] = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "person.erased"))
    assert sorted(erased.data["registrations"]) == sorted([sanne.id, cancelled.id])
    assert client.get(f"/inschrijving/{old_link}").status_code == 404
    # The trainer still sees a seat was taken, without a name.
    staff_sign_in(client, trainer)
    page = text(client.get(f"/werkruimte/{programme.id}"))
    assert "Gewiste deelnemer" in page and "Sanne" not in page
    page = text(client.get(f"/werkruimte/deelnemer/{sanne.id}"))
    assert "gewist op " in page and "gewist.invalid" not in page
    export = client.get(f"/werkruimte/{programme.id}/deelnemers.csv").get_data(as_text=True)
    assert "Gewiste deelnemer" in export and "gewist.invalid" not in export
    # No certificate or mail goes to the erased registration any more.
    assert issue_certificates(programme, actor=trainer) == []
    assert queue_mail(sanne.email, "x", "registration/cancelled") == 0
    assert count(OutboxMail, OutboxMail.to_addr.like("%gewist.invalid")) == 0
    # The address is free: the person may come back as anyone else would.
    again = factories.registration(factories.programme(), email="sanne@example.nl")
    assert again.status.value == "confirmed" and again.erased_at is None


def test_a_running_registration_blocks_erasure_and_nothing_changes(client, factories):
    programme = factories.programme(title="Lopend traject")
    registration = factories.registration(programme, email="sanne@example.nl", first_name="S")
    db.session.commit()
    sign_in(client, "sanne@example.nl")
    page = text(client.get(ERASE))
    assert "Je bent nog ingeschreven voor een traject dat loopt" in page
    assert f"/mijn-traject/inschrijving/{registration.id}/annuleren" in page
    assert 'name="confirm"' not in page
    token = csrf_from(text(client.get("/account")))
    response = client.post(ERASE, data={"csrf_token": token, "confirm": "y"})
    assert response.status_code == 409
    assert "Je bent nog ingeschreven voor Lopend traject" in text(response)
    db.session.expire_all()
    assert accounts.find_user("sanne@example.nl") is not None
    assert registration.first_name == "S" and registration.erased_at is None
    assert count(AuditEntry, AuditEntry.action == "person.erased") == 0


def test_after_cancelling_the_running_registration_erasure_goes_ahead(client, factories):
    registration = factories.registration(factories.programme(), email="sanne@example.nl")
    db.session.commit()
    sign_in(client, "sanne@example.nl")
    registration_services.cancel_registration(registration, actor="test")
    db.session.commit()
    assert erase(client).status_code == 302
    db.session.expire_all()
    assert db.session.get(Registration, registration.id).erased_at is not None
    assert outbox() == [m for m in outbox() if m.to_addr != "sanne@example.nl"]


def test_staff_cannot_erase_themselves_here(client):
    trainer = staff("t@example.nl", "Tineke Trainer")
    db.session.commit()
    staff_sign_in(client, trainer)
    assert client.get(ERASE).status_code == 403
    assert ERASE not in text(client.get("/mijn-traject/gegevens"))
