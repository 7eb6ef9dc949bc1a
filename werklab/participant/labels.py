"""Words for what "mijn gegevens" shows: audit actions and attendance."""

from __future__ import annotations

from werklab.translation import lazy_gettext as _l

#: What happened, as a person reads it; unknown actions are shown as they are stored.
ACTION_LABELS = {
    "registration.created": _l("Registered"),
    "registration.cancelled": _l("Registration cancelled"),
    "registration.offered": _l("A place was offered from the waiting list"),
    "registration.offer_accepted": _l("Offered place accepted"),
    "registration.offer_declined": _l("Offered place declined"),
    "registration.offer_expired": _l("Offered place expired"),
    "registration.hold_expired": _l("Payment not completed in time"),
    "registration.hold_released": _l("Place released: the payment did not go through"),
    "registration.paid": _l("Payment received"),
    "registration.billing_saved": _l("Billing details saved"),
    "registration.transferred": _l("Place passed on to a colleague"),
    "registration.details_changed": _l("Your details changed"),
    "registration.edited": _l("Your details changed"),
    "registration.confirmation_resent": _l("Confirmation sent again"),
    "registration.manage_link_resent": _l("Link to your registration sent again"),
    "registration.moved_up": _l("Moved up the waiting list"),
    "registration.dietary_wishes_purged": _l("Dietary wishes deleted after the programme"),
    "payment.checkout_started": _l("Online payment started"),
    "payment.not_seated": _l("Payment received without a place: refunded"),
    "homework_group.member_moved": _l("Moved to another homework group"),
    "homework_group.member_left": _l("Left the homework group"),
    "followup.message_sent": _l("Personal message from your trainer or coordinator"),
    "renewal.invited": _l("Invited to continue next year"),
    "renewal.renewed": _l("Renewed for next year"),
    "renewal.declined": _l("Not continuing next year"),
    "renewal.expired": _l("No answer to the renewal before the deadline"),
    "person.erased": _l("Personal data erased"),
    "user.deactivated": _l("Account deactivated"),
    "user.reactivated": _l("Account reactivated"),
    "user.created": _l("Account created"),
    "user.signed_in": _l("Signed in"),
    "user.roles_changed": _l("Roles changed"),
    "user.password_changed": _l("Password changed"),
    "calendar_feed.created": _l("Calendar link created"),
    "calendar_feed.renewed": _l("Calendar link replaced by a new one"),
    "calendar_feed.revoked": _l("Calendar link switched off"),
    "registration.reminders_off": _l("Reminders before sessions switched off"),
    "registration.reminders_on": _l("Reminders before sessions switched on again"),
    "user.trainer_feed_created": _l("Calendar link of the sessions you run created"),
    "user.trainer_feed_renewed": _l("Calendar link of the sessions you run replaced by a new one"),
    "user.trainer_feed_revoked": _l("Calendar link of the sessions you run switched off"),
}

#: Attendance, by the stored value (see werklab.attendance.models.AttendanceStatus).
ATTENDANCE_LABELS = {
    "present": _l("Present"),
    "excused": _l("Excused"),
    "absent": _l("Absent"),
}


def action_label(action: str):
    return ACTION_LABELS.get(action, action)


def attendance_label(status) -> object:
    value = getattr(status, "value", status)
    return ATTENDANCE_LABELS.get(value, value)
