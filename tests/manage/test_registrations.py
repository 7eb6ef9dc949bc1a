"""Registrations in the coordinator's hands: the services (werklab/manage/registrations.py)
and the pages on /beheer/programma/<id> that call them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.conftest import outbox
from tests.manage.conftest import post, text
from tests.payments.fake_stripe import FakeStripe
from tests.payments.helpers import WEBHOOK_SECRET, checkout, held, send_event
from werklab.audit import AuditEntry
from werklab.db import utcnow
from werklab.errors import DomainError
from werklab.extensions import db
from werklab.invoicing.documents import local_date
from werklab.invoicing.models import Invoice, InvoiceStatus
from werklab.manage import registrations as services
from werklab.payments.models import Refund
from werklab.registration.models import PaymentMethod, Registration, Sector
from werklab.registration.models import RegistrationStatus as S
from werklab.registration.seats import waitlist_position
from werklab.registration.signup import BillingDetails, RegistrationData

ACTOR = "coordinator:1"


def person(**kw) -> RegistrationData:
    values = dict(
        first_name="Lotte",
        last_name="Jansen",
        email="lotte@example.nl",
        organisation="Gemeente Zwolle",
        sector=Sector.GOVERNMENT,
        job_title="Adviseur",
        privacy_consent=True,
    )
    values.update(kw)
    return RegistrationData(**values)


def audit_rows(action: str) -> list[AuditEntry]:
    return list(
        db.session.execute(
            select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
        ).scalars()
    )


def billing() -> BillingDetails:
    return BillingDetails(
        organisation="Gemeente Zwolle",
        address="Postbus 10007\n8000 GA Zwolle",
        email="facturen@zwolle.example",
        reference="PO-77",
    )


# --- services: add by hand -------------------------------------------------------------------


def test_add_by_hand_takes_a_free_seat_and_mails_the_confirmation(factories, programme):
    reg = services.add_registration(programme.id, person(), place="seat", actor=ACTOR)
    assert reg.status is S.CONFIRMED and reg.payment_method is PaymentMethod.NONE
    [row] = audit_rows("registration.created")[-1:]
    assert row.actor == ACTOR and row.object_id == reg.id
    [mail] = outbox("registration.confirmed")
    assert mail.to_addr == "lotte@example.nl" and "Beste Lotte" in mail.body_text


def test_add_by_hand_never_breaks_the_cap(factories, programme):
    factories.fill(programme, programme.max_participants)
    with pytest.raises(DomainError, match="geen vrije plaats|no free seat"):
        services.add_registration(programme.id, person(), place="seat", actor=ACTOR)
    reg = services.add_registration(programme.id, person(), place="waitlist", actor=ACTOR)
    assert reg.status is S.WAITLISTED
    assert [m.to_addr for m in outbox("registration.waitlisted")] == ["lotte@example.nl"]


def test_add_by_hand_works_after_the_deadline_but_not_for_a_cancelled_programme(factories):
    now = utcnow()
    late = factories.programme(registration_deadline=now - timedelta(hours=1))
    assert services.add_registration(late.id, person(), place="seat", actor=ACTOR).is_seated
    from werklab.catalog.models import ProgrammeStatus
    from werklab.catalog.services import set_status

    gone = factories.programme()
    set_status(gone, ProgrammeStatus.CANCELLED, actor="test", now=now)
    with pytest.raises(DomainError):
        services.add_registration(gone.id, person(), place="seat", actor=ACTOR)


def test_add_by_hand_with_an_invoice_issues_it(factories, programme):
    reg = services.add_registration(
        programme.id,
        person(payment_method=PaymentMethod.INVOICE, billing=billing()),
        place="seat",
        actor=ACTOR,
    )
    invoice = db.session.execute(
        select(Invoice).where(Invoice.registration_id == reg.id)
    ).scalar_one()
    assert invoice.status is InvoiceStatus.OPEN and invoice.buyer_reference == "PO-77"


# --- services: edit ----------------------------------------------------------------------------


def test_edit_details_records_the_fields_and_mails_old_and_new_address(factories, programme):
    reg = factories.registration(programme, email="oud@example.nl", first_name="Piet")
    changed = services.edit_details(
        reg,
        services.DetailsData(
            first_name="Pieter",
            last_name=reg.last_name,
            email="Nieuw@Example.nl",
            organisation=reg.organisation,
            sector=reg.sector,
            job_title=reg.job_title,
            dietary_wishes="Veganistisch",
            learning_question=reg.learning_question,
            locale="nl",
            share_email=True,
        ),
        actor=ACTOR,
    )
    assert changed == ["first_name", "email", "dietary_wishes", "share_email"]
    assert reg.email_normalized == "nieuw@example.nl" and reg.share_email_at is not None
    [row] = audit_rows("registration.edited")
    assert row.data["fields"] == changed
    mails = outbox("manage.details_changed")
    assert sorted(m.to_addr for m in mails) == ["Nieuw@Example.nl", "oud@example.nl"]
    assert "e-mailadres" in mails[0].body_text and "Beste Pieter" in mails[0].body_text


def test_edit_refuses_an_address_someone_else_registered_with(factories, programme):
    factories.registration(programme, email="bezet@example.nl")
    reg = factories.registration(programme)
    data = services.DetailsData(
        reg.first_name,
        reg.last_name,
        "bezet@example.nl",
        reg.organisation,
        reg.sector,
        reg.job_title,
        None,
        reg.learning_question,
        "nl",
        False,
    )
    with pytest.raises(DomainError):
        services.edit_details(reg, data, actor=ACTOR)


# --- services: cancel on someone's behalf ------------------------------------------------------


def test_cancel_with_a_credit_note_after_the_deadline_is_the_coordinators_choice(factories):
    now = utcnow()
    programme = factories.programme()
    reg = factories.registration(
        programme, payment_method=PaymentMethod.INVOICE, billing=billing(), now=now
    )
    programme.cancellation_deadline = now - timedelta(days=1)
    choice = services.money_choice(reg, now)
    assert choice.options == ("back", "none") and choice.back_means == "credit"
    assert choice.policy == "none"  # the deadline has passed
    services.cancel_for(reg, money="back", reason="Ziek, coulance", actor=ACTOR, now=now)
    assert reg.status is S.CANCELLED
    [credited] = audit_rows("invoice.credited")
    [row] = audit_rows("registration.cancelled")
    assert row.actor == ACTOR and row.data["money_back"] == "credit"
    assert row.data["reason"] == "Ziek, coulance"
    [mail] = outbox("registration.cancelled")
    assert "namens je gedaan" in mail.body_text and "Ziek, coulance" in mail.body_text
    assert len(outbox("invoicing.credit_note")) == 1


def test_cancel_with_nothing_back_leaves_the_invoice(factories, programme):
    reg = factories.registration(programme, payment_method=PaymentMethod.INVOICE, billing=billing())
    services.cancel_for(reg, money="none", reason="Te laat afgemeld", actor=ACTOR)
    invoice = db.session.execute(
        select(Invoice).where(Invoice.registration_id == reg.id)
    ).scalar_one()
    assert invoice.status is InvoiceStatus.OPEN
    assert audit_rows("registration.cancelled")[0].data["money_back"] == "invoice_stands"


def test_cancel_needs_a_reason_and_an_allowed_choice(factories, programme):
    reg = factories.registration(programme)  # free of charge: only "none"
    with pytest.raises(DomainError):
        services.cancel_for(reg, money="none", reason="   ", actor=ACTOR)
    with pytest.raises(DomainError):
        services.cancel_for(reg, money="back", reason="Reden", actor=ACTOR)
    assert reg.status is S.CONFIRMED


def test_cancel_offers_the_freed_seat_to_the_first_waiting(factories):
    programme = factories.programme(max_participants=2, min_participants=2)
    first, _second = factories.fill(programme, 2)
    waiting = factories.registration(programme)
    assert waiting.status is S.WAITLISTED
    services.cancel_for(first, money="none", reason="Verhuisd", actor=ACTOR)
    assert waiting.status is S.OFFERED


# --- services: the waiting list ----------------------------------------------------------------


def test_move_to_front_with_a_reason(factories):
    programme = factories.programme(max_participants=1, min_participants=1)
    factories.registration(programme)
    a, b, c = factories.fill(programme, 3)
    assert services.move_to_front(c, reason="Wethouder vroeg erom", actor=ACTOR) == 1
    assert [waitlist_position(r) for r in (c, a, b)] == [1, 2, 3]
    [row] = audit_rows("registration.moved_up")
    assert row.data == {"reason": "Wethouder vroeg erom", "before": 3, "after": 1}
    [mail] = outbox("manage.moved_up")
    assert mail.to_addr == c.email
    with pytest.raises(DomainError):
        services.move_to_front(c, reason="nog eens", actor=ACTOR)


def test_offer_free_seats_now(factories):
    programme = factories.programme(max_participants=1, min_participants=1)
    seated = factories.registration(programme)
    waiting = factories.registration(programme)
    with pytest.raises(DomainError):
        services.offer_free_seats(programme.id, actor=ACTOR)
    # A seat frees up without the list moving on (e.g. tick has not run yet).
    seated.status = S.CANCELLED
    db.session.flush()
    [offer] = services.offer_free_seats(programme.id, actor=ACTOR)
    assert offer.id == waiting.id and waiting.status is S.OFFERED
    assert audit_rows("waiting_list.offered")[0].actor == ACTOR
    assert [m.to_addr for m in outbox("registration.offer")] == [waiting.email]


# --- services: resend, mark paid ---------------------------------------------------------------


def test_resend_confirmation_and_link(factories, programme):
    reg = factories.registration(programme)
    before = len(outbox("registration.confirmed"))
    services.resend_confirmation(reg, actor=ACTOR)
    assert len(outbox("registration.confirmed")) == before + 1
    services.resend_manage_link(reg, actor=ACTOR)
    [mail] = outbox("manage.manage_link")
    assert "/inschrijving/" in mail.body_text
    assert audit_rows("registration.confirmation_resent") and audit_rows(
        "registration.manage_link_resent"
    )
    reg.status = S.WAITLISTED
    with pytest.raises(DomainError):
        services.resend_confirmation(reg, actor=ACTOR)


def test_mark_invoice_paid_tells_the_person_and_the_invoice_address(factories, programme):
    reg = factories.registration(programme, payment_method=PaymentMethod.INVOICE, billing=billing())
    invoice = services.mark_invoice_paid(reg, paid_on=None, actor=ACTOR)
    assert invoice.status is InvoiceStatus.PAID
    assert audit_rows("invoice.paid")[0].actor == ACTOR
    assert {m.to_addr for m in outbox("manage.invoice_paid")} == {
        "facturen@zwolle.example",
        reg.email,
    }
    with pytest.raises(DomainError):
        services.mark_invoice_paid(reg, paid_on=None, actor=ACTOR)
    with pytest.raises(DomainError):
        services.mark_invoice_paid(factories.registration(programme), paid_on=None, actor=ACTOR)


def test_registration_list_with_search_and_positions(factories, count_queries):
    programme = factories.programme(max_participants=2, min_participants=2)
    factories.registration(programme, first_name="Anna", last_name="Appel")
    factories.registration(programme, first_name="Bert", last_name="Boom")
    factories.registration(programme, first_name="Cees", last_name="Claes")
    factories.registration(programme, first_name="Dirk", last_name="Dam")
    everyone = services.registration_list(programme, now=utcnow())
    assert [r.registration.first_name for r in everyone.participants] == ["Anna", "Bert"]
    assert [(r.position, r.registration.first_name) for r in everyone.waiting] == [
        (1, "Cees"),
        (2, "Dirk"),
    ]
    found = services.registration_list(programme, search="dam", now=utcnow())
    assert [(r.position, r.registration.first_name) for r in found.waiting] == [(2, "Dirk")]
    assert found.participants == []
    factories.fill(programme, 20)
    with count_queries() as statements:
        services.registration_list(programme, now=utcnow())
    assert len(statements) <= 6


# --- views -------------------------------------------------------------------------------------


def test_programme_page_lists_participants_waiting_and_history(admin, factories):
    programme = factories.programme(max_participants=1, min_participants=1)
    factories.registration(programme, first_name="Anna", last_name="Appel")
    factories.registration(programme, first_name="Bert", last_name="Boom")
    factories.registration(programme, first_name="Cees", last_name="Claes")
    db.session.commit()
    page = text(admin.get(f"/beheer/programma/{programme.id}"))
    assert "Anna Appel" in page and "Bert Boom" in page
    assert "Wachtlijst" in page and page.count("Naar voren halen") == 1  # not for number 1
    assert "Geschiedenis" in page and "Iemand (test) heeft" not in page
    page = text(admin.get(f"/beheer/programma/{programme.id}?zoek=boom"))
    assert '<th scope="row">Bert Boom<br>' in page
    assert '<th scope="row">Anna Appel<br>' not in page
    assert "Iemand heeft Anna Appel ingeschreven" in page  # the history, as a sentence


def test_add_page_registers_and_errors_are_dutch(admin, programme):
    url = f"/beheer/programma/{programme.id}/inschrijvingen/nieuw"
    assert admin.get(url).status_code == 200
    bad = post(admin, url, {"place": "seat", "first_name": "", "email": "x"})
    assert bad.status_code == 400
    assert "Vul je voornaam in" in text(bad) or "voornaam" in text(bad)
    assert db.session.execute(select(Registration)).first() is None
    data = {
        "place": "seat",
        "first_name": "Lotte",
        "last_name": "Jansen",
        "email": "lotte@example.nl",
        "organisation": "Gemeente Zwolle",
        "sector": "government",
        "job_title": "Adviseur",
        "locale": "en",
        "payment_method": "none",
        "privacy_consent": "y",
    }
    done = post(admin, url, data)
    assert done.status_code == 302
    reg = db.session.execute(select(Registration)).scalar_one()
    assert reg.status is S.CONFIRMED and reg.locale == "en"
    assert reg.payment_method is PaymentMethod.NONE
    [mail] = outbox("registration.confirmed")
    assert mail.subject.startswith("Your place")  # in the person's language
    again = post(admin, url, data)
    assert again.status_code == 409 and "al ingeschreven" in text(again)


def test_cancel_page_shows_the_choice_and_cancels(admin, factories, programme):
    reg = factories.registration(
        programme, payment_method=PaymentMethod.INVOICE, billing=billing(), first_name="Lotte"
    )
    db.session.commit()
    url = f"/beheer/inschrijving/{reg.id}/annuleren"
    page = text(admin.get(url))
    assert "Factuur crediteren" in page and "Geen creditnota" in page
    missing = post(admin, url, {"money": "back", "reason": ""})
    assert missing.status_code == 400 and "Geef de reden" in text(missing)
    done = post(admin, url, {"money": "back", "reason": "Ziek"})
    assert done.status_code == 302
    db.session.refresh(reg)
    assert reg.status is S.CANCELLED
    follow = text(admin.get(f"/beheer/programma/{programme.id}"))
    assert "heeft de inschrijving van Lotte" in follow and "creditnota" in follow


def test_add_and_edit_pages_without_a_choice_ask_for_it(admin, factories, programme):
    """A radio button left unchosen (or a value the form does not offer) is a message on the
    form, not a server error, and nothing changes."""
    seated = factories.registration(programme)
    db.session.commit()
    add = f"/beheer/programma/{programme.id}/inschrijvingen/nieuw"
    data = {"first_name": "Lotte", "last_name": "Jansen", "email": "lotte@example.nl"}
    for place in ({"place": ""}, {"place": "ergens"}):
        response = post(admin, add, {**data, **place, "locale": "xx"})
        assert response.status_code == 400
        assert "Kies een plaats of de wachtlijst." in text(response)
        assert "Kies een taal." in text(response)
    edit = f"/beheer/inschrijving/{seated.id}/bewerken"
    response = post(admin, edit, {"first_name": "Nieuw", "sector": "", "locale": ""})
    assert response.status_code == 400
    assert "Kies je sector." in text(response) and "Kies een taal." in text(response)
    response = post(admin, edit, {"first_name": "Nieuw", "sector": "elders", "locale": "xx"})
    assert response.status_code == 400
    assert "Kies een sector." in text(response) and "Kies een taal." in text(response)
    db.session.refresh(seated)
    assert seated.first_name != "Nieuw"
    rows = db.session.execute(select(Registration.email)).scalars().all()
    assert rows == [seated.email]


def test_edit_move_up_offer_resend_and_paid_pages(admin, factories):
    programme = factories.programme(max_participants=1, min_participants=1)
    seated = factories.registration(
        programme, payment_method=PaymentMethod.INVOICE, billing=billing()
    )
    first, second = factories.fill(programme, 2)
    db.session.commit()
    edit = f"/beheer/inschrijving/{seated.id}/bewerken"
    assert admin.get(edit).status_code == 200
    form = {
        "first_name": "Nieuwe",
        "last_name": seated.last_name,
        "email": seated.email,
        "organisation": seated.organisation,
        "sector": "business",
        "job_title": seated.job_title,
        "learning_question": "Vraag",
        "locale": "nl",
    }
    assert post(admin, edit, form).status_code == 302
    db.session.refresh(seated)
    assert seated.first_name == "Nieuwe" and seated.sector is Sector.BUSINESS
    move = f"/beheer/inschrijving/{second.id}/naar-voren"
    assert post(admin, move, {"reason": ""}).status_code == 400
    assert post(admin, move, {"reason": "Voorrang"}).status_code == 302
    assert post(admin, f"/beheer/inschrijving/{seated.id}/bevestiging").status_code == 302
    assert post(admin, f"/beheer/inschrijving/{first.id}/link").status_code == 302
    paid = post(admin, f"/beheer/inschrijving/{seated.id}/betaald", {"paid_on": "2999-01-01"})
    assert paid.status_code == 302
    assert "toekomst" in text(admin.get(f"/beheer/programma/{programme.id}"))
    assert (
        post(admin, f"/beheer/inschrijving/{seated.id}/betaald", {"paid_on": ""}).status_code == 302
    )
    invoice = db.session.execute(
        select(Invoice).where(Invoice.registration_id == seated.id)
    ).scalar_one()
    # The Dutch date: from 23:00 UTC in winter it is already tomorrow in Amsterdam.
    assert invoice.status is InvoiceStatus.PAID and invoice.paid_on == local_date(utcnow())
    # Nothing free: offering now says so, nothing changes.
    offer = post(admin, f"/beheer/programma/{programme.id}/wachtlijst/aanbieden")
    assert offer.status_code == 302
    db.session.refresh(second)
    assert second.status is S.WAITLISTED


# --- an online payment refunded on the person's behalf (the Stripe fake) -----------------------


@pytest.fixture
def stripe_on(app, monkeypatch):
    fake = FakeStripe()
    monkeypatch.setitem(app.config, "STRIPE_SECRET_KEY", FakeStripe.secret_key)
    monkeypatch.setitem(app.config, "STRIPE_WEBHOOK_SECRET", WEBHOOK_SECRET)
    monkeypatch.setitem(app.config, "STRIPE_API_BASE", fake.url)
    yield fake
    fake.stop()


def test_cancel_page_refunds_an_online_payment(admin, client, factories, programme, stripe_on):
    reg = held(factories, programme)
    session_id = checkout(reg)
    send_event(client, stripe_on, "checkout.session.completed", stripe_on.pay(session_id))
    db.session.refresh(reg)
    assert reg.status is S.CONFIRMED
    url = f"/beheer/inschrijving/{reg.id}/annuleren"
    assert "Online betaling terugbetalen" in text(admin.get(url))
    assert post(admin, url, {"money": "back", "reason": "Ziek"}).status_code == 302
    [refund] = db.session.execute(select(Refund)).scalars()
    assert refund.stripe_refund_id in stripe_on.refunds  # sent after the commit
    assert audit_rows("registration.cancelled")[0].data["money_back"] == "refund"
