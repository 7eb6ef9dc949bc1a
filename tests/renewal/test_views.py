"""The renewal pages as a person uses them: the coordinator opens it and sees the answers;
the participant renews (invoice or online, against the fake Stripe) or declines through the
link; the public sees "opens on"; bad input changes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.conftest import csrf_from, outbox
from tests.participant.conftest import sign_in as participant_sign_in
from tests.payments.fake_stripe import FakeStripe
from tests.payments.helpers import WEBHOOK_SECRET
from tests.renewal.helpers import invitation_of, link_in, running_cop
from tests.workspace.helpers import sign_in, staff, text
from werklab.catalog.models import ProgrammeKind
from werklab.db import utcnow
from werklab.extensions import db
from werklab.registration.models import Registration, RegistrationStatus
from werklab.renewal import services
from werklab.renewal.models import InvitationStatus, Renewal

S = RegistrationStatus


@pytest.fixture
def cop(factories):
    programme, seated = running_cop(factories, 3, now=utcnow(), fee_cents=80000)
    db.session.commit()
    return programme, seated


@pytest.fixture
def coordinator(client):
    user = staff("cora@example.nl", "Cora", coordinator=True, trainer=False)
    db.session.commit()
    sign_in(client, user)
    return user


def opened(programme, days: int = 14) -> Renewal:
    now = utcnow()
    renewal = services.open_renewal(
        programme,
        services.RenewalData(title="CoP Burgerkracht 2027", deadline=now + timedelta(days=days)),
        actor="test",
        now=now,
    )
    db.session.commit()
    return renewal


def post(client, path: str, **data):
    token = csrf_from(text(client.get(path)))
    return client.post(path, data={"csrf_token": token, **data})


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


# --- the coordinator -------------------------------------------------------------------------


def test_the_coordinator_opens_the_renewal(client, cop, coordinator):
    programme, seated = cop
    path = f"/beheer/programma/{programme.id}/verlenging/openen"
    page = text(client.get(path))
    assert "Verlenging van CoP Burgerkracht 2026 openen" in page
    assert 'value="CoP Burgerkracht 2027"' in page
    assert "De 3 geplaatste deelnemers krijgen elk een persoonlijke link" in page
    day = (utcnow() + timedelta(days=20)).date()
    response = post(
        client,
        path,
        title="CoP Burgerkracht 2027",
        deadline_date=day.isoformat(),
        next_programme="",
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/beheer/programma/{programme.id}/verlenging")
    page = text(client.get(response.headers["Location"]))
    assert "3 deelnemers hebben hun persoonlijke link gekregen" in page
    assert "Nog geen antwoord (3)" in page
    assert seated[0].full_name in page
    assert len(outbox("renewal.invitation")) == 3
    # Opened once: the form now leads to the overview.
    assert client.get(path).status_code == 302


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (dict(title=""), "Geef het traject van volgend jaar een titel."),
        (dict(title="x" * 201), "De titel mag hoogstens 200 tekens zijn."),
        (dict(title="CoP\r\n2027"), "één regel"),
        (dict(deadline_date="31-02-2027"), "Vul een datum in"),
        (dict(deadline_date="2001-01-01"), "De verlengingstermijn moet in de toekomst liggen."),
        (dict(next_programme="999999"), "Kies een van de aangeboden trajecten."),
        (dict(next_programme="<script>"), "Kies een van de aangeboden trajecten."),
    ],
)
def test_bad_input_when_opening_stores_nothing(client, cop, coordinator, data, message):
    programme, _ = cop
    path = f"/beheer/programma/{programme.id}/verlenging/openen"
    form = {
        "title": "CoP 2027",
        "deadline_date": (utcnow() + timedelta(days=20)).date().isoformat(),
        "next_programme": "",
        **data,
    }
    response = post(client, path, **form)
    assert response.status_code in (400, 409)
    assert message in text(response)
    assert count(Renewal) == 0 and outbox("renewal.invitation") == []


def test_a_werklab_has_no_renewal(client, factories, coordinator):
    werklab = factories.programme(kind=ProgrammeKind.WERKLAB)
    db.session.commit()
    assert client.get(f"/beheer/programma/{werklab.id}/verlenging/openen").status_code == 403


def test_the_overview_shows_renewed_declined_and_waiting(client, cop, coordinator):
    programme, seated = cop
    renewal = opened(programme)
    now = utcnow()
    from tests.renewal.test_services import details

    services.renew(invitation_of(seated[0]), details(seated[0]), now=now)
    services.decline_renewal(invitation_of(seated[1]), now=now)
    db.session.commit()
    page = text(client.get(f"/beheer/programma/{programme.id}/verlenging"))
    assert "Verlengd (1)" in page and "Gaan niet verder (1)" in page
    assert "Nog geen antwoord (1)" in page
    renewed_at = page.index("Verlengd (1)")
    assert page.index(seated[0].full_name) > renewed_at
    assert "Volgend jaar: CoP Burgerkracht 2027" in page
    assert renewal.next_programme.title in page


def test_no_renewal_yet(client, cop, coordinator):
    programme, _ = cop
    page = text(client.get(f"/beheer/programma/{programme.id}/verlenging"))
    assert "Voor dit traject is geen verlenging geopend." in page
    manage = text(client.get(f"/beheer/programma/{programme.id}"))
    assert (
        f"/beheer/programma/{programme.id}/verlenging" in manage
        and "Volgend jaar (verlenging)" in manage
    )
    assert f"/beheer/programma/{programme.id}/verlenging/openen" in page


# --- the participant's link ------------------------------------------------------------------


def _form(page: str) -> dict:
    """The values the renewal page filled in (what the browser would send back)."""
    import re

    values = dict(re.findall(r'<input[^>]*name="([a-z_]+)"[^>]*value="([^"]*)"', page))
    values.pop("csrf_token", None)
    sector = re.search(r'<option selected value="([a-z_]+)"', page) or re.search(
        r'<option value="([a-z_]+)" selected', page
    )
    values["sector"] = sector.group(1) if sector else ""
    question = re.search(r'<textarea[^>]*name="learning_question"[^>]*>\s*([^<]*)</textarea>', page)
    values["learning_question"] = question.group(1).strip() if question else ""
    return values


def _invoice_fields():
    return {
        "payment_method": "invoice",
        "billing_organisation": "Gemeente Ede",
        "billing_street": "Postbus 9022",
        "billing_postcode": "6710 HK",
        "billing_city": "Ede",
        "billing_country": "NL",
        "billing_legal_id": "12345678",
        "billing_email": "facturen@ede.example",
        "billing_reference": "PO-2027",
    }


def test_renewing_by_invoice_through_the_link(client, cop):
    programme, seated = cop
    renewal = opened(programme)
    path = link_in(outbox("renewal.invitation")[0])
    person = next(r for r in seated if r.email == outbox("renewal.invitation")[0].to_addr)
    page = text(client.get(path))
    assert "Verdergaan met CoP Burgerkracht 2027" in page
    assert f'value="{person.first_name}"' in page and f'value="{person.email}"' in page
    assert "Jaarbijdrage:" in page and "968,00" in page  # 800 + 21 % VAT
    values = _form(page)
    assert values["sector"] == person.sector.value
    values.update(_invoice_fields(), job_title="Teamleider", privacy_consent="y")
    response = post(client, path, **values)
    assert response.status_code == 302, text(response)
    assert "/inschrijving/" in response.headers["Location"]
    new = db.session.scalar(
        select(Registration).where(Registration.programme_id == renewal.next_programme_id)
    )
    assert (new.status, new.job_title, new.email) == (S.CONFIRMED, "Teamleider", person.email)
    assert invitation_of(person).status is InvitationStatus.RENEWED
    assert [m.to_addr for m in outbox("registration.confirmed")][-1] == person.email
    # The link once more: it says so, and changes nothing.
    page = text(client.get(path))
    assert "Je hebt verlengd" in page
    again = client.get(f"{path}/afzien")
    assert "Je hebt verlengd" in text(again)
    assert count(Registration, Registration.programme_id == renewal.next_programme_id) == 1


def test_renewing_online_goes_to_checkout(client, app, cop, monkeypatch):
    fake = FakeStripe()
    try:
        monkeypatch.setitem(app.config, "STRIPE_SECRET_KEY", FakeStripe.secret_key)
        monkeypatch.setitem(app.config, "STRIPE_WEBHOOK_SECRET", WEBHOOK_SECRET)
        monkeypatch.setitem(app.config, "STRIPE_API_BASE", fake.url)
        programme, seated = cop
        renewal = opened(programme)
        mail = outbox("renewal.invitation")[0]
        path = link_in(mail)
        page = text(client.get(path))
        assert "Nu online betalen" in page
        values = _form(page)
        values.update(payment_method="online", privacy_consent="y")
        response = post(client, path, **values)
        assert response.status_code == 303, text(response)
        assert response.headers["Location"].startswith(fake.url)
        new = db.session.scalar(
            select(Registration).where(Registration.programme_id == renewal.next_programme_id)
        )
        assert new.status is S.HELD and new.checkout_session_id
        [session] = fake.sessions.values()
        assert session["line_items_sent"][0]["price_data"]["unit_amount"] == "96800"
    finally:
        fake.stop()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (dict(first_name=""), "Vul je voornaam in."),
        (dict(email="geen-adres"), "Dit is geen geldig e-mailadres"),
        (dict(first_name="A" * 101), "Je voornaam mag maximaal 100 tekens lang zijn."),
        (dict(last_name="de\nVries"), "één regel"),
        (dict(sector="piraat"), "Kies je sector."),
        (dict(privacy_consent=""), "privacyverklaring"),
        (dict(payment_method="bitcoin"), "Kies hoe je wilt betalen."),
        (dict(billing_postcode=""), "Vul de postcode in."),
        (dict(learning_question="\x00"), ""),
    ],
)
def test_bad_input_on_the_renewal_form_stores_nothing(client, cop, change, message):
    programme, seated = cop
    renewal = opened(programme)
    path = link_in(outbox("renewal.invitation")[0])
    values = _form(text(client.get(path)))
    values.update(_invoice_fields(), privacy_consent="y")
    values.update(change)
    response = post(client, path, **values)
    assert response.status_code in (400, 409), response.status_code
    assert message in text(response)
    assert count(Registration, Registration.programme_id == renewal.next_programme_id) == 0
    assert {i.status for i in renewal.invitations} == {InvitationStatus.WAITING}


def test_declining_through_the_link(client, cop):
    programme, seated = cop
    renewal = opened(programme)
    mail = outbox("renewal.invitation")[0]
    path = link_in(mail)
    page = text(client.get(f"{path}/afzien"))
    assert "Ga je niet verder met CoP Burgerkracht 2027?" in page
    response = post(client, f"{path}/afzien")
    assert response.status_code == 302
    page = text(client.get(response.headers["Location"]))
    assert "Dank je wel voor het laten weten" in page
    assert "Je hebt laten weten dat je niet verdergaat" in page
    declined = [i for i in renewal.invitations if i.status is InvitationStatus.DECLINED]
    assert [i.registration.email for i in declined] == [mail.to_addr]
    assert [m.to_addr for m in outbox("renewal.declined")] == [mail.to_addr]


def test_an_expired_link(client, cop):
    programme, seated = cop
    renewal = opened(programme)
    path = link_in(outbox("renewal.invitation")[0])
    renewal.deadline = utcnow() - timedelta(minutes=1)
    db.session.commit()
    response = client.get(path)
    assert response.status_code == 410
    assert "Deze verlenglink is verlopen" in text(response)
    assert client.get(f"{path}/afzien").status_code == 410


def test_an_unknown_link(client):
    assert client.get("/verlengen/onzin").status_code == 404
    assert client.get("/verlengen/" + "x" * 500).status_code == 404
    assert client.get("/verlengen/onzin/afzien").status_code == 404


# --- priority before the public opening ------------------------------------------------------


def test_the_public_sees_opens_on_and_cannot_register(client, cop, factories):
    programme, _ = cop
    renewal = opened(programme)
    nxt = renewal.next_programme
    page = client.get(f"/programma/{nxt.slug}")
    assert page.status_code == 200
    assert "Opent op" in text(page) and "De deelnemers van dit jaar kunnen eerst" in text(page)
    response = client.get(f"/programma/{nxt.slug}/inschrijven")
    assert response.status_code == 409 and "Opent op" in text(response)
    token = csrf_from(text(client.get("/inloggen")))
    response = client.post(
        f"/programma/{nxt.slug}/inschrijven", data={"csrf_token": token, "first_name": "Eva"}
    )
    assert response.status_code == 409
    assert nxt.title not in text(client.get("/"))
    assert count(Registration, Registration.programme_id == nxt.id) == 0
    # After the deadline it is an ordinary programme.
    services.close_renewal(renewal.id, now=renewal.deadline + timedelta(seconds=1))
    db.session.commit()
    assert "Opent op" not in text(client.get(f"/programma/{nxt.slug}"))
    assert client.get(f"/programma/{nxt.slug}/inschrijven").status_code == 200
    assert client.get("/programma/bestaat-niet").status_code == 404


# --- at the longest the forms allow, with any character -------------------------------------


def test_renewal_at_maximum_length(client, cop, app, monkeypatch):
    from tests.test_max_length import REGISTRATION, assert_mails_built, email_of, longest

    monkeypatch.setitem(app.config, "MAIL_BACKEND", "log")
    programme, seated = cop
    now = utcnow()
    renewal = services.open_renewal(
        programme,
        services.RenewalData(title=longest(200), deadline=now + timedelta(days=14)),
        actor="test",
        now=now,
    )
    db.session.commit()
    assert_mails_built()
    path = link_in(outbox("renewal.invitation")[0])
    data = {**REGISTRATION, "email": email_of(), "billing_email": email_of()}
    response = post(client, path, **data)
    assert response.status_code == 302, text(response)[-2000:]
    new = db.session.scalar(
        select(Registration).where(Registration.programme_id == renewal.next_programme_id)
    )
    assert new.full_name == f"{longest(100)} {longest(100)}"
    assert new.email == email_of()
    assert_mails_built()


@pytest.mark.parametrize(
    "bad", ["Jan\r\nBcc: x@evil.example", "Jan \x1b[31mrood", "Jan\u2028Piet", "Jan\x85Piet"]
)
def test_one_line_fields_refuse_line_breaks_and_controls(client, cop, coordinator, bad):
    programme, _ = cop
    path = f"/beheer/programma/{programme.id}/verlenging/openen"
    day = (utcnow() + timedelta(days=20)).date().isoformat()
    response = post(client, path, title=bad, deadline_date=day, next_programme="")
    assert response.status_code == 400
    assert "Gebruik één regel, zonder regeleinden of speciale tekens." in text(response)
    assert count(Renewal) == 0


# --- Mijn traject ----------------------------------------------------------------------------


def test_mijn_traject_shows_the_open_invitation_until_it_is_answered(client, cop):
    """Beside the personal mail, the invitation waits under "Mijn traject" with its deadline
    and both answers; it goes once answered, and is not shown after the deadline."""
    programme, seated = cop
    opened(programme)
    me, other = seated[0], seated[1]
    mine = invitation_of(me)
    participant_sign_in(client, me.email)
    page = text(client.get("/mijn-traject/"))
    assert "Volgend jaar verdergaan" in page
    assert "Je bent uitgenodigd om verder te gaan in CoP Burgerkracht 2027" in page
    assert f'href="/verlengen/{mine.token}"' in page
    assert f'href="/verlengen/{mine.token}/afzien"' in page
    assert invitation_of(other).token not in page  # only one's own

    # Answered: no longer asked.
    response = post(client, f"/verlengen/{mine.token}/afzien")
    assert response.status_code == 302
    assert "Volgend jaar verdergaan" not in text(client.get("/mijn-traject/"))


def test_mijn_traject_shows_no_invitation_after_the_deadline(client, cop):
    programme, seated = cop
    renewal = opened(programme)
    participant_sign_in(client, seated[0].email)
    assert "Volgend jaar verdergaan" in text(client.get("/mijn-traject/"))
    renewal.deadline = utcnow() - timedelta(minutes=1)
    db.session.commit()
    page = text(client.get("/mijn-traject/"))
    assert "Volgend jaar verdergaan" not in page
    assert "/verlengen/" not in page
