"""The Stripe webhook: signatures on the raw body, each event once, state only from the
states that allow it, and the Checkout Session always fetched again from Stripe."""

from __future__ import annotations

import json
from datetime import timedelta

from tests.payments.fake_stripe import signature
from tests.payments.helpers import (
    WEBHOOK_SECRET,
    audit_actions,
    checkout,
    coordinator,
    count,
    deliver,
    events,
    fresh,
    held,
    mails,
    old_timestamp,
    payments_of,
    refunds,
    send_event,
)
from werklab.db import utcnow
from werklab.extensions import db
from werklab.payments.models import Payment, RefundReason, StripeEvent
from werklab.registration.models import RegistrationStatus as S


def nothing_changed(reg):
    fresh(reg)
    assert reg.status is S.HELD
    assert payments_of(reg) == []
    assert events() == []
    assert mails("registration.confirmed") == []


# --- signatures -------------------------------------------------------------------------------


def paid_event(stripe_fake, session_id):
    return stripe_fake.event("checkout.session.completed", stripe_fake.pay(session_id))


def test_missing_signature_is_refused(client, factories, programme, stripe_fake):
    reg = held(factories, programme)
    payload = paid_event(stripe_fake, checkout(reg))
    assert deliver(client, payload, header="").status_code == 400
    nothing_changed(reg)


def test_wrong_secret_is_refused(client, factories, programme, stripe_fake):
    reg = held(factories, programme)
    payload = paid_event(stripe_fake, checkout(reg))
    assert deliver(client, payload, secret="whsec_someone_else").status_code == 400
    nothing_changed(reg)


def test_one_changed_byte_is_refused(client, factories, programme, stripe_fake):
    reg = held(factories, programme)
    payload = paid_event(stripe_fake, checkout(reg))
    header = signature(payload, WEBHOOK_SECRET)
    body = bytearray(payload.encode())
    position = body.index(b'"livemode"') + 1
    body[position] = ord("L")  # one byte: still valid JSON, no longer what Stripe signed
    assert deliver(client, payload, header=header, body=bytes(body)).status_code == 400
    nothing_changed(reg)
    # The same header with the untouched body is accepted: only the byte made the difference.
    assert deliver(client, payload, header=header).status_code == 200
    assert fresh(reg).status is S.CONFIRMED


def test_a_timestamp_older_than_the_tolerance_is_refused(client, factories, programme, stripe_fake):
    reg = held(factories, programme)
    payload = paid_event(stripe_fake, checkout(reg))
    assert deliver(client, payload, timestamp=old_timestamp(301)).status_code == 400
    nothing_changed(reg)
    assert deliver(client, payload, timestamp=old_timestamp(60)).status_code == 200


def test_garbage_is_refused(client, stripe_fake):
    for body in [b"", b"\xff\xfe not utf-8", b"[1, 2, 3]", b'{"id": "evt_1"}']:
        payload = body.decode("utf-8", "replace")
        header = signature(payload, WEBHOOK_SECRET) if body else ""
        assert deliver(client, payload, header=header, body=body).status_code == 400
    assert events() == []


def test_without_a_webhook_secret_every_delivery_is_refused(
    client, app, monkeypatch, factories, programme, stripe_fake
):
    reg = held(factories, programme)
    payload = paid_event(stripe_fake, checkout(reg))
    monkeypatch.setitem(app.config, "STRIPE_WEBHOOK_SECRET", None)
    assert deliver(client, payload).status_code == 400
    nothing_changed(reg)


# --- checkout.session.completed ---------------------------------------------------------------


