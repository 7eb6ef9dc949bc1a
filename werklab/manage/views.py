"""Coordinator: programmes, sessions, trainers, registration open/closed, users and roles.

Every page here is for coordinators only. The permission is checked before anything is
loaded, so that nobody else can tell which programme or user ids exist (404 vs 403).
"""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from werklab import menu, permissions
from werklab.accounts import services as accounts
from werklab.accounts.models import User
from werklab.catalog import services as catalog
from werklab.catalog.models import (
    Programme,
    ProgrammeKind,
    ProgrammeSession,
    Visibility,
)
from werklab.db import utcnow
from werklab.errors import DomainError
from werklab.extensions import db
from werklab.links import external_url
from werklab.mail import failed_mails
from werklab.manage import history
from werklab.manage.forms import (
    AssignTrainerForm,
    CancelProgrammeForm,
    NewUserForm,
    ProgrammeForm,
    RolesForm,
    SessionForm,
)
from werklab.manage.registration_forms import PaidForm
from werklab.manage.registrations import registration_list
from werklab.payments.checkout import expire_checkout
from werklab.payments.refunds import process_refunds
from werklab.registration import availability, decisions
from werklab.registration.lookup import held_checkout_sessions
from werklab.registration.seats import seats_taken
from werklab.translation import get_locale
from werklab.translation import gettext as _
from werklab.translation import lazy_gettext as _l

bp = Blueprint("manage", __name__, url_prefix="/beheer")

menu.add("manage.index", _l("Management"), permissions.is_coordinator)

#: How far back the overview lists mails that could not be delivered.
FAILED_MAIL_WINDOW = timedelta(days=30)


def _allow(rule) -> None:
    if not rule(current_user):
        abort(403)


def _actor() -> str:
    return f"coordinator:{current_user.id}"


def _me() -> User:
    return current_user._get_current_object()


def _programme(programme_id: int) -> Programme:
    return db.session.get(Programme, programme_id) or abort(404)


def _session(programme: Programme, session_id: int) -> ProgrammeSession:
    session = db.session.get(ProgrammeSession, session_id)
    if session is None or session.programme_id != programme.id:
        abort(404)
    return session


def _user(user_id: int) -> User:
    return db.session.get(User, user_id) or abort(404)


def _failed(exc: DomainError) -> None:
    db.session.rollback()
    flash(exc.message, "error")


def _commit(call):
    """Run the service call of a checked form and commit: (its result, None). A rule it
    breaks rolls the request back: (None, the reason), to show above the form."""
    try:
        result = call()
    except DomainError as exc:
        db.session.rollback()
        return None, exc.message
    db.session.commit()
    return result, None


def _form_page(template: str, form, **context):
    """Render a form page: 400 when the form was sent with errors."""
    status = 400 if form.errors or context.get("error") else 200
    return render_template(template, form=form, **context), status


# --- programmes ----------------------------------------------------------------------------


@bp.get("/")
@login_required
def index():
    """Every programme with its status, seats taken and trainers."""
    _allow(permissions.can_manage_catalogue)
    now = utcnow()
    rows = availability.programme_overview(now=now)
    failed = failed_mails(since=now - FAILED_MAIL_WINDOW)
    return render_template("manage/index.html", rows=rows, failed_mails=failed)


@bp.route("/programma/nieuw", methods=["GET", "POST"])
@login_required
def new_programme():
    """Create a programme (in draft)."""
    _allow(permissions.can_manage_catalogue)
    form = ProgrammeForm()
    error = None
    if form.validate_on_submit():
        programme, error = _commit(
            lambda: catalog.create_programme(
                form.to_data(ProgrammeKind(form.kind.data)), actor=_actor(), now=utcnow()
            )
        )
        if error is None:
            flash(_("The programme has been created as a draft."), "success")
            return redirect(url_for("manage.programme", programme_id=programme.id))
    return _form_page("manage/programme_form.html", form, programme=None, error=error)


