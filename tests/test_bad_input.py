"""Line breaks and control characters in the one-line fields of every public and signed-link
form (intake, quote acceptance, seat transfer, registration, host reply) are refused with a
Dutch message; nothing is stored and no mail is queued (issue 11, item 10)."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import func, select

from tests.conftest import csrf_from, outbox
from tests.initiatives.helpers import initiative, site_visit_programme, slot
from tests.intake.conftest import LINES, intake_data
from werklab.audit import AuditEntry
from werklab.extensions import db
from werklab.initiatives import services as initiatives
from werklab.intake import services as intake
from werklab.intake.services import QuoteData
from werklab.mail import OutboxMail
from werklab.registration import services as registration

ONE_LINE = "Gebruik één regel, zonder regeleinden of speciale tekens."
CANNOT_STORE = "Deze tekst bevat tekens die we niet kunnen opslaan."
#: A line break that would add a header, ESC (a terminal colour), BEL, VT, a C1 control and
#: the Unicode line separator.
BAD = [
    "Jan\r\nBcc: x@evil.example",
    "Jan \x1b[31mrood",
    "Jan\x07",
    "Jan\x0bJansen",
    "Jan\x85Jansen",
    "Jan\u2028Jansen",
]


def text(response) -> str:
    return response.get_data(as_text=True)


def counts() -> tuple[int, int]:
    def count(model):
        return db.session.execute(select(func.count()).select_from(model)).scalar_one()

    return count(AuditEntry), count(OutboxMail)


INTAKE = {
    "municipality": "Gemeente Zwolle",
    "contact_name": "Joost de Boer",
    "contact_role": "Beleidsadviseur",
    "contact_email": "j.deboer@zwolle.nl",
    "contact_phone": "038 498 9111",
    "expected_participants": "12",
    "policy_areas": ["spatial"],
    "question": "Hoe geven we ruimte aan energiecoöperaties?",
    "policy_other": "",
    "preferred_period": "Voorjaar",
}


def _refused(response, before, message=ONE_LINE):
    assert response.status_code in (400, 422), response.status_code
    assert message in text(response)
    db.session.rollback()
    assert counts() == before


@pytest.mark.parametrize("bad", BAD)
@pytest.mark.parametrize(
    "name",
    [
        "municipality",
        "contact_name",
        "contact_role",
        "contact_phone",
        "preferred_period",
        "policy_other",
    ],
)
def test_intake_one_line_fields(client, name, bad):
    before = counts()
    page = client.get("/werklab-aanvragen")
    response = client.post(
        "/werklab-aanvragen", data={**INTAKE, name: bad, "csrf_token": csrf_from(text(page))}
    )
    _refused(response, before)


@pytest.mark.parametrize("name", ["question", "current_practice", "practical_wishes"])
def test_intake_texts_refuse_control_characters_but_keep_line_breaks(client, name):
    before = counts()
    token = csrf_from(text(client.get("/werklab-aanvragen")))
    response = client.post(
        "/werklab-aanvragen", data={**INTAKE, name: "Eerste\x1b regel", "csrf_token": token}
    )
    _refused(response, before, CANNOT_STORE)
    response = client.post(
        "/werklab-aanvragen",
        data={**INTAKE, name: "Eerste alinea.\r\n\r\nTweede alinea.", "csrf_token": token},
    )
    assert response.status_code == 302
    stored = db.session.execute(select(intake.BookingRequest)).scalar_one()
    assert getattr(stored, name) == "Eerste alinea.\n\nTweede alinea."


def test_a_nul_character_gets_a_dutch_page_and_nothing_is_stored(client):
    before = counts()
    token = csrf_from(text(client.get("/werklab-aanvragen")))
    response = client.post(
        "/werklab-aanvragen", data={**INTAKE, "contact_name": "Jan\x00", "csrf_token": token}
    )
    assert response.status_code == 400
    assert "nul-teken" in text(response)
    assert counts() == before


@pytest.fixture
def quote_link():
    booking = intake.submit_request(intake_data())
    quote = intake.save_quote(booking, QuoteData(LINES, 2100, date(2099, 3, 31)), actor="test")
    intake.send_quote(quote, actor="test")
    db.session.commit()
    return f"/offerte/{intake.quote_token(quote)}"


ACCEPT = {
    "name": "Fatima el Amrani",
    "role": "Programmamanager",
    "purchase_reference": "PO-4500999",
    "billing_street": "Korenmarkt 1",
    "billing_postcode": "6811 GV",
    "billing_city": "Arnhem",
    "legal_id": "00000001001234567000",
    "billing_email": "crediteuren@arnhem.nl",
    "agree_terms": "y",
}


@pytest.mark.parametrize("bad", BAD[:3])
@pytest.mark.parametrize(
    "name",
    [
        "name",
        "role",
        "purchase_reference",
        "buyer_reference",
        "billing_street",
        "billing_city",
        "billing_email",
    ],
)
def test_quote_acceptance_one_line_fields(client, quote_link, name, bad):
    before = counts()
    token = csrf_from(text(client.get(quote_link)))
    response = client.post(
        f"{quote_link}/accepteren", data={**ACCEPT, name: bad, "csrf_token": token}
    )
    _refused(response, before)


REGISTER = {
    "first_name": "Sem",
    "last_name": "Visser",
    "email": "sem@example.nl",
    "organisation": "Provincie Gelderland",
    "sector": "government",
    "job_title": "Programmamanager",
    "learning_question": "Hoe ondersteunen we energiecoöperaties?",
    "dietary_wishes": "",
    "privacy_consent": "y",
    "payment_method": "invoice",
    "billing_organisation": "Provincie Gelderland",
    "billing_street": "Markt 11",
    "billing_postcode": "6811 CG",
    "billing_city": "Arnhem",
    "billing_country": "NL",
    "billing_legal_id": "00000001001234567000",
    "billing_email": "facturen@gelderland.example",
    "billing_reference": "PO-77",
}


@pytest.mark.parametrize("bad", BAD[:3])
@pytest.mark.parametrize(
    "name",
    [
        "first_name",
        "last_name",
        "organisation",
        "job_title",
        "dietary_wishes",
        "billing_organisation",
        "billing_street",
        "billing_city",
        "billing_reference",
        "billing_order_number",
        "billing_email",
    ],
)
def test_registration_one_line_fields(client, programme, name, bad):
    db.session.commit()
    url = f"/programma/{programme.slug}/inschrijven"
    before = counts()
    token = csrf_from(text(client.get(url)))
    response = client.post(url, data={**REGISTER, name: bad, "csrf_token": token})
    _refused(response, before)


@pytest.mark.parametrize("bad", BAD[:3])
@pytest.mark.parametrize("name", ["first_name", "last_name", "organisation", "job_title"])
def test_seat_transfer_one_line_fields(client, factories, programme, name, bad):
    reg = factories.registration(programme)
    db.session.commit()
    url = f"/inschrijving/{registration.manage_token(reg)}/overdragen"
    before = counts()
    token = csrf_from(text(client.get(url)))
    data = {**REGISTER, "email": "collega@example.nl", name: bad, "csrf_token": token}
    _refused(client.post(url, data=data), before)


def test_host_reply_refuses_control_characters(client, factories):
    programme = site_visit_programme(factories)
    session = programme.sessions[0]
    initiatives.add_visit(session, initiative("Repair Café"), *slot(session), actor="t")
    db.session.commit()
    [mail] = outbox("site_visit.host_request")
    path = re.search(r"http://werklab\.test(/werkbezoek/[^\s\"<]+)", mail.body_text).group(1)
    before = counts()
    token = csrf_from(text(client.get(path)))
    response = client.post(
        path, data={"csrf_token": token, "answer": "yes", "info": "Bel aan\x1b[2J bij de deur"}
    )
    _refused(response, before, CANNOT_STORE)
