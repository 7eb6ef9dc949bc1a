"""Invoice and credit-note PDFs, checked by their text (pdftotext) and page size."""

from __future__ import annotations

from datetime import timedelta

from tests.invoicing.conftest import BILLING, NOW, pdf_info, pdf_text
from werklab.invoicing import services
from werklab.registration.signup import BillingDetails


def test_the_invoice_shows_seller_buyer_reference_vat_and_how_to_pay(app, cop, invoiced):
    _, invoice = invoiced(cop, first_name="Fatima", last_name="El Amrani")
    data = services.document_pdf(invoice)

    info = pdf_info(data)
    assert "A4" in info["Page size"]
    assert info["Pages"] == "1"
    content = pdf_text(data)
    # Seller, from the configuration.
    for part in ("Stichting werklab", "Voorbeeldstraat 1", "1234 AB Utrecht", "KvK 12345678"):
        assert part in content
    assert "Btw-nummer NL123456782B01" in content
    # Buyer, with the reference and the VAT number.
    for part in ("Gemeente Arnhem", "Afdeling Financiën", "Postbus 9200", "6800 HA Arnhem"):
        assert part in content
    assert "Btw-nummer NL112233442B01" in content
    assert "Inkoopordernummer / referentie PO-4500123" in content
    assert "Deelnemer Fatima El Amrani" in content
    # Number and dates.
    assert "Factuur 2026-0001" in content
    assert "Factuurnummer 2026-0001" in content
    assert "Factuurdatum 2 maart 2026" in content
    assert "Vervaldatum 1 april 2026" in content
    # The line, the VAT and the totals.
    assert "Deelname CoP Gelderland 1 € 750,00 21% € 750,00" in content
    assert "Subtotaal (excl. btw) € 750,00" in content
    assert "Btw 21% over € 750,00 € 157,50" in content
    assert "Totaal (incl. btw) € 907,50" in content
    assert app.config["VAT_EXEMPT_NOTE"] not in content
    # How to pay.
    assert (
        "Wil je € 907,50 vóór 1 april 2026 overmaken naar IBAN NL91ABNA0417164300 ten name "
        "van Stichting werklab, onder vermelding van factuurnummer 2026-0001?"
    ) in content


def test_a_programme_without_vat_shows_the_exemption_note(app, factories, invoiced):
    programme = factories.programme(now=NOW, title="LG Zwolle", fee_cents=60000, vat_rate_bp=0)
    _, invoice = invoiced(
        programme, billing=BillingDetails(**{**BILLING.__dict__, "vat_number": None})
    )
    content = pdf_text(services.document_pdf(invoice))
    assert "Btw 0% over € 600,00 € 0,00" in content
    assert "Totaal (incl. btw) € 600,00" in content
    assert app.config["VAT_EXEMPT_NOTE"] in content
    assert "Vrijgesteld van btw" in content
    assert "NL112233442B01" not in content  # no buyer VAT number given


def test_a_rate_with_a_fraction_is_printed_with_a_comma(factories, invoiced):
    programme = factories.programme(now=NOW, fee_cents=1250, vat_rate_bp=1050)
    _, invoice = invoiced(programme)
    content = pdf_text(services.document_pdf(invoice))
    assert "Btw 10,5% over € 12,50 € 1,31" in content


def test_the_credit_note_mirrors_the_invoice_and_names_it(cop, invoiced):
    registration, invoice = invoiced(cop)
    note = services.credit_registration(
        registration, reason="programme_cancelled", now=NOW + timedelta(days=3)
    )
    content = pdf_text(services.document_pdf(note))
    assert "Creditnota 2026-0002" in content
    assert "Creditnotanummer 2026-0002" in content
    assert "Datum 5 maart 2026" in content
    assert "Crediteert factuur 2026-0001 van 2 maart 2026" in content
    assert "Reden Het traject gaat niet door" in content
    assert "Inkoopordernummer / referentie PO-4500123" in content
    assert "Deelname CoP Gelderland 1 € -750,00 21% € -750,00" in content
    assert "Btw 21% over € -750,00 € -157,50" in content
    assert "Totaal (incl. btw) € -907,50" in content
    assert (
        "Deze creditnota vervangt factuur 2026-0001: die hoef je niet meer te betalen." in content
    )
    assert "Vervaldatum" not in content
    # The invoice itself still reads as it was issued.
    assert "Factuur 2026-0001" in pdf_text(services.document_pdf(invoice))


def test_what_a_person_typed_appears_as_text(factories, cop, invoiced):
    typed = BillingDetails(
        organisation='<b>Stichting "Samen & Sterk"</b>',
        address='<img src="file:///etc/passwd">\n<link rel=stylesheet href="http://example.com/x.css">',
        email="financien@samen.example",
        reference="<script>alert(1)</script>",
    )
    _, invoice = invoiced(cop, billing=typed, first_name="<i>Piet</i>")
    content = pdf_text(services.document_pdf(invoice))
    assert '<b>Stichting "Samen & Sterk"</b>' in content
    assert '<img src="file:///etc/passwd">' in content
    assert "<script>alert(1)</script>" in content
    assert "<i>Piet</i>" in content


def test_an_english_invoice_is_in_english(cop, invoiced):
    _, invoice = invoiced(cop, locale="en")
    content = pdf_text(services.document_pdf(invoice))
    assert "Invoice 2026-0001" in content
    assert "Purchase order / reference PO-4500123" in content
    assert "VAT 21% of €750.00 €157.50" in content
    assert "Due date 1 April 2026" in content