@bp.get("/programma/<int:programme_id>")
@login_required
def programme(programme_id: int):
    """A programme as the coordinator runs it: details, sessions, trainers, registration."""
    _allow(permissions.can_manage_catalogue)
    programme = _programme(programme_id)
    now = utcnow()
    candidates = catalog.trainer_candidates(programme)
    return render_template(
        "manage/programme.html",
        programme=programme,
        taken=seats_taken(programme.id, now),
        problems=catalog.opening_problems(programme, now),
        trainer_form=AssignTrainerForm(candidates=candidates, formdata=None),
        public_url=_public_url(programme),
        sessions_fixed=programme.kind is ProgrammeKind.WERKLAB,
        now=now,
        registrations=registration_list(programme, search=request.args.get("zoek", ""), now=now),
        paid_form=PaidForm(formdata=None),
        history=history.programme_history(programme.id, limit=10),
    )


def _public_url(programme: Programme) -> str:
    if programme.visibility is Visibility.INVITATION:
        return external_url(
            "catalog.programme", slug=programme.slug, uitnodiging=programme.invitation_token
        )
    return external_url("catalog.programme", slug=programme.slug)


@bp.route("/programma/<int:programme_id>/bewerken", methods=["GET", "POST"])
@login_required
def edit_programme(programme_id: int):
    """Change a programme's details."""
    _allow(permissions.can_manage_catalogue)
    programme = _programme(programme_id)
    form = ProgrammeForm(programme=programme)
    error = None
    if form.validate_on_submit():
        _result, error = _commit(
            lambda: availability.update_programme(
                programme, form.to_data(programme.kind), actor=_actor(), now=utcnow()
            )
        )
        if error is None:
            flash(_("The changes have been saved."), "success")
            return redirect(url_for("manage.programme", programme_id=programme.id))
    return _form_page("manage/programme_form.html", form, programme=programme, error=error)


@bp.post("/programma/<int:programme_id>/openen")
@login_required
def open_registration(programme_id: int):
    """Open registration (a draft, or a closed programme again)."""
    _allow(permissions.can_manage_catalogue)
    programme = _programme(programme_id)
    try:
        catalog.open_registration(programme, actor=_actor(), now=utcnow())
    except DomainError as exc:
        _failed(exc)
    else:
        db.session.commit()
        flash(_("Registration is open."), "success")
    return redirect(url_for("manage.programme", programme_id=programme_id))


@bp.post("/programma/<int:programme_id>/sluiten")
@login_required
def close_registration(programme_id: int):
    """Close registration; the programme can be opened again later."""
    _allow(permissions.can_manage_catalogue)
    programme = _programme(programme_id)
    try:
        catalog.close_registration(programme, actor=_actor(), now=utcnow())
    except DomainError as exc:
        _failed(exc)
    else:
        db.session.commit()
        flash(_("Registration is closed."), "success")
    return redirect(url_for("manage.programme", programme_id=programme_id))


# --- go / no-go ---------------------------------------------------------------------------


@bp.post("/programma/<int:programme_id>/doorgaan")
@login_required
def confirm_programme(programme_id: int):
    """Go: the programme goes ahead, also below the minimum (recorded)."""
    _allow(permissions.can_manage_catalogue)
    _programme(programme_id)
    try:
        decisions.confirm_programme(programme_id, actor=_actor(), now=utcnow())
    except DomainError as exc:
        _failed(exc)
    else:
        db.session.commit()
        flash(_("Recorded: the programme goes ahead."), "success")
    return redirect(url_for("manage.programme", programme_id=programme_id))


