"""Interim evaluation in Chromium: after a session, `tick` mails the link; a participant
answers from it without signing in; the trainer sees the result and its chart, also on a
phone."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from tests.evaluations.helpers import answer, invitation_of, mark_present, past_programme
from tests.factories import Factories
from werklab.accounts import services as accounts
from werklab.db import utcnow
from werklab.evaluations.jobs import send_evaluations
from werklab.evaluations.models import Answer, Evaluation, EvaluationResponse
from werklab.extensions import db
from werklab.mail import OutboxMail

pytestmark = pytest.mark.e2e

PASSWORD = "lang-genoeg-wachtwoord"
WIDEST_IN_MAIN = """Math.max(document.querySelector('main').scrollWidth,
  ...[...document.querySelectorAll('main *')].map(e => e.getBoundingClientRect().right))"""


@pytest.fixture
def evaluated(live_server):
    """A programme whose last session ended 3 hours ago; tick has mailed the links and two
    of the three participants have answered."""
    with live_server.app_context():
        s = past_programme(Factories(), people=3)
        trainer = accounts.create_user(
            f"evaluatie.{s.programme.id}@example.nl",
            "Evi Trainer",
            password=PASSWORD,
            trainer=True,
            actor="test",
        )
        s.programme.trainers.append(trainer)
        last = s.sessions[-1]
        mark_present(s, last)
        db.session.commit()
        invited, _reminded = send_evaluations(utcnow())
        assert invited == 3
        for person, written in zip(s.people[1:], ("Goed gesprek", "Meer pauze"), strict=True):
            answer(invitation_of(last, person), 4, written, now=utcnow())
        db.session.commit()
        mail = db.session.execute(
            select(OutboxMail).where(
                OutboxMail.kind == "evaluation.invitation",
                OutboxMail.to_addr == s.people[0].email,
            )
        ).scalar_one()
        link = re.search(re.escape(live_server.url) + r"/evaluatie/\S+", mail.body_text)
        assert link, mail.body_text
        return {
            "link": link.group(0),
            "trainer": trainer.email,
            "programme_id": s.programme.id,
            "title": s.programme.title,
            "session_id": last.id,
        }


def stored_scales(live_server, session_id: int) -> list[int]:
    with live_server.app_context():
        return sorted(
            db.session.execute(
                select(Answer.scale)
                .join(EvaluationResponse, EvaluationResponse.id == Answer.response_id)
                .join(Evaluation, Evaluation.id == EvaluationResponse.evaluation_id)
                .where(Evaluation.session_id == session_id, Answer.scale.is_not(None))
            ).scalars()
        )


def test_participant_answers_and_trainer_sees_the_chart(page: Page, live_server, evaluated):
    # The participant opens the mailed link (not signed in) and sends a required question
    # empty first: a clear message, nothing stored.
    page.goto(evaluated["link"])
    expect(page.get_by_role("heading", level=1)).to_have_text("Hoe was „Bijeenkomst 3”?")
    expect(page.get_by_text("Anoniem: je begeleiders zien")).to_be_visible()
    page.get_by_label("Wat neem je mee uit deze bijeenkomst?").fill("Meer luisteren naar bewoners")
    page.get_by_role("button", name="Antwoorden versturen").click()
    expect(page.get_by_text("Deze vraag heeft een antwoord nodig.")).to_be_visible()
    assert stored_scales(live_server, evaluated["session_id"]) == [4, 4]

    page.get_by_role("radio", name=re.compile(r"^5")).check()
    page.get_by_role("button", name="Antwoorden versturen").click()
    expect(page.get_by_text("Bedankt! Je antwoorden zijn opgeslagen.")).to_be_visible()
    assert stored_scales(live_server, evaluated["session_id"]) == [4, 4, 5]

    # The trainer signs in and finds the results through the workspace.
    page.context.clear_cookies()
    page.goto("/inloggen")
    form = page.locator("form[action='/inloggen']")
    form.locator("input[name=email]").fill(evaluated["trainer"])
    form.locator("input[name=password]").fill(PASSWORD)
    form.get_by_role("button").click()
    page.goto(f"/werkruimte/{evaluated['programme_id']}")
    page.get_by_role("link", name="Tussenevaluaties").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tussenevaluaties")
    page.get_by_role("link", name=re.compile(r"Uitkomsten\W+Bijeenkomst 3")).click()
    expect(page.get_by_text("Respons: 3 van 3 (100%)")).to_be_visible()
    chart = page.get_by_role("img", name=re.compile("Hoe nuttig was deze bijeenkomst"))
    expect(chart).to_be_visible()
    assert chart.evaluate("e => e.getBoundingClientRect().height") > 50
    expect(page.get_by_text("Meer luisteren naar bewoners")).to_be_visible()

    # Readable on a phone: nothing on the page itself wider than the screen. (The site
    # header of a signed-in trainer is wider than 390 px on every page: not this page's.)
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    expect(chart).to_be_visible()
    assert page.evaluate(WIDEST_IN_MAIN) <= 390
    assert chart.evaluate("e => e.getBoundingClientRect().right") <= 390
