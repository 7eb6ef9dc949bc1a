"""The figures of the coordinator's overview, each read with one aggregate query.

The page reads, whatever the number of programmes, registrations, sessions or invoices:
the programmes with their seats, waiting lists and certificates; attendance per session;
certificates per month; invoices per month and status; werklab requests per stage. No
query runs per programme (tests/overview/test_views.py counts them with 3 and 60).

These are read-only counts over the tables of the areas below (registration, attendance,
certificates, invoicing, intake): the overview is a page above them all, like manage.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from itertools import pairwise

from sqlalchemy import and_, case, extract, func, select

from werklab.attendance.models import AttendanceRecord, AttendanceStatus
from werklab.catalog.models import (
    GoDecision,
    GoStatus,
    Programme,
    ProgrammeKind,
    ProgrammeSession,
    ProgrammeStatus,
)
from werklab.catalog.services import local_date, local_to_utc
from werklab.certificates.models import Certificate
from werklab.extensions import db
from werklab.intake.models import BookingRequest, RequestStatus
from werklab.invoicing.models import DocumentKind, Invoice, InvoiceStatus
from werklab.registration.models import Registration, RegistrationStatus
from werklab.registration.seats import seats_taken_expr

#: Programmes that still take or hold seats: their seats and decisions matter.
RUNNING = (ProgrammeStatus.OPEN, ProgrammeStatus.CLOSED)
#: Programmes shown at all (drafts have no one yet; cancelled ones nothing to follow).
SHOWN = (ProgrammeStatus.OPEN, ProgrammeStatus.CLOSED, ProgrammeStatus.COMPLETED)
#: Werklab requests still being worked on.
OPEN_STAGES = (RequestStatus.NEW, RequestStatus.IN_PROGRESS, RequestStatus.QUOTE_SENT)
#: How many months the charts over time show, this month included.
MONTHS = 12
#: Decisions further ahead than this are not yet listed.
DECISION_HORIZON = timedelta(days=60)


@dataclass(frozen=True)
class ProgrammeRow:
    id: int
    title: str
    kind: ProgrammeKind
    status: ProgrammeStatus
    minimum: int
    maximum: int
    decision_date: date | None
    go_decision: GoDecision
    seats_taken: int
    waiting: int
    certificates: int

    @property
    def running(self) -> bool:
        return self.status in RUNNING

    @property
    def go_status(self) -> GoStatus:
        if self.seats_taken >= self.maximum:
            return GoStatus.FULL
        if self.seats_taken >= self.minimum or self.go_decision is GoDecision.CONFIRMED:
            return GoStatus.GO
        return GoStatus.TENTATIVE

    @property
    def short(self) -> int:
        """Seats still needed to reach the minimum."""
        return max(self.minimum - self.seats_taken, 0)


@dataclass(frozen=True)
class Decision:
    """A go / no-go decision still to take: the programme is open, undecided, and its
    decision date is near or has passed."""

    programme: ProgrammeRow
    days_left: int  # negative: the date has passed

    @property
    def overdue(self) -> bool:
        return self.days_left < 0


@dataclass(frozen=True)
class SessionAttendance:
    session_id: int
    position: int
    theme: str
    starts_at: datetime
    present: int
    excused: int
    absent: int

    @property
    def recorded(self) -> int:
        return self.present + self.excused + self.absent

    @property
    def rate(self) -> int | None:
        """Present, as a whole percentage of those whose attendance was taken; None when
        nobody's was."""
        return round(100 * self.present / self.recorded) if self.recorded else None


@dataclass
class ProgrammeAttendance:
    programme_id: int
    title: str
    sessions: list[SessionAttendance] = field(default_factory=list)

    @property
    def rate(self) -> int | None:
        present = sum(s.present for s in self.sessions)
        recorded = sum(s.recorded for s in self.sessions)
        return round(100 * present / recorded) if recorded else None


@dataclass(frozen=True)
class Month:
    year: int
    month: int

    def first_day(self) -> date:
        return date(self.year, self.month, 1)


@dataclass
class MonthMoney:
    """Invoices issued in one month (incl. VAT, cents), by what became of them. A credited
    invoice counts under `credited` in its own month (its credit note mirrors it whole), so
    invoiced = paid + outstanding + credited; overdue is the part of outstanding past its
    due date."""

    month: Month
    invoiced: int = 0
    paid: int = 0
    outstanding: int = 0
    overdue: int = 0
    credited: int = 0
    count: int = 0

    @property
    def outstanding_not_due(self) -> int:
        return self.outstanding - self.overdue

    @property
    def net(self) -> int:
        return self.invoiced - self.credited


