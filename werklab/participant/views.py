"""Participant: "Mijn traject", calendar, "mijn gegevens"."""

from __future__ import annotations

import json

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    g,
    redirect,
    render_template,
    session,
    url_for,
)
from flask_login import current_user, login_required, logout_user

from werklab import menu, permissions
from werklab.certificates.services import certificates_for_email
from werklab.db import utcnow
from werklab.errors import DomainError
from werklab.evaluations.services import open_for_email
from werklab.extensions import db
from werklab.hosting.services import for_registrations as hosting_for
from werklab.invoicing.models import InvoiceStatus
from werklab.invoicing.services import invoice_links
from werklab.links import external_url
from werklab.participant import erasure, services
from werklab.participant.export import from_iso, more_personal_data
from werklab.participant.forms import ConfirmForm, EraseForm
from werklab.participant.labels import action_label, attendance_label
from werklab.payments.services import payment_for
from werklab.registration import services as registration_services
from werklab.registration.models import PaymentMethod
from werklab.registration.money import money_outcome
from werklab.renewal.services import open_invitations as renewal_invitations
from werklab.themes.services import ballots_for_email
from werklab.translation import gettext as _
from werklab.translation import lazy_gettext as _l

bp = Blueprint("participant", __name__, url_prefix="/mijn-traject")

#: Personal data: never kept by a browser or proxy cache.
NO_STORE = {"Cache-Control": "no-store"}


def _shown_in_menu(user) -> bool:
    """Everyone signed in, except staff who never registered themselves: they have their
    own "Mijn trajecten" in the workspace, and two look-alike entries would confuse."""
    if not permissions.can_view_own_programmes(user):
        return False
    if not user.is_staff:
        return True
    if "participant_has_registrations" not in g:  # the menu is drawn twice on some pages
        g.participant_has_registrations = services.has_registrations(user.email)
    return g.participant_has_registrations


menu.add("participant.index", _l("My programmes as participant"), _shown_in_menu)


def _me():
    """The signed-in person, who may see their own pages (anonymous: sent to sign in)."""
    if not permissions.can_view_own_programmes(current_user):
        abort(403)
    return current_user._get_current_object()


def _calendar(title: str, email: str) -> bytes:
    registrations = services.my_registrations(email)
    return services.sessions_calendar(title, services.seated_programmes(registrations))


@bp.get("/")
@login_required
def index():
    """My registrations with status and sessions, the calendar download and calendar link."""
    me = _me()
    registrations = services.my_registrations(me.email)
    feed = services.feed_of(me)
    active = [r for r in registrations if r.registration.is_active]
    now = utcnow()
    return render_template(
        "participant/index.html",
        active=active,
        seated=bool(services.seated_programmes(active)),
        earlier=[r for r in registrations if not r.registration.is_active],
        feed=feed,
        feed_url=external_url("participant.feed", token=feed.token) if feed else None,
        manage_token=registration_services.manage_token,
        now=now,
        certificates=certificates_for_email(me.email),
        evaluations=open_for_email(me.email, now),
        hosting=hosting_for([r.registration for r in active], now),
        ballots=ballots_for_email(me.email),
        renewals=renewal_invitations([r.registration.id for r in registrations], now),
    )


@bp.route("/inschrijving/<int:registration_id>/annuleren", methods=["GET", "POST"])
@login_required
def cancel(registration_id: int):
    """Ask for confirmation, then cancel a registration."""
    registration = services.load_registration(registration_id) or abort(404)
    if not permissions.can_cancel_registration(current_user, registration):
        abort(403)
    if not registration.can_cancel():
        flash(_("This registration has already been cancelled or has ended."), "info")
        return redirect(url_for(".index"))
    form = ConfirmForm()
    if form.validate_on_submit():
        title, name = registration.programme.title, registration.full_name
        own = permissions.owns_registration(current_user, registration)
        try:
            registration_services.cancel_registration(
                registration, actor=f"user:{current_user.id}", now=utcnow()
            )
        except DomainError as exc:
            db.session.rollback()
            flash(exc.message, "error")
            return redirect(url_for(".index"))
        db.session.commit()
        if own:
            message = _(
                "Your registration for %(title)s has been cancelled. You will receive a "
                "confirmation by e-mail.",
                title=title,
            )
        else:  # a coordinator
            message = _(
                "The registration of %(name)s for %(title)s has been cancelled.",
                name=name,
                title=title,
            )
        flash(message, "success")
        return redirect(url_for(".index"))
    invoice = invoice_links(registration.id)
    return render_template(
        "participant/cancel.html",
        registration=registration,
        programme=registration.programme,
        form=form,
        own=permissions.owns_registration(current_user, registration),
        outcome=money_outcome(
            registration,
            utcnow(),
            paid_online=registration.payment_method is PaymentMethod.ONLINE
            and payment_for(registration) is not None,
            invoiced=registration.payment_method is PaymentMethod.INVOICE
            and invoice is not None
            and invoice.status in (InvoiceStatus.OPEN, InvoiceStatus.PAID),
        ),
    )


