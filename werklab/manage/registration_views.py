"""Coordinator: a programme's registrations (the list is on the programme page) and what a
coordinator does with one. Coordinators only; the permission is checked before anything is
loaded (nobody else learns which ids exist)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from werklab import permissions
from werklab.catalog.models import Programme
from werklab.db import begin_write_late, utcnow, write_lock_later
from werklab.errors import Busy, DomainError
from werklab.extensions import db
from werklab.manage import registrations as services
from werklab.manage.registration_forms import (
    CancelForForm,
    DetailsForm,
    HandRegistrationForm,
    MoveUpForm,
    PaidForm,
)
from werklab.payments.checkout import expire_checkout
from werklab.payments.refunds import process_refunds
from werklab.registration.forms import ConfirmForm
from werklab.registration.models import RegistrationStatus, Sector
from werklab.translation import gettext as _
from werklab.translation import lazy_gettext as _l

bp = Blueprint("manage_registrations", __name__, url_prefix="/beheer")


@bp.record_once
def _template_helpers(state) -> None:
    state.app.jinja_env.globals.update(
        REFUND_STATUS_WORDS={
            "pending": _l("requested"),
            "processing": _l("under way"),
            "succeeded": _l("paid back"),
            "failed": _l("failed"),
            "canceled": _l("cancelled"),
        }
    )


def _money_labels(back_means: str | None) -> dict:
    """The money choices in words: a refund or a credit note, or nothing back."""
    if back_means is None:
        return {"none": _l("Nothing to pay back (nothing was paid or invoiced)")}
    if back_means == "refund":
        return {"back": _l("Refund the online payment"), "none": _l("No refund")}
    return {
        "back": _l("Credit the invoice (credit note)"),
        "none": _l("No credit note: the invoice stands"),
    }


def _allow() -> None:
    if not permissions.can_manage_registrations(current_user):
        abort(403)


def _actor() -> str:
    return f"coordinator:{current_user.id}"


def _registration(registration_id: int):
    _allow()
    return services.load_registration(registration_id) or abort(404)


def _back(registration):
    return redirect(
        url_for("manage.programme", programme_id=registration.programme_id) + "#inschrijvingen"
    )


def _page(template: str, form, status: int | None = None, **context):
    code = status or (400 if form.errors or context.get("error") else 200)
    return render_template(template, form=form, **context), code


@bp.route("/programma/<int:programme_id>/inschrijvingen/nieuw", methods=["GET", "POST"])
@login_required
@write_lock_later
def add(programme_id: int):
    """Register someone who signed up by phone or e-mail, on a seat or the waiting list."""
    _allow()
    programme = db.session.get(Programme, programme_id) or abort(404)
    form = HandRegistrationForm(programme=programme)
    error = None
    if form.validate_on_submit():
        data, place = form.to_data(), form.place.data
        begin_write_late(db.session)  # the form was checked without holding a lock
        try:
            registration = services.add_registration(
                programme_id, data, place=place, actor=_actor(), now=utcnow()
            )
        except Busy:
            db.session.rollback()
            raise
        except DomainError as exc:
            db.session.rollback()
            error = exc.message
        else:
            name, seated = registration.full_name, registration.is_seated
            db.session.commit()
            if seated:
                flash(
                    _("%(name)s has a seat; the confirmation is on its way.", name=name), "success"
                )
            else:
                flash(_("%(name)s is on the waiting list and has been told.", name=name), "success")
            return redirect(
                url_for("manage.programme", programme_id=programme_id) + "#inschrijvingen"
            )
    return _page(
        "manage/registration_add.html",
        form,
        programme=programme,
        error=error,
        status=409 if error else None,
    )


@bp.route("/inschrijving/<int:registration_id>/bewerken", methods=["GET", "POST"])
@login_required
def edit(registration_id: int):
    """Correct a participant's details; the person is told what changed."""
    registration = _registration(registration_id)
    if registration.erased_at is not None:
        flash(_("This person's data has been erased."), "info")
        return _back(registration)
    form = DetailsForm(registration=registration)
    error = None
    if form.validate_on_submit():
        data = services.DetailsData(
            first_name=form.first_name.data,
            last_name=form.last_name.data,
            email=form.email.data,
            organisation=form.organisation.data,
            sector=Sector(form.sector.data),
            job_title=form.job_title.data,
            dietary_wishes=form.dietary_wishes.data,
            learning_question=form.learning_question.data if "learning_question" in form else None,
            locale=form.locale.data,
            share_email=bool(form.share_email.data),
        )
        try:
            changed = services.edit_details(registration, data, actor=_actor(), now=utcnow())
        except DomainError as exc:
            db.session.rollback()
            error = exc.message
        else:
            db.session.commit()
            if changed:
                flash(_("The details have been saved and the person has been told."), "success")
            else:
                flash(_("Nothing was changed."), "info")
            return _back(registration)
    return _page(
        "manage/registration_edit.html",
        form,
        registration=registration,
        programme=registration.programme,
        error=error,
    )


