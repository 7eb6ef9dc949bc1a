"""Coordinator pages: adding, editing and deleting the sessions of a programme."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from tests.manage.conftest import post, text
from werklab.catalog.models import ProgrammeKind, ProgrammeSession, ProgrammeStatus, SessionKind
from werklab.db import utcnow
from werklab.extensions import db

SESSION = {
    "theme": "Werkbezoek Wijkpaleis",
    "kind": "site_visit",
    "day": "2027-03-02",
    "start": "13:30",
    "end": "16:30",
    "location_name": "Het Wijkpaleis",
    "location_address": "Dorpsstraat 5, 6811 AB Arnhem",
    "description": "We gaan op bezoek bij de bewoners.",
}


def session_count() -> int:
    return db.session.execute(select(func.count()).select_from(ProgrammeSession)).scalar_one()


def test_add_a_session(admin, programme):
    db.session.commit()
    page = text(admin.get(f"/beheer/programma/{programme.id}/bijeenkomsten/nieuw"))
    assert "<h1>Bijeenkomst toevoegen</h1>" in page
    response = post(admin, f"/beheer/programma/{programme.id}/bijeenkomsten/nieuw", SESSION)
    assert response.status_code == 302
    db.session.refresh(programme)
    session = programme.sessions[-1]
    assert (session.position, session.theme, session.kind) == (
        4,
        "Werkbezoek Wijkpaleis",
        SessionKind.SITE_VISIT,
    )
    # Dutch wall-clock time, stored as UTC (winter time: UTC+1).
    assert session.starts_at == datetime(2027, 3, 2, 12, 30)
    assert session.ends_at == datetime(2027, 3, 2, 15, 30)
    assert session.location_address == "Dorpsstraat 5, 6811 AB Arnhem"
    page = text(admin.get(response.headers["Location"]))
    assert "De bijeenkomst is toegevoegd." in page
    assert "dinsdag 2 maart 2027, 13:30–16:30" in page
    assert "Het Wijkpaleis, Dorpsstraat 5, 6811 AB Arnhem" in page
    # ... and on the public page.
    assert "dinsdag 2 maart 2027, 13:30–16:30" in text(admin.get(f"/programma/{programme.slug}"))


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"end": "13:00"}, "De eindtijd van een bijeenkomst moet na de begintijd liggen."),
        ({"end": "13:30"}, "De eindtijd van een bijeenkomst moet na de begintijd liggen."),
        ({"theme": ""}, "Geef de bijeenkomst een thema."),
        ({"day": ""}, "Vul de datum in."),
        ({"day": "2 maart"}, "Vul een datum in, bijvoorbeeld 31-01-2027."),
        ({"start": "half twee"}, "Vul een tijd in, bijvoorbeeld 13:30."),
        ({"end": ""}, "Vul de eindtijd in."),
        ({"kind": "feest"}, "Kies de soort bijeenkomst."),
    ],
)
def test_add_refuses_bad_input(admin, programme, changes, message):
    db.session.commit()
    before = session_count()
    response = post(
        admin, f"/beheer/programma/{programme.id}/bijeenkomsten/nieuw", {**SESSION, **changes}
    )
    assert response.status_code == 400
    assert message in text(response)
    assert session_count() == before


def test_add_ignores_extra_fields(admin, factories):
    programme = factories.programme()
    other = factories.programme()
    db.session.commit()
    extra = {"programme_id": str(other.id), "position": "1", "id": "1", "status": "open"}
    post(admin, f"/beheer/programma/{programme.id}/bijeenkomsten/nieuw", {**SESSION, **extra})
    db.session.refresh(programme)
    db.session.refresh(other)
    assert [s.position for s in programme.sessions] == [1, 2, 3, 4]
    assert programme.sessions[-1].theme == "Werkbezoek Wijkpaleis"
    assert len(other.sessions) == 3


def test_a_werklab_gets_no_fourth_session(admin, factories):
    werklab = factories.programme(kind=ProgrammeKind.WERKLAB, status=ProgrammeStatus.DRAFT)
    db.session.commit()
    page = text(admin.get(f"/beheer/programma/{werklab.id}"))
    assert "/bijeenkomsten/nieuw" not in page
    assert "/verwijderen" not in page
    assert "Een werklab heeft altijd deze drie bijeenkomsten" in page
    response = post(admin, f"/beheer/programma/{werklab.id}/bijeenkomsten/nieuw", SESSION)
    assert response.status_code == 400
    assert "Een werklab heeft altijd precies drie bijeenkomsten" in text(response)
    db.session.refresh(werklab)
    assert len(werklab.sessions) == 3


AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def test_edit_a_session(admin, programme):
    session = programme.sessions[1]
    db.session.commit()
    url = f"/beheer/programma/{programme.id}/bijeenkomsten/{session.id}/bewerken"
    page = text(admin.get(url))
    assert "<h1>Bijeenkomst wijzigen</h1>" in page
    assert f'value="{session.theme}"' in page
    # Stored in UTC, shown in Dutch time: +1 in winter, +2 when the session falls in summer
    # time (the factory's sessions lie weeks after the day the suite runs).
    dutch = session.starts_at.replace(tzinfo=UTC).astimezone(AMSTERDAM)
    assert f'value="{dutch:%H:%M}"' in page
    assert f'value="{session.starts_at:%H:%M}"' not in page
    data = {**SESSION, "theme": "Nieuw thema", "day": "2027-06-15", "programme_id": "0"}
    data["position"] = "9"
    response = post(admin, url, data)
    assert response.status_code == 302
    db.session.refresh(session)
    assert session.theme == "Nieuw thema"
    # Summer time: UTC+2.
    assert session.starts_at == datetime(2027, 6, 15, 11, 30)
    assert (session.position, session.programme_id) == (2, programme.id)
    assert "De bijeenkomst is opgeslagen." in text(admin.get(response.headers["Location"]))


def test_edit_refuses_an_end_before_the_start(admin, programme):
    session = programme.sessions[0]
    starts = session.starts_at
    db.session.commit()
    url = f"/beheer/programma/{programme.id}/bijeenkomsten/{session.id}/bewerken"
    response = post(admin, url, {**SESSION, "start": "16:00", "end": "15:00"})
    assert response.status_code == 400
    assert "De eindtijd van een bijeenkomst moet na de begintijd liggen." in text(response)
    db.session.refresh(session)
    assert (session.starts_at, session.theme) == (starts, "Thema 1")


def test_a_session_of_another_programme_is_404(admin, factories):
    programme, other = factories.programme(), factories.programme()
    db.session.commit()
    foreign = other.sessions[0]
    base = f"/beheer/programma/{programme.id}/bijeenkomsten/{foreign.id}"
    assert admin.get(base + "/bewerken").status_code == 404
    assert post(admin, base + "/bewerken", SESSION).status_code == 404
    assert post(admin, base + "/verwijderen").status_code == 404
    db.session.refresh(other)
    assert len(other.sessions) == 3 and other.sessions[0].theme == "Thema 1"


def test_delete_a_session_after_asking(admin, factories):
    programme = factories.programme(sessions=3)
    db.session.commit()
    second = programme.sessions[1]
    url = f"/beheer/programma/{programme.id}/bijeenkomsten/{second.id}/verwijderen"
    page = text(admin.get(url))
    assert "<h1>Bijeenkomst verwijderen</h1>" in page and "Thema 2" in page
    assert session_count() == 3
    response = post(admin, url)
    assert response.status_code == 302
    db.session.expire_all()
    assert [(s.position, s.theme) for s in programme.sessions] == [(1, "Thema 1"), (2, "Thema 3")]
    assert "De bijeenkomst is verwijderd." in text(admin.get(response.headers["Location"]))


def test_a_past_session_is_not_deleted(admin, factories):
    now = utcnow()
    programme = factories.programme(now=now - timedelta(days=60))  # sessions began 20 days ago
    db.session.commit()
    first = programme.sessions[0]
    assert first.starts_at < now
    response = post(admin, f"/beheer/programma/{programme.id}/bijeenkomsten/{first.id}/verwijderen")
    page = text(admin.get(response.headers["Location"]))
    assert "Deze bijeenkomst is al begonnen of geweest: die kun je niet verwijderen." in page
    db.session.expire_all()
    assert len(programme.sessions) == 3


def test_the_public_page_drops_a_deleted_session(app, admin, factories):
    programme = factories.programme(sessions=2)
    db.session.commit()
    visitor = app.test_client()
    assert "Thema 2" in text(visitor.get(f"/programma/{programme.slug}"))  # now cached
    last = programme.sessions[-1]
    post(admin, f"/beheer/programma/{programme.id}/bijeenkomsten/{last.id}/verwijderen")
    page = text(visitor.get(f"/programma/{programme.slug}"))
    assert "Thema 1" in page and "Thema 2" not in page
