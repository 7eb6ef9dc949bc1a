"""Known data for the coordinator's overview (issue 13), built through the services."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import pytest

from tests.factories import Factories

# The signed-in coordinator of the manage tests (fixtures `coordinator` and `admin`).
from tests.manage.conftest import admin, coordinator, sign_in, text  # noqa: F401
from werklab.attendance.models import AttendanceStatus
from werklab.attendance.services import mark_attendance
from werklab.catalog.models import Programme, ProgrammeStatus
from werklab.certificates.services import issue_certificates
from werklab.extensions import db
from werklab.intake.models import BookingRequest, RequestStatus
from werklab.invoicing.billing import BillingDetails, save_billing
from werklab.invoicing.documents import (
    credit_registration,
    invoice_registration,
    local_date,
    mark_paid,
)
from werklab.invoicing.models import Invoice
from werklab.registration.models import Registration

BILLING = BillingDetails("Gemeente Ede", "Postbus 9022\n6710 HK Ede", "facturen@ede.nl", "PO-1")
P, E, A = AttendanceStatus.PRESENT, AttendanceStatus.EXCUSED, AttendanceStatus.ABSENT


def month_start(now: datetime, back: int) -> datetime:
    """10:00 on the 2nd of the month `back` months before `now`'s (the Dutch month, as the
    overview counts them: on the last evening of a month it is already the next in Amsterdam)."""
    today = local_date(now)
    index = today.year * 12 + today.month - 1 - back
    return datetime(index // 12, index % 12 + 1, 2, 10, 0)


def invoice(registration: Registration, when: datetime) -> Invoice:
    save_billing(registration, BILLING, now=when)
    return invoice_registration(registration, now=when)


def request_at(status: RequestStatus, n: int) -> BookingRequest:
    row = BookingRequest(
        status=status,
        municipality=f"Gemeente {n}",
        contact_name="Carla Contact",
        contact_email=f"carla{n}@gemeente.example.nl",
        expected_participants=12,
        question="Hoe werken we samen met bewoners?",
    )
    db.session.add(row)
    return row


@dataclass
class Known:
    now: datetime
    go: Programme
    full: Programme
    short: Programme
    past: Programme
    cancelled: Programme
    certificates: int = 0
    extra: dict = field(default_factory=dict)


def build_known(f: Factories, cora, now: datetime) -> Known:
    """Programmes with known seats, waiting lists, decisions, attendance, certificates,
    invoices in three months, and werklab requests."""
    # Decision dates count in Dutch days (from 23:00 UTC in winter it is tomorrow there).
    today = local_date(now)
    go = f.programme(title="CoP Doorgaan", decision_date=today + timedelta(days=5), now=now)
    people = f.fill(go, 11, now=now)
    full = f.programme(title="CoP Vol", now=now)
    f.fill(full, 17, now=now)  # 15 seats, 2 on the waiting list
    short = f.programme(title="CoP Krap", decision_date=today + timedelta(days=3), now=now)
    f.fill(short, 3, now=now)
    past = f.programme(title="CoP Geweest", now=now)
    attendees = f.fill(past, 4, now=now)
    # Long enough ago that no job still acts on its sessions (evaluations go out up to 60
    # days after a session), which browser tests sharing the live database would notice.
    f.took_place(past, now=now - timedelta(days=90))
    marks = [[P, P, P, P], [P, P, P, E], [P, P, A, None]]
    for session, row in zip(past.sessions, marks, strict=True):
        for person, status in zip(attendees, row, strict=True):
            if status is not None:
                mark_attendance(session, person, status, recorded_by=cora, now=now)
    issued = issue_certificates(past, actor=cora, now=now)
    # Decision dates that have passed: one below its minimum (still to decide), one full.
    past.decision_date = today - timedelta(days=10)
    full.decision_date = today - timedelta(days=2)
    cancelled = f.programme(title="CoP Afgelast", now=now)
    f.fill(cancelled, 2, now=now)
    cancelled.status = ProgrammeStatus.CANCELLED

    # Money: two months ago one overdue and one paid; last month two credited (one of them
    # paid first); this month one open, not yet due. Each 750 + 21% VAT = 907,50.
    two, one, this = month_start(now, 2), month_start(now, 1), now
    invoice(people[0], two)
    mark_paid(invoice(people[1], two), actor="test", now=two + timedelta(days=3))
    invoice(people[2], one)
    credit_registration(people[2], reason="Geannuleerd", now=now)
    mark_paid(invoice(people[3], one), actor="test", now=one + timedelta(days=1))
    credit_registration(people[3], reason="Geannuleerd", now=now)
    invoice(people[4], this)

    for n, status in enumerate(
        [RequestStatus.NEW, RequestStatus.NEW, RequestStatus.IN_PROGRESS]
        + [RequestStatus.QUOTE_SENT, RequestStatus.DECLINED, RequestStatus.ACCEPTED]
    ):
        request_at(status, n)
    db.session.commit()
    return Known(now, go, full, short, past, cancelled, certificates=len(issued))


@pytest.fixture
def known(factories, coordinator) -> Known:  # noqa: F811
    from werklab.db import utcnow

    return build_known(factories, coordinator, utcnow().replace(microsecond=0))
