"""Benchmark: the coordinator's overview in figures (GET /beheer/overzicht) for 200
programmes with 15 participants each, next to two baselines measured in the same run (the
absolute times depend on the machine): a bare Flask "hello" (bench/hello.py) through its
test client, and a trivial query (SELECT 1) on the same database.

Each programme: 15 seated participants (every fourth programme also 3 on its waiting list),
8 sessions of which 6 have taken place with attendance taken, certificates for programmes
whose sessions are all over, and 4 invoices (open, overdue, paid, credited) spread over
the last months. A quarter of the programmes are open with a decision date in the coming
weeks. The page is requested through the Flask test client by a signed-in coordinator
(routing, session cookie, the six queries, the template and its charts); the figure is the
best and the median of --repeat requests.

Run: .venv/bin/python bench/overview.py [--db sqlite|postgresql|both] [--repeat N]
     [--programmes N]
"""

from __future__ import annotations

import argparse
import re
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
sys.path.insert(0, str(ROOT / "bench"))

import pgtmp  # noqa: E402
import sqlalchemy as sa  # noqa: E402

from werklab import create_app  # noqa: E402
from werklab.accounts import services as accounts  # noqa: E402
from werklab.attendance.models import AttendanceRecord, AttendanceStatus  # noqa: E402
from werklab.catalog import services as catalog  # noqa: E402
from werklab.catalog.models import ProgrammeKind, ProgrammeStatus  # noqa: E402
from werklab.catalog.services import ProgrammeData, SessionData  # noqa: E402
from werklab.certificates.models import Certificate  # noqa: E402
from werklab.db import utcnow  # noqa: E402
from werklab.extensions import db  # noqa: E402
from werklab.invoicing.billing import BillingDetails, save_billing  # noqa: E402
from werklab.invoicing.documents import (  # noqa: E402
    credit_registration,
    invoice_registration,
    mark_paid,
)
from werklab.registration.models import Registration, RegistrationStatus, Sector  # noqa: E402

PROGRAMMES = 200
PEOPLE = 15
SESSIONS = 8
HELD = 6
PASSWORD = secrets.token_urlsafe(16)
STATUSES = [AttendanceStatus.PRESENT] * 5 + [AttendanceStatus.EXCUSED, AttendanceStatus.ABSENT]
BILLING = BillingDetails("Gemeente Ede", "Postbus 9022\n6710 HK Ede", "facturen@ede.nl", "PO-1")


def person(programme_id: int, p: int, i: int, status: RegistrationStatus, now, seq=None):
    email = f"d{i}.p{p}@example.nl"
    return Registration(
        programme_id=programme_id,
        status=status,
        first_name=f"Deelnemer{i}",
        last_name=f"P{p}",
        email=email,
        email_normalized=email,
        organisation="Organisatie",
        sector=Sector.GOVERNMENT,
        job_title="Adviseur",
        privacy_consent_at=now,
        manage_key=secrets.token_hex(16),
        confirmed_at=now if status is RegistrationStatus.CONFIRMED else None,
        waitlist_seq=seq,
    )


def populate(now: datetime, count: int) -> None:
    t0 = now - timedelta(weeks=2 * HELD + 2)
    for p in range(count):
        upcoming = p % 4 == 0  # open, sessions ahead, a decision to take
        start = now + timedelta(weeks=3) if upcoming else t0
        programme = catalog.create_programme(
            ProgrammeData(
                kind=ProgrammeKind.COP,
                title=f"Community of Practice {p + 1:03d}",
                fee_cents=75000,
                min_participants=10,
                registration_deadline=start - timedelta(days=7),
                decision_date=(start - timedelta(days=7 + p % 20)).date(),
                sessions=[
                    SessionData(
                        f"Thema {s + 1}",
                        start + timedelta(weeks=2 * s + 2),
                        start + timedelta(weeks=2 * s + 2, hours=4),
                        "Buurthuis",
                        "Dorpsstraat 1",
                    )
                    for s in range(SESSIONS)
                ],
            ),
            actor="bench",
            now=min(start, now) - timedelta(days=30),
        )
        programme.status = ProgrammeStatus.OPEN if upcoming else ProgrammeStatus.CLOSED
        seated = PEOPLE - (p % 7 if upcoming else 0)  # some below or near the minimum
        people = [
            person(programme.id, p, i, RegistrationStatus.CONFIRMED, t0) for i in range(seated)
        ]
        if p % 4 == 1:
            people += [
                person(programme.id, p, 100 + i, RegistrationStatus.WAITLISTED, t0, seq=i + 1)
                for i in range(3)
            ]
        db.session.add_all(people)
        db.session.flush()
        if not upcoming:
            for s, session in enumerate(programme.sessions[:HELD]):
                for i, someone in enumerate(people[:seated]):
                    db.session.add(
                        AttendanceRecord(
                            session_id=session.id,
                            registration_id=someone.id,
                            status=STATUSES[(i * 3 + s * (i % 4)) % len(STATUSES)],
                        )
                    )
        if p % 4 == 2:  # certificates for the ones the trainers closed
            for someone in people[:10]:
                db.session.add(
                    Certificate(
                        registration_id=someone.id,
                        programme_id=programme.id,
                        name=f"{someone.first_name} {someone.last_name}",
                        programme_title=programme.title,
                        issued_at=now - timedelta(days=p % 300),
                        code=secrets.token_hex(8),
                    )
                )
        issued = now - timedelta(days=p % 330)
        for n, someone in enumerate(people[:4]):
            save_billing(someone, BILLING, now=issued)
            invoice = invoice_registration(someone, now=issued)
            if n == 1:
                mark_paid(invoice, actor="bench", now=issued + timedelta(days=5))
            elif n == 2:
                credit_registration(someone, reason="Geannuleerd", now=issued + timedelta(days=9))
        db.session.flush()
    db.session.execute(sa.text("DELETE FROM mail_outbox"))
    db.session.commit()