@bp.route("/programma/<int:programme_id>/afgelasten", methods=["GET", "POST"])
@login_required
def cancel_programme(programme_id: int):
    """No-go: cancel the programme; everyone is told and gets their money back."""
    _allow(permissions.can_manage_catalogue)
    programme = _programme(programme_id)
    form = CancelProgrammeForm()
    if form.validate_on_submit():
        held = held_checkout_sessions(programme.id)
        try:
            cancelled = decisions.cancel_programme(
                programme_id, reason=form.reason.data, actor=_actor(), now=utcnow()
            )
        except DomainError as exc:
            _failed(exc)
            return redirect(url_for("manage.programme", programme_id=programme_id))
        db.session.commit()

        for session_id in held:  # Stripe only after the commit; tick retries refunds
            expire_checkout(session_id)
        process_refunds(now=utcnow())
        flash(
            _("The programme is cancelled; %(n)d people have been told.", n=len(cancelled)),
            "success",
        )
        return redirect(url_for("manage.programme", programme_id=programme_id))
    return _form_page(
        "manage/cancel_programme.html",
        form,
        programme=programme,
        taken=seats_taken(programme.id, utcnow()),
    )


# --- sessions ------------------------------------------------------------------------------


@bp.route("/programma/<int:programme_id>/bijeenkomsten/nieuw", methods=["GET", "POST"])
@login_required
def new_session(programme_id: int):
    """Add a session at the end of the programme."""
    _allow(permissions.can_manage_catalogue)
    programme = _programme(programme_id)
    permissions.check_changeable(programme)  # a completed programme keeps its sessions
    form = SessionForm()
    error = None
    if form.validate_on_submit():
        _result, error = _commit(
            lambda: catalog.create_session(programme, form.to_data(), actor=_actor(), now=utcnow())
        )
        if error is None:
            flash(_("The session has been added."), "success")
            return redirect(url_for("manage.programme", programme_id=programme.id))
    return _form_page(
        "manage/session_form.html", form, programme=programme, session=None, error=error
    )


@bp.route(
    "/programma/<int:programme_id>/bijeenkomsten/<int:session_id>/bewerken",
    methods=["GET", "POST"],
)
@login_required
def edit_session(programme_id: int, session_id: int):
    """Change a session's theme, time, place or kind."""
    _allow(permissions.can_manage_catalogue)
    programme = _programme(programme_id)
    permissions.check_changeable(programme)  # a completed programme keeps its sessions
    session = _session(programme, session_id)
    form = SessionForm(session=session)
    error = None
    if form.validate_on_submit():
        _result, error = _commit(
            lambda: catalog.update_session(session, form.to_data(), actor=_actor(), now=utcnow())
        )
        if error is None:
            flash(_("The session has been saved."), "success")
            return redirect(url_for("manage.programme", programme_id=programme.id))
    return _form_page(
        "manage/session_form.html", form, programme=programme, session=session, error=error
    )


@bp.route(
    "/programma/<int:programme_id>/bijeenkomsten/<int:session_id>/verwijderen",
    methods=["GET", "POST"],
)
@login_required
def delete_session(programme_id: int, session_id: int):
    """Ask, then delete a session; the sessions after it move up."""
    _allow(permissions.can_manage_catalogue)
    programme = _programme(programme_id)
    permissions.check_changeable(programme)  # a completed programme keeps its sessions
    session = _session(programme, session_id)
    if request.method == "GET":
        return render_template("manage/delete_session.html", programme=programme, session=session)
    try:
        catalog.delete_session(session, actor=_actor(), now=utcnow())
    except DomainError as exc:
        _failed(exc)
    else:
        db.session.commit()
        flash(_("The session has been deleted."), "success")
    return redirect(url_for("manage.programme", programme_id=programme_id))


# --- trainers ------------------------------------------------------------------------------


@bp.post("/programma/<int:programme_id>/begeleiders")
@login_required
def assign_trainer(programme_id: int):
    """Add a trainer to the programme."""
    _allow(permissions.can_manage_catalogue)
    programme = _programme(programme_id)
    form = AssignTrainerForm(candidates=catalog.trainer_candidates(programme))
    if not form.validate():
        flash(_("Please choose a trainer."), "error")
        return redirect(url_for("manage.programme", programme_id=programme_id))
    try:
        catalog.assign_trainer(programme, form.chosen, actor=_actor(), now=utcnow())
    except DomainError as exc:
        _failed(exc)
    else:
        db.session.commit()
        flash(_("%(name)s now runs this programme.", name=form.chosen.display_name), "success")
    return redirect(url_for("manage.programme", programme_id=programme_id))


