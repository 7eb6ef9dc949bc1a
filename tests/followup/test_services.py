"""A fixed number of queries; the personal message; the weekly digest."""

from __future__ import annotations

from datetime import datetime, timedelta
from email.utils import formataddr

import pytest
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from tests.conftest import outbox
from tests.followup.helpers import T0, World, after_session
from tests.workspace.helpers import staff
from werklab.assignments.models import Submission
from werklab.attendance.models import AttendanceRecord
from werklab.attendance.models import AttendanceStatus as A
from werklab.audit import AuditEntry
from werklab.errors import ValidationError
from werklab.extensions import db
from werklab.followup import jobs, services
from werklab.followup.models import ContactNote, Digest
from werklab.invoicing import services as invoicing
from werklab.invoicing.services import BillingDetails
from werklab.mail import ERASED_DOMAIN, OutboxMail, build_message
from werklab.registration.models import Registration
from werklab.registration.models import RegistrationStatus as S

BILLING = BillingDetails("Gemeente Ede", "Postbus 9022\n6710 HK Ede", "factuur@ede.example", "PO-9")


# --- a fixed number of queries --------------------------------------------------------------


def populated(factories, people: int, tag: str = "") -> World:
    """A programme of `people` seated participants, each with attendance at four past
    sessions (half absent, some in a row), groups of three that handed in without some,
    and overdue invoices for a few. Beyond 15 people the cap is lifted by hand: only to show
    that the number of queries does not grow with the group."""
    world = World(factories, people=min(people, 15), tag=tag, min_participants=1)
    for i in range(people - 15):
        extra = factories.registration(world.programme, now=T0, email=f"extra{i}{tag}@x.nl")
        world.people.append(extra)
    db.session.execute(
        update(Registration)
        .where(Registration.programme_id == world.programme.id)
        .values(status=S.CONFIRMED)
    )
    for n in range(1, 5):
        for i, person in enumerate(world.people):
            status = [A.PRESENT, A.ABSENT, A.EXCUSED][(i + n) % 3] if i % 2 else A.PRESENT
            db.session.add(
                AttendanceRecord(
                    session_id=world.session(n).id, registration_id=person.id, status=status
                )
            )
    assignment = world.assignment("Casus", after_session(3, 7))
    for start in range(0, len(world.people), 3):
        members = world.people[start : start + 3]
        group = world.group(f"Groep {start // 3 + 1}", members)
        author = world.account(members[0])
        world.hand_in(assignment, group, author, now=after_session(3, 6))
    for person in world.people[:3]:
        invoicing.save_billing(person, BILLING, now=T0)
        invoicing.invoice_registration(person, now=T0)
    db.session.flush()
    return world


def queries_for(count_queries, world) -> tuple[int, services.Attention]:
    db.session.expire_all()
    with count_queries() as statements:
        attention = services.attention(world.programme, after_session(4))
    return len(statements), attention


def test_signals_take_the_same_number_of_queries_for_5_and_50_participants(
    factories, count_queries
):
    small = populated(factories, 5, ".small")
    large = populated(factories, 50, ".large")
    small_count, small_attention = queries_for(count_queries, small)
    large_count, large_attention = queries_for(count_queries, large)
    assert small_count == large_count <= 10
    # And the signals are really there, for many people.
    assert len(large_attention.needing) > 20
    kinds = {s.kind.key for p in large_attention.needing for s in p.signals}
    assert {"absent_without_notice", "absent_in_a_row", "group_without_them"} <= kinds
    assert "invoice_overdue" in kinds
    assert len(small_attention.needing) >= 2


def test_the_overview_takes_the_same_number_of_queries_for_1_and_4_programmes(
    factories, count_queries
):
    worlds = [populated(factories, 5, f".{n}") for n in range(4)]
    programmes = [w.programme for w in worlds]
    counts = []
    for selection in (programmes[:1], programmes):
        db.session.expire_all()
        ids = [p.id for p in selection]  # loaded again, as a request would
        with count_queries() as statements:
            rows = services.overview(selection, after_session(4))
        assert sorted(r.programme.id for r in rows) == sorted(ids)
        counts.append(len(statements))
    assert counts[0] == counts[1]
    assert {r.programme.id: r.needing for r in rows} == {
        p.id: len(services.attention(p, after_session(4)).needing) for p in programmes
    }


