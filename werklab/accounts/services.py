"""Accounts: users and roles, passwords, one-time sign-in links, ending sessions."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from blinker import Namespace
from sqlalchemy import select, update
from werkzeug.security import check_password_hash, generate_password_hash

from werklab import audit
from werklab.accounts.models import LoginLink, User
from werklab.db import utcnow
from werklab.errors import DomainError, ValidationError
from werklab.extensions import db
from werklab.links import external_url
from werklab.mail import queue_mail
from werklab.translation import lazy_gettext as _l

LINK_LIFETIME = timedelta(minutes=30)
#: A new staff member's first link: the welcome mail may wait in an inbox over a weekend.
WELCOME_LINK_LIFETIME = timedelta(days=7)
MIN_PASSWORD_LENGTH = 12
#: Checked against when the e-mail address is unknown, so both cases take as long.
_DUMMY_HASH = generate_password_hash("not-a-real-password", method="scrypt")


class InvalidLink(DomainError):
    status_code = 400


#: Asked for the name someone registered with, by e-mail address (the sender); the
#: registration area, above accounts, answers with the name or None.
name_wanted = Namespace().signal("participant-name-wanted")


def participant_name(email: str) -> str | None:
    """The name a person registered with, to greet them in a sign-in mail (None: unknown)."""
    return next((name for _receiver, name in name_wanted.send(email) if name), None)


def normalize_email(email: str) -> str:
    return email.strip().lower()


def find_user(email: str) -> User | None:
    return db.session.execute(
        select(User).where(User.email == normalize_email(email))
    ).scalar_one_or_none()


def create_user(
    email: str,
    name: str = "",
    *,
    password: str | None = None,
    coordinator: bool = False,
    trainer: bool = False,
    actor: str,
    now: datetime | None = None,
) -> User:
    """Create an account; staff may get a password at once."""
    now = now or utcnow()
    if find_user(email) is not None:
        raise ValidationError(str(_l("There is already an account with this e-mail address.")))
    user = User(
        email=normalize_email(email),
        name=name.strip(),
        is_coordinator=coordinator,
        is_trainer=trainer,
        created_at=now,
    )
    if password is not None:
        user.password_hash = _hash(password)
    db.session.add(user)
    db.session.flush()
    audit.record(
        "user.created", user, actor=actor, now=now, coordinator=coordinator, trainer=trainer
    )
    return user


def set_roles(user: User, *, coordinator: bool, trainer: bool, actor: str, now=None) -> User:
    """Give or take the coordinator and trainer roles."""
    now = now or utcnow()
    user.is_coordinator, user.is_trainer = coordinator, trainer
    audit.record(
        "user.roles_changed", user, actor=actor, now=now, coordinator=coordinator, trainer=trainer
    )
    db.session.flush()
    return user


def _hash(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationError(
            str(_l("A password needs at least %(n)d characters.", n=MIN_PASSWORD_LENGTH))
        )
    return generate_password_hash(password, method="scrypt")


def set_password(
    user: User, password: str, *, actor: str, tell: bool = False, now: datetime | None = None
) -> User:
    """Set a new password and end every session of the user (the caller signs in again).
    `tell`: mail the user that their password changed, so that someone who did not change it
    finds out (not when a new account chooses its first password)."""
    now = now or utcnow()
    user.password_hash = _hash(password)
    end_all_sessions(user)
    audit.record("user.password_changed", user, actor=actor, now=now)
    db.session.flush()
    if tell:
        queue_mail(
            user.email,
            _l("Your werklab password has been changed"),
            "accounts/password_changed",
            to_name=user.name,
            kind="user.password_changed",
            now=now,
            user=user,
            when=now,
            sign_in_url=external_url("accounts.login"),
        )
    return user


def authenticate(email: str, password: str) -> User | None:
    """Return the active user with this e-mail and password, or None (in the same time)."""
    user = find_user(email)
    stored = user.password_hash if user is not None and user.password_hash else _DUMMY_HASH
    ok = check_password_hash(stored, password)
    if user is None or not user.password_hash or not ok or not user.active:
        return None
    return user


def coordinator_mailboxes() -> list[tuple[str, str]]:
    """(name, address) of every active coordinator: where replies to mails go by default."""
    return [
        (user.name, user.email)
        for user in db.session.execute(
            select(User)
            .where(User.is_coordinator.is_(True), User.active.is_(True))
            .order_by(User.id)
        ).scalars()
    ]


def end_all_sessions(user: User) -> None:
    """Make every session cookie of this user invalid, including replayed old ones."""
    user.session_epoch += 1


def record_sign_in(user: User, *, method: str, now: datetime | None = None) -> None:
    now = now or utcnow()
    user.last_login_at = now
    audit.record("user.signed_in", user, actor=f"user:{user.id}", now=now, method=method)
    db.session.flush()


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def send_login_link(
    email: str,
    *,
    next_path: str = "",
    participant_name: str | None = None,
    invited_by: User | None = None,
    locale: str = "nl",
    now: datetime | None = None,
) -> bool:
    """Mail a one-time sign-in link to `email` if it belongs to someone we know; with
    `invited_by`, as the welcome mail of a new staff account.

    Someone we know: an account, or a person with a registration (`participant_name`, looked
    up by the caller), who then gets an account. Returns whether a mail was queued; callers
    MUST NOT tell the visitor, so that nobody can find out which addresses are known.
    """
    now = now or utcnow()
    user = find_user(email)
    if user is None and participant_name is not None:
        user = create_user(email, participant_name, actor="system", now=now)
    if user is None or not user.active:
        return False
    token = secrets.token_urlsafe(32)
    lifetime = WELCOME_LINK_LIFETIME if invited_by else LINK_LIFETIME
    db.session.add(
        LoginLink(
            user_id=user.id,
            token_hash=_token_hash(token),
            created_at=now,
            expires_at=now + lifetime,
            next_path=next_path[:500],
        )
    )
    queue_mail(
        user.email,
        _l("Welcome to werklab") if invited_by else _l("Your sign-in link for werklab"),
        "accounts/welcome" if invited_by else "accounts/login_link",
        to_name=user.name,
        locale=locale,
        kind="accounts.welcome" if invited_by else "accounts.login_link",
        now=now,
        user=user,
        invited_by=invited_by,
        link=external_url("accounts.use_link", token=token),
        minutes=int(lifetime.total_seconds() // 60),
        days=lifetime.days,
    )
    db.session.flush()
    return True


def use_login_link(token: str, *, now: datetime | None = None) -> tuple[User, str]:
    """Spend a sign-in link: return its user and where to go next.

    The link is marked used in one conditional UPDATE, so two requests with the same link
    cannot both sign in.
    """
    now = now or utcnow()
    result = db.session.execute(
        update(LoginLink)
        .where(
            LoginLink.token_hash == _token_hash(token),
            LoginLink.used_at.is_(None),
            LoginLink.expires_at > now,
        )
        .values(used_at=now)
        .returning(LoginLink.user_id, LoginLink.next_path)
    ).first()
    if result is None:
        raise InvalidLink(
            str(
                _l(
                    "This sign-in link has expired or has already been used. Ask for a new "
                    "link below."
                )
            )
        )
    user = db.session.get(User, result.user_id)
    if user is None or not user.active:
        raise InvalidLink(str(_l("This sign-in link is no longer valid.")))
    return user, result.next_path


# --- coordinator: staff accounts, roles, deactivation (the manage area) --------------------


class OwnAccount(DomainError):
    """A coordinator tried to lock themselves out."""

    status_code = 409


def all_users(*, staff_only: bool = False) -> list[User]:
    """Users by name; staff first."""
    query = select(User).order_by(
        (User.is_coordinator | User.is_trainer).desc(), User.name, User.email
    )
    if staff_only:
        query = query.where(User.is_coordinator | User.is_trainer)
    return list(db.session.execute(query).scalars())


def invite_staff_user(
    email: str,
    name: str,
    *,
    coordinator: bool,
    trainer: bool,
    next_path: str,
    by: User,
    locale: str = "nl",
    now: datetime | None = None,
) -> User:
    """Create a coordinator or trainer without a password and mail them a sign-in link,
    so that they can sign in and choose a password (at `next_path`)."""
    now = now or utcnow()
    if not (coordinator or trainer):
        raise ValidationError(str(_l("Choose at least one role: coordinator or trainer.")))
    if not name.strip():
        raise ValidationError(str(_l("Please fill in the name.")))
    user = create_user(
        email, name, coordinator=coordinator, trainer=trainer, actor=_actor(by), now=now
    )
    send_login_link(user.email, next_path=next_path, invited_by=by, locale=locale, now=now)
    return user


def change_roles(
    user: User, *, coordinator: bool, trainer: bool, by: User, now: datetime | None = None
) -> User:
    """Give or take roles; a coordinator cannot take away their own coordinator role."""
    if user.id == by.id and user.is_coordinator and not coordinator:
        raise OwnAccount(
            str(
                _l(
                    "You cannot take away your own coordinator role: ask another coordinator "
                    "to do it."
                )
            )
        )
    if (coordinator, trainer) == (user.is_coordinator, user.is_trainer):
        return user
    set_roles(user, coordinator=coordinator, trainer=trainer, actor=_actor(by), now=now)
    _tell(user, by, _l("Your roles in werklab have changed"), "roles_changed", now=now)
    return user


def deactivate_user(user: User, *, by: User, now: datetime | None = None) -> User:
    """Stop a user from signing in; every session they have ends at once."""
    now = now or utcnow()
    if user.id == by.id:
        raise OwnAccount(str(_l("You cannot deactivate your own account.")))
    if not user.active:
        raise ValidationError(str(_l("This account is already deactivated.")))
    user.active = False
    end_all_sessions(user)
    audit.record("user.deactivated", user, actor=_actor(by), now=now)
    db.session.flush()
    _tell(user, by, _l("Your werklab account has been switched off"), "deactivated", now=now)
    return user


def reactivate_user(user: User, *, by: User, now: datetime | None = None) -> User:
    """Let a deactivated user sign in again."""
    now = now or utcnow()
    if user.active:
        raise ValidationError(str(_l("This account is already active.")))
    user.active = True
    audit.record("user.reactivated", user, actor=_actor(by), now=now)
    db.session.flush()
    _tell(user, by, _l("Your werklab account is active again"), "reactivated", now=now)
    return user


def _tell(user: User, by: User, subject, change: str, *, now: datetime | None) -> None:
    """A mail to `user` that a coordinator changed their account (`change`: roles_changed,
    deactivated, reactivated), with a link to sign in; not to a coordinator who changed
    their own account, who knows, and not of new roles to an account that is switched off
    (as catalog's mail to a trainer): once it is on again, they see their roles on signing in."""
    if user.id == by.id or (change == "roles_changed" and not user.active):
        return
    queue_mail(
        user.email,
        subject,
        "accounts/account_changed",
        to_name=user.name,
        kind=f"user.{change}",
        now=now,
        user=user,
        by=by,
        change=change,
        sign_in_url=external_url("accounts.home"),
    )


def _actor(user: User) -> str:
    return f"coordinator:{user.id}"
