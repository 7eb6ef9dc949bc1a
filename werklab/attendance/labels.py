"""Words for attendance statuses: the register, the participant page and the matrix export."""

from __future__ import annotations

from werklab.attendance.models import AttendanceStatus
from werklab.translation import lazy_gettext as _l

STATUS_LABELS = {
    AttendanceStatus.PRESENT: _l("Present"),
    AttendanceStatus.EXCUSED: _l("Excused"),
    AttendanceStatus.ABSENT: _l("Absent"),
}
