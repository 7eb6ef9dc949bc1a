"""Invoices for registrations paid by the employer: the invoicing area's public names.

The work is done in one module per workflow: billing (where the invoice goes), numbering
(gapless numbers per year), documents (invoices, credit notes, payments by bank transfer,
invoices for accepted quotes), pdf (the PDF and its mail) and listing (the coordinator's list);
export.py writes the CSV for the bookkeeping.

Mails queued before this module was split name "werklab.invoicing.services:pdf_attachment";
that name stays importable from here, as does BillingDetails (registration.signup).
"""

from __future__ import annotations

from werklab.invoicing.billing import (
    add_billing,
    billing_for,
    clean_billing,
    save_billing,
)
from werklab.invoicing.documents import (
    CREDIT_REASONS,
    InvoiceError,
    credit_registration,
    invoice_for,
    invoice_links,
    invoice_quote,
    invoice_registration,
    local_date,
    mark_paid,
)
from werklab.invoicing.listing import (
    InvoiceFilter,
    InvoicePage,
    Outstanding,
    all_invoices,
    invoice_years,
    issued_between,
    list_invoices,
    load_invoice,
    outstanding,
)
from werklab.invoicing.numbering import (
    next_number,
)
from werklab.invoicing.pdf import (
    document_pdf,
    pdf_attachment,
    pdf_filename,
)
from werklab.registration.signup import BillingDetails

__all__ = [
    "issued_between",
    "BillingDetails",
    "CREDIT_REASONS",
    "InvoiceError",
    "InvoiceFilter",
    "InvoicePage",
    "Outstanding",
    "add_billing",
    "all_invoices",
    "billing_for",
    "clean_billing",
    "credit_registration",
    "document_pdf",
    "invoice_for",
    "invoice_links",
    "invoice_quote",
    "invoice_registration",
    "invoice_years",
    "list_invoices",
    "load_invoice",
    "local_date",
    "mark_paid",
    "next_number",
    "outstanding",
    "pdf_attachment",
    "pdf_filename",
    "save_billing",
]
