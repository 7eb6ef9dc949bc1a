"""The interface labels of the registration enums (also template globals, see create_app)."""

from __future__ import annotations

from werklab.registration.models import RegistrationStatus, Sector
from werklab.translation import lazy_gettext as _l

SECTOR_LABELS = {
    Sector.GOVERNMENT: _l("Government"),
    Sector.CIVIL_SOCIETY: _l("Civil-society organisation"),
    Sector.BUSINESS: _l("Business"),
    Sector.RESIDENT: _l("Resident"),
    Sector.OTHER: _l("Other"),
}
REGISTRATION_STATUS_LABELS = {
    RegistrationStatus.CONFIRMED: _l("Confirmed"),
    RegistrationStatus.HELD: _l("Awaiting payment"),
    RegistrationStatus.WAITLISTED: _l("On the waiting list"),
    RegistrationStatus.OFFERED: _l("Place offered"),
    RegistrationStatus.CANCELLED: _l("Cancelled"),
    RegistrationStatus.DECLINED: _l("Offer declined"),
    RegistrationStatus.OFFER_EXPIRED: _l("Offer expired"),
    RegistrationStatus.HOLD_EXPIRED: _l("Payment not completed"),
}

#: The names templates know these by.
TEMPLATE_GLOBALS = {
    "SECTOR_LABELS": SECTOR_LABELS,
    "REGISTRATION_STATUS_LABELS": REGISTRATION_STATUS_LABELS,
}
