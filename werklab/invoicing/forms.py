"""Forms of the invoice area."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField
from wtforms.validators import InputRequired


class MarkPaidForm(FlaskForm):
    paid_on = DateField(
        _l("Received on"),
        validators=[InputRequired(message=_l("Please fill in the day the payment arrived."))],
    )
