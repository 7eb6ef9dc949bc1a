"""Homework groups (issue 6): the trainer's page for the programme's trainers and the
coordinators; a participant's group for that participant, too."""

from tests.access import Case, only
from werklab.extensions import db
from werklab.groups import services

X_ONLY = {"trainer_x": 200, "coordinator": 200}
X_WRITES = {"trainer_x": 302, "coordinator": 302}


def composed(world):
    """Compose groups for X once (A and B are its seated participants)."""
    if not services.current_round(world.programme_x.id):
        services.compose_groups(world.programme_x, size_min=2, size_max=3, seed=1, actor=None)
        db.session.commit()
    return services.board(world.programme_x).groups[0].group


def group_url(suffix):
    return lambda w: f"/werkruimte/huiswerkgroep/{composed(w).id}/{suffix}"


CASES = [
    Case(
        "groups.programme",
        lambda w: f"/werkruimte/{w.programme_x.id}/huiswerkgroepen",
        only(X_ONLY),
    ),
    Case(
        "groups.programme",
        lambda w: "/werkruimte/999999/huiswerkgroepen",
        only({}, others=404),
        note="unknown programme",
    ),
    Case(
        "groups.compose",
        lambda w: f"/werkruimte/{w.programme_x.id}/huiswerkgroepen",
        only(X_WRITES),
        method="POST",
        data=lambda w: {"size": "2-3", "seed": "4"},
        writes=("trainer_x", "coordinator"),
    ),
    Case(
        "groups.move",
        lambda w: f"/werkruimte/{w.programme_x.id}/huiswerkgroepen/verplaatsen",
        only(X_WRITES),
        method="POST",
        data=lambda w: {"registration_id": w.registration_a.id, "group_id": composed(w).id},
        writes=("trainer_x", "coordinator"),
    ),
    Case(
        "groups.lock",
        group_url("vastzetten"),
        only(X_WRITES),
        method="POST",
        data=lambda w: {},
        writes=("trainer_x", "coordinator"),
    ),
    Case(
        "groups.unlock",
        group_url("losmaken"),
        only(X_WRITES),
        method="POST",
        data=lambda w: {},
        writes=("trainer_x", "coordinator"),
    ),
    Case(
        "groups.lock",
        lambda w: "/werkruimte/huiswerkgroep/999999/vastzetten",
        only({}, others=404),
        method="POST",
        data=lambda w: {},
        note="unknown group",
    ),
    Case(
        "groups.mine",
        lambda w: f"/mijn-traject/inschrijving/{w.registration_a.id}/groep",
        only({"participant_a": 200, "trainer_x": 200, "coordinator": 200}),
        note="A's group",
    ),
    Case(
        "groups.mine",
        lambda w: "/mijn-traject/inschrijving/999999/groep",
        only({}, others=404),
        note="unknown registration",
    ),
]
