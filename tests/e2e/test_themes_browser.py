"""Themes set together in Chromium: a participant signs in, goes from "Mijn traject" to the
vote, votes for a theme and sees the vote counted (also on a phone's width)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from tests.e2e.test_participant_browser import login_link
from tests.factories import Factories
from werklab.catalog.models import ProgrammeKind
from werklab.extensions import db
from werklab.themes import services
from werklab.themes.models import ThemeVote
from werklab.themes.services import ThemeData

pytestmark = pytest.mark.e2e


@pytest.fixture
def vote(live_server):
    """A Lerende Gemeenschap with two themes in the vote; Bram has voted for the first."""
    with live_server.app_context():
        f = Factories()
        programme = f.programme(kind=ProgrammeKind.LEARNING_COMMUNITY)
        n = programme.id
        lotte = f.registration(
            programme, email=f"lotte.{n}@example.nl", first_name="Lotte", last_name="Smit"
        )
        bram = f.registration(programme, email=f"bram.{n}@example.nl")
        loslaten, _geld = (
            services.propose_theme(programme, ThemeData(title, text), actor="t")
            for title, text in (
                ("Loslaten", "Wanneer help je een initiatief, en wanneer neem je het over?"),
                ("Geld en regels", ""),
            )
        )
        services.cast_vote(loslaten, bram, actor="t")
        db.session.commit()
        return {
            "email": lotte.email,
            "registration": lotte.id,
            "theme": loslaten.id,
            "title": programme.title,
        }


def test_participant_votes_for_a_theme_from_mijn_traject(page: Page, live_server, vote):
    page.goto("/inloggen")
    link_form = page.locator("form[action='/inloggen/link']")
    link_form.get_by_label(re.compile(r"E-mailadres|E-mail address")).fill(vote["email"])
    link_form.get_by_role("button").click()
    page.goto(login_link(live_server, vote["email"]))
    page.get_by_role("button", name=re.compile(r"Log mij in|Sign me in")).click()

    page.goto("/mijn-traject/")
    section = page.locator("section#themas")
    expect(section).to_contain_text("2 thema's in de stemming, stemmen over: 3 van 3")
    section.get_by_role("link", name=f"Stem op thema's voor {vote['title']}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Kies de thema's van de komende bijeenkomsten"
    )
    theme = page.locator(f"li#thema-{vote['theme']}")
    expect(theme.locator(".vote-count")).to_have_text("1 stem")
    # The hidden ": Loslaten" tells a screen reader which theme the button is for.
    theme.get_by_role("button", name=re.compile(r"^Stem op dit thema\s*:\s*Loslaten$")).click()

    expect(page.locator(".flash-success")).to_have_text("Je stem is geteld.")
    theme = page.locator(f"li#thema-{vote['theme']}")
    expect(theme.locator(".vote-count")).to_have_text("2 stemmen · waaronder die van jou")
    expect(page.locator(".votes-left")).to_have_text("Stemmen over: 2 van 3.")
    expect(
        theme.get_by_role("button", name=re.compile(r"^Mijn stem intrekken\s*:\s*Loslaten$"))
    ).to_be_visible()
    with live_server.app_context():
        voters = set(
            db.session.execute(
                select(ThemeVote.registration_id).where(ThemeVote.theme_id == vote["theme"])
            ).scalars()
        )
    assert vote["registration"] in voters and len(voters) == 2

    # On a phone the page fits its width.
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
