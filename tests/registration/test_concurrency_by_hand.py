"""Registrations a coordinator adds by hand race the public form for the last seats, against
a live gunicorn with 4 workers, on the database chosen with --db. The hand-added ones go
through the same lock and cap; a control run without the lock shows the test can see an
oversell."""

from __future__ import annotations

import threading

import pytest
import requests

from tests.conftest import CSRF_RE
from tests.live import Outcome, gunicorn
from tests.registration.test_concurrency import (
    RACE_DELAY,
    person,
    prepare,
    problems,
    state,
)
from werklab.accounts import services as accounts
from werklab.extensions import db
from werklab.registration.models import RegistrationStatus as S

pytestmark = pytest.mark.live

PASSWORD = "lang-genoeg-wachtwoord"


def by_hand(i: int, place: str) -> dict:
    data = person(1000 + i)
    data.update(
        email=f"telefoon{i}@example.nl",
        place=place,
        locale="nl",
        payment_method="none",
    )
    for key in [k for k in data if k.startswith("billing_")]:
        del data[key]
    return data


def coordinator_cookies(app, base: str) -> requests.cookies.RequestsCookieJar:
    with app.app_context():
        accounts.create_user(
            "cora@example.nl", "Cora", password=PASSWORD, coordinator=True, actor="test"
        )
        db.session.commit()
        db.session.remove()
    session = requests.Session()
    token = CSRF_RE.search(session.get(base + "/inloggen", timeout=30).text).group(1)
    response = session.post(
        base + "/inloggen",
        data={"csrf_token": token, "email": "cora@example.nl", "password": PASSWORD},
        allow_redirects=False,
        timeout=30,
    )
    assert response.status_code == 302, response.text[-500:]
    return session.cookies


def burst(base: str, jobs: list[tuple[str, dict, object]], timeout: float = 60) -> list[Outcome]:
    """jobs: (form path, data, cookies or None); every client GETs its form, then all POST
    at the same moment."""
    barrier = threading.Barrier(len(jobs))
    results: list[Outcome | None] = [None] * len(jobs)

    def client(i: int, path: str, data: dict, cookies) -> None:
        session = requests.Session()
        if cookies is not None:
            session.cookies.update(cookies)
        try:
            token = CSRF_RE.search(session.get(base + path, timeout=timeout).text).group(1)
        except Exception as exc:  # noqa: BLE001 - reported as an outcome
            barrier.abort()
            results[i] = Outcome(0, error=f"GET failed: {exc}")
            return
        try:
            barrier.wait(timeout=timeout)
            response = session.post(
                base + path,
                data={**data, "csrf_token": token},
                allow_redirects=False,
                timeout=timeout,
            )
            results[i] = Outcome(response.status_code, response.headers.get("Location", ""))
        except Exception as exc:  # noqa: BLE001
            results[i] = Outcome(0, error=str(exc))

    threads = [threading.Thread(target=client, args=(i, *job)) for i, job in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout)
    return [r or Outcome(0, error="no answer") for r in results]


def run(url: str, **env):
    app, programme_id, slug, _ = prepare(url, seated=12)
    # Two workers of 8 threads: several processes race, and it starts on a busy machine.
    with gunicorn(
        url, workers=2, WERKLAB_CAPACITY_RACE_DELAY=RACE_DELAY, LOCK_TIMEOUT_SECONDS=20, **env
    ) as base:
        cookies = coordinator_cookies(app, base)
        public = f"/programma/{slug}/inschrijven"
        hand = f"/beheer/programma/{programme_id}/inschrijvingen/nieuw"
        jobs = [(public, person(i), None) for i in range(16)]
        jobs += [(hand, by_hand(i, "seat"), cookies) for i in range(10)]
        jobs += [(hand, by_hand(10 + i, "waitlist"), cookies) for i in range(4)]
        outcomes = burst(base, jobs)
    rows, mails = state(app, programme_id)
    return outcomes, rows, mails


def test_hand_added_and_public_registrations_at_once_hold_the_cap(new_database):
    outcomes, rows, mails = run(new_database())
    public, seat, wait = outcomes[:16], outcomes[16:26], outcomes[26:]
    assert [o.status for o in public + wait] == [302] * 20, [
        o for o in outcomes if o.status not in (302, 409)
    ][:5]
    # A hand-added "seat" either got one or was told there is none (409), never a 500.
    assert {o.status for o in seat} <= {302, 409}, seat
    seated_by_hand = sum(o.status == 302 for o in seat)
    # Someone put on the waiting list by hand while a seat was still free is offered that
    # seat by the next registration: their waiting-list mail then shows no number.
    offered = [r for r in rows if r.status is S.OFFERED]
    unnumbered = [m for m in mails if "op nummer" not in m]
    assert len(unnumbered) == len(offered)
    mails = [m for m in mails if "op nummer" in m]
    # Every request that did not get its way is measured against the cap below.
    found = problems(
        [o if o.status != 409 else Outcome(302) for o in outcomes],
        rows,
        mails,
        maximum=15,
        expected_new=12 + 16 + seated_by_hand + 4,
    )
    assert found == []
    # Exactly the three free seats went: confirmed, or offered to someone waiting.
    assert sum(r.status is S.CONFIRMED for r in rows) + len(offered) == 15
    hand_rows = [r for r in rows if r.email.startswith("telefoon")]
    assert len(hand_rows) == seated_by_hand + 4
    waitlisted_by_hand = {f"telefoon{10 + i}@example.nl" for i in range(4)}
    assert all(
        r.status in (S.WAITLISTED, S.OFFERED) for r in hand_rows if r.email in waitlisted_by_hand
    )


def test_control_run_without_the_lock_oversells_by_hand_too(new_database, db_kind):
    if db_kind != "postgresql":
        pytest.skip("SQLite without BEGIN IMMEDIATE refuses the racing writers instead")
    outcomes, rows, mails = run(new_database(), WERKLAB_CAPACITY_LOCK=0)
    confirmed = sum(r.status is S.CONFIRMED for r in rows)
    assert confirmed > 15, f"the control run should oversell, got {confirmed} confirmed"
