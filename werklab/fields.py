"""Form fields and validators that several areas ask for in the same words."""

from __future__ import annotations

import re

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, SelectField, StringField, TimeField
from wtforms.validators import InputRequired, Length, ValidationError

from werklab import numbers


def strip(value):
    return value.strip() if isinstance(value, str) else value


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_LINE_BREAK = re.compile(r"[\r\n\t]")


def single_line(form, field):
    """No line breaks or control characters: names end up in mail headers."""
    if field.data and (_CONTROL.search(field.data) or _LINE_BREAK.search(field.data)):
        raise ValidationError(_l("Please use one line, without special characters."))


def no_control_characters(form, field):
    if field.data and _CONTROL.search(field.data):
        raise ValidationError(_l("This text contains characters we cannot store."))


def required_date(label=None) -> DateField:
    return DateField(
        label or _l("Date"),
        invalid_value_message=_l("Please fill in a date, e.g. 31-01-2027."),
        validators=[InputRequired(message=_l("Please fill in the date."))],
    )


def required_start_time() -> TimeField:
    return TimeField(
        _l("Start time"),
        invalid_value_message=_l("Please fill in a time, e.g. 13:30."),
        validators=[InputRequired(message=_l("Please fill in the start time."))],
    )


def required_end_time() -> TimeField:
    return TimeField(
        _l("End time"),
        invalid_value_message=_l("Please fill in a time, e.g. 16:30."),
        validators=[InputRequired(message=_l("Please fill in the end time."))],
    )


# --- what a buyer gives for an invoice and its e-invoice (registration and quote) ----------


def checked_by(check):
    """A validator that runs a werklab.numbers check on a filled-in field."""

    def validator(form, field):
        if field.data:
            try:
                check(field.data)
            except numbers.NumberError as exc:
                raise ValidationError(exc.message) from None

    return validator


def _text(label, max_length: int, *checks, description=None) -> StringField:
    return StringField(
        label,
        filters=[strip],
        description=description,
        validators=[
            single_line,
            Length(
                max=max_length,
                message=_l("At most %(num)d characters.", num=max_length),
            ),
            *checks,
        ],
    )


def country_choices() -> list[tuple[str, str]]:
    """Countries by name in the current language, the Netherlands first."""
    names = get_locale().territories
    codes = sorted(
        (code for code in names if len(code) == 2 and code.isalpha() and code != "NL"),
        key=lambda code: names[code],
    )
    return [("NL", names["NL"]), *((code, names[code]) for code in codes)]


def street_field() -> StringField:
    return _text(_l("Street and house number"), 200)


def postcode_field() -> StringField:
    return _text(_l("Postcode"), 20)


def city_field() -> StringField:
    return _text(_l("Place"), 100)


def country_field() -> SelectField:
    return SelectField(_l("Country"), choices=country_choices, default="NL")


def legal_id_field() -> StringField:
    return _text(
        _l("KvK number or OIN"),
        20 + 10,  # 20 digits and the spaces or dots people type between them
        checked_by(numbers.legal_id),
        description=_l(
            "The KvK number (8 digits) of the organisation; a government organisation fills "
            "in its OIN (20 digits)."
        ),
    )


def peppol_id_field() -> StringField:
    return _text(
        _l("Peppol ID (optional)"),
        60,
        checked_by(numbers.peppol_id),
        description=_l("If your organisation receives e-invoices through Peppol, e.g. 0190:OIN."),
    )


def buyer_reference_field(label=None) -> StringField:
    return _text(
        label or _l("Your reference"),
        100,
        description=_l("Fill in your reference, the purchase-order number, or both."),
    )


def order_number_field(label=None) -> StringField:
    return _text(label or _l("Purchase-order number"), 100)


def e_invoice_field(default: bool = False) -> BooleanField:
    return BooleanField(
        _l("Also send the invoice as an e-invoice (UBL, for the accounts-payable system)"),
        default=default,
    )
