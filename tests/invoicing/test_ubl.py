"""E-invoices (UBL 2.1, NLCIUS / Peppol BIS 3) of every kind of stored document.

Each test checks the XML against the stored document it is made of (one source: the totals
cannot differ), the arithmetic (line totals, VAT per rate rounded to cents, totals) and the
fields a Dutch government buyer requires. With WERKLAB_UBL_OUT set, every document made here
is also written to that folder, for the official validator that .ci/run runs over them.
"""

from __future__ import annotations

import os
import re
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from tests.invoicing.conftest import NOW
from werklab.extensions import db
from werklab.intake import services as intake
from werklab.intake.services import Acceptance, IntakeData, QuoteData
from werklab.invoicing import documents, services, ubl
from werklab.invoicing.models import Invoice, InvoiceLine, InvoiceStatus, vat_of
from werklab.invoicing.services import BillingDetails

NS = {
    "inv": ubl.NS_INVOICE,
    "cn": ubl.NS_CREDIT_NOTE,
    "cac": ubl.NS_CAC,
    "cbc": ubl.NS_CBC,
}
OIN_ARNHEM = "00000001001234567000"

#: Billing details of a government buyer that asked for e-invoices.
E_BILLING = BillingDetails(
    organisation="Gemeente Arnhem",
    address="",
    email="crediteuren@arnhem.example",
    reference="AFD-SOC-17",
    vat_number="NL112233442B01",
    street="Korenmarkt 1",
    postcode="6811gv",
    city="Arnhem",
    legal_id="0000 0001 0012 3456 7000",
    order_number="4500123",
    e_invoice=True,
)


def write_out(name: str, data: bytes) -> None:
    """Keep the document for the official validator when WERKLAB_UBL_OUT names a folder."""
    folder = os.environ.get("WERKLAB_UBL_OUT")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        (Path(folder) / f"{name}.xml").write_bytes(data)


def parse(data: bytes):
    assert data.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    return etree.fromstring(data)


def one(root, path: str) -> str:
    [value] = root.xpath(path, namespaces=NS)
    return value.text if hasattr(value, "text") else str(value)


def cents(text: str) -> int:
    assert re.fullmatch(r"-?\d+\.\d\d", text), text
    return int(Decimal(text) * 100)


def check_arithmetic(root, document: Invoice) -> None:
    """Line totals, VAT per rate rounded to cents, and the totals, against the stored row."""
    line_tag = "CreditNoteLine" if document.is_credit_note else "InvoiceLine"
    quantity_tag = "CreditedQuantity" if document.is_credit_note else "InvoicedQuantity"
    sign = -1 if document.is_credit_note else 1
    lines = root.xpath(f"cac:{line_tag}", namespaces=NS)
    assert len(lines) == len(document.lines)
    net_sum = 0
    for element, line in zip(lines, document.lines, strict=True):
        quantity = int(one(element, f"cbc:{quantity_tag}"))
        price = cents(one(element, "cac:Price/cbc:PriceAmount"))
        net = cents(one(element, "cbc:LineExtensionAmount"))
        assert price >= 0  # BR-27
        assert net == quantity * price == sign * line.amount_excl_cents
        assert one(element, "cbc:*[@unitCode]/@unitCode") == "C62"
        net_sum += net

    totals = "cac:LegalMonetaryTotal/cbc:"
    assert cents(one(root, totals + "LineExtensionAmount")) == net_sum  # BR-CO-10
    assert net_sum == sign * document.total_excl_cents
    assert cents(one(root, totals + "TaxExclusiveAmount")) == net_sum  # BR-CO-13
    tax = cents(one(root, "cac:TaxTotal/cbc:TaxAmount"))
    assert tax == sign * document.vat_cents
    subtotals = root.xpath("cac:TaxTotal/cac:TaxSubtotal", namespaces=NS)
    assert subtotals, "one VAT breakdown per rate"
    assert sum(cents(one(s, "cbc:TaxAmount")) for s in subtotals) == tax  # BR-CO-14
    for subtotal in subtotals:
        rate = Decimal(one(subtotal, "cac:TaxCategory/cbc:Percent"))
        taxable = cents(one(subtotal, "cbc:TaxableAmount"))
        rate_bp = int(rate * 100)
        matching = [
            sign * line.amount_excl_cents for line in document.lines if line.vat_rate_bp == rate_bp
        ]
        assert taxable == sum(matching)  # BR-S-08 / BR-E-08
        assert cents(one(subtotal, "cbc:TaxAmount")) == vat_of(taxable, rate_bp)  # BR-CO-17
    incl = cents(one(root, totals + "TaxInclusiveAmount"))
    assert incl == net_sum + tax == sign * document.total_incl_cents  # BR-CO-15
    prepaid = root.xpath(totals + "PrepaidAmount", namespaces=NS)
    paid = cents(prepaid[0].text) if prepaid else 0
    assert cents(one(root, totals + "PayableAmount")) == incl - paid  # BR-CO-16
    currencies = set(root.xpath("//@currencyID", namespaces=NS))
    assert currencies == {"EUR"}
    assert not [e for e in root.iter() if len(e) == 0 and not (e.text or "").strip()]


