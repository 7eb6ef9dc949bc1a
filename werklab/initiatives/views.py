"""Resident initiatives directory, site visits and their hosts."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from wtforms import SelectChoice

from werklab import permissions
from werklab.catalog.models import ProgrammeSession, SessionKind
from werklab.db import utcnow
from werklab.errors import DomainError
from werklab.extensions import db
from werklab.initiatives import services
from werklab.initiatives.forms import (
    FeedbackForm,
    HostAnswerForm,
    InitiativeForm,
    SessionHostForm,
    VisitForm,
)
from werklab.initiatives.models import Initiative, VisitStatus
from werklab.registration.lookup import find_by_token
from werklab.translation import gettext as _

bp = Blueprint("initiatives", __name__)


def _allow(allowed: bool) -> None:
    if not allowed:
        abort(403)


def _actor() -> str:
    return f"{'coordinator' if current_user.is_coordinator else 'trainer'}:{current_user.id}"


def _failed(exc: DomainError) -> None:
    db.session.rollback()
    flash(exc.message, "error")


def _initiative_choices() -> list[SelectChoice]:
    return [
        SelectChoice(i.id, f"{i.name} ({i.place})" if i.place else i.name)
        for i in services.all_initiatives()
    ]


# --- public ----------------------------------------------------------------------------------


@bp.get("/initiatieven")
def public_list():
    """The resident initiatives, showing only what each agreed to share."""
    return render_template("initiatives/public.html", initiatives=services.public_initiatives())


# --- coordinator: the directory --------------------------------------------------------------


@bp.get("/beheer/initiatieven")
@login_required
def directory():
    """Every initiative in the directory, with its consent status and capacity."""
    _allow(permissions.can_manage_initiatives(current_user))
    return render_template("initiatives/directory.html", initiatives=services.all_initiatives())


@bp.route("/beheer/initiatieven/nieuw", methods=["GET", "POST"])
@login_required
def new_initiative():
    """Add an initiative to the directory."""
    _allow(permissions.can_manage_initiatives(current_user))
    form = InitiativeForm()
    if form.validate_on_submit():
        try:
            services.create_initiative(form.to_data(), actor=_actor(), now=utcnow())
        except DomainError as exc:
            _failed(exc)
        else:
            db.session.commit()
            flash(_("The initiative has been added."), "success")
            return redirect(url_for("initiatives.directory"))
    status = 400 if form.errors else 200
    return render_template("initiatives/initiative_form.html", form=form, initiative=None), status


@bp.route("/beheer/initiatieven/<int:initiative_id>", methods=["GET", "POST"])
@login_required
def edit_initiative(initiative_id: int):
    """Change an initiative's details and consent record."""
    _allow(permissions.can_manage_initiatives(current_user))
    initiative = db.session.get(Initiative, initiative_id) or abort(404)
    form = InitiativeForm(obj=initiative)
    if form.validate_on_submit():
        try:
            services.update_initiative(initiative, form.to_data(), actor=_actor(), now=utcnow())
        except DomainError as exc:
            _failed(exc)
        else:
            db.session.commit()
            flash(_("The initiative has been saved."), "success")
            return redirect(url_for("initiatives.directory"))
    status = 400 if form.errors else 200
    return render_template(
        "initiatives/initiative_form.html", form=form, initiative=initiative
    ), status


# --- trainers: site visits and session hosts -------------------------------------------------


def _session(session_id: int) -> ProgrammeSession:
    session = db.session.get(ProgrammeSession, session_id) or abort(404)
    _allow(permissions.can_plan_visits(current_user, session.programme))
    if request.method == "POST":
        permissions.check_changeable(session.programme)
    return session


def _visits_page(session: ProgrammeSession, visit_form=None, status: int = 200):
    choices = _initiative_choices()
    visit_form = visit_form or VisitForm(formdata=None)
    visit_form.initiative_id.choices = choices
    host = services.session_host(session)
    host_form = SessionHostForm(
        formdata=None,
        initiative_id=host.initiative_id if host and host.initiative_id else 0,
        organisation=host.host_organisation if host else "",
    )
    host_form.initiative_id.choices = [SelectChoice(0, _("No initiative")), *choices]
    return render_template(
        "initiatives/visits.html",
        session=session,
        programme=session.programme,
        visits=services.visits_of(session),
        visit_form=visit_form,
        host_form=host_form,
        is_site_visit=session.kind is SessionKind.SITE_VISIT,
        VisitStatus=VisitStatus,
    ), status


@bp.get("/werkruimte/bijeenkomst/<int:session_id>/werkbezoeken")
@login_required
def visits(session_id: int):
    """A session's site visits with their status, participants and host."""
    return _visits_page(_session(session_id))


