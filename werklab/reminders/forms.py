"""Forms of the reminders: the programme's setting, a participant's choice, the feed buttons."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField
from wtforms.validators import AnyOf, InputRequired, NumberRange

from werklab.reminders.models import MAX_DAYS_BEFORE
from werklab.translation import lazy_gettext as _l

_DAYS_MESSAGE = _l(
    "Fill in a whole number of days from 0 to %(max)d (0: no reminders).", max=MAX_DAYS_BEFORE
)


class ReminderSettingsForm(FlaskForm):
    days_before = IntegerField(
        _l("Days before each session"),
        description=_l(
            "Participants get their reminder this many days before each session, with the "
            "address, what to prepare and the calendar file. 0: no reminders."
        ),
        invalid_value_message=_DAYS_MESSAGE,
        validators=[
            InputRequired(message=_DAYS_MESSAGE),
            NumberRange(min=0, max=MAX_DAYS_BEFORE, message=_DAYS_MESSAGE),
        ],
        render_kw={"min": 0, "max": MAX_DAYS_BEFORE, "inputmode": "numeric"},
    )


class ReminderChoiceForm(FlaskForm):
    """A participant switches reminders on or off: the button says which."""

    choice = HiddenField(
        validators=[AnyOf(("on", "off"), message=_l("Choose whether you want reminders."))]
    )


class FeedForm(FlaskForm):
    """A button with a CSRF token: make, replace or switch off the calendar link."""