@dataclass
class Overview:
    today: date
    programmes: list[ProgrammeRow]
    decisions: list[Decision]
    attendance: list[ProgrammeAttendance]
    certificates_per_month: list[tuple[Month, int]]
    money: list[MonthMoney]
    #: Outstanding and overdue over all months, also before the months shown.
    outstanding_total: int
    overdue_total: int
    overdue_count: int
    requests: dict[RequestStatus, int]

    @property
    def running(self) -> list[ProgrammeRow]:
        return [p for p in self.programmes if p.running]

    @property
    def open(self) -> list[ProgrammeRow]:
        """Programmes open for registration: where seats are still won or lost."""
        return [p for p in self.programmes if p.status is ProgrammeStatus.OPEN]

    @property
    def seats_taken(self) -> int:
        return sum(p.seats_taken for p in self.running)

    @property
    def waiting(self) -> int:
        return sum(p.waiting for p in self.running)

    @property
    def certificates(self) -> int:
        return sum(p.certificates for p in self.programmes)

    @property
    def attendance_rate(self) -> int | None:
        present = sum(s.present for a in self.attendance for s in a.sessions)
        recorded = sum(s.recorded for a in self.attendance for s in a.sessions)
        return round(100 * present / recorded) if recorded else None

    @property
    def open_requests(self) -> int:
        return sum(self.requests.get(stage, 0) for stage in OPEN_STAGES)