def test_completed_confirms_once(client, factories, programme, stripe_fake):
    reg = held(factories, programme)
    session_id = checkout(reg)
    payload = paid_event(stripe_fake, session_id)
    for _ in range(3):  # Stripe delivers at least once
        assert deliver(client, payload).status_code == 200
    fresh(reg)
    assert reg.status is S.CONFIRMED and reg.confirmed_at is not None
    assert reg.hold_expires_at is None
    [payment] = payments_of(reg)
    assert payment.amount_cents == 90750 and payment.currency == "eur" and payment.seated
    assert payment.payment_intent_id == stripe_fake.sessions[session_id]["payment_intent"]
    [mail] = mails("registration.confirmed")
    assert mail.to_addr == reg.email
    assert mail.attachments[0]["render"].endswith(":calendar_attachment")  # made when sent
    assert len(events()) == 1
    # Another event about the same session (the async success, say) changes nothing either.
    send_event(
        client,
        stripe_fake,
        "checkout.session.async_payment_succeeded",
        stripe_fake.sessions[session_id],
    )
    assert len(payments_of(reg)) == 1 and len(mails("registration.confirmed")) == 1
    assert len(events()) == 2


def test_the_event_is_not_trusted_the_session_is_fetched(client, factories, programme, stripe_fake):
    reg = held(factories, programme)
    session_id = checkout(reg)
    forged = {**stripe_fake.sessions[session_id], "status": "complete", "payment_status": "paid"}
    response = send_event(client, stripe_fake, "checkout.session.completed", forged)
    assert response.status_code == 200  # signed, so taken in; but Stripe says: not paid
    assert fresh(reg).status is S.HELD
    assert payments_of(reg) == []
    assert stripe_fake.calls_to("GET", f"/v1/checkout/sessions/{session_id}")


def test_completed_but_not_yet_paid_keeps_the_hold_until_the_async_success(
    client, factories, programme, stripe_fake
):
    reg = held(factories, programme)
    session_id = checkout(reg)
    send_event(client, stripe_fake, "checkout.session.completed", stripe_fake.pay_async(session_id))
    assert fresh(reg).status is S.HELD
    stripe_fake.async_succeed(session_id)
    send_event(
        client,
        stripe_fake,
        "checkout.session.async_payment_succeeded",
        stripe_fake.sessions[session_id],
    )
    assert fresh(reg).status is S.CONFIRMED
    assert len(payments_of(reg)) == 1


def test_events_for_other_sessions_or_unknown_types_change_nothing(
    client, factories, programme, stripe_fake
):
    reg = held(factories, programme)
    checkout(reg)
    unknown = {"id": "cs_test_does_not_exist", "object": "checkout.session"}
    assert send_event(client, stripe_fake, "checkout.session.completed", unknown).status_code == 200
    ignored = send_event(client, stripe_fake, "customer.created", {"id": "cus_1"})
    assert ignored.status_code == 200
    nothing_changed(reg)


def test_amount_not_matching_the_fee_is_not_accepted(client, factories, programme, stripe_fake):
    boss = coordinator()
    reg = held(factories, programme)
    session_id = checkout(reg)
    programme.fee_cents = 80000  # changed while the person was paying
    db.session.commit()
    send_event(client, stripe_fake, "checkout.session.completed", stripe_fake.pay(session_id))
    assert fresh(reg).status is S.HELD
    [payment] = payments_of(reg)
    assert not payment.seated
    [refund] = refunds()
    assert refund.reason == RefundReason.MISMATCH
    assert len(stripe_fake.refunds) == 1
    assert [m.to_addr for m in mails("payments.coordinator_alert")] == [boss.email]


def test_stripe_down_answers_503_and_the_redelivery_works(
    client, factories, programme, stripe_fake
):
    reg = held(factories, programme)
    payload = paid_event(stripe_fake, checkout(reg))
    stripe_fake.down = True
    assert deliver(client, payload).status_code == 503
    nothing_changed(reg)
    stripe_fake.down = False
    assert deliver(client, payload).status_code == 200
    assert fresh(reg).status is S.CONFIRMED


def test_the_webhook_needs_no_csrf_token_and_answers_json(
    client, factories, programme, stripe_fake
):
    reg = held(factories, programme)
    response = deliver(client, paid_event(stripe_fake, checkout(reg)))
    assert response.status_code == 200
    assert json.loads(response.get_data()) == {"received": True, "outcome": "confirmed"}


# --- expired ----------------------------------------------------------------------------------