@bp.post("/werkruimte/bijeenkomst/<int:session_id>/werkbezoeken")
@login_required
def add_visit(session_id: int):
    """Plan a visit to an initiative and ask its host by mail."""
    session = _session(session_id)
    form = VisitForm()
    form.initiative_id.choices = _initiative_choices()
    if not form.validate_on_submit():
        return _visits_page(session, form, 400)
    initiative = db.session.get(Initiative, form.initiative_id.data) or abort(404)
    try:
        services.add_visit(session, initiative, *form.slot(), actor=_actor(), now=utcnow())
    except DomainError as exc:
        _failed(exc)
    else:
        db.session.commit()
        flash(_("The visit has been planned and the host has been asked by e-mail."), "success")
    return redirect(url_for("initiatives.visits", session_id=session.id))


@bp.post("/werkruimte/bijeenkomst/<int:session_id>/werkbezoeken/indelen")
@login_required
def assign(session_id: int):
    """Spread the participants over the visits, within each host's capacity."""
    session = _session(session_id)
    try:
        unplaced = services.assign_automatically(session, actor=_actor(), now=utcnow())
    except DomainError as exc:
        _failed(exc)
    else:
        db.session.commit()
        if unplaced:
            flash(
                _("%(num)d participants could not be placed: the hosts are full.", num=unplaced),
                "error",
            )
        else:
            flash(_("Everyone has been assigned to a visit."), "success")
    return redirect(url_for("initiatives.visits", session_id=session.id))


@bp.post("/werkruimte/bijeenkomst/<int:session_id>/gastlocatie")
@login_required
def set_host(session_id: int):
    """Record who hosts the session: an initiative or an organisation."""
    session = _session(session_id)
    form = SessionHostForm()
    form.initiative_id.choices = [SelectChoice(0, ""), *_initiative_choices()]
    if not form.validate_on_submit():
        flash(_("Please choose an initiative from the list."), "error")
        return redirect(url_for("initiatives.visits", session_id=session.id))
    initiative = (
        db.session.get(Initiative, form.initiative_id.data) if form.initiative_id.data else None
    )
    services.set_session_host(
        session,
        initiative=initiative,
        organisation=form.organisation.data or "",
        actor=_actor(),
        now=utcnow(),
    )
    db.session.commit()
    flash(_("The host has been saved."), "success")
    return redirect(url_for("initiatives.visits", session_id=session.id))


# --- hosts (no account: the signed link is the key) -----------------------------------------


@bp.route("/werkbezoek/<token>", methods=["GET", "POST"])
def host(token: str):
    """The host confirms or declines a visit and adds practical information."""
    visit = services.visit_by_host_token(token) or abort(404)
    form = HostAnswerForm(
        info=visit.host_info,
        answer={VisitStatus.CONFIRMED: "yes", VisitStatus.DECLINED: "no"}.get(visit.status),
    )
    if form.validate_on_submit():
        try:
            services.respond_to_visit(
                visit, accept=form.answer.data == "yes", info=form.info.data or "", now=utcnow()
            )
        except DomainError as exc:
            _failed(exc)
        else:
            db.session.commit()
            flash(_("Thank you: your answer has been saved."), "success")
        return redirect(url_for("initiatives.host", token=token))
    status = 400 if form.errors else 200
    return render_template(
        "initiatives/host.html", visit=visit, form=form, past=visit.ends_at <= utcnow()
    ), status


@bp.route("/werkbezoek/<token>/terugkoppeling", methods=["GET", "POST"])
def feedback(token: str):
    """The host answers one question after the visit."""
    visit = services.visit_by_feedback_token(token) or abort(404)
    form = FeedbackForm()
    if form.validate_on_submit():
        try:
            services.give_feedback(visit, form.answer.data or "", now=utcnow())
        except DomainError as exc:
            _failed(exc)
        else:
            db.session.commit()
            flash(_("Thank you for your feedback."), "success")
        return redirect(url_for("initiatives.feedback", token=token))
    return render_template("initiatives/feedback.html", visit=visit, form=form)


# --- participants (from their manage link) ---------------------------------------------------


@bp.get("/inschrijving/<token>/werkbezoek")
def participant_visit(token: str):
    """A participant's site visits: address and time once the host has confirmed."""
    registration = find_by_token(token) or abort(404)
    if not registration.is_seated:
        abort(404)
    return render_template(
        "initiatives/participant.html",
        registration=registration,
        programme=registration.programme,
        rows=services.visits_for_registration(registration),
        token=token,
        VisitStatus=VisitStatus,
    )
