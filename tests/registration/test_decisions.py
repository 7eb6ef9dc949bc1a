"""Go / no-go at the decision date, cancellation policy and passing a seat on."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.conftest import csrf_from, outbox
from werklab import jobs
from werklab.accounts import services as accounts
from werklab.audit import AuditEntry
from werklab.catalog.models import GoDecision, ProgrammeStatus
from werklab.db import utcnow
from werklab.extensions import db
from werklab.invoicing.documents import invoice_for
from werklab.registration import decisions, services
from werklab.registration.models import PaymentMethod
from werklab.registration.models import RegistrationStatus as S
from werklab.registration.signup import BillingDetails

NOW = utcnow().replace(microsecond=0)
BILLING = BillingDetails(
    organisation="Gemeente Ede",
    address="Postbus 9022\n6710 HK Ede",
    email="facturen@ede.example",
    reference="PO-123",
)


def invoiced(factories, programme, **kw):
    return factories.registration(
        programme, now=NOW, payment_method=PaymentMethod.INVOICE, billing=BILLING, **kw
    )


def text(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def staff(factories):
    coordinator = accounts.create_user("cora@example.nl", "Cora", coordinator=True, actor="t")
    trainer = accounts.create_user("tim@example.nl", "Tim", trainer=True, actor="t")
    other = accounts.create_user("tara@example.nl", "Tara", trainer=True, actor="t")
    return coordinator, trainer, other


def test_invoice_payer_is_seated_and_invoiced(factories):
    programme = factories.programme(now=NOW)
    registration = invoiced(factories, programme)
    assert registration.status is S.CONFIRMED
    invoice = invoice_for(registration)
    assert invoice is not None
    assert outbox("registration.confirmed")[-1].to_addr == registration.email


def test_invoice_payer_on_the_waiting_list_is_invoiced_when_seated(factories):
    programme = factories.programme(now=NOW, min_participants=1, max_participants=1)
    first = invoiced(factories, programme)
    waiting = invoiced(factories, programme)
    assert waiting.status is S.WAITLISTED and invoice_for(waiting) is None
    services.cancel_registration(first, actor="test", now=NOW)
    services.accept_offer(waiting, now=NOW)
    assert waiting.status is S.CONFIRMED
    assert invoice_for(waiting) is not None


def test_cancel_before_deadline_credits_the_invoice(factories):
    programme = factories.programme(now=NOW, cancellation_deadline=NOW + timedelta(days=7))
    registration = invoiced(factories, programme)
    services.cancel_registration(registration, actor="test", now=NOW)
    mail = outbox("registration.cancelled")[-1]
    assert "creditnota" in mail.body_text
    invoice = invoice_for(registration)
    assert invoice is None or invoice.status.value == "credited"


def test_cancel_after_deadline_gives_no_money_back(client, factories):
    programme = factories.programme(now=NOW, cancellation_deadline=NOW - timedelta(days=1))
    registration = invoiced(factories, programme)
    token = services.manage_token(registration)
    page = text(client.get(f"/inschrijving/{token}/annuleren"))
    assert "als je nu annuleert, moet de factuur toch betaald worden" in page
    assert f"/inschrijving/{token}/overdragen" in page
    services.cancel_registration(registration, actor="test", now=NOW)
    # The mail says what the page said: the invoice stays due.
    assert "de factuur moet nog betaald worden" in outbox("registration.cancelled")[-1].body_text
    assert invoice_for(registration).status.value != "credited"


def pass_on(client, token: str, **colleague):
    """Pass a place on to a colleague through the manage link's form."""
    page = client.get(f"/inschrijving/{token}/overdragen")
    data = {
        "first_name": "Joke",
        "last_name": "Jansen",
        "email": "joke@example.nl",
        "organisation": "Gemeente Arnhem",
        "sector": "government",
        "job_title": "Wijkregisseur",
        "learning_question": "Hoe verbind ik buurt en gemeente?",
        "privacy_consent": "y",
        **colleague,
    }
    return client.post(
        f"/inschrijving/{token}/overdragen", data={"csrf_token": csrf_from(text(page)), **data}
    )


def test_a_mail_still_unsent_at_a_transfer_keeps_the_old_name_and_link(client, factories):
    """Registration mails are rendered when sent: one queued before the place was passed
    on must still greet the original person and must not carry the colleague's link."""
    programme = factories.programme(now=NOW, cancellation_deadline=NOW - timedelta(days=1))
    registration = factories.registration(programme, now=NOW, first_name="Piet")
    piet_email, old_token = registration.email, services.manage_token(registration)
    db.session.commit()
    response = pass_on(client, old_token)
    assert response.status_code == 302
    db.session.refresh(registration)
    new_token = services.manage_token(registration)
    [piet] = [m for m in outbox("registration.confirmed") if m.to_addr == piet_email]
    assert piet.body_text.startswith("Beste Piet,")
    assert old_token in piet.body_text
    assert new_token not in piet.body_text and new_token not in piet.body_html
    [joke] = [m for m in outbox("registration.confirmed") if m.to_addr == "joke@example.nl"]
    assert joke.body_text.startswith("Beste Joke,")
    assert new_token in joke.body_text