def check_parties(root, document: Invoice) -> None:
    """What NLCIUS asks of seller and buyer (BR-NL-1, -3, -4, -10, BR-S-02, BR-CO-09)."""
    seller = "cac:AccountingSupplierParty/cac:Party/"
    assert one(root, seller + "cac:PartyLegalEntity/cbc:CompanyID/@schemeID") == "0106"
    assert one(root, seller + "cac:PartyLegalEntity/cbc:CompanyID") == "12345678"
    assert one(root, seller + "cac:PartyTaxScheme/cbc:CompanyID") == "NL123456782B01"
    assert one(root, seller + "cac:PostalAddress/cbc:StreetName") == "Voorbeeldstraat 1"
    assert one(root, seller + "cac:PostalAddress/cbc:CityName") == "Utrecht"
    assert one(root, seller + "cac:PostalAddress/cbc:PostalZone") == "1234 AB"
    assert one(root, seller + "cac:PostalAddress/cac:Country/cbc:IdentificationCode") == "NL"
    assert one(root, seller + "cbc:EndpointID/@schemeID") == "0106"
    buyer = "cac:AccountingCustomerParty/cac:Party/"
    assert one(root, buyer + "cac:PartyLegalEntity/cbc:RegistrationName") == (
        document.buyer_organisation
    )
    assert one(root, buyer + "cac:PartyLegalEntity/cbc:CompanyID") == document.buyer_legal_id
    assert one(root, buyer + "cac:PartyLegalEntity/cbc:CompanyID/@schemeID") == (
        document.buyer_legal_scheme
    )
    assert one(root, buyer + "cac:PostalAddress/cbc:StreetName") == document.buyer_street
    assert one(root, buyer + "cac:PostalAddress/cbc:CityName") == document.buyer_city
    assert one(root, buyer + "cac:PostalAddress/cbc:PostalZone") == document.buyer_postcode
    assert root.xpath("cbc:BuyerReference | cac:OrderReference/cbc:ID", namespaces=NS)


@pytest.fixture
def e_invoiced(factories, invoiced):
    def make(programme, *, billing: BillingDetails = E_BILLING, **person):
        return invoiced(programme, billing=billing, **person)

    return make


