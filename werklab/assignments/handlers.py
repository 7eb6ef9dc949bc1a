"""Assignments' answers to what the groups area asks (groups/services.py)."""

from __future__ import annotations

from sqlalchemy import select

from werklab.assignments.models import Submission
from werklab.extensions import db
from werklab.groups.services import group_has_work


@group_has_work.connect
def _handed_in_work(group, **_) -> bool:
    return db.session.scalar(
        select(select(Submission.id).where(Submission.group_id == group.id).exists())
    )
