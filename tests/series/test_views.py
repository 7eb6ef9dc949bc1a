"""The series pages: ask, see the proposal (holidays moved, and why), change a date, confirm."""

from __future__ import annotations

from sqlalchemy import select

from tests.conftest import csrf_from, outbox
from tests.evaluations.helpers import client_for, text
from werklab.accounts import services as accounts
from werklab.catalog.models import ProgrammeKind, ProgrammeSession, ProgrammeStatus
from werklab.extensions import db


def _setup(factories, kind=ProgrammeKind.LEARNING_COMMUNITY):
    programme = factories.programme(kind=kind, sessions=1)
    trainer = accounts.create_user(
        f"trainer.{programme.id}@example.nl", "Tineke Trainer", trainer=True, actor="test"
    )
    programme.trainers.append(trainer)
    people = [factories.registration(programme) for _ in range(2)]
    db.session.commit()
    return programme, trainer, people


def _post(app, client, url, data):
    token = csrf_from(client.get("/account").get_data(as_text=True))
    return client.post(url, data={**data, "csrf_token": token})


ASKED = {
    "first_day": "2027-03-30",
    "interval": "4",
    "count": "3",
    "start": "13:30",
    "end": "16:30",
    "theme": "Bijeenkomst",
    "location_name": "Buurthuis De Pit",
    "location_address": "Dorpsstraat 1, Hellendoorn",
}


def _sessions(programme):
    return list(
        db.session.execute(
            select(ProgrammeSession)
            .where(ProgrammeSession.programme_id == programme.id)
            .order_by(ProgrammeSession.position)
        ).scalars()
    )


def test_the_form_proposes_the_interval_of_the_kind(app, factories):
    lg, trainer, _ = _setup(factories)
    page = text(client_for(app, trainer).get(f"/werkruimte/{lg.id}/reeks"))
    assert 'name="interval"' in page and 'value="7"' in page
    assert "Een reeks bijeenkomsten plannen" in page
    cop, cop_trainer, _ = _setup(factories, ProgrammeKind.COP)
    assert 'value="4"' in text(client_for(app, cop_trainer).get(f"/werkruimte/{cop.id}/reeks"))
    # The trainer's programme page links to it.
    assert f"/werkruimte/{lg.id}/reeks" in text(
        client_for(app, trainer).get(f"/werkruimte/{lg.id}")
    )


def test_the_proposal_shows_which_date_moved_and_why_and_stores_nothing(app, factories):
    programme, trainer, _ = _setup(factories)
    before = len(outbox())
    response = _post(app, client_for(app, trainer), f"/werkruimte/{programme.id}/reeks", ASKED)
    page = text(response)
    assert response.status_code == 200
    assert "dinsdag 27 april 2027 (Koningsdag) → woensdag 28 april 2027" in page
    assert "Verschoven van dinsdag 27 april 2027: Koningsdag" in page
    assert 'name="days-1"' in page and 'value="2027-04-28"' in page
    assert 'value="2027-03-30"' in page and 'value="2027-05-25"' in page
    assert len(_sessions(programme)) == 1 and len(outbox()) == before


def test_confirming_with_a_date_changed_by_hand_adds_the_sessions_and_one_mail_each(app, factories):
    programme, trainer, people = _setup(factories)
    before = {m.id for m in outbox()}
    client = client_for(app, trainer)
    data = {**ASKED, "days-0": "2027-03-30", "days-1": "2027-04-29", "days-2": "2027-05-25"}
    response = _post(app, client, f"/werkruimte/{programme.id}/reeks/bevestigen", data)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/werkruimte/{programme.id}#bijeenkomsten")
    sessions = _sessions(programme)
    assert [s.starts_at.date().isoformat() for s in sessions[1:]] == [
        "2027-03-30",
        "2027-04-29",
        "2027-05-25",
    ]
    assert sessions[2].location_address == "Dorpsstraat 1, Hellendoorn"
    mails = [m for m in outbox() if m.id not in before]
    assert sorted(m.to_addr for m in mails) == sorted([p.email for p in people] + [trainer.email])
    page = text(client.get(response.headers["Location"]))
    assert "3 bijeenkomsten zijn toegevoegd" in page
    assert "29 april 2027" in page


