"""The coordinator's overview: figures and charts about every programme, over time.

Coordinators only; the permission is checked before anything is read."""

from __future__ import annotations

from flask import Blueprint, abort, render_template
from flask_login import current_user, login_required

from werklab import menu, permissions
from werklab.db import utcnow
from werklab.intake.forms import STATUS_LABELS as REQUEST_STAGE_LABELS
from werklab.overview import charts
from werklab.overview.figures import OPEN_STAGES, overview
from werklab.translation import lazy_gettext as _l

bp = Blueprint("overview", __name__)

menu.add("overview.index", _l("Overview in figures"), permissions.can_view_overview)


@bp.get("/beheer/overzicht")
@login_required
def index():
    """Seats, decisions, attendance, certificates, money and requests, in figures and charts."""
    if not permissions.can_view_overview(current_user):
        abort(403)
    o = overview(utcnow())
    return render_template(
        "overview/index.html",
        o=o,
        stages=OPEN_STAGES,
        stage_labels=REQUEST_STAGE_LABELS,
        charts={
            "seats": charts.seats(o.open) if o.open else None,
            "attendance": charts.attendance(o.attendance) if o.attendance else None,
            "certificates": charts.certificates(o.certificates_per_month),
            "money": charts.money(o.money),
            "requests": charts.requests(o.requests, REQUEST_STAGE_LABELS),
        },
        month_label=charts.month_label,
    )
