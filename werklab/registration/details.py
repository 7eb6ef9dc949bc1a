"""A participant changes their own details (name, organisation, job title, dietary wishes):
audited, and confirmed by mail."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from werklab import audit
from werklab.db import utcnow
from werklab.errors import DomainError
from werklab.extensions import db
from werklab.mail import queue_mail
from werklab.registration.lookup import manage_url
from werklab.registration.models import Registration
from werklab.translation import lazy_gettext as _l

#: The fields a participant may change, with their label in the confirmation mail.
FIELD_LABELS = {
    "first_name": _l("First name"),
    "last_name": _l("Last name"),
    "organisation": _l("Organisation"),
    "job_title": _l("Job title"),
    "dietary_wishes": _l("Dietary wishes"),
}


@dataclass(frozen=True)
class Details:
    first_name: str
    last_name: str
    organisation: str
    job_title: str
    dietary_wishes: str | None = None


class NotEditable(DomainError):
    status_code = 409


def update_details(
    registration: Registration, data: Details, *, actor: str, now: datetime | None = None
) -> list[str]:
    """Change a registration's own details; returns the names of the fields that changed.

    Each change is audited (which fields, not their values: the audit log outlives the data)
    and confirmed to the participant by mail, so that a change nobody asked for is noticed.
    """
    now = now or utcnow()
    if not registration.is_active or registration.erased_at is not None:
        raise NotEditable(str(_l("This registration has ended: its details cannot be changed.")))
    new = {
        "first_name": data.first_name.strip(),
        "last_name": data.last_name.strip(),
        "organisation": data.organisation.strip(),
        "job_title": data.job_title.strip(),
        "dietary_wishes": (data.dietary_wishes or "").strip() or None,
    }
    if not all(new[name] for name in ("first_name", "last_name", "organisation", "job_title")):
        raise DomainError(str(_l("Please fill in your name, organisation and job title.")))
    changed = [name for name, value in new.items() if getattr(registration, name) != value]
    if not changed:
        return []
    for name in changed:
        setattr(registration, name, new[name])
    audit.record("registration.details_changed", registration, actor=actor, now=now, fields=changed)
    queue_mail(
        registration.email,
        _l("Your details for %(title)s have been changed", title=registration.programme.title),
        "registration/details_changed",
        to_name=registration.full_name,
        locale=registration.locale,
        kind="registration.details_changed",
        now=now,
        first_name=registration.first_name,
        programme=registration.programme,
        registration=registration,
        changed=[FIELD_LABELS[name] for name in changed],
        manage_url=manage_url(registration),
    )
    db.session.flush()
    return changed
