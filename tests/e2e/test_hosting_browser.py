"""Hosts take turns in a real browser: a participant signs in, offers to host a meeting from
"Mijn traject", and the trainer sees the offer on the programme page and accepts it.
(The theme-vote half of issue 15's browser test lives with the themes.)"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from tests.factories import Factories
from werklab.accounts import services as accounts
from werklab.extensions import db
from werklab.hosting.models import HostOffer, OfferStatus

pytestmark = pytest.mark.e2e

PASSWORD = "lang-genoeg-wachtwoord"


@pytest.fixture
def hosted(live_server):
    """A CoP with a trainer and a seated participant who has an account."""
    with live_server.app_context():
        f = Factories()
        programme = f.programme()
        trainer = accounts.create_user(
            f"trainer.host.{programme.id}@example.nl",
            "Tineke Trainer",
            password=PASSWORD,
            trainer=True,
            actor="test",
        )
        programme.trainers.append(trainer)
        email = f"sanne.host.{programme.id}@example.nl"
        f.registration(programme, first_name="Sanne", last_name="Bakker", email=email)
        f.registration(programme)
        accounts.create_user(email, "Sanne Bakker", password=PASSWORD, actor="test")
        db.session.commit()
        return {
            "programme_id": programme.id,
            "title": programme.title,
            "trainer": trainer.email,
            "participant": email,
            "session": programme.sessions[1].id,
        }


def _sign_in(page: Page, email: str) -> None:
    page.goto("/inloggen")
    form = page.locator("form[action='/inloggen']")
    form.locator("input[name=email]").fill(email)
    form.locator("input[name=password]").fill(PASSWORD)
    form.get_by_role("button").click()


def _offers(live_server, programme_id: int) -> list[tuple]:
    with live_server.app_context():
        return [
            (o.organisation, o.capacity, o.status, o.session_id)
            for o in db.session.scalars(
                select(HostOffer).where(HostOffer.programme_id == programme_id)
            )
        ]


def test_a_participant_volunteers_to_host_and_the_trainer_sees_it(page: Page, live_server, hosted):
    _sign_in(page, hosted["participant"])
    page.get_by_role("link", name="Mijn traject", exact=True).first.click()
    expect(page.get_by_role("heading", name="Gastheren en route")).to_be_visible()
    page.get_by_role("link", name="Bied aan een bijeenkomst te ontvangen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Een bijeenkomst ontvangen")

    page.get_by_label("Organisatie of initiatief").fill("Buurthuis De Speeldoos")
    page.get_by_label("Adres").fill("Vleutenseweg 386, 3532 HW Utrecht")
    page.get_by_label("Voor hoeveel mensen heeft de ruimte plaats?").fill("0")
    page.get_by_role("button", name="Verstuur mijn aanbod").click()
    expect(
        page.get_by_text("Vul in voor hoeveel mensen de ruimte plaats heeft: 1 tot 500.")
    ).to_be_visible()
    assert _offers(live_server, hosted["programme_id"]) == []

    page.get_by_label("Voor hoeveel mensen heeft de ruimte plaats?").fill("25")
    page.get_by_label("Praktische informatie").fill(
        "Rolstoeltoegankelijk.\nBus 2 stopt voor de deur."
    )
    page.get_by_label("Welke bijeenkomst wil je graag ontvangen?").select_option(
        str(hosted["session"])
    )
    page.get_by_role("button", name="Verstuur mijn aanbod").click()
    expect(page.get_by_role("status")).to_contain_text("Bedankt voor je aanbod!")
    expect(page.get_by_text("wacht op de keuze van de begeleider")).to_be_visible()
    assert _offers(live_server, hosted["programme_id"]) == [
        ("Buurthuis De Speeldoos", 25, OfferStatus.OPEN, None)
    ]

    # The trainer signs in and finds the offer on the programme page.
    page.context.clear_cookies()
    _sign_in(page, hosted["trainer"])
    page.goto(f"/werkruimte/{hosted['programme_id']}")
    hosting = page.locator("#gastheren")
    expect(hosting).to_contain_text("1 deelnemer biedt aan een bijeenkomst te ontvangen")
    expect(hosting).to_contain_text("Sanne Bakker (Buurthuis De Speeldoos, plaats voor 25)")
    hosting.get_by_role("link", name="Aanbod en rooster van gastheren").click()
    offer = page.locator("li.offer").filter(has_text="Buurthuis De Speeldoos")
    expect(offer).to_contain_text("Rolstoeltoegankelijk.")
    expect(
        offer.get_by_role("link", name=re.compile("kaart \\(OpenStreetMap\\)"))
    ).to_have_attribute(
        "href", re.compile(r"^https://www\.openstreetmap\.org/search\?query=Vleutenseweg")
    )
    offer.get_by_role("button", name=re.compile(r"^Accepteer als gastheer\W+Sanne Bakker")).click()
    expect(page.get_by_role("status").first).to_contain_text("Sanne Bakker ontvangt “Thema 2”")
    expect(page.locator("table.rota")).to_contain_text("Gastheer bevestigd")
    [(_name, _capacity, status, session_id)] = _offers(live_server, hosted["programme_id"])
    assert status is OfferStatus.ACCEPTED and session_id == hosted["session"]
