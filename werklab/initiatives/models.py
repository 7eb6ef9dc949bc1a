"""Resident initiatives (bewonersinitiatieven), site visits to them and session hosts."""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from werklab.catalog.models import ProgrammeSession
from werklab.db import Base, enum_type, utcnow
from werklab.registration.models import Registration


class Initiative(Base):
    """A resident initiative in the directory, with what it consented to share."""

    __tablename__ = "initiatives"
    __table_args__ = (sa.CheckConstraint("capacity >= 1", name="capacity_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    place: Mapped[str] = mapped_column(sa.String(120), default="")
    municipality: Mapped[str] = mapped_column(sa.String(120), default="")
    description: Mapped[str] = mapped_column(sa.Text, default="")
    #: Free text, comma separated ("zorg, groen, energie").
    themes: Mapped[str] = mapped_column(sa.String(300), default="")
    website: Mapped[str] = mapped_column(sa.String(300), default="")
    contact_name: Mapped[str] = mapped_column(sa.String(200), default="")
    contact_email: Mapped[str] = mapped_column(sa.String(254), default="")
    address: Mapped[str] = mapped_column(sa.String(300), default="")
    accessibility: Mapped[str] = mapped_column(sa.Text, default="")
    #: How many visitors the initiative can receive at once.
    capacity: Mapped[int] = mapped_column(default=8)
    #: Consent record: what may be shown to participants and on the public list. Nothing is
    #: public without a consent date.
    consent_date: Mapped[date | None] = mapped_column(sa.Date)
    share_description: Mapped[bool] = mapped_column(default=False)
    share_address: Mapped[bool] = mapped_column(default=False)
    share_contact: Mapped[bool] = mapped_column(default=False)
    photos_allowed: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    def __repr__(self) -> str:
        return f"<Initiative {self.id} {self.name}>"

    @property
    def has_consent(self) -> bool:
        return self.consent_date is not None


class VisitStatus(enum.Enum):
    REQUESTED = "requested"  # gevraagd
    CONFIRMED = "confirmed"  # bevestigd
    DECLINED = "declined"  # afgewezen


site_visit_participants = sa.Table(
    "site_visit_participants",
    Base.metadata,
    sa.Column("visit_id", sa.ForeignKey("site_visits.id", ondelete="CASCADE"), primary_key=True),
    sa.Column(
        "registration_id", sa.ForeignKey("registrations.id", ondelete="CASCADE"), primary_key=True
    ),
    #: Copied from the visit: a participant goes to at most one visit per session.
    sa.Column(
        "session_id", sa.ForeignKey("programme_sessions.id", ondelete="CASCADE"), nullable=False
    ),
    sa.UniqueConstraint("session_id", "registration_id", name="uq_site_visit_participants_once"),
)


class SiteVisit(Base):
    """A group of participants visiting one initiative during a site-visit session."""

    __tablename__ = "site_visits"
    __table_args__ = (
        sa.UniqueConstraint("session_id", "initiative_id", name="uq_site_visits_initiative"),
        sa.CheckConstraint("ends_at > starts_at", name="ends_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        sa.ForeignKey("programme_sessions.id", ondelete="CASCADE"), index=True
    )
    initiative_id: Mapped[int] = mapped_column(
        sa.ForeignKey("initiatives.id", ondelete="RESTRICT"), index=True
    )
    starts_at: Mapped[datetime] = mapped_column(sa.DateTime)
    ends_at: Mapped[datetime] = mapped_column(sa.DateTime)
    status: Mapped[VisitStatus] = mapped_column(
        enum_type(VisitStatus, "site_visit_status"), default=VisitStatus.REQUESTED
    )
    #: Secret part of the host's signed link (confirm / decline, feedback).
    host_key: Mapped[str] = mapped_column(sa.String(64), unique=True)
    #: Practical information from the host (where to ring, parking, ...).
    host_info: Mapped[str] = mapped_column(sa.Text, default="")
    responded_at: Mapped[datetime | None]
    #: When tick sent the thank-you mail with the feedback link (once).
    thanked_at: Mapped[datetime | None]
    feedback: Mapped[str | None] = mapped_column(sa.Text)
    feedback_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    session: Mapped[ProgrammeSession] = relationship()
    initiative: Mapped[Initiative] = relationship()
    participants: Mapped[list[Registration]] = relationship(
        secondary=site_visit_participants, order_by="Registration.last_name"
    )

    def __repr__(self) -> str:
        return f"<SiteVisit {self.id} {self.status.value}>"

    @property
    def visitors(self) -> list[Registration]:
        """The assigned participants who still have their place (not cancelled since)."""
        return [r for r in self.participants if r.is_seated]

    @property
    def room_left(self) -> int:
        return self.initiative.capacity - len(self.visitors)


class SessionHost(Base):
    """Where a (CoP / LG) session is hosted: an initiative or a participant's organisation."""

    __tablename__ = "session_hosts"

    session_id: Mapped[int] = mapped_column(
        sa.ForeignKey("programme_sessions.id", ondelete="CASCADE"), primary_key=True
    )
    initiative_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("initiatives.id", ondelete="SET NULL")
    )
    #: Free text when a participant's organisation hosts.
    host_organisation: Mapped[str] = mapped_column(sa.String(200), default="")

    initiative: Mapped[Initiative | None] = relationship()
