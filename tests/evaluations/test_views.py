"""Every evaluation page and form, as a trainer and as a participant with their link: what
a person sees, and what is (or is not) stored."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

from sqlalchemy import func, select

from tests.conftest import csrf_from, tampered
from tests.evaluations.helpers import (
    NOW,
    answer,
    client_for,
    invitation_of,
    sent,
    text,
)
from werklab.accounts import services as accounts
from werklab.evaluations import services
from werklab.evaluations.models import (
    Answer,
    Evaluation,
    EvaluationResponse,
    Question,
    Questionnaire,
)
from werklab.extensions import db
from werklab.links import sign
from werklab.registration.services import manage_token


def count(model) -> int:
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def post(client, path, data):
    token = csrf_from(text(client.get(path)))
    return client.post(path, data={**data, "csrf_token": token})


# --- the trainer's pages -----------------------------------------------------------------------


def test_programme_page_lists_sessions_trend_and_questionnaires(app, factories):
    s, last = sent(factories, people=3)
    for person in s.people:
        answer(invitation_of(last, person), 4)
    db.session.commit()
    page = text(client_for(app, s.trainer).get(f"/werkruimte/{s.programme.id}/evaluaties"))
    assert "<h1>Tussenevaluaties</h1>" in page
    assert "Nog niet verstuurd" in page  # sessions 1 and 2
    assert "3 / 3" in page  # session 3: answered / invited
    assert "Korte evaluatie na een bijeenkomst" in page
    # The trend: a chart with a title and a table with the average.
    assert '<svg class="chart"' in page and "<title" in page
    assert "Gemiddelde score per bijeenkomst: Hoe nuttig was deze bijeenkomst" in page
    assert "4.0" in page
    # Linked from the workspace.
    workspace = text(client_for(app, s.trainer).get(f"/werkruimte/{s.programme.id}"))
    assert f"/werkruimte/{s.programme.id}/evaluaties" in workspace


def test_add_a_ready_made_questionnaire_and_change_it(app, factories):
    s, _last = sent(factories, people=1)
    client = client_for(app, s.trainer)
    page = f"/werkruimte/{s.programme.id}/evaluaties"
    before = count(Questionnaire)
    response = post(client, page.replace("evaluaties", "vragenlijsten"), {"source": "final-en"})
    assert response.status_code == 302
    assert count(Questionnaire) == before + 1
    questionnaire = db.session.execute(
        select(Questionnaire).order_by(Questionnaire.id.desc()).limit(1)
    ).scalar_one()
    assert questionnaire.title == "Evaluation at the end of the programme"
    assert response.headers["Location"].endswith(f"/werkruimte/vragenlijst/{questionnaire.id}")
    editor = f"/werkruimte/vragenlijst/{questionnaire.id}"
    assert "How useful was the programme as a whole" in text(client.get(editor))

    # Rename; an empty title is refused.
    assert post(client, editor, {"title": "Slot"}).status_code == 302
    bad = post(client, editor, {"title": "  "})
    assert bad.status_code == 400 and "Geef de vragenlijst een titel." in text(bad)
    db.session.refresh(questionnaire)
    assert questionnaire.title == "Slot"

    # Add a choice question; one option is refused and nothing is stored.
    questions = len(questionnaire.questions)
    bad = post(
        client,
        editor + "/vragen",
        {"kind": "single", "text": "Lunch?", "options": "Ja", "required": "y"},
    )
    assert bad.status_code == 400
    assert "Een keuzevraag heeft minstens twee antwoordmogelijkheden nodig." in text(bad)
    ok = post(
        client,
        editor + "/vragen",
        {"kind": "single", "text": "Lunch?", "options": "Ja\nNee\n", "required": "y"},
    )
    assert ok.status_code == 302
    db.session.expire_all()
    assert len(questionnaire.questions) == questions + 1
    new = questionnaire.questions[-1]
    assert (new.text, new.options, new.required) == ("Lunch?", ["Ja", "Nee"], True)

    # Change it; a scale without labels is refused.
    new_id = new.id
    edit = f"/werkruimte/evaluatievraag/{new_id}"
    assert "Vraag wijzigen" in text(client.get(edit))
    bad = post(client, edit, {"kind": "scale", "text": "Lunch?"})
    assert bad.status_code == 400 and "omschrijving voor 1 en voor 5" in text(bad)
    ok = post(
        client,
        edit,
        {"kind": "scale", "text": "Lunch?", "low_label": "slecht", "high_label": "top"},
    )
    assert ok.status_code == 302
    db.session.expire_all()
    assert (new.kind.value, new.low_label, new.high_label) == ("scale", "slecht", "top")

    # Delete it.
    assert post(client, edit + "/verwijderen", {}).status_code == 302
    db.session.expire_all()
    assert db.session.execute(select(Question).filter_by(id=new_id)).first() is None


def test_an_empty_questionnaire_needs_a_title(app, factories):
    s, _last = sent(factories, people=1)
    client = client_for(app, s.trainer)
    before = count(Questionnaire)
    response = post(
        client, f"/werkruimte/{s.programme.id}/vragenlijsten", {"source": "empty", "title": ""}
    )
    assert response.status_code == 302
    assert count(Questionnaire) == before
    page = text(client.get(response.headers["Location"]))
    assert "Geef de vragenlijst een titel." in page


def test_a_sent_questionnaire_cannot_change(app, factories):
    s, last = sent(factories, people=1)
    questionnaire = services.evaluation_of(last).questionnaire
    client = client_for(app, s.trainer)
    editor = f"/werkruimte/vragenlijst/{questionnaire.id}"
    page = text(client.get(editor))
    assert "al naar deelnemers verstuurd" in page and "Vraag toevoegen" not in page
    response = post(
        client,
        f"/werkruimte/{s.programme.id}/evaluaties".replace("evaluaties", "vragenlijsten"),
        {"source": f"copy:{questionnaire.id}"},
    )
    assert response.status_code == 302  # a copy to change
    token = csrf_from(page)
    before = len(questionnaire.questions)
    refused = client.post(
        editor + "/vragen", data={"csrf_token": token, "kind": "open", "text": "Nog iets?"}
    )
    assert refused.status_code == 409
    assert "Maak een kopie" in text(refused)
    db.session.expire_all()
    assert len(questionnaire.questions) == before


def test_session_settings_switch_off_and_named(app, factories):
    s, _last = sent(factories, people=1)
    first = s.sessions[0]
    client = client_for(app, s.trainer)
    path = f"/werkruimte/bijeenkomst/{first.id}/evaluatie"
    page = text(client.get(path))
    assert "Evaluatie na „Bijeenkomst 1”" in page
    assert "Standaard: Korte evaluatie na een bijeenkomst" in page

    bad = post(client, path, {"enabled": "on", "anonymous": "anonymous", "open_days": "0"})
    assert bad.status_code == 400 and "Kies tussen 1 en 60 dagen." in text(bad)
    bad = post(client, path, {"enabled": "on", "anonymous": "anonymous", "open_days": "x" * 5000})
    assert bad.status_code == 400
    assert services.evaluation_of(first) is None

    ok = post(
        client,
        path,
        {"enabled": "off", "questionnaire": "", "anonymous": "named", "open_days": "7"},
    )
    assert ok.status_code == 302
    evaluation = services.evaluation_of(first)
    assert (evaluation.enabled, evaluation.anonymous, evaluation.open_days) == (False, False, 7)
    overview = text(client.get(f"/werkruimte/{s.programme.id}/evaluaties"))
    assert "Uit" in overview


def test_anonymity_cannot_change_after_an_answer(app, factories):
    s, last = sent(factories, people=1)
    answer(invitation_of(last, s.people[0]), 3)
    db.session.commit()
    client = client_for(app, s.trainer)
    path = f"/werkruimte/bijeenkomst/{last.id}/evaluatie"
    page = text(client.get(path))
    assert "Er heeft al iemand geantwoord, dus dit kan niet meer veranderen." in page
    questionnaire_id = services.evaluation_of(last).questionnaire_id
    refused = post(
        client,
        path,
        {
            "enabled": "on",
            "questionnaire": str(questionnaire_id),
            "anonymous": "named",
            "open_days": "14",
        },
    )
    assert refused.status_code == 409
    assert "kan niet meer wisselen tussen anoniem en op naam" in text(refused)
    db.session.expire_all()
    assert services.evaluation_of(last).anonymous is True


def test_results_with_chart_table_and_csv(app, factories):
    s, last = sent(factories, people=4)
    for person, (score, written) in zip(
        s.people, [(5, "Veel geleerd"), (4, "=1+1"), (4, "Netwerk"), (2, "")], strict=True
    ):
        answer(invitation_of(last, person), score, written)
    db.session.commit()
    client = client_for(app, s.trainer)
    page = text(client.get(f"/werkruimte/bijeenkomst/{last.id}/evaluatie/resultaten"))
    assert "Respons: 4 van 4 (100%)" in page
    assert "gemiddeld 3.8" in page
    svg = re.search(r"<svg class=\"chart\".*?</svg>", page, re.S).group(0)
    assert "<title" in svg and "Hoe nuttig was deze bijeenkomst voor je werk?" in svg
    assert "2 (50%)" in svg  # two fours
    assert "http" not in svg.replace("http://www.w3.org", "")  # nothing from elsewhere
    assert "<table" in page and "Als tabel" in page
    for written in ("Veel geleerd", "=1+1", "Netwerk"):
        assert written in page
    # The third question nobody answered: hidden.
    assert "Minder dan 3 antwoorden" in page

    response = client.get(f"/werkruimte/bijeenkomst/{last.id}/evaluatie/resultaten.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(text(response).lstrip("\ufeff")), delimiter=";"))
    assert rows[0] == [
        "Hoe nuttig was deze bijeenkomst voor je werk?",
        "Wat neem je mee uit deze bijeenkomst?",
    ]
    assert sorted(r[0] for r in rows[1:]) == ["2", "4", "4", "5"]
    assert "'=1+1" in [r[1] for r in rows[1:]]  # no formula in a spreadsheet


def test_results_under_three_answers_show_nothing_per_question(app, factories):
    s, last = sent(factories, people=4)
    answer(invitation_of(last, s.people[0]), 1, "Alleen ik")
    answer(invitation_of(last, s.people[1]), 1, "")
    db.session.commit()
    client = client_for(app, s.trainer)
    page = text(client.get(f"/werkruimte/bijeenkomst/{last.id}/evaluatie/resultaten"))
    assert "Respons: 2 van 4 (50%)" in page
    assert "Alleen ik" not in page and "<svg" not in page
    assert page.count("Minder dan 3 antwoorden") == 3
    rows = text(client.get(f"/werkruimte/bijeenkomst/{last.id}/evaluatie/resultaten.csv"))
    assert "Alleen ik" not in rows


def test_named_results_show_names(app, factories):
    s, last = sent(factories, people=2, anonymous=False)
    answer(invitation_of(last, s.people[0]), 5, "Mijn mening")
    db.session.commit()
    client = client_for(app, s.trainer)
    page = text(client.get(f"/werkruimte/bijeenkomst/{last.id}/evaluatie/resultaten"))
    assert s.people[0].full_name in page and "Mijn mening" in page
    rows = text(client.get(f"/werkruimte/bijeenkomst/{last.id}/evaluatie/resultaten.csv"))
    assert s.people[0].full_name in rows


def test_results_before_sending(app, factories):
    s, _last = sent(factories, people=1)
    client = client_for(app, s.trainer)
    first = s.sessions[0]
    page = text(client.get(f"/werkruimte/bijeenkomst/{first.id}/evaluatie/resultaten"))
    assert "Deze evaluatie is nog niet verstuurd." in page
    assert (
        client.get(f"/werkruimte/bijeenkomst/{first.id}/evaluatie/resultaten.csv").status_code
        == 404
    )


# --- the participant's answer page -------------------------------------------------------------


def _link(last, person) -> str:
    return f"/evaluatie/{services.answer_token(invitation_of(last, person))}"


def _stored() -> tuple[int, int]:
    return count(EvaluationResponse), count(Answer)


def test_answer_from_the_link_and_change_it(app, factories):
    s, last = sent(factories, people=2)
    client = app.test_client()  # not signed in
    link = _link(last, s.people[0])
    page = text(client.get(link))
    assert "Hoe was „Bijeenkomst 3”?" in page
    assert "Anoniem: je begeleiders zien de antwoorden van de groep" in page
    scale, takeaway, _change = services.evaluation_of(last).questionnaire.questions
    response = post(client, link, {f"q{scale.id}": "4", f"q{takeaway.id}": "Goede vragen"})
    assert response.status_code == 302
    page = text(client.get(link))
    assert "Bedankt! Je antwoorden zijn opgeslagen." in page
    assert "Je hebt geantwoord. Je kunt je antwoorden wijzigen tot" in page
    assert 'value="4" checked' in page and "Goede vragen" in page

    response = post(client, link, {f"q{scale.id}": "5", f"q{takeaway.id}": ""})
    assert response.status_code == 302
    assert "Je gewijzigde antwoorden zijn opgeslagen." in text(client.get(link))
    assert _stored() == (1, 1)
    assert db.session.execute(select(Answer.scale)).scalar_one() == 5


def test_named_evaluation_says_so_before_answering(app, factories):
    s, last = sent(factories, people=1, anonymous=False)
    page = text(app.test_client().get(_link(last, s.people[0])))
    assert "Op naam: je begeleiders zien je naam bij je antwoorden." in page


def _bad(app, last, person, data):
    client = app.test_client()
    return post(client, _link(last, person), data)


def test_missing_required_answer(app, factories):
    s, last = sent(factories, people=1)
    _scale, takeaway, _ = services.evaluation_of(last).questionnaire.questions
    response = _bad(app, last, s.people[0], {f"q{takeaway.id}": "Iets"})
    assert response.status_code == 400
    page = text(response)
    assert "Deze vraag heeft een antwoord nodig." in page
    assert "Niet alle antwoorden zijn in orde. Er is niets opgeslagen." in page
    assert "Iets" in page  # what was typed stays
    assert _stored() == (0, 0)
    assert invitation_of(last, s.people[0]).answered_at is None


def test_out_of_range_and_odd_input(app, factories):
    s, last = sent(factories, people=1)
    scale, takeaway, _ = services.evaluation_of(last).questionnaire.questions
    for value in ("6", "0", "abc", "4'; DROP TABLE x", "😀" * 300):
        response = _bad(app, last, s.people[0], {f"q{scale.id}": value})
        assert response.status_code == 400
        assert "Kies een getal van 1 tot en met 5." in text(response)
    long = _bad(app, last, s.people[0], {f"q{scale.id}": "3", f"q{takeaway.id}": "x" * 5001})
    assert long.status_code == 400 and "maximaal 5000 tekens" in text(long)
    assert _stored() == (0, 0)
    # Any characters within the limit are fine.
    ok = _bad(
        app, last, s.people[0], {f"q{scale.id}": "3", f"q{takeaway.id}": "<b>ü 😀 ' \" & " * 100}
    )
    assert ok.status_code == 302
    assert _stored() == (1, 2)


def test_tampered_link_and_someone_elses_link(app, factories):
    s, last = sent(factories, people=2)
    a, b = s.people
    link_a = _link(last, a)
    client = app.test_client()
    for path in (
        tampered(link_a),
        # B's secret with the signature of A's link.
        "/evaluatie/"
        + services.answer_token(invitation_of(last, b)).split(".")[0]
        + "."
        + link_a.rsplit(".", 1)[1],
        # A's manage link, and a link signed for something else: not an evaluation link.
        f"/evaluatie/{manage_token(a)}",
        "/evaluatie/" + sign(invitation_of(last, a).key, salt="site-visit-feedback"),
        "/evaluatie/x",
    ):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "Deze link werkt niet" in text(response)
        token = csrf_from(text(client.get(link_a)))
        scale = services.evaluation_of(last).questionnaire.questions[0]
        posted = client.post(path, data={"csrf_token": token, f"q{scale.id}": "5"})
        assert posted.status_code == 404
    assert _stored() == (0, 0)
    assert invitation_of(last, b).answered_at is None


def test_answering_for_someone_else_from_my_programmes_is_refused(app, factories):
    """Signed in as B, A's evaluation never shows up under B's "Mijn traject", and B's page
    links only B's own link."""
    s, last = sent(factories, people=2)
    a, b = s.people
    user_b = accounts.create_user(b.email, b.full_name, actor="test")
    db.session.commit()
    page = text(client_for(app, user_b).get("/mijn-traject/"))
    assert "Openstaande evaluaties" in page
    assert services.answer_token(invitation_of(last, b)) in page
    assert services.answer_token(invitation_of(last, a)) not in page


