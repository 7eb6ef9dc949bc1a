"""Mail through a real SMTP server (aiosmtpd): delivery after commit, retries when it is down."""

from __future__ import annotations

import email
import socket
from datetime import timedelta
from email import policy

import pytest
from aiosmtpd.controller import Controller
from icalendar import Calendar

from tests.conftest import csrf_from, outbox
from werklab import jobs
from werklab.db import utcnow
from werklab.extensions import db
from werklab.mail import MailStatus, backoff, deliver_due, requeue_stale
from werklab.registration import services


class Inbox:
    def __init__(self, refuse: set[str] | None = None):
        self.messages: list[tuple[list[str], email.message.EmailMessage]] = []
        self.refuse = refuse or set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append((list(envelope.rcpt_tos), message))
        return "250 Message accepted"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def programme(factories):
    """A programme without a fee: one mail per registration (no invoice mail besides)."""
    return factories.programme(fee_cents=None)


@pytest.fixture
def smtp_port():
    return free_port()


@pytest.fixture
def use_smtp(app, monkeypatch, smtp_port):
    monkeypatch.setitem(app.config, "MAIL_BACKEND", "smtp")
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", smtp_port)
    monkeypatch.setitem(app.config, "MAIL_TIMEOUT", 5)


def start_inbox(port: int, **kw) -> tuple[Controller, Inbox]:
    inbox = Inbox(**kw)
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    return controller, inbox


@pytest.fixture
def smtp(use_smtp, smtp_port):
    controller, inbox = start_inbox(smtp_port)
    yield inbox
    controller.stop()


def register_over_http(client, programme, email_address="sem.visser@example.nl"):
    url = f"/programma/{programme.slug}/inschrijven"
    token = csrf_from(client.get(url).get_data(as_text=True))
    return client.post(
        url,
        data={
            "csrf_token": token,
            "first_name": "Sem",
            "last_name": "Visser",
            "email": email_address,
            "organisation": "Provincie Gelderland",
            "sector": "government",
            "job_title": "Programmamanager",
            "learning_question": "Hoe ondersteunen we energiecoöperaties?",
            "privacy_consent": "y",
            "payment_method": "invoice",
            "billing_organisation": "Provincie Gelderland",
            "billing_street": "Postbus 9090",
            "billing_postcode": "6800 GX",
            "billing_city": "Arnhem",
            "billing_country": "NL",
            "billing_legal_id": "00000001001234567000",
            "billing_email": "facturen@gelderland.example",
            "billing_reference": "PO-77",
        },
    )


def test_confirmation_is_delivered_over_smtp_after_commit(client, programme, smtp):
    response = register_over_http(client, programme)
    assert response.status_code == 302
    [(recipients, message)] = smtp.messages
    assert recipients == ["sem.visser@example.nl"]
    assert message["To"] == "Sem Visser <sem.visser@example.nl>"
    assert message["Subject"] == f"Je plaats bij {programme.title} is bevestigd"
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    assert text.startswith("Beste Sem,")
    # The page the form leads to is the manage page the mail links to (with the form's answer).
    manage_path = response.headers["Location"].removesuffix("?ingeschreven=1")
    assert f"http://werklab.test{manage_path}" in text
    assert f'href="http://werklab.test{manage_path}"' in html
    [ics] = [
        part for part in message.iter_attachments() if part.get_content_type() == "text/calendar"
    ]
    assert ics.get_filename() == f"{programme.slug}.ics"
    calendar = Calendar.from_ical(ics.get_payload(decode=True))
    events = calendar.walk("VEVENT")
    assert len(events) == len(programme.sessions) == 3
    assert str(events[0]["location"]) == "Buurthuis 1, Dorpsstraat 1, 1234 AB Ergens"
    [row] = outbox("registration.confirmed")
    assert row.status is MailStatus.SENT


def test_offer_mail_has_working_accept_and_decline_links(client, factories, smtp):
    programme = factories.programme(min_participants=1, max_participants=1)
    seated = factories.registration(programme)
    waiting = factories.registration(programme, first_name="Noor")
    db.session.commit()
    smtp.messages.clear()
    token = services.manage_token(seated)
    page = client.get(f"/inschrijving/{token}/annuleren").get_data(as_text=True)
    client.post(f"/inschrijving/{token}/annuleren", data={"csrf_token": csrf_from(page)})
    offers = [
        m
        for rcpt, m in smtp.messages
        if rcpt == [waiting.email] and "keuze=accept" in m.get_body(("plain",)).get_content()
    ]
    assert len(offers) == 1
    body = offers[0].get_body(preferencelist=("plain",)).get_content()
    assert body.startswith("Beste Noor,")
    links = [line.strip() for line in body.splitlines() if line.startswith("http://werklab.test/")]
    assert len(links) == 2
    for link in links:
        assert client.get(link.removeprefix("http://werklab.test")).status_code == 200


def test_smtp_down_keeps_mail_queued_and_tick_sends_it_later(
    client, programme, use_smtp, smtp_port
):
    response = register_over_http(client, programme)
    assert response.status_code == 302  # the registration itself succeeded
    [mail] = outbox("registration.confirmed")
    db.session.refresh(mail)
    assert mail.status is MailStatus.QUEUED
    assert mail.attempts == 1
    assert "ConnectionRefused" in mail.last_error
    assert mail.next_attempt_at > utcnow()

    db.session.commit()  # the programme fixture, as it would be outside a test
    # Not yet due: tick leaves it alone.
    assert jobs.tick()["mails_sent"] == 0

    controller, inbox = start_inbox(smtp_port)
    try:
        result = jobs.tick(now=utcnow() + timedelta(minutes=2))
    finally:
        controller.stop()
    assert result["mails_sent"] == 1
    db.session.refresh(mail)
    assert mail.status is MailStatus.SENT
    assert [rcpt for rcpt, _ in inbox.messages] == [["sem.visser@example.nl"]]
    # And it is not sent twice.
    assert deliver_due(now=utcnow() + timedelta(hours=1)) == 0


