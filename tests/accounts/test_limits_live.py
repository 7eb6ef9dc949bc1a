"""Sign-in limits under a real gunicorn with 4 workers (issue 11, item 21).

The default production configuration (no RATELIMIT_STORAGE_URI) counts in the database, so
twenty wrong passwords for one account sent at the same moment, spread over four worker
processes, get at most five password checks. The control run counts per process
(memory://) and lets more through: it shows that this test can catch per-process counting.
Runs on the database chosen with --db.
"""

from __future__ import annotations

import re
import threading
import time

import pytest
import requests
from sqlalchemy import func, select

from tests.conftest import make_app
from tests.live import gunicorn
from werklab.accounts import services as accounts
from werklab.extensions import db
from werklab.ratelimit import RateLimitCounter

pytestmark = pytest.mark.live

PASSWORD = "een-lang-genoeg-wachtwoord"
EMAIL = "trainer@example.nl"
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
#: The production config marks the session cookie Secure, which a client only sends over
#: HTTPS; the test speaks plain HTTP to 127.0.0.1, so it sends the cookie itself.
#: LOCK_TIMEOUT_SECONDS as in the other concurrency tests: on SQLite every count is a short
#: write transaction, and on a loaded test machine twenty at once can wait longer than the
#: default four seconds (the answer is then 503 "busy, try again", not a password check).
PRODUCTION = {
    "WERKLAB_CONFIG": "production",
    "SECRET_KEY": "live-test-secret-key-" + "x" * 20,
    "LOCK_TIMEOUT_SECONDS": 20,
}


def prepare(url: str):
    app = make_app(url)
    with app.app_context():
        accounts.create_user(EMAIL, "Tom", password=PASSWORD, trainer=True, actor="test")
        db.session.commit()
        db.session.remove()
    return app


def wrong_passwords_at_once(base: str | list[str], count: int) -> list[int]:
    """`count` clients, each with its own session, send a wrong password at the same moment
    (to the servers in `base` in turn)."""
    bases = [base] if isinstance(base, str) else base
    barrier = threading.Barrier(count)
    statuses = [0] * count

    def client(i: int) -> None:
        base = bases[i % len(bases)]
        http = requests.Session()
        try:
            page = http.get(base + "/inloggen", timeout=30)
            token = CSRF_RE.search(page.text).group(1)
            cookie = page.cookies.get("session") or http.cookies.get("session")
            barrier.wait(timeout=60)
            response = http.post(
                base + "/inloggen",
                data={"csrf_token": token, "email": EMAIL, "password": f"fout-{i}"},
                headers={"Cookie": f"session={cookie}"},
                allow_redirects=False,
                timeout=60,
            )
            statuses[i] = response.status_code
        except Exception:  # noqa: BLE001 - reported as status 0
            barrier.abort()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(90)
    return statuses


def in_a_fresh_window(period: int = 15 * 60, margin: int = 90) -> None:
    """The limits count in fixed 15-minute windows. Twenty attempts that straddled a
    window's end would be counted in two windows and let more through for no fault, so a
    run that would start in the last `margin` seconds of a window waits for the next one."""
    left = period - time.time() % period
    if left < margin:
        time.sleep(left + 1)


def test_twenty_wrong_passwords_across_four_workers_get_at_most_five_checks(new_database):
    url = new_database()
    app = prepare(url)
    with gunicorn(url, workers=4, **PRODUCTION) as base:
        in_a_fresh_window()
        statuses = wrong_passwords_at_once(base, 20)
        # The right password is refused too while the account is locked.
        http = requests.Session()
        page = http.get(base + "/inloggen", timeout=30)
        locked = http.post(
            base + "/inloggen",
            data={
                "csrf_token": CSRF_RE.search(page.text).group(1),
                "email": EMAIL,
                "password": PASSWORD,
            },
            headers={"Cookie": f"session={page.cookies.get('session')}"},
            allow_redirects=False,
            timeout=30,
        )
    assert sorted(set(statuses)) == [400, 429], statuses
    assert statuses.count(400) == 5, statuses  # "wrong password": checked
    assert statuses.count(429) == 15, statuses  # refused before any check
    assert locked.status_code == 429
    assert 0 < int(locked.headers["Retry-After"]) <= 15 * 60
    with app.app_context():
        # Counted in the database, without the e-mail address or IP address in it.
        counts = db.session.execute(select(RateLimitCounter.key, RateLimitCounter.hits)).all()
        assert sorted(hits for _, hits in counts) == [5, 5]  # per account, per address
        assert all(EMAIL not in key and "127.0.0.1" not in key for key, _ in counts)
        assert db.session.scalar(select(func.count()).select_from(RateLimitCounter)) == 2
        db.session.remove()


def test_two_machines_share_the_count(new_database):
    """Two app servers (two gunicorn instances with two workers each) on one database."""
    url = new_database()
    prepare(url)
    with (
        gunicorn(url, workers=2, threads=4, **PRODUCTION) as first,
        gunicorn(url, workers=2, threads=4, **PRODUCTION) as second,
    ):
        in_a_fresh_window()
        statuses = wrong_passwords_at_once([first, second], 16)
    assert statuses.count(400) == 5, statuses
    assert statuses.count(429) == 11, statuses


def test_control_run_counting_per_process_lets_more_through(new_database):
    """Per-process counts show only when the twenty requests reach more than one worker,
    which the kernel's accept queue decides: on a loaded machine one worker can take them
    all, so the run is tried up to three times."""
    url = new_database()
    prepare(url)
    with gunicorn(
        url,
        workers=4,
        RATELIMIT_STORAGE_URI="memory://",
        WERKLAB_PRODUCTION_LIMITS=1,
        LOCK_TIMEOUT_SECONDS=20,
    ) as base:
        for _attempt in range(3):
            in_a_fresh_window()
            statuses = wrong_passwords_at_once(base, 20)
            if statuses.count(400) > 5:
                break
    assert statuses.count(400) > 5, statuses
