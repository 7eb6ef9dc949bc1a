"""The coordinator's invoice pages, the CSV export, "mark as paid", and the payer's PDF."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from tests.conftest import csrf_from, tampered
from tests.invoicing.conftest import BILLING, NOW, pdf_text, post, sign_in, text
from werklab.accounts import services as accounts
from werklab.audit import AuditEntry
from werklab.db import utcnow
from werklab.extensions import db
from werklab.invoicing import services
from werklab.invoicing.documents import invoice_links, local_date
from werklab.invoicing.models import Invoice, InvoiceStatus
from werklab.registration.lookup import manage_token
from werklab.registration.models import PaymentMethod
from werklab.registration.signup import BillingDetails


@pytest.fixture
def recent(factories):
    """A programme open for registration now (invoices issued today are not overdue)."""
    return factories.programme(title="CoP Veluwe", fee_cents=75000)


@pytest.fixture
def ledger(factories, cop, recent, invoiced):
    """Invoices in every state: overdue (2 March 2026), credited + its credit note, paid,
    and open (today)."""
    _, overdue = invoiced(cop, first_name="Olga", billing=_billing("Gemeente Ede", "PO-1"))
    credited_reg, credited = invoiced(cop, billing=_billing("Gemeente Epe", "PO-2"))
    note = services.credit_registration(credited_reg, reason="cancelled", now=NOW)
    now = utcnow()
    _, paid = invoiced(recent, now=now, billing=_billing("Gemeente Putten", "PO-3"))
    services.mark_paid(paid, actor="test", now=now)
    _, open_ = invoiced(recent, now=now, billing=_billing("Gemeente Nunspeet", "PO-4"))
    db.session.commit()
    return {"overdue": overdue, "credited": credited, "note": note, "paid": paid, "open": open_}


def _billing(organisation: str, reference: str) -> BillingDetails:
    return BillingDetails(
        **{**BILLING.__dict__, "organisation": organisation, "reference": reference}
    )


def test_the_list_shows_every_document_its_status_and_what_is_outstanding(admin, ledger):
    response = admin.get("/beheer/facturen")
    assert response.status_code == 200
    page = text(response).replace("\xa0", " ")  # Babel puts a no-break space after the €
    assert page.count("<h1>") == 1
    assert "<h1>Facturen</h1>" in page
    for document in ledger.values():
        assert document.number in page
    for label in ("Verlopen", "Gecrediteerd", "Creditnota", "Betaald", "Open"):
        assert f'">{label}</span>' in page
    # Outstanding: the overdue invoice and the open one, EUR 907,50 each.
    assert "€ 1.815,00" in page
    assert "aantal facturen: 2" in page
    assert '€ 907,50 <span class="muted">(aantal facturen: 1)' in page  # of which overdue
    assert f"bij {ledger['credited'].number}" in page  # the credit note names its invoice


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=openstaand", {"overdue", "open"}),
        ("status=verlopen", {"overdue"}),
        ("status=betaald", {"paid"}),
        ("status=gecrediteerd", {"credited"}),
        ("status=creditnotas", {"note"}),
        ("zoek=nunspeet", {"open"}),
        ("zoek=PO-2", {"credited", "note"}),
        ("status=onzin", {"overdue", "credited", "note", "paid", "open"}),
    ],
)
def test_the_list_can_be_filtered(admin, ledger, query, expected):
    page = text(admin.get(f"/beheer/facturen?{query}"))
    shown = {name for name, d in ledger.items() if f">{d.number}</a>" in page}
    assert shown == expected


def test_the_list_filters_by_year(admin, ledger):
    this_year = local_date(utcnow()).year
    page = text(admin.get(f"/beheer/facturen?jaar={this_year}"))
    assert f'<option value="{this_year}" selected>' in page
    if this_year != 2026:
        assert ledger["overdue"].number not in page
    assert ledger["open"].number in page


def test_the_list_costs_the_same_queries_however_many_invoices(
    admin, factories, cop, invoiced, count_queries
):
    for _ in range(2):
        reg, _ = invoiced(cop)
    services.credit_registration(reg, reason="cancelled", now=NOW)
    db.session.commit()
    admin.get("/beheer/facturen")  # warm up (sign-in session, caches)
    with count_queries() as few:
        assert admin.get("/beheer/facturen").status_code == 200
    for _ in range(8):
        reg, _ = invoiced(cop)
    services.credit_registration(reg, reason="cancelled", now=NOW)
    reg, invoice = invoiced(cop)
    services.mark_paid(invoice, actor="test", now=NOW)
    db.session.commit()
    with count_queries() as many:
        response = admin.get("/beheer/facturen")
    assert text(response).count("/beheer/facturen/") >= 14
    assert len(many) == len(few), many


def test_csv_export_for_the_bookkeeping(admin, factories, cop, invoiced):
    tricky = BillingDetails(
        organisation='=HYPERLINK("http://evil.example")',
        address="Postbus 1\n1000 AA Amsterdam",
        email="x@evil.example",
        reference="+31 20 123",
        vat_number=None,
    )
    registration, invoice = invoiced(cop, billing=tricky)
    note = services.credit_registration(registration, reason="cancelled", now=NOW)
    _, paid = invoiced(cop)
    services.mark_paid(paid, actor="test", now=NOW + timedelta(days=2))
    db.session.commit()

    response = admin.get("/beheer/facturen/export.csv")

    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="facturen-')
    assert response.data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == [
        "Nummer",
        "Soort",
        "Factuurdatum",
        "Vervaldatum",
        "Afnemer",
        "Btw-nummer afnemer",
        "Inkoopordernummer / referentie",
        "Deelnemer",
        "Crediteert factuur",
        "Excl. btw",
        "Btw",
        "Incl. btw",
        "Status",
        "Betaald op",
        "Inkoopordernummer",
        "Verstuurd als e-factuur (UBL)",
    ]
    by_number = {row[0]: row for row in rows[1 : rows.index([])]}  # then the VAT totals
    assert list(by_number) == [invoice.number, note.number, paid.number]
    assert by_number[invoice.number][1:5] == [
        "Factuur",
        "2026-03-02",
        "2026-04-01",
        '\'=HYPERLINK("http://evil.example")',
    ]
    assert by_number[invoice.number][6] == "'+31 20 123"
    assert by_number[invoice.number][9:14] == ["750,00", "157,50", "907,50", "Gecrediteerd", ""]
    credit = by_number[note.number]
    assert credit[1] == "Creditnota"
    assert credit[3] == ""
    assert credit[8] == invoice.number
    # Our own negative amounts stay numbers (not neutralised as if they were formulas).
    assert credit[9:13] == ["-750,00", "-157,50", "-907,50", "Creditnota"]
    assert by_number[paid.number][5] == "NL112233442B01"
    assert by_number[paid.number][12:] == ["Betaald", "2026-03-04", "", "nee"]


def test_csv_export_follows_the_filters(admin, ledger):
    response = admin.get("/beheer/facturen/export.csv?status=openstaand")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))
    assert sorted(row[0] for row in rows[1 : rows.index([])]) == sorted(
        [ledger["overdue"].number, ledger["open"].number]
    )
    overdue = next(row for row in rows if row[0] == ledger["overdue"].number)
    assert overdue[12] == "Verlopen"


def test_mark_as_paid(admin, recent, invoiced):
    _, invoice = invoiced(recent, now=utcnow())
    db.session.commit()
    page = text(admin.get(f"/beheer/facturen/{invoice.id}"))
    assert f"<h1>Factuur {invoice.number}</h1>" in page
    assert '<label for="paid_on">Ontvangen op</label>' in page
    today = local_date(utcnow())

    response = post(admin, f"/beheer/facturen/{invoice.id}/betaald", {"paid_on": today.isoformat()})

    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/beheer/facturen/{invoice.id}")
    db.session.expire_all()
    stored = db.session.get(Invoice, invoice.id)
    assert stored.status is InvoiceStatus.PAID
    assert stored.paid_on == today
    entry = db.session.execute(
        select(AuditEntry).where(AuditEntry.action == "invoice.paid")
    ).scalar_one()
    assert entry.actor.startswith("coordinator:")
    page = text(admin.get(response.headers["Location"]))
    assert f"Factuur {invoice.number} staat nu op betaald." in page
    assert "Markeer als betaald" not in page  # nothing left to mark


def test_mark_as_paid_without_a_date_or_twice(admin, recent, invoiced):
    _, invoice = invoiced(recent, now=utcnow())
    db.session.commit()
    url = f"/beheer/facturen/{invoice.id}/betaald"

    response = post(admin, url, {"paid_on": ""})
    assert response.status_code == 400
    assert "Vul de dag in waarop de betaling binnenkwam." in text(response)

    future = (local_date(utcnow()) + timedelta(days=2)).isoformat()
    response = post(admin, url, {"paid_on": future}, follow_redirects=True)
    assert "De betaaldatum kan niet in de toekomst liggen." in text(response)

    post(admin, url, {"paid_on": local_date(utcnow()).isoformat()})
    response = post(
        admin, url, {"paid_on": local_date(utcnow()).isoformat()}, follow_redirects=True
    )
    assert "Deze factuur staat al op betaald." in text(response)


def test_the_coordinator_downloads_the_pdf(admin, cop, invoiced):
    _, invoice = invoiced(cop)
    db.session.commit()
    response = admin.get(f"/beheer/facturen/{invoice.id}/pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="factuur-2026-0001.pdf"'
    )
    assert response.headers["Cache-Control"] == "no-store"
    assert "PO-4500123" in pdf_text(response.data)


def test_the_credit_note_page_links_its_invoice(admin, cop, invoiced):
    registration, invoice = invoiced(cop)
    note = services.credit_registration(registration, reason="cancelled", now=NOW)
    db.session.commit()
    page = text(admin.get(f"/beheer/facturen/{note.id}"))
    assert f"<h1>Creditnota {note.number}</h1>" in page
    assert f'href="/beheer/facturen/{invoice.id}">{invoice.number}</a>' in page
    assert "Markeer als betaald" not in page
    page = text(admin.get(f"/beheer/facturen/{invoice.id}"))
    assert f'href="/beheer/facturen/{note.id}">{note.number}</a>' in page
    assert "Markeer als betaald" not in page


def test_the_payer_downloads_their_invoice_and_credit_note_with_the_manage_link(
    client, factories, cop, invoiced
):
    registration, invoice = invoiced(cop)
    db.session.commit()
    token = manage_token(registration)

    response = client.get(f"/factuur/{token}.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert "Factuur 2026-0001" in pdf_text(response.data)
    assert client.get(f"/factuur/{token}/creditnota.pdf").status_code == 404

    services.credit_registration(registration, reason="cancelled", now=NOW)
    db.session.commit()
    response = client.get(f"/factuur/{token}/creditnota.pdf")
    assert response.status_code == 200
    assert 'filename="creditnota-2026-0002.pdf"' in response.headers["Content-Disposition"]
    assert "Crediteert factuur 2026-0001" in pdf_text(response.data)
    # The credited invoice itself stays available.
    assert client.get(f"/factuur/{token}.pdf").status_code == 200


def test_the_manage_page_reads_the_invoice_and_its_credit_note_in_one_statement(
    client, cop, invoiced, count_queries
):
    """The manage page links to the invoice and, once it is credited, to the credit note:
    both come from one statement (the credit note was a second one, run by the template)."""
    registration, _ = invoiced(cop)
    registration.payment_method = PaymentMethod.INVOICE  # as the form stores it
    db.session.commit()
    url = f"/inschrijving/{manage_token(registration)}"
    client.get(url)  # the session list is cached after the first view

    def manage_page() -> tuple[str, list[str]]:
        db.session.expire_all()  # as in a new request: nothing loaded yet
        with count_queries() as statements:
            response = client.get(url)
        assert response.status_code == 200
        return text(response), [s for s in statements if "FROM invoices" in s]

    page, reads = manage_page()
    assert "Factuur downloaden (pdf)" in page
    assert "Creditnota downloaden (pdf)" not in page
    assert len(reads) == 1, reads

    services.credit_registration(registration, reason="cancelled", now=NOW)
    db.session.commit()
    page, reads = manage_page()
    assert "Creditnota downloaden (pdf)" in page
    assert f"/factuur/{manage_token(registration)}/creditnota.pdf" in page
    assert len(reads) == 1, reads


def test_no_pdf_for_a_tampered_token_or_a_registration_without_invoice(
    client, factories, cop, invoiced
):
    registration, _ = invoiced(cop)
    without = factories.registration(cop, now=NOW)
    db.session.commit()
    token = manage_token(registration)
    assert client.get(f"/factuur/{tampered(token)}.pdf").status_code == 404
    assert client.get("/factuur/geraden.pdf").status_code == 404
    assert client.get(f"/factuur/{manage_token(without)}.pdf").status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/beheer/facturen",
        "/beheer/facturen/export.csv",
        "/beheer/facturen/{id}",
        "/beheer/facturen/{id}/pdf",
    ],
)
def test_trainers_and_participants_see_no_invoices(client, trainer_client, cop, invoiced, path):
    registration, invoice = invoiced(cop)
    db.session.commit()
    url = path.format(id=invoice.id)
    assert trainer_client.get(url).status_code == 403


def test_a_participant_cannot_mark_paid_and_anonymous_is_sent_to_sign_in(client, cop, invoiced):
    registration, invoice = invoiced(cop, email="deelnemer@example.nl")
    accounts.create_user(
        "deelnemer@example.nl", "Deel Nemer", password="lang-genoeg-wachtwoord", actor="test"
    )
    db.session.commit()
    anonymous = client.application.test_client()
    response = anonymous.get("/beheer/facturen")
    assert response.status_code == 302
    assert "/inloggen" in response.headers["Location"]

    sign_in(client, "deelnemer@example.nl")
    response = post(client, f"/beheer/facturen/{invoice.id}/betaald", {"paid_on": "2026-03-03"})
    assert response.status_code == 403
    db.session.expire_all()
    assert db.session.get(Invoice, invoice.id).status is InvoiceStatus.OPEN


def test_the_menu_offers_invoices_to_coordinators_only(admin, app):
    assert 'href="/beheer/facturen">Facturen</a>' in text(admin.get("/account"))
    other = app.test_client()
    accounts.create_user(
        "tom@example.nl", "Tom", password="lang-genoeg-wachtwoord", trainer=True, actor="test"
    )
    db.session.commit()
    sign_in(other, "tom@example.nl")
    assert "/beheer/facturen" not in text(other.get("/account"))


def test_csrf_is_required_to_mark_paid(admin, cop, invoiced):
    _, invoice = invoiced(cop)
    db.session.commit()
    response = admin.post(f"/beheer/facturen/{invoice.id}/betaald", data={"paid_on": "2026-03-03"})
    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.get(Invoice, invoice.id).status is InvoiceStatus.OPEN
    assert csrf_from(text(admin.get(f"/beheer/facturen/{invoice.id}")))


def test_dates_in_the_list_are_dutch(admin, cop, invoiced):
    invoiced(cop)
    db.session.commit()
    page = text(admin.get("/beheer/facturen"))
    assert "2 maart 2026" in page
    assert date(2026, 3, 2).isoformat() not in page


def test_the_list_has_pages_that_keep_the_filters(admin, cop, invoiced, monkeypatch):
    from werklab.invoicing import views

    monkeypatch.setattr(views, "PER_PAGE", 2)
    made = [invoiced(cop)[1] for _ in range(5)]
    db.session.commit()
    page = text(admin.get("/beheer/facturen?zoek=arnhem&_scheme=javascript&_external=1"))
    assert "Pagina 1 van 3" in page
    assert [d.number in page for d in made] == [False, False, False, True, True]
    assert 'href="/beheer/facturen?zoek=arnhem&amp;pagina=2" rel="next"' in page
    assert 'href="/beheer/facturen/export.csv?zoek=arnhem"' in page
    assert 'href="javascript' not in page
    page = text(admin.get("/beheer/facturen?zoek=arnhem&pagina=3"))
    assert [d.number in page for d in made] == [True, False, False, False, False]
    assert "Pagina 3 van 3" in page
    assert text(admin.get("/beheer/facturen?pagina=99")).count("Pagina 3 van 3") == 1


def test_the_links_of_a_payers_pages_follow_the_latest_invoice_and_its_credit_note(
    factories, cop, invoiced
):
    """invoice_links() reads ids and status only: none without an invoice; the latest
    invoice, open, then credited with the id of its credit note; another registration's
    invoice never."""
    without = factories.registration(cop, now=NOW)
    registration, invoice = invoiced(cop)
    other, other_invoice = invoiced(cop)
    db.session.flush()
    assert invoice_links(without.id) is None
    links = invoice_links(registration.id)
    assert (links.invoice_id, links.status, links.credit_note) == (
        invoice.id,
        InvoiceStatus.OPEN,
        None,
    )
    credit_note = services.credit_registration(registration, reason="cancelled", now=NOW)
    db.session.flush()
    links = invoice_links(registration.id)
    assert links.invoice_id == invoice.id
    assert links.status is InvoiceStatus.CREDITED
    assert links.credit_note == credit_note.id != invoice.id
    assert invoice_links(other.id).invoice_id == other_invoice.id
    assert invoice_links(other.id).credit_note is None
