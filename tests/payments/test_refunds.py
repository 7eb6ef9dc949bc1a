"""Money back: a late payment for a seat that is gone, cancellations, refund events, and
refunds that wait for Stripe to come back."""

from __future__ import annotations

import re
from datetime import timedelta

import stripe
from sqlalchemy import select

from tests.conftest import csrf_from
from tests.payments.helpers import (
    checkout,
    coordinator,
    fresh,
    held,
    mails,
    payments_of,
    refunds,
    send_event,
)
from werklab import jobs
from werklab.db import utcnow
from werklab.extensions import db
from werklab.payments import services as payments
from werklab.payments.models import PaymentStatus, RefundReason, RefundStatus
from werklab.registration import services as registration_services
from werklab.registration.models import Registration
from werklab.registration.models import RegistrationStatus as S


def confirmed_count(programme) -> int:
    return len(
        db.session.execute(
            select(Registration).where(
                Registration.programme_id == programme.id, Registration.status == S.CONFIRMED
            )
        ).all()
    )


def paid_registration(client, factories, programme, stripe_fake):
    reg = held(factories, programme)
    session_id = checkout(reg)
    send_event(client, stripe_fake, "checkout.session.completed", stripe_fake.pay(session_id))
    assert fresh(reg).status is S.CONFIRMED
    return reg


def release_and_fill(factories, programme, reg):
    """The hold ran out (tick released it) and the seat went to someone else."""
    now = utcnow()
    db.session.refresh(reg)
    reg.hold_expires_at = now - timedelta(seconds=1)
    db.session.commit()
    assert jobs.expire_offers(now) == 1
    assert fresh(reg).status is S.HOLD_EXPIRED
    factories.registration(programme)
    db.session.commit()


def test_late_payment_on_a_full_programme_is_refunded_once(client, factories, stripe_fake):
    boss = coordinator()
    programme = factories.programme(min_participants=2, max_participants=2)
    factories.registration(programme)
    reg = held(factories, programme)
    session_id = checkout(reg)
    release_and_fill(factories, programme, reg)
    assert confirmed_count(programme) == 2
    completed = stripe_fake.pay(session_id)  # paid in time at Stripe, reported late to us
    for _ in range(3):
        assert (
            send_event(client, stripe_fake, "checkout.session.completed", completed).status_code
            == 200
        )
    # The payer's return to the success page is no second chance to get money back twice.
    token = registration_services.manage_token(reg)
    html = client.get(f"/inschrijving/{token}/betaald?session_id={session_id}").get_data(
        as_text=True
    )
    assert "We storten je betaling terug" in html
    assert "We hebben €\xa0907,50 teruggestort" in html

    assert fresh(reg).status is S.HOLD_EXPIRED
    assert confirmed_count(programme) == 2  # nobody beyond the maximum
    assert registration_services.seats_taken(programme.id, utcnow()) == 2
    [payment] = payments_of(reg)
    assert not payment.seated and payment.status is PaymentStatus.REFUNDED
    [refund] = refunds()
    assert refund.reason == RefundReason.LATE_PAYMENT
    assert refund.status is RefundStatus.SUCCEEDED
    # Exactly one refund at Stripe, for the whole amount, with the payment's key.
    [at_stripe] = stripe_fake.refunds.values()
    assert at_stripe["amount"] == 90750  # fee + VAT
    assert at_stripe["payment_intent"] == payment.payment_intent_id
    keys = {c.idempotency_key for c in stripe_fake.calls_to("POST", "/v1/refunds")}
    assert keys == {f"werklab-refund-{session_id}"}
    [alert] = mails("payments.coordinator_alert")
    assert alert.to_addr == boss.email
    assert reg.full_name in alert.body_text and "907,50" in alert.body_text
    assert "vol" in alert.body_text
    [told] = mails("payments.not_seated")
    assert told.to_addr == reg.email
    assert mails("registration.confirmed", to=reg.email) == []


