"""After the intake form: the URL carries no e-mail address, the thank-you page tells the
truth about the confirmation mail, and a mail refused for good shows on the coordinators'
overview (issue 11, items 10 and 18)."""

from __future__ import annotations

import pytest

from tests.conftest import csrf_from, outbox
from tests.intake.conftest import sign_in, text
from tests.intake.test_request import FORM
from tests.test_mail import free_port, start_inbox
from werklab.extensions import db


@pytest.fixture
def smtp_port(app, monkeypatch):
    port = free_port()
    monkeypatch.setitem(app.config, "MAIL_BACKEND", "smtp")
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", port)
    monkeypatch.setitem(app.config, "MAIL_TIMEOUT", 5)
    return port


def submit(client, **changes):
    token = csrf_from(text(client.get("/werklab-aanvragen")))
    return client.post("/werklab-aanvragen", data={**FORM, **changes, "csrf_token": token})


def test_the_thank_you_url_has_no_address_and_says_the_mail_went_out(
    client, coordinator, smtp_port
):
    controller, inbox = start_inbox(smtp_port)
    try:
        response = submit(client)
    finally:
        controller.stop()
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location == "/werklab-aanvragen/verstuurd"
    assert "zwolle" not in location.lower() and "%40" not in location and "@" not in location
    page = text(client.get(location))
    assert "en je een bevestiging gemaild" in page
    assert {rcpt for rcpts, _ in inbox.messages for rcpt in rcpts} == {
        "j.deboer@zwolle.nl",
        coordinator.email,
    }
    # Another browser (no session) is told nothing about anybody's request.
    other = client.application.test_client()
    assert "bevestiging" not in text(other.get(location))


def test_a_refused_confirmation_is_not_reported_as_sent_and_the_coordinator_sees_it(
    client, coordinator, smtp_port
):
    controller, inbox = start_inbox(smtp_port, refuse={"j.deboer@zwolle.nl"})
    try:
        response = submit(client)
    finally:
        controller.stop()
    page = text(client.get(response.headers["Location"]))
    assert "en je een bevestiging gemaild" not in page
    assert "konden je geen bevestiging mailen" in page
    db.session.commit()
    coordinator_browser = client.application.test_client()
    sign_in(coordinator_browser, coordinator.email)
    overview = text(coordinator_browser.get("/beheer/"))
    assert "Mails die niet verstuurd konden worden" in overview
    assert "j.deboer@zwolle.nl" in overview
    [refused] = outbox("intake.request_received")
    assert refused.subject in overview
    # A mail that went out is not listed.
    assert coordinator.email not in overview
