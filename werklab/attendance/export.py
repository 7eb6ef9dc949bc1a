"""The attendance matrix of a programme: participants x sessions, with totals, as a table for
werklab.spreadsheets (CSV and XLSX).

Who is on it: everyone with a seat, and anyone marked at some session who has since left
(their marks stay, as on the register). An erased participant stays as "Erased participant"
with their marks and nothing else. Three queries however many people and sessions.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from functools import cached_property

from sqlalchemy import func, or_, select

from werklab.attendance.labels import STATUS_LABELS
from werklab.attendance.models import AttendanceRecord, AttendanceStatus
from werklab.catalog.models import Programme, ProgrammeSession
from werklab.catalog.services import utc_to_local
from werklab.extensions import db
from werklab.registration.labels import REGISTRATION_STATUS_LABELS
from werklab.registration.models import Registration, RegistrationStatus
from werklab.spreadsheets import Cell, neutralise
from werklab.translation import gettext as _

__all__ = ["Matrix", "filename", "matrix", "table"]


@dataclass(frozen=True)
class Matrix:
    sessions: list[ProgrammeSession]
    registrations: list[Registration]
    #: (registration id, session id) -> the status marked.
    marks: dict[tuple[int, int], AttendanceStatus]

    def status(self, registration: Registration, session: ProgrammeSession):
        return self.marks.get((registration.id, session.id))

    @cached_property
    def _counts(self) -> Counter:
        counts: Counter = Counter()
        for (registration_id, session_id), status in self.marks.items():
            counts[("registration", registration_id, status)] += 1
            counts[("session", session_id, status)] += 1
            counts[("all", None, status)] += 1
        return counts

    def count(self, status: AttendanceStatus, *, registration=None, session=None) -> int:
        """How often `status` was marked: for one person, at one session, or in all."""
        if registration is not None:
            return self._counts[("registration", registration.id, status)]
        if session is not None:
            return self._counts[("session", session.id, status)]
        return self._counts[("all", None, status)]


def matrix(programme: Programme) -> Matrix:
    """The sessions, the people on the register and every mark of a programme."""
    sessions = list(
        db.session.execute(
            select(ProgrammeSession)
            .where(ProgrammeSession.programme_id == programme.id)
            .order_by(ProgrammeSession.position)
        ).scalars()
    )
    marked = (
        select(AttendanceRecord.registration_id)
        .join(ProgrammeSession, ProgrammeSession.id == AttendanceRecord.session_id)
        .where(ProgrammeSession.programme_id == programme.id)
    )
    registrations = list(
        db.session.execute(
            select(Registration)
            .where(
                Registration.programme_id == programme.id,
                or_(
                    Registration.status == RegistrationStatus.CONFIRMED,
                    Registration.id.in_(marked),
                ),
            )
            .order_by(
                Registration.erased_at.is_not(None),  # erased people last
                func.lower(Registration.last_name),
                func.lower(Registration.first_name),
                Registration.id,
            )
        ).scalars()
    )
    marks = {
        (registration_id, session_id): status
        for registration_id, session_id, status in db.session.execute(
            select(
                AttendanceRecord.registration_id,
                AttendanceRecord.session_id,
                AttendanceRecord.status,
            )
            .join(ProgrammeSession, ProgrammeSession.id == AttendanceRecord.session_id)
            .where(ProgrammeSession.programme_id == programme.id)
        )
    }
    return Matrix(sessions, registrations, marks)


def _session_heading(session: ProgrammeSession) -> str:
    day = utc_to_local(session.starts_at).strftime("%d-%m-%Y")
    return neutralise(f"{session.position}. {day} {session.theme}")


def table(data: Matrix) -> list[list[Cell]]:
    """The header, one row per person (a word per session, then their totals), an empty
    row, and per status a row with the total per session."""
    statuses = list(AttendanceStatus)
    rows: list[list[Cell]] = [
        [_("Name"), _("Organisation"), _("Registration")]
        + [_session_heading(s) for s in data.sessions]
        + [str(STATUS_LABELS[status]) for status in statuses]
    ]
    for r in data.registrations:
        marks = [data.status(r, s) for s in data.sessions]
        rows.append(
            [
                neutralise(r.full_name),
                neutralise(r.organisation),
                str(REGISTRATION_STATUS_LABELS[r.status]),
            ]
            + [str(STATUS_LABELS[m]) if m else "" for m in marks]
            + [data.count(status, registration=r) for status in statuses]
        )
    rows.append([])
    for status in statuses:
        rows.append(
            [_("Total %(status)s", status=str(STATUS_LABELS[status]).lower()), "", ""]
            + [data.count(status, session=s) for s in data.sessions]
            + [data.count(status) if other is status else "" for other in statuses]
        )
    return rows


def totals_rows(data: Matrix) -> tuple[int, ...]:
    """The 0-based rows of the per-session totals (bold in XLSX)."""
    first = len(data.registrations) + 2
    return tuple(range(first, first + len(AttendanceStatus)))


def filename(programme: Programme, day, extension: str) -> str:
    return f"presentie-{programme.slug}-{day:%Y-%m-%d}.{extension}"
