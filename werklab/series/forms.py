"""The series form: what the trainer asks for, and the dates they confirm."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, FieldList, IntegerField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, ValidationError

from werklab.fields import required_date, required_end_time, required_start_time, single_line, strip
from werklab.series.planning import MAX_COUNT, MAX_INTERVAL, MIN_COUNT, MIN_INTERVAL
from werklab.series.services import THEME_MAX_LENGTH, SeriesData
from werklab.translation import lazy_gettext as _l


class SeriesForm(FlaskForm):
    first_day = required_date(_l("Date of the first meeting"))
    interval = IntegerField(
        _l("Every how many weeks"),
        validators=[
            InputRequired(message=_l("Please fill in the number of weeks between meetings.")),
            NumberRange(
                min=MIN_INTERVAL,
                max=MAX_INTERVAL,
                message=_l(
                    "The interval is from %(min)d to %(max)d weeks.",
                    min=MIN_INTERVAL,
                    max=MAX_INTERVAL,
                ),
            ),
        ],
    )
    count = IntegerField(
        _l("Number of meetings"),
        validators=[
            InputRequired(message=_l("Please fill in the number of meetings.")),
            NumberRange(
                min=MIN_COUNT,
                max=MAX_COUNT,
                message=_l(
                    "A series has from %(min)d to %(max)d meetings.", min=MIN_COUNT, max=MAX_COUNT
                ),
            ),
        ],
    )
    start = required_start_time()
    end = required_end_time()
    theme = StringField(
        _l("Theme"),
        filters=[strip],
        description=_l('Each meeting gets this theme with its number, e.g. "Bijeenkomst 4".'),
        validators=[
            single_line,
            DataRequired(message=_l("Please give the meetings a theme.")),
            Length(
                max=THEME_MAX_LENGTH,
                message=_l("The theme can be at most %(max)d characters.", max=THEME_MAX_LENGTH),
            ),
        ],
    )
    location_name = StringField(
        _l("Location"),
        filters=[strip],
        description=_l("You can change the place of each meeting later."),
        validators=[
            single_line,
            Length(max=200, message=_l("The location can be at most 200 characters.")),
        ],
    )
    location_address = StringField(
        _l("Address"),
        filters=[strip],
        validators=[
            single_line,
            Length(max=300, message=_l("The address can be at most 300 characters.")),
        ],
    )

    def validate_end(self, field):
        if self.start.data and field.data and field.data <= self.start.data:
            raise ValidationError(_l("A session must end after it starts."))


class ConfirmSeriesForm(SeriesForm):
    """The same, with the date of each meeting as the trainer set it on the proposal."""

    days = FieldList(
        DateField(
            _l("Date"),
            invalid_value_message=_l("Please fill in a date, e.g. 31-01-2027."),
            validators=[InputRequired(message=_l("Please fill in the date."))],
        ),
        min_entries=0,
        max_entries=MAX_COUNT,
    )

    def validate_days(self, field):
        if not field.entries:
            raise ValidationError(_l("Please fill in the date of each meeting."))

    def to_data(self, moved: list[str]) -> SeriesData:
        return SeriesData(
            days=[entry.data for entry in self.days.entries],
            start=self.start.data,
            end=self.end.data,
            theme=self.theme.data,
            location_name=self.location_name.data or "",
            location_address=self.location_address.data or "",
            interval_weeks=self.interval.data,
            moved=moved,
        )
