"""The directory and the public list (consent), and the rotating hosts."""

from __future__ import annotations

from datetime import timedelta

from flask_login import AnonymousUserMixin

from tests.conftest import csrf_from
from tests.initiatives.helpers import initiative, site_visit_programme
from tests.workspace.helpers import sign_in, staff, text
from werklab import permissions
from werklab.initiatives import services
from werklab.initiatives.models import Initiative


def test_public_list_respects_consent(client):
    initiative(
        "Repair Café",
        description="Samen repareren",
        address="Werkplaatsweg 7",
        contact_name="Henk Hamer",
        share_description=True,
        share_address=False,
        share_contact=False,
    )
    initiative(
        "Buurttuin",
        description="Groente uit de wijk",
        address="Tuinpad 2",
        contact_name="Gerda Groen",
        share_description=False,
        share_address=True,
        share_contact=True,
    )
    initiative("Geheime Club", consent_date=None, share_description=True)
    page = text(client.get("/initiatieven"))
    assert "Repair Café" in page and "Samen repareren" in page
    assert "Werkplaatsweg" not in page and "Henk Hamer" not in page
    assert "Buurttuin" in page and "Tuinpad 2" in page and "Gerda Groen" in page
    assert "Groente uit de wijk" not in page
    assert "Geheime Club" not in page


def test_coordinator_adds_and_edits_an_initiative(client):
    coordinator = staff("coord@example.nl", "Cora", coordinator=True, trainer=False)
    sign_in(client, coordinator)
    token = csrf_from(text(client.get("/beheer/initiatieven/nieuw")))
    response = client.post(
        "/beheer/initiatieven/nieuw",
        data={
            "csrf_token": token,
            "name": "Voedselbos Oost",
            "place": "Velp",
            "capacity": "6",
            "consent_date": "2026-02-01",
            "share_address": "y",
            "is_admin": "y",  # extra fields are ignored
        },
    )
    assert response.status_code == 302
    [item] = services.all_initiatives()
    assert (item.name, item.capacity, item.share_address, item.share_contact) == (
        "Voedselbos Oost",
        6,
        True,
        False,
    )
    response = client.post(
        f"/beheer/initiatieven/{item.id}",
        data={"csrf_token": token, "name": "Voedselbos Oost", "capacity": "0"},
    )
    assert response.status_code == 400
    assert item.capacity == 6
    assert "Voedselbos Oost" in text(client.get("/beheer/initiatieven"))


def test_permissions():
    anonymous = AnonymousUserMixin()
    coordinator = staff("c@example.nl", "C", coordinator=True, trainer=False, password=False)
    trainer = staff("t@example.nl", "T", password=False)
    assert permissions.can_manage_initiatives(coordinator)
    assert not permissions.can_manage_initiatives(trainer)
    assert not permissions.can_manage_initiatives(anonymous)


def test_trainer_plans_a_visit_and_assigns(client, factories):
    programme = site_visit_programme(factories)
    trainer = staff("trainer@example.nl", "Tessa")
    programme.trainers.append(trainer)
    home = initiative("Repair Café", capacity=2)
    factories.fill(programme, 3)
    session = programme.sessions[0]
    sign_in(client, trainer)
    path = f"/werkruimte/bijeenkomst/{session.id}/werkbezoeken"
    token = csrf_from(text(client.get(path)))
    start = session.starts_at + timedelta(hours=2)  # in UTC; the form is Dutch wall-clock
    response = client.post(
        path,
        data={
            "csrf_token": token,
            "initiative_id": str(home.id),
            "day": start.date().isoformat(),
            "start": "11:00",
            "end": "12:30",
        },
    )
    assert response.status_code == 302, text(response)
    response = client.post(f"{path}/indelen", data={"csrf_token": token})
    page = text(client.get(path))
    assert "Repair Café" in page
    assert "2 van 2" in page or "2 of 2" in page
    [visit] = services.visits_of(session)
    assert len(visit.participants) == 2


def test_route_shows_hosts_in_order(factories):
    programme = site_visit_programme(factories)
    first, second = programme.sessions
    home = initiative("Repair Café", place="Velp")
    services.set_session_host(first, initiative=home, organisation="", actor="t")
    services.set_session_host(second, initiative=None, organisation="Gemeente Ede", actor="t")
    route = services.route_for(programme)
    assert [(s.host, s.place) for s in route] == [("Repair Café", "Velp"), ("Gemeente Ede", "")]
    assert not route[0].past
    later = services.route_for(programme, now=first.ends_at + timedelta(hours=1))
    assert [s.past for s in later] == [True, False]
    services.set_session_host(second, initiative=None, organisation="", actor="t")
    assert services.route_for(programme)[1].host == second.location_name


def test_route_partial_renders(app, factories):
    from flask import render_template

    programme = site_visit_programme(factories)
    services.set_session_host(
        programme.sessions[0], initiative=initiative("Repair Café"), organisation="", actor="t"
    )
    with app.test_request_context():
        html = render_template("initiatives/_route.html", route=services.route_for(programme))
    assert "Repair Café" in html


def test_capacity_check_constraint(factories):
    import pytest
    from sqlalchemy.exc import IntegrityError

    from werklab.extensions import db

    item = initiative("X")
    item.capacity = 0
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
    assert Initiative.__tablename__ == "initiatives"
