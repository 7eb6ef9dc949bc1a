"""Two app machines behind one PostgreSQL: a hand-in uploaded through one is downloaded
through the other, byte for byte, and the access rules hold there too.

Each gunicorn has its own UPLOAD_FOLDER, as two machines would. With FILE_STORAGE=database
the file is in the shared database; the control run with FILE_STORAGE=local shows that the
test does catch a file kept on one machine (the other answers 404).
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import requests
from sqlalchemy import select

from tests.conftest import make_app
from tests.factories import Factories
from tests.live import CSRF_RE, gunicorn
from werklab.accounts import services as accounts
from werklab.assignments import services
from werklab.assignments.models import SubmissionFile
from werklab.db import utcnow
from werklab.extensions import db
from werklab.groups.models import HomeworkGroup, HomeworkGroupMember
from werklab.storage import StoredFile

pytestmark = pytest.mark.live

PASSWORD = "een-lang-genoeg-wachtwoord-42"
#: Not a tiny file: every byte value, several times over, so that a change would show.
PDF = b"%PDF-1.4\n" + bytes(range(256)) * 4000 + b"\n%%EOF\n"


def _prepare(url: str, storage_kind: str) -> dict:
    app = make_app(url, FILE_STORAGE=storage_kind)
    with app.app_context():
        f = Factories()
        programme = f.programme()
        trainer = accounts.create_user("trainer@example.nl", "Tess", trainer=True, actor="test")
        programme.trainers.append(trainer)
        regs = [f.registration(programme, email=f"p{i}@example.nl") for i in range(4)]
        users = [accounts.create_user(f"p{i}@example.nl", f"P {i}", actor="test") for i in range(4)]
        outsider = accounts.create_user("buiten@example.nl", "Buiten", actor="test")
        for user in (trainer, *users, outsider):
            accounts.set_password(user, PASSWORD, actor="test")
        groups = []
        for name, members in (("Groep 1", regs[:2]), ("Groep 2", regs[2:])):
            group = HomeworkGroup(programme_id=programme.id, name=name, round=1)
            db.session.add(group)
            db.session.flush()
            for r in members:
                db.session.add(
                    HomeworkGroupMember(group_id=group.id, registration_id=r.id, round=1)
                )
            groups.append(group)
        assignment = services.create_assignment(
            programme,
            services.AssignmentData("Casus", "Beschrijf.", utcnow() + timedelta(days=10)),
            actor="test",
        )
        db.session.commit()
        ids = dict(assignment=assignment.id, group=groups[0].id)
        db.session.remove()
    return dict(app=app, **ids)


def _signed_in(base: str, email: str) -> requests.Session:
    browser = requests.Session()
    token = CSRF_RE.search(browser.get(base + "/inloggen", timeout=30).text).group(1)
    response = browser.post(
        base + "/inloggen",
        data={"csrf_token": token, "email": email, "password": PASSWORD},
        allow_redirects=False,
        timeout=30,
    )
    assert response.status_code == 302, response.text[:500]
    return browser


@pytest.fixture
def pg_url(db_kind, new_database):
    if db_kind != "postgresql":
        pytest.skip("several machines share a PostgreSQL server (run with --db=postgresql)")
    return new_database("postgresql")


@pytest.mark.parametrize("storage_kind", ["database", "local"])
def test_a_hand_in_is_served_by_the_other_machine(pg_url, tmp_path, storage_kind):
    world = _prepare(pg_url, storage_kind)
    page = f"/opdrachten/{world['assignment']}/groep/{world['group']}"
    settings = dict(workers=2, threads=2, FILE_STORAGE=storage_kind)
    with (
        gunicorn(pg_url, UPLOAD_FOLDER=tmp_path / "machine-a", **settings) as a,
        gunicorn(pg_url, UPLOAD_FOLDER=tmp_path / "machine-b", **settings) as b,
    ):
        # p0 hands in through machine A.
        member = _signed_in(a, "p0@example.nl")
        token = CSRF_RE.search(member.get(a + page, timeout=30).text).group(1)
        response = member.post(
            a + page + "/inleveren",
            data={"csrf_token": token, "text": "Ons plan"},
            files={"files": ("plan van aanpak.pdf", PDF, "application/pdf")},
            allow_redirects=False,
            timeout=60,
        )
        assert response.status_code == 302, response.text[:500]

        # Her group mate finds it on machine B's page and downloads it there.
        mate = _signed_in(b, "p1@example.nl")
        [link] = set(re.findall(r'href="(/inleveringen/bestand/\d+)"', mate.get(b + page).text))
        download = mate.get(b + link, timeout=60)
        if storage_kind == "local":
            # Control run: machine B has no such file in its folder.
            assert download.status_code == 404
            assert list((tmp_path / "machine-a").iterdir())
            assert not (tmp_path / "machine-b").exists() or not any(
                (tmp_path / "machine-b").iterdir()
            )
            return
        assert download.status_code == 200
        assert download.content == PDF
        assert download.headers["Content-Disposition"].startswith("attachment")
        assert "plan van aanpak.pdf" in download.headers["Content-Disposition"]
        assert download.headers["Content-Type"] == "application/pdf"
        assert download.headers["X-Content-Type-Options"] == "nosniff"

        # The trainer, on either machine.
        for base in (a, b):
            assert _signed_in(base, "trainer@example.nl").get(base + link).content == PDF
        # The access rules hold on machine B: another group, an outsider, no one signed in.
        assert _signed_in(b, "p2@example.nl").get(b + link).status_code == 403
        assert _signed_in(b, "buiten@example.nl").get(b + link).status_code == 403
        anonymous = requests.get(b + link, allow_redirects=False, timeout=30)
        assert anonymous.status_code == 302 and "/inloggen" in anonymous.headers["Location"]
        missing = re.sub(r"\d+$", "999999", link)
        assert mate.get(b + missing).status_code == 404

    # Stored once, in the database; neither machine wrote to its folder.
    with world["app"].app_context():
        stored = db.session.execute(select(SubmissionFile)).scalar_one()
        blob = db.session.get(StoredFile, stored.stored_name)
        assert blob is not None and blob.size == len(PDF) and blob.data == PDF
        db.session.remove()
    for machine in ("machine-a", "machine-b"):
        folder = tmp_path / machine
        assert not folder.exists() or not any(folder.iterdir())
