"""Billing details: where the invoice of a registration goes (the employer)."""

from __future__ import annotations

import re
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from werklab import audit
from werklab.errors import ValidationError
from werklab.extensions import db
from werklab.invoicing.models import RegistrationBilling
from werklab.registration.models import Registration
from werklab.registration.signup import BillingDetails

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
