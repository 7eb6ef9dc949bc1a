"""The attendance register: mark participants aanwezig / afgemeld / afwezig per session."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import format_datetime
from sqlalchemy import and_, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager, joinedload

from werklab import audit
from werklab.accounts.models import User
from werklab.attendance.models import AttendanceRecord, AttendanceStatus
from werklab.catalog.models import Programme, ProgrammeSession
from werklab.db import utcnow
from werklab.errors import DomainError
from werklab.extensions import db
from werklab.registration.models import Registration, RegistrationStatus
from werklab.translation import lazy_gettext as _l


class NotOnRegister(DomainError):
    status_code = 409


class NotStarted(DomainError):
    status_code = 409


def has_started(session: ProgrammeSession, now: datetime) -> bool:
    """Attendance is recorded only once a session has started."""
    return session.starts_at <= now


def load_session(session_id: int) -> ProgrammeSession | None:
    """A session with its programme and the programme's trainers (for the permission check)."""
    return db.session.execute(
        select(ProgrammeSession)
        .where(ProgrammeSession.id == session_id)
        .options(joinedload(ProgrammeSession.programme).selectinload(Programme.trainers))
    ).scalar_one_or_none()


def _by_name():
    return (
        func.lower(Registration.last_name),
        func.lower(Registration.first_name),
        Registration.id,
    )


@dataclass(frozen=True)
class RegisterRow:
    registration: Registration
    record: AttendanceRecord | None

    @property
    def status(self) -> AttendanceStatus | None:
        return self.record.status if self.record else None


def register_rows(session: ProgrammeSession) -> list[RegisterRow]:
    """Who is on the register of a session, by name, with what was marked: everyone with a
    seat, and anyone marked before who has since left (their record stays visible). One
    query however many people registered."""
    rows = db.session.execute(
        select(Registration, AttendanceRecord)
        .outerjoin(
            AttendanceRecord,
            and_(
                AttendanceRecord.registration_id == Registration.id,
                AttendanceRecord.session_id == session.id,
            ),
        )
        .where(
            Registration.programme_id == session.programme_id,
            or_(
                Registration.status == RegistrationStatus.CONFIRMED,
                AttendanceRecord.id.is_not(None),
            ),
        )
        .order_by(*_by_name())
    )
    return [RegisterRow(registration, record) for registration, record in rows]


def sheet_participants(session: ProgrammeSession) -> list[Registration]:
    """The people on the printed attendance sheet: everyone with a seat, by name."""
    return list(
        db.session.execute(
            select(Registration)
            .where(
                Registration.programme_id == session.programme_id,
                Registration.status == RegistrationStatus.CONFIRMED,
            )
            .order_by(*_by_name())
        ).scalars()
    )


def _record(session_id: int, registration_id: int) -> AttendanceRecord | None:
    return db.session.execute(
        select(AttendanceRecord).where(
            AttendanceRecord.session_id == session_id,
            AttendanceRecord.registration_id == registration_id,
        )
    ).scalar_one_or_none()


def mark_attendance(
    session: ProgrammeSession,
    registration: Registration,
    status: AttendanceStatus,
    *,
    recorded_by: User,
    now: datetime | None = None,
) -> AttendanceRecord:
    """Mark one participant aanwezig, afgemeld or afwezig at a session (again: updates it)."""
    now = now or utcnow()
    if not has_started(session, now):
        raise NotStarted(
            str(
                _l(
                    "This session has not started yet: attendance can be recorded from %(when)s.",
                    when=format_datetime(session.starts_at, "d MMMM y, HH:mm"),
                )
            )
        )
    if registration.programme_id != session.programme_id:
        raise NotOnRegister(str(_l("This person is not registered for this programme.")))
    record = _record(session.id, registration.id)
    if record is None and registration.status is not RegistrationStatus.CONFIRMED:
        raise NotOnRegister(
            str(_l("This person has no place in this programme (any more) and is not marked."))
        )
    if record is None:
        try:
            with db.session.begin_nested():
                record = AttendanceRecord(
                    session_id=session.id,
                    registration_id=registration.id,
                    status=status,
                    recorded_by_id=recorded_by.id,
                    recorded_at=now,
                )
                db.session.add(record)
        except IntegrityError:
            # Someone marked this person at the same moment: change their row instead.
            record = _record(session.id, registration.id)
        else:
            _audit("attendance.recorded", record, None, recorded_by, now)
            return record
    previous = record.status
    if previous is status:
        return record  # nothing changes
    record.status = status
    record.recorded_by_id = recorded_by.id
    record.recorded_at = now
    db.session.flush()
    _audit("attendance.changed", record, previous, recorded_by, now)
    return record


def _audit(action: str, record: AttendanceRecord, previous, user: User, now: datetime) -> None:
    audit.record(
        action,
        record,
        actor=f"user:{user.id}",
        now=now,
        session_id=record.session_id,
        registration_id=record.registration_id,
        status=record.status.value,
        previous=previous.value if previous else None,
    )


def records_for_registrations(registration_ids: list[int]) -> list[AttendanceRecord]:
    """All attendance records of these registrations, in session order, with their sessions
    loaded. Also what a participant sees under "mijn gegevens": callers check who may."""
    if not registration_ids:
        return []
    return list(
        db.session.execute(
            select(AttendanceRecord)
            .join(AttendanceRecord.session)
            .where(AttendanceRecord.registration_id.in_(registration_ids))
            .options(contains_eager(AttendanceRecord.session))
            .order_by(
                AttendanceRecord.registration_id,
                ProgrammeSession.starts_at,
                AttendanceRecord.id,
            )
        ).scalars()
    )
