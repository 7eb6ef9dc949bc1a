"""Answering the quote online: acceptance books the werklab; expired, answered, tampered
links change nothing."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import func, select

from tests.conftest import outbox, tampered, with_bodies
from tests.intake.conftest import NOW, acceptance, csrf, text
from werklab.accounts.models import User
from werklab.audit import AuditEntry
from werklab.catalog.models import Programme, ProgrammeKind, ProgrammeStatus, Visibility
from werklab.errors import DomainError
from werklab.extensions import db
from werklab.intake import services
from werklab.intake.models import QuoteStatus, RequestStatus
from werklab.invoicing.models import Invoice

ACCEPT = {
    "name": "Fatima el Amrani",
    "role": "Programmamanager",
    "purchase_reference": "PO-4500999",
    "billing_street": "Postbus 9200",
    "billing_postcode": "6800 HA",
    "billing_city": "Arnhem",
    "legal_id": "00000001001234567000",
    "billing_email": "crediteuren@arnhem.nl",
    "e_invoice": "y",
    "agree_terms": "y",
}


def _counts() -> tuple[int, int, int]:
    def count(model):
        return db.session.execute(select(func.count()).select_from(model)).scalar_one()

    return count(Programme), count(Invoice), count(User)


def test_accepting_books_the_werklab(sent_quote, booking):
    services.accept_quote(sent_quote, acceptance(), now=NOW)
    assert sent_quote.status is QuoteStatus.ACCEPTED
    assert sent_quote.answered_at == NOW and sent_quote.terms_agreed_at == NOW
    assert (sent_quote.answered_name, sent_quote.purchase_reference) == (
        "Fatima el Amrani",
        "PO-4500999",
    )
    assert booking.status is RequestStatus.ACCEPTED
    programme = booking.programme
    assert programme.kind is ProgrammeKind.WERKLAB
    assert programme.status is ProgrammeStatus.DRAFT
    assert programme.visibility is Visibility.INVITATION and programme.invitation_token
    assert [s.theme for s in programme.sessions] == [
        "Op de koffie bij bewonersinitiatieven",
        "De samenwerking van de gemeente met bewonersinitiatieven",
        "Je eigen rol",
    ]
    (contact,) = booking.contacts
    assert contact.email == "f.elamrani@arnhem.nl"
    assert not contact.is_coordinator and not contact.is_trainer
    (link_mail,) = outbox("accounts.login_link")
    assert link_mail.to_addr == contact.email
    invoice = db.session.get(Invoice, sent_quote.invoice_id)
    # The purchase-order number is the e-invoice's OrderReference.
    assert (invoice.buyer_order_number, invoice.buyer_reference) == ("PO-4500999", "")
    assert invoice.buyer_email == "crediteuren@arnhem.nl"
    assert invoice.buyer_organisation == "Gemeente Arnhem"
    assert [(line.description, line.amount_excl_cents) for line in invoice.lines] == [
        (line.description, line.amount_cents) for line in sent_quote.lines
    ]
    assert invoice.total_incl_cents == sent_quote.total_incl_cents
    [invoice_mail] = with_bodies(outbox("invoicing.invoice"))
    assert invoice_mail.to_addr == "crediteuren@arnhem.nl"
    # The municipality books the whole werklab: no "participation of Gemeente Arnhem".
    assert invoice.participant_name == ""
    assert f"factuur {invoice.number} voor {programme.title} (jullie referentie: PO-4500999)" in (
        invoice_mail.body_text
    )
    assert "deelname" not in invoice_mail.body_text
    assert outbox("intake.quote_accepted")[0].to_addr == contact.email
    accepted = db.session.execute(
        select(AuditEntry).where(AuditEntry.action == "quote.accepted")
    ).scalar_one()
    assert accepted.data["name"] == "Fatima el Amrani" and accepted.created_at == NOW


def test_an_existing_account_is_reused(sent_quote, booking):
    from werklab.accounts import services as accounts

    user = accounts.create_user("F.ElAmrani@arnhem.nl", "Fatima", actor="test")
    services.accept_quote(sent_quote, acceptance(), now=NOW)
    assert booking.contacts == [user]


def test_expired_quote_cannot_be_accepted_and_nothing_changes(client, sent_quote, booking):
    db.session.commit()
    before = _counts()
    with pytest.raises(DomainError, match="geldig tot en met 31-03-2026"):
        services.accept_quote(sent_quote, acceptance(), now=datetime(2026, 4, 1, 9, 0))
    db.session.rollback()
    assert _counts() == before
    assert sent_quote.status is QuoteStatus.SENT
    # Through the link (today is long after March 2026): a clear message, no form.
    token = services.quote_token(sent_quote)
    page = text(client.get(f"/offerte/{token}"))
    assert "kan niet meer worden geaccepteerd" in page and "purchase_reference" not in page
    response = client.post(
        f"/offerte/{token}/accepteren", data={**ACCEPT, "csrf_token": csrf(client)}
    )
    assert response.status_code == 409
    assert "kan niet meer worden geaccepteerd" in text(response)
    assert _counts() == before
    assert booking.status is RequestStatus.QUOTE_SENT


def test_already_answered_quote_cannot_be_answered_again(sent_quote):
    services.accept_quote(sent_quote, acceptance(), now=NOW)
    before = _counts()
    with pytest.raises(DomainError, match="al beantwoord"):
        services.accept_quote(sent_quote, acceptance(), now=NOW)
    with pytest.raises(DomainError, match="al beantwoord"):
        services.decline_quote(sent_quote, "toch niet", now=NOW)
    assert _counts() == before
    assert sent_quote.status is QuoteStatus.ACCEPTED


def test_terms_and_reference_are_required(sent_quote):
    with pytest.raises(DomainError):
        services.accept_quote(sent_quote, acceptance(agree_terms=False), now=NOW)
    with pytest.raises(DomainError):
        services.accept_quote(sent_quote, acceptance(purchase_reference=" "), now=NOW)
    assert sent_quote.status is QuoteStatus.SENT


def test_decline_with_a_reason(sent_quote, booking, coordinator):
    services.decline_quote(sent_quote, "Budget is op.", now=NOW)
    assert sent_quote.status is QuoteStatus.DECLINED
    assert booking.status is RequestStatus.DECLINED
    assert sent_quote.decline_reason == "Budget is op."
    assert booking.programme is None
    (notice,) = outbox("intake.quote_declined")
    assert notice.to_addr == coordinator.email and "Budget is op." in notice.body_text


def test_expiry_job_marks_requests_expired(sent_quote, booking):
    assert services.expire_quotes(datetime(2026, 3, 31, 12, 0)) == 0
    assert services.expire_quotes(datetime(2026, 4, 1, 9, 0)) == 1
    assert booking.status is RequestStatus.EXPIRED
    assert services.expire_quotes(datetime(2026, 4, 2, 9, 0)) == 0


def test_tampered_link_post_is_404_and_changes_nothing(client, sent_quote):
    db.session.commit()
    before = _counts()
    token = services.quote_token(sent_quote)
    for bad in (tampered(token), "verzonnen"):
        response = client.post(
            f"/offerte/{bad}/accepteren", data={**ACCEPT, "csrf_token": csrf(client)}
        )
        assert response.status_code == 404
        assert (
            client.post(
                f"/offerte/{bad}/afwijzen", data={"reason": "x", "csrf_token": csrf(client)}
            ).status_code
            == 404
        )
    assert _counts() == before
