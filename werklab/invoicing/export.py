"""The invoice list as CSV for the bookkeeping, and the labels of invoice statuses.

Text cells go through spreadsheets.neutralise (a cell starting with = + - @ would be a
formula in a spreadsheet). Amounts are written by us as plain numbers in Dutch notation
("-907,50"): a leading minus there is a negative number, not a formula, and stays as it is.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from werklab.invoicing.models import Invoice, ListStatus
from werklab.spreadsheets import neutralise, to_csv

STATUS_LABELS = {
    ListStatus.OPEN: _l("Open"),
    ListStatus.OVERDUE: _l("Overdue"),
    ListStatus.PAID: _l("Paid"),
    ListStatus.CREDITED: _l("Credited"),
    ListStatus.CREDIT_NOTE: _l("Credit note"),
}

__all__ = ["STATUS_LABELS", "amount", "rows", "to_csv"]


def amount(cents: int) -> str:
    """Cents as a number a Dutch spreadsheet reads: "1250,00", "-907,50"."""
    sign = "-" if cents < 0 else ""
    whole, rest = divmod(abs(cents), 100)
    return f"{sign}{whole},{rest:02d}"


def _day(value: date | None) -> str:
    return value.isoformat() if value else ""


def header() -> list[str]:
    return [
        _("Number"),
        _("Kind"),
        _("Invoice date"),
        _("Due date"),
        _("Buyer"),
        _("Buyer's VAT number"),
        _("Purchase order / reference"),
        _("Participant"),
        _("Credits invoice"),
        _("Excl. VAT"),
        _("VAT"),
        _("Incl. VAT"),
        _("Status"),
        _("Paid on"),
        _("Purchase-order number"),
        _("Sent as e-invoice (UBL)"),
    ]


def rows(documents: Iterable[Invoice], *, today: date) -> list[list[str]]:
    """The header and one row per invoice or credit note."""
    table = [header()]
    for d in documents:
        status = d.list_status(today)
        kind = _("Credit note") if d.is_credit_note else _("Invoice")
        text = [
            d.number,
            kind,
            _day(d.issue_date),
            _day(d.due_date),
            d.buyer_organisation,
            d.buyer_vat_number,
            d.buyer_reference,
            d.participant_name,
            d.credits.number if d.credits is not None else "",
        ]
        table.append(
            [neutralise(value) for value in text]
            + [amount(d.total_excl_cents), amount(d.vat_cents), amount(d.total_incl_cents)]
            + [neutralise(str(STATUS_LABELS[status])), _day(d.paid_on)]
            + [neutralise(d.buyer_order_number), _("yes") if d.sent_as_ubl else _("no")]
        )
    return table
