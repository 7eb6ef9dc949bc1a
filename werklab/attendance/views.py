"""Attendance register per session, and the printable attendance sheet."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required

from werklab import permissions
from werklab.attendance import export, pdf, services
from werklab.attendance.forms import MarkForm
from werklab.attendance.labels import STATUS_LABELS
from werklab.attendance.models import AttendanceStatus
from werklab.catalog.services import load_programme, local_date
from werklab.db import utcnow
from werklab.errors import DomainError
from werklab.extensions import db
from werklab.registration.models import Registration
from werklab.spreadsheets import XLSX, to_csv, to_xlsx
from werklab.translation import get_locale
from werklab.translation import gettext as _

bp = Blueprint("attendance", __name__, url_prefix="/werkruimte")

#: One key per status in the register (with JavaScript); 1, 2 and 3 work in every language.
SHORTCUTS = {
    "nl": {
        AttendanceStatus.PRESENT: "a",
        AttendanceStatus.EXCUSED: "f",
        AttendanceStatus.ABSENT: "w",
    },
    "en": {
        AttendanceStatus.PRESENT: "p",
        AttendanceStatus.EXCUSED: "e",
        AttendanceStatus.ABSENT: "a",
    },
}


@bp.record_once
def _template_globals(state) -> None:
    state.app.jinja_env.globals.update(
        ATTENDANCE_STATUSES=list(AttendanceStatus), ATTENDANCE_LABELS=STATUS_LABELS
    )


def _session(session_id: int):
    """Load a session (404) and check that the current user keeps its attendance (403)."""
    session = services.load_session(session_id) or abort(404)
    if not permissions.can_take_attendance(current_user, session.programme):
        abort(403)
    if request.method == "POST":
        permissions.check_changeable(session.programme)
    return session


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


@bp.get("/bijeenkomst/<int:session_id>/presentie")
@login_required
def register(session_id: int):
    """The attendance register: aanwezig, afgemeld or afwezig for each participant."""
    session = _session(session_id)
    rows = services.register_rows(session)
    counts = {status: sum(1 for r in rows if r.status is status) for status in AttendanceStatus}
    shortcuts = SHORTCUTS.get(str(get_locale()), SHORTCUTS["nl"])
    return render_template(
        "attendance/register.html",
        session=session,
        programme=session.programme,
        rows=rows,
        counts=counts,
        unmarked=sum(1 for r in rows if r.status is None),
        form=MarkForm(),
        shortcuts=shortcuts,
        started=services.has_started(session, utcnow()),
    )


@bp.post("/bijeenkomst/<int:session_id>/presentie/<int:registration_id>")
@login_required
def mark(session_id: int, registration_id: int):
    """Mark one participant (a button press, or a key with JavaScript: then JSON back)."""
    session = _session(session_id)
    registration = db.session.get(Registration, registration_id)
    if registration is None or registration.programme_id != session.programme_id:
        abort(404)
    form = MarkForm()
    back = url_for("attendance.register", session_id=session_id) + f"#deelnemer-{registration_id}"
    if not form.validate_on_submit():  # only a tampered request: the buttons send a choice
        if _wants_json():
            return jsonify(error=_("Choose present, excused or absent.")), 400
        abort(400)
    try:
        record = services.mark_attendance(
            session,
            registration,
            form.chosen,
            recorded_by=current_user._get_current_object(),
            now=utcnow(),
        )
    except DomainError as exc:
        db.session.rollback()
        return _refused(exc.message, exc.status_code, back)
    status, name = record.status, registration.full_name
    db.session.commit()
    label = str(STATUS_LABELS[status])
    message = _("%(name)s: %(status)s", name=name, status=label.lower())
    if _wants_json():
        return jsonify(
            registration_id=registration_id, status=status.value, label=label, message=message
        )
    flash(message, "success")
    return redirect(back)


def _refused(message: str, status: int, back: str):
    if _wants_json():
        return jsonify(error=message), status
    flash(message, "error")
    return redirect(back)


@bp.get("/bijeenkomst/<int:session_id>/presentielijst.pdf")
@login_required
def sheet(session_id: int):
    """The attendance sheet to print: name, organisation and a column to sign."""
    session = _session(session_id)
    data = pdf.attendance_sheet_pdf(
        session, services.sheet_participants(session), printed_at=utcnow()
    )
    filename = (
        f"presentielijst-{session.programme.slug}-bijeenkomst-{session.position}"
        f"-{session.starts_at:%Y-%m-%d}.pdf"
    )
    return Response(
        data,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )


def _matrix_programme(programme_id: int):
    """Load a programme (404) and check that the current user may export its attendance."""
    programme = load_programme(programme_id) or abort(404)
    if not permissions.can_export_attendance(current_user, programme):
        abort(403)
    return programme


def _download(data: bytes, mimetype: str, filename: str) -> Response:
    """An attachment no browser or proxy keeps: it holds personal data."""
    return Response(
        data,
        mimetype=mimetype,
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )


@bp.get("/<int:programme_id>/presentie.csv")
@login_required
def matrix_csv(programme_id: int):
    """Download the attendance of every participant at every session as CSV."""
    programme = _matrix_programme(programme_id)
    table = export.table(export.matrix(programme))
    name = export.filename(programme, local_date(utcnow()), "csv")
    return _download(to_csv(table), "text/csv", name)


@bp.get("/<int:programme_id>/presentie.xlsx")
@login_required
def matrix_xlsx(programme_id: int):
    """Download the attendance of every participant at every session as an Excel workbook."""
    programme = _matrix_programme(programme_id)
    data = export.matrix(programme)
    workbook = to_xlsx(
        export.table(data), title=_("Attendance"), bold_rows=export.totals_rows(data)
    )
    name = export.filename(programme, local_date(utcnow()), "xlsx")
    return _download(workbook, XLSX, name)
