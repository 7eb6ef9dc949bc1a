"""The overview's charts, drawn by werklab/charts.py from the figures (the page shows a
table with the same numbers beside each)."""

from __future__ import annotations

from decimal import Decimal

from flask_babel import format_currency, format_date
from markupsafe import Markup

from werklab import charts
from werklab.catalog.models import GoStatus
from werklab.intake.models import RequestStatus
from werklab.overview.figures import (
    OPEN_STAGES,
    Month,
    MonthMoney,
    ProgrammeAttendance,
    ProgrammeRow,
)
from werklab.translation import gettext as _

GO_COLOURS = {
    GoStatus.TENTATIVE: charts.AMBER,
    GoStatus.GO: charts.GREEN,
    GoStatus.FULL: charts.DARK_GREEN,
}


def month_label(month: Month) -> str:
    """ "mrt 26": short enough for a column on a phone."""
    return format_date(month.first_day(), "MMM yy")


def euros(cents: float) -> str:
    """Whole euros for an axis: "€ 1.500"."""
    return format_currency(
        Decimal(round(cents)) / 100, "EUR", format="¤ #,##0", currency_digits=False
    )


def seats(programmes: list[ProgrammeRow]) -> Markup:
    bars = []
    for p in programmes:
        label = p.title
        if p.waiting:
            label = f"{charts.clip(p.title, 28)} · " + _("%(n)d waiting", n=p.waiting)
        bars.append(
            charts.Bar(
                label,
                p.seats_taken,
                _("%(taken)d of %(max)d", taken=p.seats_taken, max=p.maximum),
                GO_COLOURS[p.go_status],
                (p.minimum, p.maximum),
            )
        )
    return charts.bar_chart(
        _("Seats taken per programme open for registration"),
        bars,
        desc=_(
            "One bar per programme: the seats taken. The red lines mark the minimum and "
            "the maximum. Orange: below the minimum; green: minimum reached; dark green: full."
        ),
    )


def attendance(entries: list[ProgrammeAttendance]) -> Markup:
    return charts.strip_chart(
        _("Attendance per session"),
        [
            (
                e.title,
                [s.rate for s in e.sessions],
                _("%(rate)d%% on average", rate=e.rate) if e.rate is not None else "",
            )
            for e in entries
        ],
        desc=_(
            "A row per programme, a column per session that took place, as high as the share "
            "of the participants present; a dash where attendance was not taken."
        ),
    )


def certificates(per_month: list[tuple[Month, int]]) -> Markup:
    return charts.column_chart(
        _("Certificates issued per month"),
        [month_label(m) for m, _n in per_month],
        [charts.Series(_("Certificates"), [n for _m, n in per_month])],
        desc=_("The number of certificates issued in each of the last twelve months."),
        whole=True,
    )


def money(months: list[MonthMoney]) -> Markup:
    return charts.column_chart(
        _("Invoiced per month, by what became of it"),
        [month_label(m.month) for m in months],
        [
            charts.Series(_("Paid"), [m.paid for m in months], charts.GREEN),
            charts.Series(_("Not yet due"), [m.outstanding_not_due for m in months], charts.BLUE),
            charts.Series(_("Overdue"), [m.overdue for m in months], charts.RED),
            charts.Series(_("Credited"), [m.credited for m in months], charts.GREY),
        ],
        desc=_(
            "One column per month of issue, as high as the amount invoiced (incl. VAT): "
            "paid, outstanding and not yet due, overdue, and credited."
        ),
        tick_format=euros,
    )


def requests(counts: dict[RequestStatus, int], labels: dict) -> Markup:
    return charts.bar_chart(
        _("Open werklab requests by stage"),
        [
            charts.Bar(str(labels[stage]), counts.get(stage, 0), str(counts.get(stage, 0)))
            for stage in OPEN_STAGES
        ],
        desc=_("Requests that are new, in progress, or waiting for an answer to the quote."),
    )
