"""Votes at the same moment never go over a participant's number of votes: one person, signed
in in eight tabs, clicks "vote" on eight themes at once, against a live gunicorn with 4
workers, on the database chosen with --db. A control run with the lock switched off (a
test-only setting) shows that the test does catch votes over the limit."""

from __future__ import annotations

import threading

import pytest
import requests
from sqlalchemy import func, select

from tests.conftest import make_app
from tests.factories import Factories
from tests.live import CSRF_RE, gunicorn
from werklab.accounts import services as accounts
from werklab.catalog.models import ProgrammeKind
from werklab.extensions import db
from werklab.themes import services
from werklab.themes.models import ThemeVote
from werklab.themes.services import ThemeData

pytestmark = pytest.mark.live

PASSWORD = "een-lang-genoeg-wachtwoord-42"
#: Widens the window between counting the votes and writing, in both runs.
RACE_DELAY = 0.05
TABS = 8


def _prepare(url: str) -> dict:
    app = make_app(url)
    with app.app_context():
        f = Factories()
        programme = f.programme(kind=ProgrammeKind.LEARNING_COMMUNITY)
        anna = f.registration(programme, email="anna@example.nl")
        user = accounts.create_user("anna@example.nl", "Anna", actor="test")
        accounts.set_password(user, PASSWORD, actor="test")
        themes = [
            services.propose_theme(programme, ThemeData(f"Thema {i}"), actor="t")
            for i in range(TABS)
        ]
        db.session.commit()
        ids = dict(registration=anna.id, themes=[t.id for t in themes])
        db.session.remove()
    return dict(app=app, **ids)


def _votes(app, registration_id: int) -> int:
    with app.app_context():
        count = db.session.execute(
            select(func.count())
            .select_from(ThemeVote)
            .where(ThemeVote.registration_id == registration_id)
        ).scalar_one()
        db.session.remove()
    return count


def _vote_in_tabs(base: str, registration_id: int, theme_ids: list[int]) -> list[int]:
    """Sign in once, open one tab per theme (same session cookie), click all at once."""
    browser = requests.Session()
    token = CSRF_RE.search(browser.get(base + "/inloggen", timeout=30).text).group(1)
    response = browser.post(
        base + "/inloggen",
        data={"csrf_token": token, "email": "anna@example.nl", "password": PASSWORD},
        allow_redirects=False,
        timeout=30,
    )
    assert response.status_code == 302, response.text[:500]
    page = f"{base}/mijn-traject/inschrijving/{registration_id}/themas"
    token = CSRF_RE.search(browser.get(page, timeout=30).text).group(1)
    barrier = threading.Barrier(len(theme_ids))
    statuses = [0] * len(theme_ids)

    def tab(i: int, theme_id: int) -> None:
        session = requests.Session()
        session.cookies.update(browser.cookies)
        barrier.wait(timeout=60)
        try:
            statuses[i] = session.post(
                f"{page}/{theme_id}/stem",
                data={"csrf_token": token},
                allow_redirects=False,
                timeout=60,
            ).status_code
        except requests.RequestException:
            statuses[i] = -1

    threads = [threading.Thread(target=tab, args=(i, t)) for i, t in enumerate(theme_ids)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(90)
    return statuses


def test_eight_votes_at_once_count_three(new_database):
    url = new_database()
    ready = _prepare(url)
    with gunicorn(url, WERKLAB_CAPACITY_RACE_DELAY=RACE_DELAY, LOCK_TIMEOUT_SECONDS=20) as base:
        statuses = _vote_in_tabs(base, ready["registration"], ready["themes"])
    # Every click got an answer (a redirect to the page, with "counted" or "all votes used").
    assert statuses == [302] * TABS
    assert _votes(ready["app"], ready["registration"]) == 3


def test_control_run_without_the_lock_is_caught(new_database, db_kind):
    # The race needs the eight requests to overlap: on a loaded machine one attempt with a
    # short delay may see them one after another, so the control widens the window and tries
    # again (each time on a fresh database) before it concludes that nothing went wrong.
    for _attempt in range(3):
        url = new_database()
        ready = _prepare(url)
        with gunicorn(
            url,
            WERKLAB_CAPACITY_LOCK=0,
            WERKLAB_CAPACITY_RACE_DELAY=RACE_DELAY * 10,
            LOCK_TIMEOUT_SECONDS=20,
        ) as base:
            statuses = _vote_in_tabs(base, ready["registration"], ready["themes"])
        votes = _votes(ready["app"], ready["registration"])
        if votes > 3 or statuses != [302] * TABS:
            break
    assert votes > 3 or statuses != [302] * TABS, "the control run should have gone wrong"
    if db_kind == "postgresql":
        # Without FOR UPDATE, every request counts the same votes and all pass the check.
        assert votes > 3, (votes, statuses)
    # SQLite without BEGIN IMMEDIATE refuses the racing writers instead ("database is locked").
