"""Forms of "Mijn traject": buttons that change something."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField
from wtforms.validators import DataRequired

from werklab.translation import lazy_gettext as _l


class ConfirmForm(FlaskForm):
    """An empty form: a button with a CSRF token. Other fields sent along are ignored."""


class EraseForm(FlaskForm):
    """Erase my data: only with the box ticked."""

    confirm = BooleanField(
        _l("I understand that this erases my data for good and cannot be undone."),
        validators=[
            DataRequired(message=_l("Tick the box to confirm that you want your data erased."))
        ],
    )
