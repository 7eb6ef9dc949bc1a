"""The VAT invoice for a seat paid online: issued marked paid, in the same number sequence.

Whoever pays, online or by invoice, gets a VAT document (PRODUCT.md). An online payer's
invoice is made when the payment seats them, already paid; a refund of that payment credits
it with a credit note (invoicing.documents.credit_registration), as for any invoice.
Payments does not know invoicing: it announces both through registration's signals
(`paid_online`, `online_refunded`), handled in invoicing/handlers.py.

Runs inside the caller's transaction (the payment's, programme locked): flushes, never commits.
"""

from __future__ import annotations

import logging
from datetime import datetime

from flask import current_app
from flask_babel import force_locale

from werklab import audit
from werklab.catalog.pricing import seat_price
from werklab.catalog.services import local_date
from werklab.extensions import db
from werklab.invoicing.billing import billing_for
from werklab.invoicing.documents import _current_invoice, _new_invoice, _set_totals
from werklab.invoicing.models import Invoice, InvoiceLine, InvoiceStatus
from werklab.mail import queue_mail
from werklab.registration.models import Registration
from werklab.translation import lazy_gettext as _l

log = logging.getLogger("werklab.invoicing")


def invoice_paid_online(
    registration: Registration,
    *,
    amount_cents: int,
    payment_reference: str,
    now: datetime,
    actor: str = "stripe",
) -> Invoice | None:
    """Issue the invoice for a seat paid online, marked paid today, and mail it with its PDF
    to the payer. Idempotent: a registration that has an invoice keeps it. Returns None when
    the programme has no fee.

    `amount_cents` is what was paid; it MUST be the seat's price incl. VAT (the payment
    code refunds any other amount instead of seating anyone)."""
    current = _current_invoice(registration.id)
    if current is not None:
        return current
    programme = registration.programme
    price = seat_price(programme)
    if not price or not price.excl_cents:
        return None
    if amount_cents != price.incl_cents:
        # Cannot happen: the payment code refunds any other amount instead of seating.
        log.error(
            "online payment of %s for registration %s is not the seat price %s",
            amount_cents,
            registration.id,
            price.incl_cents,
        )
        return None
    billing = billing_for(registration)
    with force_locale(registration.locale):
        description = str(_l("Participation in %(title)s", title=programme.title))
    invoice = _new_invoice(
        now,
        registration_id=registration.id,
        locale=registration.locale,
        # The payer's own details (the form asks billing details only for an invoice);
        # billing details given anyway take precedence.
        buyer_organisation=(billing.organisation if billing else registration.organisation)
        or registration.full_name[:200],
        buyer_address=billing.address if billing else "",
        buyer_email=billing.email if billing else registration.email,
        buyer_reference=(billing.reference if billing else "")[:100],
        buyer_order_number=billing.order_number if billing else "",
        buyer_vat_number=billing.vat_number if billing else None,
        # What an e-invoice (UBL) needs, when the payer gave billing details.
        buyer_street=billing.street if billing else "",
        buyer_postcode=billing.postcode if billing else "",
        buyer_city=billing.city if billing else "",
        buyer_country=billing.country if billing else "NL",
        buyer_legal_scheme=billing.legal_scheme if billing else "",
        buyer_legal_id=billing.legal_id if billing else "",
        buyer_peppol_id=billing.peppol_id if billing else "",
        participant_name=registration.full_name[:201],
        programme_title=programme.title,
        lines=[
            InvoiceLine(
                position=1,
                description=description[:300],
                quantity=1,
                unit_price_cents=price.excl_cents,
                vat_rate_bp=price.vat_rate_bp,
                amount_excl_cents=price.excl_cents,
                vat_cents=price.vat_cents,
            )
        ],
    )
    invoice.due_date = None  # nothing left to pay
    invoice.status = InvoiceStatus.PAID
    invoice.paid_on = local_date(now)
    # Paid when issued (paid_at == created_at): the e-invoice shows it as prepaid.
    invoice.paid_at = invoice.created_at
    _set_totals(invoice)
    if price.vat_rate_bp == 0:
        invoice.vat_exempt_note = current_app.config["VAT_EXEMPT_NOTE"]
    db.session.add(invoice)
    db.session.flush()
    audit.record(
        "invoice.issued",
        invoice,
        actor=actor,
        now=now,
        number=invoice.number,
        total_incl_cents=invoice.total_incl_cents,
        registration_id=registration.id,
        paid_online=payment_reference,
    )
    queue_mail(
        invoice.buyer_email,
        _l(
            "Invoice %(number)s (paid): %(title)s",
            number=invoice.number,
            title=invoice.programme_title,
        ),
        "invoicing/invoice_paid",
        to_name=invoice.buyer_organisation,
        locale=invoice.locale,
        kind="invoicing.invoice",
        reply_to=[(invoice.seller_name, invoice.seller_email)],
        attachments_later=[("werklab.invoicing.pdf:pdf_attachment", {"document_id": invoice.id})],
        now=now,
        document=invoice,
    )
    return invoice
