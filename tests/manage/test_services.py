"""Services of the coordinator area: programmes, sessions, trainers, status, users."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from tests.conftest import outbox
from werklab.accounts import services as accounts
from werklab.audit import AuditEntry
from werklab.catalog import services as catalog
from werklab.catalog.models import ProgrammeKind, ProgrammeStatus, SessionKind, Visibility
from werklab.catalog.services import ProgrammeData, SessionData
from werklab.db import utcnow
from werklab.errors import DomainError, ValidationError
from werklab.extensions import db
from werklab.registration import availability
from werklab.registration.models import RegistrationStatus


def audit_rows(action: str) -> list[AuditEntry]:
    return list(
        db.session.execute(
            select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
        ).scalars()
    )


def data_of(programme, **changes) -> ProgrammeData:
    base = ProgrammeData(
        kind=programme.kind,
        title=programme.title,
        description=programme.description,
        region=programme.region,
        fee_cents=programme.fee_cents,
        min_participants=programme.min_participants,
        max_participants=programme.max_participants,
        registration_deadline=programme.registration_deadline,
        decision_date=programme.decision_date,
        visibility=programme.visibility,
    )
    return replace(base, **changes)


def session_data(day: datetime, theme: str = "Nieuw thema", **kw) -> SessionData:
    return SessionData(theme=theme, starts_at=day, ends_at=day + timedelta(hours=3), **kw)


def trainer(email: str, **kw):
    return accounts.create_user(email, email.split("@")[0].title(), actor="test", **kw)


# --- programmes ----------------------------------------------------------------------------


def test_update_programme_changes_details_and_is_audited(programme):
    availability.update_programme(
        programme,
        data_of(programme, title="  CoP Noord  ", fee_cents=80000, region="Groningen"),
        actor="coordinator:1",
    )
    assert (programme.title, programme.fee_cents, programme.region) == (
        "CoP Noord",
        80000,
        "Groningen",
    )
    [row] = audit_rows("programme.updated")
    assert row.actor == "coordinator:1"
    assert row.data["fields"] == ["fee_cents", "region", "title"]


def test_update_programme_keeps_kind_and_slug(programme):
    slug = programme.slug
    availability.update_programme(
        programme, data_of(programme, kind=ProgrammeKind.WERKLAB, title="Ander"), actor="t"
    )
    assert programme.kind is ProgrammeKind.COP
    assert programme.slug == slug


def test_switching_to_invitation_only_makes_an_invitation_token(programme):
    assert programme.invitation_token is None
    availability.update_programme(
        programme, data_of(programme, visibility=Visibility.INVITATION), actor="t"
    )
    assert programme.invitation_token
    assert not programme.accepts_invitation(None)
    assert programme.accepts_invitation(programme.invitation_token)


@pytest.mark.parametrize(
    ("minimum", "maximum"),
    [(10, 16), (0, 15), (12, 11)],
)
def test_update_programme_refuses_broken_group_sizes(programme, minimum, maximum):
    with pytest.raises(ValidationError):
        availability.update_programme(
            programme,
            data_of(programme, min_participants=minimum, max_participants=maximum),
            actor="t",
        )


def test_maximum_never_below_the_seats_taken(programme, factories):
    factories.fill(programme, 8)
    with pytest.raises(ValidationError) as exc:
        availability.update_programme(
            programme, data_of(programme, min_participants=5, max_participants=7), actor="t"
        )
    assert "8" in exc.value.message
    availability.update_programme(
        programme, data_of(programme, min_participants=5, max_participants=8), actor="t"
    )
    assert programme.max_participants == 8


def test_a_higher_maximum_offers_the_new_seats_to_the_waiting_list(factories):
    programme = factories.programme(min_participants=5, max_participants=10)
    factories.fill(programme, 10)
    waiting = factories.fill(programme, 3)
    assert {r.status for r in waiting} == {RegistrationStatus.WAITLISTED}
    availability.update_programme(programme, data_of(programme, max_participants=12), actor="t")
    assert [r.status for r in waiting] == [
        RegistrationStatus.OFFERED,
        RegistrationStatus.OFFERED,
        RegistrationStatus.WAITLISTED,
    ]
    assert {m.to_addr for m in outbox("registration.offer")} == {r.email for r in waiting[:2]}


# --- sessions ------------------------------------------------------------------------------


def test_create_session_appends_and_is_audited(programme):
    day = programme.sessions[-1].starts_at + timedelta(weeks=4)
    session = catalog.create_session(
        programme, session_data(day, kind=SessionKind.SITE_VISIT), actor="coordinator:1"
    )
    assert session.position == 4
    assert programme.sessions[-1] is session
    [row] = audit_rows("session.created")
    assert row.object_id == session.id and row.data["programme_id"] == programme.id


def test_a_werklab_keeps_exactly_three_sessions(factories):
    werklab = factories.programme(kind=ProgrammeKind.WERKLAB, status=ProgrammeStatus.DRAFT)
    assert len(werklab.sessions) == 3
    with pytest.raises(ValidationError, match="precies drie bijeenkomsten"):
        catalog.create_session(werklab, session_data(utcnow() + timedelta(days=60)), actor="t")
    with pytest.raises(ValidationError, match="precies drie bijeenkomsten"):
        catalog.delete_session(werklab.sessions[0], actor="t")
    assert len(werklab.sessions) == 3


def test_update_session(programme):
    session = programme.sessions[1]
    day = session.starts_at + timedelta(days=1)
    catalog.update_session(
        session,
        session_data(day, theme="Werkbezoek", location_name="Het Wijkpaleis"),
        actor="t",
    )
    assert (session.theme, session.starts_at, session.location_name) == (
        "Werkbezoek",
        day,
        "Het Wijkpaleis",
    )
    [row] = audit_rows("session.updated")
    assert "theme" in row.data["fields"] and "starts_at" in row.data["fields"]


def test_update_session_refuses_an_end_before_the_start(programme):
    session = programme.sessions[0]
    before = (session.starts_at, session.ends_at)
    bad = SessionData("Thema", session.starts_at, session.starts_at - timedelta(hours=1))
    with pytest.raises(ValidationError):
        catalog.update_session(session, bad, actor="t")
    assert (session.starts_at, session.ends_at) == before


def test_deleting_a_session_renumbers_the_rest(factories):
    programme = factories.programme(sessions=4)
    themes = [s.theme for s in programme.sessions]
    catalog.delete_session(programme.sessions[1], actor="coordinator:1")
    db.session.expire_all()
    assert [(s.position, s.theme) for s in programme.sessions] == [
        (1, themes[0]),
        (2, themes[2]),
        (3, themes[3]),
    ]
    [row] = audit_rows("session.deleted")
    assert row.data["position"] == 2 and row.data["theme"] == themes[1]


def test_a_session_that_has_started_cannot_be_deleted(programme):
    session = programme.sessions[0]
    with pytest.raises(ValidationError):
        catalog.delete_session(session, actor="t", now=session.starts_at + timedelta(minutes=1))
    assert len(programme.sessions) == 3


# --- trainers ------------------------------------------------------------------------------


def test_assign_and_unassign_trainers(programme):
    tim = trainer("tim@example.nl", trainer=True)
    catalog.assign_trainer(programme, tim, actor="coordinator:1")
    assert programme.trainers == [tim]
    with pytest.raises(ValidationError):
        catalog.assign_trainer(programme, tim, actor="t")
    catalog.unassign_trainer(programme, tim, actor="coordinator:1")
    assert programme.trainers == []
    with pytest.raises(ValidationError):
        catalog.unassign_trainer(programme, tim, actor="t")
    assert [r.data["user_id"] for r in audit_rows("programme.trainer_assigned")] == [tim.id]
    assert [r.data["user_id"] for r in audit_rows("programme.trainer_removed")] == [tim.id]


def test_only_active_trainers_can_be_assigned(programme):
    participant = trainer("pia@example.nl")
    gone = trainer("gone@example.nl", trainer=True)
    gone.active = False
    for user in (participant, gone):
        with pytest.raises(ValidationError):
            catalog.assign_trainer(programme, user, actor="t")
    assert programme.trainers == []


def test_trainer_candidates_are_active_unassigned_trainers(programme):
    tim = trainer("tim@example.nl", trainer=True)
    ann = trainer("ann@example.nl", trainer=True)
    trainer("pia@example.nl")
    gone = trainer("gone@example.nl", trainer=True)
    gone.active = False
    catalog.assign_trainer(programme, tim, actor="t")
    assert catalog.trainer_candidates(programme) == [ann]


def test_an_open_werklab_keeps_two_trainers(factories):
    werklab = factories.programme(kind=ProgrammeKind.WERKLAB, status=ProgrammeStatus.DRAFT)
    ann, bob, cas = (trainer(f"{n}@example.nl", trainer=True) for n in ("ann", "bob", "cas"))
    catalog.assign_trainer(werklab, ann, actor="t")
    catalog.assign_trainer(werklab, bob, actor="t")
    catalog.open_registration(werklab, actor="t")
    with pytest.raises(ValidationError, match="twee begeleiders"):
        catalog.unassign_trainer(werklab, ann, actor="t")
    catalog.assign_trainer(werklab, cas, actor="t")
    catalog.unassign_trainer(werklab, ann, actor="t")
    assert {t.id for t in werklab.trainers} == {bob.id, cas.id}


# --- opening and closing -------------------------------------------------------------------


def test_a_werklab_opens_only_with_two_trainers(factories):
    werklab = factories.programme(kind=ProgrammeKind.WERKLAB, status=ProgrammeStatus.DRAFT)
    catalog.assign_trainer(werklab, trainer("ann@example.nl", trainer=True), actor="t")
    with pytest.raises(ValidationError, match="twee begeleiders"):
        catalog.open_registration(werklab, actor="t")
    assert werklab.status is ProgrammeStatus.DRAFT
    catalog.assign_trainer(werklab, trainer("bob@example.nl", trainer=True), actor="t")
    catalog.open_registration(werklab, actor="coordinator:7")
    assert werklab.status is ProgrammeStatus.OPEN
    [row] = [r for r in audit_rows("programme.status_changed") if r.actor == "coordinator:7"]
    assert row.data == {"previous": "draft", "status": "open"}


def test_opening_needs_a_session(factories):
    programme = factories.programme(sessions=0, status=ProgrammeStatus.DRAFT)
    assert catalog.opening_problems(programme, utcnow())
    with pytest.raises(ValidationError, match="minstens één bijeenkomst"):
        catalog.open_registration(programme, actor="t")


def test_opening_needs_a_deadline_in_the_future(factories):
    now = utcnow()
    programme = factories.programme(
        status=ProgrammeStatus.DRAFT, registration_deadline=now - timedelta(hours=1)
    )
    with pytest.raises(ValidationError, match="inschrijftermijn is voorbij"):
        catalog.open_registration(programme, actor="t", now=now)


def test_close_and_open_again(programme):
    catalog.close_registration(programme, actor="t")
    assert programme.status is ProgrammeStatus.CLOSED
    assert not programme.registration_is_open(utcnow())
    with pytest.raises(ValidationError):
        catalog.close_registration(programme, actor="t")
    catalog.open_registration(programme, actor="t")
    assert programme.status is ProgrammeStatus.OPEN
    with pytest.raises(ValidationError):
        catalog.open_registration(programme, actor="t")


@pytest.mark.parametrize("status", [ProgrammeStatus.CANCELLED, ProgrammeStatus.COMPLETED])
def test_cancelled_and_completed_programmes_stay_as_they_are(factories, status):
    programme = factories.programme(status=status)
    with pytest.raises(ValidationError):
        catalog.open_registration(programme, actor="t")
    with pytest.raises(ValidationError):
        catalog.close_registration(programme, actor="t")
    assert programme.status is status


def test_overview_has_every_programme_with_seats_and_sessions(factories):
    draft = factories.programme(status=ProgrammeStatus.DRAFT, sessions=2)
    invited = factories.invitation_programme(kind=ProgrammeKind.WERKLAB)
    open_ = factories.programme()
    factories.fill(open_, 4)
    rows = {row.programme.id: row for row in availability.programme_overview(now=utcnow())}
    assert (rows[draft.id].seats_taken, rows[draft.id].session_count) == (0, 2)
    assert (rows[invited.id].seats_taken, rows[invited.id].session_count) == (0, 3)
    assert (rows[open_.id].seats_taken, rows[open_.id].session_count) == (4, 3)
    # Drafts first, then open ones.
    order = [row.programme.id for row in availability.programme_overview(now=utcnow())]
    assert order.index(draft.id) < order.index(open_.id)


# --- users ---------------------------------------------------------------------------------


@pytest.fixture
def cora():
    return accounts.create_user("cora@example.nl", "Cora", coordinator=True, actor="test")


def test_invite_staff_user_mails_a_sign_in_link(cora):
    user = accounts.invite_staff_user(
        "Tim@Example.nl",
        "Tim Trainer",
        coordinator=False,
        trainer=True,
        next_path="/account/wachtwoord",
        by=cora,
    )
    assert (user.email, user.is_trainer, user.is_coordinator, user.password_hash) == (
        "tim@example.nl",
        True,
        False,
        None,
    )
    [mail] = outbox("accounts.welcome")
    assert mail.to_addr == "tim@example.nl"
    [row] = audit_rows("user.created")[-1:]
    assert row.actor == f"coordinator:{cora.id}"


def test_invite_staff_user_needs_a_role_and_a_new_address(cora):
    with pytest.raises(ValidationError):
        accounts.invite_staff_user(
            "x@example.nl", "X", coordinator=False, trainer=False, next_path="", by=cora
        )
    with pytest.raises(ValidationError):
        accounts.invite_staff_user(
            "CORA@example.nl", "Cora 2", coordinator=True, trainer=False, next_path="", by=cora
        )
    assert accounts.find_user("x@example.nl") is None
    assert outbox() == []


def test_change_roles(cora):
    pia = accounts.create_user("pia@example.nl", "Pia", actor="test")
    accounts.change_roles(pia, coordinator=True, trainer=True, by=cora)
    assert pia.is_coordinator and pia.is_trainer
    [row] = [r for r in audit_rows("user.roles_changed") if r.object_id == pia.id]
    assert row.actor == f"coordinator:{cora.id}"
    # A coordinator may take the role of another coordinator, and add their own trainer role.
    accounts.change_roles(pia, coordinator=False, trainer=True, by=cora)
    accounts.change_roles(cora, coordinator=True, trainer=True, by=cora)
    assert not pia.is_coordinator and cora.is_trainer


def test_a_coordinator_cannot_drop_their_own_coordinator_role(cora):
    with pytest.raises(DomainError, match="eigen rol als coördinator"):
        accounts.change_roles(cora, coordinator=False, trainer=True, by=cora)
    assert cora.is_coordinator and not cora.is_trainer


def test_deactivate_ends_every_session_and_reactivate(cora):
    tim = accounts.create_user("tim@example.nl", "Tim", trainer=True, actor="test")
    epoch = tim.session_epoch
    accounts.deactivate_user(tim, by=cora)
    assert not tim.active and tim.session_epoch == epoch + 1
    with pytest.raises(ValidationError):
        accounts.deactivate_user(tim, by=cora)
    accounts.reactivate_user(tim, by=cora)
    assert tim.active
    with pytest.raises(ValidationError):
        accounts.reactivate_user(tim, by=cora)
    assert [r.action for r in audit_rows("user.deactivated") + audit_rows("user.reactivated")] == [
        "user.deactivated",
        "user.reactivated",
    ]


def test_a_coordinator_cannot_deactivate_themselves(cora):
    with pytest.raises(DomainError, match="eigen account niet deactiveren"):
        accounts.deactivate_user(cora, by=cora)
    assert cora.active
