"""A coordinator in a real browser: cancel someone's registration on their behalf with a
refund of their online payment (against the Stripe fake), then write to a homework group."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from tests.conftest import with_bodies
from tests.factories import Factories
from tests.payments.fake_stripe import FakeStripe
from tests.payments.helpers import WEBHOOK_SECRET
from werklab.accounts import services as accounts
from werklab.db import utcnow
from werklab.extensions import db
from werklab.groups import services as groups
from werklab.mail import OutboxMail
from werklab.payments import services as payments
from werklab.payments.models import Refund
from werklab.registration.models import PaymentMethod, Registration
from werklab.registration.models import RegistrationStatus as S

pytestmark = pytest.mark.e2e

PASSWORD = "lang-genoeg-wachtwoord"
#: The elements that stick out on the right (a table scrolls in its own box), for the message.
WIDEST = """[...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > 392 && !e.closest('.table-wrap'))
  .slice(0, 3).map(e => e.tagName + '.' + e.className)"""


@pytest.fixture
def stripe_live(live_server):
    """The live app pointed at a local Stripe fake for this test."""
    fake = FakeStripe()
    config = live_server.app.config
    saved = {
        k: config.get(k) for k in ("STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET", "STRIPE_API_BASE")
    }
    config.update(
        STRIPE_SECRET_KEY=FakeStripe.secret_key,
        STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET,
        STRIPE_API_BASE=fake.url,
    )
    yield fake
    config.update(saved)
    fake.stop()


@pytest.fixture
def running(live_server, stripe_live):
    """A programme with a coordinator, five seated participants in homework groups, one of
    whom (Lotte) paid online."""
    with live_server.app_context():
        f = Factories()
        programme = f.programme(title=f"CoP Browser {utcnow():%H%M%S%f}")
        coordinator = accounts.create_user(
            f"cora.{programme.id}@example.nl",
            "Cora Coördinator",
            password=PASSWORD,
            coordinator=True,
            actor="test",
        )
        lotte = f.registration(programme, first_name="Lotte", last_name="Jansen")
        lotte.status = S.HELD
        lotte.payment_method = PaymentMethod.ONLINE
        lotte.confirmed_at = None
        lotte.hold_expires_at = utcnow() + timedelta(minutes=30)
        others = [
            f.registration(programme, first_name=n, last_name="Visser")
            for n in ("Anna", "Bram", "Cees", "Dirk")
        ]
        db.session.commit()
        payments.start_checkout(lotte, now=utcnow())
        db.session.refresh(lotte)
        session_id = lotte.checkout_session_id
        stripe_live.pay(session_id)
        db.session.commit()
        payments.fulfil_checkout(session_id, now=utcnow())
        db.session.refresh(lotte)
        assert lotte.status is S.CONFIRMED
        groups.compose_groups(programme, size_min=2, size_max=3, seed=4, actor=None)
        db.session.commit()
        return {
            "programme_id": programme.id,
            "title": programme.title,
            "email": coordinator.email,
            "lotte": lotte.id,
            "others": [r.id for r in others],
        }


def test_coordinator_cancels_with_a_refund_and_writes_to_a_group(
    page: Page, live_server, running, stripe_live
):
    page.goto("/inloggen")
    form = page.locator("form[action='/inloggen']")
    form.locator("input[name=email]").fill(running["email"])
    form.locator("input[name=password]").fill(PASSWORD)
    form.get_by_role("button").click()
    expect(page).to_have_url(re.compile(r"/account$"))
    page.goto(f"/beheer/programma/{running['programme_id']}")
    expect(page.get_by_role("heading", level=1)).to_have_text(running["title"])
    participants = page.locator("#inschrijvingen")
    expect(participants.get_by_role("row", name=re.compile("Lotte Jansen"))).to_contain_text(
        "Online betaald"
    )

    # Cancel Lotte on her behalf, with the refund the policy gives.
    participants.get_by_role("link", name="Annuleren Lotte Jansen").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Lotte Jansen")
    refund = page.get_by_label("Online betaling terugbetalen")
    expect(refund).to_be_checked()
    page.get_by_role("button", name="Inschrijving annuleren").click()
    expect(page.locator(".error")).to_contain_text("Geef de reden")  # the reason is required
    page.get_by_label("Reden").fill("Langdurig ziek; op eigen verzoek")
    page.get_by_role("button", name="Inschrijving annuleren").click()
    expect(page.locator(".flash-success")).to_contain_text("Lotte Jansen is geannuleerd")
    expect(page.locator("#geschiedenis")).to_contain_text(
        "Cora Coördinator heeft de inschrijving van Lotte Jansen geannuleerd (terugbetaling; "
        "reden: Langdurig ziek; op eigen verzoek)"
    )
    with live_server.app_context():
        lotte = db.session.get(Registration, running["lotte"])
        assert lotte.status is S.CANCELLED
        [stored] = db.session.execute(select(Refund)).scalars().all()[-1:]
        assert stored.stripe_refund_id in stripe_live.refunds  # sent to Stripe after commit

    # Write to one homework group.
    page.get_by_role("link", name="Deelnemers schrijven").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Schrijf de mensen van")
    page.get_by_label("Eén huiswerkgroep").check()
    page.get_by_label("Huiswerkgroep", exact=True).select_option(index=1)
    group_name = page.get_by_label("Huiswerkgroep", exact=True).evaluate(
        "s => s.options[s.selectedIndex].text"
    )
    page.get_by_label("Onderwerp", exact=True).fill("Jullie opdracht")
    page.get_by_label("Bericht", exact=True).fill("Spreek voor volgende week af.\n\nGroet, Cora")
    page.get_by_role("button", name="Versturen").click()
    expect(page.locator(".flash-success")).to_contain_text("Je bericht is naar")
    expect(page.locator(".messages-sent")).to_contain_text("Jullie opdracht")
    expect(page.locator(".messages-sent")).to_contain_text(group_name)
    with live_server.app_context():
        mails = with_bodies(
            db.session.execute(
                select(OutboxMail).where(
                    OutboxMail.kind == "messages.message", OutboxMail.subject == "Jullie opdracht"
                )
            ).scalars()
        )
        assert mails and all(
            [address for _name, address in m.reply_to] == [running["email"]] for m in mails
        )
        members = {
            r.email
            for r in db.session.execute(
                select(Registration).where(Registration.id.in_(running["others"]))
            ).scalars()
        }
        assert {m.to_addr for m in mails} <= members
        assert all(m.body_text.startswith("Beste ") for m in mails)


def test_the_new_pages_fit_a_phone(page: Page, live_server, running):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/inloggen")
    form = page.locator("form[action='/inloggen']")
    form.locator("input[name=email]").fill(running["email"])
    form.locator("input[name=password]").fill(PASSWORD)
    form.get_by_role("button").click()
    expect(page).to_have_url(re.compile(r"/account$"))
    pid = running["programme_id"]
    for path in (
        f"/beheer/programma/{pid}",
        f"/beheer/inschrijving/{running['lotte']}/annuleren",
        f"/beheer/programma/{pid}/inschrijvingen/nieuw",
        f"/werkruimte/{pid}/berichten",
        "/beheer/logboek",
        f"/beheer/programma/{pid}/geschiedenis",
    ):
        page.goto(path)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        width = page.evaluate("document.documentElement.scrollWidth")
        wide = page.evaluate(WIDEST)
        assert width <= 390, f"{path} is {width}px wide on a phone: {wide}"
