"""The billing details of the registration form: what an e-invoice needs, checked with clear
Dutch messages, stored on the registration and carried by its invoice."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.conftest import outbox
from tests.registration.test_views import post_form, text
from werklab.extensions import db
from werklab.invoicing.models import Invoice, RegistrationBilling
from werklab.registration.models import Registration


def count(model) -> int:
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def test_the_billing_details_of_a_government_employer_make_an_e_invoice(client, programme):
    response = post_form(
        client,
        programme,
        billing_organisation="Gemeente Deventer",
        billing_street="Grote Kerkhof 1",
        billing_postcode="7411kt",
        billing_city="Deventer",
        billing_legal_id="0000 0001 0012 3456 7000",
        billing_reference="",
        billing_order_number="4500777",
        billing_peppol_id="0190:00000001001234567000",
        billing_e_invoice="y",
    )
    assert response.status_code == 302, text(response)
    billing = db.session.execute(select(RegistrationBilling)).scalar_one()
    assert billing.address == "Grote Kerkhof 1\n7411 KT Deventer"
    assert (billing.legal_scheme, billing.legal_id) == ("0190", "00000001001234567000")
    assert (billing.order_number, billing.reference, billing.e_invoice) == ("4500777", "", True)
    invoice = db.session.execute(select(Invoice)).scalar_one()
    assert (invoice.buyer_street, invoice.buyer_postcode, invoice.buyer_city) == (
        "Grote Kerkhof 1",
        "7411 KT",
        "Deventer",
    )
    assert invoice.buyer_order_number == "4500777" and invoice.sent_as_ubl
    [mail] = outbox("invoicing.invoice")
    assert [a["render"] for a in mail.attachments] == [
        "werklab.invoicing.pdf:pdf_attachment",
        "werklab.invoicing.ubl:ubl_attachment",
    ]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("billing_legal_id", "1234", "Vul een KvK-nummer (8 cijfers) of een OIN (20 cijfers"),
        ("billing_legal_id", "", "Vul het KvK-nummer van de organisatie in"),
        ("billing_postcode", "12345", "Een Nederlandse postcode ziet eruit als 1234 AB."),
        ("billing_street", "", "Vul de straat en het huisnummer in."),
        ("billing_street", "Markt 1\nAchterom", "één regel"),
        ("billing_city", "Deventer\x07", "één regel"),
        ("billing_reference", "", "Vul uw referentie of het inkoopordernummer in"),
        ("billing_vat_number", "NL123456789B01", "Dit btw-nummer klopt niet"),
        ("billing_peppol_id", "00000001001234567000", "Een Peppol-ID begint met 0190"),
        ("billing_street", "x" * 201, "Maximaal 200 tekens."),
    ],
)
def test_wrong_billing_details_are_explained_and_nothing_is_stored(
    client, programme, field, value, message
):
    response = post_form(client, programme, **{field: value})
    assert response.status_code == 400
    assert message in text(response).replace("&#39;", "'")
    assert count(Registration) == count(RegistrationBilling) == count(Invoice) == 0


def test_a_buyer_abroad_needs_no_kvk_number(client, programme):
    response = post_form(
        client,
        programme,
        billing_country="BE",
        billing_postcode="1000",
        billing_city="Brussel",
        billing_legal_id="",
        billing_vat_number="BE0403170701",
    )
    assert response.status_code == 302, text(response)
    billing = db.session.execute(select(RegistrationBilling)).scalar_one()
    assert billing.country == "BE"
    assert billing.address == "Postbus 1\n1000 Brussel\nBelgië"
