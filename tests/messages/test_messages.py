"""Writing to people: messages through the outbox, the history, "Mijn berichten", the
e-mail consent, and the notices for group changes, feedback and site visits."""

from __future__ import annotations

from datetime import timedelta
from email import message_from_bytes
from email.policy import default as default_policy

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from tests.access.test_matrix import client_for
from tests.conftest import csrf_from, outbox
from tests.initiatives.helpers import initiative, site_visit_programme, slot
from tests.live import free_port
from tests.workspace.helpers import staff, text
from werklab.assignments import services as assignments
from werklab.assignments.services import AssignmentData
from werklab.audit import AuditEntry
from werklab.db import utcnow
from werklab.errors import DomainError
from werklab.extensions import db
from werklab.groups import services as groups
from werklab.initiatives import services as initiatives
from werklab.mail import OutboxMail, deliver_due
from werklab.messages import services
from werklab.messages.models import Audience, Message, MessageRecipient


@pytest.fixture
def crew(factories):
    """A programme of 3 seats with a trainer, 3 seated participants and 2 waiting."""
    programme = factories.programme(max_participants=3, min_participants=3)
    trainer = staff("tess@example.nl", "Tess Trainer", password=False)
    programme.trainers.append(trainer)
    seated = [
        factories.registration(programme, first_name=n, email=f"{n.lower()}@example.nl")
        for n in ("Anna", "Bram", "Cees")
    ]
    waiting = [
        factories.registration(programme, first_name=n, email=f"{n.lower()}@example.nl")
        for n in ("Dirk", "Eva")
    ]
    db.session.commit()
    return programme, trainer, seated, waiting


def data(audience=Audience.PARTICIPANTS, **kw):
    return services.MessageData(
        audience=audience,
        subject=kw.pop("subject", "Locatie volgende keer"),
        body=kw.pop("body", "We zien elkaar in het buurthuis.\n\nTot dan!"),
        **kw,
    )


# --- services --------------------------------------------------------------------------------


def test_message_to_participants_is_one_mail_each_by_first_name(crew):
    programme, trainer, seated, waiting = crew
    message = services.send_message(programme, data(), author=trainer)
    mails = outbox("messages.message")
    assert sorted(m.to_addr for m in mails) == [
        "anna@example.nl",
        "bram@example.nl",
        "cees@example.nl",
    ]
    anna = next(m for m in mails if m.to_addr == "anna@example.nl")
    assert anna.body_text.startswith("Beste Anna,") and "buurthuis" in anna.body_text
    assert anna.reply_to == [["Tess Trainer", "tess@example.nl"]]
    assert {r.registration_id for r in message.recipients} == {r.id for r in seated}
    row = db.session.execute(
        select(AuditEntry).where(AuditEntry.action == "message.sent")
    ).scalar_one()
    assert row.actor == f"user:{trainer.id}" and row.data["recipients"] == 3


def test_message_to_the_waiting_list_chosen_and_a_group(crew):
    programme, trainer, seated, waiting = crew
    services.send_message(programme, data(Audience.WAITING), author=trainer)
    assert sorted(m.to_addr for m in outbox("messages.message")) == [
        "dirk@example.nl",
        "eva@example.nl",
    ]
    chosen = services.send_message(
        programme, data(Audience.CHOSEN, chosen=(seated[1].id, waiting[0].id)), author=trainer
    )
    assert {r.registration_id for r in chosen.recipients} == {seated[1].id, waiting[0].id}
    groups.compose_groups(programme, size_min=2, size_max=3, seed=1, actor=trainer)
    [group] = services.current_groups(programme.id)
    to_group = services.send_message(
        programme, data(Audience.GROUP, group_id=group.id), author=trainer
    )
    assert to_group.group_name == group.name and len(to_group.recipients) == 3
    assert [s.count for s in services.history(programme.id)] == [3, 2, 2]


def test_bad_messages_are_refused_and_nothing_is_stored(crew, factories):
    programme, trainer, seated, _waiting = crew
    other = factories.programme()
    stranger = factories.registration(other)
    for bad in (
        data(subject="  "),
        data(body=""),
        data(subject="x" * 201),
        data(body="x" * 10_001),
        data(body="nul\x00"),
        data(Audience.CHOSEN, chosen=()),
        data(Audience.CHOSEN, chosen=(stranger.id,)),
        data(Audience.GROUP, group_id=999999),
    ):
        with pytest.raises(DomainError):
            services.send_message(programme, bad, author=trainer)
    assert db.session.execute(select(Message)).first() is None
    assert outbox("messages.message") == []


