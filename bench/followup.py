"""Benchmark: the early-warning signals ("Aandacht nodig") for one programme of 15 people
with 8 sessions, and the overview of 100 such programmes, next to a trivial query measured in
the same run (the baseline: absolute times depend on the machine).

Each programme: 15 seated participants, 8 sessions of which 6 have taken place with
attendance taken (a mix of present, excused and absent), 5 homework groups with two
assignments and hand-ins, and two overdue invoices.

Run: .venv/bin/python bench/followup.py [--db sqlite|postgresql|both] [--repeat N]
"""

from __future__ import annotations

import argparse
import secrets
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import pgtmp  # noqa: E402
import sqlalchemy as sa  # noqa: E402

from werklab import create_app  # noqa: E402
from werklab.accounts.models import User  # noqa: E402
from werklab.assignments.models import Assignment, Submission  # noqa: E402
from werklab.attendance.models import AttendanceRecord, AttendanceStatus  # noqa: E402
from werklab.catalog import services as catalog  # noqa: E402
from werklab.catalog.models import Programme, ProgrammeKind, ProgrammeStatus  # noqa: E402
from werklab.catalog.services import ProgrammeData, SessionData  # noqa: E402
from werklab.extensions import db  # noqa: E402
from werklab.followup import services  # noqa: E402
from werklab.groups.models import HomeworkGroup, HomeworkGroupMember  # noqa: E402
from werklab.invoicing import services as invoicing  # noqa: E402
from werklab.registration.models import Registration, RegistrationStatus, Sector  # noqa: E402

PROGRAMMES = 100
PROFILE = False
PEOPLE = 15
SESSIONS = 8
HELD = 6
NOW = datetime(2026, 11, 2, 12, 0)
STATUSES = [AttendanceStatus.PRESENT] * 5 + [AttendanceStatus.EXCUSED, AttendanceStatus.ABSENT]


