"""E-invoices (UBL): the XML of one document and the zip of a period are for coordinators
only (everyone else 403, also for ids that do not exist)."""

from __future__ import annotations

from tests.access import Case, only
from werklab.db import utcnow
from werklab.extensions import db
from werklab.invoicing import services
from werklab.invoicing.services import BillingDetails

OK = only({"coordinator": 200})

E_BILLING = BillingDetails(
    organisation="Gemeente Arnhem",
    address="",
    email="crediteuren@arnhem.example",
    reference="AFD-SOC-17",
    street="Korenmarkt 1",
    postcode="6811 GV",
    city="Arnhem",
    legal_id="00000001001234567000",
    e_invoice=True,
)


def e_invoice_a(world):
    """A's registration in X, invoiced as an e-invoice (once per world)."""
    registration = world.registration_a
    invoice = services.invoice_for(registration)
    if invoice is None:
        services.save_billing(registration, E_BILLING, now=utcnow())
        invoice = services.invoice_registration(registration, now=utcnow())
        db.session.commit()
    return invoice


CASES = [
    Case("invoicing.invoice_ubl", lambda w: f"/beheer/facturen/{e_invoice_a(w).id}/ubl", OK),
    Case(
        "invoicing.invoice_ubl",
        lambda w: "/beheer/facturen/999999/ubl",
        only({"coordinator": 404}),
        note="unknown id",
    ),
    Case(
        "invoicing.ubl_zip",
        lambda w: (e_invoice_a(w), "/beheer/facturen/e-facturen.zip")[1],
        OK,
    ),
    Case(
        "invoicing.ubl_zip",
        lambda w: "/beheer/facturen/e-facturen.zip?van=2026-03-31&tot=2026-03-01",
        only({"coordinator": 302}),
        note="impossible period",
    ),
]