def months_until(today: date, count: int = MONTHS) -> list[Month]:
    """The `count` months up to and including today's, oldest first."""
    index = today.year * 12 + today.month - 1
    return [Month(i // 12, i % 12 + 1) for i in range(index - count + 1, index + 1)]


def programme_rows(now: datetime) -> list[ProgrammeRow]:
    """Every programme shown, with seats taken (the registration area's own count),
    people waiting and certificates issued: one query."""
    R = Registration
    waiting = (
        select(R.programme_id, func.count().label("n"))
        .where(R.status == RegistrationStatus.WAITLISTED)
        .group_by(R.programme_id)
        .subquery()
    )
    issued = (
        select(Certificate.programme_id, func.count().label("n"))
        .where(Certificate.revoked_at.is_(None))
        .group_by(Certificate.programme_id)
        .subquery()
    )
    rows = db.session.execute(
        select(
            Programme.id,
            Programme.title,
            Programme.kind,
            Programme.status,
            Programme.min_participants,
            Programme.max_participants,
            Programme.decision_date,
            Programme.go_decision,
            seats_taken_expr(Programme.id),
            func.coalesce(waiting.c.n, 0),
            func.coalesce(issued.c.n, 0),
        )
        .outerjoin(waiting, waiting.c.programme_id == Programme.id)
        .outerjoin(issued, issued.c.programme_id == Programme.id)
        .where(Programme.status.in_(SHOWN))
        .order_by(Programme.status, Programme.title, Programme.id),
        {"now": now},
    )
    return [ProgrammeRow(*row) for row in rows]


def decisions(programmes: list[ProgrammeRow], today: date) -> list[Decision]:
    """Open, undecided programmes whose decision date is within DECISION_HORIZON, or has
    passed while the minimum is not reached, soonest first."""
    horizon = today + DECISION_HORIZON
    return sorted(
        (
            Decision(p, (p.decision_date - today).days)
            for p in programmes
            if p.status is ProgrammeStatus.OPEN
            and p.go_decision is GoDecision.NONE
            and p.decision_date is not None
            and p.decision_date <= horizon
            # Once the date has passed, only a programme below its minimum needs a decision.
            and (p.decision_date >= today or p.short)
        ),
        key=lambda d: (d.days_left, d.programme.title),
    )


def attendance(now: datetime) -> list[ProgrammeAttendance]:
    """Attendance per session that has taken place, of programmes not cancelled: one query.
    Sessions whose attendance nobody took are listed with no rate."""
    A, S = AttendanceRecord, ProgrammeSession

    def counted(status: AttendanceStatus):
        return func.count(case((A.status == status, 1)))

    rows = db.session.execute(
        select(
            S.programme_id,
            Programme.title,
            S.id,
            S.position,
            S.theme,
            S.starts_at,
            counted(AttendanceStatus.PRESENT),
            counted(AttendanceStatus.EXCUSED),
            counted(AttendanceStatus.ABSENT),
        )
        .join(Programme, Programme.id == S.programme_id)
        .outerjoin(A, A.session_id == S.id)
        .where(S.ends_at < now, Programme.status.in_(SHOWN))
        .group_by(S.programme_id, Programme.title, S.id, S.position, S.theme, S.starts_at)
        .order_by(Programme.title, S.programme_id, S.starts_at, S.position)
    )
    result: dict[int, ProgrammeAttendance] = {}
    for programme_id, title, *session in rows:
        entry = result.setdefault(programme_id, ProgrammeAttendance(programme_id, title))
        entry.sessions.append(SessionAttendance(*session))
    return list(result.values())


def certificates_per_month(months: list[Month]) -> list[tuple[Month, int]]:
    """Certificates issued (and not revoked) in each of `months`: one query. Months are Dutch
    calendar months, as everywhere on the page: a certificate issued at 00:30 on 1 January in
    Amsterdam (23:30 UTC on 31 December) counts in January."""
    # Each month's start in stored (naive UTC) time; the last bound is the next month's start.
    bounds = [_utc_start(m.year, m.month) for m in months]
    after = months[-1].year * 12 + months[-1].month
    bounds.append(_utc_start(after // 12, after % 12 + 1))
    issued = Certificate.issued_at
    columns = [
        func.count(case((and_(issued >= start, issued < end), 1)))
        for start, end in pairwise(bounds)
    ]
    counts = db.session.execute(
        select(*columns).where(
            Certificate.revoked_at.is_(None), issued >= bounds[0], issued < bounds[-1]
        )
    ).one()
    return list(zip(months, counts, strict=True))


def _utc_start(year: int, month: int) -> datetime:
    """Midnight at the start of a Dutch calendar month, in stored (naive UTC) time."""
    return local_to_utc(datetime(year, month, 1))


def money(months: list[Month], today: date) -> tuple[list[MonthMoney], tuple[int, int, int]]:
    """Invoices per month of issue and status (incl. VAT), and outstanding / overdue over
    all months: one query. Credit notes are not summed themselves: the invoice they credit
    has status credited and counts as such in its own month."""
    year = extract("year", Invoice.issue_date)
    month = extract("month", Invoice.issue_date)
    overdue = and_(
        Invoice.status == InvoiceStatus.OPEN,
        Invoice.due_date.is_not(None),
        Invoice.due_date < today,
    )
    rows = db.session.execute(
        select(
            year,
            month,
            Invoice.status,
            func.count(),
            func.sum(Invoice.total_incl_cents),
            func.sum(case((overdue, Invoice.total_incl_cents), else_=0)),
            func.count(case((overdue, 1))),
        )
        .where(Invoice.kind == DocumentKind.INVOICE)
        .group_by(year, month, Invoice.status)
    )
    shown = {(m.year, m.month): MonthMoney(m) for m in months}
    outstanding_total = overdue_total = overdue_count = 0
    for y, m, status, count, total, late, late_count in rows:
        total, late = int(total or 0), int(late or 0)
        if status is InvoiceStatus.OPEN:
            outstanding_total += total
            overdue_total += late
            overdue_count += late_count
        entry = shown.get((int(y), int(m)))
        if entry is None:
            continue
        entry.count += count
        entry.invoiced += total
        if status is InvoiceStatus.PAID:
            entry.paid += total
        elif status is InvoiceStatus.CREDITED:
            entry.credited += total
        else:
            entry.outstanding += total
            entry.overdue += late
    return list(shown.values()), (outstanding_total, overdue_total, overdue_count)


def requests_by_stage() -> dict[RequestStatus, int]:
    """Werklab requests per stage: one query."""
    rows = db.session.execute(
        select(BookingRequest.status, func.count()).group_by(BookingRequest.status)
    )
    return {status: n for status, n in rows}


def overview(now: datetime) -> Overview:
    """Everything the overview page shows, in six queries."""
    today = local_date(now)
    months = months_until(today)
    programmes = programme_rows(now)
    per_month, (outstanding_total, overdue_total, overdue_count) = money(months, today)
    return Overview(
        today=today,
        programmes=programmes,
        decisions=decisions(programmes, today),
        attendance=attendance(now),
        certificates_per_month=certificates_per_month(months),
        money=per_month,
        outstanding_total=outstanding_total,
        overdue_total=overdue_total,
        overdue_count=overdue_count,
        requests=requests_by_stage(),
    )
