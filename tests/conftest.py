"""Test set-up: a real database (SQLite file, or a throwaway PostgreSQL server with
--db=postgresql), migrations applied, and each test inside a transaction that is rolled back.
"""

from __future__ import annotations

import os
import re
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import event, select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import pgtmp  # noqa: E402

from tests.factories import Factories  # noqa: E402
from tests.i18n_support import ensure_compiled  # noqa: E402
from werklab import create_app  # noqa: E402
from werklab.extensions import db  # noqa: E402
from werklab.mail import OutboxMail, render_bodies  # noqa: E402


def pytest_addoption(parser):
    parser.addoption(
        "--db",
        default=os.environ.get("WERKLAB_TEST_DB", "sqlite"),
        choices=["sqlite", "postgresql"],
        help="database to run the tests against",
    )


@pytest.fixture(scope="session")
def db_kind(request) -> str:
    return request.config.getoption("--db")


@pytest.fixture(scope="session")
def pg_server():
    server = pgtmp.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def new_database(request, db_kind, tmp_path_factory):
    """Return a function that makes a fresh, empty database and gives its URL."""
    counter = iter(range(1, 10_000))

    def make(kind: str | None = None) -> str:
        kind = kind or db_kind
        n = next(counter)
        if kind == "postgresql":
            server = request.getfixturevalue("pg_server")
            return server.createdb(f"werklab_test_{n}")
        return "sqlite:///" + str(tmp_path_factory.mktemp("db") / f"werklab_{n}.db")

    return make


class IsolatedClient(FlaskClient):
    """Each request runs in its own app context, as it does in production: its own database
    session (joined to the test's transaction), its own `g` (Flask-Login, Flask-Babel)."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


def make_app(url: str, **overrides):
    ensure_compiled()  # the Dutch catalogue, in case set-up did not compile it
    import tempfile

    settings = {
        "BASE_URL": "http://werklab.test",
        "UPLOAD_FOLDER": tempfile.mkdtemp(prefix="werklab-uploads-"),
        **overrides,
    }
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=url, **settings)
    app.test_client_class = IsolatedClient
    from flask_migrate import upgrade

    with app.app_context():
        upgrade()
    return app


@pytest.fixture(scope="session")
def app(new_database):
    return make_app(new_database())


@pytest.fixture(autouse=True)
def _transaction(request, app):
    """Run each test in a transaction that is rolled back; commits become savepoints."""
    with app.app_context():
        engines = db.engines
        engine = engines[None]
        connection = engine.connect()
        outer = connection.begin()
        engines[None] = connection
        db.session.remove()
        db.session.configure(join_transaction_mode="create_savepoint")
        try:
            yield connection
        finally:
            db.session.remove()
            engines[None] = engine
            outer.rollback()
            connection.close()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def factories() -> Factories:
    return Factories()


@pytest.fixture
def programme(factories):
    """An open CoP with 15 seats and its sessions."""
    return factories.programme()


def outbox(kind: str | None = None) -> list[OutboxMail]:
    query = select(OutboxMail).order_by(OutboxMail.id)
    if kind:
        query = query.where(OutboxMail.kind == kind)
    return with_bodies(db.session.execute(query).scalars())


def with_bodies(mails) -> list[OutboxMail]:
    """The mails, with the bodies of those rendered only when sent (registration mails)
    rendered now, as delivery would; call inside an app context."""
    mails = list(mails)
    for mail in mails:
        if mail.body_text is None:
            mail.body_text, mail.body_html = render_bodies(mail)
    return mails


@pytest.fixture
def count_queries(_transaction):
    """Context manager that counts the SQL statements run inside it."""

    @contextmanager
    def counter():
        statements: list[str] = []

        def before(conn, cursor, statement, *args):
            if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK TO")):
                statements.append(statement)

        event.listen(_transaction, "before_cursor_execute", before)
        try:
            yield statements
        finally:
            event.remove(_transaction, "before_cursor_execute", before)

    return counter


CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_from(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def tampered(signed: str) -> str:
    """`signed` (a token, or a path ending in one) with the first character of its signature
    changed. Changing the last character is not enough: base64 ignores its low bits, so some
    replacements decode to the same signature and the link still works."""
    head, signature = signed.rsplit(".", 1)
    return f"{head}.{'B' if signature[0] == 'A' else 'A'}{signature[1:]}"
