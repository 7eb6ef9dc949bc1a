"""Invoices for registrations paid by the employer, credit notes, and bank transfers.

Invoice numbers run per calendar year without gaps ("2026-0001", "2026-0002", ...), shared by
invoices and credit notes. A number is taken from the year's counter row with that row
locked, in the same transaction that stores the document: two transactions never get the
same number, and a transaction that rolls back gives its number back.

Lock order: the programme row (taken by the registration code) before the counter row.

Every function runs inside the caller's transaction: it flushes, never commits.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, or_, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import joinedload

from werklab import audit
from werklab.attendance.pdf import render_pdf
from werklab.catalog.pricing import seat_price
from werklab.catalog.services import utc_to_local
from werklab.db import is_lock_timeout
from werklab.errors import Busy, DomainError, ValidationError
from werklab.extensions import db
from werklab.invoicing.models import (
    CreditNote,
    DocumentKind,
    Invoice,
    InvoiceCounter,
    InvoiceLine,
    InvoiceStatus,
    ListStatus,
    RegistrationBilling,
    vat_of,
)
from werklab.mail import queue_mail
from werklab.registration.models import Registration


class InvoiceError(DomainError):
    status_code = 409


@dataclass(frozen=True)
class BillingDetails:
    """Where the invoice goes: the employer (what the registration form asks)."""

    organisation: str
    #: Street, postcode and place, one per line.
    address: str
    #: Where the invoice is mailed.
    email: str
    #: Purchase-order or reference number (required by many accounts-payable systems).
    reference: str
    vat_number: str | None = None


def local_date(now: datetime) -> date:
    """The Dutch calendar date at the stored (naive UTC) moment `now`."""
    return utc_to_local(now).date()


# --- billing details -----------------------------------------------------------------------

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_LINE_BREAK = re.compile(r"[\r\n\t]")


def clean_billing(billing: BillingDetails) -> BillingDetails:
    """Check and tidy billing details; raise ValidationError with a readable message."""
    given = (
        billing.organisation,
        billing.address,
        billing.email,
        billing.reference,
        billing.vat_number,
    )
    if any(_CONTROL.search(value or "") for value in given):
        raise ValidationError(str(_l("This text contains characters we cannot store.")))
    organisation = " ".join((billing.organisation or "").split())
    reference = " ".join((billing.reference or "").split())
    email = (billing.email or "").strip()
    vat_number = re.sub(r"[\s.\-]", "", billing.vat_number or "").upper() or None
    lines = (billing.address or "").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    address = "\n".join(" ".join(line.split()) for line in lines if line.strip())

    if not organisation:
        raise ValidationError(str(_l("Please fill in the organisation to invoice.")))
    if not address:
        raise ValidationError(str(_l("Please fill in the billing address.")))
    if not _EMAIL.fullmatch(email) or _LINE_BREAK.search(email):
        raise ValidationError(str(_l("Please fill in a valid e-mail address for the invoice.")))
    if not reference:
        raise ValidationError(str(_l("Please fill in the purchase-order or reference number.")))
    if vat_number is not None and not re.fullmatch(r"[A-Z]{2}[A-Z0-9+*]{2,13}", vat_number):
        raise ValidationError(str(_l("This VAT number is not valid.")))
    too_long = (
        len(organisation) > 200
        or len(address) > 500
        or len(email) > 254
        or len(reference) > 100
        or address.count("\n") > 5
    )
    if too_long:
        raise ValidationError(str(_l("The billing details are too long.")))
    return BillingDetails(organisation, address, email, reference, vat_number)


def add_billing(registration: Registration, billing: BillingDetails, *, now: datetime) -> None:
    """Store where the invoice goes for a registration made in this transaction (a plain
    INSERT: there is nothing to replace, and its "registration.created" audit entry already
    says it is paid by invoice)."""
    data = clean_billing(billing)
    db.session.execute(
        _INSERT_BILLING,
        {
            "registration_id": registration.id,
            "organisation": data.organisation,
            "address": data.address,
            "email": data.email,
            "reference": data.reference,
            "vat_number": data.vat_number,
            "created_at": now,
            "updated_at": now,
        },
    )


_INSERT_BILLING = sa.insert(RegistrationBilling.__table__)


def save_billing(
    registration: Registration,
    billing: BillingDetails,
    *,
    now: datetime,
    actor: str | None = None,
) -> None:
    """Store (or replace) where the invoice for a registration goes."""
    data = clean_billing(billing)
    row = billing_for(registration)
    if row is None:
        row = RegistrationBilling(registration_id=registration.id, created_at=now)
        db.session.add(row)
    row.organisation = data.organisation
    row.address = data.address
    row.email = data.email
    row.reference = data.reference
    row.vat_number = data.vat_number
    row.updated_at = now
    db.session.flush()
    audit.record(
        "registration.billing_saved",
        registration,
        actor=actor or f"participant:{registration.id}",
        now=now,
    )


def billing_for(registration: Registration) -> RegistrationBilling | None:
    return db.session.execute(
        select(RegistrationBilling).where(RegistrationBilling.registration_id == registration.id)
    ).scalar_one_or_none()


# --- numbers -------------------------------------------------------------------------------


def _lock_counter(year: int) -> InvoiceCounter | None:
    return db.session.execute(
        select(InvoiceCounter)
        .where(InvoiceCounter.year == year)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()


def _create_counter(year: int) -> None:
    """Insert the year's counter unless it exists (two first invoices of a year may race)."""
    if db.session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    db.session.execute(
        insert(InvoiceCounter)
        .values(year=year, last_number=0)
        .on_conflict_do_nothing(index_elements=["year"])
    )


