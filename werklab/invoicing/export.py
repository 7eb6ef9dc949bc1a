"""The invoice list as CSV and XLSX for the bookkeeping, with its VAT totals per rate, and
the labels of invoice statuses.

Text cells go through spreadsheets.neutralise (a cell starting with = + - @ would be a
formula in a spreadsheet). Amounts are typed cells (spreadsheets.Amount): in CSV plain
numbers in Dutch notation ("-907,50"), where a leading minus is a negative number, not a
formula; in XLSX real numbers.

Below the documents, after an empty row, the totals per VAT rate: per rate the amount
excluding VAT of the lines at that rate, and the VAT as each document states it (computed
per document on the sum of its lines at that rate), so that the totals add up to the
documents' own totals to the cent. Credit notes count negative.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from werklab.invoicing.models import Invoice, ListStatus
from werklab.spreadsheets import Amount, Cell, neutralise, to_csv, to_xlsx
from werklab.translation import gettext as _
from werklab.translation import lazy_gettext as _l

STATUS_LABELS = {
    ListStatus.OPEN: _l("Open"),
    ListStatus.OVERDUE: _l("Overdue"),
    ListStatus.PAID: _l("Paid"),
    ListStatus.CREDITED: _l("Credited"),
    ListStatus.CREDIT_NOTE: _l("Credit note"),
}

__all__ = [
    "STATUS_LABELS",
    "VatTotal",
    "amount",
    "rows",
    "to_csv",
    "to_xlsx",
    "totals_rows",
    "vat_totals",
]

#: The columns of the amounts excluding VAT, the VAT and the total (0-based).
AMOUNT_COLUMNS = 9


def amount(cents: int) -> str:
    """Cents as a number a Dutch spreadsheet reads: "1250,00", "-907,50"."""
    return str(Amount(cents))


@dataclass(frozen=True)
class VatTotal:
    rate_bp: int  #: basis points: 2100 = 21%, 0 = exempt
    excl_cents: int
    vat_cents: int

    @property
    def incl_cents(self) -> int:
        return self.excl_cents + self.vat_cents


def vat_totals(documents: Iterable[Invoice]) -> list[VatTotal]:
    """Per VAT rate, highest first: the amount excluding VAT and the VAT of these documents
    (credit notes negative), each document's VAT per rate as on the document itself."""
    excl: dict[int, int] = {}
    vat: dict[int, int] = {}
    for document in documents:
        for group in document.vat_groups():
            excl[group.rate_bp] = excl.get(group.rate_bp, 0) + group.base_cents
            vat[group.rate_bp] = vat.get(group.rate_bp, 0) + group.vat_cents
    return [VatTotal(rate, excl[rate], vat[rate]) for rate in sorted(excl, reverse=True)]


def _percent(rate_bp: int) -> str:
    whole, rest = divmod(rate_bp, 100)
    return f"{whole}%" if not rest else f"{whole},{rest:02d}".rstrip("0") + "%"


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


def rows(documents: Sequence[Invoice], *, today: date) -> list[list[Cell]]:
    """The header, one row per invoice or credit note, an empty row and the VAT totals per
    rate (with a grand total)."""
    table: list[list[Cell]] = [header()]
    for d in documents:
        status = d.list_status(today)
        kind = _("Credit note") if d.is_credit_note else _("Invoice")
        table.append(
            [neutralise(d.number), neutralise(kind)]
            + [d.issue_date, d.due_date]
            + [
                neutralise(value)
                for value in (
                    d.buyer_organisation,
                    d.buyer_vat_number,
                    d.buyer_reference,
                    d.participant_name,
                    d.credits.number if d.credits is not None else "",
                )
            ]
            + [Amount(d.total_excl_cents), Amount(d.vat_cents), Amount(d.total_incl_cents)]
            + [neutralise(str(STATUS_LABELS[status])), d.paid_on]
            + [neutralise(d.buyer_order_number), _("yes") if d.sent_as_ubl else _("no")]
        )
    table.append([])
    table += _totals_section(vat_totals(documents))
    return table


def _amounts_row(label: str, excl: int, vat: int, incl: int) -> list[Cell]:
    return [label] + [""] * (AMOUNT_COLUMNS - 1) + [Amount(excl), Amount(vat), Amount(incl)]


def _totals_section(totals: list[VatTotal]) -> list[list[Cell]]:
    """A heading row, a row per VAT rate and the total, the amounts under the documents'
    amount columns."""
    section: list[list[Cell]] = [
        [_("Totals per VAT rate")]
        + [""] * (AMOUNT_COLUMNS - 1)
        + header()[AMOUNT_COLUMNS : AMOUNT_COLUMNS + 3]
    ]
    for total in totals:
        label = _("VAT %(rate)s", rate=_percent(total.rate_bp))
        section.append(_amounts_row(label, total.excl_cents, total.vat_cents, total.incl_cents))
    section.append(
        _amounts_row(
            _("Total"),
            sum(t.excl_cents for t in totals),
            sum(t.vat_cents for t in totals),
            sum(t.incl_cents for t in totals),
        )
    )
    return section


def totals_rows(table: list[list[Cell]]) -> tuple[int, ...]:
    """The 0-based rows of the totals section (bold in XLSX)."""
    start = table.index([]) + 1
    return tuple(range(start, len(table)))
