"""The PDF of an invoice or credit note, and the mail that carries it (rendered when sent)."""

from __future__ import annotations

from datetime import datetime

from flask import render_template
from flask_babel import force_locale

from werklab.extensions import db
from werklab.invoicing import ubl
from werklab.invoicing.models import Invoice
from werklab.mail import queue_mail
from werklab.pdf import render_pdf
from werklab.translation import lazy_gettext as _l


def document_pdf(document: Invoice) -> bytes:
    """The invoice or credit note as an A4 PDF, in the language it was issued in."""
    with force_locale(document.locale):
        html = render_template("pdf/invoice.html", document=document, invoice=document.credits)
    return render_pdf(html)


def pdf_attachment(document_id: int) -> tuple[str, str, bytes]:
    """The PDF of an invoice or credit note, for a mail that is being sent."""
    document = db.session.get(Invoice, document_id)
    if document is None:
        raise LookupError(f"invoice {document_id} is gone")
    return pdf_filename(document), "application/pdf", document_pdf(document)


def pdf_filename(document: Invoice) -> str:
    with force_locale(document.locale):
        if document.is_credit_note:
            return str(_l("credit-note-%(number)s.pdf", number=document.number))
        return str(_l("invoice-%(number)s.pdf", number=document.number))


def mail_document(document: Invoice, now: datetime, *, was_paid: bool = False) -> None:
    if document.is_credit_note:
        subject = _l(
            "Credit note %(number)s: %(title)s",
            number=document.number,
            title=document.programme_title,
        )
        template, kind = "invoicing/credit_note", "invoicing.credit_note"
    else:
        subject = _l(
            "Invoice %(number)s: %(title)s", number=document.number, title=document.programme_title
        )
        template, kind = "invoicing/invoice", "invoicing.invoice"
    # Rendered when the mail is sent: not inside this transaction (the invoice counter and
    # often the programme are locked in it).
    attachments = [("werklab.invoicing.pdf:pdf_attachment", {"document_id": document.id})]
    # The buyer asked for the e-invoice; it goes along only when the document can be one
    # (e.g. the seller settings are complete), so that the mail itself never fails on it.
    if document.sent_as_ubl and ubl.missing(document):
        document.sent_as_ubl = False
    if document.sent_as_ubl:
        attachments.append(("werklab.invoicing.ubl:ubl_attachment", {"document_id": document.id}))
    queue_mail(
        document.buyer_email,
        subject,
        template,
        to_name=document.buyer_organisation,
        locale=document.locale,
        kind=kind,
        # "Questions about this document? Mail ...": a reply goes to the same address.
        reply_to=[(document.seller_name, document.seller_email)],
        attachments_later=attachments,
        now=now,
        document=document,
        invoice=document.credits,
        was_paid=was_paid,
    )
