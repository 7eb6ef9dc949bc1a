"""Forms of the intake area: the request, the pipeline, the quote, the answer, the domains."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal, InvalidOperation

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    widgets,
)
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from werklab import numbers
from werklab.fields import (
    TextAreaField,
    buyer_reference_field,
    city_field,
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
from werklab.intake.models import MAX_EXPECTED, MIN_EXPECTED, PolicyArea, RequestStatus
from werklab.intake.services import (
    MAX_LINES,
    Acceptance,
    IntakeData,
    QuoteData,
)
from werklab.translation import lazy_gettext as _l

POLICY_LABELS = {
    PolicyArea.SOCIAL: _l("Social domain"),
    PolicyArea.SPATIAL: _l("Spatial planning / Environment and Planning Act"),
    PolicyArea.ENERGY: _l("Energy transition"),
    PolicyArea.PARTICIPATION: _l("Participation"),
    PolicyArea.OTHER: _l("Other"),
}

STATUS_LABELS = {
    RequestStatus.NEW: _l("New"),
    RequestStatus.IN_PROGRESS: _l("In progress"),
    RequestStatus.QUOTE_SENT: _l("Quote sent"),
    RequestStatus.ACCEPTED: _l("Accepted"),
    RequestStatus.DECLINED: _l("Declined"),
    RequestStatus.EXPIRED: _l("Expired"),
}


class MultiCheckboxField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def _line(label, max_length: int, required=None, **kw):
    """A one-line text: no line breaks or control characters (names go into mail headers)."""
    checks = [single_line, DataRequired(message=required) if required else Optional()]
    return StringField(
        label,
        [*checks, Length(max=max_length, message=_l("At most %(n)d characters.", n=max_length))],
        filters=[strip],
        **kw,
    )


def _text(label, max_length: int, required=None, **kw):
    checks = [no_control_characters, DataRequired(message=required) if required else Optional()]
    return TextAreaField(
        label,
        [*checks, Length(max=max_length, message=_l("At most %(n)d characters.", n=max_length))],
        filters=[strip],
        **kw,
    )


def _email(label, required=None):
    return EmailField(
        label,
        [
            single_line,
            DataRequired(message=required) if required else Optional(),
            Length(max=254, message=_l("This e-mail address is too long.")),
            Email(message=_l("This is not a valid e-mail address, e.g. name@organisation.nl.")),
        ],
        filters=[strip],
    )


class IntakeForm(FlaskForm):
    municipality = _line(_l("Municipality"), 200, _l("Please fill in your municipality."))
    contact_name = _line(_l("Your name"), 200, _l("Please fill in your name."))
    contact_role = _line(_l("Your role"), 200, _l("Please fill in your role."))
    contact_email = _email(_l("E-mail address"), _l("Please fill in your e-mail address."))
    contact_phone = _line(_l("Phone number"), 40, _l("Please fill in your phone number."))
    expected_participants = IntegerField(
        _l("Expected number of participants"),
        [InputRequired(), NumberRange(min=1, max=200)],
        description=_l(
            "A werklab is made for 10 to 15 colleagues: smaller groups have too little to "
            "exchange, larger groups turn sessions passive."
        ),
    )
    policy_areas = MultiCheckboxField(
        _l("Policy areas involved"),
        choices=[SelectChoice(area.value, POLICY_LABELS[area]) for area in PolicyArea],
        validators=[DataRequired(message=_l("Choose at least one policy area."))],
    )
    policy_other = _line(_l("Other policy area"), 200)
    question = _text(
        _l("Your question or reason"), 5000, _l("Please describe your question or reason.")
    )
    current_practice = _text(
        _l("How does your municipality work with resident initiatives today?"), 5000
    )
    known_initiatives = _text(_l("Local resident initiatives we could involve"), 5000)
    preferred_period = _line(_l("Preferred period"), 200)
    practical_wishes = _text(_l("Practical wishes"), 5000)

    def validate_expected_participants(self, field):
        if field.data is not None and not MIN_EXPECTED <= field.data <= MAX_EXPECTED:
            raise ValidationError(
                _l(
                    "A werklab is for %(min)d to %(max)d participants: with fewer there is too "
                    "little to exchange, with more the sessions turn passive. Tell us in your "
                    "question how many colleagues you have in mind, and we will look for a "
                    "fitting form together.",
                    min=MIN_EXPECTED,
                    max=MAX_EXPECTED,
                )
            )

    def to_data(self, locale: str) -> IntakeData:
        return IntakeData(
            municipality=self.municipality.data,
            contact_name=self.contact_name.data,
            contact_role=self.contact_role.data,
            contact_email=self.contact_email.data,
            contact_phone=self.contact_phone.data,
            expected_participants=self.expected_participants.data,
            policy_areas=list(self.policy_areas.data or []),
            policy_other=self.policy_other.data or "",
            question=self.question.data,
            current_practice=self.current_practice.data or "",
            known_initiatives=self.known_initiatives.data or "",
            preferred_period=self.preferred_period.data or "",
            practical_wishes=self.practical_wishes.data or "",
            locale=locale,
        )


class RequestForm(FlaskForm):
    status = SelectField(
        _l("Status"), choices=[SelectChoice(s.value, STATUS_LABELS[s]) for s in RequestStatus]
    )
    notes = _text(_l("Notes from the intake conversation"), 20000)


def parse_euros(text: str) -> int | None:
    """ "1.250,50" or "1250.5" → 125050 cents; None when it is no amount."""
    text = (text or "").strip().replace("€", "").replace(" ", "")
    if not text:
        return None
    if "," in text:
        text = text.replace(".", "").replace(",", ".")
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    if value < 0 or value.as_tuple().exponent < -2:
        return None
    return int(value * 100)


class LineForm(Form):
    description = _line(_l("Description"), 300)
    amount = _line(_l("Amount in euros (excl. VAT)"), 20)

    def validate_amount(self, field):
        if field.data and field.data.strip() and parse_euros(field.data) is None:
            raise ValidationError(_l("Enter an amount like 1250 or 1.250,00."))


class QuoteForm(FlaskForm):
    lines = FieldList(FormField(LineForm), min_entries=MAX_LINES, max_entries=MAX_LINES)
    vat_rate = StringField(
        _l("VAT rate (%)"),
        [single_line, InputRequired(), Length(max=6, message=_l("At most %(n)d characters.", n=6))],
        default="21",
    )
    valid_until = DateField(_l("Valid until"), [InputRequired()])

    def validate_vat_rate(self, field):
        try:
            rate = Decimal((field.data or "").replace(",", "."))
        except InvalidOperation:
            rate = Decimal(-1)
        if not 0 <= rate <= 100:
            raise ValidationError(_l("Enter a percentage between 0 and 100."))

    def fill(self, lines, vat_rate_bp: int, valid_until) -> None:
        for entry, (description, cents) in zip(self.lines.entries, lines, strict=False):
            entry.form.description.data = description
            entry.form.amount.data = f"{Decimal(cents) / 100:.2f}".replace(".", ",")
        self.vat_rate.data = f"{Decimal(vat_rate_bp) / 100:g}".replace(".", ",")
        self.valid_until.data = valid_until

    def to_data(self) -> QuoteData:
        lines = [
            (entry.form.description.data or "", parse_euros(entry.form.amount.data) or 0)
            for entry in self.lines.entries
            if (entry.form.description.data or "").strip()
        ]
        rate = Decimal(self.vat_rate.data.replace(",", "."))
        return QuoteData(
            lines=lines, vat_rate_bp=int(rate * 100), valid_until=self.valid_until.data
        )


def default_valid_until(today):
    return today + timedelta(days=30)


class SendQuoteForm(FlaskForm):
    pass


class AcceptForm(FlaskForm):
    name = _line(_l("Your name"), 200, _l("Please fill in your name."))
    role = _line(_l("Your role"), 200, _l("Please fill in your role."))
    purchase_reference = order_number_field()
    buyer_reference = buyer_reference_field()
    billing_street = street_field()
    billing_postcode = postcode_field()
    billing_city = city_field()
    legal_id = legal_id_field()
    peppol_id = peppol_id_field()
    billing_email = _email(_l("E-mail address for the invoice (optional)"))
    # Public buyers mostly take e-invoices: asked for unless the contact says otherwise.
    e_invoice = e_invoice_field(default=True)
    agree_terms = BooleanField(
        _l("I agree to the terms of this quote shown above and may accept it for my municipality."),
        [DataRequired(message=_l("Please agree to the terms."))],
    )

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        required = {
            "billing_street": _l("Please fill in the street and house number."),
            "billing_postcode": _l("Please fill in the postcode."),
            "billing_city": _l("Please fill in the place."),
            "legal_id": _l("Please fill in the OIN of your municipality (or its KvK number)."),
        }
        if not self.purchase_reference.data:
            required["buyer_reference"] = _l(
                "Please fill in your reference or the purchase-order number (at least one of "
                "the two); ask your financial department if you do not know it."
            )
        for name, message in required.items():
            field = self[name]
            if not field.data and not field.errors:
                field.errors = [*field.errors, message]
                ok = False
        postcode = self.billing_postcode
        if postcode.data and not postcode.errors:
            try:
                numbers.postcode(postcode.data)
            except numbers.NumberError as exc:
                postcode.errors = [*postcode.errors, exc.message]
                ok = False
        return ok

    def to_data(self) -> Acceptance:
        return Acceptance(
            name=self.name.data,
            role=self.role.data,
            purchase_reference=self.purchase_reference.data or "",
            billing_address="",
            billing_email=self.billing_email.data or "",
            agree_terms=bool(self.agree_terms.data),
            buyer_reference=self.buyer_reference.data or "",
            street=self.billing_street.data or "",
            postcode=self.billing_postcode.data or "",
            city=self.billing_city.data or "",
            legal_id=self.legal_id.data or "",
            peppol_id=self.peppol_id.data or "",
            e_invoice=bool(self.e_invoice.data),
        )


class DeclineForm(FlaskForm):
    reason = _text(_l("Why do you decline?"), 5000, _l("Please tell us why you decline."))


class DomainsForm(FlaskForm):
    domains = StringField(
        _l("Allowed e-mail domains"),
        [
            single_line,
            Optional(),
            Length(max=1000, message=_l("At most %(n)d characters.", n=1000)),
        ],
        description=_l(
            "For example arnhem.nl. Only colleagues with an address in these domains can "
            "register. Leave empty to allow every address."
        ),
    )
