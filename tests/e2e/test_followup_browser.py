"""A trainer follows up in a real browser: finds who needs attention from the programme
page, also at phone width, notes a contact and sends a personal message."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from tests.factories import Factories
from werklab.accounts import services as accounts
from werklab.attendance.models import AttendanceStatus
from werklab.attendance.services import mark_attendance
from werklab.db import utcnow
from werklab.extensions import db
from werklab.followup.models import ContactNote
from werklab.mail import OutboxMail

pytestmark = pytest.mark.e2e

PASSWORD = "lang-genoeg-wachtwoord"


@pytest.fixture
def running(live_server):
    """A programme whose first session was three weeks ago: Sanne was absent without notice."""
    with live_server.app_context():
        f = Factories()
        t0 = utcnow() - timedelta(days=61)
        programme = f.programme(now=t0)
        trainer = accounts.create_user(
            f"trainer.{programme.id}@example.nl",
            "Tineke Trainer",
            password=PASSWORD,
            trainer=True,
            actor="test",
        )
        programme.trainers.append(trainer)
        sanne = f.registration(programme, first_name="Sanne", last_name="Bakker", now=t0)
        noor = f.registration(programme, first_name="Noor", last_name="Jansen", now=t0)
        session = programme.sessions[0]
        mark_attendance(session, sanne, AttendanceStatus.ABSENT, recorded_by=trainer)
        mark_attendance(session, noor, AttendanceStatus.PRESENT, recorded_by=trainer)
        db.session.commit()
        return {"email": trainer.email, "title": programme.title, "sanne": sanne.id}


def test_a_trainer_notes_a_contact_and_sends_a_message(page: Page, live_server, running):
    page.goto("/inloggen")
    form = page.locator("form").filter(has=page.locator("input[name=password]"))
    form.locator("input[name=email]").fill(running["email"])
    form.locator("input[name=password]").fill(PASSWORD)
    form.get_by_role("button").click()
    page.get_by_role("link", name="Mijn trajecten").first.click()
    page.get_by_role("link", name=running["title"]).click()
    page.get_by_role("link", name="Aandacht nodig").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Aandacht nodig")
    expect(page.get_by_role("heading", name="Aandacht nodig (1)")).to_be_visible()
    person = page.locator("li.attention-person").filter(has_text="Sanne Bakker")
    expect(person).to_contain_text("Zonder afmelden afwezig bij “Thema 1”")
    expect(page.get_by_text("Noor Jansen")).to_have_count(0)

    # At phone width nothing sticks out.
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    person.get_by_label("Notitie (niet verplicht)").fill("Gebeld, ze was ziek.")
    person.get_by_role("button", name=re.compile(r"^Gecontacteerd\W+Sanne Bakker$")).click()
    expect(page.get_by_role("status")).to_have_text(
        "Genoteerd dat je contact hebt gehad met Sanne Bakker."
    )
    expect(page.get_by_role("heading", name="Gecontacteerd (1)")).to_be_visible()
    expect(page.get_by_text("Op dit moment heeft niemand extra aandacht nodig.")).to_be_visible()

    page.get_by_role("link", name=re.compile(r"^Stuur een persoonlijk bericht\W+Sanne")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Persoonlijk bericht aan Sanne Bakker"
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.get_by_label("Markeer als gecontacteerd").uncheck()
    page.get_by_role("button", name="Bericht versturen").click()
    expect(page.get_by_role("status")).to_have_text("Je bericht aan Sanne Bakker is onderweg.")

    with live_server.app_context():
        mail = db.session.scalars(
            select(OutboxMail).where(OutboxMail.kind == "followup.personal_message")
        ).one()
        assert mail.to_name == "Sanne Bakker"
        assert mail.reply_to == f"Tineke Trainer <{running['email']}>"
        assert "Beste Sanne," in mail.body_text
        notes = db.session.scalars(
            select(ContactNote.body).where(ContactNote.registration_id == running["sanne"])
        ).all()
        assert notes == ["Gebeld, ze was ziek."]
