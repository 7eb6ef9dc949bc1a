"""The coordinator's pipeline and quote: builder, PDF, mail with a signed link."""

from __future__ import annotations

import re
from datetime import date

import pytest

from tests.conftest import outbox
from tests.intake.conftest import LINES, NOW, csrf, sign_in, text
from tests.invoicing.conftest import pdf_text
from werklab.audit import AuditEntry
from werklab.errors import DomainError
from werklab.extensions import db
from werklab.intake import services
from werklab.intake.models import QuoteStatus, RequestStatus
from werklab.intake.services import QuoteData
from werklab.links import sign


def test_pipeline_lists_and_updates_requests(client, booking):
    sign_in(client, "cora@example.nl")
    page = text(client.get("/beheer/aanvragen"))
    assert "Arnhem" in page and "Nieuw" in page
    assert "Arnhem" not in text(client.get("/beheer/aanvragen?status=accepted"))
    url = f"/beheer/aanvragen/{booking.id}"
    response = client.post(
        url,
        data={
            "csrf_token": csrf(client, url),
            "status": "in_progress",
            "notes": "Gebeld: 12 mensen",
        },
    )
    assert response.status_code == 302
    db.session.refresh(booking)
    assert booking.status is RequestStatus.IN_PROGRESS
    assert booking.notes == "Gebeld: 12 mensen"
    assert "Gebeld: 12 mensen" in text(client.get(url))


def test_quote_statuses_cannot_be_set_by_hand(booking):
    with pytest.raises(DomainError):
        services.update_request(
            booking, status=RequestStatus.ACCEPTED, notes="", actor="test", now=NOW
        )


def test_quote_builder_saves_and_sends(client, booking):
    sign_in(client, "cora@example.nl")
    url = f"/beheer/aanvragen/{booking.id}/offerte"
    page = text(client.get(url))
    assert "Intake en voorbereiding" in page  # the usual lines are offered
    data = {
        "csrf_token": csrf(client, url),
        "lines-0-description": "Intake en voorbereiding",
        "lines-0-amount": "1.200,00",
        "lines-1-description": "Drie bijeenkomsten met twee begeleiders",
        "lines-1-amount": "4500",
        "lines-2-description": "Reiskosten",
        "lines-2-amount": "150,50",
        "vat_rate": "21",
        "valid_until": "2099-12-31",
    }
    assert client.post(url, data=data).status_code == 302
    quote = booking.quote
    db.session.refresh(quote)
    assert [(line.description, line.amount_cents) for line in quote.lines] == LINES
    assert quote.total_excl_cents == 585050
    assert quote.vat_cents == 122861  # 25200 + 94500 + 3161 (rounded per line)
    assert quote.total_incl_cents == 707911
    detail = f"/beheer/aanvragen/{booking.id}"
    response = client.post(f"{detail}/offerte/versturen", data={"csrf_token": csrf(client, detail)})
    assert response.status_code == 302
    db.session.refresh(quote)
    db.session.refresh(booking)
    assert quote.status is QuoteStatus.SENT
    assert booking.status is RequestStatus.QUOTE_SENT
    (mail,) = outbox("intake.quote")
    assert mail.to_addr == "f.elamrani@arnhem.nl"
    assert mail.attachments == [
        {"render": "werklab.intake.services:quote_attachment", "args": {"quote_id": quote.id}}
    ]
    link = re.search(r"http://werklab\.test/offerte/\S+", mail.body_text).group(0)
    assert services.find_quote(link.rsplit("/", 1)[1]).id == quote.id


def test_bad_amount_is_refused(client, booking):
    sign_in(client, "cora@example.nl")
    url = f"/beheer/aanvragen/{booking.id}/offerte"
    data = {
        "csrf_token": csrf(client, url),
        "lines-0-description": "Intake",
        "lines-0-amount": "veel",
        "vat_rate": "21",
        "valid_until": "2099-12-31",
    }
    assert client.post(url, data=data).status_code == 422
    assert booking.quote is None


def test_quote_pdf_has_lines_vat_and_total(sent_quote):
    content = pdf_text(services.quote_pdf(sent_quote))
    for description, _ in LINES:
        assert description in content
    assert "€ 1.200,00" in content and "€ 4.500,00" in content and "€ 150,50" in content
    assert "Totaal excl. btw € 5.850,50" in content
    assert "Btw 21% € 1.228,61" in content
    assert "Totaal incl. btw € 7.079,11" in content
    assert "Arnhem" in content and "31 maart 2026" in content
    filename, content_type, data = services.quote_attachment(sent_quote.id)
    assert (filename, content_type) == (f"offerte-{sent_quote.id}.pdf", "application/pdf")
    assert data.startswith(b"%PDF")


def test_quote_pdf_renders_typed_text_as_text(booking):
    quote = services.save_quote(
        booking,
        QuoteData([("<b>vet</b> <img src='file:///etc/passwd'>", 100)], 2100, date(2026, 3, 31)),
        actor="test",
        now=NOW,
    )
    content = pdf_text(services.quote_pdf(quote))
    assert "<b>vet</b>" in content


def test_signed_link_cannot_be_guessed_or_tampered(client, sent_quote):
    token = services.quote_token(sent_quote)
    assert client.get(f"/offerte/{token}").status_code == 200
    assert client.get(f"/offerte/{token}x").status_code == 404
    assert client.get(f"/offerte/{sent_quote.id}").status_code == 404
    # Signed with another salt (another area's link) or for another id: refused.
    other_salt = sign(f"{sent_quote.id}|{sent_quote.sent_at.isoformat()}", salt="other")
    assert client.get(f"/offerte/{other_salt}").status_code == 404
    assert client.get(f"/offerte/{token}/pdf").status_code == 200


def test_a_new_version_of_the_quote_replaces_the_old_link(client, booking, sent_quote):
    old = services.quote_token(sent_quote)
    services.save_quote(booking, QuoteData(LINES[:1], 2100, date(2026, 4, 30)), actor="t", now=NOW)
    assert sent_quote.status is QuoteStatus.DRAFT
    services.send_quote(sent_quote, actor="t", now=NOW.replace(minute=5))
    db.session.commit()
    assert client.get(f"/offerte/{old}").status_code == 404
    assert client.get(f"/offerte/{services.quote_token(sent_quote)}").status_code == 200
    actions = [e.action for e in db.session.query(AuditEntry).order_by(AuditEntry.id)]
    assert actions.count("quote.sent") == 2
