"""`tick` mails each seated participant one reminder per session, also when two
`flask werklab tick` processes run at the same moment (real processes, real SMTP, on the
database chosen with --db)."""

from __future__ import annotations

from sqlalchemy import func, select

from tests.conftest import make_app
from tests.factories import Factories
from tests.reminders.helpers import coming_programme
from tests.test_mail import free_port, start_inbox
from tests.ticks import ticks_at_once
from werklab import jobs
from werklab.db import utcnow
from werklab.extensions import db
from werklab.mail import MailStatus, OutboxMail
from werklab.reminders import services
from werklab.reminders.models import SessionReminder


def test_two_ticks_at_once_remind_each_person_once(new_database):
    url = new_database()
    app = make_app(url)
    with app.app_context():
        f = Factories()
        setups = [coming_programme(f, people=6, first_in_days=1) for _ in range(4)]
        services.switch_reminders(setups[0].people[0], False, actor="test")
        db.session.commit()
        expected = sorted(r.email for s in setups for r in s.people)[:]
        expected.remove(setups[0].people[0].email)
        db.session.remove()

    port = free_port()
    controller, inbox = start_inbox(port)
    try:
        ticks_at_once(url, port)
        ticks_at_once(url, port)  # and once more: nothing new
    finally:
        controller.stop()
    with app.app_context():
        mails = list(
            db.session.execute(
                select(OutboxMail).where(OutboxMail.kind == "reminders.session")
            ).scalars()
        )
        assert sorted(m.to_addr for m in mails) == expected
        assert all(m.status is MailStatus.SENT for m in mails)
        assert db.session.scalar(select(func.count()).select_from(SessionReminder)) == len(expected)
        total = db.session.query(OutboxMail).count()
        db.session.remove()
    reminders = [m for _rcpt, m in inbox.messages if m["Subject"].startswith("Herinnering:")]
    assert sorted(m["To"].addresses[0].addr_spec for m in reminders) == expected
    # Every mail (the confirmations of the set-up included) delivered exactly once.
    assert len(inbox.messages) == total


def test_tick_reports_the_reminders_it_sent(app, factories):
    coming_programme(factories, people=2, first_in_days=1)
    db.session.commit()
    assert jobs.tick(utcnow())["session_reminders"] == 2
    assert jobs.tick(utcnow())["session_reminders"] == 0
