"""Hosts take turns: the services, each with an explicit `now`."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.conftest import outbox
from tests.hosting.helpers import T0, World, offer_data
from werklab import audit
from werklab.catalog import services as catalog
from werklab.catalog.models import ProgrammeKind
from werklab.errors import DomainError, ValidationError
from werklab.extensions import db
from werklab.hosting import services
from werklab.hosting.models import HostOffer, HostQuestion, OfferStatus
from werklab.manage import history


@pytest.fixture
def world(factories):
    return World(factories)


def _actions(action: str) -> list:
    return list(
        db.session.execute(
            select(audit.AuditEntry).where(audit.AuditEntry.action == action)
        ).scalars()
    )


def test_a_seated_participant_offers_to_host_and_the_trainer_is_told(world):
    anna = world.people[0]
    offer = services.volunteer(
        anna,
        offer_data(preferred_session_id=world.sessions[1].id, preferred_period="voorjaar"),
        now=T0,
    )
    stored = db.session.get(HostOffer, offer.id)
    assert stored.status is OfferStatus.OPEN
    assert (stored.organisation, stored.capacity) == ("Buurthuis De Speeldoos", 25)
    assert stored.preferred_session_id == world.sessions[1].id
    assert stored.preferred_period == "voorjaar"
    assert stored.created_at == T0
    [mail] = outbox("hosting.offer_received")
    assert mail.to_addr == "tineke@example.nl"
    assert "Deelnemer0 Achternaam" in mail.subject
    assert "Buurthuis De Speeldoos" in mail.body_text
    assert f"/werkruimte/{world.programme.id}/gastheren" in mail.body_text
    assert mail.reply_to == [["Deelnemer0 Achternaam", anna.email]]
    assert len(_actions("hosting.offered")) == 1


def test_only_a_seated_participant_of_a_programme_with_hosts_can_offer(world, factories):
    with pytest.raises(DomainError, match="bevestigde plaats"):
        services.volunteer(world.waiting, offer_data(), now=T0)
    werklab = factories.programme(kind=ProgrammeKind.WERKLAB, now=T0)
    # A werklab has its three fixed places: it does not look for hosts.
    assert not services.hosts_in_turn(werklab)
    assert db.session.query(HostOffer).count() == 0


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"capacity": 0}, "1 tot 500"),
        ({"capacity": -3}, "1 tot 500"),
        ({"capacity": 501}, "1 tot 500"),
        ({"capacity": 10**12}, "1 tot 500"),
        ({"organisation": "   "}, "naam van je organisatie"),
        ({"organisation": "x" * 201}, "hoogstens 200 tekens"),
        ({"address": ""}, "Vul het adres in"),
        ({"address": "y" * 301}, "hoogstens 300 tekens"),
        ({"notes": "z" * 2001}, "hoogstens 2000 tekens"),
        ({"preferred_period": "p" * 101}, "hoogstens 100 tekens"),
        ({"preferred_session_id": 999999}, "een van de bijeenkomsten"),
    ],
)
def test_bad_offers_are_refused_in_dutch_and_nothing_is_stored(world, changes, message):
    with pytest.raises(ValidationError, match=message):
        services.volunteer(world.people[0], offer_data(**changes), now=T0)
    assert db.session.query(HostOffer).count() == 0
    assert outbox("hosting.offer_received") == []


def test_an_offer_can_be_withdrawn_until_it_is_accepted(world):
    first = services.volunteer(world.people[0], offer_data(), now=T0)
    services.withdraw_offer(first, now=T0 + timedelta(hours=1))
    assert first.status is OfferStatus.WITHDRAWN and first.withdrawn_at == T0 + timedelta(hours=1)
    with pytest.raises(DomainError, match="al ingetrokken"):
        services.withdraw_offer(first, now=T0)
    second = services.volunteer(world.people[1], offer_data(), now=T0)
    services.accept_offer(second, world.sessions[0], actor=world.trainer, now=T0)
    with pytest.raises(DomainError, match="al geaccepteerd"):
        services.withdraw_offer(second, now=T0)
    assert second.status is OfferStatus.ACCEPTED


def test_accepting_moves_the_meeting_to_the_host_and_mails_everyone(world):
    anna, bram = world.people[0], world.people[1]
    session = world.sessions[1]
    chosen = services.volunteer(anna, offer_data(preferred_session_id=session.id), now=T0)
    other = services.volunteer(
        bram,
        offer_data(
            organisation="Groene Kerk", address="Kanaalstraat 1", preferred_session_id=session.id
        ),
        now=T0,
    )
    sequence = session.sequence
    services.accept_offer(chosen, session, actor=world.trainer, now=T0 + timedelta(days=1))
    db.session.flush()
    assert chosen.status is OfferStatus.ACCEPTED and chosen.session_id == session.id
    assert chosen.accepted_by_id == world.trainer.id
    assert session.location_name == "Buurthuis De Speeldoos"
    assert session.location_address == "Vleutenseweg 386, 3532 HW Utrecht"
    assert session.sequence == sequence + 1  # calendars replace the event
    # The participants get the usual "changed" mail with the new place.
    changed = outbox("registration.session_changed")
    assert {m.to_addr for m in changed} >= {p.email for p in world.people}
    assert "Buurthuis De Speeldoos" in changed[0].body_text
    # The host: the date, the group size and the dietary wishes.
    [mail] = outbox("hosting.accepted")
    assert mail.to_addr == anna.email
    assert "Thema 2" in mail.body_text
    assert "23 mei 2026" in mail.body_text  # the date of the meeting
    assert "Groepsgrootte: 4 deelnemers" in mail.body_text
    assert "1 deelnemer heeft dieetwensen" in mail.body_text
    assert mail.reply_to == [["Tineke Trainer", "tineke@example.nl"]]
    # The offer not chosen stays available for another meeting.
    assert other.status is OfferStatus.OPEN
    with pytest.raises(DomainError, match="al gastheer van deze bijeenkomst"):
        services.accept_offer(other, session, actor=world.trainer, now=T0)
    services.accept_offer(other, world.sessions[2], actor=world.trainer, now=T0)
    assert other.session_id == world.sessions[2].id


def test_an_offer_is_accepted_only_once_and_only_for_a_coming_meeting(world, factories):
    offer = services.volunteer(world.people[0], offer_data(), now=T0)
    past = world.sessions[0].starts_at + timedelta(hours=1)
    with pytest.raises(DomainError, match="al plaatsgevonden"):
        services.accept_offer(offer, world.sessions[0], actor=world.trainer, now=past)
    elsewhere = factories.programme(now=T0)
    with pytest.raises(ValidationError):
        services.accept_offer(offer, elsewhere.sessions[0], actor=world.trainer, now=T0)
    services.accept_offer(offer, world.sessions[0], actor=world.trainer, now=T0)
    with pytest.raises(DomainError, match="al geaccepteerd"):
        services.accept_offer(offer, world.sessions[1], actor=world.trainer, now=T0)
    withdrawn = services.volunteer(world.people[1], offer_data(), now=T0)
    services.withdraw_offer(withdrawn, now=T0)
    with pytest.raises(DomainError, match="ingetrokken"):
        services.accept_offer(withdrawn, world.sessions[1], actor=world.trainer, now=T0)
    assert world.sessions[1].location_name == "Buurthuis 2"


def test_a_host_who_left_the_programme_cannot_be_accepted(world):
    offer = services.volunteer(world.people[0], offer_data(), now=T0)
    world.people[0].status = world.waiting.status  # no longer seated
    with pytest.raises(DomainError, match="geen plaats meer"):
        services.accept_offer(offer, world.sessions[0], actor=world.trainer, now=T0)


def test_the_rota_flags_a_room_too_small_for_the_seats_taken(world):
    small = services.volunteer(world.people[0], offer_data(capacity=3), now=T0)
    roomy = services.volunteer(world.people[1], offer_data(capacity=4), now=T0)
    services.accept_offer(small, world.sessions[0], actor=world.trainer, now=T0)
    services.accept_offer(roomy, world.sessions[1], actor=world.trainer, now=T0)
    rota = services.rota(world.programme, T0)
    assert rota.seats_taken == 4
    assert [r.too_small for r in rota.rows] == [True, False, False]
    assert [r.host and r.host.id for r in rota.rows] == [small.id, roomy.id, None]
    [mail] = [m for m in outbox("hosting.accepted") if m.to_addr == world.people[0].email]
    assert "3 mensen" in mail.body_text  # the host is asked whether that works


def test_the_route_lists_the_places_in_order_with_map_links(world):
    offer = services.volunteer(
        world.people[0], offer_data(address="Oase 1, 3523 AA Utrecht"), now=T0
    )
    services.accept_offer(offer, world.sessions[1], actor=world.trainer, now=T0)
    route = services.route(world.programme)
    assert [s.name for s in route] == ["Buurthuis 1", "Buurthuis De Speeldoos", "Buurthuis 3"]
    assert route[1].url == ("https://www.openstreetmap.org/search?query=Oase+1%2C+3523+AA+Utrecht")


def test_the_rota_takes_a_fixed_number_of_queries(world, count_queries):
    for person in world.people:
        services.volunteer(person, offer_data(), now=T0)
    db.session.expire_all()
    with count_queries() as few:
        services.rota(world.programme, T0)
    for person in world.people:
        services.volunteer(person, offer_data(), now=T0)
    db.session.expire_all()
    with count_queries() as many:
        services.rota(world.programme, T0)
    assert len(many) == len(few)


def test_releasing_a_host_opens_the_offer_again_and_tells_the_host(world):
    offer = services.volunteer(world.people[0], offer_data(), now=T0)
    services.accept_offer(offer, world.sessions[1], actor=world.trainer, now=T0)
    services.release_host(offer, actor=world.trainer, now=T0 + timedelta(days=1))
    assert offer.status is OfferStatus.OPEN and offer.session_id is None
    [mail] = outbox("hosting.released")
    assert mail.to_addr == world.people[0].email and "Thema 2" in mail.subject
    with pytest.raises(DomainError):
        services.release_host(offer, actor=world.trainer, now=T0)


def test_a_deleted_meeting_frees_its_host(world):
    offer = services.volunteer(world.people[0], offer_data(), now=T0)
    services.accept_offer(offer, world.sessions[2], actor=world.trainer, now=T0)
    catalog.delete_session(world.sessions[2], actor="test", now=T0)
    db.session.flush()
    db.session.refresh(offer)
    assert offer.status is OfferStatus.OPEN and offer.session_id is None
    # The host hears that they need not prepare, in Dutch, with a link to their offer.
    [mail] = outbox("hosting.meeting_removed")
    assert mail.to_addr == world.people[0].email
    assert mail.subject == "“Thema 3” vindt niet bij jou plaats"
    body = " ".join(mail.body_text.split())
    assert "die jij zou ontvangen, is van het programma gehaald" in body
    assert f"/mijn-traject/gastheer/{offer.id}" in body
    assert mail.reply_to == [[world.trainer.display_name, world.trainer.email]]


# --- reminders -----------------------------------------------------------------------------


def test_the_host_is_reminded_once_a_few_days_before(world):
    offer = services.volunteer(world.people[0], offer_data(), now=T0)
    session = world.sessions[1]
    services.accept_offer(offer, session, actor=world.trainer, now=T0)
    early = session.starts_at - timedelta(days=4)
    assert services.offers_to_remind(early) == []
    due = session.starts_at - timedelta(days=2)
    assert services.offers_to_remind(due) == [offer.id]
    assert services.remind_host(offer, now=due) is True
    assert services.remind_host(offer, now=due + timedelta(hours=1)) is False
    assert services.offers_to_remind(due) == []
    [mail] = outbox("hosting.reminder")
    assert mail.to_addr == world.people[0].email
    assert "Over een paar dagen" in mail.body_text
    assert offer.reminded_at == due
    # The meeting is over: no reminder for it any more.
    assert services.offers_to_remind(session.starts_at + timedelta(hours=1)) == []


# --- practical questions -------------------------------------------------------------------


def _hosted(world):
    offer = services.volunteer(world.people[0], offer_data(), now=T0)
    services.accept_offer(offer, world.sessions[1], actor=world.trainer, now=T0)
    return offer


def test_a_question_with_contact_consent_lets_the_host_answer_the_asker(world):
    offer = _hosted(world)
    bram = world.people[1]
    question = services.ask_question(
        offer, bram, "Kan ik mijn fiets binnen zetten?", share_contact=True, now=T0
    )
    stored = db.session.get(HostQuestion, question.id)
    assert stored.body == "Kan ik mijn fiets binnen zetten?" and stored.share_contact
    [mail] = outbox("hosting.question")
    assert stored.mail_id == mail.id
    assert mail.to_addr == world.people[0].email
    assert mail.reply_to == [["Deelnemer1 Achternaam", bram.email]]
    assert bram.email in mail.body_text and "Kan ik mijn fiets" in mail.body_text


def test_without_consent_the_answer_goes_through_the_trainer(world):
    offer = _hosted(world)
    bram = world.people[1]
    services.ask_question(offer, bram, "Is er lunch?", share_contact=False, now=T0)
    [mail] = outbox("hosting.question")
    assert mail.reply_to == [["Tineke Trainer", "tineke@example.nl"]]
    assert bram.email not in mail.body_text and "Deelnemer1" not in mail.body_text
    assert "Een deelnemer heeft een praktische vraag" in mail.body_text


@pytest.mark.parametrize(
    ("body", "message"),
    [("", "Schrijf je vraag op"), ("   ", "Schrijf je vraag op"), ("v" * 1001, "hoogstens 1000")],
)
def test_bad_questions_are_refused(world, body, message):
    offer = _hosted(world)
    with pytest.raises(ValidationError, match=message):
        services.ask_question(offer, world.people[1], body, share_contact=False, now=T0)
    assert db.session.query(HostQuestion).count() == 0
    assert outbox("hosting.question") == []


def test_only_participants_ask_a_host_of_a_meeting_to_come(world):
    offer = _hosted(world)
    with pytest.raises(DomainError, match="Alleen deelnemers"):
        services.ask_question(offer, world.waiting, "Hallo?", share_contact=False, now=T0)
    late = world.sessions[1].ends_at + timedelta(minutes=1)
    with pytest.raises(DomainError, match="al plaatsgevonden"):
        services.ask_question(offer, world.people[1], "Hallo?", share_contact=False, now=late)
    open_offer = services.volunteer(world.people[2], offer_data(), now=T0)
    with pytest.raises(DomainError, match="geen gastheer"):
        services.ask_question(open_offer, world.people[1], "Hallo?", share_contact=False, now=T0)


def test_the_programmes_history_tells_what_happened_with_hosts(world):
    offer = services.volunteer(world.people[0], offer_data(), now=T0)
    services.accept_offer(offer, world.sessions[1], actor=world.trainer, now=T0)
    db.session.flush()
    page = history.browse(history.Filters(programme_id=world.programme.id, action="programme"))
    sentences = [line.sentence for line in page.lines]
    assert "Tineke Trainer heeft een gastheer voor een bijeenkomst geaccepteerd" in sentences
    assert "Deelnemer0 Achternaam heeft aangeboden een bijeenkomst te ontvangen" in sentences


def test_mijn_traject_hosting_takes_a_fixed_number_of_queries(world, factories, count_queries):
    second = World(factories, tag=".2")
    for w in (world, second):
        for person in w.people:
            services.volunteer(person, offer_data(), now=T0)
    services.accept_offer(_first_offer(world), world.sessions[1], actor=world.trainer, now=T0)
    db.session.expire_all()
    with count_queries() as one:
        services.for_registrations([world.people[0]], T0)
    db.session.expire_all()
    with count_queries() as two:
        found = services.for_registrations([world.people[0], second.people[1]], T0)
    # Loading the registrations' programmes and sessions aside (lazy loads), the hosting
    # part is the same few queries for one programme or two.
    hosting = [q for q in two if "hosting_offers" in q or "count(" in q.lower()]
    assert len(hosting) == len([q for q in one if "hosting_offers" in q or "count(" in q.lower()])
    assert found[world.people[0].id].rota.hosted == 1
    assert [o.registration_id for o in found[second.people[1].id].offers] == [second.people[1].id]
    assert len(found[second.people[1].id].rota.open_offers) == 4


def _first_offer(world):
    return db.session.execute(
        select(HostOffer).where(HostOffer.registration_id == world.people[0].id)
    ).scalar_one()