def test_seat_passes_to_a_colleague(client, factories):
    programme = factories.programme(now=NOW, cancellation_deadline=NOW - timedelta(days=1))
    registration = factories.registration(programme, now=NOW, first_name="Piet")
    old_token = services.manage_token(registration)
    db.session.commit()
    response = pass_on(client, old_token)
    assert response.status_code == 302
    db.session.refresh(registration)
    assert registration.full_name == "Joke Jansen"
    assert registration.email_normalized == "joke@example.nl"
    assert registration.status is S.CONFIRMED
    assert client.get(f"/inschrijving/{old_token}").status_code == 404
    assert client.get(f"/inschrijving/{services.manage_token(registration)}").status_code == 200
    assert outbox("registration.transferred_from")[-1].body_text.startswith("Beste Piet,")
    assert outbox("registration.confirmed")[-1].to_addr == "joke@example.nl"
    entry = db.session.execute(
        select(AuditEntry).where(AuditEntry.action == "registration.transferred")
    ).scalar_one()
    assert entry.data["old"]["name"].startswith("Piet")


def test_seat_cannot_pass_to_someone_already_registered(client, factories):
    programme = factories.programme(now=NOW)
    registration = factories.registration(programme, now=NOW)
    factories.registration(programme, now=NOW, email="bezet@example.nl")
    token = services.manage_token(registration)
    db.session.commit()
    response = pass_on(client, token, first_name="X", last_name="Y", email="bezet@example.nl")
    assert response.status_code == 400
    assert "al ingeschreven" in text(response)


def test_tick_mails_the_decision_status_once(factories, staff):
    coordinator, trainer, other = staff
    programme = factories.programme(now=NOW, decision_date=(NOW - timedelta(days=1)).date())
    programme.trainers.append(trainer)
    factories.fill(programme, 4, now=NOW)
    db.session.commit()
    assert jobs.mail_decisions(NOW) == 1
    mails = outbox("programme.decision_due")
    assert sorted(m.to_addr for m in mails) == ["cora@example.nl", "tim@example.nl"]
    assert "4" in mails[0].subject and "10" in mails[0].subject
    assert jobs.mail_decisions(NOW) == 0
    assert len(outbox("programme.decision_due")) == 2


def test_confirm_anyway_is_recorded_and_shown(client, factories):
    programme = factories.programme(now=NOW)
    factories.fill(programme, 3, now=NOW)
    assert "onder voorbehoud" in text(client.get(f"/programma/{programme.slug}"))
    decisions.confirm_programme(programme.id, actor="coordinator:1", now=NOW)
    db.session.commit()
    assert programme.go_decision is GoDecision.CONFIRMED
    assert "gaat door" in text(client.get(f"/programma/{programme.slug}"))
    with pytest.raises(decisions.DecisionError):
        decisions.cancel_programme(programme.id, reason="", actor="c", now=NOW)


def test_cancel_programme_tells_everyone_and_credits(client, factories):
    programme = factories.programme(now=NOW, min_participants=1, max_participants=2)
    paid = [invoiced(factories, programme) for _ in range(2)]
    waiting = invoiced(factories, programme)
    cancelled = decisions.cancel_programme(
        programme.id, reason="Te weinig aanmeldingen.", actor="coordinator:1", now=NOW
    )
    db.session.commit()
    assert len(cancelled) == 3
    assert programme.status is ProgrammeStatus.CANCELLED
    assert all(r.status is S.CANCELLED for r in [*paid, waiting])
    mails = outbox("registration.programme_cancelled")
    assert sorted(m.to_addr for m in mails) == sorted(r.email for r in [*paid, waiting])
    assert all("Te weinig aanmeldingen." in m.body_text for m in mails)
    for registration in paid:
        invoice = invoice_for(registration)
        assert invoice is None or invoice.status.value == "credited"
    assert "gaat niet door" in text(client.get(f"/programma/{programme.slug}")).lower()
    actions = (
        db.session.execute(
            select(AuditEntry.action).where(AuditEntry.action == "programme.cancelled")
        )
        .scalars()
        .all()
    )
    assert actions == ["programme.cancelled"]
