"""Each figure of the overview against known data (tests/overview/conftest.py)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from werklab.catalog.models import GoStatus
from werklab.certificates.models import Certificate
from werklab.extensions import db
from werklab.intake.models import RequestStatus
from werklab.invoicing.documents import local_date
from werklab.overview.figures import certificates_per_month, months_until, overview

EACH = 90750  # 750,00 + 21% VAT


def by_title(o):
    return {p.title: p for p in o.programmes}


def test_seats_waiting_and_go_status(known):
    o = overview(known.now)
    rows = by_title(o)
    assert "CoP Afgelast" not in rows  # a cancelled programme is not followed
    go, full, short, past = (
        rows[t] for t in ("CoP Doorgaan", "CoP Vol", "CoP Krap", "CoP Geweest")
    )
    assert (go.seats_taken, go.waiting, go.go_status) == (11, 0, GoStatus.GO)
    assert (full.seats_taken, full.waiting, full.go_status) == (15, 2, GoStatus.FULL)
    assert (short.seats_taken, short.short, short.go_status) == (3, 7, GoStatus.TENTATIVE)
    assert (go.minimum, go.maximum) == (10, 15)
    assert o.seats_taken == 11 + 15 + 3 + 4 and o.waiting == 2


def test_decisions_ahead_soonest_first(known):
    o = overview(known.now)
    listed = [(d.programme.title, d.days_left, d.programme.short) for d in o.decisions]
    # A passed decision date is listed only while the minimum is not reached ("CoP Vol"
    # is full: nothing to decide).
    assert listed == [
        ("CoP Geweest", -10, 6),
        ("CoP Krap", 3, 7),
        ("CoP Doorgaan", 5, 0),
    ]
    assert o.decisions[0].overdue and not o.decisions[1].overdue


def test_attendance_per_session(known):
    o = overview(known.now)
    (entry,) = o.attendance  # only the programme whose sessions took place
    assert entry.title == "CoP Geweest"
    assert [(s.present, s.excused, s.absent) for s in entry.sessions] == [
        (4, 0, 0),
        (3, 1, 0),
        (2, 0, 1),
    ]
    assert [s.rate for s in entry.sessions] == [100, 75, 67]
    assert entry.rate == round(100 * 9 / 11) == o.attendance_rate


def test_certificates_issued(known):
    o = overview(known.now)
    assert known.certificates == 2  # the two who were at every session
    assert by_title(o)["CoP Geweest"].certificates == 2 == o.certificates
    per_month = dict(o.certificates_per_month)
    assert sum(per_month.values()) == 2
    assert list(per_month.values())[-1] == 2  # this month


def test_money_per_month_of_issue(known):
    o = overview(known.now)
    months = months_until(local_date(known.now))
    assert [m.month for m in o.money] == months and len(months) == 12
    two, one, this = o.money[-3:]
    # Two months ago: one paid, one open and past its due date.
    assert (two.invoiced, two.paid, two.outstanding, two.overdue, two.credited) == (
        2 * EACH,
        EACH,
        EACH,
        EACH,
        0,
    )
    # Last month: both credited (one had been paid): nothing outstanding, nothing paid.
    assert (one.invoiced, one.paid, one.outstanding, one.credited, one.net) == (
        2 * EACH,
        0,
        0,
        2 * EACH,
        0,
    )
    # This month: open and not yet due; the credit notes issued this month are not
    # counted again (they are in the credited invoices' own month).
    assert (this.invoiced, this.outstanding, this.overdue, this.credited) == (EACH, EACH, 0, 0)
    assert all(m.invoiced == m.paid + m.outstanding + m.credited for m in o.money)
    assert (o.outstanding_total, o.overdue_total, o.overdue_count) == (2 * EACH, EACH, 1)


def test_open_requests_by_stage(known):
    o = overview(known.now)
    assert o.requests[RequestStatus.NEW] == 2
    assert o.requests[RequestStatus.IN_PROGRESS] == 1
    assert o.requests[RequestStatus.QUOTE_SENT] == 1
    assert o.open_requests == 4  # declined and accepted ones are not open


def test_months_until_crosses_the_year():
    from datetime import date

    months = months_until(date(2027, 2, 14), 4)
    assert [(m.year, m.month) for m in months] == [(2026, 11), (2026, 12), (2027, 1), (2027, 2)]


def test_overdue_starts_the_day_after_the_due_date(known):
    from datetime import timedelta

    from sqlalchemy import select

    from werklab.extensions import db
    from werklab.invoicing.models import Invoice, InvoiceStatus

    today = local_date(known.now)
    recent = db.session.execute(
        select(Invoice).where(Invoice.status == InvoiceStatus.OPEN, Invoice.due_date > today)
    ).scalar_one()
    recent.due_date = today  # due today: not yet overdue
    db.session.flush()
    assert overview(known.now).money[-1].overdue == 0
    recent.due_date = today - timedelta(days=1)
    db.session.flush()
    o = overview(known.now)
    assert o.money[-1].overdue == EACH and (o.overdue_total, o.overdue_count) == (2 * EACH, 2)


def test_certificates_count_in_the_dutch_month_of_issue(factories):
    """Midnight in Amsterdam is 23:00 UTC in winter and 22:00 UTC in summer: a certificate
    issued just after it belongs to the new month, one just before it to the old."""
    programme = factories.programme()
    people = factories.fill(programme, 6)
    issued = [
        datetime(2026, 12, 31, 22, 59),  # 23:59 on 31 December: December
        datetime(2026, 12, 31, 23, 30),  # 00:30 on 1 January: January
        datetime(2027, 1, 31, 23, 1),  # 00:01 on 1 February: February
        datetime(2026, 6, 30, 21, 59),  # 23:59 on 30 June (summer time): June
        datetime(2026, 6, 30, 22, 0),  # 00:00 on 1 July: July
        datetime(2026, 12, 31, 23, 45),  # revoked: not counted
    ]
    for n, (person, at) in enumerate(zip(people, issued, strict=True)):
        db.session.add(
            Certificate(
                registration_id=person.id,
                programme_id=programme.id,
                name=person.full_name,
                programme_title=programme.title,
                issued_at=at,
                code=f"code-{n}",
                revoked_at=at + timedelta(days=1) if n == 5 else None,
            )
        )
    db.session.flush()
    counts = {
        (m.year, m.month): n for m, n in certificates_per_month(months_until(date(2027, 2, 1)))
    }
    assert counts[(2026, 6)] == 1 and counts[(2026, 7)] == 1
    assert counts[(2026, 12)] == 1 and counts[(2027, 1)] == 1 and counts[(2027, 2)] == 1
    assert sum(counts.values()) == 5
