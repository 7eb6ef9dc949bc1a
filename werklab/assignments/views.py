"""Assignments (trainer workspace) and hand-ins (homework groups)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required

from werklab import menu, permissions
from werklab.assignments import services
from werklab.assignments.forms import AssignmentForm, FeedbackForm, SubmissionForm
from werklab.db import utcnow
from werklab.errors import DomainError
from werklab.extensions import db
from werklab.translation import gettext as _
from werklab.translation import lazy_gettext as _l

bp = Blueprint("assignments", __name__)

menu.add("assignments.mine", _l("My assignments"), permissions.can_view_own_programmes)


def _actor() -> str:
    return f"user:{current_user.id}"


def _programme(programme_id: int):
    programme = services.load_programme(programme_id) or abort(404)
    if not permissions.can_manage_assignments(current_user, programme):
        abort(403)
    if request.method == "POST":
        permissions.check_changeable(programme)
    return programme


def _assignment(assignment_id: int):
    assignment = services.load_assignment(assignment_id) or abort(404)
    if not permissions.can_manage_assignments(current_user, assignment.programme):
        abort(403)
    if request.method == "POST":
        permissions.check_changeable(assignment.programme)
    return assignment


def _group_work(assignment_id: int, group_id: int):
    """Load an assignment and a group of its programme that the current user may see."""
    assignment = services.load_assignment(assignment_id) or abort(404)
    group = services.load_group(group_id)
    if group is None or group.programme_id != assignment.programme_id:
        abort(404)
    members = services.members_of(group)
    if not permissions.can_view_submissions(current_user, assignment.programme, members):
        abort(403)
    return assignment, group, members


@bp.get("/werkruimte/<int:programme_id>/opdrachten")
@login_required
def index(programme_id: int):
    """A programme's assignments, with how many groups handed in."""
    programme = _programme(programme_id)
    rows = [(a, services.overview(a)) for a in services.assignments_of(programme.id)]
    return render_template("assignments/index.html", programme=programme, rows=rows)


@bp.route("/werkruimte/<int:programme_id>/opdrachten/nieuw", methods=["GET", "POST"])
@login_required
def create(programme_id: int):
    """Add an assignment."""
    programme = _programme(programme_id)
    form = AssignmentForm(programme=programme)
    if form.validate_on_submit():
        try:
            assignment = services.create_assignment(
                programme, form.to_data(), actor=_actor(), now=utcnow()
            )
        except DomainError as exc:
            db.session.rollback()
            form.title.errors.append(exc.message)
        else:
            db.session.commit()
            flash(_("The assignment has been added."), "success")
            return redirect(url_for("assignments.show", assignment_id=assignment.id))
    status = 400 if form.errors else 200
    return render_template(
        "assignments/form.html", programme=programme, form=form, assignment=None
    ), status


@bp.route("/werkruimte/opdrachten/<int:assignment_id>/bewerken", methods=["GET", "POST"])
@login_required
def edit(assignment_id: int):
    """Change an assignment."""
    assignment = _assignment(assignment_id)
    programme = assignment.programme
    form = AssignmentForm(programme=programme, data=AssignmentForm.initial(assignment))
    if form.validate_on_submit():
        try:
            services.update_assignment(assignment, form.to_data(), actor=_actor(), now=utcnow())
        except DomainError as exc:
            db.session.rollback()
            form.title.errors.append(exc.message)
        else:
            db.session.commit()
            flash(_("The assignment has been saved."), "success")
            return redirect(url_for("assignments.show", assignment_id=assignment.id))
    status = 400 if form.errors else 200
    return render_template(
        "assignments/form.html", programme=programme, form=form, assignment=assignment
    ), status


@bp.get("/werkruimte/opdrachten/<int:assignment_id>")
@login_required
def show(assignment_id: int):
    """Overview: which groups handed in, with their latest version."""
    assignment = _assignment(assignment_id)
    return render_template(
        "assignments/overview.html",
        assignment=assignment,
        programme=assignment.programme,
        rows=services.overview(assignment),
        now=utcnow(),
    )


