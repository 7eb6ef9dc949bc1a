"""Periodic jobs: retention, and `tick` run by several machines at once."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.conftest import make_app
from tests.factories import Factories
from tests.test_mail import free_port, start_inbox
from werklab import jobs
from werklab.db import utcnow
from werklab.extensions import db
from werklab.mail import MailStatus, OutboxMail
from werklab.registration import services
from werklab.registration.models import Registration
from werklab.registration.models import RegistrationStatus as S

ROOT = Path(__file__).resolve().parent.parent


def test_dietary_wishes_are_deleted_after_the_last_session(factories):
    now = utcnow()
    running = factories.programme(now=now)
    keep = factories.registration(running, dietary_wishes="Veganistisch", now=now)
    ended = factories.programme(now=now - timedelta(days=400))
    gone = factories.registration(ended, dietary_wishes="Geen noten", now=now - timedelta(days=400))
    db.session.commit()
    assert jobs.purge_dietary_wishes(now) == 1
    db.session.refresh(keep)
    db.session.refresh(gone)
    assert keep.dietary_wishes == "Veganistisch"
    assert gone.dietary_wishes is None
    assert gone.organisation  # the rest stays
    assert jobs.purge_dietary_wishes(now) == 0


@pytest.mark.live
def test_tick_on_three_machines_at_once_does_everything_exactly_once(new_database):
    """Three `flask werklab tick` processes race over expired offers and queued mail."""
    url = new_database()
    app = make_app(url)
    smtp_port = free_port()
    with app.app_context():
        f = Factories()
        expired, next_up = [], []
        for _ in range(4):
            programme = f.programme(min_participants=1, max_participants=1)
            seated = f.registration(programme)
            first, second = f.registration(programme), f.registration(programme)
            services.cancel_registration(seated, actor="test")
            first.offer_expires_at = utcnow() - timedelta(minutes=1)  # overdue
            expired.append(first.id)
            next_up.append(second.id)
        db.session.commit()
        queued = db.session.query(OutboxMail).count()
        db.session.remove()

    controller, inbox = start_inbox(smtp_port)
    env = {
        **os.environ,
        "WERKLAB_CONFIG": "development",
        "DATABASE_URL": url,
        "MAIL_BACKEND": "smtp",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(smtp_port),
        "BASE_URL": "http://werklab.test",
    }
    flask = str(Path(sys.executable).parent / "flask")
    try:
        procs = [
            subprocess.Popen(
                [flask, "--app", "werklab", "werklab", "tick"],
                cwd=ROOT,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
            for _ in range(3)
        ]
        outputs = [p.communicate(timeout=60)[0] for p in procs]
    finally:
        controller.stop()
    assert all(p.returncode == 0 for p in procs), outputs

    with app.app_context():
        statuses = dict(db.session.execute(select(Registration.id, Registration.status)).all())
        mails = list(db.session.execute(select(OutboxMail)).scalars())
        db.session.remove()
    assert all(statuses[i] is S.OFFER_EXPIRED for i in expired)
    assert all(statuses[i] is S.OFFERED for i in next_up)
    # Each expiry mailed once, each new offer mailed once, every mail delivered exactly once.
    assert sum(m.kind == "registration.offer_expired" for m in mails) == 4
    assert sum(m.kind == "registration.offer" for m in mails) == 8  # 4 earlier + 4 new
    assert len(mails) == queued + 8
    assert all(m.status is MailStatus.SENT for m in mails)
    assert len(inbox.messages) == len(mails)
    assert sorted(m.to_addr for m in mails) == sorted(r[0] for r, _ in inbox.messages)
