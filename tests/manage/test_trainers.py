"""Coordinator pages: assigning trainers to a programme and taking them off."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from tests.conftest import outbox
from tests.manage.conftest import post, text
from werklab import jobs
from werklab.accounts import services as accounts
from werklab.audit import AuditEntry
from werklab.catalog.models import ProgrammeKind, ProgrammeStatus
from werklab.db import utcnow
from werklab.extensions import db


def test_assign_and_remove_a_trainer(admin, programme, make_trainer):
    tim = make_trainer("Tim Trainer")
    make_trainer("Ann Trainer")
    accounts.create_user("pia@example.nl", "Pia Deelnemer", actor="test")
    db.session.commit()
    page = text(admin.get(f"/beheer/programma/{programme.id}"))
    assert "Nog geen begeleiders." in page
    assert f'<option value="{tim.id}">Tim Trainer</option>' in page
    assert "Pia Deelnemer" not in page  # not a trainer
    response = post(admin, f"/beheer/programma/{programme.id}/begeleiders", {"user_id": tim.id})
    assert response.status_code == 302
    db.session.refresh(programme)
    assert [t.id for t in programme.trainers] == [tim.id]
    page = text(admin.get(response.headers["Location"]))
    assert "Tim Trainer begeleidt nu dit traject." in page
    assert f'<option value="{tim.id}">' not in page  # no longer a candidate
    assert tim.id in [
        row.data["user_id"]
        for row in db.session.execute(
            select(AuditEntry).where(AuditEntry.action == "programme.trainer_assigned")
        ).scalars()
    ]
    # Tim hears it, with the sessions and a link to the programme in his workspace.
    (mail,) = outbox("programme.trainer_assigned")
    assert mail.to_addr == tim.email
    assert mail.subject == f"Je begeleidt nu {programme.title}"
    workspace = f"http://werklab.test/werkruimte/{programme.id}"
    assert workspace in mail.body_text and workspace in mail.body_html
    first = programme.sessions[0]
    assert first.theme in mail.body_text and first.theme in mail.body_html
    response = post(admin, f"/beheer/programma/{programme.id}/begeleiders/{tim.id}/verwijderen")
    db.session.refresh(programme)
    assert programme.trainers == []
    assert "Tim Trainer begeleidt dit traject niet meer." in text(
        admin.get(response.headers["Location"])
    )
    (mail,) = outbox("programme.trainer_removed")
    assert mail.to_addr == tim.email
    assert mail.subject == f"Je begeleidt {programme.title} niet meer"
    assert "de coördinator heeft je van het traject gehaald" in mail.body_text


def test_only_trainers_can_be_assigned(admin, programme, make_trainer):
    pia = accounts.create_user("pia@example.nl", "Pia Deelnemer", actor="test")
    gone = make_trainer("Gone Trainer")
    gone.active = False
    db.session.commit()
    for user_id in (pia.id, gone.id, "abc", "", 999999):
        response = post(
            admin, f"/beheer/programma/{programme.id}/begeleiders", {"user_id": user_id}
        )
        assert "Kies een begeleider." in text(admin.get(response.headers["Location"]))
    db.session.refresh(programme)
    assert programme.trainers == []


def test_assign_ignores_extra_fields(admin, factories, make_trainer):
    tim = make_trainer("Tim Trainer")
    programme, other = factories.programme(), factories.programme()
    db.session.commit()
    post(
        admin,
        f"/beheer/programma/{programme.id}/begeleiders",
        {"user_id": tim.id, "programme_id": other.id, "is_coordinator": "y", "role": "admin"},
    )
    db.session.refresh(programme)
    db.session.refresh(other)
    db.session.refresh(tim)
    assert [t.id for t in programme.trainers] == [tim.id]
    assert other.trainers == []
    assert not tim.is_coordinator


def test_an_open_werklab_keeps_two_trainers(admin, factories, make_trainer):
    ann, bob = make_trainer("Ann Trainer"), make_trainer("Bob Trainer")
    werklab = factories.programme(kind=ProgrammeKind.WERKLAB, status=ProgrammeStatus.DRAFT)
    db.session.commit()
    for user in (ann, bob):
        post(admin, f"/beheer/programma/{werklab.id}/begeleiders", {"user_id": user.id})
    post(admin, f"/beheer/programma/{werklab.id}/openen")
    db.session.refresh(werklab)
    assert werklab.status is ProgrammeStatus.OPEN
    response = post(admin, f"/beheer/programma/{werklab.id}/begeleiders/{ann.id}/verwijderen")
    assert "Een open werklab heeft twee begeleiders nodig" in text(
        admin.get(response.headers["Location"])
    )
    db.session.refresh(werklab)
    assert {t.id for t in werklab.trainers} == {ann.id, bob.id}


def test_removing_someone_who_is_not_a_trainer_of_it(admin, programme, make_trainer):
    tim = make_trainer("Tim Trainer")
    db.session.commit()
    response = post(admin, f"/beheer/programma/{programme.id}/begeleiders/{tim.id}/verwijderen")
    assert "Tim Trainer begeleidt dit traject niet." in text(
        admin.get(response.headers["Location"])
    )
    assert (
        post(admin, f"/beheer/programma/{programme.id}/begeleiders/999999/verwijderen").status_code
        == 404
    )


def test_no_trainers_to_add(admin, programme):
    db.session.commit()
    page = text(admin.get(f"/beheer/programma/{programme.id}"))
    assert "Er zijn geen andere begeleiders om toe te voegen." in page
    assert 'name="user_id"' not in page


def test_a_trainer_who_lost_the_role_is_flagged_and_gets_no_programme_mail(
    admin, coordinator, factories, make_trainer
):
    programme = factories.programme(decision_date=date.today() - timedelta(days=1))
    tim, ann = make_trainer("Tim Trainer"), make_trainer("Ann Trainer")
    programme.trainers.extend([tim, ann])
    accounts.change_roles(tim, coordinator=False, trainer=False, by=coordinator)
    accounts.deactivate_user(ann, by=coordinator)
    db.session.commit()
    page = text(admin.get(f"/beheer/programma/{programme.id}"))
    assert "Tim Trainer" in page and "heeft de rol begeleider niet meer" in page
    assert "Ann Trainer" in page and "account gedeactiveerd" in page
    assert jobs.mail_decisions(utcnow()) == 1
    assert [m.to_addr for m in outbox("programme.decision_due")] == [coordinator.email]
