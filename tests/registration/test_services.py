"""Registration, the cap and the waiting list, at the service level with an explicit `now`."""

from datetime import timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import select

from tests.conftest import outbox, tampered
from werklab import jobs
from werklab.audit import AuditEntry
from werklab.catalog.models import ProgrammeStatus
from werklab.db import utcnow
from werklab.errors import DomainError
from werklab.extensions import db
from werklab.registration import services
from werklab.registration.models import Registration
from werklab.registration.models import RegistrationStatus as S
from werklab.registration.seats import seats_taken, waitlist_position
from werklab.registration.signup import AlreadyRegistered, RegistrationClosed
from werklab.registration.waitlist import OfferNotOpen

NOW = utcnow().replace(microsecond=0)


def registrations(programme):
    return list(
        db.session.execute(
            select(Registration)
            .where(Registration.programme_id == programme.id)
            .order_by(Registration.id)
        ).scalars()
    )


def test_seats_until_full_then_waiting_list_in_order(factories):
    programme = factories.programme(now=NOW)
    seated = factories.fill(programme, 15, now=NOW)
    assert all(r.status is S.CONFIRMED for r in seated)
    waiting = factories.fill(programme, 3, now=NOW)
    assert [r.status for r in waiting] == [S.WAITLISTED] * 3
    assert [waitlist_position(r) for r in waiting] == [1, 2, 3]
    assert seats_taken(programme.id, NOW) == 15


def test_smaller_maximum_is_respected(factories):
    programme = factories.programme(now=NOW, min_participants=2, max_participants=4)
    people = factories.fill(programme, 6, now=NOW)
    assert [r.status for r in people].count(S.CONFIRMED) == 4
    assert [r.status for r in people].count(S.WAITLISTED) == 2


def test_registration_stores_what_was_given(factories, programme):
    registration = factories.registration(
        programme,
        now=NOW,
        email="  Fatima.Yilmaz@Example.NL ",
        first_name=" Fatima ",
        dietary_wishes="Halal",
        learning_question="Hoe begin ik?",
    )
    stored = db.session.get(Registration, registration.id)
    assert stored.email == "Fatima.Yilmaz@Example.NL"
    assert stored.email_normalized == "fatima.yilmaz@example.nl"
    assert stored.first_name == "Fatima"
    assert stored.dietary_wishes == "Halal"
    assert stored.learning_question == "Hoe begin ik?"
    assert stored.privacy_consent_at == NOW
    assert stored.confirmed_at == NOW


def test_after_deadline_nothing_is_stored(factories):
    programme = factories.programme(now=NOW, registration_deadline=NOW - timedelta(minutes=1))
    with pytest.raises(RegistrationClosed, match="inschrijftermijn"):
        factories.registration(programme, now=NOW)
    assert registrations(programme) == []


@pytest.mark.parametrize(
    "status", [ProgrammeStatus.DRAFT, ProgrammeStatus.CLOSED, ProgrammeStatus.CANCELLED]
)
def test_programme_not_open_refuses(factories, status):
    programme = factories.programme(now=NOW, status=status)
    with pytest.raises(RegistrationClosed):
        factories.registration(programme, now=NOW)
    assert registrations(programme) == []


def test_invitation_only_needs_the_token(factories):
    programme = factories.invitation_programme(now=NOW)
    with pytest.raises(RegistrationClosed):
        services.register(programme.id, factories.person(), invitation_token=None, now=NOW)
    with pytest.raises(RegistrationClosed):
        services.register(programme.id, factories.person(), invitation_token="guess", now=NOW)
    ok = services.register(
        programme.id, factories.person(), invitation_token=programme.invitation_token, now=NOW
    )
    assert ok.status is S.CONFIRMED


def test_consent_is_required(factories, programme):
    with pytest.raises(DomainError, match="privacy"):
        factories.registration(programme, now=NOW, privacy_consent=False)
    assert registrations(programme) == []


