"""The werklab requests (intake) with their stage, the date each stage was reached and the
quote's amounts, as a table for werklab.spreadsheets.

Where a date comes from: received = the request; in progress = the first time a coordinator
set it so (audit log) or saved its quote, whichever came first; declined by the coordinator
and expired = the audit log (the latest time the request got there); quote sent, accepted
and declined by the municipality = the quote. Four queries however many requests.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from werklab.audit import AuditEntry
from werklab.catalog.services import utc_to_local
from werklab.extensions import db
from werklab.intake.forms import STATUS_LABELS
from werklab.intake.models import BookingRequest, Quote, QuoteStatus, RequestStatus
from werklab.spreadsheets import Amount, Cell, neutralise
from werklab.translation import gettext as _

__all__ = ["Stages", "filename", "requests", "table"]

_STAGE_ACTIONS = ("booking_request.status_changed", "booking_request.expired")


@dataclass
class Stages:
    """When a request reached each stage (naive UTC), None where it did not (yet)."""

    received: datetime
    in_progress: datetime | None = None
    quote_sent: datetime | None = None
    accepted: datetime | None = None
    declined: datetime | None = None
    expired: datetime | None = None


def requests(status: RequestStatus | None = None) -> list[tuple[BookingRequest, Stages]]:
    """Every request (or those in `status`), newest first, with the dates of its stages."""
    stmt = (
        select(BookingRequest)
        .options(
            selectinload(BookingRequest.quote).selectinload(Quote.lines),
            selectinload(BookingRequest.programme),
        )
        .order_by(BookingRequest.created_at.desc(), BookingRequest.id)
    )
    if status is not None:
        stmt = stmt.where(BookingRequest.status == status)
    bookings = list(db.session.execute(stmt).scalars())
    stages = {b.id: _from_quote(b) for b in bookings}
    if bookings:
        entries = db.session.execute(
            select(AuditEntry.object_id, AuditEntry.action, AuditEntry.data, AuditEntry.created_at)
            .where(
                AuditEntry.object_type == BookingRequest.__tablename__,
                AuditEntry.action.in_(_STAGE_ACTIONS),
                # All of them when exporting everything: no list of ids in the statement.
                *(() if status is None else (AuditEntry.object_id.in_(list(stages)),)),
            )
            .order_by(AuditEntry.created_at, AuditEntry.id)
        )
        for booking_id, action, data, when in entries:
            found = stages.get(booking_id)
            if found is None:
                continue
            if action == "booking_request.expired":
                found.expired = when
            elif (data or {}).get("new") == RequestStatus.IN_PROGRESS.value:
                found.in_progress = min(found.in_progress or when, when)
            elif (data or {}).get("new") == RequestStatus.DECLINED.value:
                found.declined = when
    return [(b, stages[b.id]) for b in bookings]


def _from_quote(booking: BookingRequest) -> Stages:
    stages = Stages(received=booking.created_at)
    quote = booking.quote
    if quote is not None:
        # Saving the first quote puts a new request in progress (without a status change).
        stages.in_progress = quote.created_at
        stages.quote_sent = quote.sent_at
        if quote.status is QuoteStatus.ACCEPTED:
            stages.accepted = quote.answered_at
        elif quote.status is QuoteStatus.DECLINED:
            stages.declined = quote.answered_at
    return stages


def _day(moment: datetime | None) -> date | None:
    return utc_to_local(moment).date() if moment else None


def _percent(rate_bp: int) -> str:
    whole, rest = divmod(rate_bp, 100)
    return f"{whole}%" if not rest else f"{whole},{rest:02d}".rstrip("0") + "%"


def table(rows: list[tuple[BookingRequest, Stages]]) -> list[list[Cell]]:
    """The header and one row per request."""
    table: list[list[Cell]] = [
        [
            _("Number"),
            _("Municipality"),
            _("Contact person"),
            _("E-mail address"),
            _("Expected participants"),
            _("Stage"),
            _("Received"),
            _("In progress"),
            _("Quote sent"),
            _("Accepted"),
            _("Declined"),
            _("Expired"),
            _("Quote valid until"),
            _("Quote excl. VAT"),
            _("VAT rate"),
            _("Quote VAT"),
            _("Quote incl. VAT"),
            _("Programme"),
        ]
    ]
    for booking, stages in rows:
        quote = booking.quote
        sent = quote is not None and quote.status is not QuoteStatus.DRAFT
        table.append(
            [
                booking.id,
                neutralise(booking.municipality),
                neutralise(booking.contact_name),
                neutralise(booking.contact_email),
                booking.expected_participants,
                str(STATUS_LABELS[booking.status]),
                _day(stages.received),
                _day(stages.in_progress),
                _day(stages.quote_sent),
                _day(stages.accepted),
                _day(stages.declined),
                _day(stages.expired),
                quote.valid_until if sent else None,
                Amount(quote.total_excl_cents) if quote is not None else None,
                _percent(quote.vat_rate_bp) if quote is not None else "",
                Amount(quote.vat_cents) if quote is not None else None,
                Amount(quote.total_incl_cents) if quote is not None else None,
                neutralise(booking.programme.title) if booking.programme else "",
            ]
        )
    return table


def filename(day: date, extension: str) -> str:
    return f"werklab-aanvragen-{day:%Y-%m-%d}.{extension}"
