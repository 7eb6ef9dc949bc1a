"""Shared by the workspace and attendance tests: staff accounts and signing in."""

from __future__ import annotations

from tests.conftest import csrf_from
from werklab.accounts import services as accounts
from werklab.accounts.models import User
from werklab.extensions import db

PASSWORD = "lang-genoeg-wachtwoord"


def text(response) -> str:
    return response.get_data(as_text=True)


def staff(
    email: str,
    name: str,
    *,
    coordinator: bool = False,
    trainer: bool = True,
    password: bool = True,
) -> User:
    """A user; `password=False` skips the (slow, scrypt) password for tests that never sign
    in through the form."""
    user = accounts.create_user(
        email,
        name,
        password=PASSWORD if password else None,
        coordinator=coordinator,
        trainer=trainer,
        actor="test",
    )
    db.session.flush()
    return user


def sign_in(client, user: User) -> None:
    """Sign in through the real password form."""
    token = csrf_from(text(client.get("/inloggen")))
    response = client.post(
        "/inloggen", data={"csrf_token": token, "email": user.email, "password": PASSWORD}
    )
    assert response.status_code == 302, text(response)


def token_of(client, path: str) -> str:
    """The CSRF token on a page of the signed-in client."""
    return csrf_from(text(client.get(path)))