def test_a_21_percent_seat_invoice(app, cop, e_invoiced):
    _, invoice = e_invoiced(cop, first_name="Fatima", last_name="El Amrani")
    data = ubl.build(invoice)
    write_out("standard-21", data)
    root = parse(data)

    assert root.tag == f"{{{ubl.NS_INVOICE}}}Invoice"
    assert one(root, "cbc:CustomizationID") == (
        "urn:cen.eu:en16931:2017#compliant#urn:fdc:nen.nl:nlcius:v1.0"
    )
    assert one(root, "cbc:ID") == invoice.number == "2026-0001"
    assert one(root, "cbc:IssueDate") == "2026-03-02"
    assert one(root, "cbc:DueDate") == "2026-04-01"
    assert one(root, "cbc:InvoiceTypeCode") == "380"
    assert one(root, "cbc:DocumentCurrencyCode") == "EUR"
    assert one(root, "cbc:BuyerReference") == "AFD-SOC-17"
    assert one(root, "cac:OrderReference/cbc:ID") == "4500123"
    assert "Fatima El Amrani" in one(root, "cbc:Note")
    check_parties(root, invoice)
    buyer = "cac:AccountingCustomerParty/cac:Party/"
    assert one(root, buyer + "cac:PartyLegalEntity/cbc:CompanyID") == OIN_ARNHEM
    assert one(root, buyer + "cac:PartyLegalEntity/cbc:CompanyID/@schemeID") == "0190"
    assert one(root, buyer + "cac:PostalAddress/cbc:PostalZone") == "6811 GV"
    assert one(root, buyer + "cac:PartyTaxScheme/cbc:CompanyID") == "NL112233442B01"
    # Without a Peppol ID, the OIN is the endpoint (the usual one of a Dutch government).
    assert one(root, buyer + "cbc:EndpointID") == OIN_ARNHEM
    assert one(root, buyer + "cbc:EndpointID/@schemeID") == "0190"
    # Payment by SEPA credit transfer to the seller's IBAN, quoting the invoice number.
    assert one(root, "cac:PaymentMeans/cbc:PaymentMeansCode") == "58"
    assert one(root, "cac:PaymentMeans/cbc:PaymentID") == "2026-0001"
    assert one(root, "cac:PaymentMeans/cac:PayeeFinancialAccount/cbc:ID") == "NL91ABNA0417164300"
    check_arithmetic(root, invoice)
    assert one(root, "cac:TaxTotal/cbc:TaxAmount") == "157.50"
    assert one(root, "cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory/cbc:ID") == "S"
    assert one(root, "cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory/cbc:Percent") == "21"
    assert one(root, "cac:LegalMonetaryTotal/cbc:PayableAmount") == "907.50"
    assert one(root, "cac:InvoiceLine/cac:Item/cbc:Name") == "Deelname CoP Gelderland"


def test_a_9_percent_invoice_rounds_the_vat_to_cents(factories, e_invoiced):
    programme = factories.programme(now=NOW, title="LG Twente", fee_cents=12345, vat_rate_bp=900)
    _, invoice = e_invoiced(programme)
    data = ubl.build(invoice)
    write_out("rate-9", data)
    root = parse(data)
    check_arithmetic(root, invoice)
    check_parties(root, invoice)
    # 9% of 123.45 = 11.1105: 11.11.
    assert one(root, "cac:TaxTotal/cbc:TaxAmount") == "11.11"
    assert one(root, "cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory/cbc:Percent") == "9"
    assert one(root, "cac:LegalMonetaryTotal/cbc:PayableAmount") == "134.56"


def test_a_0_percent_invoice_is_exempt_with_the_legal_note(app, factories, e_invoiced):
    programme = factories.programme(now=NOW, title="Werklab Ede", fee_cents=50000, vat_rate_bp=0)
    _, invoice = e_invoiced(programme)
    data = ubl.build(invoice)
    write_out("exempt-0", data)
    root = parse(data)
    check_arithmetic(root, invoice)
    category = "cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory/"
    assert one(root, category + "cbc:ID") == "E"
    assert one(root, category + "cbc:Percent") == "0"
    assert one(root, category + "cbc:TaxExemptionReason") == app.config["VAT_EXEMPT_NOTE"]
    assert one(root, "cac:InvoiceLine/cac:Item/cac:ClassifiedTaxCategory/cbc:ID") == "E"
    assert one(root, "cac:TaxTotal/cbc:TaxAmount") == "0.00"
    assert one(root, "cac:LegalMonetaryTotal/cbc:PayableAmount") == "500.00"


