"""Interim evaluations: questionnaires and session settings for trainers, results, and the
answer page behind a participant's personal link."""

from __future__ import annotations

import csv
import io

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from werklab import permissions
from werklab.db import utcnow
from werklab.errors import DomainError
from werklab.evaluations import charts, services
from werklab.evaluations import questionnaires as editing
from werklab.evaluations import results as outcomes
from werklab.evaluations.forms import (
    KIND_LABELS,
    ConfirmForm,
    NewQuestionnaireForm,
    QuestionForm,
    SettingsForm,
    TitleForm,
)
from werklab.evaluations.models import QuestionKind
from werklab.extensions import db
from werklab.translation import gettext as _

bp = Blueprint("evaluations", __name__)

NO_STORE = {"Cache-Control": "no-store"}


@bp.record_once
def _template_globals(state) -> None:
    state.app.jinja_env.globals.update(QUESTION_KIND_LABELS=KIND_LABELS)


def _actor() -> str:
    return f"user:{current_user.id}"


def _programme(programme_id: int):
    programme = services.load_programme(programme_id) or abort(404)
    if not permissions.can_manage_evaluations(current_user, programme):
        abort(403)
    if request.method == "POST":
        permissions.check_changeable(programme)
    return programme


def _questionnaire(questionnaire_id: int):
    questionnaire = editing.load_questionnaire(questionnaire_id) or abort(404)
    if not permissions.can_manage_evaluations(current_user, questionnaire.programme):
        abort(403)
    if request.method == "POST":
        permissions.check_changeable(questionnaire.programme)
    return questionnaire


def _session(session_id: int, allowed):
    session = services.load_session(session_id) or abort(404)
    if not allowed(current_user, session.programme):
        abort(403)
    if request.method == "POST":
        permissions.check_changeable(session.programme)
    return session


@bp.get("/werkruimte/<int:programme_id>/evaluaties")
@login_required
def programme(programme_id: int):
    """The evaluations of a programme: per session, the questionnaires, the trend."""
    programme = _programme(programme_id)
    questionnaires = editing.programme_questionnaires(programme)
    lines = outcomes.trend(programme)
    trend = [
        (
            line,
            charts.trend_chart(
                _("Average score per session: %(question)s", question=line.text),
                [(str(session.position), mean) for session, mean, _n in line.points],
            ),
        )
        for line in lines
    ]
    return render_template(
        "evaluations/programme.html",
        programme=programme,
        rows=outcomes.overview(programme),
        questionnaires=questionnaires,
        in_use={q.id: editing.is_in_use(q) for q in questionnaires},
        form=NewQuestionnaireForm(questionnaires=questionnaires),
        trend=trend,
        now=utcnow(),
    )


@bp.post("/werkruimte/<int:programme_id>/vragenlijsten")
@login_required
def new_questionnaire(programme_id: int):
    """Add a questionnaire: a copy of a ready-made one or of one of the programme's, or an
    empty one."""
    programme = _programme(programme_id)
    questionnaires = editing.programme_questionnaires(programme)
    form = NewQuestionnaireForm(questionnaires=questionnaires)
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(error, "error")
        return redirect(url_for(".programme", programme_id=programme.id, _anchor="vragenlijsten"))
    source, now = form.source.data, utcnow()
    try:
        if source == "empty":
            questionnaire = editing.create_questionnaire(
                programme, form.title.data, actor=_actor(), now=now
            )
        elif source.startswith("copy:"):
            original = next(q for q in questionnaires if f"copy:{q.id}" == source)
            questionnaire = editing.copy_questionnaire(original, actor=_actor(), now=now)
        else:
            questionnaire = editing.copy_ready_made(programme, source, actor=_actor(), now=now)
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for(".programme", programme_id=programme.id))
    questionnaire_id = questionnaire.id
    db.session.commit()
    flash(_("The questionnaire has been added. You can change it here."), "success")
    return redirect(url_for(".questionnaire", questionnaire_id=questionnaire_id))


@bp.route("/werkruimte/vragenlijst/<int:questionnaire_id>", methods=["GET", "POST"])
@login_required
def questionnaire(questionnaire_id: int):
    """A questionnaire: its title and questions, and a form to add a question."""
    questionnaire = _questionnaire(questionnaire_id)
    title_form = TitleForm(data={"title": questionnaire.title})
    status = 200
    if request.method == "POST":
        title_form = TitleForm()
        if title_form.validate_on_submit():
            editing.rename_questionnaire(
                questionnaire, title_form.title.data, actor=_actor(), now=utcnow()
            )
            db.session.commit()
            flash(_("The title has been saved."), "success")
            return redirect(url_for(".questionnaire", questionnaire_id=questionnaire_id))
        status = 400
    return _questionnaire_page(questionnaire, title_form, QuestionForm(formdata=None), status)


