"""Signed-in pages fit a 390 px phone: the page itself never scrolls sideways (the header
wraps, wide tables scroll inside their own box) (issue 11, item 20)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from tests.factories import Factories
from werklab.accounts import services as accounts
from werklab.extensions import db
from werklab.registration import services as registration

pytestmark = pytest.mark.e2e

PASSWORD = "lang-genoeg-wachtwoord"
PHONE = {"width": 390, "height": 844}

#: What the page's own width may exceed the viewport by (rounding).
SLACK = 1


@pytest.fixture
def world(live_server):
    """A programme with long names, a coordinator, a trainer and a participant."""
    with live_server.app_context():
        f = Factories()
        programme = f.programme(
            title="Community of Practice Bewonersinitiatieven Gelderland-Midden en Rivierenland"
        )
        n = programme.id
        coordinator = accounts.create_user(
            f"coordinator.{n}@example.nl",
            "Cora Coördinator-Van Den Berg",
            password=PASSWORD,
            coordinator=True,
            actor="test",
        )
        trainer = accounts.create_user(
            f"trainer.{n}@example.nl",
            "Tineke Trainer-Hoogendoorn",
            password=PASSWORD,
            trainer=True,
            actor="test",
        )
        programme.trainers.append(trainer)
        people = [
            f.registration(
                programme,
                first_name=first,
                last_name="van der Wetering-Oosterhuis",
                organisation="Stichting Samenwerkende Bewonersinitiatieven Arnhem-Zuid",
                email=f"{first.lower()}.{n}@langeorganisatienaam-gemeente.example.nl",
            )
            for first in ("Sanne", "Noor", "Ahmed", "Femke")
        ]
        participant_email = people[0].email
        accounts.create_user(
            participant_email, people[0].full_name, password=PASSWORD, actor="test"
        )
        db.session.commit()
        return {
            "programme_id": programme.id,
            "slug": programme.slug,
            "session_id": programme.sessions[0].id,
            "coordinator": coordinator.email,
            "trainer": trainer.email,
            "participant": participant_email,
            "registration_id": people[0].id,
            "manage_token": registration.manage_token(people[0]),
        }


def sign_in(page: Page, email: str) -> None:
    page.goto("/inloggen")
    form = page.locator("form[action='/inloggen']")
    form.locator("input[name=email]").fill(email)
    form.locator("input[name=password]").fill(PASSWORD)
    form.get_by_role("button").click()
    page.wait_for_url("**/account")


def overflow(page: Page, path: str) -> str | None:
    """None when `path` fits the phone; else what sticks out."""
    response = page.goto(path)
    assert response is not None and response.status < 400, (path, response and response.status)
    width = page.evaluate("document.documentElement.scrollWidth")
    if width <= PHONE["width"] + SLACK:
        return None
    culprits = page.evaluate(
        """(limit) => [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > limit
                && !e.closest('.table-scroll, table'))
            .slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' +
                Math.round(e.getBoundingClientRect().right))""",
        PHONE["width"] + SLACK,
    )
    return f"{path}: {width}px wide ({culprits})"


def check(page: Page, paths: list[str]) -> None:
    problems = [p for p in (overflow(page, path) for path in paths) if p]
    assert not problems, "pages wider than a 390 px phone:\n" + "\n".join(problems)


def test_coordinator_pages_fit_a_phone(page: Page, world):
    page.set_viewport_size(PHONE)
    sign_in(page, world["coordinator"])
    pid = world["programme_id"]
    check(
        page,
        [
            "/account",
            "/beheer/",
            f"/beheer/programma/{pid}",
            f"/beheer/programma/{pid}/bewerken",
            "/beheer/gebruikers",
            "/beheer/aanvragen",
            "/beheer/facturen",
            "/beheer/initiatieven",
            f"/werkruimte/{pid}",
            f"/werkruimte/bijeenkomst/{world['session_id']}/presentie",
            f"/werkruimte/deelnemer/{world['registration_id']}",
        ],
    )


def test_trainer_pages_fit_a_phone(page: Page, world):
    page.set_viewport_size(PHONE)
    sign_in(page, world["trainer"])
    pid = world["programme_id"]
    check(
        page,
        [
            "/werkruimte/",
            f"/werkruimte/{pid}",
            f"/werkruimte/bijeenkomst/{world['session_id']}/presentie",
            f"/werkruimte/{pid}/huiswerkgroepen",
            f"/werkruimte/{pid}/certificaten",
            f"/werkruimte/deelnemer/{world['registration_id']}",
        ],
    )


def test_participant_pages_fit_a_phone(page: Page, world):
    page.set_viewport_size(PHONE)
    sign_in(page, world["participant"])
    check(
        page,
        [
            "/mijn-traject/",
            "/mijn-traject/gegevens",
            f"/inschrijving/{world['manage_token']}",
            f"/inschrijving/{world['manage_token']}/gegevens",
            f"/programma/{world['slug']}",
            "/",
        ],
    )


def test_the_favicon_is_served(page: Page, live_server):
    response = page.goto("/favicon.ico")
    assert response.status == 200
    assert response.headers["content-type"] == "image/vnd.microsoft.icon"
    page.goto("/")
    assert page.locator("link[rel=icon]").count() == 2
