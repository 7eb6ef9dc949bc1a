"""Homework groups: the trainer's page and the participant's view of their own group."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from werklab import permissions
from werklab.catalog.services import load_programme
from werklab.db import utcnow
from werklab.errors import DomainError
from werklab.extensions import db
from werklab.groups import services
from werklab.groups.forms import ComposeForm, LockForm, MoveForm
from werklab.groups.labels import group_name
from werklab.registration.lookup import load_registration
from werklab.translation import gettext as _

bp = Blueprint("groups", __name__)


@bp.record_once
def _template_helpers(state) -> None:
    state.app.jinja_env.filters["group_name"] = group_name


def _programme(programme_id: int):
    programme = load_programme(programme_id) or abort(404)
    if not permissions.can_compose_groups(current_user, programme):
        abort(403)
    if request.method == "POST":
        permissions.check_changeable(programme)
    return programme


def _group(group_id: int):
    group = services.load_group(group_id) or abort(404)
    if not permissions.can_compose_groups(current_user, group.programme):
        abort(403)
    if request.method == "POST":
        permissions.check_changeable(group.programme)
    return group


def _page(programme, form: ComposeForm | None = None, status: int = 200):
    board = services.board(programme)
    choices = [(v.group.id, group_name(v.group)) for v in board.groups if not v.group.locked]
    return render_template(
        "groups/programme.html",
        programme=programme,
        board=board,
        form=form or ComposeForm(),
        choices=choices,
        lock_form=LockForm(),
    ), status


def _back(programme_id: int):
    return redirect(url_for("groups.programme", programme_id=programme_id))


@bp.get("/werkruimte/<int:programme_id>/huiswerkgroepen")
@login_required
def programme(programme_id: int):
    """The homework groups of a programme, with the forms to compose and change them."""
    return _page(_programme(programme_id))


@bp.post("/werkruimte/<int:programme_id>/huiswerkgroepen")
@login_required
def compose(programme_id: int):
    """Compose (or reshuffle) the groups; locked groups stay as they are."""
    programme = _programme(programme_id)
    form = ComposeForm()
    if not form.validate_on_submit():
        return _page(programme, form, 400)
    size_min, size_max = form.bounds
    try:
        services.compose_groups(
            programme,
            size_min=size_min,
            size_max=size_max,
            seed=form.seed.data,
            new_round=form.new_round.data,
            actor=current_user._get_current_object(),
            now=utcnow(),
        )
    except DomainError as exc:
        db.session.rollback()
        form.size.errors = [*form.size.errors, exc.message]
        return _page(programme, form, exc.status_code)
    db.session.commit()
    flash(_("The homework groups have been composed."), "success")
    return _back(programme_id)


@bp.post("/werkruimte/<int:programme_id>/huiswerkgroepen/verplaatsen")
@login_required
def move(programme_id: int):
    """Move a participant into another group (or place someone who is in none)."""
    programme = _programme(programme_id)
    form = MoveForm()
    if not form.validate_on_submit():
        abort(400)
    target = services.load_group(form.group_id.data)
    registration = load_registration(form.registration_id.data)
    if target is None or registration is None or registration.programme_id != programme.id:
        abort(404)
    try:
        services.move_member(
            registration, target, actor=current_user._get_current_object(), now=utcnow()
        )
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return _back(programme_id)
    db.session.commit()
    flash(
        _("%(name)s is now in %(group)s.", name=registration.full_name, group=target.name),
        "success",
    )
    return _back(programme_id)


def _set_locked(group_id: int, locked: bool):
    group = _group(group_id)
    if not LockForm().validate_on_submit():
        abort(400)
    try:
        services.set_locked(group, locked, actor=current_user._get_current_object(), now=utcnow())
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return _back(group.programme_id)
    db.session.commit()
    flash(
        _("%(group)s is locked.", group=group_name(group))
        if locked
        else _("%(group)s is unlocked.", group=group_name(group)),
        "success",
    )
    return _back(group.programme_id)


@bp.post("/werkruimte/huiswerkgroep/<int:group_id>/vastzetten")
@login_required
def lock(group_id: int):
    """Lock a group: composing again keeps it as it is."""
    return _set_locked(group_id, True)


@bp.post("/werkruimte/huiswerkgroep/<int:group_id>/losmaken")
@login_required
def unlock(group_id: int):
    """Unlock a group."""
    return _set_locked(group_id, False)


@bp.get("/mijn-traject/inschrijving/<int:registration_id>/groep")
@login_required
def mine(registration_id: int):
    """My homework group: its members' names and organisations."""
    registration = load_registration(registration_id) or abort(404)
    if not permissions.can_view_homework_group(current_user, registration):
        abort(403)
    group = services.group_of(registration)
    return render_template(
        "groups/mine.html",
        registration=registration,
        programme=registration.programme,
        group=group,
    )