def _questionnaire_page(questionnaire, title_form, question_form, status=200, error=None):
    return (
        render_template(
            "evaluations/questionnaire.html",
            questionnaire=questionnaire,
            programme=questionnaire.programme,
            locked=editing.is_in_use(questionnaire),
            title_form=title_form,
            question_form=question_form,
            delete_form=ConfirmForm(),
            error=error,
        ),
        status,
    )


@bp.post("/werkruimte/vragenlijst/<int:questionnaire_id>/vragen")
@login_required
def add_question(questionnaire_id: int):
    """Add a question at the end of the questionnaire."""
    questionnaire = _questionnaire(questionnaire_id)
    form = QuestionForm()
    title_form = TitleForm(formdata=None, data={"title": questionnaire.title})
    if not form.validate_on_submit():
        return _questionnaire_page(questionnaire, title_form, form, 400)
    try:
        editing.add_question(questionnaire, form.data_for_service(), actor=_actor(), now=utcnow())
    except DomainError as exc:
        db.session.rollback()
        questionnaire = _questionnaire(questionnaire_id)
        return _questionnaire_page(questionnaire, title_form, form, exc.status_code, exc.message)
    db.session.commit()
    flash(_("The question has been added."), "success")
    return redirect(url_for(".questionnaire", questionnaire_id=questionnaire_id, _anchor="vragen"))


def _question(question_id: int):
    question = editing.load_question(question_id) or abort(404)
    if not permissions.can_manage_evaluations(current_user, question.questionnaire.programme):
        abort(403)
    if request.method == "POST":
        permissions.check_changeable(question.questionnaire.programme)
    return question


@bp.route("/werkruimte/evaluatievraag/<int:question_id>", methods=["GET", "POST"])
@login_required
def edit_question(question_id: int):
    """Change a question (while its questionnaire has not been sent)."""
    question = _question(question_id)
    questionnaire_id = question.questionnaire_id
    form = QuestionForm(data=QuestionForm.initial(question))
    error, status = None, 200
    if request.method == "POST":
        form = QuestionForm()
        if form.validate_on_submit():
            try:
                editing.update_question(
                    question, form.data_for_service(), actor=_actor(), now=utcnow()
                )
            except DomainError as exc:
                db.session.rollback()
                question = _question(question_id)
                error, status = exc.message, exc.status_code
            else:
                db.session.commit()
                flash(_("The question has been saved."), "success")
                return redirect(
                    url_for(".questionnaire", questionnaire_id=questionnaire_id, _anchor="vragen")
                )
        else:
            status = 400
    return (
        render_template(
            "evaluations/question_form.html",
            question=question,
            questionnaire=question.questionnaire,
            programme=question.questionnaire.programme,
            form=form,
            error=error,
            locked=editing.is_in_use(question.questionnaire),
        ),
        status,
    )


@bp.post("/werkruimte/evaluatievraag/<int:question_id>/verwijderen")
@login_required
def delete_question(question_id: int):
    """Delete a question (while its questionnaire has not been sent)."""
    question = _question(question_id)
    questionnaire_id = question.questionnaire_id
    if ConfirmForm().validate_on_submit():
        try:
            editing.delete_question(question, actor=_actor(), now=utcnow())
        except DomainError as exc:
            db.session.rollback()
            flash(exc.message, "error")
        else:
            db.session.commit()
            flash(_("The question has been deleted."), "success")
    return redirect(url_for(".questionnaire", questionnaire_id=questionnaire_id, _anchor="vragen"))


@bp.route("/werkruimte/bijeenkomst/<int:session_id>/evaluatie", methods=["GET", "POST"])
@login_required
def session_settings(session_id: int):
    """The evaluation after a session: questionnaire, on or off, anonymous or named, how
    long it is open."""
    session = _session(session_id, permissions.can_manage_evaluations)
    programme = session.programme
    evaluation = services.evaluation_of(session)
    questionnaires = editing.programme_questionnaires(programme)
    default_title = editing.default_title(programme)
    answers = services.response_count(evaluation)
    form = SettingsForm(
        questionnaires=questionnaires,
        default_title=default_title,
        data=SettingsForm.initial(evaluation, services.default_open_days()),
    )
    error, status = None, 200
    if request.method == "POST":
        form = SettingsForm(questionnaires=questionnaires, default_title=default_title)
        if form.validate_on_submit():
            try:
                services.configure_evaluation(
                    session, form.data_for_service(), actor=_actor(), now=utcnow()
                )
            except DomainError as exc:
                db.session.rollback()
                error, status = exc.message, exc.status_code
                session = _session(session_id, permissions.can_manage_evaluations)
                evaluation = services.evaluation_of(session)
            else:
                db.session.commit()
                flash(_("The evaluation settings have been saved."), "success")
                return redirect(url_for(".programme", programme_id=programme.id))
        else:
            status = 400
    return (
        render_template(
            "evaluations/session_settings.html",
            session=session,
            programme=session.programme,
            evaluation=evaluation,
            answers=answers,
            form=form,
            error=error,
            now=utcnow(),
        ),
        status,
    )


