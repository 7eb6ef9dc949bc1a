"""`tick` sends each participant who was present one link and one reminder, also when two
`flask werklab tick` processes run at the same moment (real processes, real SMTP)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from tests.conftest import make_app
from tests.evaluations.helpers import mark_present, past_programme
from tests.factories import Factories
from tests.test_mail import free_port, start_inbox
from tests.ticks import ticks_at_once
from werklab import jobs
from werklab.db import utcnow
from werklab.evaluations.models import EvaluationInvitation
from werklab.extensions import db
from werklab.mail import MailStatus, OutboxMail


def test_two_ticks_at_once_mail_each_person_once(new_database):
    url = new_database()
    app = make_app(url)
    with app.app_context():
        f = Factories()
        setups = [past_programme(f, people=5) for _ in range(2)]
        for s in setups:
            mark_present(s, s.sessions[-1])  # the last sessions ended 3 hours ago
            mark_present(s, s.sessions[-2], s.people[:2])  # three weeks ago
        db.session.commit()
        present = sorted(
            [r.email for s in setups for r in s.people] * 1
            + [r.email for s in setups for r in s.people[:2]]
        )
        db.session.remove()

    port = free_port()
    controller, inbox = start_inbox(port)
    try:
        ticks_at_once(url, port)
        with app.app_context():
            mails = list(
                db.session.execute(
                    select(OutboxMail).where(OutboxMail.kind == "evaluation.invitation")
                ).scalars()
            )
            assert sorted(m.to_addr for m in mails) == present
            assert all(m.status is MailStatus.SENT for m in mails)
            assert db.session.query(EvaluationInvitation).count() == len(present)
            # Six days later: the reminders, again by two machines at once.
            for invitation in db.session.query(EvaluationInvitation):
                invitation.sent_at -= timedelta(days=6)
            db.session.commit()
            db.session.remove()
        ticks_at_once(url, port)
    finally:
        controller.stop()
    with app.app_context():
        reminders = list(
            db.session.execute(
                select(OutboxMail).where(OutboxMail.kind == "evaluation.reminder")
            ).scalars()
        )
        # The session of three weeks ago is still open (14 days from its sending now).
        assert sorted(m.to_addr for m in reminders) == present
        total = db.session.query(OutboxMail).count()
        db.session.remove()
    # Every mail (the registration mails of the set-up included) delivered exactly once.
    assert len(inbox.messages) == total


def test_tick_reports_what_it_sent(app, factories):
    s = past_programme(factories, people=2)
    mark_present(s, s.sessions[-1])
    db.session.commit()
    result = jobs.tick(utcnow())
    assert (result["evaluations_sent"], result["evaluation_reminders"]) == (2, 0)
    assert jobs.tick(utcnow())["evaluations_sent"] == 0
