"""Reminders (issue 13 part 3): the setting is for the programme's trainers and the
coordinators; the participant's switch needs only the manage link (its token is the key);
the trainers' calendar feed needs no sign-in (its token is the key) and is made and
switched off by trainers only."""

from __future__ import annotations

from tests.access import Case, everyone, only
from werklab.extensions import db
from werklab.reminders import services

X_STAFF = {"trainer_x": 200, "coordinator": 200}
TRAINERS = {"trainer_x": 302, "trainer_y": 302}


def feed_of_x(w) -> str:
    feed = services.renew_trainer_feed(w.users["trainer_x"], actor="test")
    db.session.commit()
    return f"/werkruimte/agenda/{feed.token}.ics"


CASES = [
    Case(
        "reminders.settings",
        lambda w: f"/werkruimte/{w.programme_x.id}/herinneringen",
        only(X_STAFF),
    ),
    Case(
        "reminders.settings",
        lambda w: f"/werkruimte/{w.programme_x.id}/herinneringen",
        only({"trainer_x": 302, "coordinator": 302}),
        method="POST",
        data=lambda w: {"days_before": "3"},
        writes=("trainer_x", "coordinator"),
    ),
    Case(
        "reminders.settings",
        lambda w: "/werkruimte/999999/herinneringen",
        only({}, others=404),
        note="unknown programme",
    ),
    Case(
        "reminders.choose",
        lambda w: f"/inschrijving/{w.token(w.registration_a)}/herinneringen",
        everyone(302),
        method="POST",
        data=lambda w: {"choice": "off"},
        writes=(
            "anonymous",
            "participant_a",
            "participant_b",
            "trainer_x",
            "trainer_y",
            "coordinator",
        ),
        note="A's manage link",
    ),
    Case(
        "reminders.choose",
        lambda w: "/inschrijving/nonsense/herinneringen",
        everyone(404),
        method="POST",
        data=lambda w: {"choice": "off"},
        note="unknown manage link",
    ),
    Case("reminders.trainer_feed", feed_of_x, everyone(200)),
    Case(
        "reminders.trainer_feed",
        lambda w: "/werkruimte/agenda/" + "x" * 43 + ".ics",
        everyone(404),
        note="unknown token",
    ),
    Case(
        "reminders.renew_feed",
        lambda w: "/werkruimte/agenda/nieuw",
        only(TRAINERS),
        method="POST",
        data=lambda w: {},
        writes=("trainer_x", "trainer_y"),
    ),
    Case(
        "reminders.revoke_feed",
        lambda w: "/werkruimte/agenda/stoppen",
        only(TRAINERS),
        method="POST",
        data=lambda w: {},
        writes=("trainer_x", "trainer_y"),
    ),
]
