"""Early warning pages: who needs attention, a personal message, "contacted"."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_login import current_user, login_required

from werklab import permissions
from werklab.db import utcnow
from werklab.errors import DomainError
from werklab.extensions import db
from werklab.followup import services
from werklab.followup.forms import ContactForm, MessageForm
from werklab.followup.signals import REGISTRY
from werklab.translation import gettext as _

bp = Blueprint("followup", __name__, url_prefix="/werkruimte")


def _programme(programme_id: int):
    programme = services.load_programme(programme_id) or abort(404)
    if not permissions.can_follow_up(current_user, programme):
        abort(403)
    return programme


def _registration(registration_id: int):
    registration = services.load_registration(registration_id) or abort(404)
    if not permissions.can_contact_participant(current_user, registration):
        abort(403)
    if request.method == "POST":
        permissions.check_changeable(registration.programme)
    return registration


@bp.get("/aandacht")
@login_required
def overview():
    """My running programmes with how many people need attention in each."""
    if not permissions.is_staff(current_user):
        abort(403)
    trainer_id = None if permissions.is_coordinator(current_user) else current_user.id
    rows = services.overview(services.programmes_followed(trainer_id), utcnow())
    return render_template("followup/overview.html", rows=rows)


@bp.get("/<int:programme_id>/aandacht")
@login_required
def programme(programme_id: int):
    """Who in a programme needs attention, why and since when; the rules explained."""
    programme = _programme(programme_id)
    return _programme_page(programme)


def _programme_page(
    programme, *, failed_id: int | None = None, failed_form=None, error=None, status=200
):
    attention = services.attention(programme, utcnow())
    forms = {p.registration.id: ContactForm(formdata=None) for p in attention.people}
    if failed_id is not None and failed_form is not None:
        forms[failed_id] = failed_form
    for registration_id, form in forms.items():
        # One form per person on the page: each note field needs its own id for its label.
        form.body.id = form.body.label.field_id = f"contact-{registration_id}"
    return render_template(
        "followup/programme.html",
        programme=programme,
        attention=attention,
        forms=forms,
        error=error,
        kinds=list(REGISTRY.values()),
    ), status


@bp.post("/aandacht/<int:registration_id>/gecontacteerd")
@login_required
def contacted(registration_id: int):
    """Note that I got in touch: quiets this person's signals until something new happens."""
    registration = _registration(registration_id)
    form = ContactForm()
    if not form.validate_on_submit():
        return _programme_page(
            registration.programme, failed_id=registration.id, failed_form=form, status=400
        )
    try:
        services.record_contact(
            registration, form.body.data, actor=current_user._get_current_object(), now=utcnow()
        )
    except DomainError as exc:
        db.session.rollback()
        return _programme_page(
            registration.programme,
            failed_id=registration.id,
            failed_form=form,
            error=exc.message,
            status=exc.status_code,
        )
    db.session.commit()
    flash(_("Noted that you contacted %(name)s.", name=registration.full_name), "success")
    return redirect(url_for("followup.programme", programme_id=registration.programme_id))


def _prefilled(registration, programme) -> MessageForm:
    """The message form, started in the participant's own language."""
    with force_locale(registration.locale or "nl"):
        subject = _("How are you doing in %(title)s?", title=programme.title)
        greeting = _("Dear %(name)s,", name=registration.first_name)
        closing = _("Kind regards,")
    body = f"{greeting}\n\n\n\n{closing}\n{current_user.display_name}"
    return MessageForm(data={"subject": subject, "body": body, "mark_contacted": True})


@bp.route("/aandacht/<int:registration_id>/bericht", methods=["GET", "POST"])
@login_required
def message(registration_id: int):
    """Send a participant a personal message; answers go to my own address."""
    registration = _registration(registration_id)
    programme = registration.programme
    form = MessageForm() if request.method == "POST" else _prefilled(registration, programme)
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                services.send_personal_message(
                    registration,
                    form.subject.data,
                    form.body.data,
                    sender=current_user._get_current_object(),
                    mark_contacted=form.mark_contacted.data,
                    now=utcnow(),
                )
            except DomainError as exc:
                db.session.rollback()
                form.body.errors = [*form.body.errors, exc.message]
                status = exc.status_code
            else:
                db.session.commit()
                flash(
                    _("Your message to %(name)s is on its way.", name=registration.full_name),
                    "success",
                )
                return redirect(url_for("followup.programme", programme_id=programme.id))
        else:
            status = 400
    person = services.person_of(registration, utcnow())
    return render_template(
        "followup/message.html",
        registration=registration,
        programme=programme,
        person=person,
        form=form,
    ), status
