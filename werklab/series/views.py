"""Plan a series of sessions from the trainer's programme page: ask, propose, confirm."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import ngettext
from flask_login import current_user, login_required

from werklab import permissions
from werklab.catalog.services import load_programme
from werklab.db import utcnow
from werklab.errors import DomainError
from werklab.extensions import db
from werklab.series import planning, services
from werklab.series.forms import ConfirmSeriesForm, SeriesForm

bp = Blueprint("series", __name__)


def _programme(programme_id: int):
    programme = load_programme(programme_id) or abort(404)
    if not permissions.can_plan_series(current_user, programme):
        abort(403)
    return programme


def _actor() -> str:
    return f"user:{current_user.id}"


def _refusal(programme) -> str | None:
    """Why no series can be planned for this programme at all (a werklab), or None."""
    try:
        services.check_programme(programme)
    except DomainError as exc:
        return exc.message
    return None


def _ask_page(programme, form, status: int = 200, error: str | None = None):
    return render_template(
        "series/ask.html",
        programme=programme,
        form=form,
        error=error,
        refusal=_refusal(programme),
    ), status


def _proposal_page(programme, form, proposal, status: int = 200, error: str | None = None):
    return render_template(
        "series/proposal.html", programme=programme, form=form, proposal=proposal, error=error
    ), status


@bp.get("/werkruimte/<int:programme_id>/reeks")
@login_required
def ask(programme_id: int):
    """The series form, with the interval that suits the programme's kind."""
    programme = _programme(programme_id)
    form = SeriesForm(
        data={
            "interval": services.DEFAULT_INTERVAL[programme.kind],
            "count": 6,
            "theme": "Bijeenkomst",
        }
    )
    return _ask_page(programme, form)


@bp.post("/werkruimte/<int:programme_id>/reeks")
@login_required
def propose(programme_id: int):
    """Show the proposed dates (holidays moved, and why); nothing is stored yet."""
    programme = _programme(programme_id)
    permissions.check_changeable(programme)
    form = SeriesForm()
    if not form.validate_on_submit():
        return _ask_page(programme, form, 400)
    try:
        services.check_programme(programme)
    except DomainError as exc:
        return _ask_page(programme, form, exc.status_code, exc.message)
    proposal = planning.propose(form.first_day.data, form.interval.data, form.count.data)
    asked = {name: value for name, value in form.data.items() if name != "csrf_token"}
    confirm = ConfirmSeriesForm(formdata=None, data={**asked, "days": [p.day for p in proposal]})
    return _proposal_page(programme, confirm, proposal)


@bp.post("/werkruimte/<int:programme_id>/reeks/bevestigen")
@login_required
def confirm(programme_id: int):
    """Create the sessions with the dates as the trainer set them."""
    programme = _programme(programme_id)
    permissions.check_changeable(programme)
    form = ConfirmSeriesForm()
    valid = form.validate_on_submit()
    asked_well = not (form.first_day.errors or form.interval.errors or form.count.errors)
    proposal = (
        planning.propose(form.first_day.data, form.interval.data, form.count.data)
        if asked_well and form.first_day.data and form.interval.data and form.count.data
        else []
    )
    if not valid:
        return _proposal_page(programme, form, proposal, 400)
    moved = [f"{p.moved_from.isoformat()}: {p.holiday}" for p in proposal if p.moved_from]
    try:
        sessions = services.create_series(
            programme, form.to_data(moved), actor=_actor(), now=utcnow()
        )
    except DomainError as exc:
        db.session.rollback()
        return _proposal_page(programme, form, proposal, exc.status_code, exc.message)
    db.session.commit()
    flash(
        ngettext(
            "%(num)d meeting has been added; everyone taking part gets a mail about it.",
            "%(num)d meetings have been added; everyone taking part gets one mail about them.",
            len(sessions),
        ),
        "success",
    )
    return redirect(url_for("workspace.programme", programme_id=programme.id) + "#bijeenkomsten")
