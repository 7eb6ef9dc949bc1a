"""The trainer workspace: my programmes, a programme's participants and waiting list, the
participant page with private notes."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from tests.workspace.helpers import sign_in, staff, text, token_of
from werklab.audit import AuditEntry
from werklab.extensions import db
from werklab.registration.models import RegistrationStatus, Sector
from werklab.workspace.models import TrainerNote
from werklab.workspace.services import notes_for_registrations


@pytest.fixture
def trainer(programme):
    user = staff("tineke@example.nl", "Tineke Trainer")
    programme.trainers.append(user)
    db.session.commit()
    return user


@pytest.fixture
def other_trainer(factories):
    user = staff("yara@example.nl", "Yara Trainer")
    other = factories.programme(title="Lerende Gemeenschap Oost")
    other.trainers.append(user)
    db.session.commit()
    return user


@pytest.fixture
def coordinator():
    user = staff("cora@example.nl", "Cora Coördinator", coordinator=True, trainer=False)
    db.session.commit()
    return user


def rows_of(html: str, table_heading: str) -> list[str]:
    """The text of each body row of the table after the heading that contains `table_heading`."""
    start = html.index(table_heading)
    table = html[html.index("<tbody>", start) : html.index("</tbody>", start)]
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", table, flags=re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", row).split()) for row in rows]


# --- my programmes -------------------------------------------------------------------------


def test_my_programmes_lists_only_the_programmes_the_trainer_runs(
    client, programme, trainer, other_trainer, factories
):
    factories.registration(programme)
    db.session.commit()
    sign_in(client, trainer)
    page = text(client.get("/werkruimte/"))
    assert "<h1>Mijn trajecten</h1>" in page
    assert programme.title in page
    assert f'href="/werkruimte/{programme.id}"' in page
    assert "Lerende Gemeenschap Oost" not in page
    assert "1 / 15" in page  # seats taken of the maximum


def test_a_coordinator_sees_every_programme(client, programme, other_trainer, coordinator):
    sign_in(client, coordinator)
    page = text(client.get("/werkruimte/"))
    assert programme.title in page
    assert "Lerende Gemeenschap Oost" in page
    assert "Als coördinator zie je alle trajecten." in page


def test_a_trainer_without_programmes_is_told_so(client):
    sign_in(client, staff("nieuw@example.nl", "Nieuwe Trainer"))
    page = text(client.get("/werkruimte/"))
    assert "Je begeleidt nog geen trajecten." in page


def test_the_account_menu_offers_my_programmes_to_staff_only(client, trainer):
    sign_in(client, trainer)
    assert 'href="/werkruimte/"' in text(client.get("/account"))
    client.post("/uitloggen", data={"csrf_token": token_of(client, "/account")})
    participant = staff("deelnemer@example.nl", "Dirk Deelnemer", trainer=False)
    db.session.commit()
    sign_in(client, participant)
    assert "/werkruimte/" not in text(client.get("/account"))
    assert client.get("/werkruimte/").status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client, programme):
    response = client.get(f"/werkruimte/{programme.id}")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/inloggen")


# --- one programme -------------------------------------------------------------------------


def test_programme_page_shows_participants_waiting_list_seats_and_sessions(
    client, programme, trainer, factories
):
    programme.min_participants, programme.max_participants = 1, 2
    seated = factories.registration(
        programme, first_name="Sanne", last_name="Bakker", organisation="Wijkteam Oost"
    )
    factories.registration(
        programme,
        first_name="Ahmed",
        last_name="Aziz",
        organisation="Woonstichting Thuis",
        sector=Sector.CIVIL_SOCIETY,
    )
    first_waiting = factories.registration(programme, first_name="Wim", last_name="Wachter")
    factories.registration(programme, first_name="Els", last_name="Eerstvolgend")
    cancelled = factories.registration(programme, first_name="Carla", last_name="Cancel")
    cancelled.status = RegistrationStatus.CANCELLED
    db.session.commit()
    sign_in(client, trainer)

    page = text(client.get(f"/werkruimte/{programme.id}"))

    assert f"<h1>{programme.title}</h1>" in page
    assert "2 van 2 plaatsen bezet" in page
    assert "vol — wachtlijst" in page
    participants = rows_of(page, "Deelnemers (2)")
    assert participants == [
        "Ahmed Aziz Woonstichting Thuis Maatschappelijke organisatie Bevestigd",
        "Sanne Bakker Wijkteam Oost Overheid Bevestigd",
    ]
    waiting = rows_of(page, "Wachtlijst (2)")
    assert waiting[0].startswith("1 Wim Wachter Gemeente Arnhem Overheid")
    assert waiting[1].startswith("2 Els Eerstvolgend")
    assert "Carla" not in page
    assert f'href="/werkruimte/deelnemer/{seated.id}"' in page
    assert f'href="/werkruimte/deelnemer/{first_waiting.id}"' in page
    for session in programme.sessions:
        assert session.theme in page
        assert f'href="/werkruimte/bijeenkomst/{session.id}/presentie"' in page
        assert f'href="/werkruimte/bijeenkomst/{session.id}/presentielijst.pdf"' in page
    assert f'href="/werkruimte/{programme.id}/deelnemers.csv"' in page
    assert f'href="/werkruimte/{programme.id}/deelnemers.xlsx"' in page


def test_the_trainer_of_another_programme_is_refused(
    client, programme, trainer, other_trainer, factories
):
    factories.registration(programme, first_name="Geheim", last_name="Persoon")
    db.session.commit()
    sign_in(client, other_trainer)
    response = client.get(f"/werkruimte/{programme.id}")
    assert response.status_code == 403
    assert "Geheim" not in text(response)
    assert client.get("/werkruimte/999999").status_code == 404


def _programme_page_queries(client, factories, count_queries, trainer, registrations: int):
    programme = factories.programme()
    programme.trainers.append(trainer)
    factories.fill(programme, registrations)
    db.session.commit()
    url = f"/werkruimte/{programme.id}"
    assert client.get(url).status_code == 200  # warm up: templates compiled, user loaded once
    with count_queries() as statements:
        page = text(client.get(url))
    assert page.count('href="/werkruimte/deelnemer/') == registrations
    return statements


def test_programme_page_queries_do_not_grow_with_the_number_of_registrations(
    client, factories, count_queries
):
    trainer = staff("tel@example.nl", "Tel Trainer")
    db.session.commit()
    sign_in(client, trainer)
    few = _programme_page_queries(client, factories, count_queries, trainer, 15)
    many = _programme_page_queries(client, factories, count_queries, trainer, 150)  # 135 waiting
    assert len(few) == len(many), "\n".join(many)
    assert len(many) <= 9, "\n".join(many)  # 8, and one for the host rota (issue 15)


# --- participant and notes -----------------------------------------------------------------


def test_participant_page_shows_details_and_explains_who_reads_notes(
    client, programme, trainer, factories
):
    registration = factories.registration(
        programme,
        first_name="Noor",
        last_name="Jansen",
        learning_question="Hoe betrek ik jongeren?",
        dietary_wishes="Vegetarisch",
    )
    db.session.commit()
    sign_in(client, trainer)
    page = text(client.get(f"/werkruimte/deelnemer/{registration.id}"))
    assert "<h1>Noor Jansen</h1>" in page
    assert "Hoe betrek ik jongeren?" in page
    assert "Vegetarisch" in page
    assert "Alleen de begeleiders van dit traject en de coördinatoren" in page
    assert "onder ‘Mijn gegevens’ (recht op inzage, AVG)" in page
    assert "Er zijn nog geen notities." in page
    assert page.count("Nog niet ingevuld") == len(programme.sessions)


def test_a_trainer_adds_a_note(client, programme, trainer, factories):
    registration = factories.registration(programme, first_name="Noor", last_name="Jansen")
    other = factories.registration(programme)
    db.session.commit()
    sign_in(client, trainer)
    url = f"/werkruimte/deelnemer/{registration.id}"
    response = client.post(
        f"{url}/notities",
        data={
            "csrf_token": token_of(client, url),
            "body": "  Mist de laatste twee keer; bellen over haar rol.\nToon <b>vet</b>  ",
            # Extra fields are ignored: the note is about the registration in the URL, by
            # the signed-in trainer, made now.
            "registration_id": str(other.id),
            "author_id": "1",
            "programme_id": "999",
            "created_at": "2000-01-01",
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"] == f"{url}#notities"

    notes = db.session.execute(select(TrainerNote)).scalars().all()
    assert len(notes) == 1
    note = notes[0]
    assert note.registration_id == registration.id
    assert note.author_id == trainer.id
    assert note.body == "Mist de laatste twee keer; bellen over haar rol.\nToon <b>vet</b>"
    assert note.created_at.year > 2000
    entry = db.session.execute(
        select(AuditEntry).where(AuditEntry.action == "trainer_note.created")
    ).scalar_one()
    assert entry.object_id == note.id
    assert entry.actor == f"user:{trainer.id}"

    page = text(client.get(url))
    assert "Je notitie is opgeslagen." in page
    assert "Mist de laatste twee keer; bellen over haar rol." in page
    assert "Toon &lt;b&gt;vet&lt;/b&gt;" in page  # escaped: shown as typed
    assert "Tineke Trainer" in page


def test_an_empty_note_is_refused_with_a_message(client, programme, trainer, factories):
    registration = factories.registration(programme)
    db.session.commit()
    sign_in(client, trainer)
    url = f"/werkruimte/deelnemer/{registration.id}"
    response = client.post(
        f"{url}/notities", data={"csrf_token": token_of(client, url), "body": " "}
    )
    assert response.status_code == 400
    assert "Schrijf eerst iets in de notitie." in text(response)
    assert db.session.execute(select(TrainerNote)).first() is None


def test_notes_are_private_to_the_programmes_trainers_and_coordinators(
    client, programme, trainer, other_trainer, coordinator, factories
):
    registration = factories.registration(programme)
    db.session.commit()
    url = f"/werkruimte/deelnemer/{registration.id}"

    sign_in(client, other_trainer)
    token = token_of(client, "/account")
    assert client.get(url).status_code == 403
    response = client.post(f"{url}/notities", data={"csrf_token": token, "body": "Stiekem"})
    assert response.status_code == 403
    assert db.session.execute(select(TrainerNote)).first() is None

    client.post("/uitloggen", data={"csrf_token": token})
    sign_in(client, coordinator)
    response = client.post(
        f"{url}/notities", data={"csrf_token": token_of(client, url), "body": "Van de coördinator"}
    )
    assert response.status_code == 302
    assert "Van de coördinator" in text(client.get(url))


def test_notes_for_registrations_gives_the_notes_of_those_registrations_only(
    programme, trainer, factories
):
    from werklab.workspace.services import add_note

    a, b, c = factories.fill(programme, 3)
    add_note(a, "Eerste over A", author=trainer)
    add_note(b, "Over B", author=trainer)
    add_note(a, "Tweede over A", author=trainer)
    add_note(c, "Over C", author=trainer)
    notes = notes_for_registrations([a.id, b.id])
    assert [(n.registration_id, n.body) for n in notes] == [
        (a.id, "Eerste over A"),
        (a.id, "Tweede over A"),
        (b.id, "Over B"),
    ]
    assert notes[0].author.name == "Tineke Trainer"
    assert notes_for_registrations([]) == []
