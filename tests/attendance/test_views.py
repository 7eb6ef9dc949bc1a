"""The attendance register page: one form with three buttons per participant, a POST per
click (or key, through attendance.js, which asks for JSON)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from tests.workspace.helpers import sign_in, staff, text, token_of
from werklab.attendance import services
from werklab.attendance.models import AttendanceRecord, AttendanceStatus
from werklab.extensions import db


@pytest.fixture
def trainer(programme):
    user = staff("tineke@example.nl", "Tineke Trainer")
    programme.trainers.append(user)
    db.session.commit()
    return user


@pytest.fixture
def people(programme, factories):
    return [
        factories.registration(
            programme, first_name="Sanne", last_name="Bakker", organisation="Wijkteam Oost"
        ),
        factories.registration(
            programme, first_name="Ahmed", last_name="Aziz", organisation="Woonstichting Thuis"
        ),
    ]


def register_url(session) -> str:
    return f"/werkruimte/bijeenkomst/{session.id}/presentie"


def mark_url(session, registration) -> str:
    return f"{register_url(session)}/{registration.id}"


def stored() -> dict[int, AttendanceStatus]:
    rows = db.session.execute(select(AttendanceRecord)).scalars()
    return {r.registration_id: r.status for r in rows}


def row_html(page: str, registration) -> str:
    match = re.search(rf'<tr id="deelnemer-{registration.id}".*?</tr>', page, flags=re.S)
    assert match, f"no row for registration {registration.id}"
    return match.group(0)


def pressed(row: str) -> list[str]:
    return re.findall(r'value="(\w+)"[^>]*aria-pressed="true"', row, flags=re.S)


def test_register_page_lists_the_seated_participants_with_three_buttons(
    client, programme, trainer, people
):
    session = programme.sessions[1]
    sign_in(client, trainer)
    page = text(client.get(register_url(session)))
    assert "<h1>Presentie: Thema 2</h1>" in page
    assert "Buurthuis 2, Dorpsstraat 2, 1234 AB Ergens" in page
    assert page.index("Ahmed Aziz") < page.index("Sanne Bakker")  # by last name
    for registration in people:
        row = row_html(page, registration)
        assert registration.organisation in row
        assert "Nog niet ingevuld" in row
        for label in ("Aanwezig", "Afgemeld", "Afwezig"):
            assert f">{label}</button>" in row
        assert pressed(row) == []
        assert f'action="{mark_url(session, registration)}"' in row
    assert 'aria-live="polite"' in page
    assert 'aria-keyshortcuts="a"' in page and 'aria-keyshortcuts="w"' in page
    assert '<script src="/static/js/attendance.js" defer></script>' in page
    assert f'href="/werkruimte/bijeenkomst/{session.id}/presentielijst.pdf"' in page


def test_one_click_marks_and_another_changes_it(client, programme, trainer, people):
    session = programme.sessions[0]
    sanne = people[0]
    sign_in(client, trainer)
    token = token_of(client, register_url(session))

    response = client.post(
        mark_url(session, sanne), data={"csrf_token": token, "status": "present"}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == f"{register_url(session)}#deelnemer-{sanne.id}"
    assert stored() == {sanne.id: AttendanceStatus.PRESENT}
    page = text(client.get(register_url(session)))
    assert "Sanne Bakker: aanwezig" in page  # the message after the redirect
    assert pressed(row_html(page, sanne)) == ["present"]
    assert 'Aanwezig: <span data-count="present">1</span>' in page

    client.post(mark_url(session, sanne), data={"csrf_token": token, "status": "excused"})
    assert stored() == {sanne.id: AttendanceStatus.EXCUSED}
    page = text(client.get(register_url(session)))
    assert pressed(row_html(page, sanne)) == ["excused"]
    assert pressed(row_html(page, people[1])) == []


def test_with_javascript_the_answer_is_json(client, programme, trainer, people):
    session = programme.sessions[0]
    ahmed = people[1]
    sign_in(client, trainer)
    token = token_of(client, register_url(session))
    response = client.post(
        mark_url(session, ahmed),
        data={"csrf_token": token, "status": "absent"},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 200
    assert response.get_json() == {
        "registration_id": ahmed.id,
        "status": "absent",
        "label": "Afwezig",
        "message": "Ahmed Aziz: afwezig",
    }
    assert stored() == {ahmed.id: AttendanceStatus.ABSENT}

    bad = client.post(
        mark_url(session, ahmed),
        data={"csrf_token": token, "status": "half"},
        headers={"Accept": "application/json"},
    )
    assert bad.status_code == 400
    assert bad.get_json() == {"error": "Kies aanwezig, afgemeld of afwezig."}
    assert stored() == {ahmed.id: AttendanceStatus.ABSENT}


def test_extra_fields_are_ignored(client, programme, trainer, people, factories):
    session = programme.sessions[0]
    sanne, ahmed = people
    other_session = factories.took_place(factories.programme()).sessions[0]
    sign_in(client, trainer)
    client.post(
        mark_url(session, sanne),
        data={
            "csrf_token": token_of(client, register_url(session)),
            "status": "present",
            "registration_id": str(ahmed.id),
            "session_id": str(other_session.id),
            "recorded_by_id": "999",
            "recorded_at": "2000-01-01 00:00",
        },
    )
    record = db.session.execute(select(AttendanceRecord)).scalar_one()
    assert (record.session_id, record.registration_id) == (session.id, sanne.id)
    assert record.recorded_by_id == trainer.id
    assert record.recorded_at.year > 2000


def test_an_unknown_status_without_javascript_is_a_bad_request(client, programme, trainer, people):
    session = programme.sessions[0]
    sign_in(client, trainer)
    response = client.post(
        mark_url(session, people[0]),
        data={"csrf_token": token_of(client, register_url(session)), "status": "present'"},
    )
    assert response.status_code == 400
    assert stored() == {}


def test_someone_without_a_place_is_refused_with_a_message(
    client, programme, trainer, people, factories
):
    programme.min_participants, programme.max_participants = 1, 2
    waiting = factories.registration(programme, first_name="Wim", last_name="Wachter")
    db.session.commit()
    session = programme.sessions[0]
    sign_in(client, trainer)
    token = token_of(client, register_url(session))
    assert "Wim Wachter" not in text(client.get(register_url(session)))
    response = client.post(
        mark_url(session, waiting), data={"csrf_token": token, "status": "present"}
    )
    assert response.status_code == 302
    assert "Deze persoon heeft geen plaats (meer) in dit traject" in text(
        client.get(register_url(session))
    )
    assert stored() == {}


def test_a_registration_of_another_programme_is_not_found(
    client, programme, trainer, people, factories
):
    stranger = factories.registration(factories.programme())
    db.session.commit()
    session = programme.sessions[0]
    sign_in(client, trainer)
    response = client.post(
        mark_url(session, stranger),
        data={"csrf_token": token_of(client, register_url(session)), "status": "present"},
    )
    assert response.status_code == 404
    assert stored() == {}


def test_the_trainer_of_another_programme_cannot_see_or_mark(
    client, programme, trainer, people, factories
):
    other = staff("yara@example.nl", "Yara Trainer")
    factories.programme().trainers.append(other)
    db.session.commit()
    session = programme.sessions[0]
    sign_in(client, other)
    page = client.get(register_url(session))
    assert page.status_code == 403
    assert "Sanne" not in text(page)
    response = client.post(
        mark_url(session, people[0]),
        data={"csrf_token": token_of(client, "/account"), "status": "present"},
    )
    assert response.status_code == 403
    assert stored() == {}
    assert client.get(f"/werkruimte/bijeenkomst/{session.id}/presentielijst.pdf").status_code == 403
    assert client.get("/werkruimte/bijeenkomst/999999/presentie").status_code == 404


def _register_queries(client, factories, count_queries, trainer, registrations, *, marked):
    programme = factories.took_place(factories.programme())
    programme.trainers.append(trainer)
    people = factories.fill(programme, registrations)
    session = programme.sessions[0]
    if marked:
        for person in people[:15]:
            services.mark_attendance(session, person, AttendanceStatus.EXCUSED, recorded_by=trainer)
    db.session.commit()
    url = register_url(session)
    assert client.get(url).status_code == 200  # warm up
    with count_queries() as statements:
        page = text(client.get(url))
    seated = min(registrations, programme.max_participants)
    assert page.count('<tr id="deelnemer-') == seated
    assert page.count('value="excused"') == seated
    assert page.count('aria-pressed="true"') == (seated if marked else 0)
    return statements


def test_register_queries_do_not_grow_with_the_number_of_registrations(
    client, factories, count_queries
):
    trainer = staff("tel@example.nl", "Tel Trainer")
    db.session.commit()
    sign_in(client, trainer)
    few = _register_queries(client, factories, count_queries, trainer, 3, marked=False)
    fifteen = _register_queries(client, factories, count_queries, trainer, 15, marked=False)
    many = _register_queries(client, factories, count_queries, trainer, 150, marked=True)
    assert len(few) == len(fifteen) == len(many), "\n".join(many)
    assert len(many) <= 6, "\n".join(many)


def test_in_english_the_keys_follow_the_english_words(client, programme, trainer, people):
    sign_in(client, trainer)
    client.get("/taal/en")
    page = text(client.get(register_url(programme.sessions[0])))
    assert "<h1>Attendance register: Thema 1</h1>" in page
    assert "press p (present), e (excused) or a (absent)" in page
    for status, key in (("present", "p"), ("excused", "e"), ("absent", "a")):
        assert re.search(rf'value="{status}"[^>]*aria-keyshortcuts="{key}"', page, flags=re.S)