@bp.post("/programma/<int:programme_id>/begeleiders/<int:user_id>/verwijderen")
@login_required
def unassign_trainer(programme_id: int, user_id: int):
    """Take a trainer off the programme."""
    _allow(permissions.can_manage_catalogue)
    programme = _programme(programme_id)
    user = _user(user_id)
    try:
        catalog.unassign_trainer(programme, user, actor=_actor(), now=utcnow())
    except DomainError as exc:
        _failed(exc)
    else:
        db.session.commit()
        flash(_("%(name)s no longer runs this programme.", name=user.display_name), "success")
    return redirect(url_for("manage.programme", programme_id=programme_id))


# --- users ---------------------------------------------------------------------------------


@bp.get("/gebruikers")
@login_required
def users():
    """Staff (or everyone) with their roles and whether they can sign in."""
    _allow(permissions.can_manage_users)
    everyone = request.args.get("toon") == "iedereen"
    return render_template(
        "manage/users.html", users=accounts.all_users(staff_only=not everyone), everyone=everyone
    )


@bp.route("/gebruikers/nieuw", methods=["GET", "POST"])
@login_required
def new_user():
    """Create a coordinator or trainer; they get a sign-in link to choose a password."""
    _allow(permissions.can_manage_users)
    form = NewUserForm()
    error = None
    if form.validate_on_submit():
        user, error = _commit(
            lambda: accounts.invite_staff_user(
                form.email.data,
                form.name.data,
                coordinator=form.is_coordinator.data,
                trainer=form.is_trainer.data,
                next_path=url_for("accounts.change_password"),
                by=_me(),
                locale=str(get_locale()),
                now=utcnow(),
            )
        )
        if error is None:
            flash(
                _(
                    "The account has been created. %(email)s has been sent a sign-in link to "
                    "choose a password; it works for 30 minutes, after that a new one can be "
                    "requested on the sign-in page.",
                    email=user.email,
                ),
                "success",
            )
            return redirect(url_for("manage.users"))
    return _form_page("manage/user_form.html", form, error=error)


@bp.route("/gebruikers/<int:user_id>", methods=["GET", "POST"])
@login_required
def edit_user(user_id: int):
    """A user's roles, and (de)activation."""
    _allow(permissions.can_manage_users)
    user = _user(user_id)
    form = RolesForm(obj=user)
    error = None
    if form.validate_on_submit():
        _result, error = _commit(
            lambda: accounts.change_roles(
                user,
                coordinator=form.is_coordinator.data,
                trainer=form.is_trainer.data,
                by=_me(),
                now=utcnow(),
            )
        )
        if error is None:
            flash(_("The roles of %(name)s have been saved.", name=user.display_name), "success")
            return redirect(url_for("manage.users"))
    return _form_page("manage/user.html", form, user=user, error=error)


@bp.post("/gebruikers/<int:user_id>/deactiveren")
@login_required
def deactivate_user(user_id: int):
    """Stop a user from signing in; they are signed out everywhere."""
    _allow(permissions.can_manage_users)
    user = _user(user_id)
    try:
        accounts.deactivate_user(user, by=_me(), now=utcnow())
    except DomainError as exc:
        _failed(exc)
    else:
        db.session.commit()
        flash(_("%(name)s can no longer sign in.", name=user.display_name), "success")
    return redirect(url_for("manage.edit_user", user_id=user_id))


@bp.post("/gebruikers/<int:user_id>/activeren")
@login_required
def reactivate_user(user_id: int):
    """Let a deactivated user sign in again."""
    _allow(permissions.can_manage_users)
    user = _user(user_id)
    try:
        accounts.reactivate_user(user, by=_me(), now=utcnow())
    except DomainError as exc:
        _failed(exc)
    else:
        db.session.commit()
        flash(_("%(name)s can sign in again.", name=user.display_name), "success")
    return redirect(url_for("manage.edit_user", user_id=user_id))
