"""Certificates (bewijs van deelname), the eligibility rule per programme."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from werklab.catalog.models import Programme
from werklab.db import Base, enum_type, utcnow
from werklab.registration.models import Registration


class RuleKind(enum.Enum):
    ALL = "all"  # every session attended (werklab default)
    MINIMUM = "minimum"  # at least `minimum_sessions`
    SHARE = "share"  # at least `minimum_percent` % of the sessions


class EligibilityRule(Base):
    """Who gets a certificate in a programme. No row: every session attended."""

    __tablename__ = "certificate_rules"
    __table_args__ = (
        sa.CheckConstraint(
            "minimum_sessions IS NULL OR minimum_sessions >= 1", name="minimum_positive"
        ),
        sa.CheckConstraint(
            "minimum_percent IS NULL OR (minimum_percent >= 1 AND minimum_percent <= 100)",
            name="percent_range",
        ),
    )

    programme_id: Mapped[int] = mapped_column(
        sa.ForeignKey("programmes.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[RuleKind] = mapped_column(
        enum_type(RuleKind, "certificate_rule_kind"), default=RuleKind.ALL
    )
    minimum_sessions: Mapped[int | None]
    #: Share of the programme's sessions, in whole percent (rounded up to whole sessions).
    minimum_percent: Mapped[int | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    def required(self, total_sessions: int) -> int:
        """How many sessions someone must have attended, of `total_sessions`."""
        if self.kind is RuleKind.MINIMUM and self.minimum_sessions:
            return min(self.minimum_sessions, total_sessions)
        if self.kind is RuleKind.SHARE and self.minimum_percent:
            return -(-total_sessions * self.minimum_percent // 100)  # ceil
        return total_sessions


class Certificate(Base):
    """A certificate issued to one registration; at most one per registration."""

    __tablename__ = "certificates"

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        sa.ForeignKey("registrations.id", ondelete="CASCADE"), unique=True
    )
    programme_id: Mapped[int] = mapped_column(
        sa.ForeignKey("programmes.id", ondelete="CASCADE"), index=True
    )
    #: Copied at issue: the certificate says what was true then, even if data changes later.
    #: The registration's full name (first and last name, up to 201 characters).
    name: Mapped[str] = mapped_column(sa.String(300))
    organisation: Mapped[str] = mapped_column(sa.String(200), default="")
    programme_title: Mapped[str] = mapped_column(sa.String(200))
    #: [{"date": "YYYY-MM-DD", "theme": str}] of the sessions attended.
    sessions: Mapped[list[dict[str, str]]] = mapped_column(sa.JSON, default=list)
    trainers: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Public, unguessable (secrets.token_urlsafe): the key of the verification page.
    code: Mapped[str] = mapped_column(sa.String(32), unique=True)
    revoked_at: Mapped[datetime | None]
    revoked_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )

    registration: Mapped[Registration] = relationship()
    programme: Mapped[Programme] = relationship()

    def __repr__(self) -> str:
        return f"<Certificate {self.id} {'revoked' if self.revoked_at else 'valid'}>"

    @property
    def is_valid(self) -> bool:
        return self.revoked_at is None
