"""Invoices: the list, export, pages and PDFs are for coordinators only (everyone else 403,
also for ids that do not exist); the payer's PDF is behind the registration's manage link,
which is the key whoever holds it, signed in or not."""

from __future__ import annotations

from tests.access import Case, everyone, only
from werklab.db import utcnow
from werklab.extensions import db
from werklab.invoicing import services
from werklab.registration.signup import BillingDetails

OK = only({"coordinator": 200})
UNKNOWN = only({"coordinator": 404})

BILLING = BillingDetails(
    organisation="Gemeente Arnhem",
    address="Postbus 9200\n6800 HA Arnhem",
    email="crediteuren@arnhem.example",
    reference="PO-4500123",
)


def invoice_a(world):
    """A's registration in X, invoiced (once per world)."""
    registration = world.registration_a
    invoice = services.invoice_for(registration)
    if invoice is None:
        services.save_billing(registration, BILLING, now=utcnow())
        invoice = services.invoice_registration(registration, now=utcnow())
        db.session.commit()
    return invoice


def credit_note_a(world):
    """A's invoice, credited."""
    invoice = invoice_a(world)
    if invoice.credit_note is None:
        services.credit_registration(world.registration_a, reason="cancelled", now=utcnow())
        db.session.commit()
    return invoice.credit_note


def _invoice_url(world) -> str:
    return f"/beheer/facturen/{invoice_a(world).id}"


CASES = [
    Case("invoicing.index", lambda w: "/beheer/facturen", OK),
    Case(
        "invoicing.index",
        lambda w: "/beheer/facturen?status=verlopen&jaar=2026",
        OK,
        note="filtered",
    ),
    Case("invoicing.export_csv", lambda w: "/beheer/facturen/export.csv", OK),
    Case("invoicing.invoice", _invoice_url, OK),
    Case(
        "invoicing.invoice",
        lambda w: f"/beheer/facturen/{credit_note_a(w).id}",
        OK,
        note="credit note",
    ),
    Case("invoicing.invoice", lambda w: "/beheer/facturen/999999", UNKNOWN, note="unknown id"),
    Case("invoicing.invoice_pdf", lambda w: f"{_invoice_url(w)}/pdf", OK),
    Case(
        "invoicing.invoice_pdf", lambda w: "/beheer/facturen/999999/pdf", UNKNOWN, note="unknown id"
    ),
    Case(
        "invoicing.mark_paid",
        lambda w: f"{_invoice_url(w)}/betaald",
        only({"coordinator": 302}),
        method="POST",
        data=lambda w: {"paid_on": services.local_date(utcnow()).isoformat()},
        writes=("coordinator",),
    ),
    Case(
        "invoicing.mark_paid",
        lambda w: "/beheer/facturen/999999/betaald",
        UNKNOWN,
        method="POST",
        data=lambda w: {"paid_on": "2026-03-02"},
        note="unknown id",
    ),
    # The manage link is the key: whoever has it may download the invoice.
    Case(
        "invoicing.payer_pdf",
        lambda w: (invoice_a(w), f"/factuur/{w.token(w.registration_a)}.pdf")[1],
        everyone(200),
    ),
    Case(
        "invoicing.payer_pdf",
        lambda w: f"/factuur/{w.token(w.registration_b)}.pdf",
        everyone(404),
        note="no invoice",
    ),
    Case(
        "invoicing.payer_pdf", lambda w: "/factuur/geraden.pdf", everyone(404), note="unknown token"
    ),
    Case(
        "invoicing.payer_credit_note_pdf",
        lambda w: (credit_note_a(w), f"/factuur/{w.token(w.registration_a)}/creditnota.pdf")[1],
        everyone(200),
    ),
    Case(
        "invoicing.payer_credit_note_pdf",
        lambda w: (invoice_a(w), f"/factuur/{w.token(w.registration_a)}/creditnota.pdf")[1],
        everyone(404),
        note="not credited",
    ),
]
