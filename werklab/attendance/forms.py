"""The form behind the three buttons of a row in the attendance register."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import RadioField, SelectChoice
from wtforms.validators import InputRequired

from werklab.attendance.models import AttendanceStatus
from werklab.translation import lazy_gettext as _l


class MarkForm(FlaskForm):
    status = RadioField(
        _l("Attendance"),
        choices=[SelectChoice(s.value, s.value) for s in AttendanceStatus],
        validators=[InputRequired(message=_l("Choose present, excused or absent."))],
    )

    @property
    def chosen(self) -> AttendanceStatus:
        return AttendanceStatus(self.status.data)
