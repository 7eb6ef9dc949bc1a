"""The coordinator's list of invoices: filters, pages, outstanding totals."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from werklab.extensions import db
from werklab.invoicing.models import DocumentKind, Invoice, InvoiceStatus, ListStatus


@dataclass(frozen=True)
class InvoiceFilter:
    #: OPEN means every unpaid invoice, the overdue ones included.
    status: ListStatus | None = None
    year: int | None = None
    search: str = ""


@dataclass(frozen=True)
class InvoicePage:
    documents: list[Invoice]
    total: int
    page: int
    pages: int


@dataclass(frozen=True)
class Outstanding:
    count: int
    cents: int
    overdue_count: int
    overdue_cents: int


def _filtered(filters: InvoiceFilter, today: date):
    conditions = []
    is_invoice = Invoice.kind == DocumentKind.INVOICE
    open_ = sa.and_(is_invoice, Invoice.status == InvoiceStatus.OPEN)
    match filters.status:
        case ListStatus.OPEN:
            conditions.append(open_)
        case ListStatus.OVERDUE:
            conditions.append(sa.and_(open_, Invoice.due_date < today))
        case ListStatus.PAID:
            conditions.append(sa.and_(is_invoice, Invoice.status == InvoiceStatus.PAID))
        case ListStatus.CREDITED:
            conditions.append(sa.and_(is_invoice, Invoice.status == InvoiceStatus.CREDITED))
        case ListStatus.CREDIT_NOTE:
            conditions.append(Invoice.kind == DocumentKind.CREDIT_NOTE)
    if filters.year is not None:
        conditions.append(Invoice.year == filters.year)
    search = filters.search.strip()
    if search:
        conditions.append(
            or_(
                *(
                    column.icontains(search, autoescape=True)
                    for column in (
                        Invoice.number,
                        Invoice.buyer_organisation,
                        Invoice.buyer_reference,
                        Invoice.buyer_order_number,
                        Invoice.participant_name,
                        Invoice.programme_title,
                    )
                )
            )
        )
    return conditions


def _with_links(stmt):
    # The invoice a credit note credits, and the credit note of a credited invoice: joined,
    # so that the list costs the same few queries however long it is.
    return stmt.options(joinedload(Invoice.credits), joinedload(Invoice.credit_note))


def list_invoices(
    filters: InvoiceFilter, *, today: date, page: int = 1, per_page: int = 100
) -> InvoicePage:
    """One page of invoices and credit notes, newest first."""
    conditions = _filtered(filters, today)
    total = db.session.execute(
        select(func.count()).select_from(Invoice).where(*conditions)
    ).scalar_one()
    pages = max(1, math.ceil(total / per_page))
    page = min(max(page, 1), pages)
    documents = (
        db.session.execute(
            _with_links(select(Invoice))
            .where(*conditions)
            .order_by(Invoice.id.desc())
            .limit(per_page)
            .offset((page - 1) * per_page)
        )
        .unique()
        .scalars()
        .all()
    )
    return InvoicePage(list(documents), total, page, pages)


def all_invoices(filters: InvoiceFilter, *, today: date) -> list[Invoice]:
    """Every invoice and credit note that matches, oldest first, with their lines (for the
    export and its VAT totals)."""
    return list(
        db.session.execute(
            _with_links(select(Invoice))
            .options(selectinload(Invoice.lines))
            .where(*_filtered(filters, today))
            .order_by(Invoice.id)
        )
        .unique()
        .scalars()
    )


def outstanding(today: date) -> Outstanding:
    """How many invoices are unpaid and for how much (incl. VAT), and how many are overdue."""
    open_ = sa.and_(Invoice.kind == DocumentKind.INVOICE, Invoice.status == InvoiceStatus.OPEN)
    overdue = sa.and_(open_, Invoice.due_date < today)
    row = db.session.execute(
        select(
            func.count(case((open_, 1))),
            func.coalesce(func.sum(case((open_, Invoice.total_incl_cents))), 0),
            func.count(case((overdue, 1))),
            func.coalesce(func.sum(case((overdue, Invoice.total_incl_cents))), 0),
        )
    ).one()
    return Outstanding(row[0], int(row[1]), row[2], int(row[3]))


def invoice_years() -> list[int]:
    """The years in which documents were issued, newest first."""
    return list(
        db.session.execute(select(Invoice.year).distinct().order_by(Invoice.year.desc())).scalars()
    )


def load_invoice(invoice_id: int) -> Invoice | None:
    return (
        db.session.execute(_with_links(select(Invoice)).where(Invoice.id == invoice_id))
        .unique()
        .scalar_one_or_none()
    )


def issued_between(first: date, last: date) -> list[Invoice]:
    """Every invoice and credit note issued from `first` to `last` (both included), oldest
    first (for the e-invoices of a period)."""
    return list(
        db.session.execute(
            _with_links(select(Invoice))
            .options(selectinload(Invoice.lines))
            .where(Invoice.issue_date >= first, Invoice.issue_date <= last)
            .order_by(Invoice.id)
        )
        .unique()
        .scalars()
    )
