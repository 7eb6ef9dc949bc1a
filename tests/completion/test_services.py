"""Completing a programme (issue 15 part 5), with an explicit `now`: tick after the grace
period, or the coordinator; the closing mail; no registrations afterwards."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.completion.helpers import NOW, ended
from tests.conftest import outbox
from werklab.audit import AuditEntry
from werklab.catalog.models import ProgrammeStatus
from werklab.certificates.models import Certificate
from werklab.certificates.services import ATTACHMENT_RENDERER
from werklab.completion import jobs, services
from werklab.completion.services import CannotComplete
from werklab.evaluations.models import EvaluationInvitation
from werklab.evaluations.services import answer_url
from werklab.extensions import db
from werklab.registration import services as registration
from werklab.registration.models import RegistrationStatus
from werklab.registration.signup import RegistrationClosed
from werklab.registration.waitlist import OfferNotOpen, accept_offer, advance_waiting_list


def _closing():
    return [m for m in outbox("programme.closing")]


def test_tick_completes_a_week_after_the_last_session_and_mails_everyone_once(app, factories):
    e = ended(factories)
    db.session.commit()
    before = {m.id for m in outbox()}
    assert jobs.complete_programmes(NOW) == 1
    programme = db.session.get(type(e.programme), e.programme.id)
    assert programme.status is ProgrammeStatus.COMPLETED
    assert programme.completed_at == NOW
    audit = db.session.execute(
        select(AuditEntry).where(
            AuditEntry.action == "programme.completed", AuditEntry.object_id == programme.id
        )
    ).scalar_one()
    assert audit.actor == "system" and audit.data == {"previous": "open", "mailed": 3}
    mails = [m for m in _closing() if m.id not in before]
    assert sorted(m.to_addr for m in mails) == sorted(r.email for r in e.people)
    # Nothing else was mailed to them (no certificate mail again, no second closing mail).
    assert {m.kind for m in outbox() if m.id not in before} == {"programme.closing"}

    by_address = {m.to_addr: m for m in mails}
    for person in e.certified:
        mail = by_address[person.email]
        certificate = db.session.execute(
            select(Certificate).where(Certificate.registration_id == person.id)
        ).scalar_one()
        assert mail.attachments == [
            {"render": ATTACHMENT_RENDERER, "args": {"certificate_id": certificate.id}}
        ]
        assert certificate.code in mail.body_text
        assert f"/mijn-traject/certificaat/{certificate.id}?token=" in mail.body_text
        assert "bewijs van deelname zit als bijlage" in mail.body_text
    missed = by_address[e.uncertified[0].email]
    assert missed.attachments in (None, [])
    assert "bewijs van deelname" not in missed.body_text
    # The final evaluation's personal link, for everyone invited (all were at the last one).
    for person in e.people:
        invitation = db.session.execute(
            select(EvaluationInvitation).where(EvaluationInvitation.registration_id == person.id)
        ).scalar_one()
        assert answer_url(invitation) in by_address[person.email].body_text
    assert mails[0].subject.endswith("is afgerond: dank je wel")

    # Again: nothing to do, nobody mailed twice.
    assert jobs.complete_programmes(NOW + timedelta(hours=1)) == 0
    assert len(_closing()) == len(mails)


def test_no_final_evaluation_link_once_answered_or_without_one(app, factories):
    e = ended(factories, final_evaluation=False)
    services.complete_programme(e.programme, actor="coordinator:1", now=NOW)
    mail = _closing()[0]
    assert "eindevaluatie" not in mail.body_text


def test_within_the_grace_week_tick_waits_but_a_coordinator_can_complete(app, factories):
    e = ended(factories, last_ended=timedelta(days=2), final_evaluation=False)
    db.session.commit()
    assert e.programme.id not in services.programmes_to_complete(NOW)
    assert jobs.complete_programmes(NOW) == 0
    assert e.programme.status is ProgrammeStatus.OPEN
    assert services.complete_programme(e.programme, actor="coordinator:7", now=NOW) == 3
    assert e.programme.status is ProgrammeStatus.COMPLETED
    assert e.programme.id not in services.programmes_to_complete(NOW + timedelta(days=30))


def test_a_programme_with_sessions_to_come_cannot_be_completed(app, factories):
    programme = factories.programme(now=NOW)
    with pytest.raises(CannotComplete, match="De laatste bijeenkomst eindigt op"):
        services.complete_programme(programme, actor="coordinator:1", now=NOW)
    assert programme.status is ProgrammeStatus.OPEN and programme.completed_at is None


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (ProgrammeStatus.DRAFT, "geen concept"),
        (ProgrammeStatus.CANCELLED, "geen concept"),
        (ProgrammeStatus.COMPLETED, "al afgerond"),
    ],
)
def test_only_a_programme_that_ran_can_be_completed(app, factories, status, message):
    e = ended(factories, final_evaluation=False)
    e.programme.status = status
    db.session.flush()
    with pytest.raises(CannotComplete, match=message):
        services.complete_programme(e.programme, actor="coordinator:1", now=NOW)
    assert e.programme.id not in services.programmes_to_complete(NOW)


def test_after_completion_nobody_can_register(app, factories):
    e = ended(factories, final_evaluation=False)
    services.complete_programme(e.programme, actor="system", now=NOW)
    with pytest.raises(RegistrationClosed, match="afgerond: inschrijven kan niet meer"):
        registration.register(e.programme.id, factories.person(), actor="public", now=NOW)
    # By hand (a coordinator), onto a seat or the waiting list.
    for place in ("seat", "waitlist"):
        with pytest.raises(RegistrationClosed, match="afgerond"):
            registration.register(
                e.programme.id, factories.person(), actor="coordinator:1", place=place, now=NOW
            )


def test_an_invitation_link_no_longer_registers_anyone(app, factories):
    programme = factories.invitation_programme(now=NOW - timedelta(days=60))
    programme.status = ProgrammeStatus.COMPLETED
    db.session.flush()
    with pytest.raises(RegistrationClosed, match="afgerond"):
        registration.register(
            programme.id,
            factories.person(),
            invitation_token=programme.invitation_token,
            now=NOW,
        )


def test_the_waiting_list_stops_at_completion(app, factories):
    e = ended(factories, final_evaluation=False)
    waiting, offered = e.people[0], e.people[1]
    # Free seats and people waiting for them (set directly: the list is what matters here).
    waiting.status = RegistrationStatus.WAITLISTED
    waiting.waitlist_seq = 1
    offered.status = RegistrationStatus.OFFERED
    offered.offer_expires_at = NOW + timedelta(hours=40)
    db.session.flush()
    services.complete_programme(e.programme, actor="system", now=NOW)
    assert advance_waiting_list(e.programme, NOW) == []
    assert waiting.status is RegistrationStatus.WAITLISTED
    with pytest.raises(OfferNotOpen, match="afgerond"):
        accept_offer(offered, now=NOW)
    assert offered.status is RegistrationStatus.OFFERED
