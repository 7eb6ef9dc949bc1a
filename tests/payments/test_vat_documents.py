"""One price rule for both ways of paying, and a VAT document for every payer (issue 11,
items 1 and 2): an online payer pays fee + VAT, gets an invoice marked paid in the same
number sequence, and a refund of that payment gets a credit note."""

from __future__ import annotations

import re
import subprocess

import stripe
from sqlalchemy import select

from tests.conftest import csrf_from
from tests.payments.helpers import checkout, fresh, held, mails, send_event
from werklab.catalog.pricing import Price, seat_price
from werklab.extensions import db
from werklab.invoicing.models import CreditNote, Invoice, InvoiceStatus
from werklab.invoicing.services import BillingDetails
from werklab.registration import services as registration_services
from werklab.registration.models import PaymentMethod
from werklab.registration.models import RegistrationStatus as S

PRICE_NL = "€\xa0750,00 excl. btw per deelnemer per jaar (€\xa0907,50 incl. 21% btw)"


def text_of(html: str) -> str:
    # Collapse ordinary white space only: amounts keep their no-break space.
    return re.sub(r"[ \t\r\n]+", " ", re.sub(r"<[^>]+>", " ", html))


def pdf_text(data: bytes) -> str:
    out = subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True)
    return " ".join(out.stdout.decode().split())


def paid_online(client, factories, programme, stripe_fake, **kw):
    reg = held(factories, programme, **kw)
    session_id = checkout(reg)
    send_event(client, stripe_fake, "checkout.session.completed", stripe_fake.pay(session_id))
    assert fresh(reg).status is S.CONFIRMED
    return reg


def invoices_of(reg) -> list[Invoice]:
    return list(
        db.session.execute(
            select(Invoice).where(Invoice.registration_id == reg.id).order_by(Invoice.id)
        ).scalars()
    )


def test_the_price_rounds_vat_per_line_half_up():
    assert seat_price.__doc__
    assert Price.of(75000, 2100) == Price(75000, 2100, 15750, 90750)
    assert Price.of(12345, 2100) == Price(12345, 2100, 2592, 14937)  # 2592,45 → 2592
    assert Price.of(50, 2100).vat_cents == 11  # 10,5 → 11 (half up)
    assert Price.of(75000, 0) == Price(75000, 0, 0, 75000)


def test_every_page_shows_the_same_price(client, factories, programme, stripe_fake):
    """Programme list, programme page, form and the manage page of a held seat: the fee
    excl. VAT and the total incl. VAT that the payer pays either way."""
    for url in ("/", f"/programma/{programme.slug}", f"/programma/{programme.slug}/inschrijven"):
        page = client.get(url)
        assert page.status_code == 200, url
        assert PRICE_NL in text_of(page.get_data(as_text=True)), url
    reg = held(factories, programme)
    manage = client.get(f"/inschrijving/{registration_services.manage_token(reg)}")
    html = text_of(manage.get_data(as_text=True))
    assert "Nu €\xa0907,50 betalen" in html and PRICE_NL in html


def test_an_exempt_programme_says_so_and_charges_the_fee(client, factories, stripe_fake):
    programme = factories.programme(vat_rate_bp=0)
    db.session.commit()
    page = client.get(f"/programma/{programme.slug}")
    assert "€\xa0750,00 per deelnemer per jaar (geen btw)" in text_of(page.get_data(as_text=True))
    reg = held(factories, programme)
    assert stripe_fake.sessions[checkout(reg)]["amount_total"] == 75000


def test_an_online_and_an_invoice_payer_pay_the_same_total(
    client, factories, programme, stripe_fake
):
    by_invoice = factories.registration(
        programme,
        payment_method=PaymentMethod.INVOICE,
        billing=BillingDetails(
            "Gemeente Ede", "Markt 1\n6711 AA Ede", "crediteuren@ede.nl", "PO-1"
        ),
    )
    db.session.commit()
    online = paid_online(client, factories, programme, stripe_fake)
    [sent] = invoices_of(by_invoice)
    [paid] = invoices_of(online)
    assert sent.total_incl_cents == paid.total_incl_cents == 90750
    assert stripe_fake.sessions[online.checkout_session_id]["amount_total"] == 90750
    assert [(line.unit_price_cents, line.vat_cents) for line in paid.lines] == [(75000, 15750)]