def test_late_payment_is_seated_when_a_seat_is_still_free(client, factories, stripe_fake):
    programme = factories.programme(min_participants=2, max_participants=3)
    factories.registration(programme)
    reg = held(factories, programme)
    session_id = checkout(reg)
    release_and_fill(factories, programme, reg)  # 2 of 3 taken, nobody waiting
    send_event(client, stripe_fake, "checkout.session.completed", stripe_fake.pay(session_id))
    assert fresh(reg).status is S.CONFIRMED
    assert confirmed_count(programme) == 3
    assert refunds() == [] and stripe_fake.refunds == {}
    assert [m.to_addr for m in mails("registration.confirmed", to=reg.email)] == [reg.email]


def test_late_payment_does_not_jump_the_waiting_list(client, factories, stripe_fake):
    coordinator()
    programme = factories.programme(min_participants=1, max_participants=1)
    reg = held(factories, programme)
    session_id = checkout(reg)
    waiting = factories.registration(programme)
    assert waiting.status is S.WAITLISTED
    db.session.refresh(reg)
    reg.hold_expires_at = utcnow() - timedelta(seconds=1)
    reg.status = S.HOLD_EXPIRED  # released (the expired event, say) before tick offered it
    db.session.commit()
    send_event(client, stripe_fake, "checkout.session.completed", stripe_fake.pay(session_id))
    assert fresh(waiting).status is S.OFFERED
    assert fresh(reg).status is S.HOLD_EXPIRED
    assert len(stripe_fake.refunds) == 1


def test_payment_for_a_cancelled_programme_is_refunded(client, factories, programme, stripe_fake):
    coordinator()
    reg = held(factories, programme)
    session_id = checkout(reg)
    db.session.refresh(reg)
    reg.status = S.CANCELLED
    db.session.commit()
    send_event(client, stripe_fake, "checkout.session.completed", stripe_fake.pay(session_id))
    assert fresh(reg).status is S.CANCELLED
    [refund] = refunds()
    assert refund.reason == RefundReason.NOT_SEATED
    assert len(stripe_fake.refunds) == 1


def test_a_cancellation_refunds_after_the_commit(client, factories, programme, stripe_fake):
    reg = paid_registration(client, factories, programme, stripe_fake)
    now = utcnow()
    refund = payments.request_refund(reg, reason=RefundReason.CANCELLED, now=now)
    assert refund.status is RefundStatus.PENDING
    assert payments.request_refund(reg, reason=RefundReason.CANCELLED, now=now).id == refund.id
    assert stripe_fake.refunds == {}  # nothing leaves before the commit
    db.session.commit()
    assert payments.process_refunds(now=now) == 1
    assert payments.process_refunds(now=now) == 0
    assert fresh(refund).status is RefundStatus.SUCCEEDED
    assert payments.payment_for(reg).status is PaymentStatus.REFUNDED
    assert len(stripe_fake.refunds) == 1


def test_refunds_wait_for_stripe_and_tick_sends_them(client, factories, programme, stripe_fake):
    reg = paid_registration(client, factories, programme, stripe_fake)
    now = utcnow()
    refund = payments.request_refund(reg, reason=RefundReason.PROGRAMME_CANCELLED, now=now)
    db.session.commit()
    stripe_fake.down = True
    assert payments.process_refunds(now=now) == 0
    fresh(refund)
    assert refund.status is RefundStatus.PENDING and refund.attempts == 1
    assert "down" in refund.last_error
    stripe_fake.down = False
    assert jobs.tick(now=now)["refunds_sent"] == 0  # backing off
    assert jobs.tick(now=now + timedelta(minutes=2))["refunds_sent"] == 1
    assert fresh(refund).status is RefundStatus.SUCCEEDED
    assert len(stripe_fake.refunds) == 1


def test_a_lost_answer_does_not_refund_twice(client, factories, programme, stripe_fake):
    reg = paid_registration(client, factories, programme, stripe_fake)
    now = utcnow()
    refund = payments.request_refund(reg, reason=RefundReason.CANCELLED, now=now)
    db.session.commit()
    payment = payments.payment_for(reg)
    # An earlier attempt reached Stripe, but its answer never came back.
    stripe.StripeClient(
        stripe_fake.secret_key, base_addresses={"api": stripe_fake.url}
    ).v1.refunds.create(
        {"payment_intent": payment.payment_intent_id, "amount": payment.amount_cents},
        {"idempotency_key": refund.idempotency_key},
    )
    assert payments.process_refunds(now=now) == 1
    assert len(stripe_fake.refunds) == 1
    assert fresh(refund).stripe_refund_id == next(iter(stripe_fake.refunds))


