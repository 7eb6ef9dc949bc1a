"""Accepting a quote with what the municipality's e-invoice needs: its OIN (or KvK number),
the address in parts, its reference or purchase-order number, and whether it wants the
invoice as an e-invoice; over HTTP, with Dutch messages for what is wrong."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.conftest import outbox
from tests.intake.conftest import LINES, csrf, intake_data, sign_in, text
from werklab.db import utcnow
from werklab.extensions import db
from werklab.intake import services
from werklab.intake.models import Quote, QuoteStatus
from werklab.intake.services import QuoteData
from werklab.invoicing import ubl
from werklab.invoicing.models import Invoice

ACCEPT = {
    "name": "Sanne Jansen",
    "role": "Kwartiermaker",
    "purchase_reference": "",
    "buyer_reference": "Kenmerk SD/2026/77",
    "billing_street": "Grote Kerkhof 1",
    "billing_postcode": "7411 KT",
    "billing_city": "Deventer",
    "legal_id": "00000001001234567000",
    "peppol_id": "",
    "billing_email": "crediteuren@deventer.example",
    "e_invoice": "y",
    "agree_terms": "y",
}


@pytest.fixture
def quote_path(coordinator):
    now = utcnow()
    booking = services.submit_request(intake_data(municipality="Deventer"), now=now)
    quote = services.save_quote(
        booking,
        QuoteData(LINES, 2100, (now + timedelta(days=30)).date()),
        actor="test",
        now=now,
    )
    services.send_quote(quote, actor="test", now=now)
    db.session.commit()
    return f"/offerte/{services.quote_token(quote)}"


def accept(client, quote_path, **changes):
    data = {**ACCEPT, **changes, "csrf_token": csrf(client, quote_path)}
    return client.post(f"{quote_path}/accepteren", data=data)


def test_the_form_asks_what_an_e_invoice_needs(client, quote_path):
    page = text(client.get(quote_path))
    for label in ("Straat en huisnummer", "Postcode", "KvK-nummer of OIN", "Inkoopordernummer"):
        assert label in page
    # Public buyers mostly take e-invoices: the box is ticked until the contact unticks it.
    [checkbox] = re.findall(r'<input[^>]*name="e_invoice"[^>]*>', page)
    assert "checked" in checkbox


def test_accepting_with_the_oin_sends_the_invoice_as_an_e_invoice(client, quote_path):
    response = accept(client, quote_path)
    assert response.status_code == 302, text(response)
    quote = db.session.execute(select(Quote)).scalar_one()
    assert quote.status is QuoteStatus.ACCEPTED
    assert (quote.buyer_legal_scheme, quote.buyer_legal_id) == ("0190", "00000001001234567000")
    assert (quote.purchase_reference, quote.buyer_reference) == ("", "Kenmerk SD/2026/77")
    assert quote.billing_address == "Grote Kerkhof 1\n7411 KT Deventer"
    invoice = db.session.get(Invoice, quote.invoice_id)
    assert invoice.sent_as_ubl and invoice.buyer_organisation == "Gemeente Deventer"
    assert ubl.missing(invoice) == []
    [mail] = outbox("invoicing.invoice")
    assert mail.to_addr == "crediteuren@deventer.example"
    assert "Kenmerk SD/2026/77" in mail.body_text
    assert mail.attachments[-1]["render"] == "werklab.invoicing.ubl:ubl_attachment"


def test_without_e_invoicing_the_mail_has_the_pdf_only(client, quote_path):
    response = accept(client, quote_path, e_invoice="")
    assert response.status_code == 302, text(response)
    [mail] = outbox("invoicing.invoice")
    assert [a["render"] for a in mail.attachments] == ["werklab.invoicing.pdf:pdf_attachment"]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"legal_id": "0000000100123456700"}, "Vul een KvK-nummer (8 cijfers) of een OIN"),
        ({"legal_id": ""}, "Vul het OIN van uw gemeente in (of haar KvK-nummer)."),
        ({"buyer_reference": "", "purchase_reference": ""}, "Vul uw referentie of het inkoop"),
        ({"billing_postcode": "7411"}, "Een Nederlandse postcode ziet eruit als 1234 AB."),
        ({"billing_city": ""}, "Vul de plaats in."),
        ({"peppol_id": "0190:123"}, "Een OIN heeft 20 cijfers"),
        ({"billing_street": "Grote Kerkhof 1\r\nBcc: x@y.nl"}, "één regel"),
        ({"buyer_reference": "r" * 101}, "Maximaal 100 tekens."),
    ],
)
def test_wrong_details_are_explained_and_nothing_is_booked(client, quote_path, changes, message):
    response = accept(client, quote_path, **changes)
    assert response.status_code == 422
    assert message in text(response)
    assert db.session.execute(select(func.count()).select_from(Invoice)).scalar_one() == 0
    assert db.session.execute(select(Quote)).scalar_one().status is QuoteStatus.SENT


def test_the_coordinator_sees_the_oin_and_the_invoice_of_an_accepted_quote(
    client, quote_path, coordinator
):
    accept(client, quote_path)
    quote = db.session.execute(select(Quote)).scalar_one()
    db.session.commit()
    sign_in(client, coordinator.email)
    page = text(client.get(f"/beheer/aanvragen/{quote.booking_request_id}"))
    assert "OIN 00000001001234567000; de factuur gaat ook als e-factuur (UBL) de deur uit." in page
    assert f'href="/beheer/facturen/{quote.invoice_id}">De factuur' in page
