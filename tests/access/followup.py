"""The early warning (issue 14): the programme's trainers and the coordinators only.

Participant A is given a signal (absent without notice) so that "contacted" has something
to quiet; B has none, which a permitted user is told (409).
"""

from __future__ import annotations

from datetime import timedelta

from tests.access import Case, only
from werklab.attendance.models import AttendanceRecord, AttendanceStatus
from werklab.db import utcnow
from werklab.extensions import db

STAFF = {"trainer_x": 200, "trainer_y": 200, "coordinator": 200}
X_ONLY = {"trainer_x": 200, "coordinator": 200}


def _absent_a(w):
    """A missed X's first session, which has taken place (made once per world)."""
    if not getattr(w, "_followup", False):
        session = w.programme_x.sessions[0]
        session.starts_at = utcnow() - timedelta(days=2)
        session.ends_at = session.starts_at + timedelta(hours=3)
        db.session.add(
            AttendanceRecord(
                session_id=session.id,
                registration_id=w.registration_a.id,
                status=AttendanceStatus.ABSENT,
            )
        )
        db.session.commit()
        w._followup = True
    return w.registration_a.id


def _message(w):
    return {"subject": "Hoe gaat het?", "body": "We misten je.", "mark_contacted": "y"}


CASES = [
    Case("followup.overview", lambda w: "/werkruimte/aandacht", only(STAFF)),
    Case("followup.programme", lambda w: f"/werkruimte/{w.programme_x.id}/aandacht", only(X_ONLY)),
    Case(
        "followup.programme",
        lambda w: "/werkruimte/999999/aandacht",
        only({}, others=404),
        note="unknown programme",
    ),
    Case(
        "followup.message",
        lambda w: f"/werkruimte/aandacht/{_absent_a(w)}/bericht",
        only(X_ONLY),
    ),
    Case(
        "followup.message",
        lambda w: "/werkruimte/aandacht/999999/bericht",
        only({}, others=404),
        note="unknown registration",
    ),
    Case(
        "followup.message",
        lambda w: f"/werkruimte/aandacht/{_absent_a(w)}/bericht",
        only({"trainer_x": 302, "coordinator": 302}),
        method="POST",
        data=_message,
        writes=("trainer_x", "coordinator"),
    ),
    Case(
        "followup.contacted",
        lambda w: f"/werkruimte/aandacht/{_absent_a(w)}/gecontacteerd",
        only({"trainer_x": 302, "coordinator": 302}),
        method="POST",
        data=lambda w: {"body": "Gebeld, ze was ziek."},
        writes=("trainer_x", "coordinator"),
    ),
    Case(
        "followup.contacted",
        lambda w: f"/werkruimte/aandacht/{w.registration_b.id}/gecontacteerd",
        only({"trainer_x": 409, "coordinator": 409}),
        method="POST",
        data=lambda w: {"body": ""},
        note="B has no signals: nothing to quiet",
    ),
    Case(
        "followup.contacted",
        lambda w: "/werkruimte/aandacht/999999/gecontacteerd",
        only({}, others=404),
        method="POST",
        note="unknown registration",
    ),
]
