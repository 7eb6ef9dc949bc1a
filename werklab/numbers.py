"""Check standardized numbers: VAT numbers, IBANs, KvK numbers, OINs, Peppol IDs and Dutch
postcodes (what an e-invoice carries), with python-stdnum where it knows the number, and a
readable message where it does not.

Every checker takes what a person typed (spaces, dots and dashes allowed), returns the number
in its compact form, and raises NumberError with a message for that person otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass

from stdnum import ean as _ean
from stdnum import iban as _iban
from stdnum.eu import vat as _eu_vat
from stdnum.exceptions import InvalidLength
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.nl import postcode as _nl_postcode
from stdnum.util import clean, isdigits

from werklab.errors import ValidationError
from werklab.translation import lazy_gettext as _l

#: ISO 6523 ICD codes of the legal identifiers a Dutch buyer or seller carries.
SCHEME_KVK = "0106"
SCHEME_OIN = "0190"
#: Peppol endpoint schemes accepted: OIN, KvK, Dutch VAT number, GLN.
SCHEME_NL_VAT = "9944"
SCHEME_GLN = "0088"


class NumberError(ValidationError):
    """A number that is not valid; the message says which and why."""


def _compact(text: str | None) -> str:
    return clean(text or "", " .-/").strip().upper()


def kvk(text: str) -> str:
    """A KvK number: 8 digits (stdnum has no KvK module: the number has no check digit)."""
    number = _compact(text)
    if not isdigits(number) or len(number) != 8:
        raise NumberError(str(_l("A KvK number has 8 digits, e.g. 12345678.")))
    return number


def oin(text: str) -> str:
    """An OIN (Organisatie-identificatienummer): 20 digits."""
    number = _compact(text)
    if not isdigits(number) or len(number) != 20 or not number.strip("0"):
        raise NumberError(
            str(_l("An OIN has 20 digits, e.g. 00000001001234567000 (see the OIN register)."))
        )
    return number


def legal_id(text: str) -> tuple[str, str]:
    """A KvK number (8 digits) or an OIN (20 digits) → (scheme, number)."""
    number = _compact(text)
    if isdigits(number) and len(number) == 20:
        return SCHEME_OIN, oin(number)
    if isdigits(number) and len(number) == 8:
        return SCHEME_KVK, kvk(number)
    raise NumberError(
        str(
            _l(
                "Fill in a KvK number (8 digits) or an OIN (20 digits, for government "
                "organisations)."
            )
        )
    )


def vat_number(text: str) -> str:
    """A VAT number of an EU country, with its country prefix: NL123456782B01."""
    try:
        number = _eu_vat.validate(text)
    except InvalidLength:
        raise NumberError(
            str(_l("This VAT number has too many or too few characters, e.g. NL123456782B01."))
        ) from None
    except StdnumError:
        raise NumberError(
            str(
                _l(
                    "This VAT number is not valid: check the country code and the digits, "
                    "e.g. NL123456782B01."
                )
            )
        ) from None
    prefix = _compact(text)[:2]
    return number if number[:2].isalpha() else prefix + number


def iban(text: str) -> str:
    """An IBAN with a correct check number."""
    try:
        return _iban.validate(text)
    except StdnumError:
        raise NumberError(
            str(_l("This IBAN is not valid: check the digits, e.g. NL91ABNA0417164300."))
        ) from None


def postcode(text: str, country: str = "NL") -> str:
    """A Dutch postcode as "1234 AB"; elsewhere the postcode as typed (at most 20 chars)."""
    if country != "NL":
        value = " ".join((text or "").split())
        if not value or len(value) > 20:
            raise NumberError(str(_l("Please fill in the postcode.")))
        return value
    try:
        return _nl_postcode.validate(text)
    except StdnumError:
        raise NumberError(str(_l("A Dutch postcode looks like 1234 AB."))) from None


@dataclass(frozen=True)
class Endpoint:
    """A Peppol participant ID: scheme and number, written "0190:00000001001234567000"."""

    scheme: str
    number: str

    def __str__(self) -> str:
        return f"{self.scheme}:{self.number}"


_ENDPOINT_CHECKS = {
    SCHEME_OIN: oin,
    SCHEME_KVK: kvk,
    SCHEME_NL_VAT: vat_number,
    SCHEME_GLN: None,  # 13 digits, checked below
}


def peppol_id(text: str) -> Endpoint:
    """ "0190:00000001001234567000" → Endpoint("0190", "00000001001234567000")."""
    scheme, colon, rest = (text or "").strip().partition(":")
    scheme = scheme.strip()
    if not colon or scheme not in _ENDPOINT_CHECKS:
        raise NumberError(
            str(
                _l(
                    "A Peppol ID starts with 0190 (OIN), 0106 (KvK), 9944 (VAT number) or 0088 "
                    "(GLN), then a colon and the number, e.g. 0190:00000001001234567000."
                )
            )
        )
    check = _ENDPOINT_CHECKS[scheme]
    if check is not None:
        return Endpoint(scheme, check(rest))
    try:
        number = _ean.validate(rest)
    except StdnumError:
        number = ""
    if len(number) != 13:
        raise NumberError(str(_l("A GLN has 13 digits with a correct check digit.")))
    return Endpoint(scheme, number)
