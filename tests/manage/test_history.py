"""The audit log, visible: sentences in the interface language, filters, a programme's history."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from tests.manage.conftest import text
from werklab.audit import AuditEntry
from werklab.db import utcnow
from werklab.extensions import db
from werklab.manage import history
from werklab.manage import registrations as manage
from werklab.registration.models import PaymentMethod

ROOT = Path(__file__).resolve().parents[2]


def test_every_action_in_the_code_reads_as_a_sentence():
    """A new audit action without words would show up as a vague "someone made a change"."""
    found = set()
    for path in (ROOT / "werklab").rglob("*.py"):
        source = path.read_text()
        # The first argument of each call: one action, or "a" if ... else "b".
        for first in re.findall(r"audit\.record\(\s*(.*?),\s*[a-zA-Z_]", source, re.DOTALL):
            found |= set(re.findall(r'"([a-z_]+\.[a-z_]+)"', first))
    missing = sorted(a for a in found if a not in history.SENTENCES)
    assert len(found) > 60
    assert missing == []


def test_a_cancellation_on_someones_behalf_reads_as_a_dutch_sentence(admin, coordinator, factories):
    programme = factories.programme(title="CoP Rivierenland")
    lotte = factories.registration(
        programme, first_name="Lotte", last_name="Jansen", payment_method=PaymentMethod.NONE
    )
    manage.cancel_for(lotte, money="none", reason="Verhuisd", actor=f"coordinator:{coordinator.id}")
    db.session.commit()
    page = text(admin.get(f"/beheer/programma/{programme.id}/geschiedenis"))
    assert (
        "Cora Coördinator heeft de inschrijving van Lotte Jansen geannuleerd "
        "(geen geld terug; reden: Verhuisd)" in page
    )
    assert "Iemand heeft Lotte Jansen ingeschreven" in page  # the factory's actor is "test"
    assert "registration.cancelled" not in page
    with admin.session_transaction() as session:
        session["lang"] = "en"
    page = text(admin.get(f"/beheer/programma/{programme.id}/geschiedenis"))
    assert (
        "Cora Coördinator cancelled the registration of Lotte Jansen "
        "(no money back; reason: Verhuisd)" in page
    )


def test_money_words_and_automatic_actors():
    entry = AuditEntry(
        created_at=utcnow(),
        actor="system",
        action="registration.cancelled",
        object_type="registrations",
        object_id=None,
        data={"money_back": "refund"},
    )
    [line] = history.describe([entry])
    assert (
        line.sentence
        == "Werklab (automatisch) heeft de inschrijving van iets geannuleerd (terugbetaling)"
    )


def test_log_filters_by_programme_person_action_and_period(admin, coordinator, factories):
    x = factories.programme(title="Programma X")
    y = factories.programme(title="Programma Y")
    anna = factories.registration(x, first_name="Anna", last_name="Appel")
    bram = factories.registration(y, first_name="Bram", last_name="Boom")
    actor = f"coordinator:{coordinator.id}"
    manage.resend_manage_link(anna, actor=actor)
    manage.resend_manage_link(bram, actor=actor)
    old = db.session.execute(
        select(AuditEntry).where(
            AuditEntry.object_id == bram.id, AuditEntry.action == "registration.manage_link_resent"
        )
    ).scalar_one()
    old.created_at = utcnow() - timedelta(days=40)
    db.session.commit()

    def lines(query: str) -> str:
        response = admin.get("/beheer/logboek" + query)
        assert response.status_code == 200
        return text(response)

    everything = lines("")
    assert "Anna Appel de link" in everything and "Bram Boom de link" in everything
    only_x = lines(f"?programma={x.id}")
    assert "Anna Appel" in only_x and "Bram Boom" not in only_x
    by_person = lines("?persoon=boom")
    assert "Bram Boom" in by_person and "Anna Appel" not in by_person
    by_action = lines("?soort=programme")
    assert "Programma X aangemaakt" in by_action and "de link" not in by_action
    recent = lines(f"?vanaf={(utcnow() - timedelta(days=7)).date().isoformat()}")
    assert "Anna Appel de link" in recent and "Bram Boom de link" not in recent
    bad = admin.get("/beheer/logboek?vanaf=gisteren")
    assert bad.status_code == 400 and "Vul een datum in" in text(bad)


def test_log_page_query_count_does_not_grow_with_the_entries(factories, count_queries):
    programme = factories.programme()
    factories.fill(programme, 5)
    with count_queries() as few:
        history.browse(history.Filters(programme_id=programme.id))
    factories.fill(programme, 30)
    with count_queries() as many:
        history.browse(history.Filters(programme_id=programme.id))
    assert len(many) == len(few)
