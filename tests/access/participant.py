"""Mijn traject (issue 3 item 4): own registrations, calendar, "mijn gegevens".

These pages show the signed-in person's own things, so everyone signed in gets 200 and sees
only their own (tests/participant/ checks B never sees A's). The calendar feed needs no
sign-in: its token is the key. Cancelling goes by registration id: the owner and the
coordinators only.
"""

from tests.access import DENIED, LOGIN, Case, everyone, only
from werklab.extensions import db
from werklab.participant import services


def signed_in(status: int) -> dict[str, int]:
    return {**everyone(status), "anonymous": LOGIN}


def feed_url_of_a(world) -> str:
    feed = services.renew_feed(world.users["participant_a"])
    db.session.commit()
    return f"/mijn-traject/agenda/{feed.token}.ics"


CASES = [
    Case("participant.index", lambda w: "/mijn-traject/", signed_in(200)),
    Case("participant.calendar", lambda w: "/mijn-traject/agenda.ics", signed_in(200)),
    Case("participant.data", lambda w: "/mijn-traject/gegevens", signed_in(200)),
    Case("participant.data_json", lambda w: "/mijn-traject/gegevens.json", signed_in(200)),
    # The feed is for calendar apps: no sign-in, the secret token decides.
    Case("participant.feed", feed_url_of_a, everyone(200)),
    Case(
        "participant.feed",
        lambda w: "/mijn-traject/agenda/" + "x" * 43 + ".ics",
        everyone(404),
        note="unknown token",
    ),
    Case(
        "participant.renew_feed",
        lambda w: "/mijn-traject/agenda/nieuw",
        signed_in(302),
        method="POST",
        data=lambda w: {},
        writes=("participant_a", "participant_b", "trainer_x", "trainer_y", "coordinator"),
    ),
    Case(
        "participant.revoke_feed",
        lambda w: "/mijn-traject/agenda/stoppen",
        signed_in(302),
        method="POST",
        data=lambda w: {},
        writes=("participant_a", "participant_b", "trainer_x", "trainer_y", "coordinator"),
    ),
    # Staff accounts are closed by a coordinator, not erased by themselves.
    Case(
        "participant.erase",
        lambda w: "/mijn-traject/gegevens/wissen",
        only({"participant_a": 200, "participant_b": 200}),
    ),
    Case(
        "participant.erase",
        lambda w: "/mijn-traject/gegevens/wissen",
        only({"participant_a": 409, "participant_b": 409}),
        method="POST",
        data=lambda w: {"confirm": "y"},
        note="with a running registration: refused, nothing erased",
    ),
    Case(
        "participant.cancel",
        lambda w: f"/mijn-traject/inschrijving/{w.registration_a.id}/annuleren",
        only({"participant_a": 200, "coordinator": 200}),
        note="A's registration",
    ),
    Case(
        "participant.cancel",
        lambda w: "/mijn-traject/inschrijving/999999/annuleren",
        {**everyone(404), "anonymous": LOGIN},
        note="unknown registration",
    ),
    Case(
        "participant.cancel",
        lambda w: f"/mijn-traject/inschrijving/{w.registration_a.id}/annuleren",
        only({"participant_a": 302, "coordinator": 302}, anonymous=LOGIN, others=DENIED),
        method="POST",
        data=lambda w: {},
        note="POST on A's registration",
        writes=("participant_a", "coordinator"),
    ),
]
