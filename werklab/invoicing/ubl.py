"""Invoices and credit notes as e-invoices: UBL 2.1, in the Dutch NLCIUS profile (SI-UBL 2.0)
or Peppol BIS Billing 3.0 (EINVOICE_PROFILE).

Built with lxml from the stored document alone, the same row the PDF is made of: its lines,
its VAT per rate (Invoice.vat_groups, also on the PDF) and its stored totals, so the two never
differ. Works for every kind of stored document: a seat invoice, a quote invoice, an invoice
paid online when it was issued, and a credit note.

A credit note is stored with negative amounts; a UBL CreditNote carries them positive (the
document type says which way the money goes), so its amounts are turned around here.

The rules this meets are those of SI-UBL 2.0 (BR-NL-*) and CEN EN 16931 (BR-*): the seller's
KvK number, VAT number and address in parts; the buyer's legal identifier (OIN 0190 or KvK
0106) and address in parts; the buyer's reference or purchase-order number; payment by SEPA
credit transfer to the seller's IBAN; one VAT breakdown per rate with the VAT rounded to
cents; for 0% the exemption note as reason. A document that lacks what those rules need (one
issued before e-invoicing, or a buyer without a legal identifier) is refused with a message
saying what is missing (`missing`), never built half.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable
from decimal import Decimal

from flask import current_app
from flask_babel import force_locale
from lxml import etree

from werklab.errors import DomainError
from werklab.extensions import db
from werklab.invoicing.models import Invoice
from werklab.translation import lazy_gettext as _l

NS_INVOICE = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
NS_CREDIT_NOTE = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
NS_CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
NS_CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"

CUSTOMIZATION = {
    "nlcius": "urn:cen.eu:en16931:2017#compliant#urn:fdc:nen.nl:nlcius:v1.0",
    "peppol": "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0",
}
PROFILE_ID = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
CURRENCY = "EUR"
#: UN/ECE 4461: 58 = SEPA credit transfer.
PAYMENT_SEPA_CREDIT_TRANSFER = "58"
#: UN/ECE Rec 20: C62 = one (a unit).
UNIT = "C62"
SCHEME_KVK = "0106"

#: Characters XML 1.0 cannot hold (input refuses them; older rows might still have them).
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


class EInvoiceUnavailable(DomainError):
    """This document cannot be an e-invoice: the message says what it lacks."""

    status_code = 409


# --- what a document needs -------------------------------------------------------------------


def profile_name(profile: str | None = None) -> str:
    name = profile or current_app.config["EINVOICE_PROFILE"]
    if name not in CUSTOMIZATION:
        raise ValueError(f"unknown e-invoice profile {name!r}")
    return name


def _buyer_endpoint(document: Invoice) -> tuple[str, str] | None:
    """The buyer's Peppol ID: as given, or else its legal identifier (the usual Peppol ID of
    a Dutch organisation: 0190:OIN or 0106:KvK)."""
    if document.buyer_peppol_id:
        scheme, _, number = document.buyer_peppol_id.partition(":")
        return scheme, number
    if document.buyer_legal_id:
        return document.buyer_legal_scheme, document.buyer_legal_id
    return None


def _seller_endpoint(document: Invoice) -> tuple[str, str] | None:
    if document.seller_peppol_id:
        scheme, _, number = document.seller_peppol_id.partition(":")
        return scheme, number
    if document.seller_kvk:
        return SCHEME_KVK, _compact(document.seller_kvk)
    return None


def missing(document: Invoice, profile: str | None = None) -> list[str]:
    """What this document lacks to be a valid e-invoice, in words (empty: nothing)."""
    profile = profile_name(profile)
    gaps = []
    if not (document.seller_street and document.seller_postcode and document.seller_city):
        gaps.append(_l("the seller's address in parts (issued before e-invoicing)"))
    if not (document.seller_kvk and document.seller_vat_number and document.seller_iban):
        gaps.append(_l("the seller's KvK number, VAT number and IBAN"))
    if not (document.buyer_street and document.buyer_postcode and document.buyer_city):
        gaps.append(_l("the buyer's street, postcode and place"))
    if document.buyer_country == "NL" and not document.buyer_legal_id:
        gaps.append(_l("the buyer's KvK number or OIN"))
    if not (document.buyer_reference or document.buyer_order_number):
        gaps.append(_l("the buyer's reference or purchase-order number"))
    if profile == "peppol" and _buyer_endpoint(document) is None:
        gaps.append(_l("the buyer's Peppol ID"))
    if not document.lines:
        gaps.append(_l("invoice lines"))
    return [str(gap) for gap in gaps]


def is_available(document: Invoice) -> bool:
    return not missing(document)


def _check(document: Invoice, profile: str) -> None:
    gaps = missing(document, profile)
    if gaps:
        raise EInvoiceUnavailable(
            str(
                _l(
                    "%(number)s cannot be made into an e-invoice: it lacks %(what)s.",
                    number=document.number,
                    what=", ".join(gaps),
                )
            )
        )


# --- numbers as UBL writes them --------------------------------------------------------------


def _compact(value: str) -> str:
    return re.sub(r"[\s.\-]", "", value or "").upper()


def amount(cents: int) -> str:
    """Cents as UBL writes an amount: 125050 → "1250.50", -90750 → "-907.50"."""
    sign = "-" if cents < 0 else ""
    whole, rest = divmod(abs(cents), 100)
    return f"{sign}{whole}.{rest:02d}"


def percent(rate_bp: int) -> str:
    """Basis points as a VAT percentage: 2100 → "21", 1050 → "10.5", 0 → "0"."""
    value = (Decimal(rate_bp) / 100).normalize()
    return f"{value:f}"


def _text(value: str | None) -> str:
    return _NOT_XML.sub("", value or "").strip()


# --- the document ----------------------------------------------------------------------------


class _Writer:
    """Appends UBL elements; every element gets text or children, never empty."""

    def __init__(self, root_tag: str, namespace: str):
        self.root = etree.Element(
            f"{{{namespace}}}{root_tag}",
            nsmap={None: namespace, "cac": NS_CAC, "cbc": NS_CBC},
        )

    @staticmethod
    def cbc(parent, name: str, text, **attrs):
        element = etree.SubElement(parent, f"{{{NS_CBC}}}{name}", **attrs)
        element.text = str(text)
        return element

    @staticmethod
    def cac(parent, name: str):
        return etree.SubElement(parent, f"{{{NS_CAC}}}{name}")

    def money(self, parent, name: str, cents: int):
        return self.cbc(parent, name, amount(cents), currencyID=CURRENCY)


def paid_at_issue(document: Invoice) -> bool:
    """The invoice was paid when it was issued (online payment): nothing is left to pay."""
    return (
        not document.is_credit_note
        and document.paid_at is not None
        and document.created_at is not None
        and document.paid_at <= document.created_at
    )


def _category(rate_bp: int) -> str:
    """UNCL 5305: S = standard rate (any rate above 0), E = exempt from VAT."""
    return "S" if rate_bp else "E"


def _tax_category(w: _Writer, parent, tag: str, rate_bp: int, exempt_reason: str | None):
    category = w.cac(parent, tag)
    w.cbc(category, "ID", _category(rate_bp))
    w.cbc(category, "Percent", percent(rate_bp))
    if exempt_reason is not None:
        w.cbc(category, "TaxExemptionReason", exempt_reason)
    scheme = w.cac(category, "TaxScheme")
    w.cbc(scheme, "ID", "VAT")
    return category


def _address(w: _Writer, party, street: str, city: str, postcode: str, country: str) -> None:
    address = w.cac(party, "PostalAddress")
    w.cbc(address, "StreetName", _text(street))
    w.cbc(address, "CityName", _text(city))
    w.cbc(address, "PostalZone", _text(postcode))
    w.cbc(w.cac(address, "Country"), "IdentificationCode", country or "NL")


def _seller(w: _Writer, root, document: Invoice) -> None:
    party = w.cac(w.cac(root, "AccountingSupplierParty"), "Party")
    endpoint = _seller_endpoint(document)
    if endpoint is not None:
        w.cbc(party, "EndpointID", endpoint[1], schemeID=endpoint[0])
    w.cbc(w.cac(party, "PartyName"), "Name", _text(document.seller_name))
    _address(
        w,
        party,
        document.seller_street,
        document.seller_city,
        document.seller_postcode,
        document.seller_country,
    )
    tax = w.cac(party, "PartyTaxScheme")
    w.cbc(tax, "CompanyID", _compact(document.seller_vat_number))
    w.cbc(w.cac(tax, "TaxScheme"), "ID", "VAT")
    legal = w.cac(party, "PartyLegalEntity")
    w.cbc(legal, "RegistrationName", _text(document.seller_name))
    w.cbc(legal, "CompanyID", _compact(document.seller_kvk), schemeID=SCHEME_KVK)
    if document.seller_email:
        w.cbc(w.cac(party, "Contact"), "ElectronicMail", _text(document.seller_email))


def _buyer(w: _Writer, root, document: Invoice) -> None:
    party = w.cac(w.cac(root, "AccountingCustomerParty"), "Party")
    endpoint = _buyer_endpoint(document)
    if endpoint is not None:
        w.cbc(party, "EndpointID", endpoint[1], schemeID=endpoint[0])
    w.cbc(w.cac(party, "PartyName"), "Name", _text(document.buyer_organisation))
    _address(
        w,
        party,
        document.buyer_street,
        document.buyer_city,
        document.buyer_postcode,
        document.buyer_country,
    )
    if document.buyer_vat_number:
        tax = w.cac(party, "PartyTaxScheme")
        w.cbc(tax, "CompanyID", _compact(document.buyer_vat_number))
        w.cbc(w.cac(tax, "TaxScheme"), "ID", "VAT")
    legal = w.cac(party, "PartyLegalEntity")
    w.cbc(legal, "RegistrationName", _text(document.buyer_organisation))
    if document.buyer_legal_id:
        w.cbc(legal, "CompanyID", document.buyer_legal_id, schemeID=document.buyer_legal_scheme)
    if document.buyer_email:
        w.cbc(w.cac(party, "Contact"), "ElectronicMail", _text(document.buyer_email))


def _payment_terms(document: Invoice) -> str | None:
    """What the buyer reads about paying, in the document's language (as on the PDF)."""
    invoice = document.credits
    with force_locale(document.locale):
        if document.is_credit_note and invoice is not None and invoice.paid_on:
            return str(
                _l(
                    "Invoice %(number)s has already been paid: we transfer %(amount)s back to you.",
                    number=invoice.number,
                    amount="EUR " + amount(-document.total_incl_cents),
                )
            )
        if document.is_credit_note and invoice is not None:
            return str(
                _l(
                    "This credit note cancels invoice %(number)s: it no longer needs to be paid.",
                    number=invoice.number,
                )
            )
        if paid_at_issue(document):
            return str(_l("Paid online on %(date)s.", date=document.paid_on.isoformat()))
    return None


