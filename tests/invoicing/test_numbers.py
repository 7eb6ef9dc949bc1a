"""The numbers an e-invoice carries, checked with python-stdnum, with Dutch messages; the
buyer details built from them; and the seller settings checked at start-up."""

from __future__ import annotations

import re

import pytest

from tests.invoicing.conftest import BILLING, NOW
from werklab import create_app, numbers
from werklab.errors import ValidationError
from werklab.invoicing import services
from werklab.invoicing.buyer import clean_buyer
from werklab.invoicing.services import BillingDetails
from werklab.invoicing.settings import seller_problems


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("12345678", ("0106", "12345678")),
        (" 1234 5678 ", ("0106", "12345678")),
        ("0000 0001 0012 3456 7000", ("0190", "00000001001234567000")),
        ("00000001.001234567.000", ("0190", "00000001001234567000")),
    ],
)
def test_a_kvk_number_or_oin_is_told_apart_by_its_length(app, typed, expected):
    assert numbers.legal_id(typed) == expected


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("1234567", "Vul een KvK-nummer (8 cijfers) of een OIN (20 cijfers"),
        ("1234567A", "Vul een KvK-nummer (8 cijfers) of een OIN (20 cijfers"),
        ("0" * 20, "Een OIN heeft 20 cijfers"),
        ("123456789012345678901", "Vul een KvK-nummer (8 cijfers) of een OIN"),
    ],
)
def test_a_wrong_kvk_number_or_oin_is_refused_in_dutch(app, typed, message):
    with pytest.raises(numbers.NumberError, match=re.escape(message)):
        numbers.legal_id(typed)


def test_vat_numbers_are_checked_with_their_check_digits(app):
    assert numbers.vat_number("nl 1234.56.782 b01") == "NL123456782B01"
    assert numbers.vat_number("BE 0403.170.701") == "BE0403170701"
    with pytest.raises(numbers.NumberError, match="Dit btw-nummer klopt niet"):
        numbers.vat_number("NL123456789B01")  # 11-proof fails
    with pytest.raises(numbers.NumberError, match="Dit btw-nummer klopt niet"):
        numbers.vat_number("XX123456789")
    with pytest.raises(numbers.NumberError, match="te veel of te weinig tekens"):
        numbers.vat_number("DE12345")


def test_ibans_are_checked_with_their_check_number(app):
    assert numbers.iban("nl91 abna 0417 1643 00") == "NL91ABNA0417164300"
    with pytest.raises(numbers.NumberError, match="Dit IBAN klopt niet"):
        numbers.iban("NL00BANK0123456789")


def test_dutch_postcodes(app):
    assert numbers.postcode("6811gv") == "6811 GV"
    assert numbers.postcode("B-1000", "BE") == "B-1000"
    with pytest.raises(numbers.NumberError, match="ziet eruit als 1234 AB"):
        numbers.postcode("0123 AB")


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("0190:00000001001234567000", "0190:00000001001234567000"),
        ("0106:1234 5678", "0106:12345678"),
        ("9944:NL123456782B01", "9944:NL123456782B01"),
        ("0088:8712345678906", "0088:8712345678906"),
    ],
)
def test_peppol_ids(app, typed, expected):
    assert str(numbers.peppol_id(typed)) == expected


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("00000001001234567000", "Een Peppol-ID begint met 0190"),
        ("0208:0403170701", "Een Peppol-ID begint met 0190"),
        ("0106:123", "Een KvK-nummer heeft 8 cijfers"),
        ("0088:8712345678900", "GLN"),
    ],
)
def test_wrong_peppol_ids_are_refused(app, typed, message):
    with pytest.raises(numbers.NumberError, match=message):
        numbers.peppol_id(typed)


def test_buyer_details_need_a_reference_or_an_order_number(app):
    with pytest.raises(ValidationError, match="referentie of het inkoopordernummer"):
        clean_buyer(reference=" ", order_number="")
    assert clean_buyer(order_number=" 4500 123 ").order_number == "4500 123"
    assert clean_buyer(reference="AFD-17").reference == "AFD-17"


