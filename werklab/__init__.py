"""werklab: workshop series for resident initiatives."""

from __future__ import annotations

import hashlib
import logging
import os
from pathlib import Path

from flask import Flask, abort, request
from flask.sessions import SecureCookieSessionInterface
from flask.templating import Environment
from werkzeug.middleware.proxy_fix import ProxyFix

from config import BASE_DIR, CONFIGS

# The app layer: the only module that knows every area. Importing the models registers every
# table with the metadata; importing the handlers connects the receivers of the areas'
# signals (see docs/architecture.md); the views bring their blueprints.
from werklab import models, permissions, ratelimit, storage, testmode  # noqa: F401
from werklab.accounts.models import User
from werklab.accounts.services import coordinator_mailboxes
from werklab.accounts.views import bp as accounts_bp
from werklab.assignments import handlers as assignments_handlers  # noqa: F401
from werklab.assignments.views import bp as assignments_bp
from werklab.attendance.views import bp as attendance_bp
from werklab.catalog import labels as catalog_labels
from werklab.catalog.pricing import seat_price
from werklab.certificates.views import bp as certificates_bp
from werklab.cli import werklab_cli
from werklab.completion.views import bp as completion_bp
from werklab.db import begin_read, begin_write, configure_engine, engine_options
from werklab.errors import NUL_INPUT, register_error_handlers
from werklab.evaluations.views import bp as evaluations_bp
from werklab.extensions import babel, csrf, db, login_manager, migrate
from werklab.followup.views import bp as followup_bp
from werklab.groups import handlers as groups_handlers  # noqa: F401
from werklab.groups.views import bp as groups_bp
from werklab.hosting import handlers as hosting_handlers  # noqa: F401
from werklab.hosting.views import bp as hosting_bp
from werklab.i18n import init_i18n
from werklab.initiatives.views import bp as initiatives_bp
from werklab.intake import handlers as intake_handlers  # noqa: F401
from werklab.intake.views import bp as intake_bp
from werklab.invoicing import handlers as invoicing_handlers  # noqa: F401
from werklab.invoicing.settings import seller_problems
from werklab.invoicing.views import bp as invoicing_bp
from werklab.mail import REPLY_TO_EXTENSION, deliver_committed
from werklab.manage.history_views import bp as history_bp
from werklab.manage.registration_views import bp as manage_registrations_bp
from werklab.manage.views import bp as manage_bp
from werklab.messages import notices as messages_notices  # noqa: F401
from werklab.messages.views import bp as messages_bp
from werklab.overview.views import bp as overview_bp
from werklab.participant.views import bp as participant_bp
from werklab.payments import handlers as payments_handlers  # noqa: F401
from werklab.payments.views import bp as payments_bp
from werklab.privacy.views import bp as privacy_bp
from werklab.public.catalog import bp as catalog_bp
from werklab.public.registration import bp as registration_bp
from werklab.registration import handlers as registration_handlers  # noqa: F401
from werklab.registration import labels as registration_labels
from werklab.registration import session_changes  # noqa: F401  (mails changed sessions)
from werklab.reminders.views import bp as reminders_bp
from werklab.renewal import handlers as renewal_handlers  # noqa: F401
from werklab.renewal.views import bp as renewal_bp
from werklab.series.views import bp as series_bp
from werklab.signing import PlainURLSafeTimedSerializer
from werklab.text import paragraphs
from werklab.themes import handlers as themes_handlers  # noqa: F401
from werklab.themes.views import bp as themes_bp
from werklab.translation import lazy_gettext as _l
from werklab.urls import fixed_url
from werklab.workspace.views import bp as workspace_bp

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def create_app(config: str | None = None, **overrides) -> Flask:
    """Build the application; `config` names a class in config.CONFIGS."""
    app = Flask(
        __name__,
        instance_path=str(BASE_DIR / "instance"),
        template_folder=str(BASE_DIR / "templates"),
        static_folder=str(BASE_DIR / "static"),
    )
    app.jinja_environment = JinjaEnvironment  # before anything makes app.jinja_env
    name = config or os.environ.get("WERKLAB_CONFIG", "development")
    app.config.from_object(CONFIGS[name])
    app.config["WERKLAB_ENV"] = name
    app.config.update(overrides)
    _check_config(app, name)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    logging.basicConfig(level=logging.INFO)
    _trust_proxies(app)
    app.session_interface = SessionInterface()

    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(
        app.config["SQLALCHEMY_DATABASE_URI"],
        app.config["SQLALCHEMY_ENGINE_OPTIONS"],
        lock_timeout_ms=int(app.config["LOCK_TIMEOUT_SECONDS"] * 1000),
    )
    db.init_app(app)
    migrate.init_app(app, db, directory=str(BASE_DIR / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    ratelimit.init_app(app)
    _init_login(app)
    init_i18n(app, babel)
    app.jinja_env.globals.update(catalog_labels.TEMPLATE_GLOBALS)
    app.jinja_env.globals.update(registration_labels.TEMPLATE_GLOBALS)
    app.jinja_env.globals.update(
        seat_price=seat_price, is_read_only=permissions.is_read_only, fixed_url=fixed_url
    )
    app.jinja_env.filters["paragraphs"] = paragraphs
    with app.app_context():
        configure_engine(
            db.engine,
            busy_timeout_ms=int(app.config["LOCK_TIMEOUT_SECONDS"] * 1000),
            immediate=testmode.capacity_lock(app),
        )

    app.register_blueprint(accounts_bp)
    app.register_blueprint(catalog_bp)
    app.register_blueprint(registration_bp)
    app.register_blueprint(manage_bp)
    app.register_blueprint(workspace_bp)
    app.register_blueprint(attendance_bp)
    app.register_blueprint(participant_bp)
    app.register_blueprint(invoicing_bp)
    app.register_blueprint(payments_bp)
    app.register_blueprint(renewal_bp)
    app.register_blueprint(intake_bp)
    app.register_blueprint(privacy_bp)
    app.register_blueprint(initiatives_bp)
    app.register_blueprint(groups_bp)
    app.register_blueprint(assignments_bp)
    app.register_blueprint(certificates_bp)
    app.register_blueprint(evaluations_bp)
    app.register_blueprint(followup_bp)
    app.register_blueprint(manage_registrations_bp)
    app.register_blueprint(history_bp)
    app.register_blueprint(messages_bp)
    app.register_blueprint(reminders_bp)
    app.register_blueprint(overview_bp)
    app.register_blueprint(hosting_bp)
    app.register_blueprint(themes_bp)
    app.register_blueprint(series_bp)
    app.register_blueprint(completion_bp)
    register_error_handlers(app)
    app.cli.add_command(werklab_cli)

    # The hooks below run on every request: they read the request itself, not through the
    # proxy (an attribute through werkzeug's LocalProxy costs some twenty times as much, see
    # werklab.translation).

    @app.before_request
    def _refuse_nul_bytes():
        # No database stores NUL in text (PostgreSQL refuses it): refuse such input up front.
        req = request._get_current_object()
        values = [req.path, *req.args.values()]
        if req.method not in SAFE_METHODS:
            values += req.form.values()
        if any("\x00" in value for value in values):
            abort(400, description=NUL_INPUT)

    @app.before_request
    def _start_transaction():
        # Writes start as BEGIN IMMEDIATE on SQLite: the capacity check cannot interleave
        # (views marked write_lock_later take it themselves once their form is checked).
        # Reads skip BEGIN/ROLLBACK (see db.begin_read).
        req = request._get_current_object()
        if req.method in SAFE_METHODS:
            if req.endpoint != "static":
                begin_read(db.session)
        elif getattr(app.view_functions.get(req.endpoint), "write_lock_later", False):
            begin_read(db.session, write_later=True)
        else:
            begin_write(db.session)

    @app.after_request
    def _deliver_mail(response):
        if response.status_code < 500:
            deliver_committed()
        return response

    max_age = int(app.config.get("HSTS_MAX_AGE") or 0)
    security_headers = [
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", "DENY"),
        ("Referrer-Policy", "same-origin"),
        *([("Strict-Transport-Security", f"max-age={max_age}")] if max_age > 0 else []),
        (
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            # Stripe Checkout: a form POST redirects there, and browsers check the target.
            "form-action 'self' https://checkout.stripe.com; frame-ancestors 'none'; "
            "base-uri 'none'",
        ),
    ]

    @app.after_request
    def _security_headers(response):
        # Each header unless the view set its own. The names present are read once: every
        # headers.setdefault() walks the whole list, and this runs on every response.
        present = {name.lower() for name, _ in response.headers.items()}
        if response.status_code == 503 and "retry-after" not in present:
            response.headers.add("Retry-After", "2")
        response.headers.extend(
            [(name, value) for name, value in security_headers if name.lower() not in present]
        )
        return response

    return app


def _init_login(app: Flask) -> None:
    # Replies to mails reach the coordinators unless MAIL_REPLY_TO names an address.
    app.extensions[REPLY_TO_EXTENSION] = coordinator_mailboxes

    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.login_message_category = "info"
    # Not "strong": it binds a session to the client's IP address, and a phone that moves
    # from Wi-Fi to mobile data would be signed out. What protects a session does not depend
    # on the address: a new session at sign-in (accounts.views._sign_in) and the session
    # epoch in every cookie, so that sign-out and a password change end every session.
    login_manager.session_protection = None

    @login_manager.user_loader
    def load_user(user_id: str):
        # The id carries the user's session epoch: after sign-out or a password change the
        # epoch has moved on and every older cookie stops working.
        user_pk, _, epoch = user_id.partition(".")
        if not user_pk.isdigit() or not epoch.isdigit():
            return None
        user = db.session.get(User, int(user_pk))
        if user is None or not user.active or user.session_epoch != int(epoch):
            return None
        return user


class JinjaEnvironment(Environment):
    """Flask's Jinja environment, whose templates read the environment's globals directly.

    Jinja gives every template a ChainMap over the globals (37 here), and copies it key by
    key, in Python, for every template it renders, and compares its keys with each {% from %}
    import. A template that has no globals of its own gets the environment's dict itself,
    which later changes still reach; one made with its own keeps the ChainMap.
    """

    def make_globals(self, d):
        return super().make_globals(d) if d else self.globals

    # Jinja adds globals given with a template's name to that template's globals, which for
    # a template already loaded would now be the environment's own dict: refused instead
    # (Flask and Jinja never pass any; give values to render()).
    def get_template(self, name, parent=None, globals=None):
        _no_globals(globals)
        return super().get_template(name, parent)

    def select_template(self, names, parent=None, globals=None):
        _no_globals(globals)
        return super().select_template(names, parent)


def _no_globals(given) -> None:
    if given:
        raise TypeError("templates here take no globals of their own: pass them to render()")


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed session cookie, with its serializer made once per set of keys.

    Flask makes the serializer anew when it opens a session and again when it saves one, and
    making one costs a JSON round trip (itsdangerous checks what its serializer returns). The
    serializer is werklab.signing's: the same cookie, signed without zlib and with OpenSSL's
    SHA-1, so cookies made before are still read.
    """

    digest_method = staticmethod(hashlib.sha1)

    def get_signing_serializer(self, app: Flask):
        if not app.secret_key:
            return None
        # itsdangerous signs with the last key and also accepts the ones before it.
        keys = (*(app.config["SECRET_KEY_FALLBACKS"] or ()), app.secret_key)
        made = app.extensions.setdefault("werklab.session_serializers", {})
        if keys not in made:
            made[keys] = PlainURLSafeTimedSerializer(
                list(keys),
                salt=self.salt,
                serializer=self.serializer,
                signer_kwargs={
                    "key_derivation": self.key_derivation,
                    "digest_method": self.digest_method,
                },
            )
        return made[keys]


def _trust_proxies(app: Flask) -> None:
    """Behind TRUSTED_PROXIES reverse proxies, take the client's address and scheme from
    X-Forwarded-For and X-Forwarded-Proto (Werkzeug's ProxyFix), so that the per-address
    sign-in limit and the logs see the client, not the proxy. Off (0) by default: without a
    proxy in front, anyone could send these headers and pick their own address."""
    proxies = int(app.config.get("TRUSTED_PROXIES") or 0)
    if proxies > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)


def _check_config(app: Flask, name: str) -> None:
    if name == "production":
        if len(app.config.get("SECRET_KEY") or "") < 32:
            raise RuntimeError("SECRET_KEY must be set to at least 32 characters in production.")
        if app.debug:
            raise RuntimeError("Debug mode must be off in production.")
    if app.config.get("FILE_STORAGE", "local") not in storage.BACKENDS:
        raise RuntimeError(f"FILE_STORAGE must be one of: {', '.join(storage.BACKENDS)}.")
    # The test-only switches never reach a real deployment (see werklab/testmode.py).
    testmode.init_app(app)
    # The seller's numbers go on every invoice and e-invoice: production refuses to start
    # with one that is not valid; elsewhere the log says what is wrong.
    problems = seller_problems(app.config)
    if problems and name == "production":
        raise RuntimeError("Invoice settings are not valid: " + " ".join(problems))
    for problem in problems:
        logging.getLogger(__name__).warning("Invoice settings: %s", problem)
