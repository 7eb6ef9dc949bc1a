"""Issue 13: registrations in the coordinator's hands, the audit log, writing to people.

Registrations and the log: coordinators only (the check comes before anything is loaded, so
nobody else learns which ids exist). Messages: the programme's trainers and coordinators
write and read the history; a participant reads their own messages and sets their own
e-mail sharing, nobody else's."""

from tests.access import DENIED, LOGIN, Case, everyone, only
from werklab.extensions import db
from werklab.messages import services as messages
from werklab.messages.models import Audience

OK = only({"coordinator": 200})
DONE = only({"coordinator": 302})
UNKNOWN = only({"coordinator": 404})
WORKS_ON_X = only({"coordinator": 200, "trainer_x": 200})
SENT_ON_X = only({"coordinator": 302, "trainer_x": 302})

PERSON = {
    "place": "seat",
    "first_name": "Telefoon",
    "last_name": "Aanmelding",
    "email": "telefoon@example.nl",
    "organisation": "Gemeente Ede",
    "sector": "government",
    "job_title": "Adviseur",
    "learning_question": "Hoe?",
    "locale": "nl",
    "payment_method": "none",
    "privacy_consent": "y",
}
DETAILS = {
    "first_name": "Anna",
    "last_name": "A",
    "email": "a@example.nl",
    "organisation": "Gemeente Arnhem",
    "sector": "government",
    "job_title": "Beleidsadviseur",
    "learning_question": "Hoe?",
    "locale": "nl",
}


def _x(w) -> str:
    return f"/beheer/programma/{w.programme_x.id}"


def _a(w) -> str:
    return f"/beheer/inschrijving/{w.registration_a.id}"


def _message(w):
    """One message written to programme X by its trainer (made once per world)."""
    if not hasattr(w, "message"):
        w.message = messages.send_message(
            w.programme_x,
            messages.MessageData(Audience.PARTICIPANTS, "Onderwerp", "Tekst"),
            author=w.users["trainer_x"],
        )
        db.session.commit()
    return w.message


CASES = [
    # --- registrations in the coordinator's hands ---
    Case("manage_registrations.add", lambda w: f"{_x(w)}/inschrijvingen/nieuw", OK),
    Case(
        "manage_registrations.add",
        lambda w: "/beheer/programma/999999/inschrijvingen/nieuw",
        UNKNOWN,
        note="unknown programme",
    ),
    Case(
        "manage_registrations.add",
        lambda w: f"{_x(w)}/inschrijvingen/nieuw",
        DONE,
        method="POST",
        data=lambda w: PERSON,
        writes=("coordinator",),
    ),
    Case("manage_registrations.edit", lambda w: f"{_a(w)}/bewerken", OK),
    Case(
        "manage_registrations.edit",
        lambda w: "/beheer/inschrijving/999999/bewerken",
        UNKNOWN,
        note="unknown registration",
    ),
    Case(
        "manage_registrations.edit",
        lambda w: f"{_a(w)}/bewerken",
        DONE,
        method="POST",
        data=lambda w: DETAILS,
        writes=("coordinator",),
    ),
    Case("manage_registrations.cancel", lambda w: f"{_a(w)}/annuleren", OK),
    Case(
        "manage_registrations.cancel",
        lambda w: f"{_a(w)}/annuleren",
        DONE,
        method="POST",
        data=lambda w: {"money": "none", "reason": "Ziek"},
        writes=("coordinator",),
    ),
    Case(
        "manage_registrations.offer_seats",
        lambda w: f"{_x(w)}/wachtlijst/aanbieden",
        DONE,
        method="POST",
        note="nobody waiting: a message",
        writes=("coordinator",),
    ),
    Case("manage_registrations.move_up", lambda w: f"{_a(w)}/naar-voren", OK),
    Case(
        "manage_registrations.move_up",
        lambda w: f"{_a(w)}/naar-voren",
        only({"coordinator": 400}),
        method="POST",
        data=lambda w: {"reason": "Voorrang"},
        note="not waiting: refused with a message",
        writes=("coordinator",),
    ),
    Case(
        "manage_registrations.resend_confirmation",
        lambda w: f"{_a(w)}/bevestiging",
        DONE,
        method="POST",
        writes=("coordinator",),
    ),
    Case(
        "manage_registrations.resend_link",
        lambda w: f"{_a(w)}/link",
        DONE,
        method="POST",
        writes=("coordinator",),
    ),
    Case(
        "manage_registrations.mark_paid",
        lambda w: f"{_a(w)}/betaald",
        DONE,
        method="POST",
        note="no invoice: a message",
        writes=("coordinator",),
    ),
    # --- the audit log ---
    Case("history.log", lambda w: "/beheer/logboek", OK),
    Case("history.programme", lambda w: f"{_x(w)}/geschiedenis", OK),
    Case(
        "history.programme",
        lambda w: "/beheer/programma/999999/geschiedenis",
        UNKNOWN,
        note="unknown programme",
    ),
    # --- writing to people ---
    Case("messages.programme", lambda w: f"/werkruimte/{w.programme_x.id}/berichten", WORKS_ON_X),
    Case(
        "messages.programme",
        lambda w: "/werkruimte/999999/berichten",
        only({"coordinator": 404, "trainer_x": 404, "trainer_y": 404}),
        note="unknown programme",
    ),
    Case(
        "messages.send",
        lambda w: f"/werkruimte/{w.programme_x.id}/berichten",
        SENT_ON_X,
        method="POST",
        data=lambda w: {"audience": "participants", "subject": "Hallo", "body": "Tot morgen."},
        writes=("coordinator", "trainer_x"),
    ),
    Case(
        "messages.show",
        lambda w: f"/werkruimte/{w.programme_x.id}/berichten/{_message(w).id}",
        WORKS_ON_X,
    ),
    Case(
        "messages.show",
        lambda w: f"/werkruimte/{w.programme_y.id}/berichten/{_message(w).id}",
        only({"coordinator": 404, "trainer_y": 404}),
        note="a message of another programme",
    ),
    Case(
        "messages.mine", lambda w: "/mijn-traject/berichten", {**everyone(200), "anonymous": LOGIN}
    ),
    Case(
        "messages.sharing",
        lambda w: f"/mijn-traject/inschrijving/{w.registration_a.id}/e-mail-delen",
        {
            "anonymous": LOGIN,
            "participant_a": 302,
            "participant_b": DENIED,
            "trainer_x": DENIED,
            "trainer_y": DENIED,
            "coordinator": DENIED,
        },
        method="POST",
        data=lambda w: {"share": "y"},
        writes=("participant_a",),
    ),
]
