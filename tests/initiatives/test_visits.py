"""Site visits: capacity, the host link, changes and thanks."""

from __future__ import annotations

import re
from datetime import UTC, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from tests.conftest import csrf_from, outbox, tampered
from tests.initiatives.helpers import initiative, site_visit_programme, slot
from werklab.catalog import services as catalog
from werklab.catalog.services import SessionData
from werklab.errors import DomainError, ValidationError
from werklab.extensions import db
from werklab.initiatives import services
from werklab.initiatives.models import SiteVisit, VisitStatus, site_visit_participants
from werklab.manage import history
from werklab.registration import decisions
from werklab.registration.lookup import manage_token


@pytest.fixture
def setup(factories):
    programme = site_visit_programme(factories)
    session = programme.sessions[0]
    people = factories.fill(programme, 9)
    return programme, session, people


def _count(visit) -> int:
    return db.session.execute(
        select(func.count())
        .select_from(site_visit_participants)
        .where(site_visit_participants.c.visit_id == visit.id)
    ).scalar_one()


def test_automatic_assignment_never_exceeds_capacity(setup):
    programme, session, people = setup
    small = services.add_visit(
        session, initiative("Repair Café", capacity=3), *slot(session), actor="t"
    )
    big = services.add_visit(
        session, initiative("Buurttuin", capacity=4), *slot(session), actor="t"
    )
    unplaced = services.assign_automatically(session, actor="t")
    assert (_count(small), _count(big)) == (3, 4)
    assert unplaced == 2
    # Running again places nobody above capacity either.
    assert services.assign_automatically(session, actor="t") == 2
    assert (_count(small), _count(big)) == (3, 4)


def test_assignment_splits_across_initiatives(setup):
    programme, session, people = setup
    a = services.add_visit(
        session, initiative("Repair Café", capacity=10), *slot(session), actor="t"
    )
    b = services.add_visit(session, initiative("Buurttuin", capacity=10), *slot(session), actor="t")
    assert services.assign_automatically(session, actor="t") == 0
    assert sorted((_count(a), _count(b))) == [4, 5]


def test_manual_assignment_refused_when_host_is_full(setup):
    programme, session, people = setup
    visit = services.add_visit(
        session, initiative("Repair Café", capacity=2), *slot(session), actor="t"
    )
    services.assign_participant(visit, people[0], actor="t")
    services.assign_participant(visit, people[1], actor="t")
    with pytest.raises(DomainError, match="Repair Café"):
        services.assign_participant(visit, people[2], actor="t")
    assert _count(visit) == 2


def test_a_participant_goes_to_one_visit_per_session(setup):
    programme, session, people = setup
    a = services.add_visit(session, initiative("Repair Café"), *slot(session), actor="t")
    b = services.add_visit(session, initiative("Buurttuin"), *slot(session), actor="t")
    services.assign_participant(a, people[0], actor="t")
    services.assign_participant(b, people[0], actor="t")
    assert (_count(a), _count(b)) == (0, 1)


def test_visits_only_in_site_visit_sessions(setup):
    programme, session, people = setup
    with pytest.raises(ValidationError):
        services.add_visit(programme.sessions[1], initiative("X"), *slot(session), actor="t")


def _host_link(mail) -> str:
    match = re.search(r"http://werklab\.test(/werkbezoek/[^\s\"<]+)", mail.body_text)
    assert match, mail.body_text
    return match.group(1)


def test_host_mail_contains_the_confirm_link_and_the_host_confirms(client, setup):
    programme, session, people = setup
    visit = services.add_visit(session, initiative("Repair Café"), *slot(session), actor="t")
    db.session.commit()
    [mail] = outbox("site_visit.host_request")
    assert mail.to_addr == "café@initiatief.nl"
    path = _host_link(mail)
    assert path in mail.body_html
    page = client.get(path)
    assert page.status_code == 200
    assert "Repair Café" in page.get_data(as_text=True)
    response = client.post(
        path,
        data={
            "csrf_token": csrf_from(page.get_data(as_text=True)),
            "answer": "yes",
            "info": "Bel aan bij de groene deur.",
        },
    )
    assert response.status_code == 302
    db.session.refresh(visit)
    assert visit.status is VisitStatus.CONFIRMED
    assert visit.host_info == "Bel aan bij de groene deur."


