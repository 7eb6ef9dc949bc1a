"""The programme set together: the learning questions page and the themes page for trainers,
and the vote for participants (from "Mijn traject")."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import ngettext
from flask_login import current_user, login_required

from werklab import permissions
from werklab.db import utcnow
from werklab.errors import DomainError
from werklab.extensions import db
from werklab.themes import services
from werklab.themes.forms import ConfirmForm, ScheduleForm, ThemeForm, VoteLimitForm
from werklab.themes.questions import learning_questions
from werklab.translation import gettext as _

bp = Blueprint("themes", __name__)

#: Who proposed what, and people's learning questions: never kept by a cache.
NO_STORE = {"Cache-Control": "no-store"}


def _actor() -> str:
    return f"user:{current_user.id}"


def _me():
    return current_user._get_current_object()


def _programme(programme_id: int, allowed):
    programme = services.load_programme(programme_id) or abort(404)
    if not allowed(current_user, programme):
        abort(403)
    if not services.sets_together(programme):
        abort(404)  # a werklab has its three fixed sessions and asks no learning questions
    return programme


def _theme(theme_id: int):
    theme = services.load_theme(theme_id) or abort(404)
    if not permissions.can_manage_themes(current_user, theme.programme):
        abort(403)
    return theme


def _flash_errors(form) -> None:
    for errors in form.errors.values():
        for error in errors:
            flash(error, "error")


def _to_programme(programme_id: int, anchor: str | None = None):
    return redirect(url_for(".programme", programme_id=programme_id, _anchor=anchor))


@bp.get("/werkruimte/<int:programme_id>/leervragen")
@login_required
def questions(programme_id: int):
    """The participants' learning questions, by sector and organisation."""
    programme = _programme(programme_id, permissions.can_read_learning_questions)
    return (
        render_template(
            "themes/questions.html", programme=programme, found=learning_questions(programme)
        ),
        200,
        NO_STORE,
    )


@bp.get("/werkruimte/<int:programme_id>/themas")
@login_required
def programme(programme_id: int):
    """The ranking of the themes, who proposed them, and the forms to add, change, hide and
    fix them."""
    programme = _programme(programme_id, permissions.can_manage_themes)
    found = services.overview(programme)
    sessions = services.schedulable_sessions(programme, utcnow())
    return (
        render_template(
            "themes/programme.html",
            programme=programme,
            found=found,
            form=ThemeForm(),
            limit_form=VoteLimitForm(votes=found.limit),
            schedule_form=ScheduleForm(sessions=sessions),
            sessions=sessions,
            confirm=ConfirmForm(),
        ),
        200,
        NO_STORE,
    )


@bp.post("/werkruimte/<int:programme_id>/themas")
@login_required
def propose(programme_id: int):
    """Add a trainer's theme to the vote."""
    programme = _programme(programme_id, permissions.can_manage_themes)
    form = ThemeForm()
    if not form.validate_on_submit():
        _flash_errors(form)
        return _to_programme(programme.id, "voorstellen")
    try:
        services.propose_theme(programme, form.to_data(), actor=_actor(), user=_me(), now=utcnow())
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return _to_programme(programme.id, "voorstellen")
    db.session.commit()
    flash(_("The theme has been added to the vote."), "success")
    return _to_programme(programme.id, "ranglijst")


@bp.post("/werkruimte/<int:programme_id>/themas/stemmen")
@login_required
def vote_limit(programme_id: int):
    """Set how many votes each participant has."""
    programme = _programme(programme_id, permissions.can_manage_themes)
    form = VoteLimitForm()
    if not form.validate_on_submit():
        _flash_errors(form)
        return _to_programme(programme.id)
    try:
        changed = services.set_vote_limit(programme, form.votes.data, actor=_actor(), now=utcnow())
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return _to_programme(programme.id)
    db.session.commit()
    if changed:
        flash(
            ngettext(
                "Each participant now has %(num)d vote.",
                "Each participant now has %(num)d votes.",
                form.votes.data,
            ),
            "success",
        )
    return _to_programme(programme.id)


@bp.route("/werkruimte/thema/<int:theme_id>/bewerken", methods=["GET", "POST"])
@login_required
def edit(theme_id: int):
    """Change a theme's title or description while it is in the vote."""
    theme = _theme(theme_id)
    form = ThemeForm(obj=theme)
    if form.validate_on_submit():
        programme_id = theme.programme_id
        try:
            services.update_theme(theme, form.to_data(), actor=_actor(), now=utcnow())
        except DomainError as exc:
            db.session.rollback()
            flash(exc.message, "error")
            return _to_programme(programme_id, "ranglijst")
        db.session.commit()
        flash(_("The theme has been changed."), "success")
        return _to_programme(programme_id, "ranglijst")
    return render_template("themes/edit.html", theme=theme, programme=theme.programme, form=form)


