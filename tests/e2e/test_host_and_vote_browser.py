"""Issue 15's browser test in one go: a participant of a Lerende Gemeenschap signs in, offers
to host a meeting from "Mijn traject" and votes for a theme, and both are stored."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from tests.e2e.test_hosting_browser import PASSWORD, _offers, _sign_in
from tests.factories import Factories
from werklab.accounts import services as accounts
from werklab.catalog.models import ProgrammeKind
from werklab.extensions import db
from werklab.hosting.models import OfferStatus
from werklab.themes import services as themes
from werklab.themes.models import ThemeVote
from werklab.themes.services import ThemeData

pytestmark = pytest.mark.e2e


@pytest.fixture
def community(live_server):
    """A Lerende Gemeenschap with a seated participant who has an account, and two themes."""
    with live_server.app_context():
        f = Factories()
        programme = f.programme(kind=ProgrammeKind.LEARNING_COMMUNITY)
        email = f"femke.lg.{programme.id}@example.nl"
        femke = f.registration(programme, first_name="Femke", last_name="Dijk", email=email)
        f.registration(programme)
        accounts.create_user(email, "Femke Dijk", password=PASSWORD, actor="test")
        theme = themes.propose_theme(
            programme, ThemeData("Bewoners en de Omgevingswet", ""), actor="t"
        )
        themes.propose_theme(programme, ThemeData("Geld en regels", ""), actor="t")
        db.session.commit()
        return {
            "programme_id": programme.id,
            "title": programme.title,
            "email": email,
            "registration": femke.id,
            "theme": theme.id,
        }


def test_a_participant_volunteers_to_host_and_votes_for_a_theme(page: Page, live_server, community):
    _sign_in(page, community["email"])
    page.get_by_role("link", name="Mijn traject", exact=True).first.click()

    # Offer to host a meeting.
    page.get_by_role("link", name="Bied aan een bijeenkomst te ontvangen").click()
    page.get_by_label("Organisatie of initiatief").fill("Wijkcentrum De Kern")
    page.get_by_label("Adres").fill("Grotestraat 12, 7607 CP Almelo")
    page.get_by_label("Voor hoeveel mensen heeft de ruimte plaats?").fill("20")
    page.get_by_role("button", name="Verstuur mijn aanbod").click()
    expect(page.get_by_role("status")).to_contain_text("Bedankt voor je aanbod!")
    assert _offers(live_server, community["programme_id"]) == [
        ("Wijkcentrum De Kern", 20, OfferStatus.OPEN, None)
    ]

    # Then vote for a theme, from the same "Mijn traject".
    page.goto("/mijn-traject/")
    page.locator("section#themas").get_by_role(
        "link", name=f"Stem op thema's voor {community['title']}"
    ).click()
    theme = page.locator(f"li#thema-{community['theme']}")
    theme.get_by_role(
        "button", name=re.compile(r"^Stem op dit thema\s*:\s*Bewoners en de Omgevingswet$")
    ).click()
    expect(page.locator(".flash-success")).to_have_text("Je stem is geteld.")
    expect(page.locator(f"li#thema-{community['theme']} .vote-count")).to_have_text(
        "1 stem · waaronder die van jou"
    )
    with live_server.app_context():
        voters = list(
            db.session.execute(
                select(ThemeVote.registration_id).where(ThemeVote.theme_id == community["theme"])
            ).scalars()
        )
    assert voters == [community["registration"]]