def test_one_active_registration_per_email(factories, programme):
    first = factories.registration(programme, now=NOW, email="kees@example.nl")
    with pytest.raises(AlreadyRegistered):
        factories.registration(programme, now=NOW, email="KEES@example.nl")
    services.cancel_registration(first, actor="test", now=NOW)
    again = factories.registration(programme, now=NOW, email="kees@example.nl")
    assert again.status is S.CONFIRMED
    # The same person may register for another programme.
    other = factories.programme(now=NOW)
    assert factories.registration(other, now=NOW, email="kees@example.nl").is_seated


def test_database_refuses_two_active_registrations_for_one_email(factories, programme):
    from sqlalchemy.exc import IntegrityError

    first = factories.registration(programme, now=NOW)
    clone = Registration(
        programme_id=programme.id,
        status=S.WAITLISTED,
        first_name="x",
        last_name="y",
        email=first.email,
        email_normalized=first.email_normalized,
        organisation="o",
        sector=first.sector,
        job_title="j",
        privacy_consent_at=NOW,
        manage_key="another-key",
        waitlist_seq=99,
    )
    db.session.add(clone)
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_cancel_offers_seat_to_first_waiting_and_accept_seats(factories):
    programme = factories.programme(now=NOW)
    seated = factories.fill(programme, 15, now=NOW)
    first, second = factories.fill(programme, 2, now=NOW)

    services.cancel_registration(seated[0], actor="test", now=NOW)
    assert seated[0].status is S.CANCELLED
    assert first.status is S.OFFERED
    assert first.offer_expires_at == NOW + timedelta(hours=48)
    assert second.status is S.WAITLISTED
    assert waitlist_position(second) == 1
    # The open offer holds the seat: a newcomer joins the waiting list behind the second.
    newcomer = factories.registration(programme, now=NOW)
    assert newcomer.status is S.WAITLISTED
    assert waitlist_position(newcomer) == 2
    assert seats_taken(programme.id, NOW) == 15

    offer_mail = outbox("registration.offer")[-1]
    assert offer_mail.to_addr == first.email
    assert "/aanbod?keuze=accept" in offer_mail.body_text
    assert "/aanbod?keuze=decline" in offer_mail.body_text

    services.accept_offer(first, now=NOW + timedelta(hours=1))
    assert first.status is S.CONFIRMED
    assert seats_taken(programme.id, NOW) == 15
    assert outbox("registration.confirmed")[-1].to_addr == first.email


def test_offer_expiry_moves_to_next_and_tick_is_idempotent(factories):
    programme = factories.programme(now=NOW, min_participants=1, max_participants=1)
    seated = factories.registration(programme, now=NOW)
    first, second = factories.fill(programme, 2, now=NOW)
    services.cancel_registration(seated, actor="test", now=NOW)
    assert first.status is S.OFFERED

    db.session.commit()
    later = NOW + timedelta(hours=48, seconds=1)
    assert jobs.expire_offers(later) == 1
    db.session.refresh(first)
    db.session.refresh(second)
    assert first.status is S.OFFER_EXPIRED
    assert second.status is S.OFFERED
    assert second.offer_expires_at == later + timedelta(hours=48)
    assert outbox("registration.offer_expired")[-1].to_addr == first.email

    # Running again changes nothing.
    assert jobs.expire_offers(later) == 0
    db.session.refresh(second)
    assert second.status is S.OFFERED
    with pytest.raises(OfferNotOpen):
        services.accept_offer(first, now=later)


def test_offer_not_counted_after_expiry_even_before_tick(factories):
    programme = factories.programme(now=NOW, min_participants=1, max_participants=1)
    seated = factories.registration(programme, now=NOW)
    waiting = factories.registration(programme, now=NOW)
    services.cancel_registration(seated, actor="test", now=NOW)
    assert seats_taken(programme.id, NOW) == 1
    assert seats_taken(programme.id, NOW + timedelta(hours=49)) == 0
    with pytest.raises(OfferNotOpen):
        services.accept_offer(waiting, now=NOW + timedelta(hours=49))


