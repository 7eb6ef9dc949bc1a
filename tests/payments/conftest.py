"""Online payment switched on, against the local fake of Stripe (tests/payments/fake_stripe.py)."""

from __future__ import annotations

import pytest

from tests.payments.fake_stripe import FakeStripe
from tests.payments.helpers import WEBHOOK_SECRET


@pytest.fixture(scope="session")
def fake_stripe():
    fake = FakeStripe()
    yield fake
    fake.stop()


@pytest.fixture(autouse=True)
def stripe_fake(app, fake_stripe, monkeypatch):
    """The fake, emptied, with the app's Stripe settings pointing at it for this test."""
    fake_stripe.reset()
    monkeypatch.setitem(app.config, "STRIPE_SECRET_KEY", FakeStripe.secret_key)
    monkeypatch.setitem(app.config, "STRIPE_WEBHOOK_SECRET", WEBHOOK_SECRET)
    monkeypatch.setitem(app.config, "STRIPE_API_BASE", fake_stripe.url)
    return fake_stripe
