"""The coordinator area (/beheer): coordinators only; anonymous visitors are sent to sign in,
everyone else is refused, also for ids that do not exist (nothing to learn from a 404)."""

from tests.access import Case, only

OK = only({"coordinator": 200})
DONE = only({"coordinator": 302})  # the change is made and the coordinator is sent on
UNKNOWN = only({"coordinator": 404})

PROGRAMME = {
    "title": "Nieuw traject",
    "kind": "cop",
    "fee": "750",
    "min_participants": "10",
    "max_participants": "15",
    "visibility": "public",
}
SESSION = {
    "theme": "Thema",
    "kind": "workshop",
    "day": "2030-03-02",
    "start": "13:30",
    "end": "16:30",
}


def _x(w) -> str:
    return f"/beheer/programma/{w.programme_x.id}"


def _session_x(w) -> str:
    return f"{_x(w)}/bijeenkomsten/{w.programme_x.sessions[-1].id}"


def _user_a(w) -> str:
    return f"/beheer/gebruikers/{w.users['participant_a'].id}"


CASES = [
    Case("manage.index", lambda w: "/beheer/", OK),
    Case("manage.new_programme", lambda w: "/beheer/programma/nieuw", OK),
    Case(
        "manage.new_programme",
        lambda w: "/beheer/programma/nieuw",
        DONE,
        method="POST",
        data=lambda w: PROGRAMME,
        writes=("coordinator",),
    ),
    Case("manage.programme", _x, OK),
    Case("manage.programme", lambda w: "/beheer/programma/999999", UNKNOWN, note="unknown id"),
    Case("manage.edit_programme", lambda w: f"{_x(w)}/bewerken", OK),
    Case(
        "manage.edit_programme",
        lambda w: f"{_x(w)}/bewerken",
        DONE,
        method="POST",
        data=lambda w: {**PROGRAMME, "title": "Programma X"},
        writes=("coordinator",),
    ),
    Case(
        "manage.close_registration",
        lambda w: f"{_x(w)}/sluiten",
        DONE,
        method="POST",
        writes=("coordinator",),
    ),
    Case(
        "manage.open_registration",
        lambda w: f"{_x(w)}/openen",
        DONE,
        method="POST",
        note="already open: a message",
        writes=("coordinator",),
    ),
    Case("manage.new_session", lambda w: f"{_x(w)}/bijeenkomsten/nieuw", OK),
    Case(
        "manage.new_session",
        lambda w: f"{_x(w)}/bijeenkomsten/nieuw",
        DONE,
        method="POST",
        data=lambda w: SESSION,
        writes=("coordinator",),
    ),
    Case("manage.edit_session", lambda w: f"{_session_x(w)}/bewerken", OK),
    Case(
        "manage.edit_session",
        lambda w: f"{_x(w)}/bijeenkomsten/999999/bewerken",
        UNKNOWN,
        note="unknown session",
    ),
    Case(
        "manage.edit_session",
        lambda w: f"{_session_x(w)}/bewerken",
        DONE,
        method="POST",
        data=lambda w: SESSION,
        writes=("coordinator",),
    ),
    Case("manage.delete_session", lambda w: f"{_session_x(w)}/verwijderen", OK),
    Case(
        "manage.delete_session",
        lambda w: f"{_session_x(w)}/verwijderen",
        DONE,
        method="POST",
        writes=("coordinator",),
    ),
    Case(
        "manage.assign_trainer",
        lambda w: f"{_x(w)}/begeleiders",
        DONE,
        method="POST",
        data=lambda w: {"user_id": w.users["trainer_y"].id},
        writes=("coordinator",),
    ),
    Case(
        "manage.unassign_trainer",
        lambda w: f"{_x(w)}/begeleiders/{w.users['trainer_x'].id}/verwijderen",
        DONE,
        method="POST",
        writes=("coordinator",),
    ),
    Case("manage.users", lambda w: "/beheer/gebruikers", OK),
    Case("manage.new_user", lambda w: "/beheer/gebruikers/nieuw", OK),
    Case(
        "manage.new_user",
        lambda w: "/beheer/gebruikers/nieuw",
        DONE,
        method="POST",
        data=lambda w: {"name": "Nieuwe Trainer", "email": "nieuw@example.nl", "is_trainer": "y"},
        writes=("coordinator",),
    ),
    Case("manage.edit_user", _user_a, OK),
    Case("manage.edit_user", lambda w: "/beheer/gebruikers/999999", UNKNOWN, note="unknown id"),
    Case(
        "manage.edit_user",
        _user_a,
        DONE,
        method="POST",
        data=lambda w: {"is_trainer": "y"},
        writes=("coordinator",),
    ),
    Case(
        "manage.deactivate_user",
        lambda w: f"{_user_a(w)}/deactiveren",
        DONE,
        method="POST",
        writes=("coordinator",),
    ),
    Case(
        "manage.reactivate_user",
        lambda w: f"{_user_a(w)}/activeren",
        DONE,
        method="POST",
        note="already active: a message",
        writes=("coordinator",),
    ),
]