def test_reply_to_header_reaches_the_smtp_server(app, crew, monkeypatch):
    """The Reply-To made by mail_headers survives a real SMTP conversation: a name with
    quotes and a comma arrives as one name, with one address."""
    programme, trainer, seated, _ = crew
    trainer.name = 'Tess "de" Trainer, MSc'
    services.send_message(programme, data(Audience.CHOSEN, chosen=(seated[0].id,)), author=trainer)
    db.session.commit()
    received = []

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            received.append(envelope)
            return "250 OK"

    port = free_port()
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    # Set for this test only: the app (and its MAIL_BACKEND "null") is shared by later tests.
    for key, value in (("MAIL_BACKEND", "smtp"), ("MAIL_SERVER", "127.0.0.1"), ("MAIL_PORT", port)):
        monkeypatch.setitem(app.config, key, value)
    try:
        assert deliver_due() >= 1
    finally:
        controller.stop()
    parsed = [message_from_bytes(e.content, policy=default_policy) for e in received]
    [msg] = [m for m in parsed if m["Subject"] == "Locatie volgende keer"]
    assert msg["To"].addresses[0].addr_spec == "anna@example.nl"
    [reply_to] = msg["Reply-To"].addresses
    assert reply_to.addr_spec == "tess@example.nl"
    assert reply_to.display_name == 'Tess "de" Trainer, MSc'
    assert "Beste Anna," in msg.get_body(("plain",)).get_content()


# --- views -----------------------------------------------------------------------------------


def test_trainer_writes_through_the_page_and_sees_the_history(app, crew):
    programme, trainer, seated, _ = crew
    client = client_for(app, trainer)
    url = f"/werkruimte/{programme.id}/berichten"
    page = text(client.get(url))
    assert "Schrijf de mensen van" in page and "Er is nog niets verstuurd" in page
    token = csrf_from(page)
    bad = client.post(url, data={"csrf_token": token, "audience": "participants", "subject": ""})
    assert bad.status_code == 400 and "Vul een onderwerp in" in text(bad)
    # Nobody chosen, or a choice the form does not offer: a message, not a server error.
    base = {"csrf_token": token, "subject": "Hallo", "body": "Tekst"}
    for extra, message in (
        ({"audience": ""}, "Kies voor wie het bericht is."),
        ({"audience": "iedereen"}, "Kies voor wie het bericht is."),
        ({"audience": "chosen"}, "Kies minstens één persoon."),
        ({"audience": "chosen", "chosen": ["x"]}, "Kies mensen uit de lijst."),
    ):
        bad = client.post(url, data={**base, **extra})
        assert bad.status_code == 400 and message in text(bad), (extra, bad.status_code)
    assert db.session.execute(select(Message)).first() is None
    ok = client.post(
        url,
        data={
            "csrf_token": token,
            "audience": "chosen",
            "chosen": [str(seated[0].id), str(seated[2].id)],
            "subject": "Even bijpraten",
            "body": "Hoe gaat het?",
        },
    )
    assert ok.status_code == 302
    page = text(client.get(url))
    assert "Even bijpraten" in page and "2 personen" in page
    message = db.session.execute(select(Message)).scalar_one()
    shown = text(client.get(f"{url}/{message.id}"))
    assert seated[0].full_name in shown and seated[1].full_name not in shown


def test_participant_sees_own_messages_only(app, crew, factories):
    programme, trainer, seated, _ = crew
    services.send_message(
        programme,
        data(Audience.CHOSEN, chosen=(seated[0].id,), subject="Voor Anna"),
        author=trainer,
    )
    services.send_message(
        programme,
        data(Audience.CHOSEN, chosen=(seated[1].id,), subject="Voor Bram"),
        author=trainer,
    )
    anna = staff("anna@example.nl", "Anna", trainer=False, password=False)
    db.session.commit()
    page = text(client_for(app, anna).get("/mijn-traject/berichten"))
    assert "Voor Anna" in page and "Voor Bram" not in page
    assert "Tess Trainer" in page


def test_sharing_consent_from_mijn_traject(app, crew):
    programme, trainer, seated, _ = crew
    anna = staff("anna@example.nl", "Anna", trainer=False, password=False)
    db.session.commit()
    client = client_for(app, anna)
    token = csrf_from(text(client.get("/mijn-traject/berichten")))
    url = f"/mijn-traject/inschrijving/{seated[0].id}/e-mail-delen"
    assert client.post(url, data={"csrf_token": token, "share": "y"}).status_code == 302
    db.session.refresh(seated[0])
    assert seated[0].share_email_at is not None
    assert client.post(url, data={"csrf_token": token}).status_code == 302
    db.session.refresh(seated[0])
    assert seated[0].share_email_at is None
    other = f"/mijn-traject/inschrijving/{seated[1].id}/e-mail-delen"
    assert client.post(other, data={"csrf_token": token, "share": "y"}).status_code == 403


