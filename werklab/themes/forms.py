"""Forms for themes: propose or change one, the number of votes, and the session to fix a
theme to. (Votes and taking them back are buttons: ConfirmForm.)"""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, StringField
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    StopValidation,
    ValidationError,
)

from werklab.fields import TextAreaField, no_control_characters, single_line, strip
from werklab.i18n import date_time
from werklab.themes.models import DESCRIPTION_MAX, MAX_VOTES, TITLE_MAX
from werklab.themes.services import ThemeData
from werklab.translation import lazy_gettext as _l


class ConfirmForm(FlaskForm):
    """A button that only needs its CSRF token."""


class ThemeForm(FlaskForm):
    title = StringField(
        _l("Theme"),
        filters=[strip],
        validators=[
            DataRequired(message=_l("Please give the theme a title.")),
            single_line,
            Length(
                max=TITLE_MAX,
                message=_l("A title can be at most %(max)d characters.", max=TITLE_MAX),
            ),
        ],
    )
    description = TextAreaField(
        _l("Short description (optional)"),
        filters=[strip],
        validators=[
            no_control_characters,
            Length(
                max=DESCRIPTION_MAX,
                message=_l(
                    "The description can be at most %(max)d characters.", max=DESCRIPTION_MAX
                ),
            ),
        ],
    )

    def to_data(self) -> ThemeData:
        return ThemeData(self.title.data or "", self.description.data or "")


class _Count(IntegerField):
    """A whole number; anything else is one clear message, not WTForms' English one."""

    def process_formdata(self, valuelist):
        if valuelist and valuelist[0].strip() and not valuelist[0].strip().isdigit():
            self.data = None
            raise ValueError(_l("Fill in a number of votes."))
        super().process_formdata(valuelist)


def _votes_in_range(form, field):
    if field.process_errors:
        raise StopValidation()
    if field.data is None or not 1 <= field.data <= MAX_VOTES:
        raise ValidationError(
            _l("The number of votes must be between 1 and %(max)d.", max=MAX_VOTES)
        )


class VoteLimitForm(FlaskForm):
    votes = _Count(
        _l("Votes per participant"),
        validators=[InputRequired(message=_l("Fill in a number of votes.")), _votes_in_range],
    )


class ScheduleForm(FlaskForm):
    session = SelectField(
        _l("Session"),
        coerce=str,
        # The view says so in words when the session is not (or no longer) one to choose.
        validate_choice=False,
        validators=[InputRequired(message=_l("Choose a session."))],
    )

    def __init__(self, *args, sessions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.session.choices = [
            (
                str(s.id),
                _l(
                    "Session %(position)d, %(when)s: %(theme)s",
                    position=s.position,
                    when=date_time(s.starts_at),
                    theme=s.theme,
                ),
            )
            for s in sessions
        ]
