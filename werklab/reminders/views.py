"""Reminders: a programme's setting (trainers, coordinators), a participant's choice on the
manage page, and the trainers' calendar feed."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from werklab import permissions
from werklab.catalog.services import load_programme
from werklab.db import utcnow
from werklab.errors import DomainError
from werklab.extensions import db
from werklab.registration.lookup import find_by_token
from werklab.reminders import services
from werklab.reminders.forms import FeedForm, ReminderChoiceForm, ReminderSettingsForm
from werklab.translation import gettext as _

bp = Blueprint("reminders", __name__)

#: A feed holds who runs what and where: never kept by a browser or proxy cache.
NO_STORE = {"Cache-Control": "no-store"}


def _actor() -> str:
    kind = "coordinator" if permissions.is_coordinator(current_user) else "trainer"
    return f"{kind}:{current_user.id}"


@bp.route("/werkruimte/<int:programme_id>/herinneringen", methods=["GET", "POST"])
@login_required
def settings(programme_id: int):
    """How many days before each session participants get their reminder (0: none)."""
    programme = load_programme(programme_id) or abort(404)
    if not permissions.can_set_reminders(current_user, programme):
        abort(403)
    days = services.days_before(programme)
    form = ReminderSettingsForm(data={"days_before": days})
    error = None
    if form.validate_on_submit():
        try:
            changed = services.set_days_before(
                programme, form.days_before.data, actor=_actor(), now=utcnow()
            )
        except DomainError as exc:
            db.session.rollback()
            error = exc.message
        else:
            db.session.commit()
            flash(
                _("The reminder setting has been saved.") if changed else _("Nothing was changed."),
                "success" if changed else "info",
            )
            return redirect(url_for("workspace.programme", programme_id=programme.id))
    status = 400 if form.errors or error else 200
    return render_template(
        "reminders/settings.html", programme=programme, form=form, error=error, days=days
    ), status


@bp.post("/inschrijving/<token>/herinneringen")
def choose(token: str):
    """A participant switches their reminders off, or on again."""
    registration = find_by_token(token) or abort(404)
    form = ReminderChoiceForm()
    back = redirect(url_for("registration.manage", token=token, _anchor="herinneringen"))
    if not registration.is_active:
        flash(_("This registration has already been cancelled or has ended."), "info")
        return back
    if not form.validate_on_submit():
        flash(_("Choose whether you want reminders."), "error")
        return back
    on = form.choice.data == "on"
    services.switch_reminders(
        registration, on, actor=f"participant:{registration.id}", now=utcnow()
    )
    db.session.commit()
    if on:
        flash(_("Reminders are on: we mail you before each session."), "success")
    else:
        flash(_("Reminders are off: we no longer mail you before sessions."), "success")
    return back


@bp.get("/werkruimte/agenda/<token>.ics")
def trainer_feed(token: str):
    """A trainer's calendar feed: no sign-in (calendar apps cannot), the token is the key."""
    feed = services.find_trainer_feed(token) or abort(404)
    return Response(
        services.trainer_calendar(feed.user, _("werklab: sessions I run")),
        mimetype="text/calendar",
        headers={"X-Robots-Tag": "noindex", **NO_STORE},
    )


def _trainer():
    if not permissions.can_have_trainer_feed(current_user):
        abort(403)
    return current_user._get_current_object()


@bp.post("/werkruimte/agenda/nieuw")
@login_required
def renew_feed():
    """Make a calendar link; a new one replaces the old, which stops working."""
    me = _trainer()
    if FeedForm().validate_on_submit():
        had_one = services.trainer_feed_of(me) is not None
        services.renew_trainer_feed(me, actor=_actor(), now=utcnow())
        db.session.commit()
        if had_one:
            flash(_("Here is your new calendar link. The old link no longer works."), "success")
        else:
            flash(_("Here is your calendar link."), "success")
    return redirect(url_for("workspace.index", _anchor="agenda"))


@bp.post("/werkruimte/agenda/stoppen")
@login_required
def revoke_feed():
    """Switch the calendar link off."""
    me = _trainer()
    if FeedForm().validate_on_submit() and services.revoke_trainer_feed(
        me, actor=_actor(), now=utcnow()
    ):
        db.session.commit()
        flash(_("Your calendar link has been switched off. It no longer works."), "success")
    return redirect(url_for("workspace.index", _anchor="agenda"))
