"""The cached programme page (werklab/pagecache.py) shows a change to its route at once, in
every worker and on every machine: a new host, a renamed initiative, a session that ended."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from tests.initiatives.helpers import initiative, site_visit_programme
from tests.workspace.helpers import text
from werklab.extensions import db
from werklab.initiatives import services


def page(client, programme) -> str:
    return text(client.get(f"/programma/{programme.slug}"))


def test_host_changes_show_at_once(app, client, factories):
    programme = site_visit_programme(factories)
    first, _second = programme.sessions
    home = initiative("Repair Café", place="Velp")
    services.set_session_host(first, initiative=home, organisation="", actor="t")
    db.session.commit()
    assert "Repair Café, Velp" in page(client, programme)
    assert "Repair Café, Velp" in page(client, programme)  # from the cache

    services.set_session_host(first, initiative=None, organisation="Gemeente Ede", actor="t")
    db.session.commit()
    assert "Gemeente Ede" in page(client, programme)

    services.set_session_host(first, initiative=home, organisation="", actor="t")
    db.session.commit()
    assert "Repair Café, Velp" in page(client, programme)
    data = services.InitiativeData(
        **{f.name: getattr(home, f.name) for f in dataclasses.fields(services.InitiativeData)}
    )
    services.update_initiative(
        home, dataclasses.replace(data, name="Buurtwerkplaats", place="Arnhem"), actor="t"
    )
    db.session.commit()
    assert "Buurtwerkplaats, Arnhem" in page(client, programme)


def test_a_session_that_ended_shows_as_past_without_any_change(client, factories, monkeypatch):
    programme = site_visit_programme(factories)
    first, _second = programme.sessions
    programme.registration_deadline = None  # only the passing of time changes the page
    services.set_session_host(first, initiative=None, organisation="Gemeente Ede", actor="t")
    db.session.commit()
    assert "(geweest)" not in page(client, programme)
    import werklab.public.catalog as views

    later = first.ends_at + timedelta(hours=1)
    monkeypatch.setattr(views, "utcnow", lambda: later)
    shown = page(client, programme)
    assert "(geweest)" in shown
