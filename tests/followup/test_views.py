"""The pages: who needs attention, the overview, a personal message, "contacted"."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.conftest import csrf_from, outbox
from tests.followup.helpers import World
from tests.workspace.helpers import sign_in, staff, text
from werklab.attendance.models import AttendanceStatus as A
from werklab.db import utcnow
from werklab.extensions import db
from werklab.followup.models import ContactNote
from werklab.mail import ERASED_DOMAIN, OutboxMail


@pytest.fixture
def world(factories):
    """A programme whose first two sessions have taken place: Anna was absent without
    notice at the second, Bram excused at both, Cas was there."""
    world = World(factories, t0=utcnow() - timedelta(days=90))
    anna, bram, cas = world.people
    for person, first, second in (
        (anna, A.PRESENT, A.ABSENT),
        (bram, A.EXCUSED, A.EXCUSED),
        (cas, A.PRESENT, A.PRESENT),
    ):
        world.mark(1, person, first, now=utcnow())
        world.mark(2, person, second, now=utcnow())
    db.session.commit()
    return world


@pytest.fixture
def trainer_client(client, world):
    sign_in(client, world.trainer)
    return client


def plain(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def section(html: str, heading_id: str) -> str:
    """The part of the page from the heading with this id to the next h2."""
    start = html.index(f'id="{heading_id}"')
    end = html.find("<h2", start + 1)
    return html[start : end if end > 0 else None]


def post(client, url: str, data: dict):
    token = csrf_from(text(client.get("/account")))
    return client.post(url, data={**data, "csrf_token": token})


def test_the_page_lists_who_needs_attention_with_reasons_and_since_when(trainer_client, world):
    anna, bram, cas = world.people
    page = text(trainer_client.get(f"/werkruimte/{world.programme.id}/aandacht"))
    assert "<h1>Aandacht nodig</h1>" in page
    needing = plain(section(page, "nodig"))
    assert "Aandacht nodig (2)" in needing
    assert "Deelnemer0 Achternaam0" in needing
    assert "Zonder afmelden afwezig bij “Thema 2”" in needing
    assert "Deelnemer1 Achternaam1" in needing
    assert "Niet aanwezig bij de laatste 2 bijeenkomsten op rij (afgemeld of niet)" in needing
    assert "Deelnemer2" not in page
    # Since when, in Dutch words (e.g. "sinds 3 november 2026").
    assert re.search(r"sinds \w+ \d{1,2} \w+ \d{4}", needing)
    # The rules behind each signal are on the page.
    rules = plain(section(page, "signalen"))
    for label in (
        "Afwezig zonder afmelding",
        "Twee keer op rij niet aanwezig",
        "Stil in de huiswerkgroep",
        "Factuur niet op tijd betaald",
        "Aanbod van de wachtlijst onbeantwoord",
    ):
        assert label in rules
    assert "voordeel van de twijfel" in rules
    assert f'href="/werkruimte/aandacht/{anna.id}/bericht"' in page
    # Each person's note field has its own id, named by its label.
    assert f'<label for="contact-{anna.id}">' in page
    assert f'id="contact-{anna.id}"' in page and f'id="contact-{bram.id}"' in page
    assert 'id="body"' not in page


def test_the_workspace_programme_page_links_to_it(trainer_client, world):
    page = text(trainer_client.get(f"/werkruimte/{world.programme.id}"))
    assert f'href="/werkruimte/{world.programme.id}/aandacht"' in page
    assert 'href="/werkruimte/aandacht"' in text(trainer_client.get("/werkruimte/"))


def test_contacted_moves_a_person_to_the_contacted_list(trainer_client, world):
    anna = world.people[0]
    response = post(
        trainer_client,
        f"/werkruimte/aandacht/{anna.id}/gecontacteerd",
        {"body": "Gebeld: ze was ziek."},
    )
    assert response.status_code == 302
    page = text(trainer_client.get(response.headers["Location"]))
    assert "Genoteerd dat je contact hebt gehad met Deelnemer0 Achternaam0." in page
    assert "Deelnemer0" not in section(page, "nodig")
    contacted = plain(section(page, "gecontacteerd"))
    assert "Deelnemer0 Achternaam0" in contacted
    assert "Gebeld: ze was ziek." in contacted
    assert "Laatste contact:" in contacted and "door Tineke Trainer" in contacted
    note = db.session.scalar(select(ContactNote))
    assert note.author_id == world.trainer.id
    assert set(note.quieted) == {"absent_without_notice"}


def test_a_contact_note_that_is_too_long_is_refused_on_the_page(trainer_client, world):
    anna = world.people[0]
    response = post(
        trainer_client, f"/werkruimte/aandacht/{anna.id}/gecontacteerd", {"body": "é" * 1001}
    )
    assert response.status_code == 400
    assert "Een notitie mag hoogstens 1000 tekens lang zijn." in text(response)
    assert db.session.scalar(select(ContactNote)) is None


def test_contacted_for_someone_without_signals_says_so(trainer_client, world):
    cas = world.people[2]
    response = post(trainer_client, f"/werkruimte/aandacht/{cas.id}/gecontacteerd", {"body": ""})
    assert response.status_code == 409
    assert "Deelnemer2 Achternaam2 heeft op dit moment geen signalen" in text(response)
    assert db.session.scalar(select(ContactNote)) is None


def test_the_message_form_starts_in_the_participants_language(trainer_client, world, factories):
    anna = world.people[0]
    page = text(trainer_client.get(f"/werkruimte/aandacht/{anna.id}/bericht"))
    assert "<h1>Persoonlijk bericht aan Deelnemer0 Achternaam0</h1>" in page
    assert f"Hoe gaat het met je in {world.programme.title}?" in page
    assert "Beste Deelnemer0," in page
    assert "Tineke Trainer" in page
    assert "tineke@example.nl" in page  # where answers go
    assert "Zonder afmelden afwezig" in page  # why this person is on the list
    english = factories.registration(
        world.programme, email="emma@example.nl", first_name="Emma", locale="en", now=world.t0
    )
    db.session.commit()
    page = text(trainer_client.get(f"/werkruimte/aandacht/{english.id}/bericht"))
    assert f"How are you doing in {world.programme.title}?" in page
    assert "Dear Emma," in page


def test_sending_a_message(trainer_client, world):
    anna = world.people[0]
    response = post(
        trainer_client,
        f"/werkruimte/aandacht/{anna.id}/bericht",
        {"subject": "We misten je", "body": "Beste Anna,\n\nAlles goed?", "mark_contacted": "y"},
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/werkruimte/{world.programme.id}/aandacht")
    page = text(trainer_client.get(response.headers["Location"]))
    assert "Je bericht aan Deelnemer0 Achternaam0 is onderweg." in page
    [mail] = outbox("followup.personal_message")
    assert mail.to_addr == anna.email
    assert mail.reply_to == "Tineke Trainer <tineke@example.nl>"
    assert "Alles goed?" in mail.body_text
    assert "Deelnemer0" in section(page, "gecontacteerd")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"subject": "", "body": "Tekst"}, "Vul een onderwerp in."),
        ({"subject": "x" * 201, "body": "Tekst"}, "Een onderwerp mag maximaal 200 tekens"),
        ({"subject": "Hallo\nBcc: x@y.nl", "body": "Tekst"}, "Gebruik één regel"),
        ({"subject": "Hallo", "body": ""}, "Schrijf je bericht."),
        ({"subject": "Hallo", "body": "x" * 5001}, "Een bericht mag maximaal 5000 tekens"),
        ({"subject": "Hallo", "body": "a\x07b"}, "Deze tekst bevat tekens"),
    ],
)
def test_bad_message_input_is_refused_and_nothing_is_sent(trainer_client, world, data, message):
    anna = world.people[0]
    response = post(trainer_client, f"/werkruimte/aandacht/{anna.id}/bericht", data)
    assert response.status_code == 400
    assert message in text(response)
    assert db.session.scalar(select(OutboxMail.id).where(OutboxMail.kind.like("followup%"))) is None


def test_any_character_goes_through(trainer_client, world):
    anna = world.people[0]
    body = "Zoë 😀 <b>niet vet</b> & “quotes” — ĳ"
    response = post(
        trainer_client,
        f"/werkruimte/aandacht/{anna.id}/bericht",
        {"subject": "Ça va? 😀", "body": body},
    )
    assert response.status_code == 302
    [mail] = outbox("followup.personal_message")
    assert mail.subject == "Ça va? 😀"
    assert body in mail.body_text
    assert "&lt;b&gt;niet vet&lt;/b&gt;" in mail.body_html


def test_an_erased_person_cannot_be_messaged(trainer_client, world):
    anna = world.people[0]
    anna.email = anna.email_normalized = f"{anna.id}@{ERASED_DOMAIN}"
    anna.erased_at = utcnow()
    db.session.commit()
    response = post(
        trainer_client, f"/werkruimte/aandacht/{anna.id}/bericht", {"subject": "Hoi", "body": "x"}
    )
    assert response.status_code == 409
    assert "De gegevens van deze persoon zijn gewist" in text(response)
    assert outbox("followup.personal_message") == []


def test_the_overview_counts_per_programme_most_first(client, world, factories):
    coordinator = staff("cora@example.nl", "Cora", coordinator=True, trainer=False)
    factories.programme(title="Ander traject")
    db.session.commit()
    sign_in(client, coordinator)
    page = text(client.get("/werkruimte/aandacht"))
    assert "<h1>Aandacht nodig</h1>" in page
    rows = re.findall(r"<tr>(.*?)</tr>", page, flags=re.S)
    by_title = {plain(r).rsplit(" ", 2)[0]: plain(r).rsplit(" ", 2)[1:] for r in rows[1:]}
    assert by_title[world.programme.title] == ["2", "0"]
    assert by_title["Ander traject"] == ["0", "0"]
    assert list(by_title)[0] == world.programme.title


def test_a_trainer_sees_only_their_own_programmes_in_the_overview(trainer_client, world, factories):
    factories.programme(title="Ander traject")
    db.session.commit()
    page = text(trainer_client.get("/werkruimte/aandacht"))
    assert world.programme.title in page
    assert "Ander traject" not in page
