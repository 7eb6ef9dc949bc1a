"""Form fields and validators that several areas ask for in the same words."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from wtforms import DateField, TimeField
from wtforms.validators import InputRequired, ValidationError


def strip(value):
    return value.strip() if isinstance(value, str) else value


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_LINE_BREAK = re.compile(r"[\r\n\t]")


def single_line(form, field):
    """No line breaks or control characters: names end up in mail headers."""
    if field.data and (_CONTROL.search(field.data) or _LINE_BREAK.search(field.data)):
        raise ValidationError(_l("Please use one line, without special characters."))


def no_control_characters(form, field):
    if field.data and _CONTROL.search(field.data):
        raise ValidationError(_l("This text contains characters we cannot store."))


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
