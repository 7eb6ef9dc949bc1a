"""Hosting pages as people use them: Mijn traject, the offer form, the host's page, the
question form, the trainer's programme page and hosting page."""

from __future__ import annotations

import re

import pytest

from tests.conftest import csrf_from, outbox
from tests.hosting.helpers import World, offer_data
from tests.workspace.helpers import sign_in, text
from werklab.db import utcnow
from werklab.extensions import db
from werklab.hosting import services
from werklab.hosting.models import HostOffer, HostQuestion, OfferStatus


@pytest.fixture
def world(factories):
    world = World(factories, t0=utcnow(), accounts=True)
    db.session.commit()
    return world


def _signed_in(app, user):
    client = app.test_client()
    sign_in(client, user)
    return client


def _post(client, path, data, page=None):
    token = csrf_from(text(client.get(page or path)))
    return client.post(path, data={**data, "csrf_token": token})


def _visible(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_mijn_traject_shows_the_rota_the_route_and_the_way_to_offer(app, world):
    offer = services.volunteer(world.people[1], offer_data(), now=utcnow())
    services.accept_offer(offer, world.sessions[1], actor=world.trainer, now=utcnow())
    db.session.commit()
    client = _signed_in(app, world.users[0])
    page = text(client.get("/mijn-traject/"))
    seen = _visible(page)
    assert "Gastheren en route" in seen
    assert "Gastheer bevestigd" in seen and "Nog geen gastheer" in seen
    assert "De route die de groep reist" in seen
    assert (
        'href="https://www.openstreetmap.org/search?query=Vleutenseweg+386%2C+3532+HW+Utrecht"'
        in page
    )
    # Nothing is loaded from the map site: it is only a link.
    assert not re.search(r"<(img|script|iframe|link)[^>]+openstreetmap", page)
    assert f"/mijn-traject/inschrijving/{world.people[0].id}/gastheer" in page
    assert "Stel Buurthuis De Speeldoos een praktische vraag" in seen


def test_a_participant_offers_to_host_through_the_form(app, world):
    client = _signed_in(app, world.users[0])
    path = f"/mijn-traject/inschrijving/{world.people[0].id}/gastheer"
    page = _visible(text(client.get(path)))
    assert "Een bijeenkomst ontvangen" in page and "Voor hoeveel mensen" in page
    response = _post(
        client,
        path,
        {
            "organisation": "Initiatief Groene Kerk",
            "address": "Kanaalstraat 120, Utrecht",
            "capacity": "18",
            "notes": "Alleen met de trap.\r\nFietsen in de tuin.",
            "preferred_session": str(world.sessions[2].id),
            "preferred_period": "na de zomer",
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"#gastheer-{world.people[0].id}")
    [offer] = db.session.query(HostOffer).all()
    assert (offer.organisation, offer.capacity, offer.preferred_session_id) == (
        "Initiatief Groene Kerk",
        18,
        world.sessions[2].id,
    )
    assert offer.notes == "Alleen met de trap.\nFietsen in de tuin."
    following = _visible(text(client.get("/mijn-traject/")))
    assert "Bedankt voor je aanbod!" in following
    assert "wacht op de keuze van de begeleider" in following
    assert [m.to_addr for m in outbox("hosting.offer_received")] == [world.trainer.email]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"capacity": "0"}, "Vul in voor hoeveel mensen de ruimte plaats heeft: 1 tot 500."),
        ({"capacity": "-4"}, "Vul in voor hoeveel mensen de ruimte plaats heeft: 1 tot 500."),
        ({"capacity": "9" * 40}, "Vul in voor hoeveel mensen de ruimte plaats heeft: 1 tot 500."),
        ({"capacity": "tien"}, "Vul in voor hoeveel mensen de ruimte plaats heeft: 1 tot 500."),
        ({"capacity": ""}, "Vul in voor hoeveel mensen de ruimte plaats heeft: 1 tot 500."),
        ({"notes": "n" * 2001}, "De praktische informatie mag hoogstens 2000 tekens lang zijn."),
        ({"organisation": ""}, "Vul de naam van je organisatie of initiatief in."),
        ({"organisation": "o" * 201}, "Een naam mag hoogstens 200 tekens lang zijn."),
        ({"address": "Straat 1\nUtrecht"}, "regel"),
        ({"address": "a" * 301}, "Een adres mag hoogstens 300 tekens lang zijn."),
        ({"preferred_session": "12345678"}, "Kies een van de bijeenkomsten van dit programma."),
        ({"preferred_period": "p" * 101}, "Een periode mag hoogstens 100 tekens lang zijn."),
        ({"notes": "nul\x00teken"}, ""),
    ],
)
def test_bad_offers_get_a_dutch_message_and_nothing_is_stored(app, world, changes, message):
    client = _signed_in(app, world.users[0])
    path = f"/mijn-traject/inschrijving/{world.people[0].id}/gastheer"
    data = {"organisation": "Groene Kerk", "address": "Kanaalstraat 1", "capacity": "12"}
    response = _post(client, path, {**data, **changes})
    assert response.status_code == 400
    assert message in _visible(text(response))
    assert db.session.query(HostOffer).count() == 0


