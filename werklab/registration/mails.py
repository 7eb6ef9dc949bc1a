"""Mails about a registration, rendered when they are sent (not inside the lock)."""

from __future__ import annotations

from datetime import datetime

from werklab.catalog.ics import programme_calendar
from werklab.catalog.models import Programme
from werklab.extensions import db
from werklab.links import external_url
from werklab.mail import queue_mail
from werklab.registration.lookup import manage_url
from werklab.registration.models import Registration
from werklab.registration.seats import waitlist_position
from werklab.translation import lazy_gettext as _l


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


MAIL_CONTEXT = "werklab.registration.mails:mail_context"


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


def mail_confirmation(registration: Registration, now: datetime) -> None:
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
            ("werklab.registration.mails:calendar_attachment", {"programme_id": programme.id})
        ],
        context_later=(MAIL_CONTEXT, _mail_snapshot(registration)),
    )


def send_confirmation(registration: Registration, now: datetime) -> None:
    """Queue the confirmation of a seat (with the sessions as .ics) again."""
    mail_confirmation(registration, now)
