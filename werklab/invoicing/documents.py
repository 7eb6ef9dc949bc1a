"""Invoices and credit notes: issue, credit, mark paid; and invoices for accepted quotes.

Every function runs inside the caller's transaction: it flushes, never commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from werklab import audit
from werklab.catalog.pricing import seat_price
from werklab.catalog.services import local_date
from werklab.db import constant
from werklab.errors import DomainError, ValidationError
from werklab.extensions import db
from werklab.invoicing.billing import billing_for
from werklab.invoicing.buyer import Buyer
from werklab.invoicing.models import (
    CreditNote,
    DocumentKind,
    Invoice,
    InvoiceLine,
    InvoiceStatus,
    vat_of,
)
from werklab.invoicing.numbering import next_number
from werklab.invoicing.pdf import mail_document
from werklab.registration.models import Registration
from werklab.translation import lazy_gettext as _l


class InvoiceError(DomainError):
    status_code = 409


_CURRENT = (InvoiceStatus.OPEN, InvoiceStatus.PAID)


def _current_invoice(registration_id: int, *, lock: bool = False) -> Invoice | None:
    stmt = select(Invoice).where(
        Invoice.registration_id == registration_id,
        Invoice.kind == DocumentKind.INVOICE,
        Invoice.status.in_(_CURRENT),
    )
    if lock:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    return db.session.execute(stmt).scalar_one_or_none()


@dataclass(frozen=True)
class InvoiceLinks:
    """What a payer's own pages need of their latest invoice: that there is one, its status,
    and the credit note to link to when it was credited (None when not)."""

    invoice_id: int
    status: InvoiceStatus
    credit_note: int | None


def invoice_links(registration_id: int) -> InvoiceLinks | None:
    """The latest invoice's id and status and its credit note's id, in one light query.

    The manage page shows links, not the documents: reading both as ORM objects (48 columns
    each, the credit note a polymorphic join) cost a quarter of an invoice payer's page.
    """
    row = (
        db.session.connection()
        .execute(_invoice_links_stmt(), {"registration_id": registration_id})
        .first()
    )
    return None if row is None else InvoiceLinks(row[0], InvoiceStatus(row[1]), row[2])


@cache
def _invoice_links_stmt():
    invoices = Invoice.__table__
    credit_notes = invoices.alias("credit_note")
    return (
        select(invoices.c.id, invoices.c.status, credit_notes.c.id)
        .select_from(invoices.outerjoin(credit_notes, credit_notes.c.credits_id == invoices.c.id))
        .where(
            invoices.c.registration_id == bindparam("registration_id"),
            invoices.c.kind == constant(invoices.c.kind, DocumentKind.INVOICE),
        )
        .order_by(invoices.c.id.desc())
        .limit(1)
    )


def invoice_for(registration: Registration) -> Invoice | None:
    """The registration's latest invoice (open, paid or credited), or None; with its credit
    note, which every page that shows the invoice links to when there is one."""
    return db.session.execute(
        _invoice_for_stmt(), {"registration_id": registration.id}
    ).scalar_one_or_none()


@cache
def _invoice_for_stmt():
    """Built once (the invoice pages and the coordinator's registration page run it), with
    the credit note in the same query instead of a second one when the page asks for it."""
    return (
        select(Invoice)
        .options(joinedload(Invoice.credit_note))
        .where(
            Invoice.registration_id == bindparam("registration_id"),
            Invoice.kind == DocumentKind.INVOICE,
        )
        .order_by(Invoice.id.desc())
        .limit(1)
    )


def _set_totals(document: Invoice) -> None:
    """The document's totals from its lines; the VAT per rate, as the PDF and the e-invoice
    show it (models.vat_groups)."""
    document.total_excl_cents = sum(line.amount_excl_cents for line in document.lines)
    document.vat_cents = sum(group.vat_cents for group in document.vat_groups())
    document.total_incl_cents = document.total_excl_cents + document.vat_cents


def invoice_registration(
    registration: Registration, *, now: datetime, actor: str = "system"
) -> Invoice:
    """Issue the invoice for a seated registration that pays by invoice, and mail it with
    its PDF to the billing address. Idempotent: an invoice that is not credited is returned
    as it is."""
    current = _current_invoice(registration.id)
    if current is not None:
        return current
    if not registration.is_seated:
        raise InvoiceError(str(_l("Only a confirmed place is invoiced.")))
    billing = billing_for(registration)
    if billing is None:
        raise InvoiceError(str(_l("There are no billing details for this registration.")))
    programme = registration.programme
    if not programme.fee_cents:
        raise InvoiceError(str(_l("This programme has no fee to invoice.")))

    price = seat_price(programme)
    with force_locale(registration.locale):
        description = str(_l("Participation in %(title)s", title=programme.title))
    invoice = _new_invoice(
        now,
        registration_id=registration.id,
        locale=registration.locale,
        buyer_organisation=billing.organisation,
        buyer_address=billing.address,
        buyer_email=billing.email,
        buyer_reference=billing.reference,
        buyer_order_number=billing.order_number,
        buyer_vat_number=billing.vat_number,
        buyer_street=billing.street,
        buyer_postcode=billing.postcode,
        buyer_city=billing.city,
        buyer_country=billing.country,
        buyer_legal_scheme=billing.legal_scheme,
        buyer_legal_id=billing.legal_id,
        buyer_peppol_id=billing.peppol_id,
        sent_as_ubl=billing.e_invoice,
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
    return _issue(invoice, now, actor=actor, registration_id=registration.id)


def _new_invoice(now: datetime, **fields) -> Invoice:
    """An open invoice numbered and dated today, with the seller's details as they are now
    (a snapshot: the document never changes when the settings do)."""
    cfg = current_app.config
    issue_date = local_date(now)
    return Invoice(
        kind=DocumentKind.INVOICE,
        number=next_number(issue_date.year),
        year=issue_date.year,
        status=InvoiceStatus.OPEN,
        issue_date=issue_date,
        due_date=issue_date + timedelta(days=cfg["INVOICE_DUE_DAYS"]),
        seller_name=cfg["SELLER_NAME"],
        seller_address=cfg["SELLER_ADDRESS"],
        seller_email=cfg["SELLER_EMAIL"],
        seller_kvk=cfg["SELLER_KVK"],
        seller_vat_number=cfg["SELLER_VAT_NUMBER"],
        seller_iban=cfg["SELLER_IBAN"],
        seller_street=cfg["SELLER_STREET"],
        seller_postcode=cfg["SELLER_POSTCODE"],
        seller_city=cfg["SELLER_CITY"],
        seller_country=cfg["SELLER_COUNTRY"],
        seller_peppol_id=cfg["SELLER_PEPPOL_ID"],
        created_at=now,
        **fields,
    )


def _issue(invoice: Invoice, now: datetime, *, actor: str, **audit_data) -> Invoice:
    """Total a new invoice, store it, record it and mail it with its PDF."""
    cfg = current_app.config
    invoice.vat_exempt_note = cfg["VAT_EXEMPT_NOTE"] if invoice.has_exempt_lines else None
    _set_totals(invoice)
    db.session.add(invoice)
    db.session.flush()
    audit.record(
        "invoice.issued",
        invoice,
        actor=actor,
        now=now,
        number=invoice.number,
        total_incl_cents=invoice.total_incl_cents,
        **audit_data,
    )
    mail_document(invoice, now)
    return invoice


#: Reasons the registration code gives as a code, printed as words on the credit note.
CREDIT_REASONS = {
    "cancelled": _l("Registration cancelled"),
    "programme_cancelled": _l("The programme does not go ahead"),
    "external": _l("Payment refunded"),
}


def credit_registration(
    registration: Registration, *, reason: str, now: datetime, actor: str = "system"
) -> CreditNote | None:
    """Credit the registration's invoice (when it has one that is not credited yet) with a
    credit note that mirrors it, and mail that to the billing address. Returns None when
    there is nothing to credit.

    `reason` is printed on the credit note: a code from CREDIT_REASONS, or words."""
    invoice = _current_invoice(registration.id, lock=True)
    if invoice is None:
        return None
    label = CREDIT_REASONS.get(reason)
    with force_locale(invoice.locale):
        reason_text = str(label) if label is not None else " ".join((reason or "").split())
    issue_date = local_date(now)
    number = next_number(issue_date.year)
    note = CreditNote(
        kind=DocumentKind.CREDIT_NOTE,
        number=number,
        year=issue_date.year,
        registration_id=invoice.registration_id,
        credits=invoice,
        status=InvoiceStatus.ISSUED,
        issue_date=issue_date,
        due_date=None,
        locale=invoice.locale,
        reason=reason_text[:1000] or None,
        created_at=now,
        lines=[
            InvoiceLine(
                position=line.position,
                description=line.description,
                quantity=line.quantity,
                unit_price_cents=-line.unit_price_cents,
                vat_rate_bp=line.vat_rate_bp,
                amount_excl_cents=-line.amount_excl_cents,
                vat_cents=-line.vat_cents,
            )
            for line in invoice.lines
        ],
    )
    for field in _MIRRORED:
        setattr(note, field, getattr(invoice, field))
    _set_totals(note)
    was_paid = invoice.status is InvoiceStatus.PAID
    invoice.status = InvoiceStatus.CREDITED
    invoice.credited_at = now
    db.session.add(note)
    db.session.flush()
    audit.record(
        "invoice.credited",
        invoice,
        actor=actor,
        now=now,
        credit_note=number,
        was_paid=was_paid,
        reason=note.reason,
    )
    mail_document(note, now, was_paid=was_paid)
    return note


#: What a credit note copies from the invoice it credits.
_MIRRORED = (
    "seller_name",
    "seller_address",
    "seller_email",
    "seller_kvk",
    "seller_vat_number",
    "seller_iban",
    "seller_street",
    "seller_postcode",
    "seller_city",
    "seller_country",
    "seller_peppol_id",
    "buyer_organisation",
    "buyer_address",
    "buyer_email",
    "buyer_reference",
    "buyer_order_number",
    "buyer_vat_number",
    "buyer_street",
    "buyer_postcode",
    "buyer_city",
    "buyer_country",
    "buyer_legal_scheme",
    "buyer_legal_id",
    "buyer_peppol_id",
    # The buyer who took the invoice as an e-invoice takes its credit note so too.
    "sent_as_ubl",
    "participant_name",
    "programme_title",
    "vat_exempt_note",
)


def mark_paid(
    invoice: Invoice,
    *,
    actor: str,
    now: datetime,
    paid_on: date | None = None,
) -> Invoice:
    """Record that the bank transfer for an open invoice has arrived (on `paid_on`, by
    default today)."""
    # Lock the row and read its current state (a second coordinator may have just marked it).
    db.session.execute(
        select(Invoice)
        .where(Invoice.id == invoice.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if invoice.is_credit_note:
        raise InvoiceError(str(_l("A credit note is not paid.")))
    if invoice.status is InvoiceStatus.PAID:
        raise InvoiceError(str(_l("This invoice has already been marked as paid.")))
    if invoice.status is InvoiceStatus.CREDITED:
        raise InvoiceError(str(_l("This invoice has been credited: there is nothing to pay.")))
    today = local_date(now)
    paid_on = paid_on or today
    if paid_on > today:
        raise ValidationError(str(_l("The payment date cannot be in the future.")))
    if paid_on < invoice.issue_date:
        raise ValidationError(str(_l("The payment date cannot be before the invoice date.")))
    invoice.status = InvoiceStatus.PAID
    invoice.paid_on = paid_on
    invoice.paid_at = now
    db.session.flush()
    audit.record(
        "invoice.paid", invoice, actor=actor, now=now, number=invoice.number, paid_on=str(paid_on)
    )
    return invoice


def invoice_quote(
    *,
    organisation: str,
    address: str,
    email: str,
    reference: str,
    lines: list[tuple[str, int]],
    buyer: Buyer | None = None,
    vat_rate_bp: int,
    programme_title: str,
    locale: str = "nl",
    now: datetime,
    actor: str = "system",
) -> Invoice:
    """Issue the invoice for an accepted quote (its lines, VAT and the buyer's reference) and
    mail it with its PDF (and its e-invoice when `buyer` asks for it). The caller stores the
    invoice's id with the quote.

    `buyer` carries what an e-invoice needs (checked with buyer.clean_buyer); its reference
    and order number take the place of `reference`."""
    buyer = buyer or Buyer(reference=reference)
    invoice = _new_invoice(
        now,
        registration_id=None,
        locale=locale,
        buyer_organisation=organisation[:200],
        buyer_address=address[:500],
        buyer_email=email[:254],
        buyer_reference=buyer.reference[:100],
        buyer_order_number=buyer.order_number[:100],
        buyer_vat_number=None,
        buyer_street=buyer.street,
        buyer_postcode=buyer.postcode,
        buyer_city=buyer.city,
        buyer_country=buyer.country,
        buyer_legal_scheme=buyer.legal_scheme,
        buyer_legal_id=buyer.legal_id,
        buyer_peppol_id=buyer.peppol_id,
        sent_as_ubl=buyer.e_invoice,
        participant_name="",  # the municipality books the whole werklab, not one seat
        programme_title=programme_title[:200],
        lines=[
            InvoiceLine(
                position=i,
                description=description[:300],
                quantity=1,
                unit_price_cents=cents,
                vat_rate_bp=vat_rate_bp,
                amount_excl_cents=cents,
                vat_cents=vat_of(cents, vat_rate_bp),
            )
            for i, (description, cents) in enumerate(lines, start=1)
        ],
    )
    return _issue(invoice, now, actor=actor, quote_reference=buyer.order_number or buyer.reference)
