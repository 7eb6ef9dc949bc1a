"""Forms of the renewal: the coordinator opens it; the participant renews or declines."""

from __future__ import annotations

from datetime import datetime, time

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length, ValidationError

from werklab.catalog.services import local_to_utc
from werklab.fields import required_date, single_line, strip
from werklab.registration.forms import RegistrationForm
from werklab.translation import lazy_gettext as _l

END_OF_DAY = time(23, 59)


class OpenRenewalForm(FlaskForm):
    title = StringField(
        _l("Title of next year's programme"),
        filters=[strip],
        validators=[
            single_line,
            DataRequired(message=_l("Please give next year's programme a title.")),
            Length(max=200, message=_l("The title can be at most 200 characters.")),
        ],
    )
    deadline_date = required_date(_l("Renew until (inclusive)"))
    next_programme = SelectField(
        _l("Next year's programme"),
        description=_l(
            "A copy of this programme (title, description, group size, fee and VAT; no "
            "sessions: next year's meetings are planned anew), or a Community of Practice "
            "you have already created that nobody has registered for."
        ),
        validate_choice=False,
    )

    def __init__(self, *args, linkable=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.next_programme.choices = [("", _l("Make a copy of this programme"))] + [
            (str(p.id), p.title) for p in linkable
        ]

    def validate_next_programme(self, field):
        if field.data not in {value for value, _label in self.next_programme.choices}:
            raise ValidationError(_l("Choose one of the offered programmes."))

    @property
    def deadline(self) -> datetime:
        return local_to_utc(datetime.combine(self.deadline_date.data, END_OF_DAY))

    @property
    def next_programme_id(self) -> int | None:
        return int(self.next_programme.data) if self.next_programme.data else None


class RenewForm(RegistrationForm):
    """The registration form itself (details, payment, billing, consent), prefilled from
    this year's registration: one form, one set of checks, one way to pay."""