def _results_session(session_id: int):
    session = _session(session_id, permissions.can_see_evaluation_results)
    evaluation = services.evaluation_of(session)
    if evaluation is None or evaluation.sent_at is None:
        return session, None
    return session, outcomes.results(evaluation)


@bp.get("/werkruimte/bijeenkomst/<int:session_id>/evaluatie/resultaten")
@login_required
def results(session_id: int):
    """Response rate, per question a chart and a table, the open answers."""
    session, result = _results_session(session_id)
    charts_by_question = {}
    if result is not None:
        for qr in result.questions:
            if qr.counts and not qr.hidden:
                title = qr.question.text
                if qr.question.kind is QuestionKind.SCALE:
                    title = _(
                        "%(question)s (1 = %(low)s, 5 = %(high)s)",
                        question=qr.question.text,
                        low=qr.question.low_label,
                        high=qr.question.high_label,
                    )
                charts_by_question[qr.question.id] = charts.bar_chart(title, qr.counts, qr.answered)
    return Response(
        render_template(
            "evaluations/results.html",
            session=session,
            programme=session.programme,
            result=result,
            charts=charts_by_question,
            now=utcnow(),
            min_answers=outcomes.MIN_ANSWERS,
        ),
        headers=NO_STORE,
    )


@bp.get("/werkruimte/bijeenkomst/<int:session_id>/evaluatie/resultaten.csv")
@login_required
def results_csv(session_id: int):
    """The answers as CSV (anonymous: without names, only what the results page shows)."""
    session, result = _results_session(session_id)
    if result is None:
        abort(404)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    for row in outcomes.results_rows(result):
        writer.writerow([_csv_safe(cell) for cell in row])
    filename = f"evaluatie-{session.programme.slug}-bijeenkomst-{session.position}.csv"
    return Response(
        "\ufeff" + out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"', **NO_STORE},
    )


def _csv_safe(value: str) -> str:
    # A cell starting with = + - @ is a formula to a spreadsheet: make it plain text.
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


# --- the participant's answer page -----------------------------------------------------------


def _raw_answers(questions) -> dict[int, list[str]]:
    return {q.id: request.form.getlist(f"q{q.id}") for q in questions}


def _previous(response) -> dict[int, list[str]]:
    if response is None:
        return {}
    values: dict[int, list[str]] = {}
    for answer in response.answers:
        if answer.scale is not None:
            values[answer.question_id] = [str(answer.scale)]
        elif answer.choices is not None:
            values[answer.question_id] = [str(i) for i in answer.choices]
        else:
            values[answer.question_id] = [answer.text or ""]
    return values


@bp.route("/evaluatie/<token>", methods=["GET", "POST"])
def answer(token: str):
    """Answer an evaluation from the personal link (no sign-in); change the answers while
    it is open."""
    invitation = services.invitation_by_token(token)
    if invitation is None:
        return Response(
            render_template(
                "evaluations/answer_invalid.html",
            ),
            status=404,
            headers={"X-Robots-Tag": "noindex", **NO_STORE},
        )
    evaluation = invitation.evaluation
    now = utcnow()
    errors: dict[int, str] = {}
    message, status = None, 200
    values = _previous(services.own_response(invitation))
    if request.method == "POST":
        if not ConfirmForm().validate_on_submit():
            abort(400)
        values = _raw_answers(evaluation.questionnaire.questions)
        changed = invitation.answered_at is not None
        try:
            seen = request.form.get("seen")
            services.submit_answers(
                invitation,
                values,
                seen_anonymous=None if seen not in ("anonymous", "named") else seen == "anonymous",
                now=now,
            )
        except services.AnswersInvalid as exc:
            db.session.rollback()
            errors, message, status = exc.errors, exc.message, 400
        except DomainError as exc:
            db.session.rollback()
            message, status = exc.message, exc.status_code
        else:
            db.session.commit()
            flash(
                _("Your changed answers have been saved. Thank you!")
                if changed
                else _("Thank you! Your answers have been saved."),
                "success",
            )
            return redirect(url_for(".answer", token=token))
        invitation = services.invitation_by_token(token)
        evaluation = invitation.evaluation
    return Response(
        render_template(
            "evaluations/answer.html",
            invitation=invitation,
            evaluation=evaluation,
            session=evaluation.session,
            programme=evaluation.session.programme,
            questions=evaluation.questionnaire.questions if evaluation.questionnaire else [],
            values=values,
            errors=errors,
            message=message,
            closed=not evaluation.is_open(now),
            form=ConfirmForm(),
        ),
        status=status,
        headers={"X-Robots-Tag": "noindex", **NO_STORE},
    )
