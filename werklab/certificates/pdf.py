"""The certificate PDF (A4 landscape), rendered with the attendance area's static-only
WeasyPrint fetcher: everything a participant typed is escaped text, nothing is fetched."""

from __future__ import annotations

from datetime import date

from flask import render_template
from flask_babel import force_locale

from werklab.certificates.models import Certificate
from werklab.extensions import db
from werklab.links import external_url
from werklab.pdf import render_pdf


def certificate_html(certificate: Certificate) -> str:
    sessions = [
        {"date": date.fromisoformat(s["date"]), "theme": s["theme"]}
        for s in certificate.sessions or []
    ]
    return render_template(
        "pdf/certificate.html",
        certificate=certificate,
        sessions=sessions,
        verify_url=external_url("certificates.verify", code=certificate.code),
    )


def certificate_pdf(certificate: Certificate) -> bytes:
    """The certificate as a PDF."""
    return render_pdf(certificate_html(certificate))


def filename(certificate: Certificate) -> str:
    return f"bewijs-van-deelname-{certificate.programme.slug}-{certificate.id}.pdf"


def certificate_attachment(certificate_id: int) -> tuple[str, str, bytes]:
    """Make the PDF for the mail, when it is sent (werklab.mail attachments_later)."""
    certificate = db.session.get(Certificate, certificate_id)
    if certificate is None:
        raise LookupError(f"certificate {certificate_id} no longer exists")
    with force_locale(certificate.registration.locale or "nl"):
        data = certificate_pdf(certificate)
    return filename(certificate), "application/pdf", data
