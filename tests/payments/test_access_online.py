"""The access matrix's six roles on the payment routes with online payment switched on."""

from __future__ import annotations

import pytest

from tests.access import ROLES
from tests.access.test_matrix import client_for
from tests.access.world import build_world
from tests.conftest import csrf_from
from tests.payments.helpers import checkout, fresh, held
from werklab.registration.models import RegistrationStatus as S


def form_token(client, role: str) -> str:
    page = client.get("/inloggen" if role == "anonymous" else "/account")
    return csrf_from(page.get_data(as_text=True))


@pytest.mark.parametrize("role", ROLES)
def test_payment_routes_for_every_role(app, role, factories, stripe_fake):
    world = build_world()
    client = client_for(app, world.users[role])
    # The webhook: only a signed delivery counts, whoever sends it.
    assert (
        client.post("/stripe/webhook", data=b"{}", content_type="application/json").status_code
        == 400
    )
    # The success page: whoever holds the manage link sees it; nothing is fulfilled.
    token = world.token(world.registration_a)
    assert client.get(f"/inschrijving/{token}/betaald?session_id=cs_test_x").status_code == 200
    assert client.get("/inschrijving/geraden/betaald?session_id=cs_test_x").status_code == 404
    # Paying: a confirmed place has nothing to pay (back to the manage page) ...
    csrf = form_token(client, role)
    confirmed = client.post(f"/inschrijving/{token}/betalen", data={"csrf_token": csrf})
    assert confirmed.status_code == 302
    assert confirmed.headers["Location"] == f"/inschrijving/{token}"
    # ... a held one goes to Checkout, for whoever holds its link.
    reg = held(factories, world.programme_x)
    pay = client.post(f"/inschrijving/{world.token(reg)}/betalen", data={"csrf_token": csrf})
    assert pay.status_code == 303
    assert pay.headers["Location"].startswith(stripe_fake.url)
    assert fresh(reg).status is S.HELD and reg.checkout_session_id == checkout(reg)
    assert (
        client.post("/inschrijving/geraden/betalen", data={"csrf_token": csrf}).status_code == 404
    )
    # Without a CSRF token, no payment is started.
    assert client.post(f"/inschrijving/{world.token(reg)}/betalen").status_code == 400
