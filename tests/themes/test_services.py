"""Themes set together, at the service level, each step with an explicit `now`."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.conftest import outbox
from tests.themes.helpers import SOON, T0, World
from werklab import audit
from werklab.accounts import services as accounts
from werklab.catalog import services as catalog
from werklab.catalog.models import ProgrammeKind, ProgrammeStatus
from werklab.errors import ValidationError
from werklab.extensions import db
from werklab.manage import registrations as manage
from werklab.participant import erasure
from werklab.registration import services as registration
from werklab.themes import services
from werklab.themes.models import Theme, ThemeVote
from werklab.themes.questions import learning_questions
from werklab.themes.services import ThemeData, ThemeError


@pytest.fixture
def world(factories):
    return World(factories)


def propose(world, *titles, now=SOON):
    return [
        services.propose_theme(
            world.programme, ThemeData(t, f"Over {t}"), actor="t", user=world.trainer, now=now
        )
        for t in titles
    ]


def stored_votes(registration=None) -> int:
    query = select(func.count()).select_from(ThemeVote)
    if registration is not None:
        query = query.where(ThemeVote.registration_id == registration.id)
    return db.session.execute(query).scalar_one()


def audit_actions() -> list[str]:
    return list(
        db.session.execute(select(audit.AuditEntry.action).order_by(audit.AuditEntry.id)).scalars()
    )


# --- proposing -------------------------------------------------------------------------------


def test_a_trainer_proposes_a_theme_that_is_stored_and_audited(world):
    [theme] = propose(world, "Loslaten")
    assert (theme.title, theme.description, theme.proposed_by_user_id) == (
        "Loslaten",
        "Over Loslaten",
        world.trainer.id,
    )
    assert theme.created_at == SOON and theme.is_open
    assert "theme.proposed" in audit_actions()


@pytest.mark.parametrize(
    ("title", "description", "message"),
    [
        ("   ", "", "Geef het thema een titel."),
        ("x" * 201, "", "Een titel mag hoogstens 200 tekens lang zijn."),
        ("Goed", "y" * 1001, "De beschrijving mag hoogstens 1000 tekens lang zijn."),
    ],
)
def test_a_theme_without_title_or_too_long_is_refused(world, title, description, message):
    with pytest.raises(ValidationError) as caught:
        services.propose_theme(world.programme, ThemeData(title, description), actor="t", now=SOON)
    assert caught.value.message == message
    assert db.session.execute(select(func.count()).select_from(Theme)).scalar_one() == 0


def test_a_werklab_and_a_cancelled_programme_have_no_vote(factories, world):
    werklab = factories.programme(kind=ProgrammeKind.WERKLAB, now=T0)
    with pytest.raises(ThemeError, match="drie vaste bijeenkomsten"):
        services.propose_theme(werklab, ThemeData("X"), actor="t", now=SOON)
    catalog.set_status(world.programme, ProgrammeStatus.CANCELLED, actor="t", now=SOON)
    with pytest.raises(ThemeError, match="afgelopen of geannuleerd"):
        services.propose_theme(world.programme, ThemeData("X"), actor="t", now=SOON)


def test_a_participant_proposes_and_the_trainers_are_mailed(world):
    anna = world.seated[0]
    theme = services.propose_own_theme(anna, ThemeData("Jongeren", "Hoe?"), actor="u", now=SOON)
    assert theme.proposed_by_registration_id == anna.id and theme.proposed_by_user_id is None
    [mail] = outbox("themes.proposed")
    assert mail.to_addr == world.trainer.email
    assert mail.subject == "Nieuw thema voorgesteld voor Lerende Gemeenschap Test"
    assert "Jongeren" in mail.body_text and "Anna Appel (Gemeente Arnhem)" in mail.body_text
    assert f"/werkruimte/{world.programme.id}/themas" in mail.body_text
    assert mail.reply_to == [["Anna Appel", "anna@example.nl"]]


def test_a_participant_has_at_most_three_proposals_in_the_vote(world):
    anna = world.seated[0]
    made = [
        services.propose_own_theme(anna, ThemeData(f"Thema {i}"), actor="u", now=SOON)
        for i in range(3)
    ]
    with pytest.raises(ThemeError, match="al 3 voorstellen"):
        services.propose_own_theme(anna, ThemeData("Vierde"), actor="u", now=SOON)
    # Once one is chosen, there is room for another.
    services.schedule_theme(made[0], world.session(1), actor="t", now=SOON)
    services.propose_own_theme(anna, ThemeData("Vierde"), actor="u", now=SOON)


def test_someone_waiting_cannot_propose_or_vote(world):
    [theme] = propose(world, "Loslaten")
    with pytest.raises(ThemeError, match="bevestigde plaats"):
        services.propose_own_theme(world.waiting, ThemeData("Ik"), actor="u", now=SOON)
    with pytest.raises(ThemeError, match="bevestigde plaats"):
        services.cast_vote(theme, world.waiting, actor="u", now=SOON)
    assert stored_votes() == 0


# --- voting ----------------------------------------------------------------------------------


def test_votes_count_up_to_the_limit_and_no_further(world):
    themes = propose(world, "A", "B", "C", "D")
    anna = world.seated[0]
    for theme in themes[:3]:
        services.cast_vote(theme, anna, actor="u", now=SOON)
    assert services.votes_used(anna) == 3
    with pytest.raises(ThemeError) as caught:
        services.cast_vote(themes[3], anna, actor="u", now=SOON)
    assert caught.value.message.startswith("Je hebt al je stemmen (3) gebruikt.")
    assert stored_votes(anna) == 3
    # Taking one back frees it for another theme.
    services.withdraw_vote(themes[0], anna, actor="u", now=SOON)
    services.cast_vote(themes[3], anna, actor="u", now=SOON)
    assert {v.theme_id for v in db.session.execute(select(ThemeVote)).scalars()} == {
        t.id for t in themes[1:]
    }
    assert audit_actions().count("theme.voted") == 4
    assert audit_actions().count("theme.vote_withdrawn") == 1


def test_one_vote_per_theme_and_no_vote_to_take_back(world):
    [theme] = propose(world, "A")
    anna = world.seated[0]
    services.cast_vote(theme, anna, actor="u", now=SOON)
    with pytest.raises(ThemeError, match="al op dit thema gestemd"):
        services.cast_vote(theme, anna, actor="u", now=SOON)
    with pytest.raises(ThemeError, match="niet op dit thema gestemd"):
        services.withdraw_vote(theme, world.seated[1], actor="u", now=SOON)
    assert stored_votes() == 1


def test_a_vote_for_a_theme_of_another_programme_is_refused(factories, world):
    other = World(factories, tag="2")
    [theme] = propose(other, "Elders")
    with pytest.raises(ThemeError, match="ander traject"):
        services.cast_vote(theme, world.seated[0], actor="u", now=SOON)


def test_the_trainer_sets_the_number_of_votes(world):
    themes = propose(world, "A", "B")
    anna = world.seated[0]
    assert services.set_vote_limit(world.programme, 1, actor="t", now=SOON) is True
    services.cast_vote(themes[0], anna, actor="u", now=SOON)
    with pytest.raises(ThemeError, match=r"\(1\) gebruikt"):
        services.cast_vote(themes[1], anna, actor="u", now=SOON)
    assert services.set_vote_limit(world.programme, 1, actor="t", now=SOON) is False
    for bad in (0, 11):
        with pytest.raises(ValidationError, match="tussen 1 en 10"):
            services.set_vote_limit(world.programme, bad, actor="t", now=SOON)
    assert services.vote_limit(world.programme.id) == 1
    assert audit_actions().count("theme.votes_set") == 1


def test_a_hidden_theme_takes_no_votes_and_its_votes_stop_counting(world):
    a, b, c, d = propose(world, "A", "B", "C", "D")
    proposal = services.propose_own_theme(
        world.seated[1], ThemeData("Ongepast"), actor="u", now=SOON
    )
    anna = world.seated[0]
    for theme in (a, b, proposal):
        services.cast_vote(theme, anna, actor="u", now=SOON)
    services.hide_theme(proposal, actor="t", user=world.trainer, now=SOON)
    assert proposal.is_hidden and services.votes_used(anna) == 2
    with pytest.raises(ThemeError, match="uit de stemming gehaald"):
        services.cast_vote(proposal, world.seated[2], actor="u", now=SOON)
    services.cast_vote(c, anna, actor="u", now=SOON)  # the vote is free again
    [mail] = outbox("themes.hidden")
    assert mail.to_addr == "bram@example.nl"
    assert "Ongepast" in mail.body_text and "Beantwoord dan deze e-mail" in mail.body_text
    assert mail.reply_to == [["Tineke Trainer", "tineke@example.nl"]]
    # Shown again, its votes count again: Anna is now above her limit and cannot add one.
    services.show_theme(proposal, actor="t", now=SOON)
    assert services.votes_used(anna) == 4
    with pytest.raises(ThemeError, match="al je stemmen"):
        services.cast_vote(d, anna, actor="u", now=SOON)


def test_ranking_most_votes_first_and_ties_share_a_place(world):
    a, b, c, d = propose(world, "A", "B", "C", "D")
    p = world.seated
    for theme, voters in ((b, p[:3]), (c, p[:1]), (d, p[1:2]), (a, [])):
        for person in voters:
            services.cast_vote(theme, person, actor="u", now=SOON)
    found = services.overview(world.programme, registration=p[0])
    assert [(i.theme.title, i.votes, i.rank, i.tied) for i in found.ranking] == [
        ("B", 3, 1, False),
        ("C", 1, 2, True),  # C before D: proposed first
        ("D", 1, 2, True),
        ("A", 0, 4, False),
    ]
    assert [i.mine for i in found.ranking] == [True, True, False, False]
    assert found.limit == 3


# --- fixing a session's theme ------------------------------------------------------------------


def test_fixing_a_theme_sets_the_session_theme_closes_its_vote_and_tells_participants(world):
    a, b = propose(world, "Loslaten", "Geld en regels")
    anna = world.seated[0]
    services.cast_vote(a, anna, actor="u", now=SOON)
    services.cast_vote(b, anna, actor="u", now=SOON)
    session = world.session(2)
    previous = services.schedule_theme(a, session, actor="user:9", user=world.trainer, now=SOON)
    assert previous is None
    assert session.theme == "Loslaten"
    assert a.scheduled_session_id == session.id and a.scheduled_at == SOON
    # Through the catalogue's service: its audit row, and its rules.
    assert "session.updated" in audit_actions() and "theme.scheduled" in audit_actions()
    # Anna has that vote back; the vote on the theme is closed.
    assert services.votes_used(anna) == 1
    with pytest.raises(ThemeError, match="gesloten"):
        services.cast_vote(a, world.seated[1], actor="u", now=SOON)
    with pytest.raises(ThemeError, match="gesloten"):
        services.withdraw_vote(a, anna, actor="u", now=SOON)
    mails = outbox("themes.scheduled")
    assert sorted(m.to_addr for m in mails) == sorted(r.email for r in world.seated)
    assert "eva@example.nl" not in [m.to_addr for m in mails]  # on the waiting list
    assert mails[0].subject == "Thema gekozen: Loslaten (Lerende Gemeenschap Test)"
    assert mails[0].to_addr == "anna@example.nl"
    assert f"/mijn-traject/inschrijving/{anna.id}/themas" in mails[0].body_text
    found = services.overview(world.programme)
    assert [i.theme.title for i in found.scheduled] == ["Loslaten"]
    assert [i.theme.title for i in found.ranking] == ["Geld en regels"]


def test_choosing_another_theme_for_the_same_session_puts_the_first_back(world):
    a, b = propose(world, "A", "B")
    session = world.session(3)
    services.schedule_theme(a, session, actor="t", now=SOON)
    previous = services.schedule_theme(b, session, actor="t", now=SOON)
    assert previous is a and a.is_open and a.scheduled_at is None
    assert session.theme == "B" and b.scheduled_session_id == session.id
    assert "theme.released" in audit_actions()


def test_a_session_that_started_or_of_another_programme_cannot_be_chosen(factories, world):
    [a] = propose(world, "A")
    started = world.session(1).starts_at + timedelta(minutes=1)
    with pytest.raises(ThemeError, match="al begonnen"):
        services.schedule_theme(a, world.session(1), actor="t", now=started)
    other = World(factories, tag="2")
    with pytest.raises(ThemeError, match="ander traject"):
        services.schedule_theme(a, other.session(2), actor="t", now=SOON)
    assert services.schedulable_sessions(world.programme, started) == world.programme.sessions[1:]
    assert a.is_open and world.session(1).theme == "Thema 1"


def test_a_chosen_theme_cannot_be_hidden_or_changed(world):
    [a] = propose(world, "A")
    services.schedule_theme(a, world.session(2), actor="t", now=SOON)
    with pytest.raises(ThemeError, match="kies daar eerst een ander thema"):
        services.hide_theme(a, actor="t", now=SOON)
    with pytest.raises(ThemeError, match="gesloten"):
        services.update_theme(a, ThemeData("B"), actor="t", now=SOON)


def test_deleting_the_session_puts_its_theme_back_in_the_vote(world):
    [a] = propose(world, "A")
    services.schedule_theme(a, world.session(4), actor="t", now=SOON)
    catalog.delete_session(world.session(4), actor="t", now=SOON)
    db.session.expire_all()
    theme = db.session.get(Theme, a.id)
    assert theme.is_open and theme.scheduled_at is None
    assert "theme.released" in audit_actions()


def test_update_theme_changes_only_what_changed(world):
    [a] = propose(world, "A")
    assert services.update_theme(a, ThemeData("A", "Over A"), actor="t", now=SOON) == []
    assert services.update_theme(a, ThemeData(" B ", ""), actor="t", now=SOON) == [
        "title",
        "description",
    ]
    assert (a.title, a.description) == ("B", "")


# --- Mijn traject ----------------------------------------------------------------------------


def test_ballots_for_mijn_traject(world):
    a, b = propose(world, "A", "B")
    services.cast_vote(a, world.seated[0], actor="u", now=SOON)
    [ballot] = services.ballots_for_email("ANNA@example.nl ")
    assert (ballot.open_themes, ballot.used, ballot.limit, ballot.left) == (2, 1, 3, 2)
    assert services.ballots_for_email("eva@example.nl") == []  # waiting
    catalog.set_status(world.programme, ProgrammeStatus.CANCELLED, actor="t", now=SOON)
    assert services.ballots_for_email("anna@example.nl") == []


# --- learning questions ------------------------------------------------------------------------


def test_learning_questions_by_sector_then_organisation(world):
    found = learning_questions(world.programme)
    assert [(g.sector.value, g.count) for g in found.sectors] == [
        ("government", 3),
        ("civil_society", 1),
    ]
    government = found.sectors[0]
    # "Gemeente Arnhem" and "gemeente  arnhem" are one organisation.
    assert [
        (o.name, [a.registration.first_name for a in o.people]) for o in government.organisations
    ] == [
        ("Gemeente Arnhem", ["Anna", "Bram"]),
        ("Gemeente Ede", ["Eva"]),  # waiting, but taking part soon: listed with their status
    ]
    assert [r.first_name for r in found.without] == ["Dina"]


def test_learning_questions_leave_out_cancelled_and_erased_and_show_changes(world):
    anna, bram, cor = world.seated[:3]
    registration.cancel_registration(cor, actor="t", now=SOON)
    # A coordinator corrects Bram's question later.
    manage.edit_details(
        bram,
        manage.DetailsData(
            first_name="Bram",
            last_name="Boom",
            email=bram.email,
            organisation=bram.organisation,
            sector=bram.sector,
            job_title=bram.job_title,
            dietary_wishes=None,
            learning_question="Hoe verbind ik gemeente en buurt?",
            locale="nl",
            share_email=False,
        ),
        actor="t",
        now=SOON + timedelta(days=2),
    )
    found = learning_questions(world.programme)
    people = {
        a.registration.first_name: a
        for g in found.sectors
        for o in g.organisations
        for a in o.people
    }
    assert "Cor" not in people
    assert people["Bram"].registration.learning_question == "Hoe verbind ik gemeente en buurt?"
    assert people["Bram"].changed_at == SOON + timedelta(days=2)
    assert people.get("Eva") is not None and people["Eva"].changed_at is None


def test_learning_questions_leave_out_who_had_their_data_erased(world):
    """After the programme, a participant may have everything erased; their seat stays
    (confirmed, erased) and their question is gone from the page."""
    world.programme.status = ProgrammeStatus.COMPLETED
    db.session.flush()
    anna = world.seated[0]
    erasure.erase(accounts.create_user(anna.email, "Anna", actor="t"), now=SOON)
    assert anna.is_seated and anna.erased_at == SOON
    found = learning_questions(world.programme)
    names = [
        a.registration.first_name for g in found.sectors for o in g.organisations for a in o.people
    ]
    assert names == ["Bram", "Eva", "Cor"]
    assert anna not in found.without
