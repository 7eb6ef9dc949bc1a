"""Two `flask werklab tick` processes at the same moment complete each programme once and
send each participant one closing mail (real processes, real SMTP; run with --db=sqlite and
--db=postgresql)."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import delete, select

from tests.completion.helpers import ended
from tests.conftest import make_app
from tests.factories import Factories
from tests.test_mail import free_port, start_inbox
from tests.ticks import ticks_at_once
from werklab.audit import AuditEntry
from werklab.catalog.models import Programme, ProgrammeStatus
from werklab.extensions import db
from werklab.mail import MailStatus, OutboxMail


def test_two_ticks_at_once_complete_once_and_mail_each_person_once(new_database):
    url = new_database()
    app = make_app(url)
    with app.app_context():
        f = Factories()
        setups = [ended(f, people=3, final_evaluation=False) for _ in range(2)]
        # Only the mails of this test are sent: not those of the set-up (registrations,
        # certificates), which would only slow the ticks down.
        db.session.execute(delete(OutboxMail))
        db.session.commit()
        ids = [s.programme.id for s in setups]
        people = sorted(r.email for s in setups for r in s.people)
        db.session.remove()

    port = free_port()
    controller, inbox = start_inbox(port)
    try:
        ticks_at_once(url, port)
    finally:
        controller.stop()
    with app.app_context():
        closing = list(
            db.session.execute(
                select(OutboxMail).where(OutboxMail.kind == "programme.closing")
            ).scalars()
        )
        assert sorted(m.to_addr for m in closing) == people
        assert all(m.status is MailStatus.SENT for m in closing)
        programmes = db.session.execute(select(Programme).where(Programme.id.in_(ids))).scalars()
        assert {p.status for p in programmes} == {ProgrammeStatus.COMPLETED}
        audits = Counter(
            db.session.execute(
                select(AuditEntry.object_id).where(AuditEntry.action == "programme.completed")
            ).scalars()
        )
        assert audits == Counter(ids)
        db.session.remove()
    delivered = [
        rcpt for rcpt, message in inbox.messages if message["Subject"].endswith("dank je wel")
    ]
    assert sorted(addr for rcpt in delivered for addr in rcpt) == people