def test_registration_form_records_the_consent(client, programme):
    page = text(client.get(f"/programma/{programme.slug}/inschrijven"))
    assert "Toon mijn e-mailadres aan de leden van mijn huiswerkgroep" in page


# --- notices ---------------------------------------------------------------------------------


def test_group_members_are_told_who_is_in_their_group_with_consented_addresses(crew):
    programme, trainer, seated, _ = crew
    seated[1].share_email_at = utcnow()
    groups.compose_groups(programme, size_min=2, size_max=3, seed=1, actor=trainer)
    mails = {m.to_addr: m for m in outbox("messages.group_changed")}
    assert set(mails) == {"anna@example.nl", "bram@example.nl", "cees@example.nl"}
    to_anna = mails["anna@example.nl"].body_text
    assert "Beste Anna," in to_anna and seated[1].full_name in to_anna
    assert "bram@example.nl" in to_anna  # Bram agreed
    assert "cees@example.nl" not in to_anna and "e-mailadres niet gedeeld" in to_anna
    assert mails["anna@example.nl"].reply_to == [[trainer.display_name, "tess@example.nl"]]


def test_moving_someone_tells_both_groups(factories):
    programme = factories.programme()
    people = factories.fill(programme, 6)
    groups.compose_groups(programme, size_min=3, size_max=4, seed=2, actor=None)
    before = len(outbox("messages.group_changed"))
    assert before == 6
    board = groups.board(programme)
    source, target = board.groups[0], board.groups[1]
    mover = source.members[0]
    groups.move_member(mover, target.group, actor=None)
    told = outbox("messages.group_changed")[before:]
    assert len(told) == 6  # 2 left in the first group, 4 now in the second
    assert {m.to_addr for m in told} == {r.email for r in people}


def test_group_is_told_when_feedback_arrives(factories):
    programme = factories.programme()
    trainer = staff("tess@example.nl", "Tess Trainer", password=False)
    factories.fill(programme, 4)
    groups.compose_groups(programme, size_min=2, size_max=3, seed=1, actor=trainer)
    group = services.current_groups(programme.id)[0]
    assignment = assignments.create_assignment(
        programme, AssignmentData("Casus", "Beschrijf.", utcnow() + timedelta(days=5)), actor="test"
    )
    submission = assignments.submit(assignment, group, "Onze tekst", [], user_id=None, now=utcnow())
    assignments.give_feedback(submission, "Mooi werk", actor_id=trainer.id)
    mails = outbox("messages.feedback")
    assert sorted(m.to_addr for m in mails) == sorted(r.email for r in group.members)
    assert "Tess Trainer heeft feedback gegeven" in mails[0].body_text
    assert f"/opdrachten/{assignment.id}/groep/{group.id}" in mails[0].body_text


def test_trainers_are_told_when_a_host_answers(factories):
    programme = site_visit_programme(factories)
    trainer = staff("tess@example.nl", "Tess Trainer", password=False)
    programme.trainers.append(trainer)
    session = programme.sessions[0]
    visit = initiatives.add_visit(session, initiative(), *slot(session), actor="test")
    initiatives.respond_to_visit(visit, accept=False, info="Helaas gesloten", now=utcnow())
    [mail] = outbox("messages.visit_answered")
    assert mail.to_addr == "tess@example.nl"
    assert "afgezegd" in mail.subject and "Helaas gesloten" in mail.body_text


def test_nothing_of_a_message_remains_when_the_request_fails(crew):
    """Message, recipients and mails are one transaction with the rest."""
    programme, trainer, _seated, _ = crew
    services.send_message(programme, data(), author=trainer)
    db.session.rollback()
    assert db.session.execute(select(MessageRecipient)).first() is None
    assert (
        db.session.execute(select(OutboxMail).where(OutboxMail.kind == "messages.message")).first()
        is None
    )


def test_group_page_shows_only_the_addresses_of_those_who_agreed(app, crew):
    programme, trainer, seated, _ = crew
    seated[1].share_email_at = utcnow()  # Bram agreed, Cees did not
    groups.compose_groups(programme, size_min=2, size_max=3, seed=1, actor=trainer)
    anna = staff("anna@example.nl", "Anna", trainer=False, password=False)
    db.session.commit()
    page = text(client_for(app, anna).get(f"/mijn-traject/inschrijving/{seated[0].id}/groep"))
    assert "mailto:bram@example.nl" in page
    assert "cees@example.nl" not in page and seated[2].full_name in page
