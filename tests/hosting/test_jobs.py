"""`tick` reminds each host of their meeting once, also when two `flask werklab tick`
processes run at the same moment (real processes, real SMTP)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from tests.conftest import make_app, outbox
from tests.factories import Factories
from tests.hosting.helpers import World, offer_data
from tests.test_mail import free_port, start_inbox
from tests.ticks import ticks_at_once
from werklab import jobs
from werklab.db import utcnow
from werklab.extensions import db
from werklab.hosting import services
from werklab.hosting.models import HostOffer
from werklab.mail import MailStatus, OutboxMail


def _hosted_soon(factories, tag: str, days: float) -> str:
    """A programme whose second meeting, hosted by its first participant, starts in `days`."""
    world = World(factories, t0=utcnow() - timedelta(days=1), tag=tag)
    offer = services.volunteer(world.people[0], offer_data(), now=utcnow())
    services.accept_offer(offer, world.sessions[1], actor=world.trainer, now=utcnow())
    session = world.sessions[1]
    session.starts_at = utcnow() + timedelta(days=days)
    session.ends_at = session.starts_at + timedelta(hours=4)
    return world.people[0].email


def test_two_ticks_at_once_remind_each_host_once(new_database):
    url = new_database()
    app = make_app(url)
    with app.app_context():
        f = Factories()
        due = sorted(_hosted_soon(f, f".{n}", 2) for n in range(3))
        _hosted_soon(f, ".later", 5)  # not yet
        db.session.commit()
        db.session.remove()
    port = free_port()
    controller, inbox = start_inbox(port)
    try:
        outputs = ticks_at_once(url, port)
        outputs += ticks_at_once(url, port)  # and again: nobody is reminded twice
    finally:
        controller.stop()
    with app.app_context():
        reminders = list(
            db.session.execute(
                select(OutboxMail).where(OutboxMail.kind == "hosting.reminder")
            ).scalars()
        )
        assert sorted(m.to_addr for m in reminders) == due
        assert all(m.status is MailStatus.SENT for m in reminders)
        assert db.session.query(HostOffer).filter(HostOffer.reminded_at.is_not(None)).count() == 3
        total = db.session.query(OutboxMail).count()
        db.session.remove()
    assert sum(int(o.split("hosts_reminded=")[1].split()[0]) for o in outputs) == 3
    # Every mail (those of the set-up included) delivered exactly once.
    assert len(inbox.messages) == total
    # The host's reminder (participants get their own session reminders in the same tick).
    subjects = [m["Subject"] for _, m in inbox.messages if "de groep komt bij jou" in m["Subject"]]
    assert len(subjects) == 3


def test_tick_reports_the_reminders(app, factories):
    email = _hosted_soon(factories, ".t", 1)
    db.session.commit()
    assert jobs.tick()["hosts_reminded"] == 1
    assert jobs.tick()["hosts_reminded"] == 0
    assert [m.to_addr for m in outbox("hosting.reminder")] == [email]