def timed(function, repeat: int) -> tuple[float, float]:
    """The best and the median of `repeat` runs, in ms."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append((time.perf_counter() - start) * 1000)
    return min(times), statistics.median(times)


#: Production takes forms over HTTPS only (secure cookie, CSRF referrer check).
SITE = "https://werklab.example"


def signed_in(app, email: str):
    client = app.test_client()
    page = client.get("/inloggen", base_url=SITE).get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    response = client.post(
        "/inloggen",
        base_url=SITE,
        headers={"Referer": f"{SITE}/inloggen"},
        data={"csrf_token": token, "email": email, "password": PASSWORD},
    )
    assert response.status_code == 302, f"sign-in failed: {response.status_code}"
    return client


def run(url: str, label: str, repeat: int, count: int) -> None:
    import hello

    # The production config (no debug, secure cookies: the test client speaks HTTPS), mails
    # left in the outbox.
    app = create_app(
        "production",
        SQLALCHEMY_DATABASE_URI=url,
        SECRET_KEY=secrets.token_hex(32),
        MAIL_BACKEND="null",
        MAIL_DELIVERY="tick",
    )
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        now = utcnow()
        start = time.perf_counter()
        populate(now, count)
        accounts.create_user(
            "cora@example.nl", "Cora", password=PASSWORD, coordinator=True, actor="bench"
        )
        db.session.commit()
        print(
            f"[{label}] populated {count} programmes x {PEOPLE} participants "
            f"in {time.perf_counter() - start:.1f} s"
        )
        db.session.remove()

    client = signed_in(app, "cora@example.nl")

    def page():
        response = client.get("/beheer/overzicht", base_url=SITE)
        assert response.status_code == 200, response.status_code
        return response

    body = page().get_data(as_text=True)
    charts = body.count('<svg class="chart"')
    statements = []

    def count(*_args):
        statements.append(1)

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", count)
    page()
    queries = len(statements)
    sa.event.remove(engine, "before_cursor_execute", count)

    hello_client = hello.app.test_client()
    hello_ms = timed(lambda: hello_client.get("/"), repeat * 5)
    with app.app_context():
        select_ms = timed(lambda: db.session.execute(sa.text("SELECT 1")).scalar(), repeat * 5)
        db.session.remove()
    page_ms = timed(page, repeat)
    for name, (best, median) in (
        ("baseline hello (test client)", hello_ms),
        ("baseline SELECT 1", select_ms),
    ):
        print(f"[{label}] {name + ':':31} {best:9.3f} ms best, {median:9.3f} median")
    print(
        f"[{label}] {'GET /beheer/overzicht:':31} {page_ms[0]:9.3f} ms best, {page_ms[1]:9.3f} "
        f"median; {queries} SQL statements per request (session and user included), "
        f"{charts} charts, {len(body) // 1024} KiB; {page_ms[0] / hello_ms[0]:.0f}x hello"
    )
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--programmes", type=int, default=PROGRAMMES)
    args = parser.parse_args()
    if args.db in ("sqlite", "both"):
        with tempfile.TemporaryDirectory() as folder:
            run(f"sqlite:///{folder}/bench.db", "sqlite", args.repeat, args.programmes)
    if args.db in ("postgresql", "both"):
        server = pgtmp.start()
        try:
            run(server.createdb("overview_bench"), "postgresql", args.repeat, args.programmes)
        finally:
            server.stop()


if __name__ == "__main__":
    main()
