"""`tick` reminds each person who has not answered once, and at the deadline releases their
place once and opens next year, also when two `flask werklab tick` processes run at the same
moment (real processes, real SMTP)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from tests.conftest import make_app
from tests.factories import Factories
from tests.renewal.helpers import invitation_of, running_cop
from tests.renewal.test_services import details
from tests.test_mail import free_port, start_inbox
from tests.ticks import ticks_at_once
from werklab import jobs
from werklab.audit import AuditEntry
from werklab.catalog.models import Visibility
from werklab.db import utcnow
from werklab.extensions import db
from werklab.mail import MailStatus, OutboxMail
from werklab.renewal import services
from werklab.renewal.models import InvitationStatus, Renewal


def _opened(factories, people: int, *, deadline_in: timedelta, now):
    programme, seated = running_cop(factories, people, now=now)
    renewal = services.open_renewal(
        programme,
        services.RenewalData(title=f"{programme.title} 2027", deadline=now + timedelta(days=30)),
        actor="test",
        now=now,
    )
    services.renew(invitation_of(seated[0]), details(seated[0]), now=now)
    renewal.deadline = now + deadline_in
    return renewal, [r.email for r in seated[1:]]


def test_two_ticks_at_once_remind_and_release_each_person_once(new_database):
    url = new_database()
    app = make_app(url)
    now = utcnow()
    with app.app_context():
        f = Factories()
        soon, soon_waiting = _opened(f, 4, deadline_in=timedelta(days=2), now=now)
        past, past_waiting = _opened(f, 3, deadline_in=-timedelta(hours=1), now=now)
        db.session.commit()
        ids = (soon.id, past.id)
        db.session.remove()
    port = free_port()
    controller, inbox = start_inbox(port)
    try:
        ticks_at_once(url, port)
    finally:
        controller.stop()
    with app.app_context():

        def sent(kind):
            mails = db.session.execute(select(OutboxMail).where(OutboxMail.kind == kind)).scalars()
            return sorted(m.to_addr for m in mails if m.status is MailStatus.SENT)

        assert sent("renewal.reminder") == sorted(soon_waiting)
        assert sent("renewal.expired") == sorted(past_waiting)
        closed = db.session.get(Renewal, ids[1])
        assert closed.closed_at is not None
        assert closed.next_programme.visibility is Visibility.PUBLIC
        assert {i.status for i in closed.invitations} == {
            InvitationStatus.RENEWED,
            InvitationStatus.EXPIRED,
        }
        assert db.session.get(Renewal, ids[0]).closed_at is None
        audit = list(
            db.session.execute(
                select(AuditEntry.action).where(
                    AuditEntry.action.in_(["renewal.closed", "renewal.reminded"])
                )
            ).scalars()
        )
        assert sorted(audit) == ["renewal.closed", "renewal.reminded"]
        total = db.session.query(OutboxMail).count()
        db.session.remove()
    assert len(inbox.messages) == total


def test_tick_reports_what_it_did(app, factories):
    now = utcnow()
    _opened(factories, 3, deadline_in=timedelta(days=1), now=now)
    db.session.commit()
    result = jobs.tick(now)
    assert (result["renewal_reminders"], result["renewals_expired"]) == (2, 0)
    assert jobs.tick(now)["renewal_reminders"] == 0
    result = jobs.tick(now + timedelta(days=1, minutes=1))
    assert (result["renewal_reminders"], result["renewals_expired"]) == (0, 2)
