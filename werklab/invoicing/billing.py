"""Billing details: where the invoice of a registration goes (the employer)."""

from __future__ import annotations

import re
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import select

from werklab import audit, numbers
from werklab.errors import ValidationError
from werklab.extensions import db
from werklab.fields import normalize_newlines
from werklab.invoicing.buyer import clean_buyer
from werklab.invoicing.models import RegistrationBilling
from werklab.registration.models import Registration
from werklab.registration.signup import BillingDetails
from werklab.translation import lazy_gettext as _l

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
    email = (billing.email or "").strip()
    vat_text = (billing.vat_number or "").strip()
    vat_number = numbers.vat_number(vat_text) if vat_text else None
    buyer = clean_buyer(
        street=billing.street,
        postcode=billing.postcode,
        city=billing.city,
        country=billing.country,
        legal_id=billing.legal_id,
        peppol_id=billing.peppol_id,
        reference=billing.reference,
        order_number=billing.order_number,
        e_invoice=billing.e_invoice,
    )
    if buyer.has_address:
        address = buyer.printed_address()
    else:
        lines = normalize_newlines(billing.address or "").split("\n")
        address = "\n".join(" ".join(line.split()) for line in lines if line.strip())

    if not organisation:
        raise ValidationError(str(_l("Please fill in the organisation to invoice.")))
    if not address:
        raise ValidationError(str(_l("Please fill in the billing address.")))
    if not _EMAIL.fullmatch(email) or _LINE_BREAK.search(email):
        raise ValidationError(str(_l("Please fill in a valid e-mail address for the invoice.")))
    too_long = (
        len(organisation) > 200 or len(address) > 500 or len(email) > 254 or address.count("\n") > 5
    )
    if too_long:
        raise ValidationError(str(_l("The billing details are too long.")))
    return BillingDetails(
        organisation,
        address,
        email,
        buyer.reference,
        vat_number,
        street=buyer.street,
        postcode=buyer.postcode,
        city=buyer.city,
        country=buyer.country,
        legal_id=buyer.legal_id,
        peppol_id=buyer.peppol_id,
        order_number=buyer.order_number,
        e_invoice=buyer.e_invoice,
    )


def _billing_columns(data: BillingDetails) -> dict:
    """The registration_billing columns of checked billing details."""
    scheme, number = numbers.legal_id(data.legal_id) if data.legal_id else ("", "")
    return {
        "organisation": data.organisation,
        "address": data.address,
        "email": data.email,
        "reference": data.reference,
        "vat_number": data.vat_number,
        "street": data.street,
        "postcode": data.postcode,
        "city": data.city,
        "country": data.country,
        "legal_scheme": scheme,
        "legal_id": number,
        "peppol_id": data.peppol_id,
        "order_number": data.order_number,
        "e_invoice": data.e_invoice,
    }


def add_billing(registration: Registration, billing: BillingDetails, *, now: datetime) -> None:
    """Store where the invoice goes for a registration made in this transaction (a plain
    INSERT: there is nothing to replace, and its "registration.created" audit entry already
    says it is paid by invoice)."""
    data = clean_billing(billing)
    db.session.execute(
        _INSERT_BILLING,
        {
            "registration_id": registration.id,
            **_billing_columns(data),
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
    for column, value in _billing_columns(data).items():
        setattr(row, column, value)
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
