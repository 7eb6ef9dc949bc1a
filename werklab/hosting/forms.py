"""Forms for hosting: the offer, the trainer's choice of meeting, a practical question."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, ValidationError

from werklab.fields import TextAreaField, no_control_characters, single_line, strip
from werklab.hosting.models import (
    ADDRESS_MAX_LENGTH,
    MAX_CAPACITY,
    NOTES_MAX_LENGTH,
    ORGANISATION_MAX_LENGTH,
    PERIOD_MAX_LENGTH,
    QUESTION_MAX_LENGTH,
)
from werklab.i18n import long_date
from werklab.translation import lazy_gettext as _l

CAPACITY_MESSAGE = _l("Give the number of people the room seats: 1 to %(max)d.", max=MAX_CAPACITY)


def _optional_id(value):
    return int(value) if value not in (None, "", "None") and str(value).isdigit() else None


def _choice_label(session) -> str:
    return f"{long_date(session.starts_at)}: {session.theme}"


class ConfirmForm(FlaskForm):
    """A button that only needs its CSRF token."""


class OfferForm(FlaskForm):
    organisation = StringField(
        _l("Organisation or initiative"),
        filters=[strip],
        validators=[
            single_line,
            DataRequired(message=_l("Please give the name of your organisation or initiative.")),
            Length(
                max=ORGANISATION_MAX_LENGTH,
                message=_l(
                    "A name can be at most %(max)d characters.", max=ORGANISATION_MAX_LENGTH
                ),
            ),
        ],
    )
    address = StringField(
        _l("Address"),
        description=_l("Street and number, postcode and place, e.g. Stadsplateau 1, Utrecht."),
        filters=[strip],
        validators=[
            single_line,
            DataRequired(message=_l("Please give the address where the group would meet.")),
            Length(
                max=ADDRESS_MAX_LENGTH,
                message=_l("An address can be at most %(max)d characters.", max=ADDRESS_MAX_LENGTH),
            ),
        ],
    )
    capacity = IntegerField(
        _l("How many people does the room seat?"),
        invalid_value_message=CAPACITY_MESSAGE,
        validators=[
            InputRequired(message=CAPACITY_MESSAGE),
            NumberRange(min=1, max=MAX_CAPACITY, message=CAPACITY_MESSAGE),
        ],
        render_kw={"min": 1, "max": MAX_CAPACITY, "inputmode": "numeric"},
    )
    notes = TextAreaField(
        _l("Practical notes"),
        description=_l(
            "Accessibility (a lift, a step at the door), parking, public transport, lunch or "
            "coffee: what the group should know."
        ),
        filters=[strip],
        validators=[
            no_control_characters,
            Length(
                max=NOTES_MAX_LENGTH,
                message=_l(
                    "The practical notes can be at most %(max)d characters.", max=NOTES_MAX_LENGTH
                ),
            ),
        ],
    )
    preferred_session = SelectField(
        _l("Which meeting would you like to host?"), coerce=_optional_id, validate_choice=False
    )
    preferred_period = StringField(
        _l("Or a period that suits you (optional)"),
        description=_l("For example: after the summer, or not in December."),
        filters=[strip],
        validators=[
            single_line,
            Length(
                max=PERIOD_MAX_LENGTH,
                message=_l("A period can be at most %(max)d characters.", max=PERIOD_MAX_LENGTH),
            ),
        ],
    )

    def __init__(self, *args, sessions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.preferred_session.choices = [(None, _l("No preference"))] + [
            (s.id, _choice_label(s)) for s in sessions
        ]

    def validate_preferred_session(self, field):
        if field.data not in {value for value, _label in field.choices}:
            raise ValidationError(_l("Choose one of the meetings of this programme."))


class AcceptForm(FlaskForm):
    session = SelectField(
        _l("Meeting"),
        coerce=_optional_id,
        validate_choice=False,  # validate_session says which choice is missing, in words
    )

    def __init__(self, *args, sessions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.session.choices = [(s.id, _choice_label(s)) for s in sessions]

    def validate_session(self, field):
        if field.data is None or field.data not in {value for value, _label in field.choices}:
            raise ValidationError(_l("Choose the meeting this host will host."))


class QuestionForm(FlaskForm):
    body = TextAreaField(
        _l("Your question"),
        filters=[strip],
        validators=[
            no_control_characters,
            DataRequired(message=_l("Please write your question.")),
            Length(
                max=QUESTION_MAX_LENGTH,
                message=_l(
                    "A question can be at most %(max)d characters.", max=QUESTION_MAX_LENGTH
                ),
            ),
        ],
    )
    share_contact = BooleanField(
        _l("The host may see my name and e-mail address and answer me directly")
    )
