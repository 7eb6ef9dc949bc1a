"""Registration form, the manage link, cancellation and waiting-list offers."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _

from werklab.catalog.ics import programme_calendar
from werklab.catalog.services import registrable_programme
from werklab.db import utcnow
from werklab.errors import DomainError
from werklab.extensions import db
from werklab.registration import services
from werklab.registration.forms import ConfirmForm, RegistrationForm
from werklab.registration.models import RegistrationStatus

bp = Blueprint("registration", __name__)


def _load(token: str):
    return services.find_by_token(token) or abort(404)


@bp.route("/programma/<slug>/inschrijven", methods=["GET", "POST"])
def register(slug: str):
    """Show and handle the registration form."""
    token = request.args.get("uitnodiging")
    now = utcnow()
    programme = registrable_programme(slug, token) or abort(404)
    if not programme.registration_is_open(now):
        return render_template("registration/closed.html", programme=programme), 409
    form = RegistrationForm(programme=programme)
    if form.validate_on_submit():
        try:
            registration = services.register(
                programme.id, form.to_data(str(get_locale())), invitation_token=token, now=now
            )
        except DomainError as exc:
            db.session.rollback()
            form.form_errors.append(exc.message)
            return render_template(
                "registration/form.html", form=form, programme=programme, token=token
            ), exc.status_code
        seated, manage = registration.is_seated, services.manage_token(registration)
        db.session.commit()
        if seated:
            flash(_("You are registered: your place is confirmed."), "success")
        else:
            flash(_("The programme is full: you are on the waiting list."), "info")
        return redirect(url_for("registration.manage", token=manage))
    status = 400 if form.is_submitted() else 200
    return render_template(
        "registration/form.html", form=form, programme=programme, token=token
    ), status


@bp.get("/inschrijving/<token>")
def manage(token: str):
    """Show a registration's status, with links to cancel or answer an offer."""
    registration = _load(token)
    return render_template(
        "registration/manage.html",
        registration=registration,
        programme=registration.programme,
        position=services.waitlist_position(registration),
        has_offer=registration.has_open_offer(utcnow()),
        token=token,
    )


@bp.get("/inschrijving/<token>/agenda.ics")
def calendar(token: str):
    """Download the sessions as a calendar file (seated participants)."""
    registration = _load(token)
    if not registration.is_seated:
        abort(404)
    programme = registration.programme
    return Response(
        programme_calendar(programme, programme.sessions),
        mimetype="text/calendar",
        headers={"Content-Disposition": f'attachment; filename="{programme.slug}.ics"'},
    )


@bp.route("/inschrijving/<token>/annuleren", methods=["GET", "POST"])
def cancel(token: str):
    """Ask for confirmation, then cancel the registration."""
    registration = _load(token)
    form = ConfirmForm()
    if not registration.can_cancel():
        flash(_("This registration has already been cancelled or has ended."), "info")
        return redirect(url_for("registration.manage", token=token))
    if form.validate_on_submit():
        try:
            services.cancel_registration(
                registration, actor=f"participant:{registration.id}", now=utcnow()
            )
        except DomainError as exc:
            db.session.rollback()
            flash(exc.message, "error")
            return redirect(url_for("registration.manage", token=token))
        db.session.commit()
        flash(
            _("Your registration has been cancelled. You will receive a confirmation by e-mail."),
            "success",
        )
        return redirect(url_for("registration.manage", token=token))
    return render_template(
        "registration/cancel.html",
        registration=registration,
        programme=registration.programme,
        form=form,
        token=token,
    )


@bp.route("/inschrijving/<token>/aanbod", methods=["GET", "POST"])
def offer(token: str):
    """Accept or decline a seat offered from the waiting list."""
    registration = _load(token)
    now = utcnow()
    form = ConfirmForm()
    choice = request.args.get("keuze", "accept")
    if choice not in {"accept", "decline"}:
        abort(404)
    if not registration.has_open_offer(now):
        flash(_("This offer has expired or has already been answered."), "info")
        return redirect(url_for("registration.manage", token=token))
    if form.validate_on_submit():
        action = services.accept_offer if choice == "accept" else services.decline_offer
        try:
            action(registration, now=now)
        except DomainError as exc:
            db.session.rollback()
            flash(exc.message, "error")
            return redirect(url_for("registration.manage", token=token))
        db.session.commit()
        if registration.status is RegistrationStatus.CONFIRMED:
            flash(_("Welcome: the place is yours. The confirmation is on its way."), "success")
        else:
            flash(_("Thank you for letting us know. The place goes to the next person."), "info")
        return redirect(url_for("registration.manage", token=token))
    return render_template(
        "registration/offer.html",
        registration=registration,
        programme=registration.programme,
        form=form,
        token=token,
        choice=choice,
    )
