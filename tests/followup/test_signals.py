"""Each signal with an explicit `now`, and how a contact note quiets it until something new."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import select

from tests.followup.helpers import T0, World, after_session, session_start
from werklab.attendance.models import AttendanceStatus as A
from werklab.audit import AuditEntry
from werklab.catalog.services import local_to_utc
from werklab.errors import ValidationError
from werklab.extensions import db
from werklab.followup import services, signals
from werklab.followup.models import ContactNote
from werklab.groups.models import HomeworkGroup
from werklab.invoicing import services as invoicing
from werklab.invoicing.services import BillingDetails
from werklab.registration import services as registration_services
from werklab.registration.models import RegistrationStatus as S


@pytest.fixture
def world(factories):
    return World(factories)


def kinds_of(world, registration, now) -> dict[str, datetime]:
    """{kind: since} of the open signals of one person."""
    person = services.person_of(registration, now)
    return {s.kind.key: s.since for s in person.open_signals} if person else {}


# --- absent without notice --------------------------------------------------------------------


def test_absent_without_notice_at_the_latest_session(world):
    anna, bram, _ = world.people
    world.mark(1, anna, A.ABSENT)
    world.mark(1, bram, A.PRESENT)
    now = after_session(1)
    assert kinds_of(world, anna, now) == {"absent_without_notice": session_start(1)}
    assert kinds_of(world, bram, now) == {}
    person = services.person_of(anna, now)
    assert person.signals[0].sentence == "Zonder afmelden afwezig bij “Thema 1”"


def test_absent_without_notice_goes_away_when_present_at_a_later_session(world):
    anna = world.people[0]
    world.mark(1, anna, A.ABSENT)
    world.mark(2, anna, A.PRESENT)
    assert kinds_of(world, anna, after_session(2)) == {}


def test_excused_is_not_absent_without_notice(world):
    anna = world.people[0]
    world.mark(1, anna, A.EXCUSED)
    assert kinds_of(world, anna, after_session(1)) == {}


def test_a_session_that_has_not_started_does_not_count(world):
    anna = world.people[0]
    world.mark(2, anna, A.ABSENT, now=T0)  # marked in advance (a mistake): not yet a signal
    assert kinds_of(world, anna, session_start(2) - timedelta(minutes=1)) == {}
    assert "absent_without_notice" in kinds_of(world, anna, session_start(2))


# --- absent twice in a row --------------------------------------------------------------------


def test_absent_twice_in_a_row_excused_or_not(world):
    anna, bram, cas = world.people
    world.mark(1, anna, A.EXCUSED)
    world.mark(2, anna, A.EXCUSED)
    world.mark(1, bram, A.EXCUSED)
    world.mark(2, bram, A.PRESENT)
    world.mark(1, cas, A.ABSENT)
    world.mark(2, cas, A.PRESENT)
    world.mark(3, cas, A.EXCUSED)
    now = after_session(3)
    assert kinds_of(world, anna, now) == {"absent_in_a_row": session_start(2)}
    assert kinds_of(world, bram, now) == {}
    assert kinds_of(world, cas, now) == {}
    finding = signals.absent_in_a_row([world.programme.id], now)[anna.id]
    assert finding.details == {"count": 2, "first": session_start(1)}


def test_each_further_missed_session_renews_the_row(world):
    anna = world.people[0]
    world.mark(1, anna, A.ABSENT)
    world.mark(2, anna, A.EXCUSED)
    world.mark(3, anna, A.ABSENT)
    now = after_session(3)
    assert kinds_of(world, anna, now) == {
        "absent_without_notice": session_start(3),
        "absent_in_a_row": session_start(3),
    }
    sentences = [s.sentence for s in services.person_of(anna, now).signals]
    assert "Niet aanwezig bij de laatste 3 bijeenkomsten op rij (afgemeld of niet)" in sentences


def test_a_person_who_cancelled_is_not_followed_up(world):
    anna = world.people[0]
    world.mark(1, anna, A.ABSENT)
    world.mark(2, anna, A.ABSENT)
    registration_services.cancel_registration(anna, actor="test", now=after_session(2))
    assert kinds_of(world, anna, after_session(2, 2)) == {}


# --- silent in the homework group -------------------------------------------------------------


@pytest.fixture
def groups(world):
    anna, bram, cas = world.people
    return world.group("Groep A", [anna, bram]), world.group("Groep B", [cas])


def test_group_handed_in_without_them_after_the_due_date(world, groups):
    anna, bram, cas = world.people
    group_a, _ = groups
    due = after_session(1, 7)
    assignment = world.assignment("Casus", due)
    world.hand_in(assignment, group_a, world.account(anna), now=due - timedelta(days=1))
    # Until the due date Bram may still join in.
    assert kinds_of(world, bram, due - timedelta(minutes=1)) == {}
    now = due + timedelta(hours=1)
    assert kinds_of(world, bram, now) == {"group_without_them": due}
    assert kinds_of(world, anna, now) == {}
    assert kinds_of(world, cas, now) == {}  # his group did not hand in at all
    assert services.person_of(bram, now).signals[0].sentence == (
        "Groep A leverde “Casus” in zonder deze deelnemer"
    )


def test_taking_part_in_any_version_counts(world, groups):
    anna, bram, _ = world.people
    group_a, _ = groups
    due = after_session(1, 7)
    assignment = world.assignment("Casus", due)
    world.hand_in(assignment, group_a, world.account(anna), now=due - timedelta(days=2))
    world.hand_in(assignment, group_a, world.account(bram), now=due - timedelta(days=1))
    assert kinds_of(world, bram, due + timedelta(hours=1)) == {}


def test_only_the_last_assignment_that_is_due_counts(world, groups):
    anna, bram, _ = world.people
    group_a, _ = groups
    first = world.assignment("Eerste", after_session(1, 7))
    second = world.assignment("Tweede", after_session(2, 7))
    world.hand_in(first, group_a, world.account(anna), now=after_session(1, 6))
    world.assignment("Derde, nog niet verlopen", after_session(3, 7))
    assert "group_without_them" in kinds_of(world, bram, after_session(2))
    # The second one is now due and the group handed it in together.
    world.hand_in(second, group_a, world.account(bram), now=after_session(2, 6))
    assert kinds_of(world, bram, after_session(2, 8)) == {}


def test_an_unknown_author_gives_the_group_the_benefit_of_the_doubt(world, groups):
    _, bram, _ = world.people
    group_a, _ = groups
    due = after_session(1, 7)
    assignment = world.assignment("Casus", due)
    world.hand_in(assignment, group_a, None, now=due - timedelta(days=1))
    assert kinds_of(world, bram, due + timedelta(hours=1)) == {}


def test_only_the_current_round_of_groups_counts(world, groups):
    anna, bram, _ = world.people
    group_a, _ = groups
    due = after_session(1, 7)
    assignment = world.assignment("Casus", due)
    world.hand_in(assignment, group_a, world.account(anna), now=due - timedelta(days=1))
    world.group("Nieuwe groep", [bram], round_=2)
    assert kinds_of(world, bram, due + timedelta(hours=1)) == {}
    assert db.session.scalar(
        select(HomeworkGroup.round).where(HomeworkGroup.name == "Nieuwe groep")
    )


# --- invoice overdue --------------------------------------------------------------------------


BILLING = BillingDetails(
    organisation="Gemeente Arnhem",
    address="Postbus 9200\n6800 HA Arnhem",
    email="crediteuren@arnhem.example",
    reference="PO-1",
    vat_number=None,
)


def test_invoice_overdue_from_the_day_after_the_due_date(world):
    anna = world.people[0]
    invoicing.save_billing(anna, BILLING, now=T0)
    invoice = invoicing.invoice_registration(anna, now=T0)
    due = invoice.due_date  # a Dutch calendar day
    first_day = local_to_utc(datetime.combine(due + timedelta(days=1), time()))
    assert first_day == datetime(due.year, due.month, due.day, 22, 0)  # summer time
    assert kinds_of(world, anna, first_day - timedelta(minutes=1)) == {}
    assert kinds_of(world, anna, first_day) == {"invoice_overdue": first_day}
    person = services.person_of(anna, first_day)
    assert person.signals[0].sentence == f"Factuur {invoice.number} is niet op tijd betaald"
    paid_at = first_day + timedelta(days=3)
    invoicing.mark_paid(invoice, actor="test", now=paid_at)
    assert kinds_of(world, anna, paid_at) == {}


# --- an offer left unanswered -----------------------------------------------------------------


def test_an_offer_left_unanswered_for_a_day(factories):
    world = World(factories, people=2, min_participants=1, max_participants=2)
    first, second = world.people
    waiting = factories.registration(world.programme, now=T0, email="wachtend@example.nl")
    assert waiting.status is S.WAITLISTED
    offered_at = T0 + timedelta(days=3)
    registration_services.cancel_registration(first, actor="test", now=offered_at)
    db.session.refresh(waiting)
    assert waiting.status is S.OFFERED
    assert kinds_of(world, waiting, offered_at + timedelta(hours=23)) == {}
    now = offered_at + timedelta(hours=25)
    assert kinds_of(world, waiting, now) == {"offer_unanswered": offered_at}
    # An offer that ran out is no longer one to chase (the seat went to the next person).
    assert kinds_of(world, waiting, offered_at + timedelta(hours=49)) == {}
    registration_services.accept_offer(waiting, now=now)
    assert kinds_of(world, waiting, now) == {}


# --- contact notes ----------------------------------------------------------------------------


def test_contacted_quiets_the_signal(world):
    anna = world.people[0]
    world.mark(1, anna, A.ABSENT)
    now = after_session(1)
    services.record_contact(anna, "Gebeld: ze was ziek.", actor=world.trainer, now=now)
    attention = services.attention(world.programme, now + timedelta(days=1))
    assert attention.needing == []
    assert [p.registration for p in attention.contacted] == [anna]
    assert attention.contacted[0].signals[0].quiet
    note = db.session.scalar(select(ContactNote))
    assert note.quieted == {"absent_without_notice": session_start(1).isoformat()}
    assert note.body == "Gebeld: ze was ziek."
    assert db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "followup.contacted")
    ).data == {"registration_id": anna.id, "kinds": ["absent_without_notice"]}


def test_the_same_kind_with_a_later_since_is_new(world):
    anna = world.people[0]
    world.mark(1, anna, A.ABSENT)
    services.record_contact(anna, "", actor=world.trainer, now=after_session(1))
    world.mark(2, anna, A.PRESENT)
    world.mark(3, anna, A.ABSENT)
    attention = services.attention(world.programme, after_session(3))
    assert [p.registration for p in attention.needing] == [anna]
    assert kinds_of(world, anna, after_session(3)) == {"absent_without_notice": session_start(3)}


def test_a_new_kind_is_new_and_the_quieted_one_stays_quiet(world):
    anna = world.people[0]
    world.mark(1, anna, A.EXCUSED)
    world.mark(2, anna, A.EXCUSED)
    services.record_contact(anna, "", actor=world.trainer, now=after_session(2))
    # The invoice falls due the day after the contact.
    invoicing.save_billing(anna, BILLING, now=T0)
    invoicing.invoice_registration(anna, now=after_session(2, -29))
    now = after_session(2, 5)
    person = services.person_of(anna, now)
    assert {s.kind.key: s.quiet for s in person.signals} == {
        "absent_in_a_row": True,
        "invoice_overdue": False,
    }
    assert person.needs_attention


def test_contacted_without_signals_is_refused_and_stores_nothing(world):
    anna = world.people[0]
    with pytest.raises(services.NothingToQuiet) as caught:
        services.record_contact(anna, "", actor=world.trainer, now=after_session(1))
    assert "heeft op dit moment geen signalen" in caught.value.message
    assert db.session.scalar(select(ContactNote)) is None


def test_a_contact_note_that_is_too_long_is_refused(world):
    anna = world.people[0]
    world.mark(1, anna, A.ABSENT)
    with pytest.raises(ValidationError):
        services.record_contact(anna, "x" * 1001, actor=world.trainer, now=after_session(1))
    assert db.session.scalar(select(ContactNote)) is None


# --- the registry -----------------------------------------------------------------------------


def test_a_one_programme_function_plugs_in_with_per_programme(world, monkeypatch):
    """How `werklab.evaluations.services.unanswered_in_a_row` joins at merge."""
    anna = world.people[0]
    since = after_session(2)
    calls = []

    def unanswered_in_a_row(programme_id: int, now: datetime) -> dict[int, datetime]:
        calls.append(programme_id)
        return {anna.id: since} if programme_id == world.programme.id else {}

    registry = dict(signals.REGISTRY)
    monkeypatch.setattr(signals, "REGISTRY", registry)
    monkeypatch.setattr(services, "REGISTRY", registry)
    signals.register(
        signals.SignalKind(
            "no_evaluation",
            "Geen evaluatie ingevuld",
            "Twee keer op rij geen evaluatie.",
            signals.per_programme(unanswered_in_a_row),
        )
    )
    person = services.person_of(anna, after_session(2, 2))
    assert [(s.kind.key, s.since, s.sentence) for s in person.signals] == [
        ("no_evaluation", since, "Geen evaluatie ingevuld")
    ]
    assert calls == [world.programme.id]


def test_week_start_is_the_dutch_monday():
    # Sunday 23:30 UTC in summer is Monday 01:30 in Amsterdam.
    assert services.week_start(datetime(2026, 6, 7, 23, 30)) == date(2026, 6, 8)
    assert services.week_start(datetime(2026, 6, 7, 21, 30)) == date(2026, 6, 1)
