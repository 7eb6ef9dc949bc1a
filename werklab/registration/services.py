"""Registration, the hard cap and the waiting list.

Every decision about seats is taken with the programme row locked (lock_programme), so the
maximum holds however many people register at the same moment.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, bindparam, exists, func, or_, select, update
from sqlalchemy.exc import OperationalError

from werklab import audit
from werklab.catalog.ics import programme_calendar
from werklab.catalog.models import Programme, ProgrammeSession, ProgrammeStatus, Visibility
from werklab.db import in_constants, is_lock_timeout, utcnow
from werklab.errors import Busy, DomainError
from werklab.extensions import db
from werklab.links import external_url, sign, unsign
from werklab.mail import queue_mail
from werklab.registration.models import (
    ACTIVE_STATUSES,
    PaymentMethod,
    Registration,
    RegistrationStatus,
    Sector,
)

MANAGE_SALT = "registration-manage"
S = RegistrationStatus


class RegistrationClosed(DomainError):
    status_code = 409


class AlreadyRegistered(DomainError):
    status_code = 409


class OfferNotOpen(DomainError):
    status_code = 409


class NotActive(DomainError):
    status_code = 409


class NoSeatFree(DomainError):
    status_code = 409


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
    #: werklab.invoicing.services.BillingDetails when paying by invoice.
    billing: Any = None


# --- seats ---------------------------------------------------------------------------------


#: Statements below are built once with bind parameters: building SQLAlchemy expressions
#: costs more than running these small queries, and registration is the hot path.
NOW = bindparam("now", type_=sa.DateTime())


#: The statuses that can hold a seat (index-friendly: registrations by programme and status).
HOLDING_STATUSES = (S.CONFIRMED, S.HELD, S.OFFERED)


def _takes_seat(now=NOW):
    """Confirmed, or a hold or offer still running. The status list first lets the database
    read only these rows from the (programme, status) index, not the whole waiting list."""
    R = Registration
    return and_(
        in_constants(R.status, HOLDING_STATUSES),
        or_(
            R.status == S.CONFIRMED,
            and_(R.status == S.HELD, R.hold_expires_at > now),
            and_(R.status == S.OFFERED, R.offer_expires_at > now),
        ),
    )


def _overdue(now=NOW):
    """Offers and payment holds whose time is up but that are not yet expired."""
    R = Registration
    return or_(
        and_(R.status == S.OFFERED, R.offer_expires_at <= now),
        and_(R.status == S.HELD, R.hold_expires_at <= now),
    )


@cache
def _seats_taken_stmt():
    return (
        select(func.count())
        .select_from(Registration)
        .where(Registration.programme_id == bindparam("programme_id"), _takes_seat())
    )


def seats_taken(programme_id: int, now: datetime) -> int:
    """Count confirmed seats, unexpired payment holds and open offers."""
    return db.session.execute(
        _seats_taken_stmt(), {"programme_id": programme_id, "now": now}
    ).scalar_one()


def seats_taken_expr(programme_id_column):
    """A correlated subquery counting seats taken (bind parameter `now`), to select
    alongside programmes."""
    return (
        select(func.count())
        .select_from(Registration)
        .where(Registration.programme_id == programme_id_column, _takes_seat())
        .correlate_except(Registration)
        .scalar_subquery()
    )


@dataclass(frozen=True)
class SeatState:
    taken: int  # confirmed + unexpired holds + open offers
    waiting: bool  # somebody is on the waiting list, not yet offered a seat
    overdue: int  # offers and holds past their time, not yet expired
    last_seq: int  # highest waiting-list number handed out
    duplicate: bool  # the e-mail asked about has an active registration


@cache
def _seat_state_stmt():
    """One statement of small subqueries, each answered from an index, so that it costs
    the same with a waiting list of 3 or of 3,000 (registrations, then, by status)."""
    R = Registration
    mine = R.programme_id == bindparam("programme_id")
    return select(
        select(func.count()).select_from(R).where(mine, _takes_seat()).scalar_subquery(),
        exists().where(mine, R.status == S.WAITLISTED),
        select(func.count())
        .select_from(R)
        .where(mine, in_constants(R.status, HOLDING_STATUSES), _overdue())
        .scalar_subquery(),
        select(func.coalesce(func.max(R.waitlist_seq), 0)).where(mine).scalar_subquery(),
        exists().where(
            R.email_normalized == bindparam("email", type_=sa.String()),
            mine,
            in_constants(R.status, ACTIVE_STATUSES),
        ),
    )


def seat_state(programme_id: int, now: datetime, email_normalized: str | None = None) -> SeatState:
    """Everything the registration decision needs, in one query.

    MUST be called with the programme row locked when the answer decides a seat.
    """
    row = (
        db.session.connection()
        .execute(
            _seat_state_stmt(),
            {"programme_id": programme_id, "now": now, "email": email_normalized or ""},
        )
        .one()
    )
    return SeatState(row[0], bool(row[1]), row[2], row[3], bool(row[4]))


def lock_programme(programme_id: int, *, skip_locked: bool = False) -> Programme | None:
    """Load the programme with its row locked until the end of the transaction.

    PostgreSQL: SELECT ... FOR UPDATE; after lock_timeout it raises Busy.
    SQLite: the write lock was taken at BEGIN IMMEDIATE (see db.begin_write).
    With skip_locked, a programme that someone else holds is skipped (returns None).
    """
    stmt = select(Programme).where(Programme.id == programme_id)
    if current_app.config["CAPACITY_LOCK"]:
        # PostgreSQL connections carry lock_timeout (set at connect, see db.engine_options).
        stmt = stmt.with_for_update(skip_locked=skip_locked)
    try:
        return db.session.execute(
            stmt.execution_options(populate_existing=True)
        ).scalar_one_or_none()
    except OperationalError as exc:
        if is_lock_timeout(exc):
            raise Busy(str(_l("It is busy right now, please try again."))) from exc
        raise


def _race_delay() -> None:
    # Test-only: widens the window between counting and writing, so that the control run
    # of the concurrency test (lock switched off) reliably shows an oversell.
    delay = current_app.config.get("CAPACITY_RACE_DELAY") or 0
    if delay and current_app.testing:
        time.sleep(delay)


# --- links ---------------------------------------------------------------------------------


def manage_token(registration: Registration) -> str:
    return sign(registration.manage_key, salt=MANAGE_SALT)


def manage_url(registration: Registration) -> str:
    return external_url("registration.manage", token=manage_token(registration))


def find_by_token(token: str) -> Registration | None:
    """Return the registration behind a manage link, or None if it is tampered or unknown."""
    key = unsign(token, salt=MANAGE_SALT)
    if key is None:
        return None
    return db.session.execute(
        select(Registration).where(Registration.manage_key == key)
    ).scalar_one_or_none()


def held_checkout_sessions(programme_id: int) -> list[str]:
    """Checkout Sessions of seats held for payment (to close when the programme is cancelled)."""
    return list(
        db.session.execute(
            select(Registration.checkout_session_id).where(
                Registration.programme_id == programme_id,
                Registration.status == S.HELD,
                Registration.checkout_session_id.is_not(None),
            )
        ).scalars()
    )


def participant_name(email: str) -> str | None:
    """The name someone registered with (latest registration), or None if they never did."""
    row = db.session.execute(
        select(Registration.first_name, Registration.last_name)
        .where(Registration.email_normalized == email.strip().lower())
        .order_by(Registration.id.desc())
        .limit(1)
    ).first()
    return f"{row.first_name} {row.last_name}" if row else None


def registrations_for(email: str) -> list[Registration]:
    """All registrations of one person (by e-mail), newest first."""
    return list(
        db.session.execute(
            select(Registration)
            .where(Registration.email_normalized == email.strip().lower())
            .order_by(Registration.id.desc())
        ).scalars()
    )


# --- waiting list --------------------------------------------------------------------------


def waitlist_position(registration: Registration) -> int | None:
    """Return the 1-based place on the waiting list, or None when not waiting."""
    if registration.status is not S.WAITLISTED:
        return None
    ahead = db.session.execute(
        select(func.count())
        .select_from(Registration)
        .where(
            Registration.programme_id == registration.programme_id,
            Registration.status == S.WAITLISTED,
            Registration.waitlist_seq < registration.waitlist_seq,
        )
    ).scalar_one()
    return ahead + 1


def advance_waiting_list(programme: Programme, now: datetime) -> list[Registration]:
    """Expire overdue offers and holds, then offer free seats to the first people waiting.

    MUST be called with the programme row locked. Returns the new offers.
    """
    overdue = db.session.execute(
        select(Registration).where(Registration.programme_id == programme.id, _overdue(now))
    ).scalars()
    for registration in overdue:
        if registration.status is S.OFFERED:
            registration.status = S.OFFER_EXPIRED
            audit.record("registration.offer_expired", registration, actor="system", now=now)
            _mail(
                registration,
                "offer_expired",
                _l("The place we offered you in %(title)s has expired", title=programme.title),
                now,
            )
        else:
            registration.status = S.HOLD_EXPIRED
            audit.record("registration.hold_expired", registration, actor="system", now=now)
    db.session.flush()

    free = programme.max_participants - seats_taken(programme.id, now)
    if free <= 0:
        return []
    waiting = db.session.execute(
        select(Registration)
        .where(Registration.programme_id == programme.id, Registration.status == S.WAITLISTED)
        .order_by(Registration.waitlist_seq)
        .limit(free)
    ).scalars()
    hours = current_app.config["WAITLIST_OFFER_HOURS"]
    offers = []
    for registration in waiting:
        registration.status = S.OFFERED
        registration.offer_expires_at = now + timedelta(hours=hours)
        audit.record("registration.offered", registration, actor="system", now=now)
        token = manage_token(registration)
        _mail(
            registration,
            "offer",
            _l("A place has become free in %(title)s", title=programme.title),
            now,
            accept_url=external_url("registration.offer", token=token, keuze="accept"),
            decline_url=external_url("registration.offer", token=token, keuze="decline"),
        )
        offers.append(registration)
    db.session.flush()
    return offers


# --- registration --------------------------------------------------------------------------


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
    method = _payment_method(programme, data)
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
    _race_delay()
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
    # Seated only when a seat is free and nobody is waiting for one (no jumping the list).
    seated = state.taken < programme.max_participants and not state.waiting
    if place == "waitlist":
        seated = False
    elif place == "seat" and not seated:
        raise NoSeatFree(
            str(_l("There is no free seat: add this person to the waiting list instead."))
        )
    if not seated:
        registration.status = S.WAITLISTED
        registration.waitlist_seq = state.last_seq + 1
    elif method is PaymentMethod.ONLINE:
        _hold(registration, now)
    else:
        registration.status = S.CONFIRMED
        registration.confirmed_at = now
    db.session.add(registration)
    db.session.flush()
    audit.record(
        "registration.created",
        registration,
        actor=actor,
        now=now,
        status=registration.status.value,
        payment_method=method.value,
    )
    if method is PaymentMethod.INVOICE:
        from werklab.invoicing.services import add_billing

        add_billing(registration, data.billing, now=now)
    if registration.is_seated:
        _on_seated(registration, now)
    elif registration.status is S.HELD:
        _mail(
            registration,
            "payment_pending",
            _l("Complete your payment for %(title)s", title=programme.title),
            now,
        )
    else:
        _mail(
            registration,
            "waitlisted",
            _l("You are on the waiting list for %(title)s", title=programme.title),
            now,
            with_position=True,
        )
    return registration


class DomainNotAllowed(DomainError):
    status_code = 422


def check_email_domain(programme: Programme, email: str) -> None:
    """An invitation-only werklab may be restricted to the municipality's e-mail domains
    (kept by the intake area); refuse other addresses with a clear message."""
    if programme.visibility is not Visibility.INVITATION:
        return
    from werklab.intake.services import allowed_domains

    domains = allowed_domains(programme.id)
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


def _payment_method(programme: Programme, data: RegistrationData) -> PaymentMethod:
    """Check the chosen way of paying against the programme.

    The public form always asks online or invoice for a programme with a fee; NONE is left
    for registrations made by hand (demo data, a coordinator), where payment is arranged
    outside werklab.
    """
    if not programme.fee_cents:
        return PaymentMethod.NONE
    method = data.payment_method
    if method is PaymentMethod.NONE:
        return method
    if method is PaymentMethod.ONLINE:
        if not current_app.config.get("STRIPE_SECRET_KEY"):
            raise DomainError(str(_l("Online payment is not available; choose the invoice.")))
        return method
    if method is PaymentMethod.INVOICE:
        if data.billing is None:
            raise DomainError(str(_l("Please fill in the billing details for the invoice.")))
        return method
    raise DomainError(str(_l("Please choose how you want to pay.")))


def _hold(registration: Registration, now: datetime) -> None:
    """Hold a seat while an online payment is under way (the caller starts Checkout after
    the commit)."""
    registration.status = S.HELD
    registration.hold_expires_at = now + timedelta(minutes=current_app.config["HOLD_MINUTES"])


def _on_seated(registration: Registration, now: datetime) -> None:
    """A seat is final: invoice it if paid by invoice, and send the confirmation."""
    if registration.payment_method is PaymentMethod.INVOICE:
        from werklab.invoicing.services import invoice_registration

        invoice_registration(registration, now=now)
    _mail_confirmation(registration, now)


def confirm_payment(registration: Registration, *, now: datetime) -> Registration:
    """An online payment for a held seat succeeded: the seat is final.

    MUST be called with the programme row locked.
    """
    registration.status = S.CONFIRMED
    registration.confirmed_at = now
    registration.hold_expires_at = None
    audit.record("registration.paid", registration, actor="system", now=now)
    _mail_confirmation(registration, now)
    db.session.flush()
    return registration


def cancel_registration(
    registration: Registration,
    *,
    actor: str,
    now: datetime | None = None,
    money: str | None = None,
    reason: str | None = None,
) -> Registration:
    """Cancel a registration and offer a freed seat to the next person waiting.

    The money follows the policy (back before the cancellation deadline), unless a
    coordinator decides: `money` "back" (refund or credit note) or "none", with `reason`.
    """
    now = now or utcnow()
    programme = lock_programme(registration.programme_id)
    db.session.refresh(registration)
    if not registration.is_active:
        raise NotActive(str(_l("This registration has already been cancelled or has ended.")))
    previous = registration.status
    registration.status = S.CANCELLED
    registration.cancelled_at = now
    money_back = None
    if previous is S.CONFIRMED and programme.fee_cents:
        back = programme.free_cancellation(now) if money is None else money == "back"
        money_back = settle_payment(registration, reason="cancelled", now=now) if back else "none"
    audit.record(
        "registration.cancelled",
        registration,
        actor=actor,
        now=now,
        previous=previous.value,
        money_back=money_back,
        **({"reason": reason} if reason else {}),
    )
    _mail(
        registration,
        "cancelled",
        _l("Your registration for %(title)s has been cancelled", title=programme.title),
        now,
        money_back=money_back,
        by_coordinator=money is not None,
        reason=reason,
    )
    if previous is S.CONFIRMED:
        from werklab.groups.services import leave_group

        leave_group(registration, actor=actor, now=now)
    db.session.flush()
    advance_waiting_list(programme, now)
    return registration


def settle_payment(registration: Registration, *, reason: str, now: datetime) -> str | None:
    """Give the money back for a seat: a refund for an online payment, a credit note for an
    invoice. Returns "refund", "credit" or None (nothing was paid or invoiced)."""
    if registration.payment_method is PaymentMethod.ONLINE:
        from werklab.payments.services import payment_for, request_refund

        if payment_for(registration) is None:
            return None
        request_refund(registration, reason=reason, now=now)
        return "refund"
    if registration.payment_method is PaymentMethod.INVOICE:
        from werklab.invoicing.services import credit_registration

        return "credit" if credit_registration(registration, reason=reason, now=now) else None
    return None


def transfer_registration(
    registration: Registration,
    *,
    first_name: str,
    last_name: str,
    email: str,
    organisation: str,
    job_title: str,
    actor: str,
    now: datetime | None = None,
) -> Registration:
    """Pass a seat to a colleague (after the cancellation deadline there is no refund, but
    the seat need not go to waste). The old manage link stops working; both are mailed."""
    now = now or utcnow()
    programme = lock_programme(registration.programme_id)
    db.session.refresh(registration)
    if registration.status is not S.CONFIRMED:
        raise NotActive(str(_l("Only a confirmed place can be passed on.")))
    email_normalized = email.strip().lower()
    if email_normalized == registration.email_normalized:
        raise DomainError(str(_l("Fill in the details of the colleague who takes over.")))
    if seat_state(programme.id, now, email_normalized).duplicate:
        raise AlreadyRegistered(str(_l("This colleague is already registered for this programme.")))
    old = {"name": registration.full_name, "email": registration.email}
    _mail(
        registration,
        "transferred_from",
        _l("Your place in %(title)s has been passed on", title=programme.title),
        now,
        colleague=f"{first_name.strip()} {last_name.strip()}",
    )
    registration.first_name, registration.last_name = first_name.strip(), last_name.strip()
    registration.email, registration.email_normalized = email.strip(), email_normalized
    registration.organisation, registration.job_title = organisation.strip(), job_title.strip()
    registration.learning_question = None
    registration.dietary_wishes = None
    registration.manage_key = secrets.token_urlsafe(32)
    audit.record(
        "registration.transferred",
        registration,
        actor=actor,
        now=now,
        old=old,
        new={"name": registration.full_name, "email": registration.email},
    )
    db.session.flush()
    _mail_confirmation(registration, now)
    return registration


def accept_offer(registration: Registration, *, now: datetime | None = None) -> Registration:
    """Take the offered seat."""
    now = now or utcnow()
    lock_programme(registration.programme_id)
    db.session.refresh(registration)
    if not registration.has_open_offer(now):
        raise OfferNotOpen(str(_l("This offer has expired or has already been answered.")))
    registration.offer_expires_at = None
    audit.record("registration.offer_accepted", registration, actor=_actor(registration), now=now)
    if registration.payment_method is PaymentMethod.ONLINE:
        _hold(registration, now)  # the seat is final once paid
    else:
        registration.status = S.CONFIRMED
        registration.confirmed_at = now
        _on_seated(registration, now)
    db.session.flush()
    return registration


def decline_offer(registration: Registration, *, now: datetime | None = None) -> Registration:
    """Turn down the offered seat; it goes to the next person waiting."""
    now = now or utcnow()
    programme = lock_programme(registration.programme_id)
    db.session.refresh(registration)
    if not registration.has_open_offer(now):
        raise OfferNotOpen(str(_l("This offer has expired or has already been answered.")))
    registration.status = S.DECLINED
    registration.offer_expires_at = None
    audit.record("registration.offer_declined", registration, actor=_actor(registration), now=now)
    db.session.flush()
    advance_waiting_list(programme, now)
    return registration


def programmes_needing_advance(now: datetime) -> list[int]:
    """Programmes with an overdue offer or hold (work for `tick`)."""
    return list(
        db.session.execute(
            select(Registration.programme_id).where(_overdue(now)).distinct()
        ).scalars()
    )


def purge_dietary_wishes(now: datetime) -> int:
    """Remove dietary wishes of programmes whose last session has ended."""
    ended = (
        select(ProgrammeSession.programme_id)
        .group_by(ProgrammeSession.programme_id)
        .having(func.max(ProgrammeSession.ends_at) < now)
    )
    result = db.session.execute(
        update(Registration)
        .where(Registration.dietary_wishes.is_not(None), Registration.programme_id.in_(ended))
        .values(dietary_wishes=None)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount:
        audit.record(
            "registration.dietary_wishes_purged",
            Registration,
            actor="system",
            now=now,
            count=result.rowcount,
        )
    return result.rowcount or 0


# --- mails ---------------------------------------------------------------------------------


def _actor(registration: Registration) -> str:
    return f"participant:{registration.id}"


def local_date(now: datetime):
    """The Dutch calendar day of a UTC moment (decision dates are Dutch days)."""
    from zoneinfo import ZoneInfo

    return now.replace(tzinfo=ZoneInfo("UTC")).astimezone(ZoneInfo("Europe/Amsterdam")).date()


def queue_registration_mail(registration: Registration, template: str, subject, now, **context):
    """Queue a mail about a registration (mail/registration/<template>), for other modules."""
    _mail(registration, template, subject, now, **context)


def _mail(registration: Registration, template: str, subject, now: datetime, **context):
    """Queue a mail about a registration; it is rendered when it is sent (mail_context),
    so `context` holds plain values only."""
    queue_mail(
        registration.email,
        subject,
        f"registration/{template}",
        to_name=registration.full_name,
        locale=registration.locale,
        kind=f"registration.{template}",
        now=now,
        context_later=(MAIL_CONTEXT, _mail_snapshot(registration) | context),
    )


MAIL_CONTEXT = "werklab.registration.services:mail_context"


def _mail_snapshot(registration: Registration) -> dict:
    """What a registration mail takes from the moment it is queued: the name and manage
    link can change afterwards (a place passed on to a colleague gets a new link), and a
    mail sent later must not greet or link the colleague."""
    return {
        "registration_id": registration.id,
        "first_name": registration.first_name,
        "manage_url": manage_url(registration),
    }


def mail_context(
    registration_id: int,
    *,
    first_name: str,
    manage_url: str,
    with_position: bool = False,
    **context,
) -> dict:
    """The context of a registration mail, made when the mail is sent."""
    registration = db.session.get(Registration, registration_id)
    if registration is None:
        raise LookupError(f"registration {registration_id} is gone")
    programme = registration.programme
    if with_position:
        # Where the person is on the list when the mail goes out (None: no longer waiting).
        context["position"] = waitlist_position(registration)
    return {
        "registration": registration,
        "programme": programme,
        "first_name": first_name,
        "manage_url": manage_url,
        "programme_url": external_url(
            "catalog.programme", slug=programme.slug, uitnodiging=programme.invitation_token
        ),
        **context,
    }


def calendar_attachment(programme_id: int) -> tuple[str, str, bytes]:
    """The sessions of a programme as an .ics file, for a mail that is being sent."""
    programme = db.session.get(Programme, programme_id)
    if programme is None:
        raise LookupError(f"programme {programme_id} is gone")
    return (
        f"{programme.slug}.ics",
        "text/calendar",
        programme_calendar(programme, programme.sessions),
    )


def send_confirmation(registration: Registration, now: datetime) -> None:
    """Queue the confirmation of a seat (with the sessions as .ics) again."""
    _mail_confirmation(registration, now)


def _mail_confirmation(registration: Registration, now: datetime) -> None:
    programme = registration.programme
    queue_mail(
        registration.email,
        _l("Your place in %(title)s is confirmed", title=programme.title),
        "registration/confirmed",
        to_name=registration.full_name,
        locale=registration.locale,
        kind="registration.confirmed",
        now=now,
        # The .ics is made when the mail is sent: with the sessions as they are then.
        attachments_later=[
            ("werklab.registration.services:calendar_attachment", {"programme_id": programme.id})
        ],
        context_later=(MAIL_CONTEXT, _mail_snapshot(registration)),
    )
