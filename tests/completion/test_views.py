"""After completion the trainer's pages are read-only: the pages still show, their forms are
gone, and every state-changing POST is refused with 409 and the reason. The coordinator's
confirm page completes a programme by hand."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.completion.helpers import ended
from tests.conftest import csrf_from, outbox
from tests.evaluations.helpers import client_for, text
from werklab import permissions
from werklab.accounts import services as accounts
from werklab.audit import AuditEntry
from werklab.catalog.models import ProgrammeStatus
from werklab.certificates.models import Certificate
from werklab.completion import services
from werklab.errors import ReadOnly
from werklab.evaluations import questionnaires
from werklab.extensions import db

READ_ONLY = "is afgerond: de pagina's zijn nog te lezen, maar niet meer te wijzigen"


def _page(response) -> str:
    return text(response).replace("&#39;", "'")


@pytest.fixture
def done(app, factories):
    e = ended(factories, final_evaluation=False)
    questionnaire = questionnaires.copy_ready_made(e.programme, "session-nl", actor="t")
    services.complete_programme(e.programme, actor="system", now=None)
    db.session.commit()
    e.questionnaire_id = questionnaire.id
    return e


def _posts(e) -> list[tuple[str, dict]]:
    p, s, r = e.programme.id, e.programme.sessions[-1].id, e.people[0].id
    certificate = db.session.execute(
        select(Certificate.id).where(Certificate.registration_id == r)
    ).scalar_one()
    day = {"first_day": "2030-03-05", "interval": "4", "count": "1", "start": "13:30"}
    return [
        (f"/werkruimte/bijeenkomst/{s}/presentie/{r}", {"status": "absent"}),
        (f"/werkruimte/deelnemer/{r}/notities", {"body": "Nog een notitie"}),
        (f"/werkruimte/{p}/certificaten/regel", {"kind": "all"}),
        (f"/werkruimte/{p}/certificaten/uitreiken", {}),
        (f"/werkruimte/certificaat/{certificate}/intrekken", {}),
        (f"/werkruimte/{p}/huiswerkgroepen", {"size": "3", "seed": "1"}),
        (f"/werkruimte/{p}/huiswerkgroepen/verplaatsen", {"registration_id": str(r)}),
        (f"/werkruimte/{p}/vragenlijsten", {"template": "session-nl"}),
        (f"/werkruimte/vragenlijst/{e.questionnaire_id}", {"title": "Anders"}),
        (f"/werkruimte/vragenlijst/{e.questionnaire_id}/vragen", {"kind": "open", "text": "?"}),
        (f"/werkruimte/bijeenkomst/{s}/evaluatie", {"enabled": "y", "open_days": "14"}),
        (f"/werkruimte/{p}/opdrachten/nieuw", {"title": "Nog een opdracht"}),
        (f"/werkruimte/{p}/berichten", {"subject": "Hallo", "body": "Tot ziens"}),
        (f"/werkruimte/aandacht/{r}/gecontacteerd", {}),
        (f"/werkruimte/aandacht/{r}/bericht", {"subject": "Hallo", "body": "Hoe gaat het?"}),
        (f"/werkruimte/bijeenkomst/{s}/werkbezoeken", {}),
        (f"/werkruimte/bijeenkomst/{s}/werkbezoeken/indelen", {}),
        (f"/werkruimte/bijeenkomst/{s}/gastlocatie", {}),
        (f"/werkruimte/{p}/reeks", {**day, "end": "16:30", "theme": "B"}),
        (f"/werkruimte/{p}/reeks/bevestigen", {**day, "end": "16:30", "days-0": "2030-03-05"}),
    ]


def _counts():
    return (
        db.session.scalar(select(func.count()).select_from(AuditEntry)),
        len(outbox()),
    )


def test_every_change_on_a_completed_programme_is_refused_with_409(app, done):
    for role in (done.setup.trainer, _coordinator()):
        client = client_for(app, role)
        token = csrf_from(client.get("/account").get_data(as_text=True))
        before = _counts()
        for url, data in _posts(done):
            response = client.post(url, data={**data, "csrf_token": token})
            assert response.status_code == 409, (url, response.status_code)
            assert READ_ONLY in _page(response), url
        assert _counts() == before


def _coordinator():
    user = accounts.create_user(
        "cora@example.nl", "Cora Coördinator", coordinator=True, actor="test"
    )
    db.session.commit()
    return user


def test_the_pages_still_show_without_their_forms(app, done):
    client = client_for(app, done.setup.trainer)
    p, s = done.programme.id, done.programme.sessions[-1].id
    r = done.people[0].id
    checks = {
        f"/werkruimte/{p}": f"/werkruimte/{p}/reeks",
        f"/werkruimte/bijeenkomst/{s}/presentie": f"/werkruimte/bijeenkomst/{s}/presentie/{r}",
        f"/werkruimte/deelnemer/{r}": "/notities",
        f"/werkruimte/{p}/certificaten": "/certificaten/regel",
        f"/werkruimte/{p}/huiswerkgroepen": 'action="/werkruimte/',
        f"/werkruimte/{p}/berichten": f'action="/werkruimte/{p}/berichten"',
        f"/werkruimte/{p}/evaluaties": "/vragenlijsten",
        f"/werkruimte/bijeenkomst/{s}/werkbezoeken": "/gastlocatie",
    }
    for url, form_target in checks.items():
        response = client.get(url)
        assert response.status_code == 200, url
        page = _page(response)
        assert "Dit traject is afgerond" in page, url
        assert form_target not in page.split("</header>", 1)[-1], url


def test_the_rule(app, factories):
    programme = factories.programme()
    trainer = accounts.create_user("t@example.nl", "T", trainer=True, actor="test")
    programme.trainers.append(trainer)
    assert not permissions.is_read_only(programme)
    assert permissions.can_change_programme(trainer, programme)
    permissions.check_changeable(programme)  # no error
    programme.status = ProgrammeStatus.COMPLETED
    assert permissions.is_read_only(programme)
    assert not permissions.can_change_programme(trainer, programme)
    assert permissions.can_work_on(trainer, programme)  # still reads its pages
    with pytest.raises(ReadOnly) as caught:
        permissions.check_changeable(programme)
    assert caught.value.status_code == 409 and programme.title in caught.value.message
    for status in (ProgrammeStatus.CLOSED, ProgrammeStatus.CANCELLED, ProgrammeStatus.OPEN):
        programme.status = status
        assert not permissions.is_read_only(programme)


def test_the_public_page_says_it_is_completed_and_registration_is_refused(app, done, factories):
    client = app.test_client()
    programme = done.programme
    page = _page(client.get(f"/programma/{programme.slug}"))
    assert "Dit traject is afgerond: inschrijven kan niet meer." in page
    assert f"/programma/{programme.slug}/inschrijven" not in page
    response = client.get(f"/programma/{programme.slug}/inschrijven")
    assert response.status_code == 409
    assert "Dit traject is afgerond: inschrijven kan niet meer." in _page(response)


def test_a_coordinator_completes_by_hand_on_the_confirm_page(app, factories):
    e = ended(factories, final_evaluation=False)
    db.session.commit()
    coordinator = _coordinator()
    client = client_for(app, coordinator)
    url = f"/beheer/programma/{e.programme.id}/afronden"
    page = _page(client.get(url))
    assert "3 deelnemers krijgen een afsluitende mail." in page
    assert "2 van hen krijgen er een bewijs van deelname bij." in page
    assert "0 van hen krijgen de link naar de eindevaluatie." in page
    assert "voldoet aan de regel" not in page  # everyone eligible has a certificate
    # The trainer may not; the manage page links here.
    assert client_for(app, e.setup.trainer).get(url).status_code == 403
    assert url in _page(client.get(f"/beheer/programma/{e.programme.id}"))
    # Without the CSRF token nothing happens.
    assert client.post(url).status_code == 400
    assert e.programme.status is ProgrammeStatus.OPEN
    token = csrf_from(page)
    response = client.post(url, data={"csrf_token": token})
    assert response.status_code == 302
    db.session.refresh(e.programme)
    assert e.programme.status is ProgrammeStatus.COMPLETED
    assert len(outbox("programme.closing")) == 3
    followed = _page(client.get(response.headers["Location"]))
    assert "is afgerond; 3 deelnemers krijgen een afsluitende mail." in followed
    assert "Afgerond op" in followed
    # Twice: refused with the reason, nobody mailed again.
    response = client.post(url, data={"csrf_token": token})
    assert response.status_code == 409 and "Dit traject is al afgerond." in _page(response)
    assert len(outbox("programme.closing")) == 3


def test_the_confirm_page_warns_about_missing_certificates(app, factories):
    e = ended(factories, final_evaluation=False)
    db.session.execute(
        Certificate.__table__.delete().where(Certificate.registration_id == e.people[0].id)
    )
    db.session.commit()
    page = _page(
        client_for(app, _coordinator()).get(f"/beheer/programma/{e.programme.id}/afronden")
    )
    assert "1 deelnemer voldoet aan de regel voor een bewijs van deelname" in page


def test_the_trainer_sees_when_tick_will_complete_the_programme(app, factories):
    e = ended(factories, last_ended=timedelta(days=2), final_evaluation=False)
    db.session.commit()
    client = client_for(app, e.setup.trainer)
    page = _page(client.get(f"/werkruimte/{e.programme.id}"))
    when = services.completes_on(e.programme)
    assert when == e.programme.sessions[-1].ends_at + timedelta(days=7)
    assert "automatisch afgerond" in page
    services.complete_programme(e.programme, actor="system", now=None)
    db.session.commit()
    page = _page(client.get(f"/werkruimte/{e.programme.id}"))
    assert "automatisch afgerond" not in page and "Afgerond op" in page
    assert "Berichten" not in page or f"/werkruimte/{e.programme.id}/berichten" not in page


def test_the_coordinators_session_pages_refuse_a_completed_programme(app, done):
    """Beheer's own session pages (add, edit, delete) keep a completed programme as it ended:
    the forms are refused with 409 and the reason, nothing is stored, and the programme page
    offers no session buttons."""
    client = client_for(app, _coordinator())
    p, s = done.programme.id, done.programme.sessions[-1].id
    token = csrf_from(client.get("/account").get_data(as_text=True))
    sessions_before = [(x.id, x.theme, x.starts_at) for x in done.programme.sessions]
    before = _counts()
    new = {"theme": "Nog één", "date": "2030-03-05", "start": "13:30", "end": "16:30"}
    for url, data in [
        (f"/beheer/programma/{p}/bijeenkomsten/nieuw", new),
        (f"/beheer/programma/{p}/bijeenkomsten/{s}/bewerken", new),
        (f"/beheer/programma/{p}/bijeenkomsten/{s}/verwijderen", {}),
    ]:
        for response in (client.get(url), client.post(url, data={**data, "csrf_token": token})):
            assert response.status_code == 409, (url, response.status_code)
            assert READ_ONLY in _page(response), url
    assert _counts() == before
    db.session.expire_all()
    assert [(x.id, x.theme, x.starts_at) for x in done.programme.sessions] == sessions_before
    page = _page(client.get(f"/beheer/programma/{p}"))
    assert "Dit traject is afgerond" in page
    assert (
        "/bijeenkomsten/nieuw" not in page and "/bewerken" not in page.split("sessions-heading")[1]
    )