def test_a_credit_note_references_its_invoice_with_positive_amounts(factories, cop, e_invoiced):
    registration, invoice = e_invoiced(cop)
    note = services.credit_registration(registration, reason="cancelled", now=NOW)
    data = ubl.build(note)
    write_out("credit-note", data)
    root = parse(data)

    assert root.tag == f"{{{ubl.NS_CREDIT_NOTE}}}CreditNote"
    assert one(root, "cbc:ID") == note.number == "2026-0002"
    assert one(root, "cbc:CreditNoteTypeCode") == "381"
    reference = "cac:BillingReference/cac:InvoiceDocumentReference/"
    assert one(root, reference + "cbc:ID") == invoice.number
    assert not root.xpath(reference + "cbc:IssueDate", namespaces=NS)  # BR-NL-24
    assert one(root, "cbc:BuyerReference") == "AFD-SOC-17"
    assert one(root, "cac:OrderReference/cbc:ID") == "4500123"
    assert "Inschrijving geannuleerd" in root.xpath("cbc:Note", namespaces=NS)[-1].text
    # Nothing to pay to the seller: no payment means, but terms that say why.
    assert not root.xpath("cac:PaymentMeans", namespaces=NS)
    assert invoice.number in one(root, "cac:PaymentTerms/cbc:Note")
    check_parties(root, note)
    check_arithmetic(root, note)
    assert note.total_incl_cents == -90750
    assert one(root, "cac:LegalMonetaryTotal/cbc:PayableAmount") == "907.50"
    assert one(root, "cac:CreditNoteLine/cbc:CreditedQuantity") == "1"


def accepted_quote_invoice(lines, *, municipality="Arnhem", **acceptance):
    """The invoice made when a municipality accepts a quote with these lines (the real flow:
    intake request, quote, acceptance)."""
    booking = intake.submit_request(
        IntakeData(
            municipality=municipality,
            contact_name="Fatima el Amrani",
            contact_role="Programmamanager",
            contact_email="f.elamrani@arnhem.nl",
            contact_phone="026 377 1234",
            expected_participants=14,
            policy_areas=["social"],
            question="Samenwerken met bewonersinitiatieven.",
        ),
        now=NOW,
    )
    quote = intake.save_quote(
        booking, QuoteData(lines, 2100, date(2026, 3, 31)), actor="test", now=NOW
    )
    intake.send_quote(quote, actor="test", now=NOW)
    values = dict(
        name="Fatima el Amrani",
        role="Programmamanager",
        purchase_reference="4500999",
        billing_address="",
        billing_email="crediteuren@arnhem.nl",
        agree_terms=True,
        buyer_reference="",
        street="Korenmarkt 1",
        postcode="6811 GV",
        city="Arnhem",
        legal_id=OIN_ARNHEM,
        e_invoice=True,
    )
    values.update(acceptance)
    intake.accept_quote(quote, Acceptance(**values), now=NOW)
    db.session.flush()
    return quote, db.session.get(Invoice, quote.invoice_id)


def test_a_quote_invoice_carries_the_municipality_oin_and_order_number(app):
    quote, invoice = accepted_quote_invoice([("Werklab Arnhem, drie bijeenkomsten", 650000)])
    data = ubl.build(invoice)
    write_out("quote", data)
    root = parse(data)
    check_parties(root, invoice)
    check_arithmetic(root, invoice)
    assert one(root, "cac:OrderReference/cbc:ID") == "4500999"
    assert not root.xpath("cbc:BuyerReference", namespaces=NS)
    buyer = "cac:AccountingCustomerParty/cac:Party/"
    assert one(root, buyer + "cac:PartyLegalEntity/cbc:RegistrationName") == "Gemeente Arnhem"
    assert one(root, buyer + "cac:PartyLegalEntity/cbc:CompanyID") == OIN_ARNHEM
    assert one(root, "cac:LegalMonetaryTotal/cbc:PayableAmount") == "7865.00"
    assert quote.buyer_legal_id == OIN_ARNHEM and quote.e_invoice
    assert invoice.sent_as_ubl


