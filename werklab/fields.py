"""Form fields that several areas ask for in the same words."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, TimeField
from wtforms.validators import InputRequired


def required_date(label=None) -> DateField:
    return DateField(
        label or _l("Date"),
        invalid_value_message=_l("Please fill in a date, e.g. 31-01-2027."),
        validators=[InputRequired(message=_l("Please fill in the date."))],
    )


def required_start_time() -> TimeField:
    return TimeField(
        _l("Start time"),
        invalid_value_message=_l("Please fill in a time, e.g. 13:30."),
        validators=[InputRequired(message=_l("Please fill in the start time."))],
    )


def required_end_time() -> TimeField:
    return TimeField(
        _l("End time"),
        invalid_value_message=_l("Please fill in a time, e.g. 16:30."),
        validators=[InputRequired(message=_l("Please fill in the end time."))],
    )
