"""The form to write to a programme's people."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import DataRequired, Length, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from werklab.fields import TextAreaField, no_control_characters, single_line, strip
from werklab.messages.models import Audience
from werklab.translation import lazy_gettext as _l

AUDIENCE_LABELS = {
    Audience.PARTICIPANTS: _l("All confirmed participants"),
    Audience.WAITING: _l("Everyone on the waiting list"),
    Audience.GROUP: _l("One homework group"),
    Audience.CHOSEN: _l("People I choose"),
}


class MessageForm(FlaskForm):
    audience = RadioField(
        _l("To"),
        choices=[SelectChoice(a.value, label) for a, label in AUDIENCE_LABELS.items()],
        default=Audience.PARTICIPANTS.value,
        validate_choice=False,
    )
    group_id = SelectField(_l("Homework group"), coerce=str, validate_choice=False)
    chosen = SelectMultipleField(
        _l("People"),
        coerce=str,
        validate_choice=False,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
    subject = StringField(
        _l("Subject"),
        filters=[strip],
        validators=[
            single_line,
            DataRequired(message=_l("Please write a subject.")),
            Length(max=200, message=_l("The subject can be at most 200 characters.")),
        ],
    )
    body = TextAreaField(
        _l("Message"),
        filters=[strip],
        description=_l(
            'Each person is greeted by first name ("Beste Anna,"); answers come to you.'
        ),
        validators=[
            no_control_characters,
            DataRequired(message=_l("Please write a message.")),
            Length(max=10_000, message=_l("The message can be at most 10,000 characters.")),
        ],
    )

    def __init__(self, *args, groups, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.group_id.choices = [SelectChoice("", _l("Choose a group"))] + [
            SelectChoice(str(g.id), g.name) for g in groups
        ]
        self.chosen.choices = [
            SelectChoice(str(r.id), f"{r.full_name} ({r.organisation})") for r in people
        ]
        if not groups:
            self.audience.choices = [
                c for c in self.audience.choices if c.value != Audience.GROUP.value
            ]

    def validate_audience(self, field):
        if field.data not in {c.value for c in field.choices}:
            raise ValidationError(_l("Choose who the message is for."))

    def validate_group_id(self, field):
        if self.audience.data == Audience.GROUP.value and not (field.data or "").isdigit():
            raise ValidationError(_l("Choose a homework group."))

    def validate_chosen(self, field):
        if self.audience.data != Audience.CHOSEN.value:
            return
        if not field.data:
            raise ValidationError(_l("Choose at least one person."))
        if not all(value.isdigit() for value in field.data):
            raise ValidationError(_l("Choose people from the list."))

    def chosen_ids(self) -> tuple[int, ...]:
        return tuple(int(v) for v in self.chosen.data or () if v.isdigit())


class SharingForm(FlaskForm):
    share = BooleanField(_l("Show my e-mail address to my homework group"))
