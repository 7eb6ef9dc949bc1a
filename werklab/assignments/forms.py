"""Forms for assignments, hand-ins and feedback."""

from __future__ import annotations

from datetime import datetime, time

from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    MultipleFileField,
    SelectChoice,
    SelectField,
    StringField,
    TimeField,
)
from wtforms.validators import DataRequired, Length, Optional

from werklab.assignments.services import AssignmentData
from werklab.catalog.services import local_to_utc, utc_to_local
from werklab.fields import TextAreaField, no_control_characters, single_line, strip
from werklab.translation import lazy_gettext as _l

TEXT_MAX = 20000


class AssignmentForm(FlaskForm):
    title = StringField(
        _l("Title"),
        filters=[strip],
        validators=[
            single_line,
            DataRequired(message=_l("Please give the assignment a title.")),
            Length(max=200, message=_l("A title can be at most 200 characters.")),
        ],
    )
    description = TextAreaField(
        _l("Description"),
        filters=[strip],
        validators=[
            no_control_characters,
            Length(max=TEXT_MAX, message=_l("This text is too long.")),
        ],
    )
    due_date = DateField(
        _l("Due date"), validators=[DataRequired(message=_l("Please give a due date."))]
    )
    due_time = TimeField(_l("Due time"), default=time(23, 59), validators=[Optional()])
    session_id = SelectField(_l("Linked session"), coerce=str, default="", validate_choice=True)

    def __init__(self, *args, programme, **kwargs):
        super().__init__(*args, **kwargs)
        self.session_id.choices = [SelectChoice("", _l("No session"))] + [
            SelectChoice(str(s.id), f"{s.theme} ({utc_to_local(s.starts_at):%d-%m-%Y})")
            for s in programme.sessions
        ]

    @staticmethod
    def initial(assignment) -> dict:
        local = utc_to_local(assignment.due_at)
        return {
            "title": assignment.title,
            "description": assignment.description,
            "due_date": local.date(),
            "due_time": local.time(),
            "session_id": str(assignment.session_id or ""),
        }

    def to_data(self) -> AssignmentData:
        due = datetime.combine(self.due_date.data, self.due_time.data or time(23, 59))
        return AssignmentData(
            title=self.title.data,
            description=self.description.data or "",
            due_at=local_to_utc(due),
            session_id=int(self.session_id.data) if self.session_id.data else None,
        )


class SubmissionForm(FlaskForm):
    text = TextAreaField(
        _l("Your answer"),
        filters=[strip],
        validators=[
            no_control_characters,
            Length(max=TEXT_MAX, message=_l("This text is too long.")),
        ],
    )
    files = MultipleFileField(
        _l("Files (pdf, docx, xlsx, pptx, odt, png, jpg; at most 10 MB each)")
    )


class FeedbackForm(FlaskForm):
    feedback = TextAreaField(
        _l("Feedback"),
        filters=[strip],
        validators=[
            no_control_characters,
            DataRequired(message=_l("Please write your feedback.")),
            Length(max=TEXT_MAX, message=_l("This text is too long.")),
        ],
    )
