"""Certificates (bewijs van deelname) and their public verification."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required

from werklab import permissions
from werklab.catalog.services import local_date
from werklab.certificates import export, pdf, services
from werklab.certificates.forms import ActionForm, IssueForm, RuleForm, VerifyForm
from werklab.db import utcnow
from werklab.errors import DomainError
from werklab.extensions import db
from werklab.registration import services as registration_services
from werklab.spreadsheets import XLSX, to_csv, to_xlsx
from werklab.translation import gettext as _

bp = Blueprint("certificates", __name__)


def _programme(programme_id: int):
    """Load a programme (404) and check that the current user issues its certificates (403)."""
    programme = services.load_programme(programme_id) or abort(404)
    if not permissions.can_issue_certificates(current_user, programme):
        abort(403)
    if request.method == "POST":
        permissions.check_changeable(programme)
    return programme


def _overview(programme, rule_form=None, status=200):
    rule = services.rule_for(programme)
    if rule_form is None:
        rule_form = RuleForm(
            kind=rule.kind.value,
            minimum_sessions=rule.minimum_sessions,
            minimum_percent=rule.minimum_percent,
        )
    rows = services.standings(programme)
    page = render_template(
        "certificates/programme.html",
        programme=programme,
        rows=rows,
        rule=rule,
        required=rule.required(len(programme.sessions)),
        rule_form=rule_form,
        action_form=ActionForm(),
        to_issue=sum(
            1 for r in rows if r.eligible and r.certificate is None and r.registration.is_seated
        ),
        to_come=sorted(services.sessions_to_come(programme, utcnow()), key=lambda s: s.ends_at),
    )
    return page, status


@bp.get("/werkruimte/<int:programme_id>/certificaten")
@login_required
def programme(programme_id: int):
    """Who is eligible for a certificate and why, the rule, and the issue button."""
    return _overview(_programme(programme_id))


@bp.post("/werkruimte/<int:programme_id>/certificaten/regel")
@login_required
def set_rule(programme_id: int):
    """Set who gets a certificate in this programme."""
    prog = _programme(programme_id)
    form = RuleForm()
    if not form.validate_on_submit():
        return _overview(prog, form, 400)
    try:
        services.set_rule(
            prog,
            form.chosen,
            minimum_sessions=form.minimum_sessions.data,
            minimum_percent=form.minimum_percent.data,
            actor=current_user._get_current_object(),
            now=utcnow(),
        )
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return _overview(_programme(programme_id), form, exc.status_code)
    db.session.commit()
    flash(_("The rule for certificates is saved."), "success")
    return redirect(url_for("certificates.programme", programme_id=programme_id))


@bp.get("/werkruimte/<int:programme_id>/certificaten/uitreiken")
@login_required
def confirm_issue(programme_id: int):
    """Before issuing: who will get a certificate and a mail, with a button to confirm."""
    prog = _programme(programme_id)
    now = utcnow()
    rows = services.to_issue(prog, now)
    form = IssueForm(ids=",".join(str(r.registration.id) for r in rows))
    return render_template(
        "certificates/confirm_issue.html",
        programme=prog,
        rows=rows,
        form=form,
        to_come=services.sessions_to_come(prog, now),
    )


@bp.post("/werkruimte/<int:programme_id>/certificaten/uitreiken")
@login_required
def issue(programme_id: int):
    """Issue certificates to the eligible people the trainer confirmed, and mail them."""
    prog = _programme(programme_id)
    form = IssueForm()
    if not form.validate_on_submit():
        abort(400)
    chosen = form.chosen()
    if chosen is None:  # not confirmed on the page that lists who gets a mail
        return redirect(url_for("certificates.confirm_issue", programme_id=programme_id))
    try:
        issued = services.issue_certificates(
            prog, actor=current_user._get_current_object(), now=utcnow(), registration_ids=chosen
        )
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("certificates.programme", programme_id=programme_id))
    db.session.commit()
    if issued:
        flash(_("Certificates issued and sent: %(num)d.", num=len(issued)), "success")
    else:
        flash(_("There was nobody to issue a certificate to."), "info")
    return redirect(url_for("certificates.programme", programme_id=programme_id))


@bp.post("/werkruimte/certificaat/<int:certificate_id>/intrekken")
@login_required
def revoke(certificate_id: int):
    """Revoke a certificate (the verification page then says so)."""
    certificate = services.load_certificate(certificate_id) or abort(404)
    if not permissions.can_revoke_certificate(current_user, certificate):
        abort(403)
    permissions.check_changeable(certificate.programme)
    if not ActionForm().validate_on_submit():
        abort(400)
    back = url_for("certificates.programme", programme_id=certificate.programme_id)
    try:
        services.revoke_certificate(
            certificate, actor=current_user._get_current_object(), now=utcnow()
        )
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(back)
    name = certificate.name
    db.session.commit()
    flash(_("The certificate of %(name)s is revoked.", name=name), "success")
    return redirect(back)


@bp.get("/mijn-traject/certificaat/<int:certificate_id>")
def download(certificate_id: int):
    """The certificate PDF: for its participant (signed in, or with their manage link), the
    programme's trainers and the coordinators."""
    certificate = services.load_certificate(certificate_id) or abort(404)
    token = request.args.get("token")
    by_token = bool(token) and (
        (reg := registration_services.find_by_token(token)) is not None
        and reg.id == certificate.registration_id
    )
    if not by_token:
        if not current_user.is_authenticated:
            return current_app.login_manager.unauthorized()
        if not permissions.can_download_certificate(current_user, certificate):
            abort(403)
    if not certificate.is_valid:
        abort(404)
    return Response(
        pdf.certificate_pdf(certificate),
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="{pdf.filename(certificate)}"',
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )


