"""Forms for what a coordinator does with a registration."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, RadioField, SelectChoice, SelectField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from werklab.fields import TextAreaField, no_control_characters, strip
from werklab.registration.forms import RegistrationForm
from werklab.registration.models import PaymentMethod, Sector
from werklab.registration.signup import RegistrationData
from werklab.translation import lazy_gettext as _l

LOCALE_CHOICES = [SelectChoice("nl", "Nederlands"), SelectChoice("en", "English")]


def _reason(label):
    return TextAreaField(
        label,
        filters=[strip],
        validators=[
            no_control_characters,
            DataRequired(message=_l("Please give the reason.")),
            Length(max=500, message=_l("The reason can be at most 500 characters.")),
        ],
    )


class HandRegistrationForm(RegistrationForm):
    """A sign-up by phone or e-mail, entered by a coordinator."""

    place = RadioField(
        _l("Where does this person go?"),
        choices=[
            SelectChoice("seat", _l("On a free seat")),
            SelectChoice("waitlist", _l("On the waiting list")),
        ],
        default="seat",
        validate_choice=False,
    )
    locale = SelectField(
        _l("Language of the e-mails"), choices=LOCALE_CHOICES, default="nl", validate_choice=False
    )
    privacy_consent = BooleanField(
        _l("This person has agreed to the privacy statement (by phone or e-mail)."),
        validators=[DataRequired(message=_l("Ask the person to agree to the privacy statement."))],
    )
    share_email = BooleanField(
        _l("This person wants their e-mail address shown to their homework group.")
    )

    def __init__(self, *args, programme, **kwargs):
        super().__init__(*args, programme=programme, online_payment=False, **kwargs)
        if self.asks_payment:
            # Nobody is at the screen to pay online: an invoice, or arranged otherwise.
            self.payment_method.choices = [
                SelectChoice("invoice", _l("Invoice to the employer")),
                SelectChoice("none", _l("Arranged otherwise (werklab sends no invoice)")),
            ]
            self.payment_method.label.text = _l("How does this person pay?")

    def validate_place(self, field):
        if field.data not in ("seat", "waitlist"):
            raise ValidationError(_l("Choose a seat or the waiting list."))

    def validate_locale(self, field):
        if field.data not in ("nl", "en"):
            raise ValidationError(_l("Choose a language."))

    def validate_learning_question(self, field):
        """Optional here: the person may not have one yet when signing up by phone."""

    def to_data(self, locale: str | None = None) -> RegistrationData:
        data = super().to_data(self.locale.data)
        if self.asks_payment and self.payment_method.data == "none":
            data = RegistrationData(
                **{**data.__dict__, "payment_method": PaymentMethod.NONE, "billing": None}
            )
        return data


class DetailsForm(FlaskForm):
    first_name = RegistrationForm.first_name
    last_name = RegistrationForm.last_name
    email = RegistrationForm.email
    organisation = RegistrationForm.organisation
    sector = RegistrationForm.sector
    job_title = RegistrationForm.job_title
    learning_question = TextAreaField(
        _l("Learning question"),
        filters=[strip],
        validators=[
            no_control_characters,
            Length(max=2000, message=_l("The learning question can be at most 2000 characters.")),
        ],
    )
    dietary_wishes = RegistrationForm.dietary_wishes
    locale = SelectField(
        _l("Language of the e-mails"), choices=LOCALE_CHOICES, validate_choice=False
    )
    share_email = BooleanField(
        _l("This person wants their e-mail address shown to their homework group.")
    )

    def __init__(self, *args, registration, **kwargs):
        super().__init__(*args, obj=registration, **kwargs)
        if not registration.programme.kind.asks_learning_question:
            del self.learning_question
        if not self.is_submitted():
            self.sector.data = registration.sector.value
            self.share_email.data = registration.share_email_at is not None

    def validate_sector(self, field):
        if field.data not in {s.value for s in Sector}:
            raise ValidationError(_l("Please choose a sector."))

    def validate_locale(self, field):
        if field.data not in ("nl", "en"):
            raise ValidationError(_l("Choose a language."))


class CancelForForm(FlaskForm):
    money = RadioField(_l("The money"), validate_choice=False)
    reason = _reason(_l("Reason"))

    def __init__(self, *args, choice, labels, **kwargs):
        super().__init__(*args, **kwargs)
        self.money.choices = [SelectChoice(option, labels[option]) for option in choice.options]
        if not self.is_submitted():
            self.money.data = choice.policy


class MoveUpForm(FlaskForm):
    reason = _reason(_l("Why does this person go first?"))


class PaidForm(FlaskForm):
    paid_on = DateField(
        _l("Paid on"),
        validators=[Optional()],
        invalid_value_message=_l("Please fill in a date, e.g. 31-01-2027."),
        description=_l("Empty: today."),
    )
