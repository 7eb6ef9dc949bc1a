"""Sessions that survive a new address; ProxyFix from TRUSTED_PROXIES; HSTS in production
(issue 11, items 22, 24 and 25)."""

from __future__ import annotations

import logging

import pytest
from werkzeug.middleware.proxy_fix import ProxyFix

import werklab
from tests.accounts.test_sign_in import (
    PASSWORD,
    hold_the_clock,
    password_login,
    signed_in,
    text,
    trainer,  # noqa: F401  (fixture)
)
from tests.conftest import csrf_from
from werklab import create_app, ratelimit

PHONE_ON_WIFI = {"REMOTE_ADDR": "192.0.2.10", "HTTP_USER_AGENT": "Telefoon"}
PHONE_ON_MOBILE_DATA = {"REMOTE_ADDR": "198.51.100.77", "HTTP_USER_AGENT": "Telefoon"}
LAPTOP = {"REMOTE_ADDR": "203.0.113.5", "HTTP_USER_AGENT": "Laptop"}


# --- item 25: a session is not bound to the client's address -------------------------------


def test_a_session_survives_a_changed_address_and_still_ends_at_sign_out_elsewhere(app, trainer):  # noqa: F811
    phone, laptop = app.test_client(), app.test_client()
    assert password_login(phone, "trainer@example.nl", PASSWORD, environ_base=PHONE_ON_WIFI)
    assert phone.get("/account", environ_base=PHONE_ON_WIFI).status_code == 200
    # Wi-Fi to mobile data: another address, same session.
    page = phone.get("/account", environ_base=PHONE_ON_MOBILE_DATA)
    assert page.status_code == 200
    assert "Tineke Trainer" in text(page)

    # Signing out on the laptop ends the phone's session too (the session epoch).
    password_login(laptop, "trainer@example.nl", PASSWORD, environ_base=LAPTOP)
    token = csrf_from(text(laptop.get("/account", environ_base=LAPTOP)))
    laptop.post("/uitloggen", data={"csrf_token": token}, environ_base=LAPTOP)
    response = phone.get("/account", environ_base=PHONE_ON_MOBILE_DATA)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/inloggen")


def test_sign_in_starts_a_new_session_cookie(client, trainer):  # noqa: F811
    client.get("/inloggen")
    before = client.get_cookie("session").value
    password_login(client, "trainer@example.nl", PASSWORD)
    assert client.get_cookie("session").value != before
    assert signed_in(client)


# --- item 24: ProxyFix only when configured -------------------------------------------------


@pytest.fixture
def production_limits(app, monkeypatch):
    from config import Config

    for name in ("LOGIN_LIMIT_ADDRESS", "LOGIN_LIMIT_ACCOUNT"):
        monkeypatch.setitem(app.config, name, getattr(Config, name))
    hold_the_clock(monkeypatch)
    ratelimit.reset()
    yield
    ratelimit.reset()


@pytest.fixture
def behind_one_proxy(app, monkeypatch):
    """The app as configured with TRUSTED_PROXIES=1 (create_app's own set-up)."""
    monkeypatch.setattr(app, "wsgi_app", app.wsgi_app)  # restored afterwards
    monkeypatch.setitem(app.config, "TRUSTED_PROXIES", 1)
    werklab._trust_proxies(app)


def from_proxy(client_address: str) -> dict:
    """A request as the reverse proxy on 127.0.0.1 passes it on."""
    return {
        "environ_base": {"REMOTE_ADDR": "127.0.0.1"},
        "headers": {
            "X-Forwarded-For": client_address,
            "X-Forwarded-Proto": "https",
            # Over HTTPS, Flask-WTF also checks that a form comes from this site.
            "Referer": "https://localhost/inloggen",
        },
    }


def test_behind_a_proxy_the_address_limit_is_per_client(
    client,
    trainer,  # noqa: F811
    production_limits,
    behind_one_proxy,
    caplog,
):
    assert isinstance(client.application.wsgi_app, ProxyFix)
    for i in range(20):
        response = password_login(
            client, f"iemand{i}@example.nl", "fout", **from_proxy("192.0.2.66")
        )
        assert response.status_code == 400
    with caplog.at_level(logging.WARNING, logger="werklab.ratelimit"):
        refused = password_login(client, "trainer@example.nl", PASSWORD, **from_proxy("192.0.2.66"))
    assert refused.status_code == 429
    # The log names the client, not the proxy.
    assert "192.0.2.66" in caplog.text
    assert "127.0.0.1" not in caplog.text
    # Everyone else behind the same proxy still signs in.
    other = password_login(client, "trainer@example.nl", PASSWORD, **from_proxy("198.51.100.9"))
    assert other.status_code == 302


def test_without_trusted_proxies_forwarded_headers_are_ignored(
    client,
    trainer,  # noqa: F811
    production_limits,
):
    """Off by default: a client cannot escape the address limit by inventing addresses."""
    assert not isinstance(client.application.wsgi_app, ProxyFix)
    for i in range(20):
        response = password_login(
            client, f"iemand{i}@example.nl", "fout", **from_proxy(f"192.0.2.{i + 1}")
        )
        assert response.status_code == 400
    response = password_login(client, "trainer@example.nl", PASSWORD, **from_proxy("192.0.2.99"))
    assert response.status_code == 429


def test_forwarded_address_and_scheme_are_trusted_from_the_configured_proxies(
    app, behind_one_proxy
):
    proxy_fix = app.wsgi_app
    assert isinstance(proxy_fix, ProxyFix)
    assert (proxy_fix.x_for, proxy_fix.x_proto, proxy_fix.x_host) == (1, 1, 0)


# --- item 22: Strict-Transport-Security in production ---------------------------------------

SECRET = "a-production-secret-key-of-enough-length"


@pytest.mark.parametrize(
    ("config", "overrides", "expected"),
    [
        ("production", {}, "max-age=31536000"),
        ("production", {"HSTS_MAX_AGE": 600}, "max-age=600"),
        ("production", {"HSTS_MAX_AGE": 0}, None),
        ("development", {}, None),
        ("testing", {}, None),
    ],
)
def test_strict_transport_security(app, config, overrides, expected):
    other = create_app(
        config,
        SECRET_KEY=SECRET,
        SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
        **overrides,
    )
    response = other.test_client().get("/privacy", base_url="https://werklab.test")
    assert response.status_code == 200
    assert response.headers.get("Strict-Transport-Security") == expected


def test_production_refuses_per_process_rate_limits(app):
    with pytest.raises(RuntimeError, match="per process"):
        create_app(
            "production",
            SECRET_KEY=SECRET,
            SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
            RATELIMIT_STORAGE_URI="memory://",
        )
