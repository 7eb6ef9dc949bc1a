"""Registration form, the manage link, cancellation and waiting-list offers."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    get_template_attribute,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from werklab.catalog.ics import programme_calendar
from werklab.catalog.models import SessionKind
from werklab.catalog.services import registrable_programme
from werklab.db import begin_write_late, utcnow, write_lock_later
from werklab.errors import DomainError
from werklab.extensions import db
from werklab.invoicing.documents import invoice_links
from werklab.pagecache import PageCache
from werklab.payments.checkout import expire_checkout, start_checkout
from werklab.payments.refunds import payment_for, process_refunds
from werklab.public.catalog import opens_on
from werklab.registration import availability, services
from werklab.registration.details import update_details
from werklab.registration.forms import (
    ConfirmForm,
    DetailsForm,
    PaymentForm,
    RegistrationForm,
    TransferForm,
)
from werklab.registration.models import PaymentMethod, RegistrationStatus
from werklab.registration.money import MoneyOutcome, money_outcome
from werklab.reminders.services import state_for as reminder_state
from werklab.translation import get_locale
from werklab.translation import gettext as _

bp = Blueprint("registration", __name__)


def _load(token: str):
    return services.find_by_token(token) or abort(404)


def _after_cancel(held_session: str | None) -> None:
    """After the commit: close an unpaid Checkout Session and send refunds (Stripe is never
    called inside the transaction; tick retries what fails)."""
    expire_checkout(held_session)
    process_refunds(now=utcnow())


def _online_payment() -> bool:
    """Online payment is offered only when Stripe keys are configured."""
    return bool(current_app.config.get("STRIPE_SECRET_KEY"))


def _to_checkout(registration, token: str):
    """After the commit that holds the seat: on to Stripe Checkout (never inside the lock)."""
    try:
        return redirect(start_checkout(registration, now=utcnow()), code=303)
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("registration.manage", token=token))


#: Stands in for the visitor's CSRF token in a cached form page (see _cached_form).
CSRF_PLACEHOLDER = "__werklab_csrf_token__"


def _cached_form(slug: str, token: str | None, now) -> str | None:
    """The empty registration form, rendered once per version of the programme's data.

    The form is the same for every anonymous visitor without a message waiting, apart from
    the CSRF token, which is put in after the page comes from the cache: every visitor still
    gets the token of their own session. None where the form must be rendered for this
    request (a draft, an unknown slug, a closed programme, a signed-in visitor or a flash
    message), so those cases take the ordinary path with its own answers.
    """
    if "_flashes" in session or current_user.is_authenticated:
        return None
    version = availability.programme_page_version(slug, token, now=now)
    if version is None or not version.registration_open:
        return None

    def render() -> str:
        programme = registrable_programme(slug, token) or abort(404)
        form = RegistrationForm(
            programme=programme,
            online_payment=_online_payment(),
            waiting_list=version.seats_taken >= programme.max_participants,
        )
        page = render_template(
            "registration/form.html", form=form, programme=programme, token=token
        )
        return page.replace(generate_csrf(), CSRF_PLACEHOLDER)

    key = (version, str(get_locale()), request.full_path, _online_payment())
    pages = current_app.extensions.setdefault("werklab.registration_forms", PageCache(256))
    return pages.get_or_render(key, render).replace(CSRF_PLACEHOLDER, generate_csrf())


@bp.route("/programma/<slug>/inschrijven", methods=["GET", "POST"])
@write_lock_later
def register(slug: str):
    """Show and handle the registration form."""
    token = request.args.get("uitnodiging")
    now = utcnow()
    if request.method == "GET":
        return _cached_form(slug, token, now) or _form_page(slug, token, now)
    # The form is checked against a light read of the programme; register() reads it again
    # under the lock, and only a page with the form on it needs the programme itself.
    head = availability.registration_head(slug, token, now=now)
    if head is None or not head.registration_open:
        return _form_page(slug, token, now)  # the page's own answer: not found, or closed
    form = RegistrationForm(
        programme=head, online_payment=_online_payment(), waiting_list=head.full
    )
    if not form.validate_on_submit():
        return _form_page(slug, token, now, form)
    data = form.to_data(str(get_locale()))
    begin_write_late(db.session)  # the form was checked without holding a lock
    try:
        registration = services.register(head.id, data, invitation_token=token, now=now)
    except DomainError as exc:
        db.session.rollback()
        if isinstance(exc, services.PlaceFree):  # ask how to pay after all: the full form
            return _form_page(
                slug, token, now, error=exc.message, status=exc.status_code, ask_payment=True
            )
        return _form_page(slug, token, now, form, error=exc.message, status=exc.status_code)
    manage = services.manage_token(registration)
    held = registration.status is RegistrationStatus.HELD
    db.session.commit()
    if held:
        return _to_checkout(registration, manage)
    # The answer to the form is given by the page it leads to (see _registered_message):
    # nothing is kept in the session for it, so neither this answer nor the manage page has
    # to write the session cookie again.
    return redirect(url_for("registration.manage", token=manage, ingeschreven=1))


def _form_page(slug, token, now, form=None, *, error=None, status=None, ask_payment=False):
    """The registration form rendered for this request (a signed-in visitor, a message
    waiting, a form with errors), or the page that says why there is none.

    Without `form`, a new one (filled from the posted data, if any); `ask_payment` shows the
    payment fields even when the programme is full: a place has just become free (PlaceFree).
    """
    found = availability.registrable_programme_and_seats(slug, token, now=now)
    if found is None:
        return opens_on(slug, now, 409)  # next year while this year's group renews, or 404
    programme, taken = found
    if not programme.registration_is_open(now):
        return render_template("registration/closed.html", programme=programme), 409
    if form is None:
        form = RegistrationForm(
            programme=programme,
            online_payment=_online_payment(),
            waiting_list=not ask_payment and taken >= programme.max_participants,
        )
    if error is not None:
        form.form_errors.append(error)
    status = status or (400 if form.is_submitted() else 200)
    return render_template(
        "registration/form.html", form=form, programme=programme, token=token
    ), status


def _session_list(programme) -> tuple[Markup, bool]:
    """The programme's sessions as the manage page lists them, and whether one is a site
    visit: the same for everyone in the programme, so rendered once per version of the
    programme (a change to a session bumps its updated_at, see catalog.models) and language."""

    def render() -> tuple[Markup, bool]:
        sessions = programme.sessions
        html = get_template_attribute("_macros.html", "session_list")(sessions)  # Markup
        return html, any(s.kind is SessionKind.SITE_VISIT for s in sessions)

    key = (programme.id, programme.updated_at, str(get_locale()))
    lists = current_app.extensions.setdefault("werklab.session_lists", PageCache(512))
    return lists.get_or_render(key, render)


def _registered_message(registration) -> tuple[str, str] | None:
    """The answer to the registration form, on the manage page it leads to (?ingeschreven=1):
    its category and text, as a flashed message would have them.

    It follows the registration's status now, so the same address opened again later says
    nothing that is no longer true (a cancelled registration gets no message).
    """
    if request.args.get("ingeschreven") != "1":
        return None
    if registration.is_seated:
        return "success", _("You are registered: your place is confirmed.")
    if registration.status is RegistrationStatus.WAITLISTED:
        return "info", _("The programme is full: you are on the waiting list.")
    return None


@bp.get("/inschrijving/<token>")
def manage(token: str):
    """Show a registration's status, with links to cancel or answer an offer."""
    registration = _load(token)
    session_list, has_site_visit = _session_list(registration.programme)
    return render_template(
        "registration/manage.html",
        registration=registration,
        registered_message=_registered_message(registration),
        programme=registration.programme,
        session_list=session_list,
        has_site_visit=has_site_visit,
        position=services.waitlist_position(registration),
        has_offer=registration.has_open_offer(utcnow()),
        token=token,
        invoice=_invoice(registration),
        payment=_payment(registration),
        reminders=reminder_state(registration),
    )