# --- the personal message -------------------------------------------------------------------


@pytest.fixture
def world(factories):
    return World(factories)


def test_a_personal_message_goes_through_the_outbox_with_reply_to_the_trainer(world):
    anna = world.people[0]
    world.trainer.name = 'Tineke "de" Trainer'
    world.mark(1, anna, A.ABSENT)
    now = after_session(1)
    services.send_personal_message(
        anna,
        "Hoe gaat het?",
        "Beste Deelnemer0,\n\nWe misten je.\n\nGroet, Tineke",
        sender=world.trainer,
        mark_contacted=True,
        now=now,
    )
    [mail] = outbox("followup.personal_message")
    assert mail.to_addr == "deelnemer0@example.nl"
    assert mail.subject == "Hoe gaat het?"
    assert "We misten je." in mail.body_text
    assert "We misten je." in mail.body_html
    assert "Beantwoord deze e-mail om Tineke" in mail.body_text
    message = build_message(mail, "werklab <noreply@werklab.example>")
    assert message["Reply-To"] == formataddr(('Tineke "de" Trainer', "tineke@example.nl"))
    assert message["To"] == formataddr(("Deelnemer0 Achternaam0", "deelnemer0@example.nl"))
    # Marked as contacted: the signal is quiet, the note says what happened.
    note = db.session.scalar(select(ContactNote))
    assert note.body == "Persoonlijk bericht gestuurd: Hoe gaat het?"
    assert services.attention(world.programme, now).needing == []
    assert db.session.scalar(
        select(AuditEntry.action).where(AuditEntry.action == "followup.message_sent")
    )


def test_a_message_without_marking_leaves_the_signal_open(world):
    anna = world.people[0]
    world.mark(1, anna, A.ABSENT)
    services.send_personal_message(
        anna, "Hallo", "Even checken.", sender=world.trainer, now=after_session(1)
    )
    assert db.session.scalar(select(ContactNote)) is None
    assert [
        p.registration for p in services.attention(world.programme, after_session(1)).needing
    ] == [anna]


@pytest.mark.parametrize(
    ("subject", "body", "message"),
    [
        ("", "Tekst", "Vul een onderwerp in."),
        ("x" * 201, "Tekst", "Een onderwerp mag maximaal 200 tekens lang zijn."),
        ("Hallo", "  ", "Schrijf je bericht."),
        ("Hallo", "x" * 5001, "Een bericht mag maximaal 5000 tekens lang zijn."),
    ],
)
def test_bad_messages_are_refused_and_nothing_is_queued(world, subject, body, message):
    with pytest.raises(ValidationError) as caught:
        services.send_personal_message(
            world.people[0], subject, body, sender=world.trainer, now=after_session(1)
        )
    assert caught.value.message == message
    assert (
        db.session.scalar(select(OutboxMail.id)) is None
        or outbox("followup.personal_message") == []
    )


def test_a_line_break_in_the_subject_cannot_reach_the_header(world):
    services.send_personal_message(
        world.people[0], "Hallo\r\nBcc: x@evil.example", "Tekst", sender=world.trainer, now=T0
    )
    [mail] = outbox("followup.personal_message")
    assert mail.subject == "Hallo Bcc: x@evil.example"
    assert build_message(mail, "noreply@werklab.example")["Bcc"] is None


def test_an_erased_person_cannot_be_mailed(world):
    anna = world.people[0]
    # What werklab.participant.erasure leaves of a registration.
    anna.email = anna.email_normalized = f"{anna.id}@{ERASED_DOMAIN}"
    anna.erased_at = T0
    with pytest.raises(services.CannotMail):
        services.send_personal_message(anna, "Hallo", "Tekst", sender=world.trainer, now=T0)
    assert outbox("followup.personal_message") == []


# --- the weekly digest ----------------------------------------------------------------------


#: Monday 27 April 2026 (after session 1 on Thursday 11 April... see the helpers): 07:00
#: Dutch summer time is 05:00 UTC.
def monday_after(moment: datetime, hour_utc: int = 5) -> datetime:
    days = (7 - moment.weekday()) % 7 or 7
    return (moment + timedelta(days=days)).replace(hour=hour_utc, minute=0, second=0)


