"""Coordinator pages: the overview, creating and editing programmes, opening and closing."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import func, select

from tests.manage.conftest import post, sign_in, text
from werklab.accounts import services as accounts
from werklab.audit import AuditEntry
from werklab.catalog.models import Programme, ProgrammeKind, ProgrammeStatus, Visibility
from werklab.catalog.services import local_to_utc
from werklab.extensions import db

VALID = {
    "kind": "cop",
    "title": "CoP Rivierenland",
    "description": "Samen leren over bewonersinitiatieven.",
    "region": "Gelderland",
    "fee": "750,00",
    "min_participants": "10",
    "max_participants": "15",
    "deadline_date": "2027-01-31",
    "deadline_time": "17:00",
    "decision_date": "2027-02-03",
    "visibility": "public",
}


def programme_count() -> int:
    return db.session.execute(select(func.count()).select_from(Programme)).scalar_one()


def by_title(title: str) -> Programme | None:
    return db.session.execute(
        select(Programme).where(Programme.title == title)
    ).scalar_one_or_none()


# --- overview ------------------------------------------------------------------------------


def test_overview_shows_every_programme(admin, factories, make_trainer):
    tim = make_trainer("Tim Trainer")
    draft = factories.programme(title="Concept CoP", status=ProgrammeStatus.DRAFT)
    werklab = factories.invitation_programme(
        kind=ProgrammeKind.WERKLAB, title="Werklab Ede", status=ProgrammeStatus.DRAFT
    )
    open_ = factories.programme(title="Open CoP")
    open_.trainers.append(tim)
    factories.fill(open_, 4)
    db.session.commit()
    page = text(admin.get("/beheer/"))
    assert "<h1>Beheer</h1>" in page
    for p in (draft, werklab, open_):
        assert p.title in page
        assert f'href="/beheer/programma/{p.id}"' in page
    assert "Concept" in page and "Open voor inschrijving" in page
    assert "Alleen op uitnodiging" in page
    assert "4 van 15" in page
    assert "Tim Trainer" in page
    assert 'href="/beheer/gebruikers"' in page
    assert 'href="/beheer/programma/nieuw"' in page


def test_overview_in_the_account_menu_of_coordinators_only(client, admin, make_trainer):
    assert 'href="/beheer/"' in text(admin.get("/account"))
    trainer = make_trainer("Tim Trainer", password="lang-genoeg-wachtwoord")
    other = admin.application.test_client()
    sign_in(other, trainer.email)
    assert 'href="/beheer/"' not in text(other.get("/account"))


def test_overview_query_count_does_not_grow_with_programmes(
    admin, factories, make_trainer, count_queries
):
    trainers = [make_trainer(f"Trainer {i}", email=f"t{i}@example.nl") for i in range(3)]

    def add(n):
        for _ in range(n):
            p = factories.programme()
            p.trainers.extend(trainers[:2])
            factories.fill(p, 2)
        db.session.commit()

    add(2)
    admin.get("/beheer/")  # warm up: statement caches
    with count_queries() as few:
        assert admin.get("/beheer/").status_code == 200
    add(20)
    with count_queries() as many:
        page = text(admin.get("/beheer/"))
    assert page.count("2 van 15") == 22
    assert len(many) == len(few), many


# --- create --------------------------------------------------------------------------------


def test_create_a_cop(admin):
    page = text(admin.get("/beheer/programma/nieuw"))
    assert "<h1>Nieuw traject</h1>" in page
    assert 'value="10"' in page and 'value="15"' in page  # default group size
    response = post(admin, "/beheer/programma/nieuw", VALID)
    assert response.status_code == 302
    programme = by_title("CoP Rivierenland")
    assert response.headers["Location"] == f"/beheer/programma/{programme.id}"
    assert programme.kind is ProgrammeKind.COP
    assert programme.status is ProgrammeStatus.DRAFT
    assert programme.fee_cents == 75000
    assert (programme.min_participants, programme.max_participants) == (10, 15)
    # 17:00 in Amsterdam in winter is 16:00 UTC.
    assert programme.registration_deadline == datetime(2027, 1, 31, 16, 0)
    assert programme.decision_date.isoformat() == "2027-02-03"
    assert programme.visibility is Visibility.PUBLIC
    assert programme.sessions == []
    page = text(admin.get(response.headers["Location"]))
    assert "Het traject is aangemaakt als concept." in page
    assert "€\xa0750,00 excl. btw per deelnemer per jaar (€\xa0907,50 incl. 21% btw)" in page
    assert "zondag 31 januari 2027, 17:00" in page
    assert "Voeg eerst minstens één bijeenkomst toe." in page
    audit = db.session.execute(
        select(AuditEntry).where(
            AuditEntry.action == "programme.created", AuditEntry.object_id == programme.id
        )
    ).scalar_one()
    assert audit.actor.startswith("coordinator:")


def test_create_an_invitation_only_werklab_with_its_three_sessions(admin):
    data = {**VALID, "kind": "werklab", "title": "Werklab Gemeente Ede", "fee": ""}
    data["visibility"] = "invitation"
    response = post(admin, "/beheer/programma/nieuw", data)
    assert response.status_code == 302
    werklab = by_title("Werklab Gemeente Ede")
    assert werklab.fee_cents is None
    assert [s.theme for s in werklab.sessions] == [
        "Op de koffie bij bewonersinitiatieven",
        "De samenwerking van de gemeente met bewonersinitiatieven",
        "Je eigen rol",
    ]
    page = text(admin.get(f"/beheer/programma/{werklab.id}"))
    link = f"http://werklab.test/programma/{werklab.slug}?uitnodiging={werklab.invitation_token}"
    assert link in page
    assert "Uitnodigingslink" in page
    assert "Een werklab heeft twee begeleiders nodig voordat het open kan" in page


@pytest.mark.parametrize(
    ("typed", "cents"),
    [
        ("750", 75000),
        ("750,00", 75000),
        ("750,5", 75050),
        ("750.00", 75000),
        ("1.250,00", 125000),
        ("€ 80", 8000),
        ("", None),
    ],
)
def test_fee_in_euros(admin, typed, cents):
    post(admin, "/beheer/programma/nieuw", {**VALID, "fee": typed})
    assert by_title("CoP Rivierenland").fee_cents == cents


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"max_participants": "16"},
            "Een groep telt maximaal 15 deelnemers: in grotere groepen bleken de "
            "bijeenkomsten passief te worden.",
        ),
        (
            {"min_participants": "12", "max_participants": "11"},
            "Het minimumaantal deelnemers mag niet hoger zijn dan het maximum.",
        ),
        ({"min_participants": "0"}, "Het minimumaantal deelnemers moet minstens 1 zijn."),
        (
            {"min_participants": "tien"},
            "Vul het minimumaantal deelnemers in als heel getal.",
        ),
        (
            {"max_participants": ""},
            "Vul het maximumaantal deelnemers in als heel getal.",
        ),
        ({"title": "   "}, "Geef het traject een titel."),
        ({"fee": "zeven"}, "Vul de kosten in euro in, bijvoorbeeld 750 of 750,00."),
        ({"fee": "-750"}, "Vul de kosten in euro in, bijvoorbeeld 750 of 750,00."),
        ({"fee": "99999999"}, "Dit bedrag kan niet."),
        ({"deadline_date": "31 januari"}, "Vul een datum in, bijvoorbeeld 31-01-2027."),
        (
            {"deadline_date": "", "deadline_time": "12:00"},
            "Vul ook de datum van de uiterste inschrijfdatum in.",
        ),
        ({"kind": "cursus"}, "Kies een soort traject."),
        ({"visibility": "secret"}, "Kies wie het traject kan vinden."),
        ({"title": "Twee\nregels"}, "Gebruik één regel, zonder regeleinden of speciale tekens."),
    ],
)
def test_create_refuses_bad_input_with_a_dutch_message(admin, changes, message):
    before = programme_count()
    response = post(admin, "/beheer/programma/nieuw", {**VALID, **changes})
    assert response.status_code == 400
    page = text(response)
    assert message in page
    assert "Nog niet alles is goed ingevuld" in page
    assert programme_count() == before


def test_create_ignores_extra_fields(admin, factories):
    other = factories.programme(title="Ander traject")
    db.session.commit()
    extra = {
        "status": "open",
        "is_coordinator": "y",
        "is_admin": "y",
        "programme_id": str(other.id),
        "id": str(other.id),
        "slug": "zelfgekozen",
        "invitation_token": "geraden",
        "fee_cents": "1",
        "role": "coordinator",
    }
    assert post(admin, "/beheer/programma/nieuw", {**VALID, **extra}).status_code == 302
    programme = by_title("CoP Rivierenland")
    assert programme.status is ProgrammeStatus.DRAFT
    assert programme.id != other.id
    assert programme.slug == "cop-rivierenland"
    assert programme.invitation_token is None
    assert programme.fee_cents == 75000
    assert other.title == "Ander traject"


# --- edit ----------------------------------------------------------------------------------


def test_edit_form_shows_the_current_values(admin, factories):
    programme = factories.programme(
        title="CoP Oost",
        fee_cents=75050,
        registration_deadline=local_to_utc(datetime(2027, 6, 30, 23, 59)),
    )
    db.session.commit()
    page = text(admin.get(f"/beheer/programma/{programme.id}/bewerken"))
    assert "<h1>CoP Oost wijzigen</h1>" in page
    assert 'value="CoP Oost"' in page
    assert 'value="750,50"' in page
    assert 'value="2027-06-30"' in page and 'value="23:59"' in page
    assert 'name="kind"' not in page  # the kind is fixed once created


def test_edit_a_programme(admin, factories):
    programme = factories.programme(title="CoP Oost")
    db.session.commit()
    data = {
        **VALID,
        "title": "CoP Oost-Nederland",
        "fee": "800",
        "max_participants": "12",
        "deadline_date": "2027-07-01",
        "deadline_time": "",
        "decision_date": "",
        "visibility": "invitation",
        # extra fields: none of them may stick
        "kind": "werklab",
        "status": "cancelled",
        "slug": "andere-slug",
        "programme_id": "999",
    }
    response = post(admin, f"/beheer/programma/{programme.id}/bewerken", data)
    assert response.status_code == 302
    db.session.refresh(programme)
    assert programme.title == "CoP Oost-Nederland"
    assert programme.fee_cents == 80000
    assert programme.max_participants == 12
    # An empty time means the end of the day (summer time: UTC+2).
    assert programme.registration_deadline == datetime(2027, 7, 1, 21, 59)
    assert programme.decision_date is None
    assert programme.visibility is Visibility.INVITATION and programme.invitation_token
    assert programme.kind is ProgrammeKind.COP
    assert programme.status is ProgrammeStatus.OPEN
    assert programme.slug != "andere-slug"
    assert "De wijzigingen zijn opgeslagen." in text(admin.get(response.headers["Location"]))


def test_the_maximum_cannot_drop_below_the_seats_taken(admin, factories):
    programme = factories.programme(title="CoP Vol")
    factories.fill(programme, 9)
    db.session.commit()
    data = {
        **VALID,
        "title": "CoP Vol",
        "min_participants": "5",
        "max_participants": "8",
        "decision_date": "",  # VALID's lies after this programme's first session
    }
    response = post(admin, f"/beheer/programma/{programme.id}/bewerken", data)
    assert response.status_code == 400
    assert "Er zijn al 9 plaatsen bezet: het maximum kan niet lager zijn dan dat." in text(response)
    db.session.refresh(programme)
    assert (programme.min_participants, programme.max_participants) == (10, 15)


def test_edit_refuses_bad_input_and_keeps_the_programme(admin, factories):
    programme = factories.programme(title="CoP Oost")
    db.session.commit()
    data = {**VALID, "title": "Nieuw", "max_participants": "20"}
    response = post(admin, f"/beheer/programma/{programme.id}/bewerken", data)
    assert response.status_code == 400
    assert "Een groep telt maximaal 15 deelnemers" in text(response)
    db.session.refresh(programme)
    assert (programme.title, programme.max_participants) == ("CoP Oost", 15)


def test_unknown_programme_is_404(admin):
    assert admin.get("/beheer/programma/999999").status_code == 404
    assert admin.get("/beheer/programma/999999/bewerken").status_code == 404
    assert post(admin, "/beheer/programma/999999/openen").status_code == 404


# --- open and close ------------------------------------------------------------------------


def test_open_close_and_open_again(admin, factories):
    programme = factories.programme(title="CoP Zuid", status=ProgrammeStatus.DRAFT)
    db.session.commit()
    page = text(admin.get(f"/beheer/programma/{programme.id}"))
    assert "Concept" in page and "Inschrijving openen" in page
    response = post(admin, f"/beheer/programma/{programme.id}/openen", {"status": "completed"})
    assert response.status_code == 302
    db.session.refresh(programme)
    assert programme.status is ProgrammeStatus.OPEN
    page = text(admin.get(f"/beheer/programma/{programme.id}"))
    assert "De inschrijving is open." in page and "Inschrijving sluiten" in page
    post(admin, f"/beheer/programma/{programme.id}/sluiten")
    db.session.refresh(programme)
    assert programme.status is ProgrammeStatus.CLOSED
    assert "De inschrijving is gesloten." in text(admin.get(f"/beheer/programma/{programme.id}"))
    # The public page no longer offers registration.
    assert f"/programma/{programme.slug}/inschrijven" not in text(
        admin.get(f"/programma/{programme.slug}")
    )
    post(admin, f"/beheer/programma/{programme.id}/openen")
    db.session.refresh(programme)
    assert programme.status is ProgrammeStatus.OPEN
    actions = db.session.execute(
        select(AuditEntry.data)
        .where(
            AuditEntry.action == "programme.status_changed",
            AuditEntry.object_id == programme.id,
            AuditEntry.actor.like("coordinator:%"),
        )
        .order_by(AuditEntry.id)
    ).scalars()
    assert [d["status"] for d in actions] == ["open", "closed", "open"]


def test_a_werklab_with_one_trainer_does_not_open(admin, factories, make_trainer):
    ann = make_trainer("Ann Trainer")
    werklab = factories.programme(kind=ProgrammeKind.WERKLAB, status=ProgrammeStatus.DRAFT)
    werklab.trainers.append(ann)
    db.session.commit()
    response = post(admin, f"/beheer/programma/{werklab.id}/openen")
    assert response.status_code == 302
    page = text(admin.get(response.headers["Location"]))
    assert "Een werklab heeft twee begeleiders nodig voordat het open kan" in page
    db.session.refresh(werklab)
    assert werklab.status is ProgrammeStatus.DRAFT


def test_an_empty_programme_does_not_open(admin, factories):
    programme = factories.programme(sessions=0, status=ProgrammeStatus.DRAFT)
    db.session.commit()
    response = post(admin, f"/beheer/programma/{programme.id}/openen")
    assert "Voeg eerst minstens één bijeenkomst toe." in text(
        admin.get(response.headers["Location"])
    )
    db.session.refresh(programme)
    assert programme.status is ProgrammeStatus.DRAFT


def test_trainers_and_participants_are_refused(client, factories):
    programme = factories.programme()
    accounts.create_user(
        "tim@example.nl", "Tim", password="lang-genoeg-wachtwoord", trainer=True, actor="t"
    )
    db.session.commit()
    sign_in(client, "tim@example.nl")
    assert client.get("/beheer/").status_code == 403
    assert post(client, f"/beheer/programma/{programme.id}/sluiten").status_code == 403
    db.session.refresh(programme)
    assert programme.status is ProgrammeStatus.OPEN
