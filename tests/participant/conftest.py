"""Helpers for "Mijn traject": signing in as a participant, the way a participant does."""

from __future__ import annotations

import re

import pytest

from tests.conftest import csrf_from, outbox
from werklab.accounts import services as accounts
from werklab.extensions import db


def text(response) -> str:
    return response.get_data(as_text=True)


def sign_in(client, email: str) -> None:
    """Ask for a sign-in link, read it from the queued mail, open it and confirm."""
    page = text(client.get("/inloggen"))
    client.post("/inloggen/link", data={"csrf_token": csrf_from(page), "email": email})
    mail = [m for m in outbox("accounts.login_link") if m.to_addr == email.lower()][-1]
    path = re.search(r"http://werklab\.test(/inloggen/link/\S+)", mail.body_text).group(1)
    confirm = text(client.get(path))
    response = client.post(path, data={"csrf_token": csrf_from(confirm)})
    assert response.status_code == 302, "signing in with the link failed"


def token_of(client) -> str:
    """A CSRF token of this client's session."""
    return csrf_from(text(client.get("/account")))


@pytest.fixture
def user_of():
    """The account of an e-mail address (made when the person first asked for a link)."""

    def find(email: str):
        user = accounts.find_user(email)
        assert user is not None
        return user

    return find


@pytest.fixture
def commit():
    return db.session.commit
