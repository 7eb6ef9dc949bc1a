"""A coordinator completes a programme by hand (tick does it a week after the last session)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import ngettext
from flask_login import current_user, login_required

from werklab import permissions
from werklab.catalog.services import load_programme
from werklab.completion import services
from werklab.completion.forms import CompleteForm
from werklab.db import utcnow
from werklab.errors import DomainError
from werklab.extensions import db
from werklab.registration.seats import lock_programme

bp = Blueprint("completion", __name__)


def _page(programme, form, status: int = 200, error: str | None = None):
    now = utcnow()
    return render_template(
        "completion/confirm.html",
        programme=programme,
        form=form,
        error=error,
        problems=services.completion_problems(programme, now),
        summary=services.summary(programme, now),
    ), status


@bp.route("/beheer/programma/<int:programme_id>/afronden", methods=["GET", "POST"])
@login_required
def complete(programme_id: int):
    """What completing does (who gets a certificate and the final evaluation), then do it."""
    if not permissions.can_complete_programme(current_user):
        abort(403)
    programme = load_programme(programme_id) or abort(404)
    form = CompleteForm()
    if not form.validate_on_submit():
        return _page(programme, form, 400 if form.is_submitted() else 200)
    programme = lock_programme(programme_id) or abort(404)
    try:
        mailed = services.complete_programme(
            programme, actor=f"coordinator:{current_user.id}", now=utcnow()
        )
    except DomainError as exc:
        db.session.rollback()
        return _page(load_programme(programme_id), form, exc.status_code, exc.message)
    db.session.commit()
    flash(
        ngettext(
            "%(title)s has been completed; %(num)d participant gets a closing mail.",
            "%(title)s has been completed; %(num)d participants get a closing mail.",
            mailed,
            title=programme.title,
        ),
        "success",
    )
    return redirect(url_for("manage.programme", programme_id=programme_id))
