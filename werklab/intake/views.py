"""Werklab booking: intake request, quote, acceptance, the municipality's dashboard."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required

from werklab import menu, permissions
from werklab.catalog.services import local_date
from werklab.db import utcnow
from werklab.errors import DomainError
from werklab.extensions import db
from werklab.intake import export, services
from werklab.intake.forms import (
    POLICY_LABELS,
    STATUS_LABELS,
    AcceptForm,
    DeclineForm,
    DomainsForm,
    IntakeForm,
    QuoteForm,
    RequestForm,
    SendQuoteForm,
    default_valid_until,
)
from werklab.intake.models import QuoteStatus, RequestStatus
from werklab.registration.seats import seats_taken
from werklab.spreadsheets import XLSX, to_csv, to_xlsx
from werklab.translation import get_locale
from werklab.translation import gettext as _
from werklab.translation import lazy_gettext as _l

bp = Blueprint("intake", __name__)

menu.add("intake.requests", _l("Werklab requests"), permissions.can_manage_booking_requests)
menu.add(
    "intake.my_werklabs",
    _l("My werklab"),
    lambda user: bool(services.requests_of(user)) if user.is_authenticated else False,
)


@bp.record_once
def _template_helpers(state) -> None:
    state.app.jinja_env.globals.update(
        REQUEST_STATUS_LABELS=STATUS_LABELS,
        POLICY_AREA_LABELS={area.value: label for area, label in POLICY_LABELS.items()},
    )


def _actor() -> str:
    return f"coordinator:{current_user.id}"


def _coordinator_only() -> None:
    if not permissions.can_manage_booking_requests(current_user):
        abort(403)


def _booking(request_id: int):
    return services.load_request(request_id) or abort(404)


# --- 1. the public intake form --------------------------------------------------------------


@bp.route("/werklab-aanvragen", methods=["GET", "POST"])
def request_form():
    """Show and handle the intake form of a municipality."""
    form = IntakeForm()
    if form.validate_on_submit():
        try:
            booking = services.submit_request(form.to_data(str(get_locale())), now=utcnow())
        except DomainError as exc:
            db.session.rollback()
            form.form_errors.append(exc.message)
            return render_template("intake/request_form.html", form=form), exc.status_code
        db.session.commit()
        # The address stays out of the URL (browser history, server logs, Referer): the
        # thank-you page finds the request through the visitor's session.
        session["intake_request"] = booking.id
        return redirect(url_for("intake.request_sent"))
    status = 422 if form.errors else 200
    return render_template("intake/request_form.html", form=form), status


@bp.route("/werklab-aanvragen/verstuurd")
def request_sent():
    """Thank the municipality for its request, and say whether the confirmation went out."""
    booking = services.load_request(session.get("intake_request") or 0)
    mail = services.confirmation_mail(booking) if booking else None
    return render_template(
        "intake/request_sent.html", mail_status=mail.status.value if mail else None
    )


# --- 2. the coordinator's pipeline ----------------------------------------------------------


@bp.route("/beheer/aanvragen")
@login_required
def requests():
    """The booking requests, newest first, optionally one status only."""
    _coordinator_only()
    status = request.args.get("status", "")
    try:
        chosen = RequestStatus(status) if status else None
    except ValueError:
        chosen = None
    return render_template(
        "intake/requests.html",
        requests=services.list_requests(chosen),
        chosen=chosen,
        statuses=list(RequestStatus),
    )


@bp.route("/beheer/aanvragen/<int:request_id>", methods=["GET", "POST"])
@login_required
def request_detail(request_id: int):
    """A request with its intake answers, status, notes and quote."""
    _coordinator_only()
    booking = _booking(request_id)
    form = RequestForm(obj=None if request.method == "POST" else booking)
    if request.method == "GET":
        form.status.data = booking.status.value
    if form.validate_on_submit():
        try:
            services.update_request(
                booking,
                status=RequestStatus(form.status.data),
                notes=form.notes.data or "",
                actor=_actor(),
                now=utcnow(),
            )
        except DomainError as exc:
            db.session.rollback()
            flash(exc.message, "error")
            return redirect(url_for("intake.request_detail", request_id=request_id))
        db.session.commit()
        flash(_("The request has been saved."), "success")
        return redirect(url_for("intake.request_detail", request_id=request_id))
    return render_template(
        "intake/request_detail.html",
        booking=booking,
        form=form,
        send_form=SendQuoteForm(),
        today=local_date(utcnow()),
    )


@bp.route("/beheer/aanvragen/<int:request_id>/offerte", methods=["GET", "POST"])
@login_required
def quote_builder(request_id: int):
    """Build or change the quote: lines, VAT rate, valid until."""
    _coordinator_only()
    booking = _booking(request_id)
    form = QuoteForm()
    if request.method == "GET":
        quote = booking.quote
        if quote is not None:
            form.fill(
                [(line.description, line.amount_cents) for line in quote.lines],
                quote.vat_rate_bp,
                quote.valid_until,
            )
        else:
            form.fill(
                services.default_quote_lines(), 2100, default_valid_until(local_date(utcnow()))
            )
    if form.validate_on_submit():
        try:
            services.save_quote(booking, form.to_data(), actor=_actor(), now=utcnow())
        except DomainError as exc:
            db.session.rollback()
            form.form_errors.append(exc.message)
            return render_template(
                "intake/quote_builder.html", booking=booking, form=form
            ), exc.status_code
        db.session.commit()
        flash(_("The quote has been saved. Check the PDF, then send it."), "success")
        return redirect(url_for("intake.request_detail", request_id=request_id))
    status = 422 if form.errors else 200
    return render_template("intake/quote_builder.html", booking=booking, form=form), status


@bp.route("/beheer/aanvragen/<int:request_id>/offerte/versturen", methods=["POST"])
@login_required
def send_quote(request_id: int):
    """Mail the quote with its PDF and answer link to the contact."""
    _coordinator_only()
    booking = _booking(request_id)
    if booking.quote is None or not SendQuoteForm().validate_on_submit():
        abort(400)
    try:
        services.send_quote(booking.quote, actor=_actor(), now=utcnow())
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("intake.request_detail", request_id=request_id))
    db.session.commit()
    flash(_("The quote has been sent to %(email)s.", email=booking.contact_email), "success")
    return redirect(url_for("intake.request_detail", request_id=request_id))


@bp.route("/beheer/aanvragen/<int:request_id>/offerte.pdf")
@login_required
def quote_pdf(request_id: int):
    """The quote as the contact gets it, as a PDF."""
    _coordinator_only()
    booking = _booking(request_id)
    if booking.quote is None:
        abort(404)
    return _pdf_response(booking.quote)


def _pdf_response(quote) -> Response:
    return Response(
        services.quote_pdf(quote),
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{services.quote_filename(quote)}"'},
    )


# --- 3. the answer online (the signed link is the key) --------------------------------------


def _quote(token: str):
    return services.find_quote(token) or abort(404)


def _quote_page(quote, token, accept_form=None, decline_form=None, status=200):
    today = local_date(utcnow())
    return render_template(
        "intake/quote.html",
        quote=quote,
        booking=quote.booking_request,
        token=token,
        accept_form=accept_form or AcceptForm(),
        decline_form=decline_form or DeclineForm(),
        expired=quote.is_expired(today),
        terms=services.quote_terms(quote),
        answered=quote.status in (QuoteStatus.ACCEPTED, QuoteStatus.DECLINED),
    ), status


@bp.route("/offerte/<token>")
def quote(token: str):
    """The quote, with forms to accept or decline it."""
    return _quote_page(_quote(token), token)


@bp.route("/offerte/<token>/pdf")
def quote_download(token: str):
    """The quote's PDF for whoever holds the link."""
    return _pdf_response(_quote(token))


