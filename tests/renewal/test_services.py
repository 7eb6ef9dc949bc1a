"""The renewal's services with an explicit `now`: open, priority, renew (invoice, online,
cap), decline, the expired and the used link, the reminder and the deadline."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.renewal.helpers import (
    BILLING,
    DEADLINE,
    NOW,
    audit_actions,
    invitation_of,
    link_in,
    mails,
    open_for,
    running_cop,
)
from werklab.catalog.models import ProgrammeKind, ProgrammeStatus, Visibility
from werklab.catalog.pricing import seat_price
from werklab.extensions import db
from werklab.invoicing.documents import invoice_for
from werklab.registration.models import PaymentMethod, Registration, RegistrationStatus
from werklab.registration.signup import RegistrationClosed, register
from werklab.renewal import services
from werklab.renewal.models import InvitationStatus, Renewal

S = RegistrationStatus


def details(registration, **kw):
    """What the renewal form sends: this year's details, with consent and a payment."""
    from werklab.registration.signup import RegistrationData

    values = dict(
        first_name=registration.first_name,
        last_name=registration.last_name,
        email=registration.email,
        organisation=registration.organisation,
        sector=registration.sector,
        job_title=registration.job_title,
        learning_question=registration.learning_question,
        privacy_consent=True,
        payment_method=PaymentMethod.INVOICE,
        billing=BILLING,
    )
    values.update(kw)
    return RegistrationData(**values)


def seated_in(programme_id: int) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(Registration)
        .where(Registration.programme_id == programme_id, Registration.status == S.CONFIRMED)
    )


# --- opening ---------------------------------------------------------------------------------


def test_opening_makes_next_year_and_mails_each_seated_participant_a_link(factories):
    programme, seated = running_cop(factories, 3, fee_cents=80000, vat_rate_bp=2100)
    waiting = factories.registration(programme, now=NOW - timedelta(days=199))
    waiting.status = S.WAITLISTED  # nobody on the waiting list is invited
    programme.max_participants = 12
    renewal = open_for(programme)

    nxt = renewal.next_programme
    assert nxt.title == "CoP Burgerkracht 2027"
    assert (nxt.kind, nxt.fee_cents, nxt.vat_rate_bp, nxt.max_participants) == (
        ProgrammeKind.COP,
        80000,
        2100,
        12,
    )
    assert nxt.min_participants == programme.min_participants
    assert nxt.sessions == []  # next year's meetings are planned anew
    assert nxt.registration_deadline == programme.registration_deadline.replace(year=2027)
    assert nxt.status is ProgrammeStatus.OPEN and nxt.visibility is Visibility.INVITATION
    assert renewal.opens_as is Visibility.PUBLIC
    assert [t.id for t in nxt.trainers] == [t.id for t in programme.trainers]
    invited = sorted(i.registration_id for i in renewal.invitations)
    assert invited == sorted(r.id for r in seated)
    assert {i.status for i in renewal.invitations} == {InvitationStatus.WAITING}
    sent = mails("renewal.invitation")
    assert sorted(m.to_addr for m in sent) == sorted(r.email for r in seated)
    for mail in sent:
        token = link_in(mail).rsplit("/", 1)[1]
        assert len(token) >= 43  # 256 bits
        invitation = services.find_invitation(token)
        assert invitation.registration.email == mail.to_addr
        assert "CoP Burgerkracht 2027" in mail.body_text
    assert len({i.token for i in renewal.invitations}) == 3
    assert audit_actions() == ["renewal.invited"] * 3 + ["renewal.opened"]


def test_title_without_a_year_gets_next_year(factories):
    programme, _ = running_cop(factories, 1, title="CoP Buurtkracht")
    first_session = min(s.starts_at for s in programme.sessions)
    assert services.suggested_title(programme, NOW) == f"CoP Buurtkracht {first_session.year + 1}"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (dict(kind=ProgrammeKind.WERKLAB), "Alleen een Community of Practice"),
        (dict(status=ProgrammeStatus.DRAFT), "geen deelnemers"),
    ],
)
def test_only_a_running_cop_is_renewed(factories, change, message):
    programme, _ = running_cop(factories, 1)
    for key, value in change.items():
        setattr(programme, key, value)
    with pytest.raises(services.RenewalError, match=message):
        open_for(programme)
    assert db.session.scalar(select(func.count()).select_from(Renewal)) == 0


def test_opening_twice_or_with_a_past_deadline_is_refused(factories):
    programme, _ = running_cop(factories, 1)
    with pytest.raises(services.RenewalError, match="in de toekomst"):
        open_for(programme, deadline=NOW - timedelta(minutes=1))
    open_for(programme)
    with pytest.raises(services.RenewalError, match="al geopend"):
        open_for(programme)