def test_expired_after_completed_stays_paid(client, factories, programme, stripe_fake):
    reg = held(factories, programme)
    session_id = checkout(reg)
    completed = stripe_fake.pay(session_id)
    # The expired event arrives (first, or after): the session says complete and paid.
    stale = {**completed, "status": "expired"}
    send_event(client, stripe_fake, "checkout.session.expired", stale)
    assert fresh(reg).status is S.HELD  # not released: Stripe says the session is complete
    send_event(client, stripe_fake, "checkout.session.completed", completed)
    send_event(client, stripe_fake, "checkout.session.expired", stale)
    assert fresh(reg).status is S.CONFIRMED
    assert len(payments_of(reg)) == 1
    assert len(mails("registration.confirmed")) == 1


def test_expired_releases_the_seat_to_the_waiting_list(client, factories, stripe_fake):
    programme = factories.programme(min_participants=2, max_participants=2)
    factories.registration(programme)
    reg = held(factories, programme)
    waiting = factories.registration(programme)
    assert waiting.status is S.WAITLISTED
    db.session.commit()
    session_id = checkout(reg)
    send_event(client, stripe_fake, "checkout.session.expired", stripe_fake.expire(session_id))
    assert fresh(reg).status is S.HOLD_EXPIRED
    assert fresh(waiting).status is S.OFFERED
    assert [m.to_addr for m in mails("registration.offer")] == [waiting.email]
    assert "registration.hold_released" in audit_actions("registration.")


def test_expired_event_of_a_replaced_session_leaves_the_new_one_alone(
    client, factories, programme, stripe_fake
):
    reg = held(factories, programme, minutes=60)
    old = checkout(reg)
    stripe_fake.expire(old)
    new = checkout(reg)
    send_event(client, stripe_fake, "checkout.session.expired", stripe_fake.sessions[old])
    fresh(reg)
    assert reg.status is S.HELD and reg.checkout_session_id == new


# --- async payment failed -------------------------------------------------------------------------


def test_async_payment_failed_releases_the_seat_and_offers_it(client, factories, stripe_fake):
    programme = factories.programme(min_participants=2, max_participants=2)
    factories.registration(programme)
    reg = held(factories, programme)
    first, second = factories.registration(programme), factories.registration(programme)
    db.session.commit()
    session_id = checkout(reg)
    send_event(client, stripe_fake, "checkout.session.completed", stripe_fake.pay_async(session_id))
    assert fresh(reg).status is S.HELD
    response = send_event(
        client,
        stripe_fake,
        "checkout.session.async_payment_failed",
        stripe_fake.async_fail(session_id),
    )
    assert response.status_code == 200
    assert fresh(reg).status is S.HOLD_EXPIRED
    assert fresh(first).status is S.OFFERED
    assert fresh(second).status is S.WAITLISTED
    assert [m.to_addr for m in mails("registration.offer")] == [first.email]
    assert [m.to_addr for m in mails("payments.payment_failed")] == [reg.email]
    assert payments_of(reg) == []


def test_a_failed_event_for_a_payment_that_is_still_processing_changes_nothing(
    client, factories, programme, stripe_fake
):
    reg = held(factories, programme)
    session_id = checkout(reg)
    session = stripe_fake.pay_async(session_id)
    send_event(client, stripe_fake, "checkout.session.async_payment_failed", session)
    assert fresh(reg).status is S.HELD
    assert mails("payments.payment_failed") == []


def test_each_event_id_is_stored_once(client, factories, programme, stripe_fake):
    reg = held(factories, programme)
    payload = paid_event(stripe_fake, checkout(reg))
    deliver(client, payload)
    deliver(client, payload)
    event_id = json.loads(payload)["id"]
    assert count(StripeEvent, StripeEvent.event_id == event_id) == 1
    assert count(Payment) == 1


def test_a_held_seat_paid_in_time_but_reported_late_is_still_seated(
    client, factories, programme, stripe_fake
):
    # The payer paid before the session ended; the event reached us after the hold's end,
    # before anything else released the seat.
    reg = held(factories, programme)
    session_id = checkout(reg)
    reg.hold_expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    send_event(client, stripe_fake, "checkout.session.completed", stripe_fake.pay(session_id))
    assert fresh(reg).status is S.CONFIRMED
