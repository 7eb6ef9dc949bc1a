"""Every cancel page states the money outcome that cancelling really has: a refund, a credit
note, no refund, an invoice that stays due, or nothing at stake (issue 11, item 13)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from tests.conftest import csrf_from, outbox
from tests.participant.conftest import sign_in
from werklab.accounts import services as accounts
from werklab.db import utcnow
from werklab.extensions import db
from werklab.invoicing.models import InvoiceStatus
from werklab.invoicing.services import BillingDetails, invoice_for
from werklab.payments.models import Payment, Refund
from werklab.registration import services
from werklab.registration.models import PaymentMethod, RegistrationStatus

NOW = utcnow()
BILLING = BillingDetails(
    organisation="Gemeente Ede",
    address="Postbus 9022\n6710 HK Ede",
    email="facturen@ede.example",
    reference="PO-123",
)
REFUND = "we betalen je betaling terug"
CREDIT = "we sturen een creditnota voor de factuur"
NO_REFUND = "kunnen we het bedrag niet terugbetalen"
INVOICE_STANDS = "moet de factuur toch betaald worden"
NOTHING = "Je hebt niets betaald"
ALL = (REFUND, CREDIT, NO_REFUND, INVOICE_STANDS, NOTHING)


def text(response) -> str:
    return response.get_data(as_text=True)


def programme_with_deadline(factories, days: int, **kw):
    return factories.programme(cancellation_deadline=NOW + timedelta(days=days), **kw)


def invoiced(factories, programme, **kw):
    return factories.registration(
        programme, payment_method=PaymentMethod.INVOICE, billing=BILLING, **kw
    )


def paid_online(factories, programme):
    """A seat paid through Stripe Checkout (as fulfil_checkout leaves it)."""
    registration = factories.registration(programme, payment_method=PaymentMethod.NONE)
    registration.payment_method = PaymentMethod.ONLINE
    assert registration.status is RegistrationStatus.CONFIRMED
    db.session.add(
        Payment(
            registration_id=registration.id,
            checkout_session_id=f"cs_test_{registration.id}",
            payment_intent_id=f"pi_test_{registration.id}",
            amount_cents=programme.fee_cents,
            currency="eur",
        )
    )
    db.session.flush()
    return registration


def says(page: str, expected: str) -> None:
    assert expected in page, page
    for other in ALL:
        if other != expected:
            assert other not in page, other


def cancel_by_link(client, registration) -> str:
    """Open the cancel page, read what it says, then cancel; return what it said."""
    url = f"/inschrijving/{services.manage_token(registration)}/annuleren"
    page = text(client.get(url))
    response = client.post(url, data={"csrf_token": csrf_from(page)})
    assert response.status_code == 302
    db.session.expire_all()
    assert registration.status is RegistrationStatus.CANCELLED
    return page


def test_before_the_deadline_an_invoice_is_credited_as_the_page_says(client, factories):
    registration = invoiced(factories, programme_with_deadline(factories, 7))
    db.session.commit()
    says(cancel_by_link(client, registration), CREDIT)
    assert invoice_for(registration).status is InvoiceStatus.CREDITED


def test_after_the_deadline_the_invoice_stays_due_as_the_page_says(client, factories):
    registration = invoiced(factories, programme_with_deadline(factories, -1))
    db.session.commit()
    page = cancel_by_link(client, registration)
    says(page, INVOICE_STANDS)
    assert "/overdragen" in page
    assert invoice_for(registration).status is InvoiceStatus.OPEN
    # The mail says the same as the page, not that a refund is impossible.
    mail = outbox("registration.cancelled")[-1]
    assert "de factuur moet nog betaald worden" in mail.body_text
    assert "terugbetalen" not in mail.body_text


def test_before_the_deadline_an_online_payment_is_refunded_as_the_page_says(client, factories):
    registration = paid_online(factories, programme_with_deadline(factories, 7))
    db.session.commit()
    says(cancel_by_link(client, registration), REFUND)
    assert db.session.execute(select(Refund)).scalar_one().amount_cents > 0


def test_after_the_deadline_an_online_payment_is_kept_as_the_page_says(client, factories):
    registration = paid_online(factories, programme_with_deadline(factories, -1))
    db.session.commit()
    says(cancel_by_link(client, registration), NO_REFUND)
    assert db.session.execute(select(Refund)).scalars().all() == []


def test_on_the_waiting_list_nothing_is_at_stake(client, factories):
    programme = programme_with_deadline(factories, 7, min_participants=1, max_participants=1)
    invoiced(factories, programme)
    waiting = invoiced(factories, programme)
    assert waiting.status is RegistrationStatus.WAITLISTED
    db.session.commit()
    says(cancel_by_link(client, waiting), NOTHING)
    assert invoice_for(waiting) is None


def test_the_signed_in_cancel_page_says_the_same(client, factories):
    registration = invoiced(factories, programme_with_deadline(factories, 7))
    db.session.commit()
    sign_in(client, registration.email)
    url = f"/mijn-traject/inschrijving/{registration.id}/annuleren"
    page = text(client.get(url))
    says(page, CREDIT)
    assert "Je inschrijving annuleren?" in page
    client.post(url, data={"csrf_token": csrf_from(page)})
    db.session.expire_all()
    assert invoice_for(registration).status is InvoiceStatus.CREDITED


def test_a_coordinator_reads_staff_wording(client, factories):
    registration = invoiced(factories, programme_with_deadline(factories, -1))
    accounts.create_user("cora@example.nl", "Cora", coordinator=True, actor="t")
    db.session.commit()
    sign_in(client, "cora@example.nl")
    page = text(client.get(f"/mijn-traject/inschrijving/{registration.id}/annuleren"))
    assert f"De inschrijving van {registration.full_name} annuleren?" in page
    assert "de factuur moet toch betaald worden" in page
    assert "Je inschrijving annuleren?" not in page and "annuleer mijn inschrijving" not in page
