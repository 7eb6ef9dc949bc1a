"""Forms of the trainer workspace."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms.validators import DataRequired, Length

from werklab.fields import TextAreaField, no_control_characters, strip
from werklab.translation import lazy_gettext as _l
from werklab.workspace.models import NOTE_MAX_LENGTH


class NoteForm(FlaskForm):
    body = TextAreaField(
        _l("New note"),
        filters=[strip],
        validators=[
            no_control_characters,
            DataRequired(message=_l("Please write something in the note.")),
            Length(
                max=NOTE_MAX_LENGTH,
                message=_l("A note can be at most %(max)d characters.", max=NOTE_MAX_LENGTH),
            ),
        ],
    )