def build(document: Invoice, *, profile: str | None = None) -> bytes:
    """The invoice or credit note as a UBL 2.1 document (UTF-8 bytes); raises
    EInvoiceUnavailable when it lacks what the rules need."""
    profile = profile_name(profile)
    _check(document, profile)
    credit = document.is_credit_note
    # A credit note's stored amounts are negative; UBL carries them positive.
    sign = -1 if credit else 1
    w = _Writer("CreditNote", NS_CREDIT_NOTE) if credit else _Writer("Invoice", NS_INVOICE)
    root = w.root
    w.cbc(root, "CustomizationID", CUSTOMIZATION[profile])
    w.cbc(root, "ProfileID", PROFILE_ID)
    w.cbc(root, "ID", document.number)
    w.cbc(root, "IssueDate", document.issue_date.isoformat())
    prepaid = document.total_incl_cents if paid_at_issue(document) else 0
    payable = sign * document.total_incl_cents - prepaid
    if not credit:
        if document.due_date is not None and payable > 0:
            w.cbc(root, "DueDate", document.due_date.isoformat())
        w.cbc(root, "InvoiceTypeCode", "380")
    else:
        w.cbc(root, "CreditNoteTypeCode", "381")
    with force_locale(document.locale):
        participant, reason = str(_l("Participant")), str(_l("Reason"))
    if document.participant_name:
        w.cbc(root, "Note", f"{participant}: {_text(document.participant_name)}")
    if credit and document.reason:
        w.cbc(root, "Note", f"{reason}: {_text(document.reason)}")
    w.cbc(root, "DocumentCurrencyCode", CURRENCY)
    if document.buyer_reference:
        w.cbc(root, "BuyerReference", _text(document.buyer_reference))
    if document.buyer_order_number:
        w.cbc(w.cac(root, "OrderReference"), "ID", _text(document.buyer_order_number))
    if credit and document.credits is not None:
        reference = w.cac(w.cac(root, "BillingReference"), "InvoiceDocumentReference")
        # Its number only: NLCIUS advises against the date (BR-NL-24).
        w.cbc(reference, "ID", document.credits.number)

    _seller(w, root, document)
    _buyer(w, root, document)

    if not credit and payable > 0:
        means = w.cac(root, "PaymentMeans")
        w.cbc(means, "PaymentMeansCode", PAYMENT_SEPA_CREDIT_TRANSFER)
        w.cbc(means, "PaymentID", document.number)
        w.cbc(w.cac(means, "PayeeFinancialAccount"), "ID", _compact(document.seller_iban))
    terms = _payment_terms(document)
    if terms:
        w.cbc(w.cac(root, "PaymentTerms"), "Note", terms)

    exempt_reason = _text(document.vat_exempt_note) or str(_l("Exempt from VAT"))
    tax_total = w.cac(root, "TaxTotal")
    w.money(tax_total, "TaxAmount", sign * document.vat_cents)
    for group in document.vat_groups():
        subtotal = w.cac(tax_total, "TaxSubtotal")
        w.money(subtotal, "TaxableAmount", sign * group.base_cents)
        w.money(subtotal, "TaxAmount", sign * group.vat_cents)
        _tax_category(
            w, subtotal, "TaxCategory", group.rate_bp, None if group.rate_bp else exempt_reason
        )

    totals = w.cac(root, "LegalMonetaryTotal")
    w.money(totals, "LineExtensionAmount", sign * document.total_excl_cents)
    w.money(totals, "TaxExclusiveAmount", sign * document.total_excl_cents)
    w.money(totals, "TaxInclusiveAmount", sign * document.total_incl_cents)
    if prepaid:
        w.money(totals, "PrepaidAmount", prepaid)
    w.money(totals, "PayableAmount", payable)

    for line in document.lines:
        quantity, price = line.quantity, sign * line.unit_price_cents
        if price < 0:
            # A price is never negative (BR-27): a line that takes money off counts negative.
            quantity, price = -quantity, -price
        element = w.cac(root, "CreditNoteLine" if credit else "InvoiceLine")
        w.cbc(element, "ID", str(line.position))
        w.cbc(
            element, "CreditedQuantity" if credit else "InvoicedQuantity", quantity, unitCode=UNIT
        )
        w.money(element, "LineExtensionAmount", sign * line.amount_excl_cents)
        item = w.cac(element, "Item")
        w.cbc(item, "Name", _text(line.description) or document.programme_title or "-")
        _tax_category(w, item, "ClassifiedTaxCategory", line.vat_rate_bp, None)
        w.money(w.cac(element, "Price"), "PriceAmount", price)

    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