def _payment(registration):
    if registration.payment_method is not PaymentMethod.ONLINE:
        return None

    return payment_for(registration)


def _invoice(registration):
    """The links to the invoice and credit note (the pages link to them, and show no more).
    Online payers get an invoice too (marked paid)."""
    if registration.payment_method not in (PaymentMethod.INVOICE, PaymentMethod.ONLINE):
        return None

    return invoice_links(registration.id)


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
        held_session = (
            registration.checkout_session_id
            if registration.status is RegistrationStatus.HELD
            else None
        )
        try:
            services.cancel_registration(
                registration, actor=f"participant:{registration.id}", now=utcnow()
            )
        except DomainError as exc:
            db.session.rollback()
            flash(exc.message, "error")
            return redirect(url_for("registration.manage", token=token))
        db.session.commit()
        _after_cancel(held_session)
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
        outcome=_money_outcome(registration),
    )


def _money_outcome(registration) -> MoneyOutcome:
    """What cancelling now does with the money (the rule cancel_registration follows)."""
    invoice = _invoice(registration)
    return money_outcome(
        registration,
        utcnow(),
        paid_online=_payment(registration) is not None,
        invoiced=invoice is not None and invoice.status.value in ("open", "paid"),
    )


@bp.route("/inschrijving/<token>/aanbod", methods=["GET", "POST"])
def offer(token: str):
    """Accept or decline a seat offered from the waiting list."""
    registration = _load(token)
    now = utcnow()
    choice = request.args.get("keuze", "accept")
    if choice not in {"accept", "decline"}:
        abort(404)
    if not registration.has_open_offer(now):
        flash(_("This offer has expired or has already been answered."), "info")
        return redirect(url_for("registration.manage", token=token))
    # Joined the waiting list without choosing how to pay: asked now, with the place.
    asks_payment = (
        choice == "accept"
        and bool(registration.programme.fee_cents)
        and registration.payment_method is PaymentMethod.NONE
    )
    form = (
        PaymentForm(programme=registration.programme, online_payment=_online_payment())
        if asks_payment
        else ConfirmForm()
    )
    if form.validate_on_submit():
        try:
            if choice == "decline":
                services.decline_offer(registration, now=now)
            else:
                services.accept_offer(
                    registration, now=now, payment=form.to_payment() if asks_payment else None
                )
        except DomainError as exc:
            db.session.rollback()
            flash(exc.message, "error")
            return redirect(url_for("registration.manage", token=token))
        held = registration.status is RegistrationStatus.HELD
        db.session.commit()
        if held:
            return _to_checkout(registration, token)
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
        asks_payment=asks_payment,
    ), 400 if form.errors else 200