def test_the_volunteer_withdraws_an_open_offer(app, world):
    offer = services.volunteer(world.people[0], offer_data(), now=utcnow())
    db.session.commit()
    client = _signed_in(app, world.users[0])
    page = _visible(text(client.get(f"/mijn-traject/gastheer/{offer.id}")))
    assert "Jouw aanbod om gastheer te zijn" in page and "Wacht op de keuze" in page
    response = _post(
        client,
        f"/mijn-traject/gastheer/{offer.id}/intrekken",
        {},
        f"/mijn-traject/gastheer/{offer.id}",
    )
    assert response.status_code == 302
    db.session.refresh(offer)
    assert offer.status is OfferStatus.WITHDRAWN
    assert "Je aanbod om gastheer te zijn is ingetrokken." in _visible(
        text(client.get("/mijn-traject/"))
    )


def test_the_trainer_sees_offers_and_accepts_one_with_the_capacity_flagged(app, world):
    small = services.volunteer(
        world.people[0],
        offer_data(capacity=3, preferred_session_id=world.sessions[1].id),
        now=utcnow(),
    )
    db.session.commit()
    client = _signed_in(app, world.trainer)
    workspace = _visible(text(client.get(f"/werkruimte/{world.programme.id}")))
    assert "Gastheren en route" in workspace
    assert "1 deelnemer biedt aan een bijeenkomst te ontvangen" in workspace
    assert "Deelnemer0 Achternaam (Buurthuis De Speeldoos, plaats voor 3)" in workspace
    path = f"/werkruimte/{world.programme.id}/gastheren"
    page = text(client.get(path))
    assert "Te klein: plaats voor 3, 4 plaatsen bezet" in _visible(page)
    # The volunteer's preferred meeting is chosen already.
    assert re.search(rf'<option selected value="{world.sessions[1].id}"', page)
    response = _post(
        client,
        f"/werkruimte/gastheer/{small.id}/accepteren",
        {"session": str(world.sessions[1].id)},
        path,
    )
    assert response.status_code == 302
    after = _visible(text(client.get(path)))
    assert "Deelnemer0 Achternaam ontvangt “Thema 2”" in after
    assert "Let op: de ruimte heeft plaats voor 3 mensen en er zijn 4 plaatsen bezet." in after
    assert "Gastheer bevestigd" in after and "Te klein: plaats voor 3, 4 plaatsen bezet" in after
    db.session.refresh(world.sessions[1])
    assert world.sessions[1].location_name == "Buurthuis De Speeldoos"
    assert [m.to_addr for m in outbox("hosting.accepted")] == [world.people[0].email]


def test_accepting_without_a_meeting_says_which_is_missing(app, world):
    offer = services.volunteer(world.people[0], offer_data(), now=utcnow())
    db.session.commit()
    client = _signed_in(app, world.trainer)
    path = f"/werkruimte/{world.programme.id}/gastheren"
    for bad in ("", "abc", "999999"):
        response = _post(
            client, f"/werkruimte/gastheer/{offer.id}/accepteren", {"session": bad}, path
        )
        assert response.status_code == 400
        assert "Kies de bijeenkomst die deze gastheer ontvangt." in _visible(text(response))
    db.session.refresh(offer)
    assert offer.status is OfferStatus.OPEN