@bp.route("/offerte/<token>/accepteren", methods=["POST"])
def accept(token: str):
    """Accept the quote: the werklab is booked."""
    quote = _quote(token)
    form = AcceptForm()
    if not form.validate_on_submit():
        return _quote_page(quote, token, accept_form=form, status=422)
    try:
        services.accept_quote(quote, form.to_data(), now=utcnow())
    except DomainError as exc:
        db.session.rollback()
        form.form_errors.append(exc.message)
        quote = _quote(token)
        return _quote_page(quote, token, accept_form=form, status=exc.status_code)
    db.session.commit()
    flash(
        _(
            "Thank you: the werklab is booked. We have mailed you a sign-in link to your "
            "municipality's page, with the invitation link for your colleagues."
        ),
        "success",
    )
    return redirect(url_for("intake.quote", token=token))


@bp.route("/offerte/<token>/afwijzen", methods=["POST"])
def decline(token: str):
    """Decline the quote with a reason."""
    quote = _quote(token)
    form = DeclineForm()
    if not form.validate_on_submit():
        return _quote_page(quote, token, decline_form=form, status=422)
    try:
        services.decline_quote(quote, form.reason.data, now=utcnow())
    except DomainError as exc:
        db.session.rollback()
        form.form_errors.append(exc.message)
        quote = _quote(token)
        return _quote_page(quote, token, decline_form=form, status=exc.status_code)
    db.session.commit()
    flash(_("Thank you for letting us know. We have recorded your answer."), "success")
    return redirect(url_for("intake.quote", token=token))