def test_refused_recipient_is_marked_failed(client, programme, use_smtp, smtp_port):
    controller, inbox = start_inbox(smtp_port, refuse={"niemand@example.nl"})
    try:
        register_over_http(client, programme, email_address="niemand@example.nl")
    finally:
        controller.stop()
    [mail] = outbox("registration.confirmed")
    db.session.refresh(mail)
    assert mail.status is MailStatus.FAILED
    assert "niemand@example.nl" in mail.last_error
    assert inbox.messages == []


def test_backoff_grows_and_is_capped():
    assert [backoff(n) for n in (1, 2, 3, 4)] == [
        timedelta(minutes=1),
        timedelta(minutes=2),
        timedelta(minutes=4),
        timedelta(minutes=8),
    ]
    assert backoff(30) == timedelta(hours=6)


def test_mail_left_sending_by_a_dead_worker_is_queued_again(factories, programme):
    factories.registration(programme)
    [mail] = outbox()
    mail.status, mail.claimed_at = MailStatus.SENDING, utcnow() - timedelta(minutes=11)
    db.session.commit()
    assert requeue_stale() == 1
    db.session.refresh(mail)
    assert mail.status is MailStatus.QUEUED


def test_log_backend_prints_the_mail(app, client, programme, monkeypatch, caplog):
    monkeypatch.setitem(app.config, "MAIL_BACKEND", "log")
    with caplog.at_level("INFO", logger="werklab.mail"):
        register_over_http(client, programme)
    assert "sem.visser@example.nl" in caplog.text
    [mail] = outbox("registration.confirmed")
    db.session.refresh(mail)
    assert mail.status is MailStatus.SENT


def test_delivery_mode_tick_leaves_mail_for_the_job(app, client, programme, smtp, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_DELIVERY", "tick")
    register_over_http(client, programme)
    db.session.commit()
    assert smtp.messages == []
    assert jobs.tick()["mails_sent"] == 1
    assert len(smtp.messages) == 1


def test_a_mail_that_cannot_be_built_is_marked_failed_not_raised(app, monkeypatch):
    from werklab.mail import OutboxMail

    monkeypatch.setitem(app.config, "MAIL_BACKEND", "log")
    mail = OutboxMail(
        # A line break in a name no longer stops a mail (see test_mail_headers.py); one in
        # the address does: it could name a second mailbox.
        to_addr="anna@example.nl\nBcc: x@example.nl",
        to_name="Anna",
        subject="Onderwerp",
        body_text="tekst",
        body_html="<p>tekst</p>",
        attachments=[],
    )
    db.session.add(mail)
    db.session.commit()
    assert deliver_due() == 0
    db.session.refresh(mail)
    assert mail.status is MailStatus.FAILED
    assert "cannot build" in mail.last_error


def test_registration_mails_are_rendered_when_sent_and_kept(
    app, client, factories, smtp, monkeypatch
):
    """The request queues the mail without rendering it (it holds the programme lock);
    delivery renders it in the person's language and keeps what was sent."""
    from werklab.mail import OutboxMail

    programme = factories.programme(fee_cents=None, min_participants=1, max_participants=1)
    factories.registration(programme)
    db.session.commit()
    deliver_due()  # the seated person's confirmation
    smtp.messages.clear()
    monkeypatch.setitem(app.config, "MAIL_DELIVERY", "tick")
    assert register_over_http(client, programme, "wacht@example.nl").status_code == 302
    db.session.commit()  # end the test's own transaction, as outside a test
    queued = db.session.execute(
        db.select(OutboxMail).where(OutboxMail.to_addr == "wacht@example.nl")
    ).scalar_one()
    assert queued.body_text is None and queued.body_html is None
    assert queued.render["template"] == "registration/waitlisted"
    assert queued.locale == "nl"

    sent = deliver_due()
    db.session.refresh(queued)
    assert sent == 1, queued.last_error
    [(recipients, message)] = smtp.messages
    assert recipients == ["wacht@example.nl"]
    sent_text = message.get_body(preferencelist=("plain",)).get_content()
    assert "Je staat op nummer 1 van de wachtlijst." in sent_text
    db.session.refresh(queued)
    assert queued.status is MailStatus.SENT
    assert "Je staat op nummer 1 van de wachtlijst." in queued.body_text
    assert "Je staat op nummer 1 van de wachtlijst." in queued.body_html


def test_a_mail_about_a_registration_that_is_gone_fails_for_good(app, factories, monkeypatch):
    from werklab.mail import OutboxMail
    from werklab.registration.models import Registration

    monkeypatch.setitem(app.config, "MAIL_BACKEND", "log")
    registration = factories.registration(factories.programme(fee_cents=None))
    db.session.commit()
    [mail] = db.session.execute(
        db.select(OutboxMail).where(OutboxMail.to_addr == registration.email)
    ).scalars()
    db.session.execute(db.delete(Registration).where(Registration.id == registration.id))
    db.session.commit()
    assert deliver_due() == 0
    db.session.refresh(mail)
    assert mail.status is MailStatus.FAILED
    assert "is gone" in mail.last_error
