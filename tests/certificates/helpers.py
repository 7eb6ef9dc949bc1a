"""A programme of three sessions with a trainer and participants who attended some."""

from __future__ import annotations

from werklab.attendance.models import AttendanceStatus
from werklab.attendance.services import mark_attendance


def attend(registration, sessions, trainer, status=AttendanceStatus.PRESENT):
    for session in sessions:
        mark_attendance(session, registration, status, recorded_by=trainer)
