"""The webhook under a real gunicorn (4 workers): the same event delivered five times at the
same moment, and a programme lock that cannot be had. Runs on the database chosen with --db."""

from __future__ import annotations

import threading

import pytest
import requests
from sqlalchemy import func, select

from tests.conftest import make_app
from tests.factories import Factories
from tests.live import gunicorn
from tests.payments.fake_stripe import signature
from tests.payments.helpers import WEBHOOK_SECRET, checkout, held
from werklab.extensions import db
from werklab.mail import OutboxMail
from werklab.payments.models import Payment, StripeEvent
from werklab.registration.lookup import manage_token
from werklab.registration.models import Registration
from werklab.registration.models import RegistrationStatus as S

pytestmark = pytest.mark.live


def stripe_settings(fake) -> dict:
    return {
        "STRIPE_SECRET_KEY": fake.secret_key,
        "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "STRIPE_API_BASE": fake.url,
    }


def prepare(url: str, fake):
    """A programme with one held seat and its Checkout Session, paid at Stripe; committed."""
    app = make_app(url, **stripe_settings(fake))
    with app.app_context():
        f = Factories()
        programme = f.programme()
        reg = held(f, programme)
        session_id = checkout(reg)
        ids = reg.id, programme.id
        success = f"/inschrijving/{manage_token(reg)}/betaald?session_id={session_id}"
        db.session.remove()
    payload = fake.event("checkout.session.completed", fake.pay(session_id))
    return app, ids, payload, success


def outcome(app, registration_id: int):
    with app.app_context():
        reg = db.session.get(Registration, registration_id)
        counts = {
            "status": reg.status,
            "payments": db.session.scalar(select(func.count()).select_from(Payment)),
            "events": db.session.scalar(select(func.count()).select_from(StripeEvent)),
            "mails": db.session.scalar(
                select(func.count())
                .select_from(OutboxMail)
                .where(OutboxMail.kind == "registration.confirmed")
            ),
        }
        db.session.remove()
    return counts


def deliver_at_once(base: str, payload: str, times: int, *, pages: list[str] = ()) -> list[int]:
    """POST the signed event `times` times (and GET `pages`) at the same moment."""
    header = signature(payload, WEBHOOK_SECRET)
    count = times + len(pages)
    barrier = threading.Barrier(count)
    statuses: list[int] = [0] * count

    def send(i: int) -> None:
        barrier.wait(timeout=30)
        if i < times:
            response = requests.post(
                base + "/stripe/webhook",
                data=payload.encode(),
                headers={"Stripe-Signature": header, "Content-Type": "application/json"},
                timeout=60,
            )
        else:
            response = requests.get(base + pages[i - times], timeout=60)
        statuses[i] = response.status_code

    threads = [threading.Thread(target=send, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return statuses


def test_the_same_completed_event_five_times_at_once(new_database, stripe_fake):
    url = new_database()
    app, (registration_id, _), payload, success = prepare(url, stripe_fake)
    with gunicorn(url, LOCK_TIMEOUT_SECONDS=20, **stripe_settings(stripe_fake)) as base:
        # The payer's browser comes back to the success page at the same moment, twice.
        statuses = deliver_at_once(base, payload, 5, pages=[success, success])
    assert statuses == [200] * 7
    assert outcome(app, registration_id) == {
        "status": S.CONFIRMED,
        "payments": 1,
        "events": 1,
        "mails": 1,
    }
    # Every delivery and page asked Stripe itself instead of trusting what it was sent.
    session_reads = [c for c in stripe_fake.calls if c.method == "GET"]
    assert len(session_reads) == 7


def test_a_programme_lock_that_cannot_be_had_answers_503(new_database, db_kind, stripe_fake):
    url = new_database()
    app, (registration_id, programme_id), payload, _ = prepare(url, stripe_fake)
    settings = stripe_settings(stripe_fake)
    with gunicorn(url, workers=1, threads=2, LOCK_TIMEOUT_SECONDS=1, **settings) as base:
        with app.app_context():
            connection = db.engine.connect()
            if db_kind == "postgresql":
                transaction = connection.begin()
                connection.exec_driver_sql(
                    f"SELECT id FROM programmes WHERE id = {programme_id} FOR UPDATE"
                )
            else:
                connection.exec_driver_sql("COMMIT")  # leave the implicit transaction
                connection.exec_driver_sql("BEGIN IMMEDIATE")
                transaction = None
            try:
                [busy] = deliver_at_once(base, payload, 1)
            finally:
                if transaction is not None:
                    transaction.rollback()
                else:
                    connection.exec_driver_sql("ROLLBACK")
                connection.close()
        assert busy == 503  # Stripe delivers it again later
        assert outcome(app, registration_id)["status"] is S.HELD
        assert outcome(app, registration_id)["events"] == 0
        [again] = deliver_at_once(base, payload, 1)
    assert again == 200
    assert outcome(app, registration_id) == {
        "status": S.CONFIRMED,
        "payments": 1,
        "events": 1,
        "mails": 1,
    }
