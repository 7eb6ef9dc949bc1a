"""The pages and forms of themes set together, as a trainer and a participant use them."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.conftest import csrf_from, outbox
from tests.participant.conftest import sign_in as participant_sign_in
from tests.themes.helpers import World
from tests.workspace.helpers import sign_in as staff_sign_in
from tests.workspace.helpers import staff
from werklab.catalog.models import ProgrammeKind
from werklab.db import utcnow
from werklab.extensions import db
from werklab.themes import services
from werklab.themes.models import Theme, ThemeVote
from werklab.themes.services import ThemeData


def text(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def world(factories):
    w = World(factories, t0=utcnow(), password=True)
    db.session.commit()
    return w


@pytest.fixture
def trainer(client, world):
    staff_sign_in(client, world.trainer)
    return client


@pytest.fixture
def anna(client, world):
    participant_sign_in(client, "anna@example.nl")
    return client


def post(client, url: str, data: dict | None = None, page: str = "/account"):
    token = csrf_from(text(client.get(page)))
    return client.post(url, data={**(data or {}), "csrf_token": token})


def themes_of(world) -> list[Theme]:
    return list(
        db.session.execute(
            select(Theme).where(Theme.programme_id == world.programme.id).order_by(Theme.id)
        ).scalars()
    )


def add(world, *titles) -> list[Theme]:
    made = [
        services.propose_theme(world.programme, ThemeData(t), actor="t", user=world.trainer)
        for t in titles
    ]
    db.session.commit()
    return made


# --- trainer: learning questions ---------------------------------------------------------------


def test_learning_questions_page_groups_by_sector_and_organisation(trainer, world):
    page = text(trainer.get(f"/werkruimte/{world.programme.id}"))
    assert f'href="/werkruimte/{world.programme.id}/leervragen"' in page
    assert f'href="/werkruimte/{world.programme.id}/themas"' in page
    response = trainer.get(f"/werkruimte/{world.programme.id}/leervragen")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    page = text(response)
    assert "<h1>Leervragen</h1>" in page
    assert "4 leervragen" in page
    government = page.index("Overheid (3)")
    assert government < page.index("<h3>Gemeente Arnhem</h3>") < page.index("Hoe geef ik ruimte?")
    assert page.index("Wat is mijn rol?") < page.index("<h3>Gemeente Ede</h3>")
    assert page.count("<h3>Gemeente Arnhem</h3>") == 1  # "gemeente  arnhem" is the same one
    assert (
        "Ik sta op de wachtlijst." in page
        and "Eva Ek</strong>, Beleidsadviseur · Op de wachtlijst" in page
    )
    assert "Zonder leervraag (1)" in page and "Dina Dijk (Buurtkracht)" in page


def test_a_werklab_has_no_learning_questions_or_themes_page(client, factories):
    trainer = staff("wim@example.nl", "Wim Werklab")
    werklab = factories.programme(kind=ProgrammeKind.WERKLAB)
    werklab.trainers.append(trainer)
    db.session.commit()
    staff_sign_in(client, trainer)
    assert client.get(f"/werkruimte/{werklab.id}/leervragen").status_code == 404
    assert client.get(f"/werkruimte/{werklab.id}/themas").status_code == 404
    assert "/leervragen" not in text(client.get(f"/werkruimte/{werklab.id}"))


# --- trainer: themes -------------------------------------------------------------------------


def test_trainer_proposes_a_theme_and_sees_it_ranked(trainer, world):
    url = f"/werkruimte/{world.programme.id}/themas"
    response = post(
        trainer, url, {"title": "Loslaten", "description": "Wanneer help je?\r\nEn wanneer niet?"}
    )
    assert response.status_code == 302
    [theme] = themes_of(world)
    assert (theme.title, theme.description) == ("Loslaten", "Wanneer help je?\nEn wanneer niet?")
    page = text(trainer.get(response.headers["Location"]))
    assert "Het thema is toegevoegd aan de stemming." in page
    assert "<strong>Loslaten</strong>" in page and "Tineke Trainer" in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"title": ""}, "Geef het thema een titel."),
        ({"title": "x" * 201}, "Een titel mag hoogstens 200 tekens lang zijn."),
        ({"title": "Twee\nregels"}, "Gebruik één regel, zonder regeleinden of speciale tekens."),
        ({"title": "Goed", "description": "y" * 1001}, "De beschrijving mag hoogstens 1000"),
        ({"title": "Goed", "description": "bel\x07"}, "tekens die we niet kunnen opslaan"),
    ],
)
def test_bad_theme_input_is_refused_in_dutch(trainer, world, data, message):
    response = post(trainer, f"/werkruimte/{world.programme.id}/themas", data)
    assert response.status_code == 302
    assert message in text(trainer.get(response.headers["Location"]))
    assert themes_of(world) == []


def test_any_character_at_the_maximum_length_is_kept(trainer, world):
    title = ("Ëlke één 😀 <b>&amp;</b> ' \" " * 10)[:200]
    description = ("Regel met 中文 en ‘quotes’\n" * 50)[:1000]
    post(
        trainer,
        f"/werkruimte/{world.programme.id}/themas",
        {"title": title, "description": description},
    )
    [theme] = themes_of(world)
    assert theme.title == title.strip() and theme.description == description.strip()
    page = text(trainer.get(f"/werkruimte/{world.programme.id}/themas"))
    assert "<b>&amp;</b>" not in page and "&lt;b&gt;&amp;amp;&lt;/b&gt;" in page


def test_trainer_sets_the_number_of_votes(trainer, world):
    url = f"/werkruimte/{world.programme.id}/themas/stemmen"
    response = post(trainer, url, {"votes": "5"})
    assert "Elke deelnemer heeft nu 5 stemmen." in text(trainer.get(response.headers["Location"]))
    assert services.vote_limit(world.programme.id) == 5
    for bad, message in (
        ("0", "Het aantal stemmen moet tussen 1 en 10 liggen."),
        ("11", "Het aantal stemmen moet tussen 1 en 10 liggen."),
        ("", "Vul een aantal stemmen in."),
        ("drie", "Vul een aantal stemmen in."),
    ):
        response = post(trainer, url, {"votes": bad})
        assert message in text(trainer.get(response.headers["Location"])), bad
    assert services.vote_limit(world.programme.id) == 5


def test_trainer_changes_a_theme(trainer, world):
    [theme] = add(world, "Oud")
    url = f"/werkruimte/thema/{theme.id}/bewerken"
    page = text(trainer.get(url))
    assert "<h1>Thema wijzigen</h1>" in page and 'value="Oud"' in page
    response = post(trainer, url, {"title": "Nieuw", "description": "Beter"}, page=url)
    assert response.status_code == 302
    assert "Het thema is gewijzigd." in text(trainer.get(response.headers["Location"]))
    db.session.expire_all()
    assert (db.session.get(Theme, theme.id).title, db.session.get(Theme, theme.id).description) == (
        "Nieuw",
        "Beter",
    )
    response = post(trainer, url, {"title": ""}, page=url)
    assert response.status_code == 200 and "Geef het thema een titel." in text(response)


def test_trainer_hides_a_participant_proposal_and_shows_it_again(trainer, world):
    proposal = services.propose_own_theme(world.seated[1], ThemeData("Ongepast"), actor="u")
    db.session.commit()
    page = text(trainer.get(f"/werkruimte/{world.programme.id}/themas"))
    assert "deelnemer Bram Boom (gemeente  arnhem)" in page
    response = post(trainer, f"/werkruimte/thema/{proposal.id}/verbergen")
    page = text(trainer.get(response.headers["Location"]))
    assert "Het thema is verborgen: de deelnemers zien het niet meer." in page
    assert "Verborgen thema's" in page
    db.session.expire_all()
    assert db.session.get(Theme, proposal.id).is_hidden
    assert [m.to_addr for m in outbox("themes.hidden")] == ["bram@example.nl"]
    response = post(trainer, f"/werkruimte/thema/{proposal.id}/tonen")
    assert "Het thema is terug in de stemming." in text(trainer.get(response.headers["Location"]))
    db.session.expire_all()
    assert db.session.get(Theme, proposal.id).is_open


def test_trainer_fixes_a_theme_to_a_session(trainer, world):
    a, b = add(world, "Loslaten", "Geld")
    session = world.session(2)
    page = text(trainer.get(f"/werkruimte/{world.programme.id}/themas"))
    assert f'<option value="{session.id}">Bijeenkomst 2, ' in page
    response = post(trainer, f"/werkruimte/thema/{a.id}/vastzetten", {"session": str(session.id)})
    page = text(trainer.get(response.headers["Location"]))
    assert (
        "‘Loslaten’ is nu het thema van bijeenkomst 2. De deelnemers hebben bericht gekregen."
        in page
    )
    db.session.expire_all()
    assert db.session.get(type(session), session.id).theme == "Loslaten"
    assert len(outbox("themes.scheduled")) == 4
    # Another theme for the same session puts the first back in the vote.
    response = post(trainer, f"/werkruimte/thema/{b.id}/vastzetten", {"session": str(session.id)})
    page = text(trainer.get(response.headers["Location"]))
    assert "‘Loslaten’ is terug in de stemming." in page


def test_fixing_to_a_bad_session_is_refused_in_dutch(trainer, world, factories):
    [a] = add(world, "A")
    other = World(factories, tag="2", t0=utcnow())
    db.session.commit()
    url = f"/werkruimte/thema/{a.id}/vastzetten"
    for value, message in (
        ("", "Kies een bijeenkomst."),
        ("999999", "Kies een van de bijeenkomsten die nog moeten komen."),
        (str(other.session(2).id), "Kies een van de bijeenkomsten die nog moeten komen."),
        ("twee", "Kies een van de bijeenkomsten die nog moeten komen."),
    ):
        response = post(trainer, url, {"session": value})
        assert response.status_code == 302
        assert message in text(trainer.get(response.headers["Location"])), value
    db.session.expire_all()
    assert db.session.get(Theme, a.id).is_open


# --- participant -----------------------------------------------------------------------------


def test_mijn_traject_links_to_the_vote(anna, world):
    add(world, "A", "B")
    page = text(anna.get("/mijn-traject/"))
    assert "Kies de thema's van de komende bijeenkomsten" in page
    assert f'href="/mijn-traject/inschrijving/{world.seated[0].id}/themas"' in page
    assert "2 thema's in de stemming, stemmen over: 3 van 3" in page


def test_participant_votes_and_takes_the_vote_back(anna, world):
    a, b = add(world, "Loslaten", "Geld")
    mine = f"/mijn-traject/inschrijving/{world.seated[0].id}/themas"
    page = text(anna.get(mine))
    assert "Stemmen over: 3 van 3." in page
    response = post(anna, f"{mine}/{a.id}/stem", page=mine)
    assert response.headers["Location"].endswith(f"{mine}#thema-{a.id}")
    page = text(anna.get(mine))
    assert "Je stem is geteld." in page and "Stemmen over: 2 van 3." in page
    assert "1 stem · <strong>waaronder die van jou</strong>" in page
    assert db.session.execute(select(func.count()).select_from(ThemeVote)).scalar_one() == 1
    response = post(anna, f"{mine}/{a.id}/stem", page=mine)  # a second time
    assert "Je hebt al op dit thema gestemd." in text(anna.get(response.headers["Location"]))
    response = post(anna, f"{mine}/{a.id}/intrekken", page=mine)
    page = text(anna.get(response.headers["Location"]))
    assert "Je stem is ingetrokken." in page and "Stemmen over: 3 van 3." in page
    assert db.session.execute(select(func.count()).select_from(ThemeVote)).scalar_one() == 0


def test_participant_over_the_limit_is_told_in_dutch(anna, world):
    themes = add(world, "A", "B", "C", "D")
    mine = f"/mijn-traject/inschrijving/{world.seated[0].id}/themas"
    for theme in themes[:3]:
        post(anna, f"{mine}/{theme.id}/stem", page=mine)
    page = text(anna.get(mine))
    assert "Stemmen over: 0 van 3." in page and "Stem op dit thema" not in page
    response = post(anna, f"{mine}/{themes[3].id}/stem", page=mine)
    assert "Je hebt al je stemmen (3) gebruikt." in text(anna.get(response.headers["Location"]))
    assert db.session.execute(select(func.count()).select_from(ThemeVote)).scalar_one() == 3


def test_participant_proposes_a_theme_shown_without_a_name(anna, world, client):
    mine = f"/mijn-traject/inschrijving/{world.seated[0].id}/themas"
    page = text(anna.get(mine))
    assert "De andere deelnemers zien je voorstel zonder je naam" in page
    response = post(
        anna, mine, {"title": "Jongeren", "description": "Hoe bereik je ze?"}, page=mine
    )
    page = text(anna.get(response.headers["Location"]))
    assert "Dank je: je thema staat in de stemming." in page
    assert (
        "Voorgesteld door een deelnemer" in page
        and "Anna" not in page.split("<main")[-1].split("Jongeren")[1][:300]
    )
    assert [m.to_addr for m in outbox("themes.proposed")] == ["tineke@example.nl"]
    response = post(anna, mine, {"title": ""}, page=mine)
    assert "Geef het thema een titel." in text(anna.get(response.headers["Location"]))
    assert len(themes_of(world)) == 1


def test_a_fellow_participant_sees_the_proposal_without_the_name(client, world):
    services.propose_own_theme(world.seated[0], ThemeData("Jongeren"), actor="u")
    db.session.commit()
    participant_sign_in(client, "bram@example.nl")
    page = text(client.get(f"/mijn-traject/inschrijving/{world.seated[1].id}/themas"))
    assert "Jongeren" in page and "Voorgesteld door een deelnemer" in page
    assert "Anna" not in page and "Appel" not in page


def test_chosen_themes_show_on_the_participant_page_without_a_vote_button(anna, world):
    a, b = add(world, "Loslaten", "Geld")
    services.schedule_theme(a, world.session(3), actor="t")
    db.session.commit()
    mine = f"/mijn-traject/inschrijving/{world.seated[0].id}/themas"
    page = text(anna.get(mine))
    chosen = page.split("Gekozen thema's")[1]
    assert "Loslaten" in chosen
    assert f"/themas/{a.id}/stem" not in page
    response = post(anna, f"{mine}/{a.id}/stem", page=mine)
    assert "is al gekozen voor een bijeenkomst" in text(anna.get(response.headers["Location"]))


def test_someone_on_the_waiting_list_cannot_open_the_vote(client, world):
    participant_sign_in(client, "eva@example.nl")
    assert client.get(f"/mijn-traject/inschrijving/{world.waiting.id}/themas").status_code == 403
    assert "Kies de thema's" not in text(client.get("/mijn-traject/"))


def test_my_data_holds_my_proposals_and_votes(anna, world):
    [a] = add(world, "Loslaten")
    services.cast_vote(a, world.seated[0], actor="u")
    services.propose_own_theme(
        world.seated[0], ThemeData("Jongeren", "Mijn eigen woorden"), actor="u"
    )
    services.propose_own_theme(world.seated[1], ThemeData("Van Bram"), actor="u")
    db.session.commit()
    page = text(anna.get("/mijn-traject/gegevens"))
    assert "Je themavoorstellen en stemmen" in page
    assert "Je stelde ‘Jongeren’ voor op" in page and "Je stemde op ‘Loslaten’" in page
    assert "Van Bram" not in page
    download = anna.get("/mijn-traject/gegevens.json")
    themes = download.get_json()["themes"]
    assert [t["description"] for t in themes["proposed"]] == ["Mijn eigen woorden"]
    assert [v["title"] for v in themes["voted_for"]] == ["Loslaten"]
