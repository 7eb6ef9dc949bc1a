"""Periodic work for `flask werklab tick`: idempotent, and safe on several machines at once."""

from __future__ import annotations

import logging
from datetime import datetime

from werklab import mail, ratelimit
from werklab.assignments.services import remind_job
from werklab.completion.jobs import complete_programmes
from werklab.db import begin_write, utcnow
from werklab.evaluations.jobs import send_evaluations
from werklab.extensions import db
from werklab.followup.jobs import mail_digests as mail_followup_digests
from werklab.hosting.jobs import remind_hosts
from werklab.initiatives import jobs as initiatives_jobs
from werklab.intake import services as intake
from werklab.payments.refunds import process_refunds
from werklab.privacy.jobs import apply_retention
from werklab.registration import decisions
from werklab.registration import services as registration
from werklab.reminders.jobs import send_reminders as send_session_reminders
from werklab.renewal.jobs import run_renewals

log = logging.getLogger("werklab.jobs")


def expire_offers(now: datetime | None = None) -> int:
    """Expire overdue waiting-list offers and payment holds; offer the seats to the next.

    Each programme is handled in its own transaction; a programme another machine is
    working on right now is skipped (FOR UPDATE SKIP LOCKED) and picked up next time.
    """
    now = now or utcnow()
    handled = 0
    for programme_id in registration.programmes_needing_advance(now):
        db.session.rollback()
        begin_write(db.session)
        programme = registration.lock_programme(programme_id, skip_locked=True)
        if programme is None:
            db.session.rollback()
            continue
        registration.advance_waiting_list(programme, now)
        db.session.commit()
        handled += 1
    db.session.rollback()
    return handled


def mail_decisions(now: datetime | None = None) -> int:
    """At a programme's decision date, mail its coordinators and trainers the go / no-go
    status, once (SKIP LOCKED: several machines never mail twice)."""
    now = now or utcnow()
    mailed = 0
    for programme_id in decisions.decision_due(now):
        db.session.rollback()
        begin_write(db.session)
        programme = registration.lock_programme(programme_id, skip_locked=True)
        if programme is None or programme.decision_mailed_at is not None:
            db.session.rollback()
            continue
        decisions.mail_decision_status(programme, now=now)
        db.session.commit()
        mailed += 1
    db.session.rollback()
    return mailed


def purge_dietary_wishes(now: datetime | None = None) -> int:
    """Delete dietary wishes once a programme's last session is over (AVG: keep only what
    is needed)."""
    now = now or utcnow()
    begin_write(db.session)
    purged = registration.purge_dietary_wishes(now)
    db.session.commit()
    return purged


def tick(now: datetime | None = None) -> dict[str, int]:
    """Run every periodic job once."""
    now = now or utcnow()
    result = {"programmes_advanced": expire_offers(now)}
    result["dietary_wishes_purged"] = purge_dietary_wishes(now)
    result["decisions_mailed"] = mail_decisions(now)
    result["refunds_sent"] = send_refunds(now)
    result["quotes_expired"] = expire_quotes(now)
    result["hosts_thanked"] = thank_hosts(now)
    result["assignment_reminders"] = remind_job(now)
    result["rate_limit_counts_purged"] = ratelimit.purge_expired(now)
    result["evaluations_sent"], result["evaluation_reminders"] = send_evaluations(now)
    result["followup_digests"] = mail_followup_digests(now)
    result["session_reminders"] = send_session_reminders(now)
    result["hosts_reminded"] = remind_hosts(now)
    result["programmes_completed"] = complete_programmes(now)
    result["renewal_reminders"], result["renewals_expired"] = run_renewals(now)
    result["personal_data_erased"] = apply_retention(now)
    result["mails_requeued"] = mail.requeue_stale(now)
    result["mails_sent"] = mail.deliver_due(now=now)
    return result


def expire_quotes(now: datetime | None = None) -> int:
    """Requests whose quote ran out without an answer become "verlopen" (idempotent)."""
    now = now or utcnow()
    db.session.rollback()
    begin_write(db.session)
    count = intake.expire_quotes(now)
    db.session.commit()
    return count


def thank_hosts(now: datetime | None = None) -> int:
    """Thank the hosts of past site visits, with a feedback link (once each)."""
    return initiatives_jobs.thank_hosts(now)


def send_refunds(now: datetime | None = None) -> int:
    """Send refunds that are still waiting for Stripe (it was down, or the request that
    recorded them ended before sending); each goes out once (idempotency key, SKIP LOCKED)."""
    db.session.rollback()
    return process_refunds(now=now or utcnow())