@bp.get("/agenda.ics")
@login_required
def calendar():
    """Download the sessions of every programme in which I have a seat."""
    me = _me()
    return Response(
        _calendar(_("werklab: my sessions"), me.email),
        mimetype="text/calendar",
        headers={"Content-Disposition": 'attachment; filename="werklab.ics"', **NO_STORE},
    )


@bp.get("/agenda/<token>.ics")
def feed(token: str):
    """The personal calendar feed: no sign-in (calendar apps cannot), the token is the key."""
    calendar_feed = services.find_feed(token) or abort(404)
    return Response(
        _calendar(_("werklab: my sessions"), calendar_feed.user.email),
        mimetype="text/calendar",
        headers={"X-Robots-Tag": "noindex", **NO_STORE},
    )


@bp.post("/agenda/nieuw")
@login_required
def renew_feed():
    """Make a calendar link; a new one replaces the old, which stops working."""
    me = _me()
    had_one = services.feed_of(me) is not None
    if ConfirmForm().validate_on_submit():
        services.renew_feed(me, now=utcnow())
        db.session.commit()
        if had_one:
            flash(_("Here is your new calendar link. The old link no longer works."), "success")
        else:
            flash(_("Here is your calendar link."), "success")
    return redirect(url_for(".index", _anchor="agenda"))


@bp.post("/agenda/stoppen")
@login_required
def revoke_feed():
    """Switch the calendar link off."""
    me = _me()
    if ConfirmForm().validate_on_submit() and services.revoke_feed(me, now=utcnow()):
        db.session.commit()
        flash(_("Your calendar link has been switched off. It no longer works."), "success")
    return redirect(url_for(".index", _anchor="agenda"))


@bp.get("/gegevens")
@login_required
def data():
    """Everything werklab stores about me."""
    me = _me()
    data = services.personal_data(me)
    return Response(
        render_template(
            "participant/data.html",
            data=data,
            more=more_personal_data(
                me, [r.registration.id for r in data.registrations], file_contents=False
            ),
            from_iso=from_iso,
            can_erase=permissions.can_erase_own_data(me),
            action_label=action_label,
            attendance_label=attendance_label,
        ),
        headers=NO_STORE,
    )


@bp.get("/gegevens.json")
@login_required
def data_json():
    """Download everything werklab stores about me, as JSON."""
    me = _me()
    data = services.personal_data(me)
    export = services.personal_data_export(data)
    # Certificates, billing, payments, groups and hand-ins, intake requests, mails in full.
    export.update(more_personal_data(me, [record.registration.id for record in data.registrations]))
    return Response(
        json.dumps(export, ensure_ascii=False, indent=2),
        mimetype="application/json",
        headers={
            "Content-Disposition": 'attachment; filename="mijn-gegevens-werklab.json"',
            **NO_STORE,
        },
    )


@bp.route("/gegevens/wissen", methods=["GET", "POST"])
@login_required
def erase():
    """Have everything about me erased: what goes, what the law makes us keep, and a tick."""
    if not permissions.can_erase_own_data(current_user):
        abort(403)
    me = current_user._get_current_object()
    form = EraseForm()
    now = utcnow()
    error, status = None, 200
    if form.validate_on_submit():
        try:
            erasure.erase(me, now=now)
        except DomainError as exc:
            db.session.rollback()
            error, status = exc.message, 409
        else:
            db.session.commit()
            logout_user()
            session.clear()
            flash(
                _(
                    "Your data has been erased and your account is gone. We will not send "
                    "you any more e-mail."
                ),
                "success",
            )
            return redirect(url_for("catalog.index"))
    elif form.is_submitted():
        status = 400
    return Response(
        render_template(
            "participant/erase.html", form=form, error=error, blockers=erasure.blockers(me, now)
        ),
        status=status,
        headers=NO_STORE,
    )
