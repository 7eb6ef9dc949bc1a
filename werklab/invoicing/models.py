"""Invoices, credit notes and their lines, the yearly number counter, billing details.

An invoice is a legal document: once issued it never changes, except for its payment state.
It therefore keeps its own copy of the seller's and the buyer's details (a later change to
the configuration or to the billing details does not rewrite an issued invoice), and its
lines carry their amounts in cents.

A credit note is a kind of invoice (a "creditfactuur"): same table, same number sequence,
negative amounts, and a reference to the invoice it credits.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from werklab.catalog.pricing import vat_of  # noqa: F401  (one rounding rule: the seat price's)
from werklab.db import Base, enum_type, utcnow
from werklab.registration.models import Registration


class DocumentKind(enum.Enum):
    INVOICE = "invoice"
    CREDIT_NOTE = "credit_note"


class InvoiceStatus(enum.Enum):
    OPEN = "open"  # waiting for the bank transfer
    PAID = "paid"
    CREDITED = "credited"  # cancelled by a credit note
    ISSUED = "issued"  # a credit note: nothing to pay


class ListStatus(enum.Enum):
    """The status a person sees: "overdue" is an open invoice past its due date."""

    OPEN = "open"
    OVERDUE = "overdue"
    PAID = "paid"
    CREDITED = "credited"
    CREDIT_NOTE = "credit_note"


#: Invoices that count as the registration's current one: at most one per registration.
_CURRENT_SQL = "kind = 'invoice' AND status IN ('open', 'paid')"


class InvoiceCounter(Base):
    """The last number handed out in a calendar year. Numbers are taken with this row
    locked, in the transaction that stores the invoice: a rolled-back invoice gives its
    number back, so the sequence never skips or repeats."""

    __tablename__ = "invoice_counters"
    __table_args__ = (sa.CheckConstraint("last_number >= 0", name="not_negative"),)

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last_number: Mapped[int] = mapped_column(default=0)


class RegistrationBilling(Base):
    """Where the invoice for a registration goes: the employer's details."""

    __tablename__ = "registration_billing"

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        sa.ForeignKey("registrations.id", ondelete="CASCADE"), unique=True
    )
    organisation: Mapped[str] = mapped_column(sa.String(200))
    #: Street, postcode and place, on separate lines.
    address: Mapped[str] = mapped_column(sa.String(500))
    #: Where the invoice is mailed (often the accounts-payable department).
    email: Mapped[str] = mapped_column(sa.String(254))
    #: Purchase-order or reference number; many public-sector systems refuse invoices without.
    reference: Mapped[str] = mapped_column(sa.String(100))
    vat_number: Mapped[str | None] = mapped_column(sa.String(30))
    # What an e-invoice (UBL) needs beyond the printed address; empty on details stored
    # before e-invoicing (their `address` is then the only address).
    street: Mapped[str] = mapped_column(sa.String(200), default="", server_default="")
    postcode: Mapped[str] = mapped_column(sa.String(20), default="", server_default="")
    city: Mapped[str] = mapped_column(sa.String(100), default="", server_default="")
    #: ISO 3166 country code.
    country: Mapped[str] = mapped_column(sa.String(2), default="NL", server_default="NL")
    #: "0106" (KvK number) or "0190" (OIN), with the number; empty when not given.
    legal_scheme: Mapped[str] = mapped_column(sa.String(4), default="", server_default="")
    legal_id: Mapped[str] = mapped_column(sa.String(20), default="", server_default="")
    #: Peppol participant ID "0190:000000...", when the buyer gave it.
    peppol_id: Mapped[str] = mapped_column(sa.String(60), default="", server_default="")
    #: The purchase-order number; `reference` is the buyer's own reference. One of the two
    #: is required.
    order_number: Mapped[str] = mapped_column(sa.String(100), default="", server_default="")
    #: The buyer wants the invoice as an e-invoice (UBL) attached to the mail as well.
    e_invoice: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


@dataclass(frozen=True)
class VatGroup:
    rate_bp: int
    base_cents: int  # amount excluding VAT taxed at this rate
    vat_cents: int


def vat_groups(lines) -> list[VatGroup]:
    """The VAT per rate of lines (with amount_excl_cents and vat_rate_bp), highest rate
    first; the VAT of a rate is computed on the sum of its lines and rounded to cents."""
    bases: dict[int, int] = {}
    for line in lines:
        bases[line.vat_rate_bp] = bases.get(line.vat_rate_bp, 0) + line.amount_excl_cents
    return [VatGroup(rate, base, vat_of(base, rate)) for rate, base in sorted(bases.items())[::-1]]