@bp.get("/opdrachten")
@login_required
def mine():
    """My homework groups' assignments."""
    rows = []
    for group in services.groups_of_person(current_user.email):
        for assignment in services.assignments_of(group.programme_id):
            rows.append((assignment, group, services.versions(assignment, group)[:1]))
    return render_template("assignments/mine.html", rows=rows, now=utcnow())


def _group_page(assignment, group, members, submit_form=None, status: int = 200):
    return render_template(
        "assignments/group.html",
        assignment=assignment,
        programme=assignment.programme,
        group=group,
        members=members,
        versions=services.versions(assignment, group),
        can_submit=permissions.can_submit(current_user, members),
        can_feedback=permissions.can_manage_assignments(current_user, assignment.programme),
        form=submit_form or SubmissionForm(),
        feedback_form=FeedbackForm(),
        now=utcnow(),
    ), status


@bp.get("/opdrachten/<int:assignment_id>/groep/<int:group_id>")
@login_required
def group(assignment_id: int, group_id: int):
    """A group's hand-ins for an assignment (every version) and the feedback."""
    return _group_page(*_group_work(assignment_id, group_id))


@bp.post("/opdrachten/<int:assignment_id>/groep/<int:group_id>/inleveren")
@login_required
def submit(assignment_id: int, group_id: int):
    """Hand in a new version for the group."""
    assignment, group, members = _group_work(assignment_id, group_id)
    if not permissions.can_submit(current_user, members):
        abort(403)
    permissions.check_changeable(assignment.programme)
    form = SubmissionForm()
    if not form.validate_on_submit():
        return _group_page(assignment, group, members, form, 400)
    uploads = [
        services.Upload(f.filename or "", f.read())
        for f in (form.files.data or [])
        if getattr(f, "filename", None)
    ]
    try:
        services.submit(
            assignment, group, form.text.data, uploads, user_id=current_user.id, now=utcnow()
        )
    except services.FileTooLarge:
        db.session.rollback()
        abort(413)
    except DomainError as exc:
        db.session.rollback()
        form.files.errors = [exc.message]
        return _group_page(assignment, group, members, form, exc.status_code)
    db.session.commit()
    flash(_("Your group's work has been handed in."), "success")
    return redirect(url_for("assignments.group", assignment_id=assignment.id, group_id=group.id))


@bp.post("/inleveringen/<int:submission_id>/terugkoppeling")
@login_required
def feedback(submission_id: int):
    """Give feedback on one version of a hand-in."""
    submission = services.load_submission(submission_id) or abort(404)
    assignment = submission.assignment
    if not permissions.can_manage_assignments(current_user, assignment.programme):
        abort(403)
    permissions.check_changeable(assignment.programme)
    form = FeedbackForm()
    target = url_for("assignments.group", assignment_id=assignment.id, group_id=submission.group_id)
    if not form.validate_on_submit():
        flash(_("Please write your feedback."), "error")
        return redirect(target)
    services.give_feedback(submission, form.feedback.data, actor_id=current_user.id, now=utcnow())
    db.session.commit()
    flash(_("Your feedback has been saved."), "success")
    return redirect(target)


@bp.get("/inleveringen/bestand/<int:file_id>")
@login_required
def download(file_id: int):
    """A handed-in file, always as a download (never shown inline)."""
    stored = services.load_file(file_id) or abort(404)
    submission = stored.submission
    group = services.load_group(submission.group_id) or abort(404)
    members = services.members_of(group)
    if not permissions.can_view_submissions(current_user, submission.assignment.programme, members):
        abort(403)
    try:
        handle = services.open_file(stored)
    except FileNotFoundError:
        abort(404)
    response = send_file(
        handle,
        mimetype=stored.content_type,
        as_attachment=True,
        download_name=stored.original_name,
        max_age=0,
        etag=False,
        conditional=False,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response
