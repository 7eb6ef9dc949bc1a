"""Users (staff and participants) and one-time sign-in links."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from werklab.db import Base, utcnow


class User(Base):
    """Someone who signs in: a coordinator, a trainer, a participant or a municipality contact.

    Staff sign in with a password (or a link); everyone else with a one-time e-mail link.
    """

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Lower-cased; also how a participant's registrations are found.
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    #: A participant's account takes the registration's full name (up to 201 characters).
    name: Mapped[str] = mapped_column(sa.String(300), default="")
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    is_coordinator: Mapped[bool] = mapped_column(default=False)
    is_trainer: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    #: Part of every session cookie; bumping it ends all sessions of this user at once
    #: (sign-out, password change). A replayed old cookie then no longer works.
    session_epoch: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]

    def __repr__(self) -> str:
        return f"<User {self.id}>"

    # Flask-Login
    is_authenticated = True
    is_anonymous = False

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str:
        return f"{self.id}.{self.session_epoch}"

    @property
    def is_staff(self) -> bool:
        return self.is_coordinator or self.is_trainer

    @property
    def display_name(self) -> str:
        return self.name or self.email


class LoginLink(Base):
    """A one-time sign-in link: valid for 30 minutes, used at most once."""

    __tablename__ = "login_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: SHA-256 of the secret in the link; the secret itself is only in the mail.
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    #: Where to go after signing in (an internal path).
    next_path: Mapped[str] = mapped_column(sa.String(500), default="")
