"""Programmes and their sessions."""

from __future__ import annotations

import enum
import hmac
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.orm import Session as OrmSession

from werklab.accounts.models import User
from werklab.db import Base, enum_type, utcnow

#: Larger groups were the main lesson learned: a programme never seats more than this.
MAX_GROUP_SIZE = 15
DEFAULT_MINIMUM = 10


class ProgrammeKind(enum.Enum):
    WERKLAB = "werklab"
    COP = "cop"
    LEARNING_COMMUNITY = "learning_community"

    @property
    def asks_learning_question(self) -> bool:
        return self in (ProgrammeKind.COP, ProgrammeKind.LEARNING_COMMUNITY)


class ProgrammeStatus(enum.Enum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"
    CANCELLED = "cancelled"
    COMPLETED = "completed"


class Visibility(enum.Enum):
    PUBLIC = "public"
    INVITATION = "invitation"


class SessionKind(enum.Enum):
    WORKSHOP = "workshop"
    SITE_VISIT = "site_visit"


class GoStatus(enum.Enum):
    """What the programme page says about whether the programme will run."""

    GO = "go"  # minimum reached: "gaat door"
    TENTATIVE = "tentative"  # "onder voorbehoud"
    FULL = "full"  # "vol — wachtlijst"


def registration_open(status: ProgrammeStatus, deadline: datetime | None, now: datetime) -> bool:
    """Open for registration: status open and the deadline (if any) not passed."""
    return status is ProgrammeStatus.OPEN and (deadline is None or now <= deadline)


def invitation_accepted(visibility: Visibility, expected: str | None, given: str | None) -> bool:
    """Public programmes accept everyone; invitation-only ones the right token."""
    if visibility is Visibility.PUBLIC:
        return True
    if not given or not expected:
        return False
    return hmac.compare_digest(given.encode(), expected.encode())


#: Trainers (begeleiders) who run a programme.
programme_trainers = sa.Table(
    "programme_trainers",
    Base.metadata,
    sa.Column("programme_id", sa.ForeignKey("programmes.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("user_id", sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
)


class GoDecision(enum.Enum):
    """What the coordinator decided at the decision date (go / no-go)."""

    NONE = "none"
    CONFIRMED = "confirmed"  # goes ahead, also below the minimum
    CANCELLED = "cancelled"


class Programme(Base):
    __tablename__ = "programmes"
    __table_args__ = (
        sa.CheckConstraint(f"max_participants <= {MAX_GROUP_SIZE}", name="max_at_most_15"),
        sa.CheckConstraint("min_participants >= 1", name="min_positive"),
        sa.CheckConstraint("min_participants <= max_participants", name="min_not_above_max"),
        sa.CheckConstraint("fee_cents IS NULL OR fee_cents >= 0", name="fee_not_negative"),
        sa.CheckConstraint("vat_rate_bp >= 0 AND vat_rate_bp <= 10000", name="vat_rate_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[ProgrammeKind] = mapped_column(enum_type(ProgrammeKind, "programme_kind"))
    title: Mapped[str] = mapped_column(sa.String(200))
    slug: Mapped[str] = mapped_column(sa.String(120), unique=True)
    description: Mapped[str] = mapped_column(sa.Text, default="")
    region: Mapped[str] = mapped_column(sa.String(120), default="")
    #: Fee per participant per year in euro cents; NULL when there is no fee (a werklab is
    #: paid by the municipality against its quote).
    fee_cents: Mapped[int | None] = mapped_column(sa.Integer)
    min_participants: Mapped[int] = mapped_column(default=DEFAULT_MINIMUM)
    max_participants: Mapped[int] = mapped_column(default=MAX_GROUP_SIZE)
    #: Last moment (UTC) at which people can register.
    registration_deadline: Mapped[datetime | None] = mapped_column(sa.DateTime)
    #: Day on which the coordinator decides go / no-go if the minimum is not reached.
    decision_date: Mapped[date | None] = mapped_column(sa.Date)
    #: VAT in basis points: 2100 = 21%; 0 = exempt (the invoice then carries the legal note).
    vat_rate_bp: Mapped[int] = mapped_column(default=2100)
    #: Until then (UTC) participants cancel for free (refund or credit note); after it not.
    cancellation_deadline: Mapped[datetime | None] = mapped_column(sa.DateTime)
    go_decision: Mapped[GoDecision] = mapped_column(
        enum_type(GoDecision, "go_decision"), default=GoDecision.NONE
    )
    go_decided_at: Mapped[datetime | None]
    #: When tick mailed the coordinator and trainers the go / no-go status (once).
    decision_mailed_at: Mapped[datetime | None]
    status: Mapped[ProgrammeStatus] = mapped_column(
        enum_type(ProgrammeStatus, "programme_status"), default=ProgrammeStatus.DRAFT
    )
    visibility: Mapped[Visibility] = mapped_column(
        enum_type(Visibility, "programme_visibility"), default=Visibility.PUBLIC
    )
    #: Secret part of the invitation link of an invitation-only programme.
    invitation_token: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    sessions: Mapped[list[ProgrammeSession]] = relationship(
        back_populates="programme",
        order_by="ProgrammeSession.position",
        cascade="all, delete-orphan",
    )
    trainers: Mapped[list[User]] = relationship(secondary=programme_trainers, order_by="User.name")
    #: When the programme was completed (status completed: by tick or a coordinator).
    completed_at: Mapped[datetime | None] = mapped_column(sa.DateTime)

    def __repr__(self) -> str:
        return f"<Programme {self.slug}>"

    @property
    def is_public(self) -> bool:
        return self.visibility is Visibility.PUBLIC

    def registration_is_open(self, now: datetime) -> bool:
        return registration_open(self.status, self.registration_deadline, now)

    def deadline_passed(self, now: datetime) -> bool:
        return self.registration_deadline is not None and now > self.registration_deadline

    def free_cancellation(self, now: datetime) -> bool:
        """Until the cancellation deadline a participant cancels with their money back."""
        return self.cancellation_deadline is None or now <= self.cancellation_deadline

    def go_status(self, seats_taken: int) -> GoStatus:
        if seats_taken >= self.max_participants:
            return GoStatus.FULL
        if seats_taken >= self.min_participants or self.go_decision is GoDecision.CONFIRMED:
            return GoStatus.GO
        return GoStatus.TENTATIVE

    def accepts_invitation(self, token: str | None) -> bool:
        """Tell whether someone holding `token` may see and register for this programme."""
        return invitation_accepted(self.visibility, self.invitation_token, token)


class ProgrammeSession(Base):
    """A meeting (bijeenkomst) of a programme: a workshop or a site visit."""

    __tablename__ = "programme_sessions"
    __table_args__ = (
        sa.UniqueConstraint("programme_id", "position", name="uq_programme_sessions_position"),
        sa.CheckConstraint("ends_at > starts_at", name="ends_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(
        sa.ForeignKey("programmes.id", ondelete="CASCADE"), index=True
    )
    #: 1-based order within the programme.
    position: Mapped[int]
    theme: Mapped[str] = mapped_column(sa.String(200))
    starts_at: Mapped[datetime] = mapped_column(sa.DateTime)
    ends_at: Mapped[datetime] = mapped_column(sa.DateTime)
    location_name: Mapped[str] = mapped_column(sa.String(200), default="")
    location_address: Mapped[str] = mapped_column(sa.String(300), default="")
    kind: Mapped[SessionKind] = mapped_column(
        enum_type(SessionKind, "session_kind"), default=SessionKind.WORKSHOP
    )
    description: Mapped[str] = mapped_column(sa.Text, default="")
    #: The iCalendar SEQUENCE of the session's event: raised whenever its time or place
    #: changes, so a calendar replaces the event it has (same UID) with the new one.
    sequence: Mapped[int] = mapped_column(default=0, server_default="0")

    programme: Mapped[Programme] = relationship(back_populates="sessions")

    def __repr__(self) -> str:
        return f"<ProgrammeSession {self.programme_id}#{self.position}>"


@event.listens_for(OrmSession, "before_flush")
def _touch_programme(session: OrmSession, _context, _instances) -> None:
    """A change to a session is a change to its programme: bump updated_at, which versions
    the cached programme page (werklab.pagecache)."""
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, ProgrammeSession) and obj.programme is not None:
            obj.programme.updated_at = utcnow()