def test_the_trainer_releases_a_host(app, world):
    offer = services.volunteer(world.people[0], offer_data(), now=utcnow())
    services.accept_offer(offer, world.sessions[1], actor=world.trainer, now=utcnow())
    db.session.commit()
    client = _signed_in(app, world.trainer)
    path = f"/werkruimte/{world.programme.id}/gastheren"
    response = _post(client, f"/werkruimte/gastheer/{offer.id}/loskoppelen", {}, path)
    assert response.status_code == 302
    assert "is niet langer gastheer" in _visible(text(client.get(path)))
    db.session.refresh(offer)
    assert offer.status is OfferStatus.OPEN


def test_a_question_reaches_the_host_who_sees_it_without_the_askers_name(app, world):
    offer = services.volunteer(world.people[0], offer_data(), now=utcnow())
    services.accept_offer(offer, world.sessions[1], actor=world.trainer, now=utcnow())
    db.session.commit()
    bram = _signed_in(app, world.users[1])
    path = f"/mijn-traject/inschrijving/{world.people[1].id}/gastheer/{offer.id}/vraag"
    assert "Een praktische vraag aan de gastheer" in _visible(text(bram.get(path)))
    empty = _post(bram, path, {"body": "  "})
    assert empty.status_code == 400 and "Schrijf je vraag op." in _visible(text(empty))
    long = _post(bram, path, {"body": "v" * 1001})
    assert "Een vraag mag hoogstens 1000 tekens lang zijn." in _visible(text(long))
    assert db.session.query(HostQuestion).count() == 0
    response = _post(bram, path, {"body": "Is er een lift?"})
    assert response.status_code == 302
    assert "Je vraag is naar Deelnemer0 Achternaam gestuurd." in _visible(
        text(bram.get("/mijn-traject/"))
    )
    [mail] = outbox("hosting.question")
    assert mail.to_addr == world.people[0].email
    assert mail.reply_to == [["Tineke Trainer", world.trainer.email]]
    host = _signed_in(app, world.users[0])
    page = _visible(text(host.get(f"/mijn-traject/gastheer/{offer.id}")))
    assert "Is er een lift?" in page and "Een deelnemer" in page
    assert "Deelnemer1" not in page
    # The trainer sees who asked, to pass the answer on.
    trainer = _signed_in(app, world.trainer)
    staff_page = _visible(text(trainer.get(f"/werkruimte/{world.programme.id}/gastheren")))
    assert "Deelnemer1 Achternaam → Deelnemer0 Achternaam" in staff_page
    assert "antwoorden gaan via jou" in staff_page


def test_with_consent_the_host_sees_who_asked(app, world):
    offer = services.volunteer(world.people[0], offer_data(), now=utcnow())
    services.accept_offer(offer, world.sessions[1], actor=world.trainer, now=utcnow())
    db.session.commit()
    bram = _signed_in(app, world.users[1])
    path = f"/mijn-traject/inschrijving/{world.people[1].id}/gastheer/{offer.id}/vraag"
    assert _post(bram, path, {"body": "Parkeren?", "share_contact": "y"}).status_code == 302
    host = _signed_in(app, world.users[0])
    page = text(host.get(f"/mijn-traject/gastheer/{offer.id}"))
    assert "Deelnemer1 Achternaam" in page and f"mailto:{world.people[1].email}" in page


def test_asking_a_meeting_without_a_host_is_refused(app, world):
    offer = services.volunteer(world.people[0], offer_data(), now=utcnow())
    db.session.commit()
    bram = _signed_in(app, world.users[1])
    path = f"/mijn-traject/inschrijving/{world.people[1].id}/gastheer/{offer.id}/vraag"
    response = bram.get(path)
    assert response.status_code == 409
    assert "Deze bijeenkomst heeft op dit moment geen gastheer." in _visible(text(response))
