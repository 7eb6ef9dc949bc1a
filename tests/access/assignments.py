"""Assignments and hand-ins (issue 6): assignments are the trainer's (workspace rule); a
group's hand-ins and files are for its members, the programme's trainers and coordinators.

A is in group 1 of programme X, B in group 2 of X: a fellow participant, not a member.
"""

from __future__ import annotations

import tempfile
from datetime import timedelta

from flask import current_app

from tests.access import LOGIN, Case, everyone, only
from werklab.assignments import services
from werklab.db import utcnow
from werklab.extensions import db
from werklab.groups.models import HomeworkGroup, HomeworkGroupMember

X_ONLY = {"trainer_x": 200, "coordinator": 200}
MEMBERS = {"participant_a": 200, "trainer_x": 200, "coordinator": 200}
_UPLOADS = tempfile.mkdtemp(prefix="werklab-access-uploads-")


def _work(w):
    """Groups, an assignment, a hand-in with a file for the world (made once per world)."""
    if getattr(w, "_assignments", None) is None:
        # Never write test files into instance/ of the checkout.
        current_app.config["UPLOAD_FOLDER"] = _UPLOADS
        groups = []
        for name, reg in (("Groep 1", w.registration_a), ("Groep 2", w.registration_b)):
            group = HomeworkGroup(programme_id=w.programme_x.id, name=name, round=1)
            db.session.add(group)
            db.session.flush()
            db.session.add(HomeworkGroupMember(group_id=group.id, registration_id=reg.id, round=1))
            groups.append(group)
        db.session.flush()
        now = utcnow()
        assignment = services.create_assignment(
            w.programme_x,
            services.AssignmentData("Casus", "Beschrijf een initiatief.", now + timedelta(days=9)),
            actor="test",
            now=now,
        )
        submission = services.submit(
            assignment,
            groups[0],
            "Ons antwoord",
            [services.Upload("plan.pdf", b"%PDF-1.4\n")],
            user_id=None,
            now=now,
        )
        db.session.commit()
        w._assignments = {
            "group_1": groups[0].id,
            "assignment": assignment.id,
            "submission": submission.id,
            "file": submission.files[0].id,
        }
    return w._assignments


def _assignment_form(w):
    return {"title": "Interview", "description": "", "due_date": "2031-03-01", "due_time": "17:00"}


CASES = [
    Case(
        "assignments.index",
        lambda w: f"/werkruimte/{w.programme_x.id}/opdrachten",
        only(X_ONLY),
    ),
    Case(
        "assignments.index",
        lambda w: "/werkruimte/999999/opdrachten",
        only({}, others=404),
        note="unknown programme",
    ),
    Case(
        "assignments.create",
        lambda w: f"/werkruimte/{w.programme_x.id}/opdrachten/nieuw",
        only(X_ONLY),
    ),
    Case(
        "assignments.create",
        lambda w: f"/werkruimte/{w.programme_x.id}/opdrachten/nieuw",
        only({"trainer_x": 302, "coordinator": 302}),
        method="POST",
        data=_assignment_form,
        writes=("trainer_x", "coordinator"),
    ),
    Case(
        "assignments.show",
        lambda w: f"/werkruimte/opdrachten/{_work(w)['assignment']}",
        only(X_ONLY),
    ),
    Case(
        "assignments.show",
        lambda w: "/werkruimte/opdrachten/999999",
        only({}, others=404),
        note="unknown assignment",
    ),
    Case(
        "assignments.edit",
        lambda w: f"/werkruimte/opdrachten/{_work(w)['assignment']}/bewerken",
        only(X_ONLY),
    ),
    Case(
        "assignments.edit",
        lambda w: f"/werkruimte/opdrachten/{_work(w)['assignment']}/bewerken",
        only({"trainer_x": 302, "coordinator": 302}),
        method="POST",
        data=_assignment_form,
        writes=("trainer_x", "coordinator"),
    ),
    Case(
        "assignments.mine",
        lambda w: "/opdrachten",
        {**everyone(200), "anonymous": LOGIN},
        note="only one's own groups are listed",
    ),
    Case(
        "assignments.group",
        lambda w: f"/opdrachten/{_work(w)['assignment']}/groep/{_work(w)['group_1']}",
        only(MEMBERS),
        note="B is in another group of X",
    ),
    Case(
        "assignments.group",
        lambda w: f"/opdrachten/{_work(w)['assignment']}/groep/999999",
        only({}, others=404),
        note="unknown group",
    ),
    Case(
        "assignments.submit",
        lambda w: f"/opdrachten/{_work(w)['assignment']}/groep/{_work(w)['group_1']}/inleveren",
        only({"participant_a": 302}),
        method="POST",
        data=lambda w: {"text": "Nieuwe versie"},
        writes=("participant_a",),
        note="members only: trainers give feedback, they do not hand in",
    ),
    Case(
        "assignments.feedback",
        lambda w: f"/inleveringen/{_work(w)['submission']}/terugkoppeling",
        only({"trainer_x": 302, "coordinator": 302}),
        method="POST",
        data=lambda w: {"feedback": "Mooi werk."},
        writes=("trainer_x", "coordinator"),
    ),
    Case(
        "assignments.download",
        lambda w: f"/inleveringen/bestand/{_work(w)['file']}",
        only(MEMBERS),
    ),
    Case(
        "assignments.download",
        lambda w: "/inleveringen/bestand/999999",
        only({}, others=404),
        note="unknown file",
    ),
]
