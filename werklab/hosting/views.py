"""Hosting pages: a participant offers to host and asks a host a practical question (under
"Mijn traject"); the trainer sees the offers and the rota and chooses a host per meeting
(in the workspace)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from werklab import permissions
from werklab.catalog.services import load_programme
from werklab.db import utcnow
from werklab.errors import DomainError
from werklab.extensions import db
from werklab.hosting import services
from werklab.hosting.forms import AcceptForm, ConfirmForm, OfferForm, QuestionForm
from werklab.hosting.services import OfferData
from werklab.links import map_url
from werklab.registration.lookup import load_registration
from werklab.translation import gettext as _

bp = Blueprint("hosting", __name__)


def _offer(offer_id: int, allowed):
    offer = services.load_offer(offer_id) or abort(404)
    if not allowed(current_user, offer):
        abort(403)
    return offer


def _mine(registration_id: int):
    return url_for("participant.index") + f"#gastheer-{registration_id}"


# --- participants --------------------------------------------------------------------------


@bp.route("/mijn-traject/inschrijving/<int:registration_id>/gastheer", methods=["GET", "POST"])
@login_required
def volunteer(registration_id: int):
    """Offer to host a meeting of my programme at my organisation or initiative."""
    registration = load_registration(registration_id) or abort(404)
    if not permissions.can_volunteer_to_host(current_user, registration):
        abort(403)
    programme = registration.programme
    now = utcnow()
    sessions = services.open_sessions(programme, now)
    form = OfferForm(sessions=sessions)
    status, error = 200, None
    closed = not services.hosts_in_turn(programme) or not sessions
    if closed:
        error = _("This programme does not look for hosts at the moment.")
        status = 409
    elif request.method == "POST":
        if form.validate_on_submit():
            try:
                services.volunteer(
                    registration,
                    OfferData(
                        form.organisation.data,
                        form.address.data,
                        form.capacity.data,
                        form.notes.data or "",
                        form.preferred_session.data,
                        form.preferred_period.data or "",
                    ),
                    now=now,
                )
            except DomainError as exc:
                db.session.rollback()
                error, status = exc.message, exc.status_code
            else:
                db.session.commit()
                flash(
                    _(
                        "Thank you for offering to host! Your trainer will let you know which "
                        "meeting you host."
                    ),
                    "success",
                )
                return redirect(_mine(registration.id))
        else:
            status = 400
    return render_template(
        "hosting/volunteer.html",
        registration=registration,
        programme=programme,
        form=form,
        error=error,
        closed=closed,
    ), status


@bp.get("/mijn-traject/gastheer/<int:offer_id>")
@login_required
def offer(offer_id: int):
    """An offer to host: its status, the meeting and the practical questions sent to it."""
    offer = _offer(offer_id, permissions.can_view_host_offer)
    return render_template(
        "hosting/offer.html",
        offer=offer,
        questions=services.questions_for([offer.id])[offer.id],
        own=permissions.owns_registration(current_user, offer.registration),
        staff=permissions.can_choose_hosts(current_user, offer.programme),
        seats_taken=services.seats_in(offer.programme_id, utcnow()),
        form=ConfirmForm(),
    )


@bp.post("/mijn-traject/gastheer/<int:offer_id>/intrekken")
@login_required
def withdraw(offer_id: int):
    """Withdraw my offer to host, as long as it has not been accepted."""
    offer = _offer(offer_id, permissions.can_withdraw_host_offer)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        services.withdraw_offer(offer, now=utcnow())
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for(".offer", offer_id=offer.id)), 303
    db.session.commit()
    flash(_("Your offer to host has been withdrawn."), "success")
    return redirect(_mine(offer.registration_id))


@bp.route(
    "/mijn-traject/inschrijving/<int:registration_id>/gastheer/<int:offer_id>/vraag",
    methods=["GET", "POST"],
)
@login_required
def ask(registration_id: int, offer_id: int):
    """Send the host of a meeting a practical question."""
    registration = load_registration(registration_id) or abort(404)
    offer = services.load_offer(offer_id) or abort(404)
    if not permissions.can_ask_host(current_user, registration, offer):
        abort(403)
    form = QuestionForm()
    status, error = 200, None
    if not offer.is_accepted or offer.session is None:
        error, status = _("This meeting has no host at the moment."), 409
    elif request.method == "POST":
        if form.validate_on_submit():
            try:
                services.ask_question(
                    offer,
                    registration,
                    form.body.data,
                    share_contact=form.share_contact.data,
                    now=utcnow(),
                )
            except DomainError as exc:
                db.session.rollback()
                error, status = exc.message, exc.status_code
            else:
                db.session.commit()
                flash(
                    _(
                        "Your question has been sent to %(name)s.",
                        name=offer.registration.full_name,
                    ),
                    "success",
                )
                return redirect(_mine(registration.id))
        else:
            status = 400
    return render_template(
        "hosting/ask.html", registration=registration, offer=offer, form=form, error=error
    ), status


# --- trainers ------------------------------------------------------------------------------


@bp.get("/werkruimte/<int:programme_id>/gastheren")
@login_required
def programme(programme_id: int):
    """The offers to host, the rota per meeting and the route the group travels."""
    programme = load_programme(programme_id) or abort(404)
    if not permissions.can_choose_hosts(current_user, programme):
        abort(403)
    return _programme_page(programme)


def _programme_page(programme, *, failed=None, error=None, status=200):
    now = utcnow()
    rota = services.rota(programme, now)
    sessions = [r.session for r in rota.rows if not r.past and r.host is None]
    forms = {}
    for offer in rota.open_offers:
        if failed is not None and failed[0] == offer.id:
            form = failed[1]
        else:
            form = AcceptForm(
                formdata=None,
                sessions=sessions,
                data={"session": offer.preferred_session_id},
            )
        form.session.id = form.session.label.field_id = f"session-{offer.id}"
        forms[offer.id] = form
    offer_ids = [r.host.id for r in rota.rows if r.host] + [o.id for o in rota.open_offers]
    return render_template(
        "hosting/programme.html",
        programme=programme,
        rota=rota,
        forms=forms,
        questions=services.questions_for(offer_ids),
        error=error,
        failed_id=failed[0] if failed else None,
        map_link=map_url,
    ), status


@bp.post("/werkruimte/gastheer/<int:offer_id>/accepteren")
@login_required
def accept(offer_id: int):
    """Accept an offer: the volunteer hosts the chosen meeting."""
    offer = services.load_offer(offer_id) or abort(404)
    programme = offer.programme
    if not permissions.can_choose_hosts(current_user, programme):
        abort(403)
    if not offer.is_open:
        message = (
            _("This offer has been withdrawn.")
            if offer.status.value == "withdrawn"
            else _("This offer has already been accepted for another meeting.")
        )
        return _programme_page(programme, error=message, status=409)
    now = utcnow()
    rota = services.rota(programme, now)
    sessions = [r.session for r in rota.rows if not r.past and r.host is None]
    form = AcceptForm(sessions=sessions)
    if not form.validate_on_submit():
        return _programme_page(programme, failed=(offer.id, form), status=400)
    session = next(s for s in sessions if s.id == form.session.data)
    try:
        services.accept_offer(offer, session, actor=current_user._get_current_object(), now=now)
    except DomainError as exc:
        db.session.rollback()
        form.session.errors = [*form.session.errors, exc.message]
        return _programme_page(programme, failed=(offer.id, form), status=exc.status_code)
    taken = services.seats_in(programme.id, now)
    db.session.commit()
    flash(
        _(
            "%(name)s hosts “%(theme)s”. The participants are told about the new place.",
            name=offer.registration.full_name,
            theme=session.theme,
        ),
        "success",
    )
    if offer.too_small_for(taken):
        flash(
            _(
                "Mind: the room seats %(capacity)d people and %(taken)d seats are taken.",
                capacity=offer.capacity,
                taken=taken,
            ),
            "error",
        )
    return redirect(url_for(".programme", programme_id=programme.id))


@bp.post("/werkruimte/gastheer/<int:offer_id>/loskoppelen")
@login_required
def release(offer_id: int):
    """Release a host (they can no longer make it): their offer is open again."""
    offer = services.load_offer(offer_id) or abort(404)
    if not permissions.can_choose_hosts(current_user, offer.programme):
        abort(403)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        services.release_host(offer, actor=current_user._get_current_object(), now=utcnow())
    except DomainError as exc:
        db.session.rollback()
        return _programme_page(offer.programme, error=exc.message, status=exc.status_code)
    db.session.commit()
    flash(
        _(
            "%(name)s no longer hosts this meeting. Change the meeting's place if needed.",
            name=offer.registration.full_name,
        ),
        "success",
    )
    return redirect(url_for(".programme", programme_id=offer.programme_id))