def test_tampered_host_link_is_404_and_changes_nothing(client, setup):
    programme, session, people = setup
    visit = services.add_visit(session, initiative("Repair Café"), *slot(session), actor="t")
    db.session.commit()
    path = _host_link(outbox("site_visit.host_request")[0])
    forged = tampered(path)
    assert client.get(forged).status_code == 404
    token = csrf_from(client.get(path).get_data(as_text=True))
    assert client.post(forged, data={"csrf_token": token, "answer": "no"}).status_code == 404
    # A feedback link is not a host link (different salt) and vice versa.
    feedback_path = services.feedback_url(visit).removeprefix("http://werklab.test")
    assert client.get(feedback_path.removesuffix("/terugkoppeling")).status_code == 404
    db.session.refresh(visit)
    assert visit.status is VisitStatus.REQUESTED
    assert visit.responded_at is None


def test_a_past_visit_can_no_longer_be_answered(client, setup):
    programme, session, people = setup
    visit = services.add_visit(session, initiative("Repair Café"), *slot(session), actor="t")
    visit.starts_at -= timedelta(days=60)
    visit.ends_at -= timedelta(days=60)
    db.session.commit()
    path = services.host_url(visit).removeprefix("http://werklab.test")
    page = client.get(path)
    assert "already taken place" in page.get_data(as_text=True) or "al geweest" in page.get_data(
        as_text=True
    )
    client.post(path, data={"csrf_token": "x", "answer": "no"})
    with pytest.raises(DomainError):
        services.respond_to_visit(visit, accept=False, info="")
    db.session.refresh(visit)
    assert visit.status is VisitStatus.REQUESTED


def test_changed_session_time_mails_participants_and_host(setup):
    programme, session, people = setup
    visit = services.add_visit(session, initiative("Repair Café"), *slot(session), actor="t")
    services.assign_participant(visit, people[0], actor="t")
    services.assign_participant(visit, people[1], actor="t")
    old_start = visit.starts_at
    catalog.update_session(
        session,
        SessionData(
            theme=session.theme,
            starts_at=session.starts_at + timedelta(days=1),
            ends_at=session.ends_at + timedelta(days=1),
            location_name=session.location_name,
            location_address=session.location_address,
            kind=session.kind,
        ),
        actor="test",
    )
    to_participants = outbox("site_visit.changed")
    assert sorted(m.to_addr for m in to_participants) == sorted([people[0].email, people[1].email])
    [to_host] = outbox("site_visit.host_changed")
    assert to_host.to_addr == "café@initiatief.nl"
    assert "/werkbezoek/" in to_host.body_text
    assert visit.starts_at == old_start + timedelta(days=1)


def _three_visits(session):
    """An asked, a confirmed and a declined visit of one session."""
    asked = services.add_visit(session, initiative("Repair Café"), *slot(session), actor="t")
    confirmed = services.add_visit(session, initiative("Buurttuin"), *slot(session), actor="t")
    declined = services.add_visit(session, initiative("Speeltuin"), *slot(session), actor="t")
    services.respond_to_visit(confirmed, accept=True, info="")
    services.respond_to_visit(declined, accept=False, info="")
    db.session.flush()
    return asked, confirmed, declined


def test_a_deleted_site_visit_session_tells_its_hosts(setup):
    programme, session, people = setup
    asked, confirmed, declined = _three_visits(session)
    hosts = sorted(v.initiative.contact_email for v in (asked, confirmed))
    dutch = asked.starts_at.replace(tzinfo=UTC).astimezone(ZoneInfo("Europe/Amsterdam"))
    catalog.delete_session(session, actor="test")
    db.session.flush()
    mails = outbox("site_visit.host_cancelled")
    assert sorted(m.to_addr for m in mails) == hosts  # not the host who said no
    for mail in mails:
        assert mail.subject.startswith("Gaat niet door: het werkbezoek aan")
        assert "vindt niet plaats: de bijeenkomst is geschrapt" in mail.body_text
        assert programme.title in mail.body_html
        assert f"{dutch:%H:%M}" in mail.body_text  # the time of the visit, in Dutch time
    assert db.session.execute(select(func.count()).select_from(SiteVisit)).scalar_one() == 0
    # The participants hear it from the mail about the removed session.
    assert len(outbox("registration.session_removed")) == len(people)