# --- files -----------------------------------------------------------------------------------


def filename(document: Invoice) -> str:
    """ "factuur-2026-0001.xml": the PDF's name with .xml."""
    with force_locale(document.locale):
        if document.is_credit_note:
            return str(_l("credit-note-%(number)s.xml", number=document.number))
        return str(_l("invoice-%(number)s.xml", number=document.number))


def ubl_attachment(document_id: int) -> tuple[str, str, bytes]:
    """The e-invoice of an invoice or credit note, for a mail that is being sent."""
    document = db.session.get(Invoice, document_id)
    if document is None:
        raise LookupError(f"invoice {document_id} is gone")
    return filename(document), "application/xml", build(document)


def zip_of(documents: Iterable[Invoice]) -> tuple[bytes, int, list[str]]:
    """A zip with the e-invoice of every document that can be one; returns the zip, how many
    it holds, and a line for each document left out (also written into the zip)."""
    buffer = io.BytesIO()
    count, left_out = 0, []
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for document in documents:
            try:
                data = build(document)
            except EInvoiceUnavailable as exc:
                left_out.append(exc.message)
                continue
            archive.writestr(filename(document), data)
            count += 1
        if left_out:
            archive.writestr(str(_l("left-out.txt")), "\n".join(left_out) + "\n")
    return buffer.getvalue(), count, left_out
