"""The programme set together (issue 15, part 3): the learning questions and the themes page
are for the programme's trainers and the coordinators; the vote is for the participant
themselves (seated), from "Mijn traject", and for nobody else, staff included."""

from __future__ import annotations

from tests.access import Case, only
from werklab.extensions import db
from werklab.themes import services
from werklab.themes.services import ThemeData

X_ONLY = {"trainer_x": 200, "coordinator": 200}
X_REDIRECT = {"trainer_x": 302, "coordinator": 302}
A_ONLY = {"participant_a": 200}
A_REDIRECT = {"participant_a": 302}


def _theme(w):
    """A theme of X in the vote (made once per world)."""
    if getattr(w, "_theme", None) is None:
        theme = services.propose_theme(w.programme_x, ThemeData("Loslaten"), actor="t")
        db.session.commit()
        w._theme = theme.id
    return w._theme


def _mine(w):
    return f"/mijn-traject/inschrijving/{w.registration_a.id}/themas"


CASES = [
    Case("themes.questions", lambda w: f"/werkruimte/{w.programme_x.id}/leervragen", only(X_ONLY)),
    Case(
        "themes.questions",
        lambda w: "/werkruimte/999999/leervragen",
        only({}, others=404),
        note="unknown programme",
    ),
    Case("themes.programme", lambda w: f"/werkruimte/{w.programme_x.id}/themas", only(X_ONLY)),
    Case(
        "themes.programme",
        lambda w: f"/werkruimte/{w.programme_y.id}/themas",
        only({"trainer_y": 200, "coordinator": 200}),
        note="programme Y",
    ),
    Case(
        "themes.propose",
        lambda w: f"/werkruimte/{w.programme_x.id}/themas",
        only(X_REDIRECT),
        method="POST",
        data=lambda w: {"title": "Geld en regels", "description": ""},
        writes=("trainer_x", "coordinator"),
    ),
    Case(
        "themes.vote_limit",
        lambda w: f"/werkruimte/{w.programme_x.id}/themas/stemmen",
        only(X_REDIRECT),
        method="POST",
        data=lambda w: {"votes": "4"},
        writes=("trainer_x", "coordinator"),
    ),
    Case("themes.edit", lambda w: f"/werkruimte/thema/{_theme(w)}/bewerken", only(X_ONLY)),
    Case(
        "themes.edit",
        lambda w: f"/werkruimte/thema/{_theme(w)}/bewerken",
        only(X_REDIRECT),
        method="POST",
        data=lambda w: {"title": "Loslaten en vasthouden", "description": ""},
        writes=("trainer_x", "coordinator"),
    ),
    Case(
        "themes.edit",
        lambda w: "/werkruimte/thema/999999/bewerken",
        only({}, others=404),
        note="unknown theme",
    ),
    Case(
        "themes.hide",
        lambda w: f"/werkruimte/thema/{_theme(w)}/verbergen",
        only(X_REDIRECT),
        method="POST",
        writes=("trainer_x", "coordinator"),
    ),
    Case(
        "themes.show",
        lambda w: f"/werkruimte/thema/{_theme(w)}/tonen",
        only(X_REDIRECT),
        method="POST",
        writes=("trainer_x", "coordinator"),
    ),
    Case(
        "themes.schedule",
        lambda w: f"/werkruimte/thema/{_theme(w)}/vastzetten",
        only(X_REDIRECT),
        method="POST",
        data=lambda w: {"session": str(w.programme_x.sessions[1].id)},
        writes=("trainer_x", "coordinator"),
    ),
    Case("themes.mine", _mine, only(A_ONLY)),
    Case(
        "themes.mine",
        lambda w: f"/mijn-traject/inschrijving/{w.registration_b_y.id}/themas",
        only({"participant_b": 200}),
        note="B's own registration in Y",
    ),
    Case(
        "themes.mine",
        lambda w: "/mijn-traject/inschrijving/999999/themas",
        only({}, others=404),
        note="unknown registration",
    ),
    Case(
        "themes.propose_own",
        _mine,
        only(A_REDIRECT),
        method="POST",
        data=lambda w: {"title": "Jongeren in de wijk", "description": ""},
        writes=("participant_a",),
    ),
    Case(
        "themes.vote",
        lambda w: f"{_mine(w)}/{_theme(w)}/stem",
        only(A_REDIRECT),
        method="POST",
        writes=("participant_a",),
    ),
    Case(
        "themes.vote",
        lambda w: f"/mijn-traject/inschrijving/{w.registration_b_y.id}/themas/{_theme(w)}/stem",
        only({"participant_b": 404}),
        method="POST",
        note="a theme of another programme",
    ),
    Case(
        "themes.unvote",
        lambda w: f"{_mine(w)}/{_theme(w)}/intrekken",
        only(A_REDIRECT),
        method="POST",
        writes=("participant_a",),
    ),
]
