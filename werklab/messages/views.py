"""Writing to a programme's people (trainers and coordinators), the messages a participant
received ("Mijn traject"), and the choice to show one's e-mail address to one's group."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from werklab import permissions
from werklab.catalog.models import Programme
from werklab.db import utcnow
from werklab.errors import DomainError
from werklab.extensions import db
from werklab.messages import (
    notices,  # noqa: F401  (connects the notices to their signals)
    services,
)
from werklab.messages.forms import AUDIENCE_LABELS, MessageForm, SharingForm
from werklab.messages.models import Audience
from werklab.registration.models import Registration
from werklab.translation import gettext as _

bp = Blueprint("messages", __name__)

#: Personal data: never kept by a browser or proxy cache.
NO_STORE = {"Cache-Control": "no-store"}


def _programme(programme_id: int) -> Programme:
    if not permissions.is_staff(current_user):
        abort(403)
    programme = db.session.get(Programme, programme_id) or abort(404)
    if not permissions.can_write_to_participants(current_user, programme):
        abort(403)
    if request.method == "POST":
        permissions.check_changeable(programme)
    return programme


def _compose_page(programme: Programme, form: MessageForm, status: int = 200, error=None):
    return render_template(
        "messages/programme.html",
        programme=programme,
        form=form,
        sent=services.history(programme.id),
        error=error,
        audience_labels=AUDIENCE_LABELS,
    ), status


def _form(programme: Programme) -> MessageForm:
    return MessageForm(
        groups=services.current_groups(programme.id), people=services.candidates(programme.id)
    )


@bp.get("/werkruimte/<int:programme_id>/berichten")
@login_required
def programme(programme_id: int):
    """Write to the participants, the waiting list, a group or a few; what was sent before."""
    programme = _programme(programme_id)
    return _compose_page(programme, _form(programme))


@bp.post("/werkruimte/<int:programme_id>/berichten")
@login_required
def send(programme_id: int):
    """Send a message: one mail per person, through the outbox."""
    programme = _programme(programme_id)
    form = _form(programme)
    if not form.validate_on_submit():
        return _compose_page(programme, form, 400)
    data = services.MessageData(
        audience=Audience(form.audience.data),
        subject=form.subject.data,
        body=form.body.data,
        group_id=int(form.group_id.data) if (form.group_id.data or "").isdigit() else None,
        chosen=form.chosen_ids(),
    )
    try:
        message = services.send_message(
            programme, data, author=current_user._get_current_object(), now=utcnow()
        )
    except DomainError as exc:
        db.session.rollback()
        return _compose_page(programme, form, exc.status_code, error=exc.message)
    count = len(message.recipients)
    db.session.commit()
    flash(_("Your message has been sent to %(n)d people.", n=count), "success")
    return redirect(url_for("messages.programme", programme_id=programme_id))


@bp.get("/werkruimte/<int:programme_id>/berichten/<int:message_id>")
@login_required
def show(programme_id: int, message_id: int):
    """One message as it was sent, with who received it."""
    programme = _programme(programme_id)
    message = services.load_message(programme.id, message_id) or abort(404)
    return render_template(
        "messages/show.html",
        programme=programme,
        message=message,
        audience_labels=AUDIENCE_LABELS,
    )


@bp.get("/mijn-traject/berichten")
@login_required
def mine():
    """The messages I received, and whether my group sees my e-mail address."""
    if not permissions.can_view_own_programmes(current_user):
        abort(403)
    me = current_user._get_current_object()
    registrations = [
        r
        for r in db.session.execute(
            db.select(Registration)
            .where(Registration.email_normalized == me.email)
            .order_by(Registration.id.desc())
        ).scalars()
        if r.is_active
    ]
    return (
        render_template(
            "messages/mine.html",
            received=services.received_by(me.email),
            registrations=registrations,
            form=SharingForm(formdata=None),
        ),
        200,
        NO_STORE,
    )


@bp.post("/mijn-traject/inschrijving/<int:registration_id>/e-mail-delen")
@login_required
def sharing(registration_id: int):
    """Show or hide my e-mail address to my homework group in this programme."""
    if not permissions.can_view_own_programmes(current_user):
        abort(403)
    registration = db.session.get(Registration, registration_id) or abort(404)
    if not permissions.can_change_email_sharing(current_user, registration):
        abort(403)
    form = SharingForm()
    if not form.validate_on_submit():
        abort(400)
    share = bool(form.share.data)
    try:
        services.set_email_sharing(
            registration, share, actor=f"participant:{registration.id}", now=utcnow()
        )
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
    else:
        db.session.commit()
        if share:
            flash(_("Your homework group now sees your e-mail address."), "success")
        else:
            flash(_("Your e-mail address is no longer shown to your homework group."), "success")
    return redirect(url_for("messages.mine"))