def test_the_digest_goes_out_on_monday_once_and_only_with_something_new(world):
    anna, bram, _ = world.people
    world.mark(1, anna, A.ABSENT)
    db.session.commit()
    monday = monday_after(after_session(1))
    assert jobs.mail_digests(monday - timedelta(minutes=1)) == 0  # 06:59 Dutch time
    assert jobs.mail_digests(monday) == 1
    [mail] = outbox("followup.digest")
    assert mail.to_addr == "tineke@example.nl"
    assert mail.subject == "Wie heeft deze week aandacht nodig"
    assert "Deelnemer0 Achternaam0" in mail.body_text
    assert "Zonder afmelden afwezig bij “Thema 1”" in mail.body_text
    assert "[nieuw]" in mail.body_text
    assert f"http://werklab.test/werkruimte/{world.programme.id}/aandacht" in mail.body_text
    assert "Deelnemer1" not in mail.body_text
    # Again in the same week (another tick, another machine): nothing.
    assert jobs.mail_digests(monday + timedelta(hours=3)) == 0
    assert jobs.mail_digests(monday + timedelta(days=4)) == 0
    assert len(outbox("followup.digest")) == 1
    # The next week, nothing new: checked, not mailed.
    assert jobs.mail_digests(monday + timedelta(weeks=1)) == 0
    digests = db.session.scalars(select(Digest).order_by(Digest.week_start)).all()
    assert [d.mailed for d in digests] == [True, False]
    # Something new the week after: mailed again, the new one marked.
    world.mark(1, bram, A.ABSENT, now=monday + timedelta(weeks=2))
    db.session.commit()
    assert jobs.mail_digests(monday + timedelta(weeks=2)) == 1
    latest = outbox("followup.digest")[-1]
    assert "Deelnemer1 Achternaam1" in latest.body_text
    assert latest.body_text.count("[nieuw]") == 1


def test_quieted_signals_are_not_news(world):
    anna = world.people[0]
    world.mark(1, anna, A.ABSENT)
    services.record_contact(anna, "", actor=world.trainer, now=after_session(1))
    db.session.commit()
    assert jobs.mail_digests(monday_after(after_session(1))) == 0
    assert outbox("followup.digest") == []


def test_the_claim_holds_when_a_second_machine_checks_the_same_trainer(world):
    """The unique (trainer, week) row: a machine that missed the first one's row (it read
    before the commit) still cannot check or mail the trainer again."""
    world.mark(1, world.people[0], A.ABSENT)
    db.session.commit()
    monday = monday_after(after_session(1))
    first = services.send_digest(world.trainer, now=monday)
    second = services.send_digest(world.trainer, now=monday)
    assert first.mailed and second is None
    # As if the existence check had missed it: the insert itself is refused.
    db.session.commit()
    digest = Digest(
        trainer_id=world.trainer.id, week_start=services.week_start(monday), signal_keys=[]
    )
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.add(digest)
    assert len(outbox("followup.digest")) == 1


def test_only_trainers_of_running_programmes_get_a_digest(world, factories):
    world.mark(1, world.people[0], A.ABSENT)
    staff("cora@example.nl", "Cora", coordinator=True, trainer=False, password=False)
    idle = staff("ivo@example.nl", "Ivo Trainer", password=False)
    other = factories.programme(now=T0, title="Rustig traject")
    other.trainers.append(idle)
    db.session.commit()
    monday = monday_after(after_session(1))
    assert jobs.mail_digests(monday) == 1
    assert [m.to_addr for m in outbox("followup.digest")] == ["tineke@example.nl"]
    # Ivo was checked too (nothing to report), the coordinator is no trainer.
    checked = db.session.scalars(select(Digest.trainer_id)).all()
    assert sorted(checked) == sorted([world.trainer.id, idle.id])


def test_no_submission_table_is_needed_for_a_programme_without_assignments(world):
    """A programme without groups or assignments has no homework signal and no error."""
    assert db.session.scalar(select(Submission.id)) is None
    assert services.attention(world.programme, after_session(1)).people == []