@bp.post("/werkruimte/thema/<int:theme_id>/verbergen")
@login_required
def hide(theme_id: int):
    """Take a theme out of the vote."""
    theme = _theme(theme_id)
    programme_id = theme.programme_id
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        services.hide_theme(theme, actor=_actor(), user=_me(), now=utcnow())
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return _to_programme(programme_id, "ranglijst")
    db.session.commit()
    flash(_("The theme has been hidden: participants no longer see it."), "success")
    return _to_programme(programme_id, "ranglijst")


@bp.post("/werkruimte/thema/<int:theme_id>/tonen")
@login_required
def show(theme_id: int):
    """Put a hidden theme back in the vote."""
    theme = _theme(theme_id)
    programme_id = theme.programme_id
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        services.show_theme(theme, actor=_actor(), now=utcnow())
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return _to_programme(programme_id, "verborgen")
    db.session.commit()
    flash(_("The theme is back in the vote."), "success")
    return _to_programme(programme_id, "ranglijst")


@bp.post("/werkruimte/thema/<int:theme_id>/vastzetten")
@login_required
def schedule(theme_id: int):
    """Make a theme the theme of a coming session."""
    theme = _theme(theme_id)
    programme_id, now = theme.programme_id, utcnow()
    sessions = services.schedulable_sessions(theme.programme, now)
    form = ScheduleForm(sessions=sessions)
    if not form.validate_on_submit():
        _flash_errors(form)
        return _to_programme(programme_id, "ranglijst")
    session = next((s for s in sessions if str(s.id) == form.session.data), None)
    if session is None:
        flash(_("Choose one of the sessions still to come."), "error")
        return _to_programme(programme_id, "ranglijst")
    title, position = theme.title, session.position
    try:
        previous = services.schedule_theme(theme, session, actor=_actor(), user=_me(), now=now)
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return _to_programme(programme_id, "ranglijst")
    previous_title = previous.title if previous else None
    db.session.commit()
    flash(
        _(
            "“%(title)s” is now the theme of session %(position)d. The participants have been "
            "told.",
            title=title,
            position=position,
        ),
        "success",
    )
    if previous_title:
        flash(_("“%(title)s” is back in the vote.", title=previous_title), "info")
    return _to_programme(programme_id, "gekozen")


# --- participants ----------------------------------------------------------------------------


def _voter(registration_id: int):
    registration = services.load_registration(registration_id) or abort(404)
    if not permissions.can_vote_on_themes(current_user, registration):
        abort(403)
    if not services.sets_together(registration.programme):
        abort(404)
    return registration


def _to_mine(registration_id: int, anchor: str | None = None):
    return redirect(url_for(".mine", registration_id=registration_id, _anchor=anchor))


@bp.get("/mijn-traject/inschrijving/<int:registration_id>/themas")
@login_required
def mine(registration_id: int):
    """The themes to vote on, my votes left, the chosen themes, and a form to propose one."""
    registration = _voter(registration_id)
    programme = registration.programme
    found = services.overview(programme, registration=registration)
    used = sum(1 for item in found.ranking if item.mine)
    return (
        render_template(
            "themes/mine.html",
            registration=registration,
            programme=programme,
            found=found,
            used=used,
            left=max(found.limit - used, 0),
            form=ThemeForm(),
            confirm=ConfirmForm(),
        ),
        200,
        NO_STORE,
    )


@bp.post("/mijn-traject/inschrijving/<int:registration_id>/themas")
@login_required
def propose_own(registration_id: int):
    """Propose a theme of one's own."""
    registration = _voter(registration_id)
    form = ThemeForm()
    if not form.validate_on_submit():
        _flash_errors(form)
        return _to_mine(registration.id, "voorstellen")
    try:
        services.propose_own_theme(registration, form.to_data(), actor=_actor(), now=utcnow())
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return _to_mine(registration.id, "voorstellen")
    db.session.commit()
    flash(_("Thank you: your theme is in the vote. The trainers have been told."), "success")
    return _to_mine(registration.id)


def _vote_action(registration_id: int, theme_id: int, action, message: str):
    registration = _voter(registration_id)
    theme = services.load_theme(theme_id) or abort(404)
    if theme.programme_id != registration.programme_id:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        action(theme, registration, actor=_actor(), now=utcnow())
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return _to_mine(registration_id, f"thema-{theme_id}")
    db.session.commit()
    flash(message, "success")
    return _to_mine(registration_id, f"thema-{theme_id}")


@bp.post("/mijn-traject/inschrijving/<int:registration_id>/themas/<int:theme_id>/stem")
@login_required
def vote(registration_id: int, theme_id: int):
    """Give one of my votes to a theme."""
    return _vote_action(
        registration_id, theme_id, services.cast_vote, _("Your vote has been counted.")
    )


@bp.post("/mijn-traject/inschrijving/<int:registration_id>/themas/<int:theme_id>/intrekken")
@login_required
def unvote(registration_id: int, theme_id: int):
    """Take my vote for a theme back."""
    return _vote_action(
        registration_id, theme_id, services.withdraw_vote, _("Your vote has been taken back.")
    )
