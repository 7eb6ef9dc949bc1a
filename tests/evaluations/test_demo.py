"""The demo data shows evaluations without typing: answered ones with enough answers for
the charts, an open one under "Mijn traject", and people who stopped answering."""

from __future__ import annotations

from sqlalchemy import select

from tests.evaluations.helpers import client_for, text
from werklab.accounts.models import User
from werklab.catalog.models import Programme
from werklab.db import utcnow
from werklab.evaluations import results, services
from werklab.extensions import db


def test_demo_has_answered_evaluations_with_charts(app):
    result = app.test_cli_runner().invoke(args=["werklab", "seed-demo"])
    assert result.exit_code == 0, result.output
    assert "Evaluations:" in result.output
    programme = db.session.execute(
        select(Programme).where(Programme.title.like("%Buurtkracht%"))
    ).scalar_one()
    now = utcnow()
    rows = results.overview(programme)
    assert all(row.invited >= 8 for row in rows)
    assert all(row.responded >= 3 for row in rows)
    assert rows[-1].evaluation.is_open(now) and not rows[0].evaluation.is_open(now)
    # The short questionnaire after sessions 1-3 (the last one had the final questionnaire).
    [line] = [t for t in results.trend(programme) if len(t.points) == len(rows) - 1]
    assert all(mean is not None for _s, mean, _n in line.points)
    assert len(services.unanswered_in_a_row(programme.id, now)) >= 2

    trainer = db.session.execute(
        select(User).where(User.email == "marleen@werklab.example")
    ).scalar_one()
    client = client_for(app, trainer)
    page = text(client.get(f"/werkruimte/bijeenkomst/{rows[0].session.id}/evaluatie/resultaten"))
    assert '<svg class="chart"' in page
    final = text(client.get(f"/werkruimte/bijeenkomst/{rows[-1].session.id}/evaluatie/resultaten"))
    assert "Welke onderdelen waren voor jou het waardevolst?" in final
