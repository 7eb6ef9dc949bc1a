"""Invoices created at the same moment still get consecutive numbers.

Each thread has its own app context, database session and connection, as a request in
another worker would; they start together at a barrier. The app is built on a database of
its own (not the test's rolled-back transaction, which would serialise everything). Runs on
the database chosen with --db. A control run without the counter lock shows that the test
catches a race.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import pytest
from sqlalchemy import select

from tests.conftest import make_app
from tests.factories import Factories
from tests.invoicing.conftest import BILLING, NOW
from werklab.db import begin_write
from werklab.extensions import db
from werklab.invoicing import numbering, services
from werklab.invoicing.models import Invoice, InvoiceCounter
from werklab.mail import OutboxMail
from werklab.registration.models import Registration

THREADS = 8


def prepare(url: str, count: int, **overrides):
    """An app on its own database with `count` registrations that have billing details."""
    app = make_app(url, LOCK_TIMEOUT_SECONDS=30, **overrides)
    with app.app_context():
        f = Factories()
        programme = f.programme(now=NOW, fee_cents=75000)
        people = f.fill(programme, count, now=NOW)
        for registration in people:
            services.save_billing(registration, BILLING, now=NOW)
        db.session.commit()
        ids = [r.id for r in people]
        db.session.remove()
    return app, ids


@dataclass
class Outcome:
    numbers: dict[int, str] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


def invoice_at_once(app, registration_ids: list[int]) -> Outcome:
    """Invoice each registration in its own thread, all starting at the same moment."""
    outcome = Outcome()
    barrier = threading.Barrier(len(registration_ids))

    def work(registration_id: int) -> None:
        with app.app_context():
            try:
                barrier.wait(timeout=20)
                begin_write(db.session)  # as a POST request starts (BEGIN IMMEDIATE on SQLite)
                registration = db.session.get(Registration, registration_id)
                invoice = services.invoice_registration(registration, now=NOW)
                number = invoice.number
                db.session.commit()
                outcome.numbers[registration_id] = number
            except Exception as exc:  # noqa: BLE001 - every failure is part of the outcome
                db.session.rollback()
                outcome.errors.append(f"{type(exc).__name__}: {str(exc)[:200]}")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=work, args=(rid,)) for rid in registration_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a thread hung"
    return outcome


def stored(app) -> tuple[list[str], int | None, int]:
    with app.app_context():
        numbers = list(db.session.execute(select(Invoice.number).order_by(Invoice.id)).scalars())
        counter = db.session.get(InvoiceCounter, 2026)
        mails = len(
            db.session.execute(
                select(OutboxMail.id).where(OutboxMail.kind == "invoicing.invoice")
            ).all()
        )
        db.session.remove()
    return numbers, counter.last_number if counter else None, mails


def problems(outcome: Outcome, numbers: list[str], last: int | None, mails: int) -> list[str]:
    """Everything that went wrong; empty when the numbers are consecutive and complete."""
    found = []
    if outcome.errors:
        found.append(f"{len(outcome.errors)} failed: {sorted(set(outcome.errors))[:3]}")
    expected = [f"2026-{n:04d}" for n in range(1, THREADS + 1)]
    if sorted(numbers) != expected:
        found.append(f"stored numbers not 0001..{THREADS:04d}: {sorted(numbers)}")
    if sorted(outcome.numbers.values()) != sorted(set(outcome.numbers.values())):
        found.append(f"a number was handed out twice: {sorted(outcome.numbers.values())}")
    if last != THREADS:
        found.append(f"counter at {last}, not {THREADS}")
    if mails != len(numbers):
        found.append(f"{mails} mails for {len(numbers)} invoices")
    return found


def test_invoices_created_at_once_get_consecutive_numbers(new_database):
    # The year's counter does not exist yet: creating it is part of the race.
    app, ids = prepare(new_database(), THREADS)
    outcome = invoice_at_once(app, ids)
    numbers, last, mails = stored(app)
    assert problems(outcome, numbers, last, mails) == []
    assert sorted(outcome.numbers) == sorted(ids)


def test_control_run_without_the_counter_lock_is_caught(new_database, db_kind, monkeypatch):
    if db_kind == "postgresql":
        # Read the counter without FOR UPDATE: every transaction sees the same last number.
        def unlocked(year):
            return db.session.execute(
                select(InvoiceCounter)
                .where(InvoiceCounter.year == year)
                .execution_options(populate_existing=True)
            ).scalar_one_or_none()

        monkeypatch.setattr(numbering, "_lock_counter", unlocked)
        app, ids = prepare(new_database(), THREADS)
        with app.app_context():  # the counter exists, so that all of them read it at once
            db.session.add(InvoiceCounter(year=2026, last_number=0))
            db.session.commit()
            db.session.remove()
    else:
        # Without BEGIN IMMEDIATE, SQLite transactions start as readers and collide.
        app, ids = prepare(new_database(), THREADS, CAPACITY_LOCK=False)
    outcome = invoice_at_once(app, ids)
    numbers, last, mails = stored(app)
    found = problems(outcome, numbers, last, mails)
    assert found, "the control run should have gone wrong"
    # Duplicate numbers (PostgreSQL) or refused writers (SQLite): never a silent success.
    assert any("failed" in p for p in found), found


@pytest.mark.parametrize("existing", [0, 5])
def test_numbers_continue_from_the_counter(new_database, existing):
    app, ids = prepare(new_database(), 3)
    with app.app_context():
        if existing:
            db.session.add(InvoiceCounter(year=2026, last_number=existing))
            db.session.commit()
        for rid in ids:
            begin_write(db.session)
            services.invoice_registration(db.session.get(Registration, rid), now=NOW)
            db.session.commit()
        numbers = list(db.session.execute(select(Invoice.number).order_by(Invoice.id)).scalars())
        db.session.remove()
    assert numbers == [f"2026-{n:04d}" for n in range(existing + 1, existing + 4)]
