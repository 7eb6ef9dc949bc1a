"""Interim evaluations (issue 14): questionnaires, session settings and results are for the
programme's trainers and the coordinators; the answer page is for whoever holds the personal
link (it works without signing in), and a tampered link works for nobody."""

from __future__ import annotations

from datetime import timedelta

from tests.access import Case, everyone, only
from tests.conftest import tampered
from werklab.db import utcnow
from werklab.evaluations import questionnaires, services
from werklab.evaluations.models import Evaluation, EvaluationInvitation, Question, QuestionKind
from werklab.extensions import db

X_ONLY = {"trainer_x": 200, "coordinator": 200}
X_REDIRECT = {"trainer_x": 302, "coordinator": 302}


def _sent(w):
    """Session 1 of X with a sent, open evaluation and A's invitation (made once)."""
    if getattr(w, "_evaluation", None) is None:
        now = utcnow()
        session = w.programme_x.sessions[0]
        questionnaire = questionnaires.copy_ready_made(
            w.programme_x, "session-nl", actor="t", now=now
        )
        evaluation = Evaluation(
            session_id=session.id,
            questionnaire_id=questionnaire.id,
            sent_at=now,
            closes_at=now + timedelta(days=14),
        )
        db.session.add(evaluation)
        db.session.flush()
        invitation = EvaluationInvitation(
            evaluation_id=evaluation.id, registration_id=w.registration_a.id, sent_at=now
        )
        db.session.add(invitation)
        db.session.commit()
        w._evaluation = {
            "session": session.id,
            "scale_question": questionnaire.questions[0].id,
            "token": services.answer_token(invitation),
        }
    return w._evaluation


def _draft(w):
    """A questionnaire of X that was never sent (made once)."""
    if getattr(w, "_draft", None) is None:
        questionnaire = questionnaires.copy_ready_made(w.programme_x, "final-nl", actor="t")
        db.session.commit()
        w._draft = questionnaire.id
    return w._draft


def _question(w):
    """A question of the draft questionnaire: a fresh one when the last was deleted."""
    questionnaire_id = _draft(w)
    question = db.session.query(Question).filter_by(questionnaire_id=questionnaire_id).first()
    if question is None:
        question = Question(
            questionnaire_id=questionnaire_id, position=1, kind=QuestionKind.OPEN, text="Nog?"
        )
        db.session.add(question)
        db.session.commit()
    return question.id


def _session_x(w):
    return w.programme_x.sessions[1].id


QUESTION = {"kind": "open", "text": "Wat vond je van de lunch?", "options": ""}

CASES = [
    Case(
        "evaluations.programme",
        lambda w: f"/werkruimte/{w.programme_x.id}/evaluaties",
        only(X_ONLY),
    ),
    Case(
        "evaluations.programme",
        lambda w: "/werkruimte/999999/evaluaties",
        only({}, others=404),
        note="unknown programme",
    ),
    Case(
        "evaluations.new_questionnaire",
        lambda w: f"/werkruimte/{w.programme_x.id}/vragenlijsten",
        only(X_REDIRECT),
        method="POST",
        data=lambda w: {"source": "session-en"},
        writes=("trainer_x", "coordinator"),
    ),
    Case(
        "evaluations.questionnaire",
        lambda w: f"/werkruimte/vragenlijst/{_draft(w)}",
        only(X_ONLY),
    ),
    Case(
        "evaluations.questionnaire",
        lambda w: f"/werkruimte/vragenlijst/{_draft(w)}",
        only(X_REDIRECT),
        method="POST",
        data=lambda w: {"title": "Slotevaluatie"},
        writes=("trainer_x", "coordinator"),
    ),
    Case(
        "evaluations.add_question",
        lambda w: f"/werkruimte/vragenlijst/{_draft(w)}/vragen",
        only(X_REDIRECT),
        method="POST",
        data=lambda w: QUESTION,
        writes=("trainer_x", "coordinator"),
    ),
    Case(
        "evaluations.edit_question",
        lambda w: f"/werkruimte/evaluatievraag/{_question(w)}",
        only(X_ONLY),
    ),
    Case(
        "evaluations.edit_question",
        lambda w: f"/werkruimte/evaluatievraag/{_question(w)}",
        only(X_REDIRECT),
        method="POST",
        data=lambda w: QUESTION,
        writes=("trainer_x", "coordinator"),
    ),
    Case(
        "evaluations.delete_question",
        lambda w: f"/werkruimte/evaluatievraag/{_question(w)}/verwijderen",
        only(X_REDIRECT),
        method="POST",
        writes=("trainer_x", "coordinator"),
    ),
    Case(
        "evaluations.session_settings",
        lambda w: f"/werkruimte/bijeenkomst/{_session_x(w)}/evaluatie",
        only(X_ONLY),
    ),
    Case(
        "evaluations.session_settings",
        lambda w: f"/werkruimte/bijeenkomst/{_session_x(w)}/evaluatie",
        only(X_REDIRECT),
        method="POST",
        data=lambda w: {
            "enabled": "on",
            "questionnaire": "",
            "anonymous": "named",
            "open_days": "10",
        },
        writes=("trainer_x", "coordinator"),
    ),
    Case(
        "evaluations.results",
        lambda w: f"/werkruimte/bijeenkomst/{_sent(w)['session']}/evaluatie/resultaten",
        only(X_ONLY),
    ),
    Case(
        "evaluations.results_csv",
        lambda w: f"/werkruimte/bijeenkomst/{_sent(w)['session']}/evaluatie/resultaten.csv",
        only(X_ONLY),
    ),
    Case(
        "evaluations.results_csv",
        lambda w: f"/werkruimte/bijeenkomst/{_session_x(w)}/evaluatie/resultaten.csv",
        only({"trainer_x": 404, "coordinator": 404}),
        note="not sent yet",
    ),
    Case("evaluations.answer", lambda w: f"/evaluatie/{_sent(w)['token']}", everyone(200)),
    Case(
        "evaluations.answer",
        lambda w: f"/evaluatie/{tampered(_sent(w)['token'])}",
        everyone(404),
        note="tampered link",
    ),
    Case(
        "evaluations.answer",
        lambda w: f"/evaluatie/{_sent(w)['token']}",
        everyone(302),
        method="POST",
        data=lambda w: {f"q{_sent(w)['scale_question']}": "4"},
        writes=(
            "anonymous",
            "participant_a",
            "participant_b",
            "trainer_x",
            "trainer_y",
            "coordinator",
        ),
        note="anyone holding the link",
    ),
]