def test_a_multi_line_quote_takes_the_vat_per_rate_on_the_total():
    # Per line, 21% of 1.02 would round to 0.21 three times (0.63); on the total (3.06) it is
    # 0.6426: 0.64. The quote, the invoice, its PDF and its e-invoice all say 0.64.
    lines = [
        ("Intake en voorbereiding", 102),
        ("Drie bijeenkomsten met twee begeleiders", 102),
        ("Reiskosten & parkeren <Arnhem-Zuid>", 102),
        ("Lunch, koffie & thee", 450000),
    ]
    quote, invoice = accepted_quote_invoice(lines, buyer_reference="Kenmerk 2026/17")
    data = ubl.build(invoice)
    write_out("quote-multi-line", data)
    root = parse(data)
    check_arithmetic(root, invoice)
    assert invoice.vat_cents == vat_of(450306, 2100) == quote.vat_cents
    assert invoice.total_incl_cents == quote.total_incl_cents
    assert len(root.xpath("cac:InvoiceLine", namespaces=NS)) == 4
    names = root.xpath("cac:InvoiceLine/cac:Item/cbc:Name/text()", namespaces=NS)
    assert names[2] == "Reiskosten & parkeren <Arnhem-Zuid>"
    assert one(root, "cbc:BuyerReference") == "Kenmerk 2026/17"
    assert one(root, "cac:OrderReference/cbc:ID") == "4500999"


LONG_NAME = (
    "Gemeente 's-Hertogenbosch — Afdeling Maatschappelijke Ontwikkeling & Participatie "
    '<Team "Wijken"> Crediteurenadministratie: Zoë, Anaïs & Jürgen (€-budget) Ⅻ 🌳'
)


def test_a_long_buyer_name_with_special_characters_survives_intact(factories, e_invoiced):
    billing = BillingDetails(
        **{
            **E_BILLING.__dict__,
            "organisation": (LONG_NAME + " x" * 100)[:200],
            "street": "Sint-Jansstraat 12 <achteringang> & \"'",
            "city": "'s-Hertogenbosch",
            "postcode": "5211 AA",
            "reference": "Ref. <&> \"2026\" 'ü'",
            "legal_id": "12345678",
        }
    )
    programme = factories.programme(now=NOW, title="CoP Brabant & <Zeeland>", fee_cents=75000)
    _, invoice = e_invoiced(programme, billing=billing, first_name="Zoë", last_name="O'Brien")
    data = ubl.build(invoice)
    write_out("special-characters", data)
    root = parse(data)
    check_parties(root, invoice)
    check_arithmetic(root, invoice)
    buyer = "cac:AccountingCustomerParty/cac:Party/"
    assert len(invoice.buyer_organisation) == 200
    assert one(root, buyer + "cac:PartyLegalEntity/cbc:RegistrationName") == (
        invoice.buyer_organisation
    )
    assert one(root, buyer + "cac:PartyName/cbc:Name").startswith("Gemeente 's-Hertogenbosch —")
    assert one(root, buyer + "cac:PartyLegalEntity/cbc:CompanyID/@schemeID") == "0106"
    assert one(root, "cbc:BuyerReference") == "Ref. <&> \"2026\" 'ü'"
    assert "Zoë O'Brien" in one(root, "cbc:Note")


def test_peppol_bis_3_as_a_setting(app, cop, e_invoiced):
    app.config["EINVOICE_PROFILE"] = "peppol"
    try:
        _, invoice = e_invoiced(cop)
        data = ubl.build(invoice)
    finally:
        app.config["EINVOICE_PROFILE"] = "nlcius"
    write_out("peppol", data)
    root = parse(data)
    assert one(root, "cbc:CustomizationID") == (
        "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
    )
    assert one(root, "cbc:ProfileID") == "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
    assert one(root, "cac:AccountingSupplierParty/cac:Party/cbc:EndpointID") == "12345678"
    assert one(root, "cac:AccountingCustomerParty/cac:Party/cbc:EndpointID") == OIN_ARNHEM
    check_arithmetic(root, invoice)


def test_a_given_peppol_id_is_the_buyer_endpoint(cop, e_invoiced):
    billing = BillingDetails(**{**E_BILLING.__dict__, "peppol_id": "0106:87654321"})
    _, invoice = e_invoiced(cop, billing=billing)
    root = parse(ubl.build(invoice))
    endpoint = "cac:AccountingCustomerParty/cac:Party/cbc:EndpointID"
    assert (one(root, endpoint), one(root, endpoint + "/@schemeID")) == ("87654321", "0106")


