"""Invoices: the coordinator's list, PDFs, CSV export, marking bank transfers paid; and the
payer's own PDF behind the registration's manage link.

Coordinator pages check the permission before loading anything, so that nobody else can
tell which invoice ids exist (403, never 404).
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_login import current_user, login_required

from werklab import menu, permissions
from werklab.db import utcnow
from werklab.errors import DomainError
from werklab.extensions import db
from werklab.invoicing import export, services, ubl
from werklab.invoicing.forms import MarkPaidForm, UblPeriodForm
from werklab.invoicing.models import Invoice, InvoiceStatus, ListStatus
from werklab.registration.lookup import find_by_token
from werklab.spreadsheets import XLSX
from werklab.translation import gettext as _
from werklab.translation import lazy_gettext as _l

bp = Blueprint("invoicing", __name__)

menu.add("invoicing.index", _l("Invoices"), permissions.is_coordinator)

#: The status filter of the list (?status=...), in the order it is offered.
FILTERS = {
    "openstaand": ListStatus.OPEN,
    "verlopen": ListStatus.OVERDUE,
    "betaald": ListStatus.PAID,
    "gecrediteerd": ListStatus.CREDITED,
    "creditnotas": ListStatus.CREDIT_NOTE,
}
#: Documents per page of the list.
PER_PAGE = 100

FILTER_LABELS = {
    ListStatus.OPEN: _l("Unpaid"),
    ListStatus.OVERDUE: _l("Overdue"),
    ListStatus.PAID: _l("Paid"),
    ListStatus.CREDITED: _l("Credited"),
    ListStatus.CREDIT_NOTE: _l("Credit notes"),
}


def invoice_date(value) -> str:
    return format_date(value, "d MMMM y") if value else ""


@bp.record_once
def _template_helpers(state) -> None:
    state.app.jinja_env.filters.update(invoice_date=invoice_date)
    state.app.jinja_env.globals.update(INVOICE_STATUS_LABELS=export.STATUS_LABELS)


def _allow() -> None:
    if not permissions.can_manage_invoices(current_user):
        abort(403)


def _actor() -> str:
    return f"coordinator:{current_user.id}"


def _invoice(invoice_id: int) -> Invoice:
    return services.load_invoice(invoice_id) or abort(404)


def _filter_args() -> dict[str, str]:
    """The list's own query parameters (and nothing else) for links to other pages of it."""
    return {key: request.args[key] for key in ("status", "jaar", "zoek") if request.args.get(key)}


def _filters() -> services.InvoiceFilter:
    year = request.args.get("jaar", "")
    return services.InvoiceFilter(
        status=FILTERS.get(request.args.get("status", "")),
        year=int(year) if year.isdigit() and len(year) == 4 else None,
        search=request.args.get("zoek", "")[:100],
    )


def _download(data: bytes, mimetype: str, filename: str) -> Response:
    """An attachment no browser or proxy keeps: it holds personal and financial data."""
    return Response(
        data,
        mimetype=mimetype,
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )


def _pdf(document: Invoice) -> Response:
    return _download(
        services.document_pdf(document), "application/pdf", services.pdf_filename(document)
    )


# --- coordinator ---------------------------------------------------------------------------


@bp.get("/beheer/facturen")
@login_required
def index():
    """Invoices and credit notes with their status, filters and the amount outstanding."""
    _allow()
    filters = _filters()
    today = services.local_date(utcnow())
    result = services.list_invoices(
        filters, today=today, page=request.args.get("pagina", 1, type=int), per_page=PER_PAGE
    )
    return render_template(
        "invoicing/index.html",
        result=result,
        filters=filters,
        filter_args=_filter_args(),
        filter_slug={status: slug for slug, status in FILTERS.items()}.get(filters.status, ""),
        filter_choices=[(slug, FILTER_LABELS[status]) for slug, status in FILTERS.items()],
        outstanding=services.outstanding(today),
        years=services.invoice_years(),
        today=today,
        period_form=_period_form(today),
    )


def _period_form(today) -> UblPeriodForm:
    """The e-invoice zip's period, by default the month so far."""
    return UblPeriodForm(request.args or None, van=today.replace(day=1), tot=today)


