"""Trainer workspace: my programmes, participants, waiting list, notes, exports."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from werklab import menu, permissions
from werklab.attendance.services import records_for_registrations
from werklab.catalog.services import load_programme
from werklab.completion import services as completion
from werklab.db import utcnow
from werklab.errors import DomainError
from werklab.extensions import db
from werklab.hosting.services import HOSTED_KINDS
from werklab.hosting.services import rota as host_rota
from werklab.links import external_url
from werklab.registration.lookup import load_registration
from werklab.reminders import services as reminders
from werklab.translation import gettext as _
from werklab.translation import lazy_gettext as _l
from werklab.workspace import export, services
from werklab.workspace.forms import NoteForm

bp = Blueprint("workspace", __name__, url_prefix="/werkruimte")

menu.add("workspace.index", _l("My programmes as trainer"), permissions.is_staff)


def _programme(programme_id: int, allowed):
    """Load a programme (404) and check the rule `allowed` for the current user (403)."""
    programme = load_programme(programme_id) or abort(404)
    if not allowed(current_user, programme):
        abort(403)
    return programme


def _registration(registration_id: int, allowed):
    registration = load_registration(registration_id) or abort(404)
    if not allowed(current_user, registration):
        abort(403)
    if request.method == "POST":
        permissions.check_changeable(registration.programme)
    return registration


def _download(data: bytes, mimetype: str, filename: str) -> Response:
    """An attachment that no browser or proxy keeps: it holds personal data."""
    return Response(
        data,
        mimetype=mimetype,
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )


@bp.get("/")
@login_required
def index():
    """My programmes: the ones I run; a coordinator sees all of them."""
    if not permissions.is_staff(current_user):
        abort(403)
    trainer_id = None if permissions.is_coordinator(current_user) else current_user.id
    rows = services.programmes_run_by(trainer_id, now=utcnow())
    feed = reminders.trainer_feed_of(current_user) if current_user.is_trainer else None
    return render_template(
        "workspace/index.html",
        rows=rows,
        trainer_feed_url=external_url("reminders.trainer_feed", token=feed.token) if feed else None,
    )


@bp.get("/<int:programme_id>")
@login_required
def programme(programme_id: int):
    """A programme's participants, waiting list, seats and sessions."""
    programme = _programme(programme_id, permissions.can_see_participants)
    overview = services.programme_overview(programme, now=utcnow())
    hosting = (
        host_rota(programme, utcnow(), overview.taken) if programme.kind in HOSTED_KINDS else None
    )
    return render_template(
        "workspace/programme.html",
        programme=programme,
        overview=overview,
        hosting=hosting,
        completes_on=completion.completes_on(programme),
    )


@bp.get("/deelnemer/<int:registration_id>")
@login_required
def participant(registration_id: int):
    """One participant: details, attendance and the private trainer notes."""
    registration = _registration(registration_id, permissions.can_view_notes)
    return _participant_page(registration, NoteForm())


def _participant_page(registration, form, status: int = 200):
    records = {r.session_id: r for r in records_for_registrations([registration.id])}
    return render_template(
        "workspace/participant.html",
        registration=registration,
        programme=registration.programme,
        records=records,
        notes=services.notes_for_registrations([registration.id]),
        form=form,
        can_add_note=permissions.can_add_note(current_user, registration),
    ), status


@bp.post("/deelnemer/<int:registration_id>/notities")
@login_required
def add_note(registration_id: int):
    """Add a private note about a participant."""
    registration = _registration(registration_id, permissions.can_add_note)
    form = NoteForm()
    if not form.validate_on_submit():
        return _participant_page(registration, form, 400)
    try:
        services.add_note(
            registration, form.body.data, author=current_user._get_current_object(), now=utcnow()
        )
    except DomainError as exc:
        db.session.rollback()
        form.body.errors.append(exc.message)
        return _participant_page(registration, form, exc.status_code)
    db.session.commit()
    flash(_("Your note has been saved."), "success")
    return redirect(url_for("workspace.participant", registration_id=registration_id) + "#notities")


def _export_name(programme, extension: str) -> str:
    return f"deelnemers-{programme.slug}-{utcnow():%Y-%m-%d}.{extension}"


@bp.get("/<int:programme_id>/deelnemers.csv")
@login_required
def export_csv(programme_id: int):
    """Download the participants as CSV."""
    programme = _programme(programme_id, permissions.can_export_participants)
    table = export.rows(services.participants_of(programme.id))
    return _download(export.to_csv(table), "text/csv", _export_name(programme, "csv"))


@bp.get("/<int:programme_id>/deelnemers.xlsx")
@login_required
def export_xlsx(programme_id: int):
    """Download the participants as an Excel workbook."""
    programme = _programme(programme_id, permissions.can_export_participants)
    table = export.rows(services.participants_of(programme.id))
    return _download(
        export.to_xlsx(table, title=programme.title),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        _export_name(programme, "xlsx"),
    )