def test_a_cancelled_programme_tells_the_hosts_of_its_visits(setup):
    programme, session, people = setup
    asked, confirmed, declined = _three_visits(session)
    decisions.cancel_programme(programme.id, reason="Te weinig aanmeldingen.", actor="t")
    mails = outbox("site_visit.host_cancelled")
    expected = sorted(v.initiative.contact_email for v in (asked, confirmed))
    assert sorted(m.to_addr for m in mails) == expected
    assert all(f"{programme.title} gaat niet door." in m.body_text for m in mails)
    # The visits stay on record (the programme is cancelled, not deleted), and the
    # programme's history says which were called off.
    assert {v.id for v in services.visits_of(session)} == {asked.id, confirmed.id, declined.id}
    lines = [line.sentence for line in history.programme_history(programme.id, limit=50)]
    called_off = [t for t in lines if "is afgezegd en het initiatief heeft bericht" in t]
    assert sorted(called_off) == sorted(
        f"Het werkbezoek aan {v.initiative.name} is afgezegd en het initiatief heeft bericht "
        "gekregen"
        for v in (asked, confirmed)
    )


def test_a_change_of_theme_only_mails_nobody(setup):
    programme, session, people = setup
    visit = services.add_visit(session, initiative("Repair Café"), *slot(session), actor="t")
    services.assign_participant(visit, people[0], actor="t")
    catalog.update_session(
        session,
        SessionData(
            theme="Nieuw thema",
            starts_at=session.starts_at,
            ends_at=session.ends_at,
            location_name=session.location_name,
            location_address=session.location_address,
            kind=session.kind,
        ),
        actor="test",
    )
    assert outbox("site_visit.changed") == []


def test_moving_a_visit_mails_everyone_concerned(setup):
    programme, session, people = setup
    visit = services.add_visit(session, initiative("Repair Café"), *slot(session), actor="t")
    services.assign_participant(visit, people[0], actor="t")
    services.move_visit(visit, *slot(session, (1, 3)), actor="t")
    assert [m.to_addr for m in outbox("site_visit.changed")] == [people[0].email]
    assert len(outbox("site_visit.host_changed")) == 1


def test_thank_you_mail_once_after_a_confirmed_visit(client, setup):
    programme, session, people = setup
    visit = services.add_visit(session, initiative("Repair Café"), *slot(session), actor="t")
    declined = services.add_visit(session, initiative("Buurttuin"), *slot(session), actor="t")
    services.respond_to_visit(visit, accept=True, info="")
    services.respond_to_visit(declined, accept=False, info="")
    assert services.thank_hosts(now=visit.ends_at - timedelta(minutes=1)) == 0
    later = visit.ends_at + timedelta(hours=1)
    assert services.thank_hosts(now=later) == 1
    assert services.thank_hosts(now=later + timedelta(days=1)) == 0
    [mail] = outbox("site_visit.host_thanks")
    assert mail.to_addr == "café@initiatief.nl"
    db.session.commit()
    path = re.search(r"http://werklab\.test(\S+/terugkoppeling)", mail.body_text).group(1)
    page = client.get(path)
    assert page.status_code == 200
    token = csrf_from(page.get_data(as_text=True))
    client.post(path, data={"csrf_token": token, "answer": "Leuk en nuttig gesprek."})
    client.post(path, data={"csrf_token": token, "answer": "Nog een keer"})
    db.session.refresh(visit)
    assert visit.feedback == "Leuk en nuttig gesprek."
    token_path = path.removesuffix("/terugkoppeling")
    assert client.get(tampered(token_path) + "/terugkoppeling").status_code == 404


