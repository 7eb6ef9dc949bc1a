"""The printable attendance sheet (presentielijst), rendered with WeasyPrint (werklab.pdf)."""

from __future__ import annotations

from flask import render_template

from werklab.pdf import render_pdf


def attendance_sheet_pdf(session, participants, *, printed_at) -> bytes:
    """The attendance sheet of a session: A4, with a row per participant to sign."""
    html = render_template(
        "pdf/attendance_sheet.html",
        session=session,
        programme=session.programme,
        participants=participants,
        printed_at=printed_at,
    )
    return render_pdf(html)