def next_number(year: int) -> str:
    """Take the next number of `year`. The counter stays locked until the transaction ends:
    the caller MUST store the document in this same transaction."""
    try:
        counter = _lock_counter(year)
        if counter is None:
            _create_counter(year)
            counter = _lock_counter(year)
    except OperationalError as exc:
        if is_lock_timeout(exc):
            raise Busy(str(_l("It is busy right now, please try again."))) from exc
        raise
    counter.last_number += 1
    db.session.flush()
    return f"{year}-{counter.last_number:04d}"


# --- invoices and credit notes -------------------------------------------------------------

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


def invoice_for(registration: Registration) -> Invoice | None:
    """The registration's latest invoice (open, paid or credited), or None."""
    return db.session.execute(
        select(Invoice)
        .where(Invoice.registration_id == registration.id, Invoice.kind == DocumentKind.INVOICE)
        .order_by(Invoice.id.desc())
        .limit(1)
    ).scalar_one_or_none()


def _set_totals(document: Invoice) -> None:
    document.total_excl_cents = sum(line.amount_excl_cents for line in document.lines)
    document.vat_cents = sum(line.vat_cents for line in document.lines)
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
        buyer_vat_number=billing.vat_number,
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
    _mail_document(invoice, now)
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
    _mail_document(note, now, was_paid=was_paid)
    return note


