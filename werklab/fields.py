"""Form fields that several areas ask for in the same words, and the checks every text field
gets: one-line fields refuse line breaks and control characters (they end up in mail headers,
subjects and PDFs), multi-line fields refuse control characters and store line breaks as
"\n" whatever the browser sends.
"""

from __future__ import annotations

import functools
import re

from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms import BooleanField, DateField, SelectField, StringField, TimeField
from wtforms import TextAreaField as _TextAreaField
from wtforms.validators import InputRequired, Length, ValidationError
from wtforms.widgets import Select, html_params

from werklab import numbers
from werklab.translation import get_locale
from werklab.translation import gettext as _
from werklab.translation import lazy_gettext as _l

#: C0 control characters (but tab, line feed and carriage return), DEL, and the C1 range,
#: the Unicode line and paragraph separators and the bidirectional overrides, which no
#: person types on purpose.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e]")
_LINE_BREAK = re.compile(r"[\r\n\t\x0b\x0c\x85\u2028\u2029]")


class _TokenWhenShown:
    """A form's CSRF token, made the first time the form is shown (str or HTML)."""

    __slots__ = ("_make", "_token")

    def __init__(self, make):
        self._make, self._token = make, None

    def __str__(self) -> str:
        if self._token is None:
            self._token = self._make()
        return self._token

    def __html__(self) -> Markup:
        return escape(str(self))  # URL-safe base64 and dots, escaped all the same


class CSRFWhenShown(FlaskForm.Meta.csrf_class):
    """Flask-WTF's CSRF protection of a form, which makes the form's token only when the form
    is shown: a posted form that is accepted is not shown again, and a token is a signature
    (the registration POST made one for nothing). What is checked, and how, is Flask-WTF's.
    Use: `class Meta: csrf_class = CSRFWhenShown` in the form."""

    def generate_csrf_token(self, csrf_token_field):
        return _TokenWhenShown(functools.partial(super().generate_csrf_token, csrf_token_field))


def strip(value):
    return value.strip() if isinstance(value, str) else value


def single_line(form, field):
    """No line breaks or control characters: names end up in mail headers."""
    if field.data and (_CONTROL.search(field.data) or _LINE_BREAK.search(field.data)):
        raise ValidationError(_l("Please use one line, without special characters."))


def no_control_characters(form, field):
    if field.data and _CONTROL.search(field.data):
        raise ValidationError(_l("This text contains characters we cannot store."))


def normalize_newlines(text: str) -> str:
    """Browsers send a textarea's line breaks as "\r\n": store them as "\n"."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


class TextAreaField(_TextAreaField):
    """A multi-line text whose line breaks are stored as "\n" (so that paragraphs survive,
    and a length limit counts a line break once, as the browser's maxlength does)."""

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if isinstance(self.data, str):
            self.data = normalize_newlines(self.data)


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
    return list(_country_choices(str(get_locale())))


@functools.cache
def _country_choices(locale: str) -> tuple[tuple[str, str], ...]:
    # Sorting Babel's ~250 territory names took ~1 ms a request (form GET and POST): the list
    # only depends on the language, so it is built once per language and process.
    names = get_locale().territories
    codes = sorted(
        (code for code in names if len(code) == 2 and code.isalpha() and code != "NL"),
        key=lambda code: names[code],
    )
    return (("NL", names["NL"]), *((code, names[code]) for code in codes))


@functools.cache
def _country_codes(locale: str) -> frozenset[str]:
    return frozenset(code for code, _ in _country_choices(locale))


@functools.cache
def _country_options(locale: str, selected: str | None) -> Markup:
    return Markup("").join(
        Markup('<option {}value="{}">{}</option>').format(
            Markup("selected ") if code == selected else "", code, name
        )
        for code, name in _country_choices(locale)
    )


class _CountrySelect(Select):
    """WTForms' Select, with the ~250 <option>s rendered once per language and chosen country:
    rendering them one by one took ~4 ms of each registration form (GET, or POST with errors)."""

    def __call__(self, field, **kwargs):
        kwargs.setdefault("id", field.id)
        if "required" not in kwargs and "required" in getattr(field, "flags", []):
            kwargs["required"] = True
        locale = str(get_locale())
        # Only a known code is a key, so what a client posts cannot grow the cache.
        selected = field.data if field.data in _country_codes(locale) else None
        return Markup("<select {}>{}</select>").format(
            # html_params escapes every value, as in WTForms' own Select.
            Markup(html_params(name=field.name, **kwargs)),  # noqa: S704
            _country_options(locale, selected),
        )


def street_field() -> StringField:
    return _text(_l("Street and house number"), 200)


def postcode_field() -> StringField:
    return _text(_l("Postcode"), 20)


def city_field() -> StringField:
    return _text(_l("Place"), 100)


class _CountryField(SelectField):
    """A SelectField of countries whose check looks the posted code up in a set, instead of
    building the ~250 choices to compare them one by one (~1 ms of every registration POST)."""

    widget = _CountrySelect()

    def pre_validate(self, form):
        if self.process_errors:
            return
        if self.data not in _country_codes(str(get_locale())):
            raise ValidationError(_("Choose a country from the list."))


def country_field() -> SelectField:
    return _CountryField(_l("Country"), choices=country_choices, default="NL")


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