def test_an_invoice_paid_online_when_issued_has_nothing_left_to_pay(cop, e_invoiced):
    """The paid invoice of an online payment (issue 11): any stored row paid when issued."""
    _, invoice = e_invoiced(cop)
    invoice.status = InvoiceStatus.PAID
    invoice.paid_on, invoice.paid_at = invoice.issue_date, invoice.created_at
    db.session.flush()
    data = ubl.build(invoice)
    write_out("paid-online", data)
    root = parse(data)
    check_arithmetic(root, invoice)
    assert one(root, "cac:LegalMonetaryTotal/cbc:PrepaidAmount") == "907.50"
    assert one(root, "cac:LegalMonetaryTotal/cbc:PayableAmount") == "0.00"
    assert not root.xpath("cbc:DueDate", namespaces=NS)
    assert "2026-03-02" in one(root, "cac:PaymentTerms/cbc:Note")


def test_an_invoice_paid_later_by_transfer_stays_as_it_was_issued(cop, e_invoiced):
    _, invoice = e_invoiced(cop)
    before = ubl.build(invoice)
    services.mark_paid(invoice, actor="test", now=NOW + timedelta(days=3))
    assert ubl.build(invoice) == before


def test_a_document_without_the_buyer_legal_id_or_address_is_refused(cop, invoiced):
    # BILLING is a free-text address without KvK number or OIN (details from before).
    _, invoice = invoiced(cop)
    assert ubl.missing(invoice) == [
        "het adres van de koper in delen (straat, postcode, plaats)",
        "het KvK-nummer of OIN van de koper",
    ]
    with pytest.raises(ubl.EInvoiceUnavailable, match="2026-0001 kan geen e-factuur worden"):
        ubl.build(invoice)


def test_a_document_issued_before_e_invoicing_is_refused(cop, e_invoiced):
    _, invoice = e_invoiced(cop)
    invoice.seller_street = invoice.seller_postcode = invoice.seller_city = ""
    assert ubl.missing(invoice) == [
        "het adres van de verkoper in delen (uitgegeven vóór e-facturen)"
    ]


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.tuples(
            st.integers(min_value=1, max_value=5),
            st.integers(min_value=0, max_value=2_000_000),
            st.sampled_from([2100, 900, 0]),
        ),
        min_size=1,
        max_size=6,
    )
)
def test_the_arithmetic_holds_for_any_lines(app, lines):
    """Any mix of quantities, prices and rates: the XML adds up and matches the row."""
    invoice = Invoice(
        number="2026-9999",
        issue_date=date(2026, 3, 2),
        due_date=date(2026, 4, 1),
        status=InvoiceStatus.OPEN,
        locale="nl",
        seller_name="Stichting werklab",
        seller_email="facturen@werklab.example",
        seller_kvk="12345678",
        seller_vat_number="NL123456782B01",
        seller_iban="NL91ABNA0417164300",
        seller_street="Voorbeeldstraat 1",
        seller_postcode="1234 AB",
        seller_city="Utrecht",
        seller_country="NL",
        seller_peppol_id="0106:12345678",
        buyer_organisation="Gemeente Arnhem",
        buyer_email="crediteuren@arnhem.example",
        buyer_reference="AFD-SOC-17",
        buyer_order_number="",
        buyer_street="Korenmarkt 1",
        buyer_postcode="6811 GV",
        buyer_city="Arnhem",
        buyer_country="NL",
        buyer_legal_scheme="0190",
        buyer_legal_id=OIN_ARNHEM,
        buyer_peppol_id="",
        buyer_vat_number=None,
        participant_name="",
        vat_exempt_note="Vrijgesteld van btw.",
        lines=[
            InvoiceLine(
                position=i,
                description=f"Regel {i}",
                quantity=quantity,
                unit_price_cents=price,
                vat_rate_bp=rate,
                amount_excl_cents=quantity * price,
                vat_cents=vat_of(quantity * price, rate),
            )
            for i, (quantity, price, rate) in enumerate(lines, start=1)
        ],
    )
    documents._set_totals(invoice)
    root = parse(ubl.build(invoice))
    check_arithmetic(root, invoice)
    assert len(root.xpath("cac:TaxTotal/cac:TaxSubtotal", namespaces=NS)) == len(
        {rate for _, _, rate in lines}
    )
