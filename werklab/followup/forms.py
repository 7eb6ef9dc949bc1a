"""Forms of the early warning: a personal message, a contact note."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField
from wtforms.validators import DataRequired, Length

from werklab.fields import TextAreaField, no_control_characters, single_line, strip
from werklab.followup.models import CONTACT_NOTE_MAX_LENGTH
from werklab.followup.services import MESSAGE_MAX_LENGTH, SUBJECT_MAX_LENGTH
from werklab.translation import lazy_gettext as _l


class MessageForm(FlaskForm):
    subject = StringField(
        _l("Subject"),
        filters=[strip],
        validators=[
            single_line,
            DataRequired(message=_l("Please write a subject.")),
            Length(
                max=SUBJECT_MAX_LENGTH,
                message=_l("A subject can be at most %(max)d characters.", max=SUBJECT_MAX_LENGTH),
            ),
        ],
    )
    body = TextAreaField(
        _l("Message"),
        filters=[strip],
        validators=[
            no_control_characters,
            DataRequired(message=_l("Please write your message.")),
            Length(
                max=MESSAGE_MAX_LENGTH,
                message=_l("A message can be at most %(max)d characters.", max=MESSAGE_MAX_LENGTH),
            ),
        ],
    )
    mark_contacted = BooleanField(_l("Mark as contacted (quiets the current signals)"))


class ContactForm(FlaskForm):
    body = TextAreaField(
        _l("Note (optional)"),
        filters=[strip],
        validators=[
            no_control_characters,
            Length(
                max=CONTACT_NOTE_MAX_LENGTH,
                message=_l(
                    "A note can be at most %(max)d characters.", max=CONTACT_NOTE_MAX_LENGTH
                ),
            ),
        ],
    )