def test_a_date_in_the_past_is_refused_on_the_proposal_page(app, factories):
    programme, trainer, _ = _setup(factories)
    data = {**ASKED, "count": "2", "days-0": "2025-01-07", "days-1": "2027-04-28"}
    response = _post(
        app, client_for(app, trainer), f"/werkruimte/{programme.id}/reeks/bevestigen", data
    )
    assert response.status_code == 400
    assert "7 januari 2025" in text(response) and "is al voorbij" in text(response)
    assert len(_sessions(programme)) == 1


def test_bad_input_gets_a_dutch_message_and_stores_nothing(app, factories):
    programme, trainer, _ = _setup(factories)
    client = client_for(app, trainer)
    cases = [
        ({"count": "0"}, "Een reeks heeft 1 tot 30 bijeenkomsten."),
        ({"count": "100"}, "Een reeks heeft 1 tot 30 bijeenkomsten."),
        ({"interval": "0"}, "De tussenpoos is 1 tot 26 weken."),
        ({"interval": "zeven"}, "De tussenpoos is 1 tot 26 weken."),
        ({"first_day": "30-02-2027"}, "Vul een datum in"),
        ({"end": "12:00"}, "De eindtijd van een bijeenkomst moet na de begintijd liggen."),
        ({"theme": ""}, "Geef de bijeenkomsten een thema."),
        ({"theme": "x" * 191}, "Het thema kan hoogstens 190 tekens lang zijn."),
        ({"theme": "Bijeen\nkomst"}, "één regel"),
        ({"location_name": "é" * 201}, "200 tekens"),
    ]
    for change, message in cases:
        response = _post(app, client, f"/werkruimte/{programme.id}/reeks", {**ASKED, **change})
        assert response.status_code == 400, change
        assert message in text(response), (change, text(response)[-3000:])
        response = _post(
            app,
            client,
            f"/werkruimte/{programme.id}/reeks/bevestigen",
            {**ASKED, **change, "days-0": "2027-03-30"},
        )
        assert response.status_code == 400, change
    assert len(_sessions(programme)) == 1


def test_without_the_csrf_token_nothing_happens(app, factories):
    programme, trainer, _ = _setup(factories)
    response = client_for(app, trainer).post(
        f"/werkruimte/{programme.id}/reeks/bevestigen", data={**ASKED, "days-0": "2027-03-30"}
    )
    assert response.status_code == 400
    assert len(_sessions(programme)) == 1


def test_a_werklab_gets_no_series(app, factories):
    programme, trainer, _ = _setup(factories, ProgrammeKind.WERKLAB)
    client = client_for(app, trainer)
    page = text(client.get(f"/werkruimte/{programme.id}/reeks"))
    assert "precies drie bijeenkomsten" in page and 'name="first_day"' not in page
    assert f"/werkruimte/{programme.id}/reeks" not in text(
        client.get(f"/werkruimte/{programme.id}")
    )
    response = _post(app, client, f"/werkruimte/{programme.id}/reeks", ASKED)
    assert response.status_code == 400 and "precies drie bijeenkomsten" in text(response)
    response = _post(
        app,
        client,
        f"/werkruimte/{programme.id}/reeks/bevestigen",
        {**ASKED, "days-0": "2027-03-30"},
    )
    assert response.status_code == 400 and len(_sessions(programme)) == 3


def test_a_completed_programme_gets_no_series(app, factories):
    programme, trainer, _ = _setup(factories)
    programme.status = ProgrammeStatus.COMPLETED
    db.session.commit()
    client = client_for(app, trainer)
    page = text(client.get(f"/werkruimte/{programme.id}/reeks"))
    assert "is afgerond" in page and 'name="first_day"' not in page
    response = _post(app, client, f"/werkruimte/{programme.id}/reeks", ASKED)
    assert response.status_code == 409
    assert "is afgerond: de pagina's zijn nog te lezen, maar niet meer te wijzigen" in text(
        response
    ).replace("&#39;", "'")