# --- 4. the municipality's dashboard --------------------------------------------------------


@bp.route("/gemeente")
@login_required
def my_werklabs():
    """The werklabs of the signed-in municipality contact."""
    booked = services.requests_of(current_user)
    if len(booked) == 1:
        return redirect(url_for("intake.dashboard", request_id=booked[0].id))
    return render_template("intake/my_werklabs.html", requests=booked)


@bp.route("/gemeente/<int:request_id>", methods=["GET", "POST"])
@login_required
def dashboard(request_id: int):
    """Status, dates, invitation link, who registered, the seats; and the e-mail domains."""
    booking = _booking(request_id)
    if not permissions.can_view_municipality_dashboard(current_user, booking):
        abort(403)
    programme = booking.programme
    form = DomainsForm()
    if programme is not None and request.method == "GET":
        form.domains.data = ", ".join(services.allowed_domains(programme.id))
    if programme is not None and form.validate_on_submit():
        try:
            domains = services.parse_domains(form.domains.data or "")
            services.set_allowed_domains(
                programme, domains, actor=f"municipality:{current_user.id}", now=utcnow()
            )
        except DomainError as exc:
            db.session.rollback()
            form.domains.errors = [exc.message]
        else:
            db.session.commit()
            flash(_("The e-mail domains have been saved."), "success")
            return redirect(url_for("intake.dashboard", request_id=request_id))
    elif request.method == "POST" and programme is None:
        abort(400)
    return render_template(
        "intake/dashboard.html",
        booking=booking,
        programme=programme,
        form=form,
        invitation_url=services.invitation_url(programme) if programme else None,
        names=services.registered_names(programme) if programme else [],
        taken=seats_taken(programme.id, utcnow()) if programme else 0,
        domains=services.allowed_domains(programme.id) if programme else [],
    ), (422 if form.errors else 200)


# --- the export of the pipeline -------------------------------------------------------------


def _download(data: bytes, mimetype: str, filename: str) -> Response:
    """An attachment no browser or proxy keeps: it holds personal data."""
    return Response(
        data,
        mimetype=mimetype,
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )


def _export_table():
    if not permissions.can_export_booking_requests(current_user):
        abort(403)
    status = request.args.get("status", "")
    try:
        chosen = RequestStatus(status) if status else None
    except ValueError:
        chosen = None
    return export.table(export.requests(chosen))


@bp.get("/beheer/aanvragen.csv")
@login_required
def export_csv():
    """Download the werklab requests with their stages and quotes as CSV."""
    table = _export_table()
    return _download(to_csv(table), "text/csv", export.filename(local_date(utcnow()), "csv"))


@bp.get("/beheer/aanvragen.xlsx")
@login_required
def export_xlsx():
    """Download the werklab requests with their stages and quotes as an Excel workbook."""
    table = _export_table()
    workbook = to_xlsx(table, title=_("Werklab requests"))
    return _download(workbook, XLSX, export.filename(local_date(utcnow()), "xlsx"))
