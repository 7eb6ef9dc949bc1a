"""Signed-in coordinators and trainers for the tests of the coordinator area."""

from __future__ import annotations

import pytest

from tests.conftest import csrf_from
from werklab.accounts import services as accounts
from werklab.extensions import db

PASSWORD = "lang-genoeg-wachtwoord"


def text(response) -> str:
    return response.get_data(as_text=True)


def sign_in(client, email: str, password: str = PASSWORD):
    token = csrf_from(text(client.get("/inloggen")))
    response = client.post(
        "/inloggen", data={"csrf_token": token, "email": email, "password": password}
    )
    assert response.status_code == 302, "sign-in failed"
    return client


def token(client) -> str:
    """A CSRF token for this client's session (from the account page)."""
    return csrf_from(text(client.get("/account")))


def post(client, url: str, data: dict | None = None, **kw):
    return client.post(url, data={**(data or {}), "csrf_token": token(client)}, **kw)


@pytest.fixture
def coordinator():
    user = accounts.create_user(
        "cora@example.nl", "Cora Coördinator", password=PASSWORD, coordinator=True, actor="test"
    )
    db.session.commit()
    return user


@pytest.fixture
def admin(client, coordinator):
    """A client in which the coordinator is signed in."""
    return sign_in(client, coordinator.email)


@pytest.fixture
def make_trainer():
    def make(name: str = "Tim Trainer", email: str | None = None, **kw):
        user = accounts.create_user(
            email or f"{name.split()[0].lower()}@example.nl", name, trainer=True, actor="test", **kw
        )
        db.session.commit()
        return user

    return make
