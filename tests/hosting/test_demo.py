"""The demo data shows a host rota without typing: the demo Lerende Gemeenschap with two
meetings hosted (one room too small), an open offer and a question to a host."""

from __future__ import annotations

import re

from sqlalchemy import select

from tests.evaluations.helpers import client_for, text
from werklab.accounts.models import User
from werklab.catalog.models import Programme
from werklab.db import utcnow
from werklab.extensions import db
from werklab.hosting import services


def test_demo_has_a_host_rota(app):
    result = app.test_cli_runner().invoke(args=["werklab", "seed-demo"])
    assert result.exit_code == 0, result.output
    assert "has a host rota" in result.output
    programme = db.session.execute(
        select(Programme).where(Programme.title == "Lerende Gemeenschap Samen Sterk in de Wijk")
    ).scalar_one()
    rota = services.rota(programme, utcnow())
    assert rota.hosted == 2
    assert len(rota.open_offers) == 1
    assert [r.too_small for r in rota.rows].count(True) == 1
    hosted = [r for r in rota.rows if r.host]
    assert all(r.session.location_name == r.host.organisation for r in hosted)
    trainer = db.session.execute(
        select(User).where(User.email == "marleen@werklab.example")
    ).scalar_one()
    page = re.sub(r"\s+", " ", text(client_for(app, trainer).get(f"/werkruimte/{programme.id}")))
    assert "Gastheren en route" in page and "Te klein: plaats voor 12" in page
    assert "1 deelnemer biedt aan een bijeenkomst te ontvangen" in page
    assert len(services.questions_for([r.host.id for r in hosted])[hosted[0].host.id]) == 1
