"""Find registrations: by manage link, by id, by e-mail address."""

from __future__ import annotations

from functools import cache

from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from werklab.catalog.services import load_programme
from werklab.extensions import db
from werklab.links import external_url, sign, unsign
from werklab.registration.models import Registration, RegistrationStatus

S = RegistrationStatus


MANAGE_SALT = "registration-manage"


def manage_token(registration: Registration) -> str:
    return sign(registration.manage_key, salt=MANAGE_SALT)


def manage_url(registration: Registration) -> str:
    return external_url("registration.manage", token=manage_token(registration))


def find_by_token(token: str) -> Registration | None:
    """Return the registration behind a manage link, or None if it is tampered or unknown."""
    key = unsign(token, salt=MANAGE_SALT)
    if key is None:
        return None
    return db.session.execute(_by_manage_key_stmt(), {"key": key}).scalar_one_or_none()


@cache
def _by_manage_key_stmt():
    """Built once: every page behind a manage link runs it (building the statement anew cost
    more than running it). Every such page shows the programme: read in the same query."""
    return (
        select(Registration)
        .options(joinedload(Registration.programme))
        .where(Registration.manage_key == bindparam("key"))
    )


def load_registration(registration_id: int) -> Registration | None:
    """A registration with its programme, the programme's trainers and sessions."""
    registration = db.session.get(Registration, registration_id)
    if registration is not None:
        load_programme(registration.programme_id)  # fills the identity map in two queries
    return registration


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