def test_an_existing_empty_cop_can_be_linked_as_next_year(factories):
    programme, seated = running_cop(factories, 2)
    later = factories.programme(
        title="CoP Burgerkracht jaar 2", status=ProgrammeStatus.DRAFT, now=NOW
    )
    busy = factories.programme(title="Vol", now=NOW)
    factories.registration(busy, now=NOW)
    assert [p.id for p in services.linkable_programmes(programme)] == [later.id]
    with pytest.raises(services.RenewalError, match="kan niet"):
        open_for(programme, next_programme_id=busy.id)
    renewal = open_for(programme, next_programme_id=later.id, title="CoP Burgerkracht 2027")
    assert renewal.next_programme_id == later.id
    assert later.status is ProgrammeStatus.OPEN and later.visibility is Visibility.INVITATION
    assert later.title == "CoP Burgerkracht 2027"
    assert len(later.sessions) == 3  # a linked programme keeps what it has


# --- priority before the public opening ------------------------------------------------------


def test_next_year_is_closed_to_the_public_until_the_deadline(factories):
    programme, seated = running_cop(factories, 2)
    renewal = open_for(programme)
    nxt = renewal.next_programme
    with pytest.raises(RegistrationClosed):
        register(nxt.id, factories.person(), now=NOW + timedelta(days=1))
    assert services.upcoming_opening(nxt.slug, NOW) == (nxt, DEADLINE)

    assert services.close_renewal(renewal.id, now=DEADLINE + timedelta(minutes=1)) == 2
    assert nxt.visibility is Visibility.PUBLIC and nxt.invitation_token is None
    assert services.upcoming_opening(nxt.slug, NOW) is None
    # The places nobody renewed are simply free.
    newcomer = register(nxt.id, factories.person(), now=DEADLINE + timedelta(minutes=2))
    assert newcomer.status is S.CONFIRMED


def test_an_invitation_only_programme_stays_invitation_only(factories):
    from werklab.catalog.models import Visibility as V

    programme, _ = running_cop(factories, 1, visibility=V.INVITATION)
    renewal = open_for(programme)
    services.close_renewal(renewal.id, now=DEADLINE + timedelta(minutes=1))
    assert renewal.next_programme.visibility is V.INVITATION
    assert renewal.next_programme.invitation_token


# --- renewing --------------------------------------------------------------------------------


def test_renewing_by_invoice_seats_and_invoices_the_yearly_fee_with_vat(factories):
    programme, seated = running_cop(factories, 2, fee_cents=80000, vat_rate_bp=2100)
    renewal = open_for(programme)
    invitation = invitation_of(seated[0])
    at = NOW + timedelta(days=2)
    new = services.renew(invitation, details(seated[0], job_title="Teamleider"), now=at)

    assert new.programme_id == renewal.next_programme_id
    assert (new.status, new.payment_method, new.job_title) == (
        S.CONFIRMED,
        PaymentMethod.INVOICE,
        "Teamleider",
    )
    assert invitation.status is InvitationStatus.RENEWED and invitation.answered_at == at
    assert invitation.new_registration_id == new.id
    invoice = invoice_for(new)
    price = seat_price(renewal.next_programme)
    assert (invoice.total_excl_cents, invoice.vat_cents, invoice.total_incl_cents) == (
        80000,
        16800,
        price.incl_cents,
    )
    assert [m.to_addr for m in mails("registration.confirmed")][-1] == seated[0].email
    assert "renewal.renewed" in audit_actions()
    assert services.answers(renewal).renewed == [invitation]
    assert len(services.answers(renewal).waiting) == 1


def test_renewing_online_holds_the_seat_for_the_payment(factories, app, monkeypatch):
    monkeypatch.setitem(app.config, "STRIPE_SECRET_KEY", "sk_test_x")
    programme, seated = running_cop(factories, 1)
    open_for(programme)
    invitation = invitation_of(seated[0])
    new = services.renew(
        invitation,
        details(seated[0], payment_method=PaymentMethod.ONLINE, billing=None),
        now=NOW + timedelta(days=1),
    )
    assert new.status is S.HELD and new.hold_expires_at > NOW
    assert mails("registration.payment_pending")
    # The payment was never completed: the hold lapses and the link works again.
    new.status = S.HOLD_EXPIRED
    assert services.can_answer(invitation, NOW + timedelta(days=2))
    again = services.renew(invitation, details(seated[0]), now=NOW + timedelta(days=2))
    assert again.status is S.CONFIRMED and invitation.new_registration_id == again.id


