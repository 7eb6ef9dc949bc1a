"""Words for what "mijn gegevens" shows: audit actions and attendance."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

#: What happened, as a person reads it; unknown actions are shown as they are stored.
ACTION_LABELS = {
    "registration.created": _l("Registered"),
    "registration.cancelled": _l("Registration cancelled"),
    "registration.offered": _l("A place was offered from the waiting list"),
    "registration.offer_accepted": _l("Offered place accepted"),
    "registration.offer_declined": _l("Offered place declined"),
    "registration.offer_expired": _l("Offered place expired"),
    "registration.hold_expired": _l("Payment not completed in time"),
    "user.created": _l("Account created"),
    "user.signed_in": _l("Signed in"),
    "user.roles_changed": _l("Roles changed"),
    "user.password_changed": _l("Password changed"),
    "calendar_feed.created": _l("Calendar link created"),
    "calendar_feed.renewed": _l("Calendar link replaced by a new one"),
    "calendar_feed.revoked": _l("Calendar link switched off"),
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
