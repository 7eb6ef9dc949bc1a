"""The demo data shows themes set together without typing: the demo Lerende Gemeenschap has
themes proposed by its trainer and by a participant, votes from several participants, and one
theme fixed to a session."""

from __future__ import annotations

from sqlalchemy import select

from tests.access.test_matrix import client_for
from werklab.accounts.models import User
from werklab.catalog.models import Programme
from werklab.extensions import db
from werklab.themes import services


def text(response) -> str:
    return response.get_data(as_text=True)


def test_demo_lg_has_a_theme_vote(app):
    result = app.test_cli_runner().invoke(args=["werklab", "seed-demo"])
    assert result.exit_code == 0, result.output
    assert "themes to vote on and one chosen for session 4" in result.output
    lg = db.session.execute(
        select(Programme).where(Programme.title == "Lerende Gemeenschap Samen Sterk in de Wijk")
    ).scalar_one()
    found = services.overview(lg)
    assert len(found.ranking) == 4
    assert sum(item.votes for item in found.ranking) >= 8
    assert any(item.theme.proposed_by_registration_id for item in found.ranking)
    [chosen] = found.scheduled
    assert chosen.theme.scheduled_session.theme == chosen.theme.title
    assert chosen.votes >= 5

    trainer = db.session.execute(
        select(User).where(User.email == "marleen@werklab.example")
    ).scalar_one()
    page = text(client_for(app, trainer).get(f"/werkruimte/{lg.id}/themas"))
    assert "Jongeren betrekken bij de buurt" in page and "Gekozen thema's" in page
