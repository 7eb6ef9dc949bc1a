"""The processing register (verwerkingsregister, art. 30 AVG), for coordinators: generated
from the declaration in register.py, the same one the retention job follows."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template
from flask_login import current_user, login_required

from werklab import permissions
from werklab.privacy import register
from werklab.privacy.retention import retention_months

bp = Blueprint("privacy", __name__, url_prefix="/beheer")


@bp.get("/verwerkingsregister")
@login_required
def processing_register():
    """Show what personal data werklab stores, why, on which basis, how long, and for whom."""
    if not permissions.is_coordinator(current_user):
        abort(403)
    months = retention_months()
    return render_template(
        "privacy/register.html",
        items=register.ITEMS,
        months=months,
        rules={rule: register.rule_text(rule, months) for rule in register.Rule},
        basis_labels=register.BASIS_LABELS,
        step_labels=register.STEP_LABELS,
        recipient_labels=register.RECIPIENT_LABELS,
        privacy_email=current_app.config.get("PRIVACY_EMAIL")
        or current_app.config.get("SELLER_EMAIL"),
    )
