"""The demo data shows the early warning without typing."""

from __future__ import annotations

from sqlalchemy import select

from tests.conftest import csrf_from
from tests.workspace.helpers import text
from werklab.catalog.models import Programme
from werklab.db import utcnow
from werklab.extensions import db
from werklab.followup import services
from werklab.seed import DEMO_PASSWORD


def test_the_demo_has_people_who_need_attention_and_one_contacted(app, client):
    result = app.test_cli_runner().invoke(args=["werklab", "seed-demo"])
    assert result.exit_code == 0, result.output
    assert "Aandacht nodig" in result.output
    running = db.session.execute(
        select(Programme).where(Programme.title == "Lerende Gemeenschap Wijkkracht Deventer")
    ).scalar_one()
    attention = services.attention(running, utcnow())
    reasons = {
        p.registration.first_name: sorted(s.kind.key for s in p.open_signals)
        for p in attention.needing
    }
    assert reasons == {
        "Marloes": ["absent_without_notice"],
        "Karim": ["absent_in_a_row"],
        "Thijs": ["group_without_them"],
    }
    assert [p.registration.first_name for p in attention.contacted] == ["Nadia"]
    # The trainer sees it, signed in with the demo password.
    token = csrf_from(text(client.get("/inloggen")))
    client.post(
        "/inloggen",
        data={"csrf_token": token, "email": "marleen@werklab.example", "password": DEMO_PASSWORD},
    )
    page = text(client.get(f"/werkruimte/{running.id}/aandacht"))
    assert "Aandacht nodig (3)" in page
    assert "Gecontacteerd (1)" in page
