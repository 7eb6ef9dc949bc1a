"""Registering in a real browser: catalogue -> programme -> form -> manage page.

Texts are Dutch once the translations are compiled and English before that, so elements are
found by role/name patterns that accept both, or by the form's field ids.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import func, select

from tests.conftest import with_bodies
from werklab.extensions import db
from werklab.mail import OutboxMail
from werklab.registration.models import Registration, RegistrationStatus

pytestmark = pytest.mark.e2e

REGISTER = re.compile(r"^\s*(Inschrijven|Register)\s*$", re.IGNORECASE)


def open_form(page: Page, programme, screenshots=None) -> None:
    """Walk from the catalogue to the registration form, as a visitor would."""
    page.goto("/")
    page.get_by_role("link", name=programme.title, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(programme.title)
    if screenshots:
        page.screenshot(path=screenshots / "programme.png", full_page=True)
    page.get_by_role("link", name=REGISTER).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(programme.title)


def fill_form(page: Page, *, email: str) -> None:
    page.fill("#first_name", "Fatima")
    page.fill("#last_name", "El Amrani")
    page.fill("#email", email)
    page.fill("#organisation", "Gemeente Arnhem")
    page.select_option("#sector", "government")
    page.fill("#job_title", "Beleidsadviseur participatie")
    page.fill("#learning_question", "Hoe ondersteun ik bewonersinitiatieven zonder over te nemen?")
    # The CoP has a fee; without Stripe keys the invoice to the employer is chosen already.
    page.fill("#billing_organisation", "Gemeente Arnhem")
    page.fill("#billing_street", "Postbus 9200")
    page.fill("#billing_postcode", "6800 HA")
    page.fill("#billing_city", "Arnhem")
    page.fill("#billing_legal_id", "00000001001234567000")
    page.fill("#billing_email", "facturen@arnhem.example")
    page.fill("#billing_reference", "PO-4711")
    page.check("#privacy_consent")


def registrations(live_server, **where) -> list[Registration]:
    with live_server.app_context():
        query = select(Registration).filter_by(**where)
        rows = list(db.session.execute(query).scalars())
        db.session.expunge_all()
        return rows


def mails(live_server, **where) -> list[OutboxMail]:
    with live_server.app_context():
        rows = with_bodies(db.session.execute(select(OutboxMail).filter_by(**where)).scalars())
        db.session.expunge_all()
        return rows


def mail_count(live_server) -> int:
    with live_server.app_context():
        return db.session.execute(select(func.count()).select_from(OutboxMail)).scalar_one()


def test_register_in_the_browser(page: Page, live_server, live_programme, tmp_path):
    email = f"fatima.{live_programme.id}@example.nl"

    open_form(page, live_programme, screenshots=tmp_path)
    fill_form(page, email=email)
    page.click("button[type=submit]")

    # What the person sees: the manage page with the confirmation.
    expect(page).to_have_url(re.compile(r"/inschrijving/[^/?]+\?ingeschreven=1$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(live_programme.title)
    expect(page.locator(".status-confirmed")).to_be_visible()
    expect(page.locator(".status-confirmed")).to_contain_text("Fatima")
    expect(page.locator(".flash-success")).to_have_text(
        "Je bent ingeschreven: je plaats is bevestigd."
    )
    expect(page.locator("dl.details")).to_contain_text(email)
    page.screenshot(path=tmp_path / "confirmation.png", full_page=True)
    print(f"screenshots in {tmp_path}")

    # What is stored: a confirmed registration and its confirmation mail with the manage link.
    stored = registrations(live_server, programme_id=live_programme.id)
    assert len(stored) == 1, f"expected one registration, found {len(stored)}"
    registration = stored[0]
    assert registration.email == email
    assert registration.status is RegistrationStatus.CONFIRMED
    assert registration.first_name == "Fatima"
    assert registration.sector.value == "government"
    assert registration.privacy_consent_at is not None

    queued = mails(live_server, kind="registration.confirmed", to_addr=email)
    assert len(queued) == 1, f"expected one confirmation mail to {email}, found {len(queued)}"
    mail = queued[0]
    assert live_programme.title in mail.subject
    assert page.url.removesuffix("?ingeschreven=1") in mail.body_text  # the same page


def test_invalid_email_shows_the_field_error_and_stores_nothing(
    page: Page, live_server, live_programme, tmp_path
):
    mails_before = mail_count(live_server)

    open_form(page, live_programme)
    form_url = page.url
    fill_form(page, email="fatima-at-example.nl")
    page.click("button[type=submit]")

    # Back on the form, with one error, next to the e-mail field, and the input kept.
    expect(page).to_have_url(form_url)
    error = page.locator("#email-error")
    expect(error).to_be_visible()
    expect(error).not_to_be_empty()
    expect(page.locator(".field.has-error")).to_have_count(1)
    expect(page.locator(".field.has-error #email")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#email")).to_have_attribute("aria-describedby", "email-error")
    expect(page.locator("#email")).to_have_value("fatima-at-example.nl")
    expect(page.locator("#first_name")).to_have_value("Fatima")
    expect(page.locator(".flash-error")).to_be_visible()
    page.screenshot(path=tmp_path / "form-error.png", full_page=True)

    assert registrations(live_server, programme_id=live_programme.id) == []
    assert mail_count(live_server) == mails_before
