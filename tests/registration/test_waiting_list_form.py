"""A full programme's form is the waiting list's form: it says so, and asks how to pay only
when a place is offered and accepted (issue 11, item 14)."""

from __future__ import annotations

import pytest

from tests.conftest import csrf_from
from tests.test_bad_input import REGISTER
from werklab.catalog.pricing import seat_price
from werklab.errors import DomainError
from werklab.extensions import db
from werklab.i18n import money
from werklab.invoicing.services import billing_for, invoice_for
from werklab.registration import services
from werklab.registration.models import PaymentMethod, Registration, RegistrationStatus

PERSON = {
    name: REGISTER[name]
    for name in (
        "first_name",
        "last_name",
        "organisation",
        "sector",
        "job_title",
        "learning_question",
        "privacy_consent",
    )
}


def text(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def full(factories):
    programme = factories.programme(min_participants=1, max_participants=1)
    first = factories.registration(programme)
    db.session.commit()
    return programme, first


def join(client, programme, email="wacht@example.nl"):
    url = f"/programma/{programme.slug}/inschrijven"
    page = text(client.get(url))
    response = client.post(url, data={**PERSON, "email": email, "csrf_token": csrf_from(page)})
    return page, response


def test_the_form_of_a_full_programme_is_the_waiting_list(client, full):
    programme, _first = full
    page, response = join(client, programme)
    assert "<h1>Op de wachtlijst voor" in page
    assert "Dit traject is vol" in page and "Hoe je betaalt, kies je pas" in page
    assert 'name="billing_organisation"' not in page and 'name="payment_method"' not in page
    assert "Aanmelden voor de wachtlijst</button>" in page
    assert response.status_code == 302
    waiting = db.session.query(Registration).filter_by(email="wacht@example.nl").one()
    assert waiting.status is RegistrationStatus.WAITLISTED
    assert waiting.payment_method is PaymentMethod.NONE
    assert billing_for(waiting) is None and invoice_for(waiting) is None


def test_how_to_pay_is_asked_when_the_offered_place_is_accepted(client, full):
    programme, first = full
    join(client, programme)
    waiting = db.session.query(Registration).filter_by(email="wacht@example.nl").one()
    services.cancel_registration(first, actor="test")
    db.session.commit()
    db.session.refresh(waiting)
    assert waiting.status is RegistrationStatus.OFFERED
    url = f"/inschrijving/{services.manage_token(waiting)}/aanbod?keuze=accept"
    page = text(client.get(url))
    assert 'name="billing_organisation"' in page and 'name="billing_reference"' in page
    # The same price as on the programme page and the form: excluding VAT, and the total.
    price = seat_price(programme)
    assert price.has_vat and money(price.excl_cents) in page and money(price.incl_cents) in page
    # Without billing details the place is not taken.
    response = client.post(url, data={"csrf_token": csrf_from(page), "payment_method": "invoice"})
    assert response.status_code == 400
    assert "Vul de straat en het huisnummer in." in text(response)
    db.session.refresh(waiting)
    assert waiting.status is RegistrationStatus.OFFERED
    response = client.post(
        url,
        data={
            "csrf_token": csrf_from(page),
            "payment_method": "invoice",
            "billing_organisation": "Gemeente Ede",
            "billing_street": "Bergstraat 4",
            "billing_postcode": "6711 LR",
            "billing_city": "Ede",
            "billing_country": "NL",
            "billing_legal_id": "12345678",
            "billing_email": "facturen@ede.example",
            "billing_reference": "PO-123",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    waiting = db.session.get(Registration, waiting.id)
    assert waiting.status is RegistrationStatus.CONFIRMED
    assert waiting.payment_method is PaymentMethod.INVOICE
    assert billing_for(waiting).organisation == "Gemeente Ede"
    assert invoice_for(waiting) is not None


def test_joining_the_list_when_a_place_is_free_asks_how_to_pay(client, factories, full):
    programme, first = full
    services.cancel_registration(first, actor="test")
    db.session.commit()
    data = factories.person(pay_later=True)
    with pytest.raises(DomainError, match="plek vrijgekomen"):
        services.register(programme.id, data, invitation_token=None)
    db.session.rollback()
    # Through the form, which now asks how to pay.
    page = text(client.get(f"/programma/{programme.slug}/inschrijven"))
    assert 'name="billing_organisation"' in page and "Op de wachtlijst voor" not in page
