"""Routes added for issue 11 (input, flows and layout)."""

from tests.access import Case, everyone

CASES = [
    Case("catalog.favicon", lambda w: "/favicon.ico", everyone(200)),
    # The manage link is the key, as for the other registration pages.
    Case(
        "registration.edit_details",
        lambda w: f"/inschrijving/{w.token(w.registration_a)}/gegevens",
        everyone(200),
    ),
    Case(
        "registration.edit_details",
        lambda w: "/inschrijving/geraden/gegevens",
        everyone(404),
        note="unknown token",
    ),
]