@bp.get("/beheer/facturen/e-facturen.zip")
@login_required
def ubl_zip():
    """Download the e-invoices (UBL) of every invoice and credit note issued in a period."""
    _allow()
    form = _period_form(services.local_date(utcnow()))
    if not form.validate():
        for errors in form.errors.values():
            for error in errors:
                flash(error, "error")
        return redirect(url_for("invoicing.index"))
    documents = services.issued_between(form.van.data, form.tot.data)
    if not documents:
        flash(_("No invoices or credit notes were issued in this period."), "info")
        return redirect(url_for("invoicing.index"))
    data, _count, _left_out = ubl.zip_of(documents)
    name = f"e-facturen-{form.van.data:%Y-%m-%d}-{form.tot.data:%Y-%m-%d}.zip"
    return _download(data, "application/zip", name)


@bp.get("/beheer/facturen/export.csv")
@login_required
def export_csv():
    """Download the (filtered) invoices and credit notes as CSV for the bookkeeping."""
    _allow()
    today = services.local_date(utcnow())
    documents = services.all_invoices(_filters(), today=today)
    table = export.rows(documents, today=today)
    return _download(export.to_csv(table), "text/csv", f"facturen-{today:%Y-%m-%d}.csv")


@bp.get("/beheer/facturen/export.xlsx")
@login_required
def export_xlsx():
    """Download the (filtered) invoices and credit notes as an Excel workbook, amounts and
    dates as numbers, with the VAT totals per rate."""
    _allow()
    today = services.local_date(utcnow())
    table = export.rows(services.all_invoices(_filters(), today=today), today=today)
    return _download(
        export.to_xlsx(table, title=_("Invoices"), bold_rows=export.totals_rows(table)),
        XLSX,
        f"facturen-{today:%Y-%m-%d}.xlsx",
    )


@bp.get("/beheer/facturen/<int:invoice_id>")
@login_required
def invoice(invoice_id: int):
    """One invoice or credit note, with "mark as paid" while it is open."""
    _allow()
    document = _invoice(invoice_id)
    today = services.local_date(utcnow())
    form = MarkPaidForm(formdata=None, data={"paid_on": today})
    return _invoice_page(document, form, today)


def _invoice_page(document: Invoice, form: MarkPaidForm, today, status: int = 200):
    return render_template(
        "invoicing/invoice.html",
        document=document,
        form=form,
        today=today,
        can_mark_paid=document.status is InvoiceStatus.OPEN,
        ubl_missing=ubl.missing(document),
    ), status


@bp.get("/beheer/facturen/<int:invoice_id>/pdf")
@login_required
def invoice_pdf(invoice_id: int):
    """The PDF of an invoice or credit note."""
    _allow()
    return _pdf(_invoice(invoice_id))


@bp.get("/beheer/facturen/<int:invoice_id>/ubl")
@login_required
def invoice_ubl(invoice_id: int):
    """The e-invoice (UBL) of an invoice or credit note."""
    _allow()
    document = _invoice(invoice_id)
    try:
        data = ubl.build(document)
    except ubl.EInvoiceUnavailable as exc:
        flash(exc.message, "error")
        return redirect(url_for("invoicing.invoice", invoice_id=invoice_id))
    return _download(data, "application/xml", ubl.filename(document))


@bp.post("/beheer/facturen/<int:invoice_id>/betaald")
@login_required
def mark_paid(invoice_id: int):
    """Record that the bank transfer for an invoice has arrived."""
    _allow()
    document = _invoice(invoice_id)
    form = MarkPaidForm()
    if not form.validate_on_submit():
        return _invoice_page(document, form, services.local_date(utcnow()), 400)
    try:
        services.mark_paid(document, actor=_actor(), now=utcnow(), paid_on=form.paid_on.data)
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("invoicing.invoice", invoice_id=invoice_id))
    number = document.number
    db.session.commit()
    flash(_("Invoice %(number)s is marked as paid.", number=number), "success")
    return redirect(url_for("invoicing.invoice", invoice_id=invoice_id))


# --- the payer -----------------------------------------------------------------------------


@bp.get("/factuur/<token>.pdf")
def payer_pdf(token: str):
    """The invoice of a registration, for whoever holds its manage link."""
    registration = find_by_token(token) or abort(404)
    return _pdf(services.invoice_for(registration) or abort(404))


@bp.get("/factuur/<token>/creditnota.pdf")
def payer_credit_note_pdf(token: str):
    """The credit note of a registration's invoice, for whoever holds its manage link."""
    registration = find_by_token(token) or abort(404)
    invoice = services.invoice_for(registration) or abort(404)
    return _pdf(invoice.credit_note or abort(404))