def test_an_online_payer_gets_an_invoice_marked_paid(client, factories, programme, stripe_fake):
    first = factories.registration(
        programme,
        payment_method=PaymentMethod.INVOICE,
        billing=BillingDetails(
            "Gemeente Ede", "Markt 1\n6711 AA Ede", "crediteuren@ede.nl", "PO-1"
        ),
    )
    db.session.commit()
    [earlier] = invoices_of(first)
    reg = paid_online(
        client, factories, programme, stripe_fake, organisation="Stichting Buurtkracht"
    )
    # A redelivered event changes nothing: still one invoice.
    session = stripe_fake.sessions[reg.checkout_session_id]
    send_event(client, stripe_fake, "checkout.session.completed", dict(session))
    [invoice] = invoices_of(reg)
    year, number = earlier.number.split("-")
    assert invoice.number == f"{year}-{int(number) + 1:04d}"  # the same sequence, no gap
    assert invoice.status is InvoiceStatus.PAID and invoice.paid_on is not None
    assert invoice.due_date is None
    assert invoice.buyer_organisation == "Stichting Buurtkracht"
    assert invoice.buyer_email == reg.email
    [mail] = mails("invoicing.invoice", to=reg.email)
    assert invoice.number in mail.subject and "betaald" in mail.subject
    assert "er hoeft niets meer betaald te worden" in mail.body_text
    assert "IBAN" not in mail.body_text

    token = registration_services.manage_token(reg)
    page = client.get(f"/inschrijving/{token}").get_data(as_text=True)
    assert f"/factuur/{token}.pdf" in page
    pdf = client.get(f"/factuur/{token}.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = pdf_text(pdf.data)
    assert invoice.number in text and "907,50" in text and "Betaald op" in text
    assert "IBAN NL" not in text.split("Betaald op")[1]  # no request to transfer


def test_a_refund_of_an_online_payment_gets_a_credit_note(
    client, factories, programme, stripe_fake
):
    reg = paid_online(client, factories, programme, stripe_fake)
    token = registration_services.manage_token(reg)
    page = client.get(f"/inschrijving/{token}/annuleren")
    client.post(
        f"/inschrijving/{token}/annuleren",
        data={"csrf_token": csrf_from(page.get_data(as_text=True))},
    )
    assert fresh(reg).status is S.CANCELLED
    invoice, note = invoices_of(reg)
    assert invoice.status is InvoiceStatus.CREDITED
    assert isinstance(note, CreditNote) and note.credits_id == invoice.id
    assert note.total_incl_cents == -90750
    assert len(stripe_fake.refunds) == 1
    assert next(iter(stripe_fake.refunds.values()))["amount"] == 90750
    [mail] = mails("invoicing.credit_note", to=reg.email)
    assert "maken €\xa0907,50 aan je terug" in mail.body_text
    assert client.get(f"/factuur/{token}/creditnota.pdf").status_code == 200


def test_a_refund_in_the_stripe_dashboard_gets_a_credit_note(
    client, factories, programme, stripe_fake
):
    reg = paid_online(client, factories, programme, stripe_fake)
    [payment_intent] = {s["payment_intent"] for s in stripe_fake.sessions.values()}
    stripe.StripeClient(
        stripe_fake.secret_key, base_addresses={"api": stripe_fake.url}
    ).v1.refunds.create({"payment_intent": payment_intent})
    event = {"id": "ch_x", "object": "charge", "payment_intent": payment_intent}
    send_event(client, stripe_fake, "charge.refunded", event)
    invoice, note = invoices_of(reg)
    assert invoice.status is InvoiceStatus.CREDITED and note.total_incl_cents == -90750
    assert note.reason == "Betaling terugbetaald"


def test_a_payment_that_seats_nobody_gets_no_invoice(client, factories, programme, stripe_fake):
    reg = held(factories, programme)
    session_id = checkout(reg)
    programme.fee_cents = 80000  # changed while the person was paying: refunded, not seated
    db.session.commit()
    send_event(client, stripe_fake, "checkout.session.completed", stripe_fake.pay(session_id))
    assert fresh(reg).status is S.HELD
    assert invoices_of(reg) == []
