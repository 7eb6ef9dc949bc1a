"""Address headers built safely, and replies that reach a person (issue 11, items 7 and 8).

Names with commas, quotes, line breaks or hundreds of characters go through a real SMTP
conversation (aiosmtpd): the envelope names only the intended recipient and the To: header,
parsed as a mail program would, holds exactly one address with the name intact.
"""

from __future__ import annotations

import email.utils
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest

from tests.conftest import csrf_from, outbox
from tests.test_mail import smtp, smtp_port, use_smtp  # noqa: F401  (fixtures)
from werklab.accounts import services as accounts
from werklab.db import utcnow
from werklab.extensions import db
from werklab.mail import OutboxMail, build_message, deliver_due
from werklab.mail_headers import MAIL_POLICY, address_header, clean_name

#: From the issue: a first name that tries to add a recipient, and a long last name.
HOSTILE_FIRST = 'Jan "x" Vries, attacker@evil.example,'
LONG_LAST = "van der Berg-" + "Zonderlangenaamsbestaandeachternaam" * 2 + "-Oudshoorn"
ORGANISATION = "Gemeente Deventer, afd. Financiën"

NAMES = [
    f"{HOSTILE_FIRST} {LONG_LAST}",
    ORGANISATION,
    HOSTILE_FIRST,
    "Anna\r\nBcc: stiekem@evil.example",
    "Anna\nTo: stiekem@evil.example, ",
    "x" * 200,
    "Zoë " * 50,
    "🙂" * 120,
    '"; <stiekem@evil.example>, "',
    "=?utf-8?q?Evil=2C_stiekem@evil.example?=",
    "back\\slash\\",
    "a\u2028b\x1b[31mc\x00d",
    "",
]


@pytest.fixture
def inbox(request):
    """A real SMTP server (aiosmtpd) that the app delivers to: test_mail's `smtp`."""
    return request.getfixturevalue("smtp")


def parsed(msg: EmailMessage) -> EmailMessage:
    """The message as a mail program reads it."""
    return message_from_bytes(msg.as_bytes(), policy=policy.default)


@pytest.mark.parametrize("name", NAMES)
def test_any_display_name_gives_exactly_one_recipient(name):
    msg = EmailMessage(policy=MAIL_POLICY)
    msg["To"] = address_header(name, "echte.ontvanger@example.nl")
    msg.set_content("x")
    headers = msg.as_bytes().split(b"\n\n", 1)[0]
    assert all(len(line) <= 998 for line in headers.split(b"\n"))
    to = parsed(msg)["To"]
    assert [a.addr_spec for a in to.addresses] == ["echte.ontvanger@example.nl"]
    shown = to.addresses[0].display_name
    # Python's parser keeps the space between RFC 2047 words (mail programs drop it, as the
    # RFC says): compare without white space for the encoded names.
    assert "".join(shown.split()) == "".join(clean_name(name).split())
    if name.isascii() and "=?" not in name:
        assert shown == clean_name(name)
    # What smtplib would take as recipients if it read the header (it does not: see below).
    assert [addr for _, addr in email.utils.getaddresses([str(to)])] == [
        "echte.ontvanger@example.nl"
    ]


@pytest.mark.parametrize(
    "address",
    ["a@example.nl, stiekem@evil.example", "a@example.nl\nBcc: b@evil.example", "geen-adres", ""],
)
def test_an_address_that_could_name_more_than_one_mailbox_is_refused(address):
    with pytest.raises(ValueError):
        address_header("Anna", address)


def register(client, programme, **fields):
    url = f"/programma/{programme.slug}/inschrijven"
    token = csrf_from(client.get(url).get_data(as_text=True))
    data = {
        "csrf_token": token,
        "first_name": "Sem",
        "last_name": "Visser",
        "email": "sem.visser@example.nl",
        "organisation": "Gemeente Deventer",
        "sector": "government",
        "job_title": "Beleidsadviseur",
        "learning_question": "Hoe werken we samen?",
        "privacy_consent": "y",
        "payment_method": "invoice",
        "billing_organisation": ORGANISATION,
        "billing_street": "Postbus 5000",
        "billing_postcode": "7400 GC",
        "billing_city": "Deventer",
        "billing_country": "NL",
        "billing_legal_id": "00000001001234567000",
        "billing_email": "facturen@deventer.example",
        "billing_reference": "PO-2026-17",
        **fields,
    }
    return client.post(url, data=data)


