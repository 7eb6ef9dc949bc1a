"""Forms for questionnaires and the settings of a session's evaluation. (The answer form is
built from the questionnaire; services.submit_answers checks it.)"""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, ValidationError

from werklab.evaluations.models import QuestionKind
from werklab.evaluations.questionnaires import QuestionData
from werklab.evaluations.ready_made import READY_MADE
from werklab.evaluations.services import MAX_OPEN_DAYS, SettingsData
from werklab.fields import TextAreaField, no_control_characters, single_line, strip
from werklab.translation import lazy_gettext as _l

KIND_LABELS = {
    QuestionKind.SCALE: _l("Scale from 1 to 5"),
    QuestionKind.SINGLE: _l("Choice: one option"),
    QuestionKind.MULTIPLE: _l("Choice: one or more options"),
    QuestionKind.OPEN: _l("Open answer"),
}


class ConfirmForm(FlaskForm):
    """A button that only needs its CSRF token."""


class NewQuestionnaireForm(FlaskForm):
    source = SelectField(
        _l("Start from"),
        validators=[InputRequired(message=_l("Choose what to start from."))],
    )
    title = StringField(
        _l("Title (for an empty questionnaire)"),
        filters=[strip],
        validators=[
            single_line,
            Length(max=200, message=_l("A title can be at most 200 characters.")),
        ],
    )

    def __init__(self, *args, questionnaires=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.source.choices = (
            [
                SelectChoice(key, _l("Ready-made: %(title)s", title=r.title))
                for key, r in READY_MADE.items()
            ]
            + [
                SelectChoice(f"copy:{q.id}", _l("Copy of: %(title)s", title=q.title))
                for q in questionnaires
            ]
            + [SelectChoice("empty", _l("An empty questionnaire"))]
        )

    def validate_title(self, field):
        if self.source.data == "empty" and not field.data:
            raise ValidationError(_l("Please give the questionnaire a title."))


class TitleForm(FlaskForm):
    title = StringField(
        _l("Title"),
        filters=[strip],
        validators=[
            single_line,
            DataRequired(message=_l("Please give the questionnaire a title.")),
            Length(max=200, message=_l("A title can be at most 200 characters.")),
        ],
    )


class QuestionForm(FlaskForm):
    kind = SelectField(
        _l("Kind of question"),
        choices=[SelectChoice(k.value, label) for k, label in KIND_LABELS.items()],
        validators=[InputRequired(message=_l("Choose a kind of question."))],
    )
    text = TextAreaField(
        _l("Question"),
        filters=[strip],
        validators=[
            no_control_characters,
            DataRequired(message=_l("Please write the question.")),
            Length(max=500, message=_l("A question can be at most 500 characters.")),
        ],
    )
    required = BooleanField(_l("An answer is required"))
    low_label = StringField(
        _l("Label of 1 (scale)"),
        filters=[strip],
        validators=[
            single_line,
            Length(max=80, message=_l("A label can be at most 80 characters.")),
        ],
    )
    high_label = StringField(
        _l("Label of 5 (scale)"),
        filters=[strip],
        validators=[
            single_line,
            Length(max=80, message=_l("A label can be at most 80 characters.")),
        ],
    )
    options = TextAreaField(
        _l("Options (choice): one per line"),
        filters=[strip],
        validators=[
            no_control_characters,
            Length(max=3000, message=_l("This text is too long.")),
        ],
    )

    def data_for_service(self) -> QuestionData:
        return QuestionData(
            kind=QuestionKind(self.kind.data),
            text=self.text.data or "",
            required=bool(self.required.data),
            low_label=self.low_label.data or "",
            high_label=self.high_label.data or "",
            options=(self.options.data or "").splitlines(),
        )

    @staticmethod
    def initial(question) -> dict:
        return {
            "kind": question.kind.value,
            "text": question.text,
            "required": question.required,
            "low_label": question.low_label,
            "high_label": question.high_label,
            "options": "\n".join(question.options),
        }


class SettingsForm(FlaskForm):
    enabled = RadioField(
        _l("Evaluation after this session"),
        choices=[SelectChoice("on", _l("On")), SelectChoice("off", _l("Off"))],
        validators=[InputRequired(message=_l("Choose on or off."))],
    )
    questionnaire = SelectField(_l("Questionnaire"), coerce=str, validate_choice=True)
    anonymous = RadioField(
        _l("Who sees what"),
        choices=[
            SelectChoice("anonymous", _l("Anonymous: trainers never see who gave which answer")),
            SelectChoice(
                "named", _l("Named: trainers see each participant's name with their answers")
            ),
        ],
        validators=[InputRequired(message=_l("Choose anonymous or named."))],
    )
    open_days = IntegerField(
        _l("Open for answers (days after it is sent)"),
        validators=[
            InputRequired(message=_l("Fill in a number of days.")),
            NumberRange(
                1,
                MAX_OPEN_DAYS,
                message=_l("Choose between 1 and %(max)d days.", max=MAX_OPEN_DAYS),
            ),
        ],
    )

    def __init__(self, *args, questionnaires=(), default_title="", **kwargs):
        super().__init__(*args, **kwargs)
        self.questionnaire.choices = [
            SelectChoice("", _l("Default: %(title)s", title=default_title))
        ] + [SelectChoice(str(q.id), q.title) for q in questionnaires]

    @staticmethod
    def initial(evaluation, open_days: int) -> dict:
        if evaluation is None:
            return {
                "enabled": "on",
                "questionnaire": "",
                "anonymous": "anonymous",
                "open_days": open_days,
            }
        return {
            "enabled": "on" if evaluation.enabled else "off",
            "questionnaire": str(evaluation.questionnaire_id or ""),
            "anonymous": "anonymous" if evaluation.anonymous else "named",
            "open_days": evaluation.open_days,
        }

    def data_for_service(self) -> SettingsData:
        return SettingsData(
            enabled=self.enabled.data == "on",
            questionnaire_id=int(self.questionnaire.data) if self.questionnaire.data else None,
            anonymous=self.anonymous.data == "anonymous",
            open_days=int(self.open_days.data),
        )
