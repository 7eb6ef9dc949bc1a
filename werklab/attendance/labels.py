"""Words for attendance statuses: the register, the participant page and the matrix export."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from werklab.attendance.models import AttendanceStatus

STATUS_LABELS = {
    AttendanceStatus.PRESENT: _l("Present"),
    AttendanceStatus.EXCUSED: _l("Excused"),
    AttendanceStatus.ABSENT: _l("Absent"),
}
