"""No-go: cancelling a programme refunds online payments (after the commit), credits
invoices and tells everyone, through the coordinator's page."""

from __future__ import annotations

from tests.access.test_matrix import client_for
from tests.conftest import csrf_from, outbox
from tests.payments.helpers import checkout, fresh, held, payments_of, send_event
from werklab.accounts import services as accounts
from werklab.extensions import db
from werklab.invoicing.documents import invoice_for
from werklab.payments.models import PaymentStatus
from werklab.registration.models import PaymentMethod
from werklab.registration.models import RegistrationStatus as S
from werklab.registration.signup import BillingDetails


def test_coordinator_cancels_and_everyone_gets_their_money_back(
    app, client, factories, stripe_fake
):
    programme = factories.programme(min_participants=3, max_participants=3)
    online = held(factories, programme)
    send_event(client, stripe_fake, "checkout.session.completed", stripe_fake.pay(checkout(online)))
    assert fresh(online).status is S.CONFIRMED
    by_invoice = factories.registration(
        programme,
        payment_method=PaymentMethod.INVOICE,
        billing=BillingDetails("Gemeente Ede", "Postbus 1\n6710 AA Ede", "f@ede.example", "PO-9"),
    )
    still_paying = held(factories, programme)
    session_still_open = checkout(still_paying)
    waiting = factories.registration(programme)
    assert fresh(waiting).status is S.WAITLISTED
    coordinator = accounts.create_user("cora@example.nl", "Cora", coordinator=True, actor="t")
    db.session.commit()

    browser = client_for(app, coordinator)
    page = browser.get(f"/beheer/programma/{programme.id}/afgelasten")
    assert page.status_code == 200
    response = browser.post(
        f"/beheer/programma/{programme.id}/afgelasten",
        data={
            "csrf_token": csrf_from(page.get_data(as_text=True)),
            "reason": "Te weinig aanmeldingen.",
            "confirm": "y",
        },
    )
    assert response.status_code == 302

    assert all(fresh(r).status is S.CANCELLED for r in (online, by_invoice, still_paying, waiting))
    # The online payment went back through Stripe, once, after the commit.
    assert len(stripe_fake.refunds) == 1
    assert payments_of(online)[0].status is PaymentStatus.REFUNDED
    # The invoice was credited.
    assert invoice_for(fresh(by_invoice)).credit_note is not None
    # The unpaid Checkout Session can no longer be paid.
    assert stripe_fake.sessions[session_still_open]["status"] == "expired"
    told = sorted(m.to_addr for m in outbox("registration.programme_cancelled"))
    assert told == sorted(r.email for r in (online, by_invoice, still_paying, waiting))
    refund_mail = [
        m for m in outbox("registration.programme_cancelled") if m.to_addr == online.email
    ][0]
    assert "terug" in refund_mail.body_text