#: What a credit note copies from the invoice it credits.
_MIRRORED = (
    "seller_name",
    "seller_address",
    "seller_email",
    "seller_kvk",
    "seller_vat_number",
    "seller_iban",
    "buyer_organisation",
    "buyer_address",
    "buyer_email",
    "buyer_reference",
    "buyer_vat_number",
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


# --- PDF and mail --------------------------------------------------------------------------


def document_pdf(document: Invoice) -> bytes:
    """The invoice or credit note as an A4 PDF, in the language it was issued in."""
    with force_locale(document.locale):
        html = render_template("pdf/invoice.html", document=document, invoice=document.credits)
    return render_pdf(html)


def pdf_attachment(document_id: int) -> tuple[str, str, bytes]:
    """The PDF of an invoice or credit note, for a mail that is being sent."""
    document = db.session.get(Invoice, document_id)
    if document is None:
        raise LookupError(f"invoice {document_id} is gone")
    return pdf_filename(document), "application/pdf", document_pdf(document)


def pdf_filename(document: Invoice) -> str:
    with force_locale(document.locale):
        if document.is_credit_note:
            return str(_l("credit-note-%(number)s.pdf", number=document.number))
        return str(_l("invoice-%(number)s.pdf", number=document.number))


def _mail_document(document: Invoice, now: datetime, *, was_paid: bool = False) -> None:
    if document.is_credit_note:
        subject = _l(
            "Credit note %(number)s: %(title)s",
            number=document.number,
            title=document.programme_title,
        )
        template, kind = "invoicing/credit_note", "invoicing.credit_note"
    else:
        subject = _l(
            "Invoice %(number)s: %(title)s", number=document.number, title=document.programme_title
        )
        template, kind = "invoicing/invoice", "invoicing.invoice"
    queue_mail(
        document.buyer_email,
        subject,
        template,
        to_name=document.buyer_organisation,
        locale=document.locale,
        kind=kind,
        # Rendered when the mail is sent: not inside this transaction (the invoice counter
        # and often the programme are locked in it).
        attachments_later=[
            ("werklab.invoicing.services:pdf_attachment", {"document_id": document.id})
        ],
        now=now,
        document=document,
        invoice=document.credits,
        was_paid=was_paid,
    )


# --- the coordinator's list ----------------------------------------------------------------


@dataclass(frozen=True)
class InvoiceFilter:
    #: OPEN means every unpaid invoice, the overdue ones included.
    status: ListStatus | None = None
    year: int | None = None
    search: str = ""


@dataclass(frozen=True)
class InvoicePage:
    documents: list[Invoice]
    total: int
    page: int
    pages: int


@dataclass(frozen=True)
class Outstanding:
    count: int
    cents: int
    overdue_count: int
    overdue_cents: int


def _filtered(filters: InvoiceFilter, today: date):
    conditions = []
    is_invoice = Invoice.kind == DocumentKind.INVOICE
    open_ = sa.and_(is_invoice, Invoice.status == InvoiceStatus.OPEN)
    match filters.status:
        case ListStatus.OPEN:
            conditions.append(open_)
        case ListStatus.OVERDUE:
            conditions.append(sa.and_(open_, Invoice.due_date < today))
        case ListStatus.PAID:
            conditions.append(sa.and_(is_invoice, Invoice.status == InvoiceStatus.PAID))
        case ListStatus.CREDITED:
            conditions.append(sa.and_(is_invoice, Invoice.status == InvoiceStatus.CREDITED))
        case ListStatus.CREDIT_NOTE:
            conditions.append(Invoice.kind == DocumentKind.CREDIT_NOTE)
    if filters.year is not None:
        conditions.append(Invoice.year == filters.year)
    search = filters.search.strip()
    if search:
        conditions.append(
            or_(
                *(
                    column.icontains(search, autoescape=True)
                    for column in (
                        Invoice.number,
                        Invoice.buyer_organisation,
                        Invoice.buyer_reference,
                        Invoice.participant_name,
                        Invoice.programme_title,
                    )
                )
            )
        )
    return conditions


def _with_links(stmt):
    # The invoice a credit note credits, and the credit note of a credited invoice: joined,
    # so that the list costs the same few queries however long it is.
    return stmt.options(joinedload(Invoice.credits), joinedload(Invoice.credit_note))


def list_invoices(
    filters: InvoiceFilter, *, today: date, page: int = 1, per_page: int = 100
) -> InvoicePage:
    """One page of invoices and credit notes, newest first."""
    conditions = _filtered(filters, today)
    total = db.session.execute(
        select(func.count()).select_from(Invoice).where(*conditions)
    ).scalar_one()
    pages = max(1, math.ceil(total / per_page))
    page = min(max(page, 1), pages)
    documents = (
        db.session.execute(
            _with_links(select(Invoice))
            .where(*conditions)
            .order_by(Invoice.id.desc())
            .limit(per_page)
            .offset((page - 1) * per_page)
        )
        .unique()
        .scalars()
        .all()
    )
    return InvoicePage(list(documents), total, page, pages)


def all_invoices(filters: InvoiceFilter, *, today: date) -> list[Invoice]:
    """Every invoice and credit note that matches, oldest first (for the export)."""
    return list(
        db.session.execute(
            _with_links(select(Invoice)).where(*_filtered(filters, today)).order_by(Invoice.id)
        )
        .unique()
        .scalars()
    )


def outstanding(today: date) -> Outstanding:
    """How many invoices are unpaid and for how much (incl. VAT), and how many are overdue."""
    open_ = sa.and_(Invoice.kind == DocumentKind.INVOICE, Invoice.status == InvoiceStatus.OPEN)
    overdue = sa.and_(open_, Invoice.due_date < today)
    row = db.session.execute(
        select(
            func.count(case((open_, 1))),
            func.coalesce(func.sum(case((open_, Invoice.total_incl_cents))), 0),
            func.count(case((overdue, 1))),
            func.coalesce(func.sum(case((overdue, Invoice.total_incl_cents))), 0),
        )
    ).one()
    return Outstanding(row[0], int(row[1]), row[2], int(row[3]))


def invoice_years() -> list[int]:
    """The years in which documents were issued, newest first."""
    return list(
        db.session.execute(select(Invoice.year).distinct().order_by(Invoice.year.desc())).scalars()
    )


def load_invoice(invoice_id: int) -> Invoice | None:
    return (
        db.session.execute(_with_links(select(Invoice)).where(Invoice.id == invoice_id))
        .unique()
        .scalar_one_or_none()
    )


# --- a municipality's werklab, invoiced per its accepted quote (issue 5) --------------------


def invoice_quote(
    *,
    organisation: str,
    address: str,
    email: str,
    reference: str,
    lines: list[tuple[str, int]],
    vat_rate_bp: int,
    programme_title: str,
    locale: str = "nl",
    now: datetime,
    actor: str = "system",
) -> Invoice:
    """Issue the invoice for an accepted quote (its lines, VAT and the buyer's reference) and
    mail it with its PDF. The caller stores the invoice's id with the quote."""
    invoice = _new_invoice(
        now,
        registration_id=None,
        locale=locale,
        buyer_organisation=organisation[:200],
        buyer_address=address[:500],
        buyer_email=email[:254],
        buyer_reference=reference[:100],
        buyer_vat_number=None,
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
    return _issue(invoice, now, actor=actor, quote_reference=reference)
