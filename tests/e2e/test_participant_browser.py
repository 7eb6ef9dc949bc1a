"""A participant signs in with an e-mail link in Chromium and sees their sessions.

The link is asked for through the real sign-in form and read from the captured mail (the
live app keeps mails queued: MAIL_BACKEND "null").
"""

from __future__ import annotations

import re
from datetime import UTC
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_datetime
from playwright.sync_api import Page, expect
from sqlalchemy import select

from tests.factories import Factories
from werklab.catalog.models import Programme
from werklab.extensions import db
from werklab.mail import OutboxMail

pytestmark = pytest.mark.e2e

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def seed_registration(live_server, programme_id: int, email: str) -> list[tuple[str, str, str]]:
    """Register `email` for the programme; return its sessions as (theme, date, place)."""
    with live_server.app_context():
        programme = db.session.get(Programme, programme_id)
        Factories().registration(programme, email=email, first_name="Fatima", last_name="Bakker")
        db.session.commit()
        return [
            (
                s.theme,
                format_datetime(
                    s.starts_at.replace(tzinfo=UTC), "EEEE d MMMM y", tzinfo=AMSTERDAM, locale="nl"
                ),
                s.location_name,
            )
            for s in programme.sessions
        ]


def login_link(live_server, email: str) -> str:
    with live_server.app_context():
        mails = list(
            db.session.execute(
                select(OutboxMail).where(
                    OutboxMail.kind == "accounts.login_link", OutboxMail.to_addr == email
                )
            ).scalars()
        )
        assert len(mails) == 1, f"expected one sign-in mail to {email}, found {len(mails)}"
        match = re.search(re.escape(live_server.url) + r"/inloggen/link/\S+", mails[0].body_text)
        assert match, "no sign-in link in the mail"
        return match.group(0)


def test_participant_signs_in_by_mail_and_sees_their_sessions(
    page: Page, playwright, live_server, live_programme, tmp_path
):
    email = f"fatima.{live_programme.id}@example.nl"
    sessions = seed_registration(live_server, live_programme.id, email)

    # Ask for a sign-in link through the real form.
    page.goto("/")
    page.get_by_role("link", name=re.compile(r"^(Inloggen|Sign in)$")).click()
    link_form = page.locator("form[action='/inloggen/link']")
    link_form.get_by_label(re.compile(r"E-mailadres|E-mail address")).fill(email)
    link_form.get_by_role("button").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        re.compile(r"Kijk in je mailbox|Check your e-mail")
    )

    # Open the link from the mail and confirm.
    page.goto(login_link(live_server, email))
    page.get_by_role("button", name=re.compile(r"Log mij in|Sign me in")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Fatima Bakker")

    # Mijn traject, from the account page's menu.
    page.locator("main").get_by_role("link", name="Mijn traject").click()
    expect(page).to_have_url(f"{live_server.url}/mijn-traject/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mijn traject")
    programme = page.locator("section.my-programme").filter(
        has=page.get_by_role("heading", level=2, name=live_programme.title)
    )
    expect(programme).to_contain_text("Bevestigd")
    items = programme.locator("ol.sessions > li")
    expect(items).to_have_count(len(sessions))
    for item, (theme, date, place) in zip(items.all(), sessions, strict=True):
        expect(item.get_by_role("heading", level=3)).to_have_text(theme)
        expect(item.locator(".when")).to_contain_text(date)
        expect(item.locator(".where")).to_contain_text(place)
    expect(page.get_by_role("link", name="Download al je bijeenkomsten (.ics)")).to_be_visible()
    page.screenshot(path=tmp_path / "mijn-traject.png", full_page=True)

    # The calendar link: made with a button, shown on the page.
    page.get_by_role("button", name="Maak een agendalink").click()
    feed = page.get_by_label("Je agendalink")
    expect(feed).to_have_value(re.compile(re.escape(live_server.url) + r"/mijn-traject/agenda/"))
    page.screenshot(path=tmp_path / "agenda.png", full_page=True)
    calendar_app = playwright.request.new_context()  # no cookies: not signed in
    try:
        response = calendar_app.get(feed.input_value())
        assert response.status == 200
        assert response.headers["content-type"].startswith("text/calendar")
        body = response.text()
    finally:
        calendar_app.dispose()
    assert all(f"SUMMARY:{live_programme.title}: {theme}" in body for theme, _d, _p in sessions)

    # Mijn gegevens shows the registration.
    page.get_by_role("link", name=re.compile("^Mijn gegevens")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mijn gegevens")
    expect(page.get_by_role("heading", level=3, name=live_programme.title)).to_be_visible()
    expect(page.locator("main")).to_contain_text(email)
    page.screenshot(path=tmp_path / "gegevens.png", full_page=True)
    print(f"screenshots in {tmp_path}")