@bp.get("/verificatie")
def verify_form():
    """Fill in a verification code."""
    form = VerifyForm(request.args)
    if request.args and form.validate():
        return redirect(url_for("certificates.verify", code=form.code.data.strip()))
    return render_template("certificates/verify_form.html", form=form)


@bp.get("/verificatie/<code>")
def verify(code: str):
    """Public: is the certificate with this code valid, revoked, or unknown?"""
    certificate = services.find_by_code(code)
    response = render_template(
        "certificates/verify.html", certificate=certificate, code=code, form=VerifyForm()
    )
    return response, (200 if certificate else 404)


# --- exports --------------------------------------------------------------------------------


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


def _export(programme, extension: str) -> Response:
    table = export.table(export.certificates(programme))
    name = export.filename(programme, local_date(utcnow()), extension)
    if extension == "csv":
        return _download(to_csv(table), "text/csv", name)
    return _download(to_xlsx(table, title=_("Certificates")), XLSX, name)


def _exported_programme(programme_id: int):
    programme = services.load_programme(programme_id) or abort(404)
    if not permissions.can_export_certificates(current_user, programme):
        abort(403)
    return programme


@bp.get("/werkruimte/<int:programme_id>/certificaten.csv")
@login_required
def export_csv(programme_id: int):
    """Download the certificates issued in a programme as CSV."""
    return _export(_exported_programme(programme_id), "csv")


@bp.get("/werkruimte/<int:programme_id>/certificaten.xlsx")
@login_required
def export_xlsx(programme_id: int):
    """Download the certificates issued in a programme as an Excel workbook."""
    return _export(_exported_programme(programme_id), "xlsx")


def _all_allowed() -> None:
    if not permissions.can_export_all_certificates(current_user):
        abort(403)


@bp.get("/beheer/certificaten.csv")
@login_required
def export_all_csv():
    """Download the certificates issued in every programme as CSV."""
    _all_allowed()
    return _export(None, "csv")


@bp.get("/beheer/certificaten.xlsx")
@login_required
def export_all_xlsx():
    """Download the certificates issued in every programme as an Excel workbook."""
    _all_allowed()
    return _export(None, "xlsx")