def test_an_e_invoice_needs_the_address_in_parts_and_a_dutch_buyers_legal_id(app):
    with pytest.raises(ValidationError, match="straat en het huisnummer"):
        clean_buyer(reference="R", e_invoice=True)
    with pytest.raises(ValidationError, match="KvK-nummer"):
        clean_buyer(
            reference="R", street="Markt 1", postcode="6811 GV", city="Arnhem", e_invoice=True
        )
    buyer = clean_buyer(
        reference="R",
        street="Rue Neuve 1",
        postcode="1000",
        city="Brussel",
        country="be",
        e_invoice=True,
    )
    assert (buyer.country, buyer.legal_id) == ("BE", "")
    assert buyer.printed_address() == "Rue Neuve 1\n1000 Brussel\nBelgië"


@pytest.mark.parametrize("field", ["street", "city", "reference", "order_number", "legal_id"])
@pytest.mark.parametrize("bad", ["a\nb", "a\x07b", "a\tb"])
def test_single_line_buyer_fields_refuse_line_breaks_and_control_characters(app, field, bad):
    values = {"reference": "R", "street": "Markt 1", "postcode": "6811 GV", "city": "Arnhem"}
    values[field] = bad
    with pytest.raises(ValidationError, match="één regel|tekens"):
        clean_buyer(**values)


def test_billing_details_with_the_address_in_parts_are_stored_for_the_e_invoice(factories, cop):
    registration = factories.registration(cop, now=NOW)
    services.save_billing(
        registration,
        BillingDetails(
            organisation="Gemeente Arnhem",
            address="",
            email="crediteuren@arnhem.example",
            reference="",
            order_number="4500123",
            street=" Korenmarkt  1 ",
            postcode="6811gv",
            city="Arnhem",
            legal_id="0000 0001 0012 3456 7000",
            peppol_id="0190:00000001001234567000",
            e_invoice=True,
        ),
        now=NOW,
    )
    row = services.billing_for(registration)
    assert row.address == "Korenmarkt 1\n6811 GV Arnhem"
    assert (row.street, row.postcode, row.city, row.country) == (
        "Korenmarkt 1",
        "6811 GV",
        "Arnhem",
        "NL",
    )
    assert (row.legal_scheme, row.legal_id) == ("0190", "00000001001234567000")
    assert row.peppol_id == "0190:00000001001234567000"
    assert (row.reference, row.order_number, row.e_invoice) == ("", "4500123", True)


def test_wrong_numbers_in_billing_details_store_nothing(factories, cop):
    registration = factories.registration(cop, now=NOW)
    wrong = BillingDetails(**{**BILLING.__dict__, "legal_id": "1234"})
    with pytest.raises(ValidationError, match="KvK-nummer"):
        services.save_billing(registration, wrong, now=NOW)
    assert services.billing_for(registration) is None


def test_the_default_seller_settings_are_valid(app):
    assert seller_problems(app.config) == []


def test_wrong_seller_settings_are_named(app):
    problems = seller_problems(
        {
            **app.config,
            "SELLER_IBAN": "NL00BANK0123456789",
            "SELLER_VAT_NUMBER": "NL000000000B01",
            "SELLER_KVK": "1234",
            "SELLER_PEPPOL_ID": "12345678",
            "SELLER_STREET": "",
            "EINVOICE_PROFILE": "xrechnung",
        }
    )
    assert [problem.split(":")[0].split(" ")[0] for problem in problems] == [
        "EINVOICE_PROFILE",
        "SELLER_KVK",
        "SELLER_VAT_NUMBER",
        "SELLER_IBAN",
        "SELLER_PEPPOL_ID",
        "SELLER_STREET",
    ]


def test_production_refuses_to_start_with_an_invalid_iban(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    with pytest.raises(RuntimeError, match="SELLER_IBAN"):
        create_app("production", SECRET_KEY="x" * 40, SELLER_IBAN="NL00BANK0123456789", DEBUG=False)
