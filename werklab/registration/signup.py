"""Register for a programme: a seat, a hold for online payment, or the waiting list."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from werklab import audit, testmode
from werklab.catalog.models import Programme, ProgrammeStatus, Visibility
from werklab.db import insert_new, utcnow
from werklab.errors import DomainError
from werklab.extensions import db
from werklab.registration import signals
from werklab.registration.mails import queue_registration_mail
from werklab.registration.models import PaymentMethod, Registration, RegistrationStatus, Sector
from werklab.registration.seating import checked_payment_method, hold_seat, on_seated
from werklab.registration.seats import lock_programme, seat_state
from werklab.registration.waitlist import advance_waiting_list
from werklab.translation import lazy_gettext as _l

S = RegistrationStatus


class RegistrationClosed(DomainError):
    status_code = 409


class AlreadyRegistered(DomainError):
    status_code = 409


class NoSeatFree(DomainError):
    status_code = 409


@dataclass(frozen=True)
class BillingDetails:
    """Where the invoice goes: the employer (what the registration form asks)."""

    organisation: str
    #: Street, postcode and place, one per line.
    address: str
    #: Where the invoice is mailed.
    email: str
    #: The buyer's own reference; this or `order_number` is required (many accounts-payable
    #: systems refuse invoices without).
    reference: str
    vat_number: str | None = None
    # For an e-invoice (UBL): the address in parts (which then makes `address`), the legal
    # identifier (KvK number or OIN), the Peppol ID, the purchase-order number.
    street: str = ""
    postcode: str = ""
    city: str = ""
    country: str = "NL"
    legal_id: str = ""
    peppol_id: str = ""
    order_number: str = ""
    #: Attach the e-invoice (UBL) to the mail with the invoice.
    e_invoice: bool = False


@dataclass(frozen=True)
class RegistrationData:
    first_name: str
    last_name: str
    email: str
    organisation: str
    sector: Sector
    job_title: str
    learning_question: str | None = None
    dietary_wishes: str | None = None
    privacy_consent: bool = False
    #: Show the e-mail address to the members of the person's homework group.
    share_email: bool = False
    locale: str = "nl"
    payment_method: PaymentMethod = PaymentMethod.NONE
    #: BillingDetails when paying by invoice.
    billing: BillingDetails | None = None
    #: Joining the waiting list of a full programme: how to pay is asked when a place is
    #: offered and accepted (accept_offer), not now.
    pay_later: bool = False


def register(
    programme_id: int,
    data: RegistrationData,
    *,
    invitation_token: str | None = None,
    actor: str = "public",
    place: str = "auto",
    now: datetime | None = None,
) -> Registration:
    """Register a person: a seat if one is free and nobody is waiting, else the waiting list.

    `place` is for a registration made by hand (a coordinator): "seat" refuses when no seat
    is free, "waitlist" puts the person on the waiting list; such a registration may also be
    made after the deadline or with registration closed, under the same lock and cap.
    """
    now = now or utcnow()
    by_hand = place != "auto"
    programme = lock_programme(programme_id)
    if programme is None or not (by_hand or programme.accepts_invitation(invitation_token)):
        raise RegistrationClosed(str(_l("This programme does not exist or is not open to you.")))
    if not by_hand:
        check_email_domain(programme, data.email)
    if programme.status is ProgrammeStatus.COMPLETED:
        raise RegistrationClosed(
            str(_l("This programme has been completed: registration is no longer possible."))
        )
    if by_hand and programme.status not in (ProgrammeStatus.OPEN, ProgrammeStatus.CLOSED):
        raise RegistrationClosed(
            str(_l("This programme has been cancelled or has ended: nobody can be added."))
        )
    if not by_hand and not programme.registration_is_open(now):
        if programme.deadline_passed(now):
            raise RegistrationClosed(str(_l("The registration deadline has passed.")))
        raise RegistrationClosed(str(_l("Registration for this programme is not open.")))
    if not data.privacy_consent:
        raise DomainError(str(_l("Please agree to the privacy statement.")))
    method = checked_payment_method(programme, data)
    email_normalized = data.email.strip().lower()
    state = seat_state(programme.id, now, email_normalized)
    if state.duplicate:
        raise AlreadyRegistered(
            str(
                _l(
                    "This e-mail address is already registered for this programme. The "
                    "confirmation mail has a link to view or cancel that registration."
                )
            )
        )
    if state.overdue or (state.waiting and state.taken < programme.max_participants):
        advance_waiting_list(programme, now)
        state = seat_state(programme.id, now)
    testmode.race_delay()
    # Seated only when a seat is free and nobody is waiting for one (no jumping the list).
    seated = state.taken < programme.max_participants and not state.waiting
    if place == "waitlist":
        seated = False
    elif place == "seat" and not seated:
        raise NoSeatFree(
            str(_l("There is no free seat: add this person to the waiting list instead."))
        )
    if seated and data.pay_later and programme.fee_cents:
        raise PlaceFree(
            str(_l("A place has just become free: choose how you want to pay to take it."))
        )
    registration = Registration(
        programme_id=programme.id,
        first_name=data.first_name.strip(),
        last_name=data.last_name.strip(),
        email=data.email.strip(),
        email_normalized=email_normalized,
        organisation=data.organisation.strip(),
        sector=data.sector,
        job_title=data.job_title.strip(),
        learning_question=(data.learning_question or "").strip() or None
        if programme.kind.asks_learning_question
        else None,
        dietary_wishes=(data.dietary_wishes or "").strip() or None,
        privacy_consent_at=now,
        share_email_at=now if data.share_email else None,
        locale=data.locale,
        manage_key=secrets.token_urlsafe(32),
        created_at=now,
    )
    registration.payment_method = method
    if not seated:
        registration.status = S.WAITLISTED
        registration.waitlist_seq = state.last_seq + 1
    elif method is PaymentMethod.ONLINE:
        hold_seat(registration, now)
    else:
        registration.status = S.CONFIRMED
        registration.confirmed_at = now
    insert_new(db.session, registration)  # the hot path: a plain INSERT, not a flush
    audit.record(
        "registration.created",
        registration,
        actor=actor,
        now=now,
        status=registration.status.value,
        payment_method=method.value,
    )
    if method is PaymentMethod.INVOICE:
        signals.billing_given.send(registration, billing=data.billing, now=now)
    if registration.is_seated:
        on_seated(registration, now)
    elif registration.status is S.HELD:
        queue_registration_mail(
            registration,
            "payment_pending",
            _l("Complete your payment for %(title)s", title=programme.title),
            now,
        )
    else:
        queue_registration_mail(
            registration,
            "waitlisted",
            _l("You are on the waiting list for %(title)s", title=programme.title),
            now,
            with_position=True,
        )
    return registration


class PlaceFree(DomainError):
    """Someone joining the waiting list finds a free place: they choose how to pay first."""

    status_code = 409


class DomainNotAllowed(DomainError):
    status_code = 422


def check_email_domain(programme: Programme, email: str) -> None:
    """An invitation-only werklab may be restricted to the municipality's e-mail domains
    (kept by the intake area); refuse other addresses with a clear message."""
    if programme.visibility is not Visibility.INVITATION:
        return
    domains = signals.first_answer(signals.allowed_domains.send(programme.id)) or []
    domain = email.strip().lower().rpartition("@")[2]
    if domains and domain not in domains:
        raise DomainNotAllowed(
            str(
                _l(
                    "Registration for this programme is only open to e-mail addresses ending "
                    "in %(domains)s. Please register with your work e-mail address.",
                    domains=", ".join("@" + d for d in domains),
                )
            )
        )
