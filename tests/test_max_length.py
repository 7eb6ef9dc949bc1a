"""Every public and signed-link form, with every field at the maximum length the form accepts,
is stored and mailed: never a 500 because a column is shorter than its form field (issue 11,
item 9). Run it with --db=postgresql too: SQLite does not enforce VARCHAR lengths.

Names use "ë" (two bytes in UTF-8) so that a limit counted in bytes would fail as well.
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from tests.conftest import csrf_from, outbox
from tests.initiatives.helpers import initiative, site_visit_programme, slot
from tests.intake.conftest import LINES, intake_data
from werklab.accounts.models import User
from werklab.certificates.models import Certificate
from werklab.extensions import db
from werklab.initiatives import services as initiatives
from werklab.initiatives.models import VisitStatus
from werklab.intake import services as intake
from werklab.intake.models import BookingRequest, QuoteStatus
from werklab.intake.services import QuoteData
from werklab.mail import MailStatus, OutboxMail, deliver_due
from werklab.registration import services as registration
from werklab.registration.models import Registration


def longest(n: int) -> str:
    return "ë" * n


def text_of(n: int) -> str:
    """n characters of text with paragraphs (line breaks sent as the browser does)."""
    block = "ë" * 40 + "\r\n\r\n"
    body = (block * (n // 40 + 1)).replace("\r\n", "\n")[:n].strip() or "ë"
    body = body + "ë" * (n - len(body))
    return body.replace("\n", "\r\n")


def email_of(n: int = 254) -> str:
    """A valid address of exactly n characters."""
    local = "a" * 64
    domain_len = n - len(local) - 1
    labels, rest = [], domain_len - 3  # ".nl"
    while rest > 0:
        size = min(63, rest - 1 if rest > 63 else rest)
        labels.append("b" * size)
        rest -= size + 1
    address = f"{local}@{'.'.join(labels)}.nl"
    assert len(address) == n, len(address)
    return address


@pytest.fixture(autouse=True)
def build_every_mail(app, monkeypatch):
    """Mails are built and 'sent' to the log: a name that cannot go into a header shows."""
    monkeypatch.setitem(app.config, "MAIL_BACKEND", "log")


def page_token(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return csrf_from(response.get_data(as_text=True))


def errors_in(response) -> list:
    """The status and the messages on a refused form, for the assertion message."""
    page = response.get_data(as_text=True)
    messages = re.findall(r'(?:class="error"[^>]*>|role="alert">\s*<p>)([^<]*)<', page)
    return [response.status_code, *messages]


def assert_mails_built() -> None:
    db.session.expire_all()
    failed = db.session.execute(
        select(OutboxMail).where(OutboxMail.status == MailStatus.FAILED)
    ).scalars()
    assert [(m.kind, m.last_error) for m in failed] == []


REGISTRATION = {
    "first_name": longest(100),
    "last_name": longest(100),
    "organisation": longest(200),
    "sector": "government",
    "job_title": longest(200),
    "learning_question": text_of(2000),
    "dietary_wishes": longest(500),
    "privacy_consent": "y",
    "payment_method": "invoice",
    "billing_organisation": longest(200),
    "billing_street": longest(200),
    "billing_postcode": "7411 KT",
    "billing_city": longest(100),
    "billing_country": "NL",
    "billing_legal_id": "0000 0001 0012 3456 7000",
    "billing_reference": longest(100),
    "billing_order_number": longest(100),
    "billing_vat_number": "NL....." + " ".join("123456782B01"),  # 30 characters, valid
}


def test_registration_at_maximum_length(client, programme):
    db.session.commit()
    url = f"/programma/{programme.slug}/inschrijven"
    data = {
        **REGISTRATION,
        "email": email_of(),
        "billing_email": email_of(),
        "csrf_token": page_token(client, url),
    }
    response = client.post(url, data=data)
    assert response.status_code == 302, errors_in(response)
    reg = db.session.execute(select(Registration)).scalar_one()
    assert reg.full_name == f"{longest(100)} {longest(100)}"
    assert reg.learning_question == data["learning_question"].replace("\r\n", "\n")
    assert_mails_built()
    confirmed = outbox("registration.confirmed")
    assert confirmed and confirmed[0].to_name == reg.full_name

    # The participant asks for a sign-in link: an account with the full name is made.
    token = page_token(client, "/inloggen")
    response = client.post("/inloggen/link", data={"csrf_token": token, "email": email_of()})
    assert response.status_code == 200
    user = db.session.execute(select(User).where(User.email == reg.email_normalized)).scalar_one()
    assert user.name == reg.full_name
    assert_mails_built()

    # The certificate copies the full name.
    db.session.add(
        Certificate(
            registration_id=reg.id,
            programme_id=programme.id,
            name=reg.full_name,
            organisation=reg.organisation,
            programme_title=programme.title,
            code="x" * 32,
        )
    )
    db.session.flush()


def test_seat_transfer_at_maximum_length(client, factories, programme):
    reg = factories.registration(programme)
    db.session.commit()
    url = f"/inschrijving/{registration.manage_token(reg)}/overdragen"
    data = {**REGISTRATION, "email": email_of(), "csrf_token": page_token(client, url)}
    response = client.post(url, data=data)
    assert response.status_code == 302, errors_in(response)
    db.session.expire_all()
    new = db.session.execute(
        select(Registration).where(Registration.email == email_of())
    ).scalar_one()
    assert (new.first_name, new.last_name) == (longest(100), longest(100))
    assert_mails_built()


INTAKE = {
    "municipality": longest(200),
    "contact_name": longest(200),
    "contact_role": longest(200),
    "contact_phone": longest(40),
    "expected_participants": "12",
    "policy_areas": ["social", "other"],
    "policy_other": longest(200),
    "question": text_of(5000),
    "current_practice": text_of(5000),
    "known_initiatives": text_of(5000),
    "preferred_period": longest(200),
    "practical_wishes": text_of(5000),
}


def test_intake_at_maximum_length(client, factories):
    from werklab.accounts import services as accounts

    accounts.create_user(email_of(), longest(200), coordinator=True, actor="test")
    db.session.commit()
    data = {
        **INTAKE,
        "contact_email": email_of(),
        "csrf_token": page_token(client, "/werklab-aanvragen"),
    }
    response = client.post("/werklab-aanvragen", data=data)
    assert response.status_code == 302, errors_in(response)
    booking = db.session.execute(select(BookingRequest)).scalar_one()
    assert booking.question == data["question"].replace("\r\n", "\n")
    assert_mails_built()
    assert len(outbox("intake.request_notice")) == 1


def test_quote_acceptance_at_maximum_length(client):
    booking = intake.submit_request(intake_data(municipality=longest(200)))
    quote = intake.save_quote(
        booking,
        QuoteData([(longest(300), 100000), *LINES[1:]], 2100, date(2099, 3, 31)),
        actor="test",
    )
    intake.send_quote(quote, actor="test")
    db.session.commit()
    link = f"/offerte/{intake.quote_token(quote)}"
    data = {
        "name": longest(200),
        "role": longest(200),
        "purchase_reference": longest(100),
        "buyer_reference": longest(100),
        "billing_street": longest(200),
        "billing_postcode": "7411 KT",
        "billing_city": longest(100),
        "legal_id": "0000 0001 0012 3456 7000",
        "billing_email": email_of(),
        "agree_terms": "y",
        "csrf_token": page_token(client, link),
    }
    response = client.post(f"{link}/accepteren", data=data)
    assert response.status_code == 302, errors_in(response)
    db.session.expire_all()
    assert quote.status is QuoteStatus.ACCEPTED
    assert quote.answered_name == longest(200)
    assert_mails_built()


def test_quote_decline_at_maximum_length(client):
    booking = intake.submit_request(intake_data())
    quote = intake.save_quote(booking, QuoteData(LINES, 2100, date(2099, 3, 31)), actor="t")
    intake.send_quote(quote, actor="test")
    db.session.commit()
    link = f"/offerte/{intake.quote_token(quote)}"
    response = client.post(
        f"{link}/afwijzen",
        data={"reason": text_of(5000), "csrf_token": page_token(client, link)},
    )
    assert response.status_code == 302, errors_in(response)
    assert_mails_built()


def test_host_reply_and_feedback_at_maximum_length(client, factories):
    programme = site_visit_programme(factories)
    session = programme.sessions[0]
    visit = initiatives.add_visit(
        session, initiative("Repair Café", contact_name=longest(200)), *slot(session), actor="t"
    )
    db.session.commit()
    [mail] = outbox("site_visit.host_request")
    path = re.search(r"http://werklab\.test(/werkbezoek/[^\s\"<]+)", mail.body_text).group(1)
    response = client.post(
        path,
        data={"answer": "yes", "info": text_of(5000), "csrf_token": page_token(client, path)},
    )
    assert response.status_code == 302, errors_in(response)
    db.session.refresh(visit)
    assert visit.status is VisitStatus.CONFIRMED
    assert_mails_built()


def test_sign_in_and_verification_at_maximum_length(client):
    token = page_token(client, "/inloggen")
    assert (
        client.post("/inloggen/link", data={"csrf_token": token, "email": email_of()}).status_code
        == 200
    )
    response = client.post(
        "/inloggen", data={"csrf_token": token, "email": email_of(), "password": "p" * 200}
    )
    assert response.status_code == 400
    assert client.get("/verificatie?code=" + "c" * 64).status_code in (200, 302)
    assert "onbekend" in client.get("/verificatie/" + "c" * 64).get_data(as_text=True).lower()
    deliver_due()


def test_own_details_at_maximum_length(client, factories, programme):
    reg = factories.registration(programme)
    db.session.commit()
    url = f"/inschrijving/{registration.manage_token(reg)}/gegevens"
    fields = ("first_name", "last_name", "organisation", "job_title", "dietary_wishes")
    data = {name: REGISTRATION[name] for name in fields}
    response = client.post(url, data={**data, "csrf_token": page_token(client, url)})
    assert response.status_code == 302, errors_in(response)
    db.session.expire_all()
    assert db.session.get(Registration, reg.id).full_name == f"{longest(100)} {longest(100)}"
    assert_mails_built()
