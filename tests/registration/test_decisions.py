"""Go / no-go at the decision date, cancellation policy and passing a seat on."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.conftest import csrf_from, outbox
from tests.workspace.helpers import sign_in
from tests.workspace.helpers import staff as make_user
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


def test_the_decision_mail_sends_each_to_a_page_they_can_open(app, factories):
    """The coordinator decides on the programme page; a trainer cannot open that page and
    is sent to the programme in their workspace, told that the coordinator decides."""
    coordinator = make_user("cora@example.nl", "Cora", coordinator=True, trainer=False)
    trainer = make_user("tim@example.nl", "Tim")
    programme = factories.programme(now=NOW, decision_date=(NOW - timedelta(days=1)).date())
    programme.trainers.append(trainer)
    factories.fill(programme, 4, now=NOW)
    db.session.commit()
    assert jobs.mail_decisions(NOW) == 1
    mails = {m.to_addr: m for m in outbox("programme.decision_due")}
    to_coordinator, to_trainer = mails[coordinator.email], mails[trainer.email]
    assert "Beslis of het traject toch doorgaat" in to_coordinator.body_text
    assert "De coördinator beslist" in to_trainer.body_text
    assert "Beslis of" not in to_trainer.body_text
    for user, mail in ((coordinator, to_coordinator), (trainer, to_trainer)):
        (link,) = re.findall(r"http://werklab\.test(/\S+)", mail.body_text)
        assert link in mail.body_html
        client = app.test_client()
        sign_in(client, user)
        response = client.get(link)
        assert response.status_code == 200, (user.email, link)
        assert programme.title in text(response)
    assert f"/beheer/programma/{programme.id}" in to_coordinator.body_text
    assert f"/werkruimte/{programme.id}" in to_trainer.body_text


@pytest.mark.parametrize("decision", ["confirm", "cancel"])
def test_the_trainers_hear_the_decision(factories, staff, decision):
    coordinator, trainer, other = staff
    programme = factories.programme(now=NOW)
    programme.trainers.append(trainer)
    factories.fill(programme, 2, now=NOW)
    db.session.commit()
    if decision == "confirm":
        decisions.confirm_programme(programme.id, actor="coordinator:1", now=NOW)
    else:
        decisions.cancel_programme(
            programme.id, reason="Te weinig aanmeldingen.", actor="coordinator:1", now=NOW
        )
    db.session.commit()
    (mail,) = outbox("programme.decision_taken")
    assert mail.to_addr == trainer.email  # not the other trainer, nor the coordinator
    assert programme.title in mail.subject
    assert f"http://werklab.test/werkruimte/{programme.id}" in mail.body_text
    if decision == "confirm":
        assert "gaat door" in mail.subject and "niet" not in mail.subject
        assert f"besloten: {programme.title} gaat door." in mail.body_text
    else:
        assert "gaat niet door" in mail.subject
        assert "Reden: Te weinig aanmeldingen." in mail.body_text
        assert "Reden: Te weinig aanmeldingen." in mail.body_html


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