@bp.route("/inschrijving/<int:registration_id>/annuleren", methods=["GET", "POST"])
@login_required
def cancel(registration_id: int):
    """Cancel on the person's behalf, choosing what happens to the money, with a reason."""
    registration = _registration(registration_id)
    if not registration.is_active:
        flash(_("This registration has already been cancelled or has ended."), "info")
        return _back(registration)
    now = utcnow()
    choice = services.money_choice(registration, now)
    form = CancelForForm(choice=choice, labels=_money_labels(choice.back_means))
    error = None
    if form.validate_on_submit():
        held = (
            registration.checkout_session_id
            if registration.status is RegistrationStatus.HELD
            else None
        )
        name = registration.full_name
        try:
            services.cancel_for(
                registration,
                money=form.money.data,
                reason=form.reason.data,
                actor=_actor(),
                now=now,
            )
        except DomainError as exc:
            db.session.rollback()
            error = exc.message
        else:
            db.session.commit()
            expire_checkout(held)  # Stripe only after the commit; tick retries refunds
            process_refunds(now=utcnow())
            flash(
                _(
                    "The registration of %(name)s has been cancelled; they have been told.",
                    name=name,
                ),
                "success",
            )
            return _back(registration)
    return _page(
        "manage/registration_cancel.html",
        form,
        registration=registration,
        programme=registration.programme,
        choice=choice,
        error=error,
    )


@bp.post("/programma/<int:programme_id>/wachtlijst/aanbieden")
@login_required
def offer_seats(programme_id: int):
    """Offer the free seats now to the first people waiting."""
    _allow()
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        offers = services.offer_free_seats(programme_id, actor=_actor(), now=utcnow())
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
    else:
        names = ", ".join(r.full_name for r in offers)
        db.session.commit()
        flash(_("A seat has been offered to %(names)s.", names=names), "success")
    return redirect(url_for("manage.programme", programme_id=programme_id) + "#wachtlijst")


@bp.route("/inschrijving/<int:registration_id>/naar-voren", methods=["GET", "POST"])
@login_required
def move_up(registration_id: int):
    """Put someone first on the waiting list, with the reason."""
    registration = _registration(registration_id)
    form = MoveUpForm()
    error = None
    if form.validate_on_submit():
        try:
            services.move_to_front(
                registration, reason=form.reason.data, actor=_actor(), now=utcnow()
            )
        except DomainError as exc:
            db.session.rollback()
            error = exc.message
        else:
            name = registration.full_name
            db.session.commit()
            flash(_("%(name)s is now first on the waiting list.", name=name), "success")
            return _back(registration)
    return _page(
        "manage/registration_move_up.html",
        form,
        registration=registration,
        programme=registration.programme,
        error=error,
    )


def _simple(registration_id: int, action, done: str):
    registration = _registration(registration_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        action(registration, actor=_actor(), now=utcnow())
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
    else:
        db.session.commit()
        flash(done, "success")
    return _back(registration)


@bp.post("/inschrijving/<int:registration_id>/bevestiging")
@login_required
def resend_confirmation(registration_id: int):
    """Send the confirmation (with the calendar file) again."""
    return _simple(
        registration_id, services.resend_confirmation, _("The confirmation has been sent again.")
    )


@bp.post("/inschrijving/<int:registration_id>/link")
@login_required
def resend_link(registration_id: int):
    """Send the link to the registration again."""
    return _simple(registration_id, services.resend_manage_link, _("The link has been sent again."))


@bp.post("/inschrijving/<int:registration_id>/betaald")
@login_required
def mark_paid(registration_id: int):
    """Record that the bank transfer for the invoice has arrived."""
    registration = _registration(registration_id)
    form = PaidForm()
    if not form.validate_on_submit():
        for message in form.paid_on.errors:
            flash(message, "error")
        return _back(registration)
    try:
        invoice = services.mark_invoice_paid(
            registration, paid_on=form.paid_on.data, actor=_actor(), now=utcnow()
        )
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
    else:
        number = invoice.number
        db.session.commit()
        flash(_("Invoice %(number)s is marked as paid.", number=number), "success")
    return _back(registration)
