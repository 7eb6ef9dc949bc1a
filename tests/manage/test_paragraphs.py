"""Paragraphs typed by coordinators survive: browsers send line breaks as "\\r\\n", they are
stored as "\\n" and shown as paragraphs (issue 11, item 16)."""

from __future__ import annotations

from tests.manage.conftest import post, text
from tests.manage.test_programmes import VALID, by_title
from tests.manage.test_sessions import SESSION
from werklab.catalog import services as catalog
from werklab.catalog.models import ProgrammeStatus
from werklab.extensions import db

TYPED = "Eerste alinea.\r\nMet een tweede regel.\r\n\r\nTweede alinea."
SHOWN = "<p>Eerste alinea.<br>Met een tweede regel.</p><p>Tweede alinea.</p>"


def test_programme_and_session_descriptions_keep_their_paragraphs(admin):
    post(admin, "/beheer/programma/nieuw", {**VALID, "description": TYPED})
    programme = by_title("CoP Rivierenland")
    assert programme.description == "Eerste alinea.\nMet een tweede regel.\n\nTweede alinea."
    response = post(
        admin,
        f"/beheer/programma/{programme.id}/bijeenkomsten/nieuw",
        {**SESSION, "kind": "workshop", "description": TYPED},
    )
    assert response.status_code == 302
    catalog.set_status(programme, ProgrammeStatus.OPEN, actor="test")
    db.session.commit()
    page = text(admin.get(f"/programma/{programme.slug}"))
    assert page.count(SHOWN) == 2  # the programme's and the session's


def test_text_stored_with_carriage_returns_still_shows_paragraphs(admin, factories):
    programme = factories.programme(description=TYPED)
    db.session.commit()
    page = text(admin.get(f"/programma/{programme.slug}"))
    assert SHOWN in page