def test_closed_evaluation_says_so_and_stores_nothing(app, factories):
    s, last = sent(factories, people=1)
    evaluation = services.evaluation_of(last)
    evaluation.closes_at = NOW - timedelta(minutes=1)
    db.session.commit()
    client = app.test_client()
    link = _link(last, s.people[0])
    page = text(client.get(link))
    assert "Deze evaluatie is gesloten op" in page and '<form method="post"' not in page
    token = csrf_from(text(client.get("/inloggen")))
    scale = evaluation.questionnaire.questions[0]
    response = client.post(link, data={"csrf_token": token, f"q{scale.id}": "4"})
    assert response.status_code == 410
    assert "Deze evaluatie is gesloten: antwoorden geven of wijzigen kan niet meer." in text(
        response
    )
    assert _stored() == (0, 0)


def test_my_programmes_lists_open_evaluations(app, factories):
    s, last = sent(factories, people=1)
    user = accounts.create_user(s.people[0].email, "Anna", actor="test")
    db.session.commit()
    client = client_for(app, user)
    page = text(client.get("/mijn-traject/"))
    assert "Openstaande evaluaties" in page
    assert "Bijeenkomst 3" in page and "nog niet beantwoord; open tot" in page
    answer(invitation_of(last, s.people[0]), 4)
    db.session.commit()
    assert "beantwoord; je kunt je antwoorden wijzigen tot" in text(client.get("/mijn-traject/"))
    evaluation = db.session.get(Evaluation, services.evaluation_of(last).id)
    evaluation.closes_at = NOW - timedelta(seconds=1)
    db.session.commit()
    assert "Openstaande evaluaties" not in text(client.get("/mijn-traject/"))


def test_changed_to_named_while_answering_stores_nothing(app, factories):
    s, last = sent(factories, people=2)
    client = app.test_client()
    link = _link(last, s.people[0])
    page = text(client.get(link))
    assert 'name="seen" value="anonymous"' in page
    services.configure_evaluation(
        last,
        services.SettingsData(True, None, False, 14),
        actor="t",
        now=NOW,
    )
    db.session.commit()
    scale = services.evaluation_of(last).questionnaire.questions[0]
    response = client.post(
        link, data={"csrf_token": csrf_from(page), "seen": "anonymous", f"q{scale.id}": "2"}
    )
    assert response.status_code == 409
    page = text(response)
    assert "Er is niets opgeslagen" in page
    assert "Op naam: je begeleiders zien je naam bij je antwoorden." in page
    assert _stored() == (0, 0)
