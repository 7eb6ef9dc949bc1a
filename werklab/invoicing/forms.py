"""Forms of the invoice area."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, Form
from wtforms.validators import InputRequired, StopValidation, ValidationError

from werklab.translation import lazy_gettext as _l


class MarkPaidForm(FlaskForm):
    paid_on = DateField(
        _l("Received on"),
        validators=[InputRequired(message=_l("Please fill in the day the payment arrived."))],
    )


def _required_day(message):
    """A day must be given; a day that is no date keeps its own message."""

    def check(form, field):
        if field.data is None and not field.process_errors:
            raise StopValidation(message)

    return check


class UblPeriodForm(Form):
    """The period of the e-invoice zip (a GET form: nothing changes; without a period, the
    month so far)."""

    van = DateField(
        _l("From"),
        invalid_value_message=_l("Please fill in a date, e.g. 31-01-2027."),
        validators=[_required_day(_l("Please fill in the first day."))],
    )
    tot = DateField(
        _l("Up to and including"),
        invalid_value_message=_l("Please fill in a date, e.g. 31-01-2027."),
        validators=[_required_day(_l("Please fill in the last day."))],
    )

    def validate_tot(self, field):
        if self.van.data and field.data and field.data < self.van.data:
            raise ValidationError(_l("The last day cannot be before the first day."))
        if self.van.data and field.data and (field.data - self.van.data).days > 366:
            raise ValidationError(_l("Choose a period of at most a year."))