def test_hostile_names_reach_only_their_recipient_over_smtp(client, factories, inbox):
    """The issue's cases end to end: a registration by `Jan "x" Vries, attacker@evil.example,`
    with a long last name, billed to "Gemeente Deventer, afd. Financiën"."""
    programme = factories.programme(fee_cents=25000)
    db.session.commit()
    response = register(
        client,
        programme,
        first_name=HOSTILE_FIRST,
        last_name=LONG_LAST,
        email="jan@example.nl",
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    by_recipient = {tuple(rcpt): message for rcpt, message in inbox.messages}
    assert set(by_recipient) == {("jan@example.nl",), ("facturen@deventer.example",)}
    assert all("evil.example" not in r for rcpts, _ in inbox.messages for r in rcpts)

    [participant] = by_recipient[("jan@example.nl",)]["To"].addresses
    assert (participant.display_name, participant.addr_spec) == (
        f"{HOSTILE_FIRST} {LONG_LAST}",
        "jan@example.nl",
    )
    [billing] = by_recipient[("facturen@deventer.example",)]["To"].addresses
    assert (billing.display_name, billing.addr_spec) == (
        ORGANISATION,
        "facturen@deventer.example",
    )
    for rows in (outbox("registration.confirmed"), outbox("invoicing.invoice")):
        [row] = rows
        db.session.refresh(row)
        assert row.status.value == "sent", row.last_error


# --- Reply-To (item 7) -----------------------------------------------------------------------


def reply_to(message) -> list[str]:
    header = message["Reply-To"]
    return [a.addr_spec for a in header.addresses] if header is not None else []


@pytest.fixture
def coordinators():
    """Two coordinators and a trainer (who is not where replies go)."""
    for email_address, name, coordinator in (
        ("co@werklab.example", "Coby, coördinator", True),
        ("ordinator@werklab.example", "Ord", True),
        ("trainer@werklab.example", "Tom", False),
    ):
        accounts.create_user(
            email_address, name, coordinator=coordinator, trainer=not coordinator, actor="test"
        )
    db.session.commit()


def cancel_over_http(client, registration):
    from werklab.registration import services

    token = services.manage_token(registration)
    page = client.get(f"/inschrijving/{token}/annuleren").get_data(as_text=True)
    return client.post(f"/inschrijving/{token}/annuleren", data={"csrf_token": csrf_from(page)})


def test_a_mail_that_asks_for_a_reply_replies_to_the_coordinators(
    client, factories, coordinators, inbox
):
    """ "Reply to this e-mail and we will help you" must reach a person, not noreply@."""
    programme = factories.programme(fee_cents=None)
    registration = factories.registration(programme)
    db.session.commit()
    inbox.messages.clear()
    assert cancel_over_http(client, registration).status_code == 302
    [(rcpt, message)] = [(r, m) for r, m in inbox.messages if r == [registration.email]]
    assert "Stuur dan een" in message.get_body(("plain",)).get_content()
    assert message["From"].addresses[0].addr_spec == "noreply@werklab.example"
    assert reply_to(message) == ["co@werklab.example", "ordinator@werklab.example"]
    assert message["Reply-To"].addresses[0].display_name == "Coby, coördinator"


def test_mail_reply_to_setting_wins(app, client, factories, coordinators, inbox, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_REPLY_TO", "Team werklab <team@werklab.example>")
    programme = factories.programme(fee_cents=None)
    registration = factories.registration(programme)
    db.session.commit()
    inbox.messages.clear()
    cancel_over_http(client, registration)
    [message] = [m for r, m in inbox.messages if r == [registration.email]]
    assert reply_to(message) == ["team@werklab.example"]


def invoiced(factories):
    from werklab.invoicing import services
    from werklab.invoicing.services import BillingDetails

    programme = factories.programme(fee_cents=25000)
    registration = factories.registration(programme)
    billing = BillingDetails(ORGANISATION, "Postbus 5000", "facturen@deventer.example", "PO-1", "")
    services.save_billing(registration, billing, now=utcnow())
    services.invoice_registration(registration, now=utcnow())
    db.session.commit()


def test_every_mail_has_a_reply_to_a_person(app, factories, coordinators):
    """Whatever the template (also ones added later): never only the no-reply sender."""
    invoiced(factories)
    mails = outbox()
    assert {m.kind for m in mails} >= {"registration.confirmed", "invoicing.invoice"}
    for mail in mails:
        addresses = reply_to(parsed(build_message(mail)))
        assert addresses, mail.kind
        assert "noreply@werklab.example" not in addresses


def test_invoice_replies_go_to_the_invoicing_address(app, factories, coordinators):
    """The invoice says "Questions about this document? Mail facturen@...": so does a reply."""
    invoiced(factories)
    [invoice] = outbox("invoicing.invoice")
    assert reply_to(parsed(build_message(invoice))) == [app.config["SELLER_EMAIL"]]


def test_a_new_request_notice_replies_to_the_municipality_contact(app, client, coordinators):
    from werklab.intake.services import IntakeData, submit_request

    data = IntakeData(
        **{
            **{f: "" for f in IntakeData.__dataclass_fields__},
            "municipality": "Deventer",
            "contact_name": "Petra de Wit, Gemeente Deventer",
            "contact_role": "Beleidsadviseur",
            "contact_email": "petra@deventer.example",
            "contact_phone": "0570 000000",
            "expected_participants": 12,
            "policy_areas": [],
            "question": "Hoe werken we beter samen met initiatieven?",
            "locale": "nl",
        }
    )
    submit_request(data)
    db.session.commit()
    notices = outbox("intake.request_notice")
    assert {m.to_addr for m in notices} == {"co@werklab.example", "ordinator@werklab.example"}
    for notice in notices:
        message = parsed(build_message(notice))
        assert reply_to(message) == ["petra@deventer.example"]
        [contact] = message["Reply-To"].addresses
        assert contact.display_name == "Petra de Wit, Gemeente Deventer"
    # The contact's own confirmation replies to the coordinators.
    [received] = outbox("intake.request_received")
    assert reply_to(parsed(build_message(received))) == [
        "co@werklab.example",
        "ordinator@werklab.example",
    ]


def test_a_name_with_a_line_break_is_sent_not_lost(app, inbox):
    """Before, such a mail could never be built and was marked failed for good."""
    mail = OutboxMail(
        to_addr="anna@example.nl",
        to_name="Anna\nBcc: stiekem@evil.example",
        subject="Onderwerp\r\nBcc: stiekem@evil.example",
        body_text="tekst",
        body_html="<p>tekst</p>",
        attachments=[],
    )
    db.session.add(mail)
    db.session.commit()
    assert deliver_due() == 1
    [(rcpt, message)] = inbox.messages
    assert rcpt == ["anna@example.nl"]
    assert message["Bcc"] is None
    assert message["Subject"] == "Onderwerp Bcc: stiekem@evil.example"
    assert [a.display_name for a in message["To"].addresses] == ["Anna Bcc: stiekem@evil.example"]


def test_a_bad_reply_to_address_is_left_out_not_the_mail(app, coordinators):
    mail = OutboxMail(
        to_addr="co@werklab.example",
        to_name="Coby",
        subject="Nieuwe aanvraag",
        body_text="tekst",
        body_html="<p>tekst</p>",
        attachments=[],
        reply_to=[["Petra", "petra@deventer.example, stiekem@evil.example"]],
    )
    message = parsed(build_message(mail))
    assert message["Reply-To"] is None
    assert [a.addr_spec for a in message["To"].addresses] == ["co@werklab.example"]
