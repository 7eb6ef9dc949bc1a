"""Forms of the initiatives area: the directory, site visits, host answers, session hosts."""

from __future__ import annotations

from datetime import datetime

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
)
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange, Optional

from werklab.catalog.services import local_to_utc
from werklab.fields import (
    TextAreaField,
    no_control_characters,
    required_date,
    required_end_time,
    required_start_time,
    single_line,
    strip,
)
from werklab.initiatives.services import InitiativeData
from werklab.translation import lazy_gettext as _l


def _line(label, max_length=200, **kw):
    return StringField(
        label,
        filters=[strip],
        validators=[single_line, Length(max=max_length, message=_l("This text is too long."))],
        **kw,
    )


def _text(label, **kw):
    return TextAreaField(
        label,
        filters=[strip],
        validators=[no_control_characters, Length(max=5000, message=_l("This text is too long."))],
        **kw,
    )


class InitiativeForm(FlaskForm):
    name = StringField(
        _l("Name"),
        filters=[strip],
        validators=[
            single_line,
            DataRequired(message=_l("Please fill in the name of the initiative.")),
            Length(max=200, message=_l("This text is too long.")),
        ],
    )
    place = _line(_l("Place"), 120)
    municipality = _line(_l("Municipality"), 120)
    description = _text(_l("Description"))
    themes = _line(
        _l("Themes"), 300, description=_l("Separated by commas, e.g. care, green, energy.")
    )
    website = _line(_l("Website"), 300)
    contact_name = _line(_l("Contact person"))
    contact_email = EmailField(
        _l("Contact e-mail"),
        filters=[strip],
        validators=[
            single_line,
            Optional(),
            Length(max=254, message=_l("This e-mail address is too long.")),
            Email(message=_l("Please fill in a valid e-mail address.")),
        ],
    )
    address = _line(_l("Address"), 300)
    accessibility = _text(_l("Accessibility"))
    capacity = IntegerField(
        _l("Visitors they can host"),
        default=8,
        validators=[
            InputRequired(message=_l("Please fill in how many visitors they can host.")),
            NumberRange(min=1, max=200, message=_l("Between 1 and 200 visitors.")),
        ],
    )
    consent_date = DateField(
        _l("Consent given on"),
        description=_l("Without a consent date nothing is shown publicly."),
        validators=[Optional()],
        invalid_value_message=_l("Please fill in a date, e.g. 31-01-2027."),
    )
    share_description = BooleanField(_l("The description, themes and website may be shared"))
    share_address = BooleanField(_l("The address may be shared"))
    share_contact = BooleanField(_l("The contact person and e-mail may be shared"))
    photos_allowed = BooleanField(_l("Photos may be taken and used"))

    def to_data(self) -> InitiativeData:
        return InitiativeData(
            name=self.name.data,
            place=self.place.data or "",
            municipality=self.municipality.data or "",
            description=self.description.data or "",
            themes=self.themes.data or "",
            website=self.website.data or "",
            contact_name=self.contact_name.data or "",
            contact_email=(self.contact_email.data or "").lower(),
            address=self.address.data or "",
            accessibility=self.accessibility.data or "",
            capacity=self.capacity.data,
            consent_date=self.consent_date.data,
            share_description=self.share_description.data,
            share_address=self.share_address.data,
            share_contact=self.share_contact.data,
            photos_allowed=self.photos_allowed.data,
        )


class VisitForm(FlaskForm):
    initiative_id = SelectField(_l("Initiative"), coerce=int, validate_choice=True)
    day = required_date()
    start = required_start_time()
    end = required_end_time()

    def slot(self) -> tuple[datetime, datetime]:
        return (
            local_to_utc(datetime.combine(self.day.data, self.start.data)),
            local_to_utc(datetime.combine(self.day.data, self.end.data)),
        )


class HostAnswerForm(FlaskForm):
    answer = RadioField(
        _l("Can you receive us?"),
        choices=[
            SelectChoice("yes", _l("Yes, you are welcome")),
            SelectChoice("no", _l("No, unfortunately not")),
        ],
        validators=[InputRequired(message=_l("Please choose yes or no."))],
    )
    info = _text(
        _l("Practical information for the visitors"),
        description=_l("Where to ring, parking, accessibility, what to bring."),
    )


class FeedbackForm(FlaskForm):
    answer = _text(_l("What did the visit bring you, and what could be better next time?"))


class SessionHostForm(FlaskForm):
    initiative_id = SelectField(_l("Hosting initiative"), coerce=int, validate_choice=True)
    organisation = _line(
        _l("Or: hosting organisation"),
        description=_l("For example the organisation of a participant."),
    )
