"""Registration, the hard cap and the waiting list: the registration area's public names.

The work is done in one module per workflow: seats (counting and locking), signup (register),
seating (a seat held or made final), waitlist (offers), cancellation (cancel, transfer),
lookup (manage links, finders), mails and retention. Every decision about seats is taken with
the programme row locked (seats.lock_programme), so the maximum holds however many people
register at the same moment.

Mails queued before this module was split name "werklab.registration.services:mail_context"
and ":calendar_attachment"; those names stay importable from here.
"""

from __future__ import annotations

from werklab.catalog.services import local_date  # a Dutch day: re-exported, as before
from werklab.registration.cancellation import (
    NotActive,
    cancel_registration,
    settle_payment,
    transfer_registration,
)
from werklab.registration.lookup import (
    MANAGE_SALT,
    find_by_token,
    held_checkout_sessions,
    load_registration,
    manage_token,
    manage_url,
    participant_name,
    registrations_for,
)
from werklab.registration.mails import (
    MAIL_CONTEXT,
    calendar_attachment,
    mail_context,
    queue_registration_mail,
    send_confirmation,
)
from werklab.registration.retention import (
    purge_dietary_wishes,
)
from werklab.registration.seating import (
    confirm_payment,
)
from werklab.registration.seats import (
    HOLDING_STATUSES,
    NOW,
    SeatState,
    lock_programme,
    programmes_needing_advance,
    seat_state,
    seats_taken,
    seats_taken_expr,
    waitlist_position,
)
from werklab.registration.signup import (
    AlreadyRegistered,
    BillingDetails,
    DomainNotAllowed,
    NoSeatFree,
    PlaceFree,
    RegistrationClosed,
    RegistrationData,
    check_email_domain,
    register,
)
from werklab.registration.waitlist import (
    OfferNotOpen,
    accept_offer,
    advance_waiting_list,
    decline_offer,
)

__all__ = [
    "AlreadyRegistered",
    "BillingDetails",
    "DomainNotAllowed",
    "HOLDING_STATUSES",
    "MAIL_CONTEXT",
    "MANAGE_SALT",
    "NOW",
    "NoSeatFree",
    "NotActive",
    "OfferNotOpen",
    "PlaceFree",
    "RegistrationClosed",
    "RegistrationData",
    "SeatState",
    "accept_offer",
    "advance_waiting_list",
    "calendar_attachment",
    "cancel_registration",
    "check_email_domain",
    "confirm_payment",
    "decline_offer",
    "find_by_token",
    "held_checkout_sessions",
    "load_registration",
    "local_date",
    "lock_programme",
    "mail_context",
    "manage_token",
    "manage_url",
    "participant_name",
    "programmes_needing_advance",
    "purge_dietary_wishes",
    "queue_registration_mail",
    "register",
    "registrations_for",
    "seat_state",
    "send_confirmation",
    "seats_taken",
    "seats_taken_expr",
    "settle_payment",
    "transfer_registration",
    "waitlist_position",
]