def populate() -> list[int]:
    t0 = NOW - timedelta(weeks=2 * HELD + 2)
    billing = invoicing.BillingDetails("Gemeente Ede", "Postbus 1\n6710 HK Ede", "f@ede.nl", "PO")
    ids = []
    for p in range(PROGRAMMES):
        programme = catalog.create_programme(
            ProgrammeData(
                kind=ProgrammeKind.COP,
                title=f"Community of Practice {p + 1:03d}",
                fee_cents=75000,
                min_participants=1,
                registration_deadline=t0 + timedelta(days=7),
                sessions=[
                    SessionData(
                        f"Thema {s + 1}",
                        t0 + timedelta(weeks=2 * s + 2),
                        t0 + timedelta(weeks=2 * s + 2, hours=4),
                        "Buurthuis",
                        "Dorpsstraat 1",
                    )
                    for s in range(SESSIONS)
                ],
            ),
            actor="bench",
            now=t0,
        )
        programme.status = ProgrammeStatus.CLOSED
        people = [
            Registration(
                programme_id=programme.id,
                status=RegistrationStatus.CONFIRMED,
                first_name=f"Deelnemer{i}",
                last_name=f"P{p}",
                email=f"d{i}.p{p}@example.nl",
                email_normalized=f"d{i}.p{p}@example.nl",
                organisation="Organisatie",
                sector=Sector.GOVERNMENT,
                job_title="Adviseur",
                privacy_consent_at=t0,
                manage_key=secrets.token_hex(16),
                confirmed_at=t0,
            )
            for i in range(PEOPLE)
        ]
        db.session.add_all(people)
        db.session.flush()
        for s, session in enumerate(programme.sessions[:HELD]):
            for i, person in enumerate(people):
                status = STATUSES[(i * 3 + s * (i % 4)) % len(STATUSES)]
                db.session.add(
                    AttendanceRecord(
                        session_id=session.id, registration_id=person.id, status=status
                    )
                )
        assignments = [
            Assignment(programme_id=programme.id, title=f"Opdracht {a}", due_at=due)
            for a, due in enumerate([NOW - timedelta(days=9), NOW - timedelta(days=2)], 1)
        ]
        db.session.add_all(assignments)
        db.session.flush()
        for g in range(PEOPLE // 3):
            group = HomeworkGroup(programme_id=programme.id, name=f"Groep {g + 1}", round=1)
            db.session.add(group)
            db.session.flush()
            members = people[g * 3 : g * 3 + 3]
            for member in members:
                db.session.add(
                    HomeworkGroupMember(group_id=group.id, registration_id=member.id, round=1)
                )
            author = User(email=members[0].email_normalized, name=members[0].first_name)
            db.session.add(author)
            db.session.flush()
            for assignment in assignments:
                db.session.add(
                    Submission(
                        assignment_id=assignment.id,
                        group_id=group.id,
                        version=1,
                        text="Ons werk",
                        submitted_by_id=author.id,
                        created_at=assignment.due_at - timedelta(days=1),
                    )
                )
        for person in people[:2]:
            invoicing.save_billing(person, billing, now=t0)
            invoicing.invoice_registration(person, now=t0)
        db.session.flush()
        ids.append(programme.id)
    db.session.execute(sa.text("DELETE FROM mail_outbox"))
    db.session.commit()
    return ids


def best(function, repeat: int) -> float:
    """The best and the median of `repeat` runs, in ms (each in a fresh read transaction)."""
    times = []
    for _ in range(repeat):
        db.session.rollback()
        db.session.expire_all()
        start = time.perf_counter()
        function()
        times.append((time.perf_counter() - start) * 1000)
    return min(times), statistics.median(times)


def run(url: str, label: str, repeat: int) -> None:
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=url, MAIL_BACKEND="null")
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        start = time.perf_counter()
        ids = populate()
        print(f"[{label}] populated {PROGRAMMES} programmes in {time.perf_counter() - start:.1f} s")
        programmes = list(db.session.execute(sa.select(Programme).order_by(Programme.id)).scalars())
        one = programmes[0]
        attention = services.attention(one, NOW)
        overview = services.overview(programmes, NOW)
        needing = sum(r.needing for r in overview)
        assert len(ids) == PROGRAMMES and attention.needing and needing

        statements = []
        sa.event.listen(db.engine, "before_cursor_execute", lambda *a: statements.append(1))
        services.attention(one, NOW)
        one_queries = len(statements)
        statements.clear()
        services.overview(programmes, NOW)
        overview_queries = len(statements)

        if PROFILE:
            timings = []

            def _before(conn, cursor, statement, params, context, many):
                conn.info["t"] = time.perf_counter()

            def _after(conn, cursor, statement, params, context, many):
                timings.append(((time.perf_counter() - conn.info["t"]) * 1000, statement[:90]))

            sa.event.listen(db.engine, "before_cursor_execute", _before)
            sa.event.listen(db.engine, "after_cursor_execute", _after)
            for _ in range(3):
                timings.clear()
                db.session.rollback()
                start = time.perf_counter()
                services.attention(one, NOW)
                total = (time.perf_counter() - start) * 1000
            for ms, statement in timings:
                print(f"  {ms:8.3f} ms  {' '.join(statement.split())}")
            print(f"  total {total:.3f} ms, of which SQL {sum(t for t, _ in timings):.3f} ms")
            sa.event.remove(db.engine, "before_cursor_execute", _before)
            sa.event.remove(db.engine, "after_cursor_execute", _after)

        baseline = best(lambda: db.session.execute(sa.text("SELECT 1")).scalar(), repeat)
        one_ms = best(lambda: services.attention(one, NOW), repeat)
        overview_ms = best(lambda: services.overview(programmes, NOW), repeat)
        print(
            f"[{label}] baseline (SELECT 1):                      "
            f"{baseline[0]:8.3f} ms best, {baseline[1]:8.3f} ms median"
        )
        print(
            f"[{label}] one programme (15 people, 8 sessions):   "
            f"{one_ms[0]:8.3f} ms best, {one_ms[1]:8.3f} ms median, {one_queries} queries, "
            f"{len(attention.needing)} need attention; {one_ms[0] / baseline[0]:.0f}x baseline"
        )
        print(
            f"[{label}] overview of {PROGRAMMES} programmes:             "
            f"{overview_ms[0]:8.3f} ms best, {overview_ms[1]:8.3f} ms median, "
            f"{overview_queries} queries, {needing} need attention; "
            f"{overview_ms[0] / baseline[0]:.0f}x baseline"
        )
        db.session.remove()
        db.engine.dispose()


def main() -> None:
    global PROFILE, PROGRAMMES
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--profile", action="store_true", help="time each query once")
    parser.add_argument("--programmes", type=int, default=PROGRAMMES)
    args = parser.parse_args()
    PROFILE, PROGRAMMES = args.profile, args.programmes
    if args.db in ("sqlite", "both"):
        with tempfile.TemporaryDirectory() as folder:
            run(f"sqlite:///{folder}/bench.db", "sqlite", args.repeat)
    if args.db in ("postgresql", "both"):
        server = pgtmp.start()
        try:
            run(server.createdb("followup_bench"), "postgresql", args.repeat)
        finally:
            server.stop()


if __name__ == "__main__":
    main()
