"""The whole flow: intake → quote → accept → programme with three sessions → invitation
link → 15 colleagues seated, the 16th on the waiting list; and the invitation rules."""

from __future__ import annotations

import re

from sqlalchemy import select

from tests.conftest import outbox
from tests.intake.conftest import acceptance, csrf, sign_in, text
from tests.intake.test_accept import ACCEPT
from tests.intake.test_request import FORM
from werklab.accounts import services as accounts
from werklab.catalog import services as catalog
from werklab.extensions import db
from werklab.intake import services
from werklab.intake.models import BookingRequest, RequestStatus
from werklab.registration.models import Registration, RegistrationStatus

PERSON = {
    "first_name": "Collega",
    "last_name": "Zwolle",
    "organisation": "Gemeente Zwolle",
    "sector": "government",
    "job_title": "Beleidsadviseur",
    "privacy_consent": "y",
}


def _link(mail) -> str:
    return re.search(r"http://werklab\.test(/\S+)", mail.body_text).group(1)


def _open(programme) -> None:
    for n in (1, 2):
        trainer = accounts.create_user(
            f"trainer{n}@werklab.nl", f"Trainer {n}", trainer=True, actor="test"
        )
        catalog.assign_trainer(programme, trainer, actor="test")
    catalog.open_registration(programme, actor="test")
    db.session.commit()


def _register(client, url: str, email: str):
    data = {**PERSON, "email": email, "csrf_token": csrf(client, url)}
    return client.post(url, data=data)


def test_intake_to_a_full_werklab(app, client, coordinator):
    # 1. The municipality asks.
    client.post("/werklab-aanvragen", data={**FORM, "csrf_token": csrf(client)})
    booking = db.session.execute(select(BookingRequest)).scalar_one()

    # 2. The coordinator makes and sends the quote.
    admin = app.test_client()
    sign_in(admin, "cora@example.nl")
    url = f"/beheer/aanvragen/{booking.id}/offerte"
    data = {"csrf_token": csrf(admin, url), "vat_rate": "21", "valid_until": "2099-12-31"}
    for i, (description, amount) in enumerate(
        [("Intake en voorbereiding", "1200"), ("Drie bijeenkomsten", "4500"), ("Reiskosten", "150")]
    ):
        data[f"lines-{i}-description"], data[f"lines-{i}-amount"] = description, amount
    assert admin.post(url, data=data).status_code == 302
    detail = f"/beheer/aanvragen/{booking.id}"
    admin.post(f"{detail}/offerte/versturen", data={"csrf_token": csrf(admin, detail)})

    # 3. The contact accepts from the link in the mail.
    quote_path = _link(outbox("intake.quote")[0])
    page = text(client.get(quote_path))
    assert "7.078,50" in page  # 5.850,00 + 21 % VAT
    response = client.post(
        f"{quote_path}/accepteren", data={**ACCEPT, "csrf_token": csrf(client, quote_path)}
    )
    assert response.status_code == 302
    db.session.refresh(booking)
    assert booking.status is RequestStatus.ACCEPTED
    programme = booking.programme
    assert len(programme.sessions) == 3

    # 4. The contact signs in with the link and finds the dashboard with the invitation.
    contact = app.test_client()
    sign_in_path = _link(outbox("accounts.login_link")[0])
    response = contact.get(sign_in_path)
    if response.status_code == 200:  # a confirm step before the link is spent
        response = contact.post(sign_in_path, data={"csrf_token": csrf(contact, sign_in_path)})
    dashboard = text(contact.get(f"/gemeente/{booking.id}", follow_redirects=True))
    assert programme.title in dashboard
    assert "Op de koffie bij bewonersinitiatieven" in dashboard
    invitation = services.invitation_url(programme)
    assert invitation.replace("&", "&amp;") in dashboard

    # The coordinator plans the trainers and opens registration.
    _open(programme)
    register_path = invitation.removeprefix("http://werklab.test")

    # Without the invitation token nobody gets in.
    plain = f"/programma/{programme.slug}/inschrijven"
    assert client.get(plain).status_code == 404
    assert client.get(f"/programma/{programme.slug}").status_code == 404

    # 15 colleagues get a seat, the 16th joins the waiting list.
    for n in range(16):
        response = _register(app.test_client(), register_path, f"collega{n}@zwolle.nl")
        assert response.status_code == 302, text(response)
    statuses = [
        r.status
        for r in db.session.execute(
            select(Registration)
            .where(Registration.programme_id == programme.id)
            .order_by(Registration.id)
        ).scalars()
    ]
    assert statuses == [RegistrationStatus.CONFIRMED] * 15 + [RegistrationStatus.WAITLISTED]

    # The contact sees names only and the seats bar.
    dashboard = text(contact.get(f"/gemeente/{booking.id}"))
    assert "Collega Zwolle" in dashboard and "collega3@zwolle.nl" not in dashboard
    assert "15 van 15 plaatsen bezet" in dashboard and "wachtlijst" in dashboard


def test_restricted_domain_gets_a_clear_message(app, client, sent_quote, booking):
    services.accept_quote(sent_quote, acceptance(), now=sent_quote.sent_at)
    programme = booking.programme
    _open(programme)
    contact = app.test_client()
    user = booking.contacts[0]
    accounts.set_password(user, "lang-genoeg-wachtwoord", actor="test")
    db.session.commit()
    sign_in(contact, user.email)
    url = f"/gemeente/{booking.id}"
    response = contact.post(
        url, data={"csrf_token": csrf(contact, url), "domains": "@Arnhem.nl, gemeente-arnhem.nl"}
    )
    assert response.status_code == 302
    assert services.allowed_domains(programme.id) == ["arnhem.nl", "gemeente-arnhem.nl"]
    register_path = services.invitation_url(programme).removeprefix("http://werklab.test")

    response = _register(client, register_path, "iemand@gmail.com")
    assert response.status_code == 422
    page = text(response)
    assert "alleen open voor e-mailadressen die eindigen op @arnhem.nl, @gemeente-arnhem.nl" in page
    assert db.session.execute(select(Registration)).first() is None
    assert _register(app.test_client(), register_path, "iemand@arnhem.nl").status_code == 302

    # A wrong domain in the form is refused, the old setting stays.
    response = contact.post(url, data={"csrf_token": csrf(contact, url), "domains": "geen domein!"})
    assert response.status_code == 422
    assert services.allowed_domains(programme.id) == ["arnhem.nl", "gemeente-arnhem.nl"]


def test_dashboard_is_only_for_the_contact_and_coordinators(app, client, sent_quote, booking):
    services.accept_quote(sent_quote, acceptance(), now=sent_quote.sent_at)
    other = accounts.create_user(
        "ander@example.nl", "Ander", password="lang-genoeg-wachtwoord", actor="test"
    )
    db.session.commit()
    assert other
    stranger = app.test_client()
    sign_in(stranger, "ander@example.nl")
    assert stranger.get(f"/gemeente/{booking.id}").status_code == 403
    admin = app.test_client()
    sign_in(admin, "cora@example.nl")
    assert admin.get(f"/gemeente/{booking.id}").status_code == 200
    assert client.get(f"/gemeente/{booking.id}").status_code == 302
