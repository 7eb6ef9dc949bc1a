"""The retention job: RETENTION_MONTHS after a completed programme's last session it erases
exactly what the declaration says, keeps invoices, is idempotent and audited with counts."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from tests.access.test_matrix import client_for
from tests.privacy.helpers import BILLING, PDF, completed_programme, count
from werklab import jobs, storage
from werklab.accounts.models import User
from werklab.assignments.models import Submission, SubmissionFile
from werklab.attendance.models import AttendanceRecord
from werklab.audit import AuditEntry
from werklab.catalog.models import ProgrammeStatus
from werklab.certificates.models import Certificate
from werklab.evaluations.models import Answer, EvaluationResponse
from werklab.extensions import db
from werklab.followup.models import ContactNote
from werklab.intake.models import BookingRequest, RequestStatus
from werklab.invoicing.models import Invoice, RegistrationBilling
from werklab.mail import OutboxMail
from werklab.messages.models import Message
from werklab.privacy.jobs import apply_retention
from werklab.privacy.models import ProgrammeRetention
from werklab.privacy.retention import anonymise_old, months_before
from werklab.registration.models import PaymentMethod, Registration, Sector
from werklab.workspace.models import TrainerNote

NAMES = ("first_name", "last_name", "email", "organisation", "job_title", "learning_question")


@pytest.fixture
def uploads(app, tmp_path):
    old = app.config["UPLOAD_FOLDER"]
    app.config["UPLOAD_FOLDER"] = str(tmp_path / "uploads")
    yield tmp_path / "uploads"
    app.config["UPLOAD_FOLDER"] = old


def snapshot(r: Registration) -> tuple:
    return tuple(getattr(r, name) for name in NAMES)


def test_after_the_period_it_erases_exactly_what_it_must_and_keeps_invoices(factories, uploads):
    a = completed_programme(factories)
    db.session.commit()
    [stored] = list(uploads.iterdir())
    assert stored.read_bytes() == PDF
    ids = [r.id for r in a.people]
    texts = count(Answer, Answer.text.is_not(None))
    assert texts >= 2
    attendance = count(AttendanceRecord, AttendanceRecord.registration_id.in_(ids))
    certificates = count(Certificate, Certificate.programme_id == a.programme.id)
    assert attendance == 12 and certificates == 4
    [invoice] = db.session.scalars(select(Invoice).where(Invoice.registration_id == a.payer.id))
    invoice_before = (invoice.number, invoice.buyer_organisation, invoice.participant_name)
    assert invoice.buyer_email == BILLING.email and invoice.participant_name
    bram_mails = count(OutboxMail, OutboxMail.to_addr == a.bram.email)
    assert count(OutboxMail, OutboxMail.to_addr == a.sanne.email) > 0 and bram_mails > 0
    other_before = snapshot(a.other)
    bram_email = a.bram.email

    erased = apply_retention(a.due() + timedelta(minutes=1))

    db.session.expire_all()
    # The registrations: no name, contact details or learning question; the seat counts.
    for r in a.people:
        assert r.erased_at is not None
        assert (r.first_name, r.last_name, r.organisation, r.job_title) == ("", "", "", "")
        assert r.email == r.email_normalized == f"{r.id}@gewist.invalid"
        assert r.learning_question is None and r.checkout_session_id is None
        assert r.status.value == "confirmed" and r.sector is Sector.GOVERNMENT
    assert snapshot(a.other) == other_before and a.other.erased_at is None
    # Participation stays, without a name; certificates stay (the public check).
    assert count(AttendanceRecord, AttendanceRecord.registration_id.in_(ids)) == attendance
    assert count(Certificate, Certificate.programme_id == a.programme.id) == certificates
    # Notes, hand-ins and their file, written answers, messages: gone.
    assert count(TrainerNote) == 0 and count(ContactNote) == 0
    assert count(Submission) == 0 and count(SubmissionFile) == 0
    assert list(uploads.iterdir()) == []
    assert not storage.exists(stored.name)
    assert count(Answer, Answer.text.is_not(None)) == 0
    assert sorted(db.session.scalars(select(Answer.scale).where(Answer.scale.is_not(None)))) == [
        3,
        5,
    ]
    assert count(EvaluationResponse, EvaluationResponse.registration_id.is_not(None)) == 0
    assert count(Message, Message.programme_id == a.programme.id) == 0
    # Accounts: Sanne's goes with her mails; Bram runs elsewhere, the trainer is staff.
    assert db.session.get(User, a.sanne_user.id) is None
    assert db.session.get(User, a.bram_user.id) is not None
    assert db.session.get(User, a.trainer.id) is not None
    assert count(OutboxMail, OutboxMail.to_addr.like("sanne%")) == 0
    assert count(OutboxMail, OutboxMail.to_addr == "betaler@example.nl") == 0
    assert count(OutboxMail, OutboxMail.to_addr == bram_email) == bram_mails
    # The invoice and the billing details stay as they were (seven years).
    db.session.refresh(invoice)
    assert (invoice.number, invoice.buyer_organisation, invoice.participant_name) == (
        invoice_before
    )
    assert invoice.buyer_email == BILLING.email
    assert count(RegistrationBilling, RegistrationBilling.registration_id == a.payer.id) == 1
    # Marked and audited with the counts.
    mark = db.session.get(ProgrammeRetention, a.programme.id)
    expected = {
        "hand_ins_deleted": 1,
        "evaluation_answers_erased": texts,
        "messages_deleted": 1,
        "registrations_anonymised": 4,
        "accounts_deleted": 1,
        "intake_contacts_erased": 0,
    }
    assert mark.counts == expected
    [entry] = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "programme.personal_data_erased")
    )
    assert (entry.object_id, entry.actor, entry.data) == (a.programme.id, "system", expected)
    assert erased == sum(expected.values())


def test_nothing_happens_before_the_period_is_over(factories, uploads):
    a = completed_programme(factories)
    db.session.commit()
    before = [snapshot(r) for r in a.people]
    assert apply_retention(a.due() - timedelta(minutes=1)) == 0
    db.session.expire_all()
    assert [snapshot(r) for r in a.people] == before
    assert count(Submission) == 1 and len(list(uploads.iterdir())) == 1
    assert count(TrainerNote) == 1 and count(Message) == 1
    assert db.session.get(User, a.sanne_user.id) is not None
    assert count(ProgrammeRetention) == 0
    assert count(AuditEntry, AuditEntry.action == "programme.personal_data_erased") == 0


def test_a_programme_that_is_not_completed_keeps_its_data(factories, uploads):
    a = completed_programme(factories)
    a.programme.status = ProgrammeStatus.CLOSED
    db.session.commit()
    assert apply_retention(a.due(months=24)) == 0
    db.session.expire_all()
    assert a.sanne.erased_at is None and a.sanne.first_name


def test_the_period_follows_the_setting(app, factories, uploads, monkeypatch):
    a = completed_programme(factories)
    db.session.commit()
    monkeypatch.setitem(app.config, "RETENTION_MONTHS", 3)
    assert apply_retention(a.due(months=3) - timedelta(minutes=1)) == 0
    assert apply_retention(a.due(months=3) + timedelta(minutes=1)) > 0
    db.session.expire_all()
    assert a.sanne.erased_at is not None


def test_a_second_run_changes_nothing(factories, uploads):
    a = completed_programme(factories)
    db.session.commit()
    later = a.due() + timedelta(days=1)
    assert apply_retention(later) > 0
    # Someone registers again with Sanne's address afterwards: that is a new person to us.
    assert apply_retention(later + timedelta(days=30)) == 0
    assert count(ProgrammeRetention) == 1
    assert count(AuditEntry, AuditEntry.action == "programme.personal_data_erased") == 1


def test_tick_runs_it(factories, uploads):
    a = completed_programme(factories)
    db.session.commit()
    assert jobs.tick(a.due() - timedelta(minutes=1))["personal_data_erased"] == 0
    assert jobs.tick(a.due() + timedelta(minutes=1))["personal_data_erased"] > 0
    db.session.expire_all()
    assert a.carla.erased_at is not None


def test_months_before_keeps_the_end_of_the_month():
    assert months_before(datetime(2027, 3, 31, 9), 1) == datetime(2027, 2, 28, 9)
    assert months_before(datetime(2027, 1, 15), 12) == datetime(2026, 1, 15)
    assert months_before(datetime(2026, 11, 30), -3) == datetime(2027, 2, 28)


def _invoiced(factories, when: datetime, email: str) -> Invoice:
    programme = factories.programme(now=when)
    registration = factories.registration(
        programme, now=when, email=email, payment_method=PaymentMethod.INVOICE, billing=BILLING
    )
    query = select(Invoice).where(Invoice.registration_id == registration.id)
    return db.session.scalars(query).one()


def test_invoices_are_anonymised_seven_years_after_the_end_of_their_year(factories):
    now = datetime(2035, 1, 10, 12)
    old = _invoiced(factories, datetime(2027, 12, 20, 12), "oud@example.nl")
    kept = _invoiced(factories, datetime(2028, 1, 5, 12), "nieuw@example.nl")
    assert (old.year, kept.year) == (2027, 2028)
    old_billing = old.registration_id
    request = BookingRequest(
        status=RequestStatus.DECLINED,
        municipality="Deventer",
        contact_name="Karin Kok",
        contact_role="Beleidsadviseur",
        contact_email="karin@deventer.example",
        contact_phone="0570 000000",
        expected_participants=12,
        question="Hoe werken we samen?",
        notes="Karin belt terug in maart.",
        updated_at=datetime(2034, 1, 1),
    )
    recent = BookingRequest(
        status=RequestStatus.EXPIRED,
        municipality="Zutphen",
        contact_name="Kees",
        contact_email="kees@zutphen.example",
        expected_participants=12,
        question="?",
        updated_at=datetime(2034, 6, 1),
    )
    db.session.add_all([request, recent])
    db.session.commit()

    counts = anonymise_old(now)
    db.session.commit()
    db.session.expire_all()
    assert counts == {"invoices": 1, "quotes": 0, "billing_details": 1, "intake_contacts": 1}
    blanks = (old.buyer_organisation, old.buyer_address, old.buyer_email, old.participant_name)
    assert blanks == ("", "", "", "")
    assert old.buyer_reference == "" and old.buyer_vat_number is None
    # What the books need stays.
    assert old.number.startswith("2027-") and old.total_incl_cents == 90750
    assert old.issue_date == date(2027, 12, 20) and old.lines[0].description
    assert kept.buyer_organisation == BILLING.organisation and kept.participant_name
    assert count(RegistrationBilling, RegistrationBilling.registration_id == old_billing) == 0
    assert count(RegistrationBilling, RegistrationBilling.registration_id == kept.registration_id)
    assert (request.contact_name, request.contact_email, request.notes) == ("", "", "")
    assert request.municipality == "Deventer" and request.question
    assert recent.contact_name == "Kees"
    [entry] = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "privacy.old_records_anonymised")
    )
    assert entry.data == counts
    # Idempotent: a second run finds nothing and writes no audit row.
    assert set(anonymise_old(now).values()) == {0}
    assert count(AuditEntry, AuditEntry.action == "privacy.old_records_anonymised") == 1


def test_a_cancelled_programme_is_erased_after_the_period_too(factories, uploads):
    a = completed_programme(factories)
    a.programme.status = ProgrammeStatus.CANCELLED
    db.session.commit()
    assert apply_retention(a.due() - timedelta(minutes=1)) == 0
    assert apply_retention(a.due() + timedelta(minutes=1)) > 0
    db.session.expire_all()
    assert all(r.erased_at is not None for r in a.people)


def test_the_trainer_sees_seats_without_names_afterwards(app, factories, uploads):
    a = completed_programme(factories)
    db.session.commit()
    names = [r.first_name for r in a.people]
    apply_retention(a.due() + timedelta(minutes=1))
    trainer = client_for(app, a.trainer)
    page = trainer.get(f"/werkruimte/{a.programme.id}").get_data(as_text=True)
    assert page.count("Gewiste deelnemer") >= 4
    assert not [name for name in names if name in page]
    page = trainer.get(f"/werkruimte/deelnemer/{a.sanne.id}").get_data(as_text=True)
    assert "gewist op " in page and "eigen verzoek" not in page and "gewist.invalid" not in page
