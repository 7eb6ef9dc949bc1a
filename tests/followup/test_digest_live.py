"""The weekly digest with several `tick` machines at once: one mail per trainer per week."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.conftest import make_app
from tests.factories import Factories
from tests.followup.helpers import World
from werklab.attendance.models import AttendanceStatus
from werklab.db import utcnow
from werklab.extensions import db
from werklab.followup import services
from werklab.followup.models import Digest
from werklab.mail import OutboxMail

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.live
def test_three_tick_machines_mail_each_trainer_once(new_database):
    if utcnow() < services.digest_due_from(utcnow()) + timedelta(minutes=1):
        pytest.skip("the weekly digest goes out from Monday 07:00 (Dutch time) on")
    url = new_database("postgresql")
    app = make_app(url)
    with app.app_context():
        factories = Factories()
        trainers = []
        for n in range(3):
            world = World(factories, t0=utcnow() - timedelta(days=60), tag=f".{n}")
            world.mark(1, world.people[0], AttendanceStatus.ABSENT, now=utcnow())
            trainers.append(world.trainer.email)
        db.session.commit()
        db.session.remove()
    env = {
        **os.environ,
        "WERKLAB_CONFIG": "development",
        "DATABASE_URL": url,
        "MAIL_BACKEND": "null",
        "BASE_URL": "http://werklab.test",
    }
    flask = str(Path(sys.executable).parent / "flask")
    procs = [
        subprocess.Popen(
            [flask, "--app", "werklab", "werklab", "tick"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for _ in range(3)
    ]
    outputs = [p.communicate(timeout=120)[0] for p in procs]
    assert all(p.returncode == 0 for p in procs), outputs
    with app.app_context():
        mails = db.session.scalars(
            select(OutboxMail.to_addr).where(OutboxMail.kind == "followup.digest")
        ).all()
        digests = db.session.scalars(select(Digest)).all()
        db.session.remove()
    assert sorted(mails) == sorted(trainers)
    assert len(digests) == 3 and all(d.mailed for d in digests)
    assert sum(int(o.split("followup_digests=")[1].split()[0]) for o in outputs) == 3