class Invoice(Base):
    __tablename__ = "invoices"
    __table_args__ = (
        # A registration has at most one invoice that is not credited.
        sa.Index(
            "uq_invoices_current_per_registration",
            "registration_id",
            unique=True,
            sqlite_where=sa.text(_CURRENT_SQL),
            postgresql_where=sa.text(_CURRENT_SQL),
        ),
        sa.Index("ix_invoices_kind_status_due", "kind", "status", "due_date"),
        sa.Index("ix_invoices_year", "year"),
        sa.CheckConstraint(
            "(kind = 'invoice' AND credits_id IS NULL AND status IN ('open', 'paid', 'credited'))"
            " OR (kind = 'credit_note' AND credits_id IS NOT NULL AND status = 'issued')",
            name="kind_matches",
        ),
        sa.CheckConstraint("total_incl_cents = total_excl_cents + vat_cents", name="totals_add_up"),
        sa.CheckConstraint("status != 'paid' OR paid_on IS NOT NULL", name="paid_has_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[DocumentKind] = mapped_column(enum_type(DocumentKind, "document_kind"))
    #: "2026-0001": the year of issue and a sequence number without gaps, shared by
    #: invoices and credit notes.
    number: Mapped[str] = mapped_column(sa.String(20), unique=True)
    year: Mapped[int]
    registration_id: Mapped[int | None] = mapped_column(
        # Invoices are kept (bookkeeping) also when a registration is erased.
        sa.ForeignKey("registrations.id", ondelete="SET NULL"),
        index=True,
    )
    #: The invoice a credit note credits.
    credits_id: Mapped[int | None] = mapped_column(sa.ForeignKey("invoices.id"), unique=True)
    status: Mapped[InvoiceStatus] = mapped_column(enum_type(InvoiceStatus, "invoice_status"))
    #: Dates in Dutch local time.
    issue_date: Mapped[date] = mapped_column(sa.Date)
    due_date: Mapped[date | None] = mapped_column(sa.Date)
    #: Language the document is written in (the payer's at the time of issue).
    locale: Mapped[str] = mapped_column(sa.String(8), default="nl")

    seller_name: Mapped[str] = mapped_column(sa.String(200))
    seller_address: Mapped[str] = mapped_column(sa.String(500))
    seller_email: Mapped[str] = mapped_column(sa.String(254))
    seller_kvk: Mapped[str] = mapped_column(sa.String(30))
    seller_vat_number: Mapped[str] = mapped_column(sa.String(30))
    seller_iban: Mapped[str] = mapped_column(sa.String(40))
    # The seller's address in parts and its Peppol ID, for the e-invoice (empty on documents
    # issued before e-invoicing).
    seller_street: Mapped[str] = mapped_column(sa.String(200), default="", server_default="")
    seller_postcode: Mapped[str] = mapped_column(sa.String(20), default="", server_default="")
    seller_city: Mapped[str] = mapped_column(sa.String(100), default="", server_default="")
    seller_country: Mapped[str] = mapped_column(sa.String(2), default="NL", server_default="NL")
    seller_peppol_id: Mapped[str] = mapped_column(sa.String(60), default="", server_default="")

    buyer_organisation: Mapped[str] = mapped_column(sa.String(200))
    buyer_address: Mapped[str] = mapped_column(sa.String(500))
    buyer_email: Mapped[str] = mapped_column(sa.String(254))
    #: The buyer's own reference (UBL BuyerReference); may be empty when there is an order
    #: number.
    buyer_reference: Mapped[str] = mapped_column(sa.String(100))
    #: The purchase-order number (UBL OrderReference).
    buyer_order_number: Mapped[str] = mapped_column(sa.String(100), default="", server_default="")
    buyer_vat_number: Mapped[str | None] = mapped_column(sa.String(30))
    buyer_street: Mapped[str] = mapped_column(sa.String(200), default="", server_default="")
    buyer_postcode: Mapped[str] = mapped_column(sa.String(20), default="", server_default="")
    buyer_city: Mapped[str] = mapped_column(sa.String(100), default="", server_default="")
    buyer_country: Mapped[str] = mapped_column(sa.String(2), default="NL", server_default="NL")
    #: "0106" (KvK) or "0190" (OIN) and the number: the buyer's legal identifier.
    buyer_legal_scheme: Mapped[str] = mapped_column(sa.String(4), default="", server_default="")
    buyer_legal_id: Mapped[str] = mapped_column(sa.String(20), default="", server_default="")
    buyer_peppol_id: Mapped[str] = mapped_column(sa.String(60), default="", server_default="")
    #: The mail with this document carried its e-invoice (UBL): the buyer asked for it.
    sent_as_ubl: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    #: Whom the invoice is for, so that the employer can place it.
    participant_name: Mapped[str] = mapped_column(sa.String(201), default="")
    programme_title: Mapped[str] = mapped_column(sa.String(200), default="")

    #: The legal note printed when a line carries 0% VAT.
    vat_exempt_note: Mapped[str | None] = mapped_column(sa.Text)
    total_excl_cents: Mapped[int]
    vat_cents: Mapped[int]
    total_incl_cents: Mapped[int]
    #: Why a credit note was made.
    reason: Mapped[str | None] = mapped_column(sa.Text)

    #: The day the bank transfer arrived (as the coordinator entered it).
    paid_on: Mapped[date | None] = mapped_column(sa.Date)
    paid_at: Mapped[datetime | None]
    credited_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    lines: Mapped[list[InvoiceLine]] = relationship(
        back_populates="invoice",
        order_by="InvoiceLine.position",
        cascade="all, delete-orphan",
    )
    registration: Mapped[Registration | None] = relationship()
    credits: Mapped[Invoice | None] = relationship(
        remote_side=[id], foreign_keys=[credits_id], back_populates="credit_note"
    )
    credit_note: Mapped[CreditNote | None] = relationship(
        "CreditNote", foreign_keys=[credits_id], back_populates="credits", uselist=False
    )

    __mapper_args__ = {
        "polymorphic_on": kind,
        "polymorphic_identity": DocumentKind.INVOICE,
    }

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.number} {self.status.value}>"

    @property
    def buyer_references(self) -> str:
        """The purchase-order number and the buyer's reference, as a person reads them."""
        return ", ".join(
            value for value in (self.buyer_order_number, self.buyer_reference) if value
        )

    @property
    def is_credit_note(self) -> bool:
        return self.kind is DocumentKind.CREDIT_NOTE

    def is_overdue(self, today: date) -> bool:
        return (
            self.status is InvoiceStatus.OPEN
            and self.due_date is not None
            and self.due_date < today
        )

    def list_status(self, today: date) -> ListStatus:
        if self.is_credit_note:
            return ListStatus.CREDIT_NOTE
        if self.is_overdue(today):
            return ListStatus.OVERDUE
        return ListStatus(self.status.value)

    def vat_groups(self) -> list[VatGroup]:
        """The VAT per rate, highest rate first: the rate times the sum of the lines at that
        rate, rounded to cents (as EN 16931 has it, so that the e-invoice and the PDF show the
        same amounts)."""
        return vat_groups(self.lines)

    @property
    def has_exempt_lines(self) -> bool:
        return any(line.vat_rate_bp == 0 for line in self.lines)


class CreditNote(Invoice):
    """Cancels an invoice: the same lines with negative amounts."""

    __mapper_args__ = {"polymorphic_identity": DocumentKind.CREDIT_NOTE}


class InvoiceLine(Base):
    __tablename__ = "invoice_lines"
    __table_args__ = (
        sa.UniqueConstraint("invoice_id", "position", name="uq_invoice_lines_position"),
        sa.CheckConstraint("vat_rate_bp >= 0 AND vat_rate_bp <= 10000", name="vat_rate_range"),
        sa.CheckConstraint(
            "amount_excl_cents = quantity * unit_price_cents", name="amount_is_quantity_times_price"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(sa.ForeignKey("invoices.id", ondelete="CASCADE"))
    #: 1-based order on the invoice.
    position: Mapped[int]
    description: Mapped[str] = mapped_column(sa.String(300))
    quantity: Mapped[int] = mapped_column(default=1)
    #: Price per unit excluding VAT; negative on a credit note.
    unit_price_cents: Mapped[int]
    #: VAT in basis points: 2100 = 21%, 0 = exempt.
    vat_rate_bp: Mapped[int]
    amount_excl_cents: Mapped[int]
    vat_cents: Mapped[int]

    invoice: Mapped[Invoice] = relationship(back_populates="lines")
