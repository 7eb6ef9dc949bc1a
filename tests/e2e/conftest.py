"""Browser tests: Chromium (Debian's, via Playwright) against a live werklab server.

The live server runs its own app on its own fresh database (SQLite file, or PostgreSQL with
--db=postgresql). It must not use the session `app` of tests/conftest.py: the autouse
`_transaction` fixture swaps that app's engine for a connection inside a rolled-back
transaction, which a server thread must not share. What the live app commits stays for the
whole session, so each test makes its own programme.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from werkzeug.serving import make_server

from tests.conftest import make_app
from tests.factories import Factories
from werklab.extensions import db

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Launch Debian's Chromium: Playwright's own browser download cannot work here."""
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [*browser_type_launch_args.get("args", []), *CHROMIUM_ARGS],
    }


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class LiveServer:
    app: object
    url: str

    @contextmanager
    def app_context(self) -> Iterator[None]:
        """An app context of the live app, with its own database session."""
        with self.app.app_context():
            try:
                yield
            finally:
                db.session.remove()


@pytest.fixture(scope="session")
def live_server(new_database) -> Iterator[LiveServer]:
    """The werklab app on a fresh database, served from a background thread."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    live_app = make_app(new_database())
    # make_app() fixes BASE_URL itself (passing BASE_URL= raises a TypeError); it is read per
    # request, so setting it here makes the links in mails point at this server.
    live_app.config["BASE_URL"] = url
    server = make_server("127.0.0.1", port, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="werklab-live", daemon=True)
    thread.start()
    try:
        yield LiveServer(live_app, url)
    finally:
        server.shutdown()
        thread.join(timeout=5)
        server.server_close()
        with live_app.app_context():
            db.engine.dispose()


@pytest.fixture(scope="session")
def base_url(live_server) -> str:
    """pytest-playwright's base URL: page.goto("/") opens the live server's catalogue."""
    return live_server.url


@dataclass(frozen=True)
class SeededProgramme:
    id: int
    slug: str
    title: str


@pytest.fixture
def live_programme(live_server) -> SeededProgramme:
    """A committed, open CoP with sessions on the live server (one per test)."""
    with live_server.app_context():
        programme = Factories().programme()
        db.session.commit()
        return SeededProgramme(programme.id, programme.slug, programme.title)
