"""No raw event names in "Mijn gegevens", group names in the reader's language (issue 11,
item 19)."""

from __future__ import annotations

import re
from pathlib import Path

from tests.participant.conftest import sign_in, text
from werklab import audit
from werklab.extensions import db
from werklab.groups import services as groups
from werklab.participant.labels import ACTION_LABELS

ROOT = Path(__file__).resolve().parents[2] / "werklab"
#: audit.record(action, <object>) where the object is what "Mijn gegevens" lists.
PERSONAL = {"registration", "Registration", "user", "feed"}


def recorded_actions() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in ROOT.rglob("*.py"):
        source = path.read_text()
        for action, target in re.findall(r'\brecord\(\s*"([a-z_]+\.[a-z_]+)",\s*([\w.]+)', source):
            found.setdefault(target, set()).add(action)
    return found


def test_every_action_about_a_person_has_words():
    found = recorded_actions()
    assert "registration.created" in found["registration"]
    personal = set().union(*(found.get(name, set()) for name in PERSONAL))
    missing = sorted(personal - set(ACTION_LABELS))
    assert not missing, f"actions shown in 'Mijn gegevens' without a label: {missing}"


def test_my_data_shows_no_raw_event_names(client, factories, programme):
    registration = factories.registration(programme, email="sanne@example.nl")
    audit.record("homework_group.member_moved", registration, actor="user:1")
    audit.record("registration.details_changed", registration, actor="user:1")
    db.session.commit()
    sign_in(client, "sanne@example.nl")
    page = text(client.get("/mijn-traject/gegevens"))
    assert "Verplaatst naar een andere huiswerkgroep" in page
    assert "Je gegevens gewijzigd" in page
    raw = [a for a in recorded_actions()["registration"] if a in page]
    assert raw == []


def test_group_names_follow_the_readers_language(client, factories, programme):
    people = [factories.registration(programme) for _ in range(8)]
    made = groups.compose_groups(programme, size_min=3, size_max=4, seed=1, actor=None)
    db.session.commit()
    assert made[0].name.startswith("Groep ")
    sign_in(client, people[0].email)
    client.get("/taal/en")
    page = text(client.get(f"/mijn-traject/inschrijving/{people[0].id}/groep"))
    assert re.search(r"<h2>Group \d</h2>", page), page
    assert "Groep " not in page
