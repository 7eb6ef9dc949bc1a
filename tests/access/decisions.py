"""Go / no-go (coordinators only) and passing a seat on (whoever holds the manage link)."""

from tests.access import Case, everyone, only

OK = only({"coordinator": 200})
DONE = only({"coordinator": 302})


def _x(w) -> str:
    return f"/beheer/programma/{w.programme_x.id}"


CASES = [
    Case(
        "manage.confirm_programme",
        lambda w: f"{_x(w)}/doorgaan",
        DONE,
        method="POST",
        writes=("coordinator",),
    ),
    Case("manage.cancel_programme", lambda w: f"{_x(w)}/afgelasten", OK),
    Case(
        "manage.cancel_programme",
        lambda w: f"{_x(w)}/afgelasten",
        DONE,
        method="POST",
        data=lambda w: {"reason": "", "confirm": "y"},
        writes=("coordinator",),
        note="confirmed",
    ),
    # The manage link is the key, as for cancelling.
    Case(
        "registration.transfer",
        lambda w: f"/inschrijving/{w.token(w.registration_a)}/overdragen",
        everyone(200),
    ),
    Case(
        "registration.transfer",
        lambda w: "/inschrijving/geraden/overdragen",
        everyone(404),
        note="unknown token",
    ),
]
