"""E-invoices (UBL) for the coordinator: beside the PDF on the invoice page, in a zip per
period; in the invoice mail when the buyer asked for it; in the CSV export."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date

from tests.conftest import outbox
from tests.invoicing.conftest import NOW, text
from tests.invoicing.test_services import sent_attachments
from tests.invoicing.test_ubl import E_BILLING, parse
from werklab.extensions import db
from werklab.invoicing import services, ubl


def test_the_invoice_page_offers_the_e_invoice_beside_the_pdf(admin, cop, invoiced):
    _, invoice = invoiced(cop, billing=E_BILLING)
    db.session.commit()
    page = text(admin.get(f"/beheer/facturen/{invoice.id}"))
    assert f'href="/beheer/facturen/{invoice.id}/pdf"' in page
    assert f'href="/beheer/facturen/{invoice.id}/ubl">E-factuur (UBL) downloaden' in page
    assert "Met de pdf als e-factuur (UBL) naar de koper gestuurd." in page
    assert "00000001001234567000" in page  # the OIN

    response = admin.get(f"/beheer/facturen/{invoice.id}/ubl")
    assert response.status_code == 200
    assert response.mimetype == "application/xml"
    assert response.headers["Content-Disposition"] == 'attachment; filename="factuur-2026-0001.xml"'
    assert response.headers["Cache-Control"] == "no-store"
    assert response.data == ubl.build(invoice)
    assert parse(response.data).findtext(f"{{{ubl.NS_CBC}}}ID") == "2026-0001"


def test_a_document_that_cannot_be_an_e_invoice_says_what_it_lacks(admin, cop, invoiced):
    _, invoice = invoiced(cop)  # billing details without KvK number or OIN
    db.session.commit()
    page = text(admin.get(f"/beheer/facturen/{invoice.id}"))
    assert "E-factuur (UBL) downloaden" not in page
    assert (
        "Van dit document kan geen e-factuur (UBL) worden gemaakt: het adres van de koper in "
        "delen (straat, postcode, plaats), het KvK-nummer of OIN van de koper ontbreekt."
    ) in page

    response = admin.get(f"/beheer/facturen/{invoice.id}/ubl")
    assert response.status_code == 302
    page = text(admin.get(response.headers["Location"]))
    assert "2026-0001 kan geen e-factuur worden" in page


def test_the_zip_of_a_period_holds_its_e_invoices_and_names_what_it_left_out(
    admin, factories, cop, invoiced
):
    registration, invoice = invoiced(cop, billing=E_BILLING)
    note = services.credit_registration(registration, reason="cancelled", now=NOW)
    _, plain = invoiced(cop)
    _, later = invoiced(cop, billing=E_BILLING)
    later.issue_date = date(2026, 4, 2)
    db.session.commit()

    response = admin.get("/beheer/facturen/e-facturen.zip?van=2026-03-01&tot=2026-03-31")

    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="e-facturen-2026-03-01-2026-03-31.zip"'
    )
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    assert sorted(archive.namelist()) == [
        "creditnota-2026-0002.xml",
        "factuur-2026-0001.xml",
        "niet-opgenomen.txt",
    ]
    assert archive.read("factuur-2026-0001.xml") == ubl.build(invoice)
    assert archive.read("creditnota-2026-0002.xml") == ubl.build(note)
    left_out = archive.read("niet-opgenomen.txt").decode()
    assert f"{plain.number} kan geen e-factuur worden" in left_out
    assert later.number not in left_out


def test_an_impossible_period_is_explained(admin):
    response = admin.get("/beheer/facturen/e-facturen.zip?van=2026-03-31&tot=2026-03-01")
    assert response.status_code == 302
    assert "De laatste dag kan niet vóór de eerste dag liggen." in text(
        admin.get(response.headers["Location"])
    )
    response = admin.get("/beheer/facturen/e-facturen.zip?van=gisteren&tot=2026-03-01")
    assert "Vul een datum in" in text(admin.get(response.headers["Location"]))


def test_the_list_offers_the_zip_for_the_month_so_far(admin):
    page = text(admin.get("/beheer/facturen"))
    assert 'action="/beheer/facturen/e-facturen.zip"' in page
    assert "E-facturen (UBL) van een periode" in page


def test_the_invoice_mail_carries_the_e_invoice_when_the_buyer_asked(cop, invoiced):
    _, invoice = invoiced(cop, billing=E_BILLING)
    registration, credited = invoiced(cop, billing=E_BILLING)
    note = services.credit_registration(registration, reason="cancelled", now=NOW)
    _, plain = invoiced(cop)
    mails = {mail.to_addr + mail.subject: mail for mail in outbox()}
    by_number = {}
    for mail in outbox():
        for number in (invoice.number, note.number, plain.number):
            if number in mail.subject:
                by_number[number] = mail
    assert mails
    pdf, xml = sent_attachments(by_number[invoice.number])
    assert pdf.get_filename() == "factuur-2026-0001.pdf"
    assert (xml.get_filename(), xml.get_content_type()) == (
        "factuur-2026-0001.xml",
        "application/xml",
    )
    assert xml.get_content() == ubl.build(invoice)
    _, note_xml = sent_attachments(by_number[note.number])
    assert note_xml.get_filename() == f"creditnota-{note.number}.xml"
    assert note.sent_as_ubl and invoice.sent_as_ubl
    [only_pdf] = sent_attachments(by_number[plain.number])
    assert only_pdf.get_filename().endswith(".pdf")
    assert not plain.sent_as_ubl


def test_the_csv_says_which_documents_were_sent_as_e_invoices(admin, cop, invoiced):
    _, invoice = invoiced(cop, billing=E_BILLING)
    _, plain = invoiced(cop)
    db.session.commit()
    response = admin.get("/beheer/facturen/export.csv")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))
    by_number = {row[0]: row for row in rows[1 : rows.index([])]}  # then the VAT totals
    assert by_number[invoice.number][-2:] == ["4500123", "ja"]
    assert by_number[invoice.number][6] == "AFD-SOC-17"
    assert by_number[plain.number][-1] == "nee"


def test_a_period_without_documents_says_so(admin, cop, invoiced):
    invoiced(cop, billing=E_BILLING)
    db.session.commit()
    response = admin.get("/beheer/facturen/e-facturen.zip?van=2020-01-01&tot=2020-01-31")
    assert response.status_code == 302
    page = text(admin.get(response.headers["Location"]))
    assert "In deze periode is geen factuur of creditnota uitgegeven." in page


def test_without_complete_seller_settings_the_mail_goes_with_the_pdf_only(app, cop, invoiced):
    app.config["SELLER_STREET"] = ""
    try:
        _, invoice = invoiced(cop, billing=E_BILLING)
    finally:
        app.config["SELLER_STREET"] = "Voorbeeldstraat 1"
    assert not invoice.sent_as_ubl
    [mail] = outbox("invoicing.invoice")
    [only_pdf] = sent_attachments(mail)
    assert only_pdf.get_filename() == "factuur-2026-0001.pdf"