def test_decline_moves_to_next(factories):
    programme = factories.programme(now=NOW, min_participants=1, max_participants=1)
    seated = factories.registration(programme, now=NOW)
    first, second = factories.fill(programme, 2, now=NOW)
    services.cancel_registration(seated, actor="test", now=NOW)
    services.decline_offer(first, now=NOW)
    assert first.status is S.DECLINED
    assert second.status is S.OFFERED
    with pytest.raises(OfferNotOpen):
        services.decline_offer(first, now=NOW)


def test_expired_hold_frees_the_seat(factories):
    programme = factories.programme(now=NOW, min_participants=1, max_participants=1)
    held = factories.registration(programme, now=NOW)
    held.status, held.hold_expires_at = S.HELD, NOW + timedelta(minutes=30)
    waiting = factories.registration(programme, now=NOW)
    assert waiting.status is S.WAITLISTED
    db.session.commit()
    jobs.expire_offers(NOW + timedelta(minutes=31))
    db.session.refresh(held)
    db.session.refresh(waiting)
    assert held.status is S.HOLD_EXPIRED
    assert waiting.status is S.OFFERED


def test_cancelling_twice_is_refused(factories, programme):
    registration = factories.registration(programme, now=NOW)
    services.cancel_registration(registration, actor="test", now=NOW)
    with pytest.raises(services.NotActive):
        services.cancel_registration(registration, actor="test", now=NOW)


def test_confirmation_mail_carries_the_sessions_as_ics(factories, programme):
    registration = factories.registration(programme, now=NOW, first_name="Sanne")
    mail = outbox("registration.confirmed")[-1]
    assert mail.to_addr == registration.email
    assert programme.title in mail.subject
    assert mail.body_text.startswith("Beste Sanne,")
    assert services.manage_url(registration) in mail.body_text
    assert services.manage_url(registration).startswith("http://werklab.test/inschrijving/")
    # The .ics is made when the mail goes out (with the sessions as they are then).
    from werklab.mail import build_message

    [attachment] = build_message(mail, "werklab <noreply@werklab.example>").iter_attachments()
    assert attachment.get_content_type() == "text/calendar"
    assert attachment.get_filename() == f"{programme.slug}.ics"
    cal = Calendar.from_ical(attachment.get_payload(decode=True))
    events = cal.walk("VEVENT")
    assert [str(e["summary"]) for e in events] == [
        f"{programme.title}: {s.theme}" for s in programme.sessions
    ]
    assert events[0].decoded("dtstart").replace(tzinfo=None) == programme.sessions[0].starts_at


def test_waitlist_mail_tells_the_position(factories):
    programme = factories.programme(now=NOW, min_participants=1, max_participants=1)
    factories.registration(programme, now=NOW)
    factories.registration(programme, now=NOW)
    third = factories.registration(programme, now=NOW)
    mail = outbox("registration.waitlisted")[-1]
    assert mail.to_addr == third.email
    assert " 2" in mail.body_text  # position 2
    assert mail.attachments == []


def test_state_changes_are_audited(factories, programme):
    registration = factories.registration(programme, now=NOW)
    services.cancel_registration(registration, actor="participant:1", now=NOW)
    actions = [
        (e.action, e.actor)
        for e in db.session.execute(
            select(AuditEntry).where(
                AuditEntry.object_id == registration.id, AuditEntry.object_type == "registrations"
            )
        ).scalars()
    ]
    assert actions == [
        ("registration.created", "test"),
        ("registration.cancelled", "participant:1"),
    ]


def test_manage_token_round_trip_and_tampering(factories, programme):
    registration = factories.registration(programme, now=NOW)
    token = services.manage_token(registration)
    assert services.find_by_token(token) is registration
    assert services.find_by_token(tampered(token)) is None
    assert services.find_by_token("nonsense") is None
    assert registration.manage_key not in token.split(".")[-1]  # signature is not the key
