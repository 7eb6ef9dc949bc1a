"""The demo data shows reminders without typing: its tick sends them, and the trainer sees
her calendar link."""

from __future__ import annotations

from sqlalchemy import select

from tests.conftest import csrf_from, outbox
from tests.workspace.helpers import text
from werklab import jobs
from werklab.catalog.models import Programme
from werklab.db import utcnow
from werklab.extensions import db
from werklab.reminders.models import ReminderOptOut
from werklab.seed import DEMO_PASSWORD


def test_the_demo_tick_sends_reminders_and_the_trainer_sees_her_feed(app, client):
    result = app.test_cli_runner().invoke(args=["werklab", "seed-demo"])
    assert result.exit_code == 0, result.output
    assert "meets tomorrow" in result.output
    programme = db.session.execute(
        select(Programme).where(Programme.title == "Community of Practice Samen Doen Eemland")
    ).scalar_one()
    assert db.session.query(ReminderOptOut).count() == 1
    db.session.commit()
    jobs.tick(utcnow())
    mails = outbox("reminders.session")
    assert len(mails) == 5
    assert all(programme.sessions[0].theme in m.subject for m in mails)
    assert any("Jouw leervraag in één zin" in m.body_text for m in mails)

    token = csrf_from(text(client.get("/inloggen")))
    client.post(
        "/inloggen",
        data={"csrf_token": token, "email": "marleen@werklab.example", "password": DEMO_PASSWORD},
    )
    page = text(client.get("/werkruimte/"))
    assert "De bijeenkomsten die je begeleidt in je agenda" in page
    feed_url = page.split('id="trainer-feed-url"')[1].split('value="')[1].split('"')[0]
    assert feed_url in result.output
    ics = client.get(feed_url.removeprefix("http://werklab.test"))
    assert ics.status_code == 200 and b"Samen Doen Eemland" in ics.get_data()