def test_renewing_asks_a_way_to_pay_and_consent(factories):
    programme, seated = running_cop(factories, 1)
    open_for(programme)
    invitation = invitation_of(seated[0])
    with pytest.raises(services.DomainError, match="factuurgegevens"):
        services.renew(invitation, details(seated[0], billing=None), now=NOW)
    with pytest.raises(services.DomainError, match="privacyverklaring"):
        services.renew(invitation, details(seated[0], privacy_consent=False), now=NOW)
    assert invitation.status is InvitationStatus.WAITING


def test_a_link_is_used_once(factories):
    programme, seated = running_cop(factories, 2)
    renewal = open_for(programme)
    invitation = invitation_of(seated[0])
    services.renew(invitation, details(seated[0]), now=NOW)
    with pytest.raises(services.RenewalError, match="al verlengd"):
        services.renew(invitation, details(seated[0], email="ander@example.nl"), now=NOW)
    with pytest.raises(services.RenewalError, match="al verlengd"):
        services.decline_renewal(invitation, now=NOW)
    assert seated_in(renewal.next_programme_id) == 1


def test_an_expired_link_takes_no_answer(factories):
    programme, seated = running_cop(factories, 1)
    renewal = open_for(programme)
    invitation = invitation_of(seated[0])
    late = DEADLINE + timedelta(seconds=1)
    with pytest.raises(services.LinkExpired, match="verlopen"):
        services.renew(invitation, details(seated[0]), now=late)
    with pytest.raises(services.LinkExpired):
        services.decline_renewal(invitation, now=late)
    assert seated_in(renewal.next_programme_id) == 0
    assert invitation.status is InvitationStatus.WAITING


def test_the_cap_holds_when_it_shrank(factories):
    programme, seated = running_cop(factories, 3)
    renewal = open_for(programme)
    renewal.next_programme.max_participants = 2
    renewal.next_programme.min_participants = 2
    for person in seated[:2]:
        services.renew(invitation_of(person), details(person), now=NOW)
    with pytest.raises(services.RenewalError, match="Alle plaatsen"):
        services.renew(invitation_of(seated[2]), details(seated[2]), now=NOW)
    assert seated_in(renewal.next_programme_id) == 2
    assert invitation_of(seated[2]).status is InvitationStatus.WAITING


def test_declining_frees_the_place_with_a_mail_and_an_audit_row(factories):
    programme, seated = running_cop(factories, 2)
    renewal = open_for(programme)
    invitation = invitation_of(seated[1])
    services.decline_renewal(invitation, now=NOW + timedelta(days=3))
    assert invitation.status is InvitationStatus.DECLINED
    [mail] = mails("renewal.declined")
    assert mail.to_addr == seated[1].email and "niet verder" in mail.body_text
    assert audit_actions()[-1] == "renewal.declined"
    with pytest.raises(services.RenewalError, match="niet verder"):
        services.renew(invitation, details(seated[1]), now=NOW + timedelta(days=4))
    assert services.answers(renewal).declined == [invitation]


# --- tick: the reminder and the deadline -----------------------------------------------------


def test_one_reminder_a_few_days_before_the_deadline_to_who_has_not_answered(factories):
    programme, seated = running_cop(factories, 3)
    renewal = open_for(programme)
    services.renew(invitation_of(seated[0]), details(seated[0]), now=NOW)
    services.decline_renewal(invitation_of(seated[1]), now=NOW)
    assert services.renewals_to_remind(DEADLINE - timedelta(days=4)) == []
    at = DEADLINE - timedelta(days=2)
    assert services.renewals_to_remind(at) == [renewal.id]
    assert services.remind(renewal.id, now=at) == 1
    [mail] = mails("renewal.reminder")
    assert mail.to_addr == seated[2].email
    assert link_in(mail) == f"/verlengen/{invitation_of(seated[2]).token}"
    assert services.renewals_to_remind(at) == []
    assert services.remind(renewal.id, now=at) == 0
    assert len(mails("renewal.reminder")) == 1


def test_at_the_deadline_who_did_not_answer_is_released_and_told(factories):
    programme, seated = running_cop(factories, 3)
    renewal = open_for(programme)
    services.renew(invitation_of(seated[0]), details(seated[0]), now=NOW)
    services.decline_renewal(invitation_of(seated[1]), now=NOW)
    assert services.renewals_to_close(DEADLINE) == []
    late = DEADLINE + timedelta(hours=1)
    assert services.close_renewal(renewal.id, now=late) == 1
    assert invitation_of(seated[2]).status is InvitationStatus.EXPIRED
    assert [m.to_addr for m in mails("renewal.expired")] == [seated[2].email]
    assert audit_actions()[-2:] == ["renewal.expired", "renewal.closed"]
    assert services.close_renewal(renewal.id, now=late) == 0
    answers = services.answers(renewal)
    assert (len(answers.renewed), len(answers.declined), len(answers.expired)) == (1, 1, 1)
