"""Starting an online payment: the Checkout Session werklab asks Stripe for, and its hold."""

from __future__ import annotations

import calendar
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.conftest import csrf_from
from tests.payments.helpers import checkout, fresh, held
from werklab.db import utcnow
from werklab.payments import services as payments
from werklab.registration import services as registration_services
from werklab.registration.models import RegistrationStatus as S


def ts(moment) -> int:
    return calendar.timegm(moment.utctimetuple())


def test_checkout_session_carries_the_registration_and_ends_with_the_hold(
    factories, programme, stripe_fake
):
    now = utcnow()
    reg = held(factories, programme, now=now, locale="nl")
    url = payments.start_checkout(reg, now=now)
    fresh(reg)
    session = stripe_fake.sessions[reg.checkout_session_id]
    assert url == session["url"]
    assert session["mode"] == "payment"
    assert session["currency"] == "eur"
    # The fee excludes VAT: online payers pay fee + 21% VAT, as invoice payers do.
    assert (programme.fee_cents, programme.vat_rate_bp) == (75000, 2100)
    assert session["amount_total"] == 90750
    assert session["payment_method_types"] == ["ideal", "card"]
    [line] = session["line_items_sent"]
    assert line["price_data"]["unit_amount"] == "90750"
    assert line["price_data"]["product_data"]["name"] == (
        f"{programme.title} (€\xa0750,00 excl. btw + 21% btw)"
    )
    assert line["quantity"] == "1"
    assert session["client_reference_id"] == str(reg.id)
    assert session["metadata"] == {"registration_id": str(reg.id)}
    assert session["customer_email"] == reg.email
    token = registration_services.manage_token(reg)
    assert session["success_url"] == (
        f"http://werklab.test/inschrijving/{token}/betaald?session_id={{CHECKOUT_SESSION_ID}}"
    )
    assert session["cancel_url"] == f"http://werklab.test/inschrijving/{token}"
    # Stripe wants 30 minutes at least; the hold and the session end at the same second.
    assert session["expires_at"] == ts(reg.hold_expires_at)
    assert reg.hold_expires_at >= now + timedelta(minutes=30)
    assert reg.hold_expires_at <= now + timedelta(minutes=32)
    assert reg.status is S.HELD


def test_a_longer_hold_is_kept_as_it_is(factories, programme, stripe_fake):
    now = utcnow()
    reg = held(factories, programme, now=now, minutes=90)
    expected = reg.hold_expires_at.replace(microsecond=0) + timedelta(
        seconds=1 if reg.hold_expires_at.microsecond else 0
    )
    checkout(reg, now=now)
    assert stripe_fake.sessions[reg.checkout_session_id]["expires_at"] == ts(expected)
    assert fresh(reg).hold_expires_at == expected


def test_coming_back_reuses_the_open_session(factories, programme, stripe_fake):
    reg = held(factories, programme)
    first = payments.start_checkout(reg, now=utcnow())
    second = payments.start_checkout(reg, now=utcnow())
    assert first == second
    assert len(stripe_fake.calls_to("POST", "/v1/checkout/sessions")) == 1


def test_a_new_session_once_the_old_one_has_expired(factories, programme, stripe_fake):
    reg = held(factories, programme, minutes=60)
    old = checkout(reg)
    stripe_fake.expire(old)
    new = checkout(reg)
    assert new != old
    assert stripe_fake.sessions[new]["status"] == "open"


def test_stripe_down_keeps_the_hold_and_says_so(factories, programme, stripe_fake):
    reg = held(factories, programme)
    stripe_fake.down = True
    with pytest.raises(payments.PaymentUnavailable) as caught:
        payments.start_checkout(reg, now=utcnow())
    assert "probeer het over een paar minuten" in caught.value.message
    fresh(reg)
    assert reg.status is S.HELD and reg.checkout_session_id is None
    stripe_fake.down = False
    assert checkout(reg)  # the person tries again from the manage page


def test_nothing_to_pay_when_the_hold_is_over(factories, programme, stripe_fake):
    now = utcnow()
    reg = held(factories, programme, now=now - timedelta(minutes=40))
    with pytest.raises(payments.NothingToPay):
        payments.start_checkout(reg, now=now)
    confirmed = factories.registration(programme)
    with pytest.raises(payments.NothingToPay):
        payments.start_checkout(confirmed, now=now)
    assert stripe_fake.calls == []


def test_online_payment_is_off_without_a_secret_key(app, monkeypatch):
    monkeypatch.setitem(app.config, "STRIPE_SECRET_KEY", None)
    with app.app_context():
        assert payments.online_payment_enabled() is False


def test_pay_button_sends_the_payer_to_checkout(client, factories, programme, stripe_fake):
    reg = held(factories, programme)
    token = registration_services.manage_token(reg)
    page = client.get(f"/inschrijving/{token}")
    response = client.post(
        f"/inschrijving/{token}/betalen",
        data={"csrf_token": csrf_from(page.get_data(as_text=True))},
    )
    assert response.status_code == 303
    location = urlsplit(response.headers["Location"])
    assert f"{location.scheme}://{location.netloc}" == stripe_fake.url
    assert location.path == f"/pay/{fresh(reg).checkout_session_id}"
    assert parse_qs(location.query) == {}


def token_for_form(client) -> str:
    return csrf_from(client.get("/inloggen").get_data(as_text=True))


def test_pay_button_for_a_confirmed_place_explains(client, factories, programme, stripe_fake):
    reg = factories.registration(programme)
    token = registration_services.manage_token(reg)
    response = client.post(
        f"/inschrijving/{token}/betalen",
        data={"csrf_token": token_for_form(client)},
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert "niets (meer) te betalen" in response.get_data(as_text=True)
    assert stripe_fake.calls == []


def test_without_keys_the_payment_pages_do_not_exist(
    client, app, factories, programme, monkeypatch
):
    monkeypatch.setitem(app.config, "STRIPE_SECRET_KEY", None)
    reg = factories.registration(programme)
    token = registration_services.manage_token(reg)
    assert client.get(f"/inschrijving/{token}/betaald?session_id=cs_test_x").status_code == 404
    response = client.post(
        f"/inschrijving/{token}/betalen", data={"csrf_token": token_for_form(client)}
    )
    assert response.status_code == 404
