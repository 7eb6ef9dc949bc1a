"""Two `flask werklab tick` processes at the same moment erase each programme's personal
data once: one mark, one audit row with the counts, per programme (real processes)."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from tests.conftest import make_app
from tests.factories import Factories
from tests.ticks import ticks_at_once
from werklab.accounts import services as accounts
from werklab.audit import AuditEntry
from werklab.catalog.models import ProgrammeStatus
from werklab.db import utcnow
from werklab.extensions import db
from werklab.privacy.models import ProgrammeRetention
from werklab.registration.models import Registration
from werklab.workspace.services import add_note


def test_two_ticks_at_once_erase_each_programme_once(new_database):
    url = new_database()
    app = make_app(url)
    long_ago = utcnow() - timedelta(days=600)  # last sessions ended about 16 months ago
    with app.app_context():
        f = Factories()
        trainer = accounts.create_user("t@example.nl", "Tineke", trainer=True, actor="test")
        programmes = []
        for n in range(3):
            programme = f.programme(now=long_ago, title=f"Afgerond {n}")
            people = [f.registration(programme, now=long_ago) for _ in range(4)]
            accounts.create_user(people[0].email, "Eerste", actor="test")
            add_note(people[1], "Notitie.", author=trainer, now=long_ago)
            programme.status = ProgrammeStatus.COMPLETED
            programmes.append(programme.id)
        running = f.programme(title="Loopt nog")
        kept = f.registration(running, email="blijft@example.nl").id
        db.session.commit()
        db.session.remove()

    outputs = ticks_at_once(url)

    erased = [int(re.search(r"personal_data_erased=(\d+)", out).group(1)) for out in outputs]
    with app.app_context():
        marks = list(db.session.execute(select(ProgrammeRetention)).scalars())
        assert sorted(m.programme_id for m in marks) == sorted(programmes)
        entries = list(
            db.session.execute(
                select(AuditEntry).where(AuditEntry.action == "programme.personal_data_erased")
            ).scalars()
        )
        assert sorted(e.object_id for e in entries) == sorted(programmes)
        for entry in entries:
            assert entry.data["registrations_anonymised"] == 4
            assert entry.data["accounts_deleted"] == 1
        # Between them the two processes did it all once: the sum of their counts.
        assert sum(erased) == sum(sum(e.data.values()) for e in entries)
        people = list(
            db.session.execute(
                select(Registration).where(Registration.programme_id.in_(programmes))
            ).scalars()
        )
        assert len(people) == 12 and all(r.erased_at is not None for r in people)
        assert db.session.get(Registration, kept).erased_at is None
        db.session.remove()
    # A third run finds nothing left to do.
    assert "personal_data_erased=0" in ticks_at_once(url, count=1)[0]
