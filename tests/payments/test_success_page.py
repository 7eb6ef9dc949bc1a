"""The page Stripe sends the payer back to: it fulfils only the registration's own, paid
session, and says politely when the payment is not (yet) confirmed."""

from __future__ import annotations

from tests.payments.helpers import checkout, fresh, held, mails, payments_of
from werklab.registration import services as registration_services
from werklab.registration.models import RegistrationStatus as S


def page(client, reg, session_id):
    token = registration_services.manage_token(reg)
    response = client.get(f"/inschrijving/{token}/betaald?session_id={session_id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


NOT_YET = "Je betaling is (nog) niet bevestigd"


def test_the_paid_session_confirms_the_place_once(client, factories, programme, stripe_fake):
    reg = held(factories, programme)
    session_id = checkout(reg)
    stripe_fake.pay(session_id)
    html = page(client, reg, session_id)
    assert "<h1>Bedankt voor je betaling</h1>" in html
    assert "Je plek in" in html and "is bevestigd" in html
    assert "€\xa0907,50" in html  # fee + 21% VAT
    assert fresh(reg).status is S.CONFIRMED
    page(client, reg, session_id)  # reloaded, or the webhook came too: nothing twice
    assert len(payments_of(reg)) == 1
    assert len(mails("registration.confirmed")) == 1


def test_a_forged_session_id_fulfils_nothing(client, factories, programme, stripe_fake):
    reg = held(factories, programme)
    checkout(reg)
    for forged in ["cs_test_forged", "../../v1/refunds", "", "cs_" + "x" * 300]:
        html = page(client, reg, forged)
        assert NOT_YET in html
    assert fresh(reg).status is S.HELD
    assert payments_of(reg) == []
    # Stripe was not even asked about them.
    assert not [c for c in stripe_fake.calls if c.method == "GET"]


def test_an_unpaid_session_fulfils_nothing_and_offers_to_pay(
    client, factories, programme, stripe_fake
):
    reg = held(factories, programme)
    session_id = checkout(reg)
    html = page(client, reg, session_id)
    assert NOT_YET in html
    assert "Nu betalen" in html
    assert fresh(reg).status is S.HELD
    assert payments_of(reg) == []


def test_someone_elses_paid_session_fulfils_nothing(client, factories, programme, stripe_fake):
    mine = held(factories, programme)
    theirs = held(factories, programme)
    checkout(mine)
    their_session = checkout(theirs)
    stripe_fake.pay(their_session)
    html = page(client, mine, their_session)
    assert NOT_YET in html
    assert fresh(mine).status is S.HELD
    # Their payment is theirs to confirm (through their own page or the webhook), not ours.
    assert fresh(theirs).status is S.HELD
    assert payments_of(mine) == [] and payments_of(theirs) == []


def test_stripe_unreachable_shows_the_pending_page(client, factories, programme, stripe_fake):
    reg = held(factories, programme)
    session_id = checkout(reg)
    stripe_fake.pay(session_id)
    stripe_fake.down = True
    html = page(client, reg, session_id)
    assert NOT_YET in html
    assert "We kunnen je betaling nu niet nagaan" in html
    assert fresh(reg).status is S.HELD


def test_an_unknown_token_is_not_found(client, stripe_fake):
    assert client.get("/inschrijving/geraden/betaald?session_id=cs_test_1").status_code == 404
