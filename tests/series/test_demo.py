"""The demo data shows a completed programme and a series planned around a holiday."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from tests.evaluations.helpers import client_for, text
from werklab.accounts.models import User
from werklab.audit import AuditEntry
from werklab.catalog.models import Programme, ProgrammeStatus
from werklab.certificates.models import Certificate
from werklab.db import utcnow
from werklab.extensions import db
from werklab.series import planning


def test_demo_has_a_completed_programme_and_a_series_around_koningsdag(app):
    result = app.test_cli_runner().invoke(args=["werklab", "seed-demo"])
    assert result.exit_code == 0, result.output
    assert "is completed" in result.output and "Koningsdag" in result.output
    now = utcnow()
    done = db.session.execute(
        select(Programme).where(Programme.title == "Lerende Gemeenschap Hellendoorn")
    ).scalar_one()
    assert done.status is ProgrammeStatus.COMPLETED and done.completed_at < now
    assert all(s.ends_at < now for s in done.sessions) and len(done.sessions) == 6
    certificates = db.session.execute(
        select(Certificate).where(Certificate.programme_id == done.id)
    ).scalars()
    assert len(list(certificates)) >= 5
    trainer = db.session.execute(
        select(User).where(User.email == "marleen@werklab.example")
    ).scalar_one()
    page = text(client_for(app, trainer).get(f"/werkruimte/{done.id}/certificaten"))
    assert "Dit traject is afgerond" in page

    cop = db.session.execute(
        select(Programme).where(Programme.title == "Community of Practice Burgerproductiekracht")
    ).scalar_one()
    days = [s.starts_at.date() for s in cop.sessions]
    assert len(days) == 6
    audit = db.session.execute(
        select(AuditEntry).where(
            AuditEntry.action == "programme.series_created", AuditEntry.object_id == cop.id
        )
    ).scalar_one()
    [moved] = audit.data["moved"]
    assert moved.endswith(": Koningsdag")
    koningsdag = days[0] + timedelta(weeks=8)
    assert planning.holiday_name(koningsdag) == "Koningsdag"
    assert koningsdag not in days and planning.next_working_day(koningsdag) in days
