"""The coordinator's renewal pages and the participant's personal renewal link."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import ngettext
from flask_login import current_user, login_required

from werklab import permissions
from werklab.catalog.pricing import seat_price
from werklab.catalog.services import load_programme, utc_to_local
from werklab.db import utcnow
from werklab.errors import DomainError
from werklab.extensions import db
from werklab.invoicing.billing import billing_for
from werklab.payments.checkout import start_checkout
from werklab.registration.forms import ConfirmForm
from werklab.registration.lookup import manage_token
from werklab.registration.models import RegistrationStatus
from werklab.renewal import services
from werklab.renewal.forms import OpenRenewalForm, RenewForm
from werklab.renewal.models import InvitationStatus
from werklab.translation import get_locale
from werklab.translation import gettext as _

bp = Blueprint("renewal", __name__)


def _programme(programme_id: int, allowed):
    programme = load_programme(programme_id) or abort(404)
    if not allowed(current_user, programme):
        abort(403)
    return programme


@bp.get("/beheer/programma/<int:programme_id>/verlenging")
@login_required
def overview(programme_id: int):
    """Who renewed, who declined and who has not answered yet."""
    programme = _programme(programme_id, permissions.can_view_renewal)
    renewal = services.renewal_of(programme)
    return render_template(
        "renewal/overview.html",
        programme=programme,
        renewal=renewal,
        answers=services.answers(renewal) if renewal else None,
        can_open=permissions.can_open_renewal(current_user, programme),
        now=utcnow(),
    )


@bp.route("/beheer/programma/<int:programme_id>/verlenging/openen", methods=["GET", "POST"])
@login_required
def open_renewal(programme_id: int):
    """Open the renewal: next year's programme and the personal links to this year's group."""
    programme = _programme(programme_id, permissions.can_open_renewal)
    if services.renewal_of(programme) is not None:
        flash(_("The renewal for this programme has already been opened."), "info")
        return redirect(url_for("renewal.overview", programme_id=programme.id))
    now = utcnow()
    form = OpenRenewalForm(linkable=services.linkable_programmes(programme))
    if not form.is_submitted():
        form.title.data = services.suggested_title(programme, now)
        form.deadline_date.data = utc_to_local(now + timedelta(weeks=4)).date()
    if form.validate_on_submit():
        try:
            renewal = services.open_renewal(
                programme,
                services.RenewalData(
                    title=form.title.data,
                    deadline=form.deadline,
                    next_programme_id=form.next_programme_id,
                ),
                actor=current_user._get_current_object(),
                now=now,
            )
        except DomainError as exc:
            db.session.rollback()
            form.form_errors.append(exc.message)
            return _open_page(programme, form, exc.status_code)
        invited = len(renewal.invitations)
        db.session.commit()
        flash(
            ngettext(
                "The renewal is open: %(num)d participant has received a personal link.",
                "The renewal is open: %(num)d participants have received their personal link.",
                invited,
            ),
            "success",
        )
        return redirect(url_for("renewal.overview", programme_id=programme.id))
    return _open_page(programme, form, 400 if form.is_submitted() else 200)


def _open_page(programme, form, status: int):
    return render_template(
        "renewal/open.html",
        programme=programme,
        form=form,
        seated=services.seats_count(programme.id),
    ), status


# --- the personal link -----------------------------------------------------------------------


def _invitation(token: str):
    return services.find_invitation(token) or abort(404)


def _online_payment() -> bool:
    return bool(current_app.config.get("STRIPE_SECRET_KEY"))


def _prefill(form: RenewForm, invitation) -> None:
    """This year's details, to check and change."""
    old = invitation.registration
    for name in ("first_name", "last_name", "email", "organisation", "job_title"):
        form[name].data = getattr(old, name)
    form.sector.data = old.sector.value
    if "learning_question" in form:
        form.learning_question.data = old.learning_question or ""
    form.dietary_wishes.data = old.dietary_wishes or ""
    form.share_email.data = old.share_email_at is not None
    if not form.asks_payment:
        return
    methods = {choice.value for choice in form.payment_method.choices}
    if old.payment_method.value in methods:
        form.payment_method.data = old.payment_method.value
    billing = billing_for(old)
    if billing is not None:
        for name in (
            "organisation",
            "street",
            "postcode",
            "city",
            "country",
            "legal_id",
            "email",
            "reference",
            "vat_number",
            "peppol_id",
        ):
            form[f"billing_{name}"].data = getattr(billing, name) or ""


def _answered(invitation, now):
    """The link took its answer, or expired unanswered (410 Gone)."""
    new = invitation.new_registration
    seated = new is not None and new.is_active
    declined = invitation.status is InvitationStatus.DECLINED
    status = 200 if seated or declined else 410
    return render_template(
        "renewal/answered.html",
        invitation=invitation,
        renewal=invitation.renewal,
        programme=invitation.renewal.next_programme,
        manage=manage_token(new) if seated else None,
    ), status


@bp.route("/verlengen/<token>", methods=["GET", "POST"])
def renew(token: str):
    """Continue next year: check the details, choose how to pay, take the new seat."""
    invitation = _invitation(token)
    now = utcnow()
    if not services.can_answer(invitation, now):
        return _answered(invitation, now)
    programme = invitation.renewal.next_programme
    form = RenewForm(programme=programme, online_payment=_online_payment())
    if not form.is_submitted():
        _prefill(form, invitation)
    if form.validate_on_submit():
        try:
            registration = services.renew(invitation, form.to_data(str(get_locale())), now=now)
        except DomainError as exc:
            db.session.rollback()
            form.form_errors.append(exc.message)
            return _renew_page(invitation, form, exc.status_code)
        held = registration.status is RegistrationStatus.HELD
        manage = manage_token(registration)
        db.session.commit()
        if held:
            return _to_checkout(registration, manage)
        flash(_("Welcome to next year: your place is confirmed."), "success")
        return redirect(url_for("registration.manage", token=manage))
    return _renew_page(invitation, form, 400 if form.is_submitted() else 200)


def _to_checkout(registration, manage: str):
    """After the commit that holds the seat: on to Stripe Checkout (as the public form)."""
    try:
        return redirect(start_checkout(registration, now=utcnow()), code=303)
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("registration.manage", token=manage))


def _renew_page(invitation, form, status: int):
    programme = invitation.renewal.next_programme
    return render_template(
        "renewal/renew.html",
        invitation=invitation,
        renewal=invitation.renewal,
        programme=programme,
        price=seat_price(programme),
        form=form,
        token=invitation.token,
    ), status


@bp.route("/verlengen/<token>/afzien", methods=["GET", "POST"])
def decline(token: str):
    """Say you will not continue: the place goes to the public opening."""
    invitation = _invitation(token)
    now = utcnow()
    if not services.can_answer(invitation, now):
        return _answered(invitation, now)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            services.decline_renewal(invitation, now=now)
        except DomainError as exc:
            db.session.rollback()
            flash(exc.message, "error")
            return redirect(url_for("renewal.renew", token=token))
        db.session.commit()
        flash(_("Thank you for letting us know. We have sent you a confirmation."), "info")
        return redirect(url_for("renewal.renew", token=token))
    return render_template(
        "renewal/decline.html",
        invitation=invitation,
        renewal=invitation.renewal,
        programme=invitation.renewal.next_programme,
        form=form,
        token=token,
    ), 400 if form.is_submitted() else 200
