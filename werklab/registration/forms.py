"""Registration form."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    Optional,
    ValidationError,
)

from werklab import numbers
from werklab.catalog.models import Programme
from werklab.fields import (  # noqa: F401
    CSRFWhenShown,
    TextAreaField,
    buyer_reference_field,
    checked_by,
    city_field,
    country_field,
    e_invoice_field,
    legal_id_field,
    no_control_characters,
    order_number_field,
    peppol_id_field,
    postcode_field,
    single_line,
    street_field,
    strip,
)
from werklab.registration.availability import RegistrationHead
from werklab.registration.details import Details
from werklab.registration.labels import SECTOR_LABELS
from werklab.registration.models import PaymentMethod, Sector
from werklab.registration.signup import BillingDetails, RegistrationData
from werklab.translation import lazy_gettext as _l


def _required(message):
    return DataRequired(message=message)


class RegistrationForm(FlaskForm):
    class Meta:
        # The busiest form: an accepted registration is not shown again (see CSRFWhenShown).
        csrf_class = CSRFWhenShown

    first_name = StringField(
        _l("First name"),
        filters=[strip],
        validators=[
            single_line,
            _required(_l("Please fill in your first name.")),
            Length(max=100, message=_l("Your first name can be at most 100 characters.")),
        ],
    )
    last_name = StringField(
        _l("Last name"),
        filters=[strip],
        validators=[
            single_line,
            _required(_l("Please fill in your last name.")),
            Length(max=100, message=_l("Your last name can be at most 100 characters.")),
        ],
    )
    email = EmailField(
        _l("E-mail address"),
        filters=[strip],
        validators=[
            single_line,
            _required(_l("Please fill in your e-mail address.")),
            Length(max=254, message=_l("This e-mail address is too long.")),
            Email(message=_l("This is not a valid e-mail address, e.g. name@organisation.nl.")),
        ],
    )
    organisation = StringField(
        _l("Organisation"),
        filters=[strip],
        validators=[
            single_line,
            _required(_l("Please fill in your organisation.")),
            Length(max=200, message=_l("The organisation can be at most 200 characters.")),
        ],
    )
    sector = SelectField(
        _l("Sector"),
        choices=[SelectChoice("", _l("Choose a sector"))]
        + [SelectChoice(sector.value, label) for sector, label in SECTOR_LABELS.items()],
        validate_choice=False,
        validators=[InputRequired(message=_l("Please choose your sector."))],
    )
    job_title = StringField(
        _l("Job title"),
        filters=[strip],
        validators=[
            single_line,
            _required(_l("Please fill in your job title.")),
            Length(max=200, message=_l("The job title can be at most 200 characters.")),
        ],
    )
    learning_question = TextAreaField(
        _l("Your learning question"),
        filters=[strip],
        description=_l(
            "What would you like to learn or work on? We shape the programme with the "
            "participants' questions."
        ),
        validators=[
            no_control_characters,
            Length(max=2000, message=_l("The learning question can be at most 2000 characters.")),
        ],
    )
    dietary_wishes = StringField(
        _l("Dietary wishes (optional)"),
        filters=[strip],
        description=_l("We delete dietary wishes once the programme has ended."),
        validators=[
            single_line,
            Optional(),
            Length(max=500, message=_l("Dietary wishes can be at most 500 characters.")),
        ],
    )
    payment_method = RadioField(
        _l("How do you want to pay?"),
        choices=[
            SelectChoice("online", _l("Pay now online (iDEAL or card)")),
            SelectChoice("invoice", _l("Invoice to my employer")),
        ],
        validate_choice=False,
    )
    billing_organisation = StringField(
        _l("Organisation on the invoice"),
        filters=[strip],
        validators=[single_line, Length(max=200, message=_l("At most 200 characters."))],
    )
    billing_street = street_field()
    billing_postcode = postcode_field()
    billing_city = city_field()
    billing_country = country_field()
    billing_legal_id = legal_id_field()
    billing_email = EmailField(
        _l("E-mail address for invoices"),
        filters=[strip],
        validators=[
            single_line,
            Optional(),
            Length(max=254, message=_l("This e-mail address is too long.")),
            Email(message=_l("This is not a valid e-mail address, e.g. name@organisation.nl.")),
        ],
    )
    billing_reference = buyer_reference_field()
    billing_order_number = order_number_field()
    billing_vat_number = StringField(
        _l("VAT number (optional)"),
        filters=[strip],
        validators=[
            single_line,
            Length(max=30, message=_l("At most 30 characters.")),
            checked_by(numbers.vat_number),
        ],
    )
    share_email = BooleanField(
        _l("Show my e-mail address to the members of my homework group (optional)"),
        description=_l("So that you can reach each other. You can change this later."),
    )
    billing_peppol_id = peppol_id_field()
    billing_e_invoice = e_invoice_field()
    privacy_consent = BooleanField(
        _l(
            "I have read the privacy statement and agree that my details are used for this "
            "programme."
        ),
        validators=[_required(_l("Please agree to the privacy statement to register."))],
    )

    BILLING_FIELDS = (
        "billing_organisation",
        "billing_street",
        "billing_postcode",
        "billing_city",
        "billing_country",
        "billing_legal_id",
        "billing_email",
        "billing_reference",
        "billing_order_number",
        "billing_vat_number",
        "billing_peppol_id",
        "billing_e_invoice",
    )

    def __init__(
        self,
        *args,
        programme: Programme | RegistrationHead,
        online_payment: bool = False,
        waiting_list: bool = False,
        **kwargs,
    ):
        # Of the programme (or the head a POST reads before the lock) only the kind and the
        # fee are read.
        left_out = set()
        if not programme.kind.asks_learning_question:
            left_out.add("learning_question")
        if not programme.fee_cents or waiting_list:
            left_out.update(("payment_method", *self.BILLING_FIELDS))
        if left_out:
            # Fields that do not apply are not made at all, rather than made and deleted
            # (half the form on the waiting list); they read as None, as deleted fields do.
            self._unbound_fields = [f for f in self._unbound_fields if f[0] not in left_out]
        super().__init__(*args, **kwargs)
        for name in left_out:
            setattr(self, name, None)
        self.programme = programme
        #: The programme is full: joining the waiting list, how to pay is asked at the offer.
        self.waiting_list = waiting_list
        if "payment_method" not in left_out and not online_payment:
            # Without Stripe (the demo default) the invoice is the only way to pay.
            self.payment_method.choices = [
                c for c in self.payment_method.choices if c.value != "online"
            ]
            if not self.payment_method.data:
                self.payment_method.data = "invoice"

    @property
    def asks_payment(self) -> bool:
        return "payment_method" in self

    def validate_payment_method(self, field):
        if field.data not in {choice.value for choice in field.choices}:
            raise ValidationError(_l("Please choose how you want to pay."))

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if self.asks_payment and self.payment_method.data == "invoice":
            required = {
                "billing_organisation": _l("Please fill in the organisation on the invoice."),
                "billing_street": _l("Please fill in the street and house number."),
                "billing_postcode": _l("Please fill in the postcode."),
                "billing_city": _l("Please fill in the place."),
                "billing_email": _l("Please fill in the e-mail address for invoices."),
            }
            if self.billing_country.data == "NL":
                required["billing_legal_id"] = _l(
                    "Please fill in the KvK number of the organisation, or its OIN for a "
                    "government organisation."
                )
            if not self.billing_order_number.data:
                required["billing_reference"] = _l(
                    "Please fill in your reference or the purchase-order number (at least one "
                    "of the two); ask your financial department if you do not know it."
                )
            for name, message in required.items():
                field = self[name]
                if not field.data and not field.errors:
                    field.errors = [*field.errors, message]
                    ok = False
            postcode = self.billing_postcode
            if postcode.data and not postcode.errors:
                try:
                    numbers.postcode(postcode.data, self.billing_country.data)
                except numbers.NumberError as exc:
                    postcode.errors = [*postcode.errors, exc.message]
                    ok = False
        return ok

    def validate_sector(self, field):
        if field.data not in {s.value for s in Sector}:
            raise ValidationError(_l("Please choose your sector."))

    def validate_learning_question(self, field):
        if not field.data:
            raise ValidationError(
                _l(
                    "Please describe your learning question: we build the programme on the "
                    "participants' questions."
                )
            )

    def to_data(self, locale: str) -> RegistrationData:
        return RegistrationData(
            first_name=self.first_name.data,
            last_name=self.last_name.data,
            email=self.email.data,
            organisation=self.organisation.data,
            sector=Sector(self.sector.data),
            job_title=self.job_title.data,
            learning_question=self.learning_question.data if "learning_question" in self else None,
            dietary_wishes=self.dietary_wishes.data or None,
            privacy_consent=bool(self.privacy_consent.data),
            share_email=bool(self.share_email.data),
            locale=locale,
            payment_method=PaymentMethod(self.payment_method.data)
            if self.asks_payment
            else PaymentMethod.NONE,
            billing=self._billing() if self.asks_payment else None,
            pay_later=self.waiting_list and bool(self.programme.fee_cents),
        )

    def _billing(self):
        if self.payment_method.data != "invoice":
            return None
        return BillingDetails(
            organisation=self.billing_organisation.data,
            address="",  # made of the street, postcode and place
            email=self.billing_email.data,
            reference=self.billing_reference.data or "",
            vat_number=self.billing_vat_number.data or None,
            street=self.billing_street.data or "",
            postcode=self.billing_postcode.data or "",
            city=self.billing_city.data or "",
            country=self.billing_country.data or "NL",
            legal_id=self.billing_legal_id.data or "",
            peppol_id=self.billing_peppol_id.data or "",
            order_number=self.billing_order_number.data or "",
            e_invoice=bool(self.billing_e_invoice.data),
        )


class PaymentForm(RegistrationForm):
    """How to pay, asked when someone who joined the waiting list accepts a place."""

    PERSONAL = (
        "first_name",
        "last_name",
        "email",
        "organisation",
        "sector",
        "job_title",
        "learning_question",
        "dietary_wishes",
        "privacy_consent",
    )

    def __init__(self, *args, programme: Programme, online_payment: bool = False, **kwargs):
        super().__init__(*args, programme=programme, online_payment=online_payment, **kwargs)
        for name in self.PERSONAL:
            if name in self:
                delattr(self, name)

    def to_payment(self) -> RegistrationData:
        return RegistrationData(
            first_name="",
            last_name="",
            email="",
            organisation="",
            sector=Sector.OTHER,
            job_title="",
            payment_method=PaymentMethod(self.payment_method.data),
            billing=self._billing(),
        )


class ConfirmForm(FlaskForm):
    """An empty form: a button with a CSRF token."""


class TransferForm(RegistrationForm):
    """The colleague who takes over a seat: the same questions and rules as registering
    (the invoice stays with the original billing details)."""

    privacy_consent = BooleanField(
        _l(
            "My colleague has read the privacy statement and agrees that their details are "
            "used for this programme."
        ),
        validators=[
            _required(_l("Please confirm that your colleague agrees to the privacy statement."))
        ],
    )
    locale = SelectField(
        _l("Language of the mails to your colleague"),
        choices=[SelectChoice("nl", "Nederlands"), SelectChoice("en", "English")],
        default="nl",
    )

    def __init__(self, *args, programme: Programme, **kwargs):
        super().__init__(*args, programme=programme, **kwargs)
        if "payment_method" in self:
            del self.payment_method
            for name in self.BILLING_FIELDS:
                delattr(self, name)

    def to_data(self, locale: str | None = None) -> RegistrationData:
        return super().to_data(self.locale.data or locale or "nl")


class DetailsForm(FlaskForm):
    """A participant's own details that they may change."""

    first_name = RegistrationForm.first_name
    last_name = RegistrationForm.last_name
    organisation = RegistrationForm.organisation
    job_title = RegistrationForm.job_title
    dietary_wishes = RegistrationForm.dietary_wishes

    def to_data(self) -> Details:
        return Details(
            first_name=self.first_name.data,
            last_name=self.last_name.data,
            organisation=self.organisation.data,
            job_title=self.job_title.data,
            dietary_wishes=self.dietary_wishes.data or None,
        )