def test_participant_sees_address_and_time_only_once_confirmed(client, setup):
    programme, session, people = setup
    home = initiative("Repair Café", share_address=True, address="Werkplaatsweg 7, Arnhem")
    visit = services.add_visit(session, home, *slot(session), actor="t")
    services.assign_participant(visit, people[0], actor="t")
    db.session.commit()
    path = f"/inschrijving/{manage_token(people[0])}/werkbezoek"
    page = client.get(path).get_data(as_text=True)
    assert "Werkplaatsweg 7" not in page
    services.respond_to_visit(visit, accept=True, info="Koffie staat klaar.")
    db.session.commit()
    page = client.get(path).get_data(as_text=True)
    assert "Werkplaatsweg 7" in page
    assert "Koffie staat klaar." in page
    assert client.get("/inschrijving/nep/werkbezoek").status_code == 404


def test_address_withheld_without_consent_even_when_confirmed(client, setup):
    programme, session, people = setup
    home = initiative("Repair Café", share_address=False, address="Geheimstraat 1")
    visit = services.add_visit(session, home, *slot(session), actor="t")
    services.assign_participant(visit, people[0], actor="t")
    services.respond_to_visit(visit, accept=True, info="")
    db.session.commit()
    page = client.get(f"/inschrijving/{manage_token(people[0])}/werkbezoek").get_data(as_text=True)
    assert "Geheimstraat" not in page


def test_unique_visit_per_initiative_per_session(setup):
    programme, session, people = setup
    home = initiative("Repair Café")
    services.add_visit(session, home, *slot(session), actor="t")
    with pytest.raises(ValidationError):
        services.add_visit(session, home, *slot(session), actor="t")
    assert db.session.execute(select(func.count()).select_from(SiteVisit)).scalar_one() == 1


def test_tick_job_thanks_the_host_once(setup):
    from werklab.initiatives import jobs as initiative_jobs

    programme, session, people = setup
    visit = services.add_visit(session, initiative("Repair Café"), *slot(session), actor="t")
    services.respond_to_visit(visit, accept=True, info="")
    db.session.commit()
    later = visit.ends_at + timedelta(hours=2)
    assert initiative_jobs.thank_hosts(later) == 1
    assert initiative_jobs.thank_hosts(later) == 0
    assert len(outbox("site_visit.host_thanks")) == 1


def test_a_cancelled_participant_frees_the_place_and_gets_no_mail(setup):
    from werklab.registration.models import RegistrationStatus

    programme, session, people = setup
    visit = services.add_visit(
        session, initiative("Repair Café", capacity=1), *slot(session), actor="t"
    )
    services.assign_participant(visit, people[0], actor="t")
    people[0].status = RegistrationStatus.CANCELLED
    db.session.flush()
    services.assign_participant(visit, people[1], actor="t")
    db.session.refresh(visit)
    assert [r.id for r in visit.visitors] == [people[1].id]
    services.move_visit(visit, *slot(session, (1, 3)), actor="t")
    assert [m.to_addr for m in outbox("site_visit.changed")] == [people[1].email]


def test_coordinator_moving_the_session_in_the_form_mails_everyone(client, setup):
    from tests.workspace.helpers import sign_in, staff
    from werklab.catalog.services import utc_to_local

    programme, session, people = setup
    visit = services.add_visit(session, initiative("Repair Café"), *slot(session), actor="t")
    services.assign_participant(visit, people[0], actor="t")
    coordinator = staff("cora@example.nl", "Cora", coordinator=True, trainer=False)
    db.session.commit()
    sign_in(client, coordinator)
    path = f"/beheer/programma/{programme.id}/bijeenkomsten/{session.id}/bewerken"
    token = csrf_from(client.get(path).get_data(as_text=True))
    day = utc_to_local(session.starts_at).date() + timedelta(days=2)
    response = client.post(
        path,
        data={
            "csrf_token": token,
            "theme": session.theme,
            "kind": "site_visit",
            "day": day.isoformat(),
            "start": "09:00",
            "end": "13:00",
            "location_name": session.location_name,
            "location_address": session.location_address,
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    assert [m.to_addr for m in outbox("site_visit.changed")] == [people[0].email]
    assert [m.to_addr for m in outbox("site_visit.host_changed")] == ["café@initiatief.nl"]