@bp.route("/inschrijving/<token>/gegevens", methods=["GET", "POST"])
def edit_details(token: str):
    """Change your own name, organisation, job title and dietary wishes."""
    registration = _load(token)
    if not registration.is_active:
        flash(_("This registration has already been cancelled or has ended."), "info")
        return redirect(url_for("registration.manage", token=token))
    form = DetailsForm(obj=registration)
    if form.validate_on_submit():
        try:
            changed = update_details(
                registration, form.to_data(), actor=f"participant:{registration.id}", now=utcnow()
            )
        except DomainError as exc:
            db.session.rollback()
            form.form_errors.append(exc.message)
        else:
            db.session.commit()
            if changed:
                flash(
                    _("Your details have been changed. We have sent you a confirmation."), "success"
                )
            else:
                flash(_("Nothing was changed."), "info")
            return redirect(url_for("registration.manage", token=token))
    return render_template(
        "registration/details.html",
        form=form,
        registration=registration,
        programme=registration.programme,
        token=token,
    ), 400 if form.errors or form.form_errors else 200


@bp.route("/inschrijving/<token>/overdragen", methods=["GET", "POST"])
def transfer(token: str):
    """Pass a confirmed seat to a colleague (after the cancellation deadline, say)."""
    registration = _load(token)
    if registration.status is not RegistrationStatus.CONFIRMED:
        flash(_("Only a confirmed place can be passed on."), "info")
        return redirect(url_for("registration.manage", token=token))
    form = TransferForm(programme=registration.programme)
    if request.method == "GET":
        form.locale.data = str(get_locale())
    if form.validate_on_submit():
        try:
            services.transfer_registration(
                registration,
                form.to_data(),
                actor=f"participant:{registration.id}",
                now=utcnow(),
            )
        except DomainError as exc:
            db.session.rollback()
            form.form_errors.append(exc.message)
        else:
            db.session.commit()
            flash(
                _("Your place has been passed on. Your colleague receives the confirmation."),
                "success",
            )
            return redirect(
                url_for(
                    "catalog.programme",
                    slug=registration.programme.slug,
                    uitnodiging=registration.programme.invitation_token,
                )
            )
    return render_template(
        "registration/transfer.html",
        form=form,
        registration=registration,
        programme=registration.programme,
        token=token,
    ), 400 if form.errors or form.form_errors else 200
