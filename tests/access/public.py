"""Public pages, registration and the manage link (issue 2), and signing in."""

from tests.access import Case, everyone

CASES = [
    Case("catalog.index", lambda w: "/", everyone(200)),
    Case("catalog.programme", lambda w: f"/programma/{w.programme_x.slug}", everyone(200)),
    Case("catalog.privacy", lambda w: "/privacy", everyone(200)),
    Case("catalog.language", lambda w: "/taal/nl", everyone(302)),
    Case("static", lambda w: "/static/css/werklab.css", everyone(200)),
    Case(
        "registration.register",
        lambda w: f"/programma/{w.programme_x.slug}/inschrijven",
        everyone(200),
    ),
    # The manage link is the key: whoever has it may use it, signed in or not.
    Case(
        "registration.manage", lambda w: f"/inschrijving/{w.token(w.registration_a)}", everyone(200)
    ),
    Case(
        "registration.manage",
        lambda w: "/inschrijving/geraden",
        everyone(404),
        note="unknown token",
    ),
    Case(
        "registration.calendar",
        lambda w: f"/inschrijving/{w.token(w.registration_a)}/agenda.ics",
        everyone(200),
    ),
    Case(
        "registration.cancel",
        lambda w: f"/inschrijving/{w.token(w.registration_a)}/annuleren",
        everyone(200),
    ),
    Case(
        "registration.offer",
        lambda w: f"/inschrijving/{w.token(w.registration_a)}/aanbod",
        everyone(302),
        note="no open offer: back to the manage page",
    ),
    Case("accounts.login", lambda w: "/inloggen", {**everyone(302), "anonymous": 200}),
    Case(
        "accounts.password_login",
        lambda w: "/inloggen",
        everyone(400),
        method="POST",
        data=lambda w: {"email": "niemand@example.nl", "password": "fout-wachtwoord"},
    ),
    Case(
        "accounts.request_link",
        lambda w: "/inloggen/link",
        everyone(200),
        method="POST",
        data=lambda w: {"email": "niemand@example.nl"},
    ),
    Case("accounts.use_link", lambda w: "/inloggen/link/verzonnen", everyone(200)),
    Case("accounts.home", lambda w: "/account", {**everyone(200), "anonymous": 302}),
    Case(
        "accounts.change_password",
        lambda w: "/account/wachtwoord",
        {
            "anonymous": 302,
            "participant_a": 403,
            "participant_b": 403,
            "trainer_x": 200,
            "trainer_y": 200,
            "coordinator": 200,
        },
    ),
    Case(
        "accounts.logout",
        lambda w: "/uitloggen",
        {**everyone(302)},
        method="POST",
        data=lambda w: {},
    ),
]
