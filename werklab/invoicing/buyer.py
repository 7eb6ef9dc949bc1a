"""The buyer's details an e-invoice needs, checked the same way wherever they are typed: on a
registration's billing details and on a municipality's acceptance of a quote.

A public buyer's accounts-payable system routes an invoice by its reference or purchase-order
number and its legal identifier (OIN, or KvK number), and needs the address in parts
(NLCIUS BR-NL-2, BR-NL-4, BR-NL-10).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from babel import Locale

from werklab import numbers
from werklab.errors import ValidationError
from werklab.translation import lazy_gettext as _l

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")

MAX_STREET, MAX_POSTCODE, MAX_CITY, MAX_REFERENCE = 200, 20, 100, 100

#: Countries a buyer can be in (ISO 3166 alpha-2 codes Babel knows), NL first.
COUNTRY_CODES = frozenset(
    code for code in Locale("en").territories if len(code) == 2 and code.isalpha()
)


@dataclass(frozen=True)
class Buyer:
    """Checked, tidied buyer details (empty strings for what was not given)."""

    street: str = ""
    postcode: str = ""
    city: str = ""
    country: str = "NL"
    legal_scheme: str = ""
    legal_id: str = ""
    peppol_id: str = ""
    reference: str = ""
    order_number: str = ""
    e_invoice: bool = False

    @property
    def has_address(self) -> bool:
        return bool(self.street and self.postcode and self.city)

    def printed_address(self) -> str:
        """Street, postcode and place on two lines (and the country outside NL)."""
        lines = [self.street, f"{self.postcode} {self.city}"]
        if self.country != "NL":
            lines.append(Locale("nl").territories.get(self.country, self.country))
        return "\n".join(lines)


def _line(value: str | None) -> str:
    """One line of text, inner spaces collapsed; refuses line breaks and control characters."""
    if _CONTROL.search(value or ""):
        raise ValidationError(str(_l("Please use one line, without special characters.")))
    return " ".join((value or "").split())


def clean_buyer(
    *,
    street: str = "",
    postcode: str = "",
    city: str = "",
    country: str = "NL",
    legal_id: str = "",
    peppol_id: str = "",
    reference: str = "",
    order_number: str = "",
    e_invoice: bool = False,
) -> Buyer:
    """Check what a buyer typed; raise ValidationError with a message for that person.

    The address in parts is optional (older details have one free-text address) but all or
    nothing, and required for an e-invoice, as is the KvK number or OIN of a Dutch buyer."""
    street, city = _line(street), _line(city)
    reference, order_number = _line(reference), _line(order_number)
    postcode_text, legal_text, peppol_text = _line(postcode), _line(legal_id), _line(peppol_id)
    country = _line(country).upper() or "NL"
    if country not in COUNTRY_CODES:
        raise ValidationError(str(_l("Please choose a country.")))

    if not reference and not order_number:
        raise ValidationError(
            str(
                _l(
                    "Please fill in your reference or the purchase-order number (at least one "
                    "of the two); ask your financial department if you do not know it."
                )
            )
        )
    if len(reference) > MAX_REFERENCE or len(order_number) > MAX_REFERENCE:
        raise ValidationError(str(_l("A reference can be at most 100 characters.")))

    if street or postcode_text or city or e_invoice:
        if not street:
            raise ValidationError(str(_l("Please fill in the street and house number.")))
        if not postcode_text:
            raise ValidationError(str(_l("Please fill in the postcode.")))
        if not city:
            raise ValidationError(str(_l("Please fill in the place.")))
        if len(street) > MAX_STREET or len(city) > MAX_CITY:
            raise ValidationError(str(_l("The address is too long.")))
        postcode_text = numbers.postcode(postcode_text, country)

    scheme = number = ""
    if legal_text:
        scheme, number = numbers.legal_id(legal_text)
    elif e_invoice and country == "NL":
        raise ValidationError(
            str(
                _l(
                    "An e-invoice to a Dutch organisation needs its KvK number or, for a "
                    "government organisation, its OIN."
                )
            )
        )
    endpoint = str(numbers.peppol_id(peppol_text)) if peppol_text else ""

    return Buyer(
        street=street,
        postcode=postcode_text,
        city=city,
        country=country,
        legal_scheme=scheme,
        legal_id=number,
        peppol_id=endpoint,
        reference=reference,
        order_number=order_number,
        e_invoice=bool(e_invoice),
    )
