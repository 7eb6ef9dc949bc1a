"""Invoices and credit notes: numbers, amounts, billing details, mails, marking paid."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from tests.conftest import outbox
from tests.invoicing.conftest import BILLING, NOW
from werklab.audit import AuditEntry
from werklab.errors import DomainError, ValidationError
from werklab.extensions import db
from werklab.invoicing import services
from werklab.invoicing.documents import InvoiceError
from werklab.invoicing.models import (
    CreditNote,
    DocumentKind,
    Invoice,
    InvoiceCounter,
    InvoiceLine,
    InvoiceStatus,
    ListStatus,
    RegistrationBilling,
    vat_of,
)
from werklab.registration.signup import BillingDetails


def numbers() -> list[str]:
    return list(db.session.execute(select(Invoice.number).order_by(Invoice.id)).scalars())


def test_an_invoice_carries_buyer_seller_line_vat_totals_and_due_date(app, cop, invoiced):
    registration, invoice = invoiced(cop, first_name="Fatima", last_name="El Amrani")

    assert invoice.number == "2026-0001"
    assert invoice.kind is DocumentKind.INVOICE
    assert invoice.status is InvoiceStatus.OPEN
    assert invoice.issue_date == date(2026, 3, 2)
    assert invoice.due_date == date(2026, 4, 1)  # INVOICE_DUE_DAYS = 30
    assert (invoice.buyer_organisation, invoice.buyer_reference) == (
        "Gemeente Arnhem",
        "PO-4500123",
    )
    assert invoice.buyer_address == "Afdeling Financiën\nPostbus 9200\n6800 HA Arnhem"
    assert invoice.buyer_email == "crediteuren@arnhem.example"
    assert invoice.buyer_vat_number == "NL112233442B01"
    assert invoice.seller_name == app.config["SELLER_NAME"]
    assert invoice.seller_iban == app.config["SELLER_IBAN"]
    assert invoice.participant_name == "Fatima El Amrani"
    [line] = invoice.lines
    assert line.description == "Deelname CoP Gelderland"
    assert (line.quantity, line.unit_price_cents, line.vat_rate_bp) == (1, 75000, 2100)
    assert (line.amount_excl_cents, line.vat_cents) == (75000, 15750)
    assert (invoice.total_excl_cents, invoice.vat_cents, invoice.total_incl_cents) == (
        75000,
        15750,
        90750,
    )
    assert invoice.vat_exempt_note is None
    assert services.invoice_for(registration) is invoice
    assert (
        db.session.execute(select(AuditEntry).where(AuditEntry.action == "invoice.issued"))
        .scalar_one()
        .data["number"]
        == "2026-0001"
    )


def test_invoicing_twice_gives_the_same_invoice_and_one_mail(cop, invoiced):
    registration, invoice = invoiced(cop)
    again = services.invoice_registration(registration, now=NOW + timedelta(hours=1))
    assert again is invoice
    assert numbers() == ["2026-0001"]
    assert len(outbox("invoicing.invoice")) == 1
    assert db.session.get(InvoiceCounter, 2026).last_number == 1


def test_the_mail_goes_to_the_billing_address_with_the_pdf(cop, invoiced):
    invoiced(cop, first_name="Fatima", last_name="El Amrani")
    [mail] = outbox("invoicing.invoice")
    assert mail.to_addr == "crediteuren@arnhem.example"
    assert mail.to_name == "Gemeente Arnhem"
    assert mail.subject == "Factuur 2026-0001: CoP Gelderland"
    for body in (mail.body_text, mail.body_html):
        assert "factuur 2026-0001" in body
        assert "Fatima El Amrani" in body
        assert "PO-4500123" in body
        assert "907,50" in body
        assert "NL91ABNA0417164300" in body
        assert "1 april 2026" in body
    # No manage link: the billing address (often accounts payable) must not be able to
    # cancel the registration.
    assert "/inschrijving/" not in mail.body_text + mail.body_html
    assert "/factuur/" not in mail.body_text + mail.body_html
    # The PDF is made when the mail is sent (not inside the invoicing transaction).
    [attachment] = sent_attachments(mail)
    assert attachment.get_filename() == "factuur-2026-0001.pdf"
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_content().startswith(b"%PDF")


def test_an_english_registration_gets_an_english_invoice(cop, invoiced):
    _, invoice = invoiced(cop, locale="en")
    assert invoice.locale == "en"
    assert invoice.lines[0].description == "Participation in CoP Gelderland"
    [mail] = outbox("invoicing.invoice")
    assert mail.subject == "Invoice 2026-0001: CoP Gelderland"
    assert sent_attachments(mail)[0].get_filename() == "invoice-2026-0001.pdf"


def test_numbers_are_consecutive_across_invoices_and_credit_notes(factories, cop, invoiced):
    other = factories.programme(now=NOW, title="LG Utrecht", fee_cents=120000)
    first, _ = invoiced(cop)
    invoiced(other)
    services.credit_registration(first, reason="cancelled", now=NOW + timedelta(days=1))
    invoiced(cop, now=NOW + timedelta(days=2))
    assert numbers() == ["2026-0001", "2026-0002", "2026-0003", "2026-0004"]
    assert db.session.get(InvoiceCounter, 2026).last_number == 4


def test_a_new_year_starts_at_one_by_the_dutch_calendar(factories, invoiced):
    programme = factories.programme(now=datetime(2026, 12, 20, 9, 0), fee_cents=75000)
    # 22:30 UTC on 31 December is 23:30 in Amsterdam: still 2026.
    _, last = invoiced(programme, now=datetime(2026, 12, 31, 22, 30))
    # 23:30 UTC is half past midnight on 1 January in Amsterdam: 2027.
    _, first = invoiced(programme, now=datetime(2026, 12, 31, 23, 30))
    assert (last.number, last.issue_date) == ("2026-0001", date(2026, 12, 31))
    assert (first.number, first.issue_date) == ("2027-0001", date(2027, 1, 1))
    assert first.year == 2027


def test_a_rolled_back_invoice_gives_its_number_back(cop, invoiced):
    invoiced(cop)
    db.session.commit()
    invoiced(cop)
    db.session.rollback()
    _, invoice = invoiced(cop)
    assert invoice.number == "2026-0002"
    assert numbers() == ["2026-0001", "2026-0002"]


@pytest.mark.parametrize(
    ("cents", "rate", "vat"),
    [
        (75000, 2100, 15750),
        (1250, 900, 113),  # 112.5 rounds up
        (1150, 900, 104),  # 103.5 rounds up
        (1149, 900, 103),  # 103.41 rounds down
        (-1250, 900, -113),  # a credit note mirrors: away from zero
        (99999, 0, 0),
    ],
)
def test_vat_per_line_rounds_half_up(cents, rate, vat):
    assert vat_of(cents, rate) == vat


def test_a_programme_exempt_from_vat_prints_the_legal_note(app, factories, invoiced):
    programme = factories.programme(now=NOW, fee_cents=75000, vat_rate_bp=0)
    _, invoice = invoiced(programme)
    assert (invoice.total_excl_cents, invoice.vat_cents, invoice.total_incl_cents) == (
        75000,
        0,
        75000,
    )
    assert invoice.vat_exempt_note == app.config["VAT_EXEMPT_NOTE"]


def test_a_credit_note_mirrors_its_invoice(cop, invoiced):
    registration, invoice = invoiced(cop)
    db.session.commit()
    outbox_before = len(outbox())

    note = services.credit_registration(registration, reason="cancelled", now=NOW + timedelta(1))

    assert isinstance(note, CreditNote)
    assert note.number == "2026-0002"
    assert note.credits is invoice
    assert invoice.credit_note is note
    assert invoice.status is InvoiceStatus.CREDITED
    assert invoice.credited_at == NOW + timedelta(1)
    assert note.status is InvoiceStatus.ISSUED
    assert note.due_date is None
    assert note.reason == "Inschrijving geannuleerd"
    assert [
        (line.description, line.quantity, line.unit_price_cents, line.vat_rate_bp)
        for line in note.lines
    ] == [
        (line.description, line.quantity, -line.unit_price_cents, line.vat_rate_bp)
        for line in invoice.lines
    ]
    assert (note.total_excl_cents, note.vat_cents, note.total_incl_cents) == (
        -75000,
        -15750,
        -90750,
    )
    for field in ("buyer_organisation", "buyer_reference", "buyer_vat_number", "seller_iban"):
        assert getattr(note, field) == getattr(invoice, field)
    [mail] = outbox("invoicing.credit_note")
    assert len(outbox()) == outbox_before + 1
    assert mail.to_addr == "crediteuren@arnhem.example"
    assert mail.subject == "Creditnota 2026-0002: CoP Gelderland"
    assert "factuur 2026-0001" in mail.body_text
    assert "hoef je niet meer te betalen" in mail.body_text
    assert sent_attachments(mail)[0].get_filename() == "creditnota-2026-0002.pdf"
    entry = db.session.execute(
        select(AuditEntry).where(AuditEntry.action == "invoice.credited")
    ).scalar_one()
    assert entry.object_id == invoice.id
    assert entry.data["credit_note"] == "2026-0002"


def test_crediting_a_paid_invoice_says_the_money_comes_back(cop, invoiced):
    registration, invoice = invoiced(cop)
    services.mark_paid(invoice, actor="coordinator:1", now=NOW + timedelta(days=3))
    services.credit_registration(
        registration, reason="Het traject is verplaatst", now=NOW + timedelta(days=4)
    )
    [mail] = outbox("invoicing.credit_note")
    assert "Factuur 2026-0001 is al betaald" in mail.body_text
    assert "Reden: Het traject is verplaatst" in mail.body_text
    assert invoice.status is InvoiceStatus.CREDITED
    assert invoice.paid_on == date(2026, 3, 5)


def test_crediting_is_idempotent_and_needs_an_invoice(factories, cop, invoiced):
    registration, _ = invoiced(cop)
    assert services.credit_registration(registration, reason="cancelled", now=NOW)
    assert services.credit_registration(registration, reason="cancelled", now=NOW) is None
    uninvoiced = factories.registration(cop, now=NOW)
    assert services.credit_registration(uninvoiced, reason="cancelled", now=NOW) is None
    assert numbers() == ["2026-0001", "2026-0002"]
    assert len(outbox("invoicing.credit_note")) == 1


def test_after_a_credit_note_a_registration_can_be_invoiced_again(cop, invoiced):
    registration, first = invoiced(cop)
    services.credit_registration(registration, reason="cancelled", now=NOW)
    second = services.invoice_registration(registration, now=NOW)
    assert second is not first
    assert second.number == "2026-0003"
    assert services.invoice_for(registration) is second


def test_the_database_refuses_a_second_current_invoice(cop, invoiced):
    registration, invoice = invoiced(cop)
    copy = Invoice(
        **{
            column.key: getattr(invoice, column.key)
            for column in Invoice.__table__.columns
            if column.key not in {"id", "number"}
        },
        number="2026-9999",
    )
    copy.lines = [
        InvoiceLine(
            position=1,
            description="x",
            quantity=1,
            unit_price_cents=1,
            vat_rate_bp=0,
            amount_excl_cents=1,
            vat_cents=0,
        )
    ]
    db.session.add(copy)
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_mark_paid_records_the_day_and_the_coordinator(cop, invoiced):
    _, invoice = invoiced(cop)
    services.mark_paid(
        invoice, actor="coordinator:7", now=NOW + timedelta(days=10), paid_on=date(2026, 3, 9)
    )
    assert invoice.status is InvoiceStatus.PAID
    assert invoice.paid_on == date(2026, 3, 9)
    assert invoice.paid_at == NOW + timedelta(days=10)
    assert invoice.list_status(date(2026, 12, 1)) is ListStatus.PAID
    entry = db.session.execute(
        select(AuditEntry).where(AuditEntry.action == "invoice.paid")
    ).scalar_one()
    assert (entry.actor, entry.object_id, entry.data["paid_on"]) == (
        "coordinator:7",
        invoice.id,
        "2026-03-09",
    )


@pytest.mark.parametrize(
    ("paid_on", "message"),
    [
        (date(2026, 3, 20), "toekomst"),
        (date(2026, 3, 1), "vóór de factuurdatum"),
    ],
)
def test_mark_paid_refuses_impossible_dates(cop, invoiced, paid_on, message):
    _, invoice = invoiced(cop)
    with pytest.raises(ValidationError, match=message):
        services.mark_paid(
            invoice, actor="coordinator:1", now=NOW + timedelta(days=5), paid_on=paid_on
        )
    assert invoice.status is InvoiceStatus.OPEN


def test_mark_paid_refuses_paid_credited_and_credit_notes(cop, invoiced):
    registration, invoice = invoiced(cop)
    services.mark_paid(invoice, actor="coordinator:1", now=NOW)
    with pytest.raises(InvoiceError, match="al op betaald"):
        services.mark_paid(invoice, actor="coordinator:1", now=NOW)
    other, open_invoice = invoiced(cop)
    note = services.credit_registration(other, reason="cancelled", now=NOW)
    with pytest.raises(InvoiceError, match="gecrediteerd"):
        services.mark_paid(open_invoice, actor="coordinator:1", now=NOW)
    with pytest.raises(InvoiceError, match="creditnota"):
        services.mark_paid(note, actor="coordinator:1", now=NOW)


def test_an_open_invoice_past_its_due_date_is_overdue(cop, invoiced):
    _, invoice = invoiced(cop)
    assert invoice.list_status(date(2026, 4, 1)) is ListStatus.OPEN
    assert invoice.list_status(date(2026, 4, 2)) is ListStatus.OVERDUE


# --- billing details -----------------------------------------------------------------------


def test_billing_details_are_tidied_and_replaced(factories, cop):
    registration = factories.registration(cop, now=NOW)
    services.save_billing(
        registration,
        BillingDetails(
            organisation="  Gemeente   Ede ",
            address="Postbus 9022\r\n\r\n  6710 HK  Ede \n",
            email=" facturen@ede.example ",
            reference=" 2026/0042 ",
            vat_number="nl 1122.33.442 b01",
        ),
        now=NOW,
    )
    row = services.billing_for(registration)
    assert row.organisation == "Gemeente Ede"
    assert row.address == "Postbus 9022\n6710 HK Ede"
    assert row.email == "facturen@ede.example"
    assert row.reference == "2026/0042"
    assert row.vat_number == "NL112233442B01"

    services.save_billing(registration, BILLING, now=NOW + timedelta(minutes=1))
    [row] = db.session.execute(select(RegistrationBilling)).scalars().all()
    assert (row.organisation, row.reference) == ("Gemeente Arnhem", "PO-4500123")
    assert row.updated_at == NOW + timedelta(minutes=1)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"organisation": " "}, "organisatie"),
        ({"address": "\n \n"}, "factuuradres"),
        ({"email": "geen-adres"}, "e-mailadres"),
        ({"email": "a@b.nl\nBcc: x@y.nl"}, "e-mailadres"),
        ({"reference": ""}, "inkoopordernummer"),
        ({"vat_number": "12"}, "btw-nummer"),
        ({"organisation": "x" * 201}, "te lang"),
        ({"reference": "PO\x07"}, "tekens"),
    ],
)
def test_billing_details_that_cannot_be_used_are_refused(factories, cop, change, message):
    registration = factories.registration(cop, now=NOW)
    values = {**BILLING.__dict__, **change}
    with pytest.raises(ValidationError, match=message):
        services.save_billing(registration, BillingDetails(**values), now=NOW)
    assert services.billing_for(registration) is None


def test_no_invoice_without_billing_details_or_a_fee(factories, cop):
    registration = factories.registration(cop, now=NOW)
    with pytest.raises(InvoiceError, match="factuurgegevens"):
        services.invoice_registration(registration, now=NOW)
    free = factories.programme(now=NOW, fee_cents=None)
    guest = factories.registration(free, now=NOW)
    services.save_billing(guest, BILLING, now=NOW)
    with pytest.raises(DomainError, match="geen bedrag"):
        services.invoice_registration(guest, now=NOW)
    assert numbers() == []


def test_only_a_seated_registration_is_invoiced(factories, invoiced):
    programme = factories.programme(now=NOW, fee_cents=75000, max_participants=10)
    factories.fill(programme, 10, now=NOW)
    waiting = factories.registration(programme, now=NOW)
    services.save_billing(waiting, BILLING, now=NOW)
    with pytest.raises(InvoiceError, match="bevestigde plaats"):
        services.invoice_registration(waiting, now=NOW)
    assert numbers() == []


def sent_attachments(mail):
    """The attachments of `mail` as they go out (made by the mail sender)."""
    from werklab.mail import build_message

    return list(build_message(mail, "werklab <noreply@werklab.example>").iter_attachments())