def test_a_refund_made_in_the_dashboard_is_recorded(client, factories, programme, stripe_fake):
    reg = paid_registration(client, factories, programme, stripe_fake)
    payment = payments.payment_for(reg)
    stripe_fake.refund_status = "pending"
    made = stripe.StripeClient(
        stripe_fake.secret_key, base_addresses={"api": stripe_fake.url}
    ).v1.refunds.create({"payment_intent": payment.payment_intent_id})
    event = {"id": "ch_x", "object": "charge", "payment_intent": payment.payment_intent_id}
    send_event(client, stripe_fake, "charge.refunded", event)
    [refund] = refunds()
    assert refund.reason == RefundReason.EXTERNAL
    assert refund.stripe_refund_id == made.id
    assert refund.status is RefundStatus.PROCESSING
    stripe_fake.set_refund_status(made.id, "succeeded")
    send_event(
        client,
        stripe_fake,
        "refund.updated",
        {**stripe_fake.refunds[made.id], "status": "succeeded"},
    )
    assert fresh(refund).status is RefundStatus.SUCCEEDED
    assert fresh(payment).status is PaymentStatus.REFUNDED


def test_a_failed_refund_alerts_the_coordinator(client, factories, programme, stripe_fake):
    boss = coordinator()
    reg = paid_registration(client, factories, programme, stripe_fake)
    stripe_fake.refund_status = "pending"
    now = utcnow()
    refund = payments.request_refund(reg, reason=RefundReason.CANCELLED, now=now)
    db.session.commit()
    payments.process_refunds(now=now)
    assert fresh(refund).status is RefundStatus.PROCESSING
    stripe_refund = stripe_fake.set_refund_status(refund.stripe_refund_id, "failed")
    send_event(client, stripe_fake, "refund.failed", stripe_refund)
    assert fresh(refund).status is RefundStatus.FAILED
    assert payments.payment_for(reg).status is PaymentStatus.PAID
    [alert] = mails("payments.coordinator_alert")
    assert alert.to_addr == boss.email and "niet terugstorten" in alert.body_text


def test_nothing_to_refund_without_an_online_payment(factories, programme, stripe_fake):
    reg = factories.registration(programme)
    assert payments.payment_for(reg) is None
    assert payments.request_refund(reg, reason=RefundReason.CANCELLED, now=utcnow()) is None


def manage_page(client, reg) -> str:
    token = registration_services.manage_token(reg)
    return " ".join(client.get(f"/inschrijving/{token}").get_data(as_text=True).split())


def test_the_manage_page_tells_the_payer_where_their_money_is(
    client, factories, programme, stripe_fake
):
    reg = paid_registration(client, factories, programme, stripe_fake)
    page = manage_page(client, reg)
    assert re.search(r"Je hebt € [\d.]+,\d\d betaald op \w+dag \d+ \w+ 20\d\d\.", page), page
    assert "terug" not in page
    stripe_fake.refund_status = "pending"
    token = registration_services.manage_token(reg)
    path = f"/inschrijving/{token}/annuleren"
    csrf = csrf_from(client.get(path).get_data(as_text=True))
    assert client.post(path, data={"csrf_token": csrf}).status_code == 302
    assert "We storten het bedrag terug; binnen een paar werkdagen" in manage_page(client, reg)
    [refund] = refunds()
    stripe_refund = stripe_fake.set_refund_status(refund.stripe_refund_id, "succeeded")
    send_event(client, stripe_fake, "refund.updated", stripe_refund)
    assert re.search(r"We hebben het bedrag teruggestort op \w+dag", manage_page(client, reg))

    other = paid_registration(client, factories, programme, stripe_fake)
    payments.request_refund(other, reason=RefundReason.CANCELLED, now=utcnow())
    db.session.commit()
    payments.process_refunds(now=utcnow())
    failed = stripe_fake.set_refund_status(fresh(refunds()[-1]).stripe_refund_id, "failed")
    send_event(client, stripe_fake, "refund.failed", failed)
    assert "Het automatisch terugstorten is niet gelukt" in manage_page(client, other)


def test_no_payment_section_without_an_online_payment(client, factories, programme):
    assert "Je betaling" not in manage_page(client, factories.registration(programme))
