"""Sign in (password or one-time e-mail link), sign out, change password."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required, login_user, logout_user

from werklab import menu
from werklab.accounts import services
from werklab.accounts.forms import ChangePasswordForm, LinkForm, PasswordLoginForm
from werklab.db import begin_write_late, utcnow, write_lock_later
from werklab.errors import DomainError
from werklab.extensions import db
from werklab.ratelimit import limited, remote_address
from werklab.translation import get_locale
from werklab.translation import gettext as _
from werklab.urls import internal_path

bp = Blueprint("accounts", __name__)


def _account_key() -> str:
    return "account:" + services.normalize_email(request.form.get("email", ""))[:254]


def _failed(response) -> bool:
    return response.status_code != 302


def _next() -> str:
    return internal_path(request.values.get("next"), url_for("accounts.home"))


def _sign_in(user, method: str) -> None:
    """Start a fresh session for `user` (a new session: nothing carries over)."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    login_user(user)
    if method == "link":
        session[LINK_SIGN_IN_KEY] = int(utcnow().timestamp())
    services.record_sign_in(user, method=method)


#: When this session was started with a link from the user's mailbox (seconds since 1970).
LINK_SIGN_IN_KEY = "link_sign_in_at"


def _fresh_link_sign_in() -> bool:
    """Signed in with a link from one's own mailbox within the link's lifetime: that proves
    as much as a password-reset mail, so a forgotten password may be replaced without it."""
    started = session.get(LINK_SIGN_IN_KEY)
    if not isinstance(started, int):
        return False
    age = utcnow().timestamp() - started
    return 0 <= age <= services.LINK_LIFETIME.total_seconds()


@bp.get("/inloggen")
def login():
    """The sign-in page: a link by e-mail, or a password for staff."""
    if current_user.is_authenticated:
        return redirect(_next())
    nxt = request.args.get("next", "")
    return render_template(
        "accounts/login.html",
        link_form=LinkForm(next=nxt),
        password_form=PasswordLoginForm(next=nxt),
    )


@bp.post("/inloggen")
@write_lock_later  # the password check (scrypt) must not hold SQLite's write lock
@limited(
    ("LOGIN_LIMIT_ADDRESS", remote_address),
    ("LOGIN_LIMIT_ACCOUNT", _account_key),
    count_when=_failed,
)
def password_login():
    """Sign in with e-mail address and password."""
    form = PasswordLoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is not None:
            begin_write_late(db.session)
            _sign_in(user, "password")
            db.session.commit()
            return redirect(_next())
        form.password.errors.append(_("This e-mail address and password do not match."))
    return render_template(
        "accounts/login.html", link_form=LinkForm(next=form.next.data), password_form=form
    ), 400


@bp.post("/inloggen/link")
@limited(
    ("LOGIN_LINK_LIMIT_ADDRESS", remote_address),
    ("LOGIN_LINK_LIMIT_ACCOUNT", _account_key),
)
def request_link():
    """Mail a one-time sign-in link; the answer is the same for known and unknown addresses."""
    form = LinkForm()
    if not form.validate_on_submit():
        return render_template(
            "accounts/login.html", link_form=form, password_form=PasswordLoginForm()
        ), 400
    email = form.email.data
    services.send_login_link(
        email,
        next_path=internal_path(form.next.data, ""),
        participant_name=services.participant_name(email),
        locale=str(get_locale()),
    )
    db.session.commit()
    return render_template("accounts/link_sent.html", email=email)


@bp.route("/inloggen/link/<token>", methods=["GET", "POST"])
def use_link(token: str):
    """Confirm, then sign in with a link (a GET alone never spends it: mail scanners follow
    links)."""
    if len(token) > 100:
        abort(404)
    # CSRFProtect has checked the token of a POST before we get here.
    if request.method == "POST":
        try:
            user, next_path = services.use_login_link(token, now=utcnow())
        except DomainError as exc:
            db.session.rollback()
            flash(exc.message, "error")
            return redirect(url_for("accounts.login"))
        _sign_in(user, "link")
        db.session.commit()
        return redirect(internal_path(next_path, url_for("accounts.home")))
    return render_template("accounts/use_link.html", form=LinkForm(), token=token)


@bp.post("/uitloggen")
@login_required
def logout():
    """Sign out everywhere: every session of this user ends, here and on other devices."""
    services.end_all_sessions(current_user._get_current_object())
    db.session.commit()
    logout_user()
    session.clear()
    flash(_("You are signed out."), "info")
    return redirect(url_for("catalog.index"))


@bp.get("/account")
@login_required
def home():
    """Where a signed-in person starts."""
    return render_template("accounts/home.html", account_menu=menu.entries_for(current_user))


@bp.route("/account/wachtwoord", methods=["GET", "POST"])
@login_required
def change_password():
    """Change the password; every other session of the user ends.

    Staff created by a coordinator have no password yet (they signed in with a link): they
    choose one without a current password. So does someone who signed in with a link in the
    last 30 minutes: the way to replace a forgotten password.
    """
    if not current_user.is_staff:
        abort(403)
    user = current_user._get_current_object()
    has_password = bool(user.password_hash)
    needs_current = has_password and not _fresh_link_sign_in()
    form = ChangePasswordForm()
    if not needs_current:
        del form.current
    if form.validate_on_submit():
        if needs_current and services.authenticate(user.email, form.current.data) is None:
            form.current.errors.append(_("This is not your current password."))
        else:
            try:
                services.set_password(
                    user, form.new.data, actor=f"user:{user.id}", tell=has_password
                )
            except DomainError as exc:
                db.session.rollback()
                form.new.errors.append(exc.message)
            else:
                _sign_in(user, "password_change")
                db.session.commit()
                if has_password:
                    flash(
                        _("Your password has been changed. Other devices are signed out."),
                        "success",
                    )
                else:
                    flash(_("Your password has been set."), "success")
                return redirect(url_for("accounts.home"))
    return render_template(
        "accounts/password.html", form=form, has_password=has_password, needs_current=needs_current
    ), 400 if form.errors else 200
