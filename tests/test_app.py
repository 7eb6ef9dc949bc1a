"""Application set-up: configuration safety, headers, the demo data and the CLI."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from werklab import create_app
from werklab.catalog.models import Programme, Visibility
from werklab.db import utcnow
from werklab.extensions import db
from werklab.intake.models import Quote
from werklab.invoicing import ubl
from werklab.invoicing.models import Invoice
from werklab.messages.models import Message
from werklab.registration.models import Registration
from werklab.registration.models import RegistrationStatus as S
from werklab.registration.seats import seats_taken
from werklab.seed import DEMO_OIN


@pytest.mark.parametrize("secret", ["", "short"])
def test_production_refuses_a_missing_or_short_secret_key(secret):
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app("production", SECRET_KEY=secret, SQLALCHEMY_DATABASE_URI="sqlite://")


def test_production_refuses_debug():
    with pytest.raises(RuntimeError, match="Debug"):
        create_app(
            "production", SECRET_KEY="x" * 40, DEBUG=True, SQLALCHEMY_DATABASE_URI="sqlite://"
        )


def test_production_settings():
    app = create_app("production", SECRET_KEY="x" * 40, SQLALCHEMY_DATABASE_URI="sqlite://")
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_the_wsgi_entry_freezes_the_start_up_and_collects_the_youngest_objects_less_often(
    tmp_path,
):
    """What gunicorn loads (wsgi:app): the start-up's objects frozen out of the collector's
    passes, the youngest generation walked after 10,000 objects, not 700."""
    env = dict(
        os.environ,
        WERKLAB_CONFIG="production",
        SECRET_KEY="x" * 40,
        DATABASE_URL=f"sqlite:///{tmp_path / 'wsgi.db'}",
    )
    probe = "import gc, wsgi; print(gc.get_freeze_count() > 10_000, gc.get_threshold())"
    root = Path(__file__).resolve().parent.parent
    out = subprocess.run(
        [sys.executable, "-c", probe], cwd=root, env=env, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["True", "(10000,", "10,", "10)"]


def test_lock_switches_only_work_in_testing():
    app = create_app(
        "development",
        CAPACITY_LOCK=False,
        CAPACITY_RACE_DELAY=1.0,
        SQLALCHEMY_DATABASE_URI="sqlite://",
    )
    assert app.config["CAPACITY_LOCK"] is True
    assert app.config["CAPACITY_RACE_DELAY"] == 0.0


def test_security_headers(client):
    response = client.get("/")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]


def test_seed_demo_makes_a_realistic_set(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["werklab", "seed-demo"])
    assert result.exit_code == 0, result.output
    assert "uitnodiging=" in result.output
    # Four open programmes, the draft werklab Gemeente Deventer booked by accepting a quote,
    # and one that started months ago (interim evaluations, issue 14),
    # and one under way whose participants need attention (issue 14),
    # and one that meets tomorrow, so that tick sends reminders (issue 13),
    # and two finished earlier this year, for the overview's figures over time (issue 13).
    # a completed one and one planned as a series (issue 15).
    # and a CoP whose participants renew into its next year (issue 15).
    # and one completed long ago whose personal data the retention job erased (issue 15).
    assert len(list(db.session.execute(select(Programme)).scalars())) == 15
    now = utcnow()

    werklab = db.session.execute(
        select(Programme).where(Programme.title == "Werklab Gemeente Zwolle")
    ).scalar_one()
    assert werklab.visibility is Visibility.INVITATION
    assert [s.theme for s in werklab.sessions][0] == "Op de koffie bij bewonersinitiatieven"

    cop = db.session.execute(
        select(Programme).where(Programme.title.like("%Oost-Nederland%"))
    ).scalar_one()
    assert cop.fee_cents == 75000
    assert seats_taken(cop.id, now) == 12 and cop.max_participants == 15

    lg = db.session.execute(
        select(Programme).where(Programme.title.like("%Samen Sterk%"))
    ).scalar_one()
    gaps = [
        round((b.starts_at - a.starts_at).total_seconds() / 86400)
        for a, b in zip(lg.sessions, lg.sessions[1:], strict=False)
    ]
    assert all(42 <= gap <= 56 for gap in gaps), gaps
    waiting = (
        db.session.execute(select(Registration).where(Registration.status == S.WAITLISTED))
        .scalars()
        .all()
    )
    assert 1 <= len(waiting) <= 5

    # A werklab still being planned: its invitation link says registration opens soon.
    assert "opens soon" in result.output
    planned = re.search(r"opens soon: http://werklab\.test(\S+)", result.output).group(1)
    assert "Inschrijving opent binnenkort" in app.test_client().get(planned).get_data(True)

    # A municipality with an OIN whose accepted quote's invoice is a valid e-invoice.
    quote = db.session.execute(select(Quote).where(Quote.buyer_legal_id == DEMO_OIN)).scalar_one()
    assert (quote.buyer_legal_scheme, quote.buyer_legal_id) == ("0190", DEMO_OIN)
    invoice = db.session.get(Invoice, quote.invoice_id)
    assert invoice.number in result.output and DEMO_OIN in result.output
    assert invoice.sent_as_ubl and ubl.missing(invoice) == []
    assert b'<cbc:CompanyID schemeID="0190">' + DEMO_OIN.encode() in ubl.build(invoice)
    assert len(invoice.lines) == 3

    # Running a programme day to day (issue 13): a sign-up by phone, a cancellation on
    # someone's behalf with its reason, and a trainer's message to the CoP.
    gerrit = db.session.execute(
        select(Registration).where(Registration.email == "gerrit.telefoon@example.nl")
    ).scalar_one()
    assert gerrit.programme_id == lg.id
    [message] = db.session.execute(select(Message)).scalars()
    assert message.programme_id == cop.id
    assert db.session.execute(
        select(Registration).where(
            Registration.programme_id == cop.id, Registration.share_email_at.is_not(None)
        )
    ).first()

    again = runner.invoke(args=["werklab", "seed-demo"])
    assert "not added" in again.output
    assert len(list(db.session.execute(select(Programme)).scalars())) == 15


def test_tick_command_reports(app):
    result = app.test_cli_runner().invoke(args=["werklab", "tick"])
    assert result.exit_code == 0
    assert "programmes_advanced=0" in result.output


def test_static_files_do_not_touch_the_database(client, count_queries):
    with count_queries() as statements:
        assert client.get("/static/css/werklab.css").status_code == 200
    assert statements == []


def test_seed_demo_refuses_production(app, monkeypatch):
    monkeypatch.setitem(app.config, "WERKLAB_ENV", "production")
    result = app.test_cli_runner().invoke(args=["werklab", "seed-demo"])
    assert result.exit_code != 0
    assert "not in production" in result.output


def test_demo_staff_can_sign_in(app):
    from werklab.accounts.services import authenticate
    from werklab.seed import DEMO_PASSWORD, DEMO_STAFF

    app.test_cli_runner().invoke(args=["werklab", "seed-demo"])
    coordinator = authenticate(DEMO_STAFF["coordinator"][0], DEMO_PASSWORD)
    assert coordinator is not None and coordinator.is_coordinator
    trainer = authenticate(DEMO_STAFF["trainer_gemeente"][0], DEMO_PASSWORD)
    programmes = db.session.execute(select(Programme)).scalars().all()
    assert any(trainer in p.trainers for p in programmes)
