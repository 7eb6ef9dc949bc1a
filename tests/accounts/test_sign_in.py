"""Signing in and out: passwords, one-time links, ending sessions, safe `next`, rate limits."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.conftest import csrf_from, outbox
from werklab import ratelimit
from werklab.accounts import services
from werklab.accounts.models import LoginLink, User
from werklab.extensions import db

PASSWORD = "lang-genoeg-wachtwoord"


def text(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def trainer():
    user = services.create_user(
        "Trainer@Example.nl", "Tineke Trainer", password=PASSWORD, trainer=True, actor="test"
    )
    db.session.commit()
    return user


def login_page_token(client) -> str:
    return csrf_from(text(client.get("/inloggen")))


def password_login(client, email, password, next_=None, **kw):
    data = {"csrf_token": login_page_token(client), "email": email, "password": password}
    if next_ is not None:
        data["next"] = next_
    return client.post("/inloggen", data=data, **kw)


def signed_in(client) -> bool:
    return client.get("/account").status_code == 200


def test_password_sign_in_and_out(client, trainer):
    assert not signed_in(client)
    response = password_login(client, "trainer@example.nl", PASSWORD)
    assert response.status_code == 302
    assert response.headers["Location"] == "/account"
    page = text(client.get("/account"))
    assert "Tineke Trainer" in page
    token = csrf_from(page)
    client.post("/uitloggen", data={"csrf_token": token})
    assert not signed_in(client)


@pytest.mark.parametrize(
    ("email", "password"),
    [
        ("trainer@example.nl", "verkeerd-wachtwoord"),
        ("niemand@example.nl", PASSWORD),
    ],
)
def test_wrong_password_and_unknown_address_get_the_same_answer(client, trainer, email, password):
    response = password_login(client, email, password)
    assert response.status_code == 400
    assert "Dit e-mailadres en wachtwoord horen niet bij elkaar." in text(response)
    assert not signed_in(client)


def test_sign_in_renews_the_session(client, trainer):
    with client.session_transaction() as session:
        session["left_over"] = "from before"
    password_login(client, "trainer@example.nl", PASSWORD)
    with client.session_transaction() as session:
        assert "left_over" not in session


def test_replayed_cookie_after_sign_out_is_refused(client, trainer):
    password_login(client, "trainer@example.nl", PASSWORD)
    old_cookie = client.get_cookie("session").value
    client.post("/uitloggen", data={"csrf_token": csrf_from(text(client.get("/account")))})
    assert not signed_in(client)
    client.set_cookie("session", old_cookie)
    response = client.get("/account")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/inloggen")


def test_password_change_ends_every_other_session(app, trainer):
    laptop, phone = app.test_client(), app.test_client()
    password_login(laptop, "trainer@example.nl", PASSWORD)
    password_login(phone, "trainer@example.nl", PASSWORD)
    page = text(laptop.get("/account/wachtwoord"))
    response = laptop.post(
        "/account/wachtwoord",
        data={
            "csrf_token": csrf_from(page),
            "current": PASSWORD,
            "new": "een-heel-nieuw-wachtwoord",
            "repeat": "een-heel-nieuw-wachtwoord",
        },
    )
    assert response.status_code == 302
    assert signed_in(laptop)
    assert not signed_in(phone)
    assert services.authenticate("trainer@example.nl", "een-heel-nieuw-wachtwoord") is not None
    # The owner hears of it, so that a change they did not make does not go unnoticed.
    [mail] = outbox("user.password_changed")
    assert (mail.to_addr, mail.subject) == (
        "trainer@example.nl",
        "Je wachtwoord bij werklab is gewijzigd",
    )
    body = " ".join(mail.body_text.split())
    assert "Het wachtwoord van je account bij werklab is gewijzigd op " in body
    assert "Was jij dit niet? Vraag dan meteen een inloglink aan" in body
    assert body.endswith("http://werklab.test/inloggen")


def test_password_change_checks_current_and_length(client, trainer):
    password_login(client, "trainer@example.nl", PASSWORD)
    page = text(client.get("/account/wachtwoord"))
    response = client.post(
        "/account/wachtwoord",
        data={
            "csrf_token": csrf_from(page),
            "current": "fout",
            "new": "kort",
            "repeat": "kort",
        },
    )
    assert response.status_code == 400
    assert "minstens 12 tekens" in text(response)


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example",
        "/\\evil.example",
        "https:evil.example",
        "javascript:alert(1)",
        "https://evil.example/",
        "/%0d%0aevil",
    ],
)
def test_next_only_redirects_inside_the_site(client, trainer, target):
    response = password_login(client, "trainer@example.nl", PASSWORD, next_=target)
    location = response.headers["Location"]
    assert location.startswith("/") and not location.startswith("//")
    assert "evil" not in location or location.startswith("/%0d")


def test_next_inside_the_site_is_followed(client, trainer):
    response = password_login(client, "trainer@example.nl", PASSWORD, next_="/privacy")
    assert response.headers["Location"] == "/privacy"


# --- one-time links ------------------------------------------------------------------------


def request_link(client, email, **kw):
    return client.post(
        "/inloggen/link", data={"csrf_token": login_page_token(client), "email": email}, **kw
    )


def link_from_mail() -> str:
    mail = outbox("accounts.login_link")[-1]
    return re.search(r"http://werklab.test(/inloggen/link/\S+)", mail.body_text).group(1)


def test_a_forgotten_password_is_replaced_after_signing_in_with_a_link(client, trainer):
    login = text(client.get("/inloggen"))
    assert "Wachtwoord vergeten? Vraag een inloglink aan met je e-mailadres" in login
    request_link(client, "trainer@example.nl")
    path = link_from_mail()
    client.post(path, data={"csrf_token": csrf_from(text(client.get(path)))})
    assert signed_in(client)
    page = text(client.get("/account/wachtwoord"))
    assert "je huidige wachtwoord is niet nodig" in page
    assert 'name="current"' not in page
    new = "na-een-link-gekozen-wachtwoord"
    response = client.post(
        "/account/wachtwoord",
        data={"csrf_token": csrf_from(page), "new": new, "repeat": new},
    )
    assert response.status_code == 302
    assert services.authenticate("trainer@example.nl", new) is not None
    assert services.authenticate("trainer@example.nl", PASSWORD) is None
    assert len(outbox("user.password_changed")) == 1
    # The session that followed no longer counts as one started by a link.
    assert 'name="current"' in text(client.get("/account/wachtwoord"))


def test_a_link_sign_in_older_than_the_link_asks_for_the_password_again(client, trainer):
    request_link(client, "trainer@example.nl")
    path = link_from_mail()
    client.post(path, data={"csrf_token": csrf_from(text(client.get(path)))})
    with client.session_transaction() as state:
        state["link_sign_in_at"] -= 31 * 60
    refused_without_the_current_password(client)


def test_a_password_sign_in_needs_the_current_password_to_change_it(client, trainer):
    password_login(client, "trainer@example.nl", PASSWORD)
    refused_without_the_current_password(client)


def refused_without_the_current_password(client) -> None:
    """The password page asks for the current password, and a new one without it is refused:
    nothing changes and nothing is mailed."""
    page = text(client.get("/account/wachtwoord"))
    assert 'name="current"' in page
    response = client.post(
        "/account/wachtwoord",
        data={"csrf_token": csrf_from(page), "new": "x" * 14, "repeat": "x" * 14},
    )
    assert response.status_code == 400
    assert services.authenticate("trainer@example.nl", PASSWORD) is not None
    assert outbox("user.password_changed") == []


def test_participant_signs_in_with_a_link(client, factories, programme):
    factories.registration(programme, email="sanne@example.nl", first_name="Sanne")
    db.session.commit()
    response = request_link(client, "Sanne@example.nl")
    assert "Als Sanne@example.nl bij ons bekend is" in text(response)
    [mail] = outbox("accounts.login_link")
    assert mail.to_addr == "sanne@example.nl"
    assert mail.body_text.startswith("Beste Sanne de Vries,")
    path = link_from_mail()
    # Opening the link (a mail scanner might) does not spend it.
    page = client.get(path)
    assert page.status_code == 200
    assert not signed_in(client)
    response = client.post(path, data={"csrf_token": csrf_from(text(page))})
    assert response.status_code == 302
    assert signed_in(client)
    user = db.session.execute(select(User).where(User.email == "sanne@example.nl")).scalar_one()
    assert not user.is_staff


def test_link_cannot_be_used_twice(app, client, factories, programme):
    factories.registration(programme, email="kees@example.nl")
    db.session.commit()
    request_link(client, "kees@example.nl")
    path = link_from_mail()
    client.post(path, data={"csrf_token": csrf_from(text(client.get(path)))})
    other = app.test_client()
    response = other.post(
        path, data={"csrf_token": csrf_from(text(other.get(path)))}, follow_redirects=True
    )
    assert "al gebruikt" in text(response)
    assert not signed_in(other)


def test_link_expires_after_30_minutes(client, factories, programme):
    factories.registration(programme, email="noor@example.nl")
    db.session.commit()
    request_link(client, "noor@example.nl")
    path = link_from_mail()
    link = db.session.execute(select(LoginLink)).scalar_one()
    assert link.expires_at - link.created_at == timedelta(minutes=30)
    link.created_at -= timedelta(minutes=31)
    link.expires_at -= timedelta(minutes=31)
    db.session.commit()
    response = client.post(
        path, data={"csrf_token": csrf_from(text(client.get(path)))}, follow_redirects=True
    )
    assert "verlopen" in text(response)
    assert not signed_in(client)


def test_unknown_address_gets_the_same_answer_and_no_mail(client, factories, programme):
    factories.registration(programme, email="bekend@example.nl")
    db.session.commit()
    known = text(request_link(client, "bekend@example.nl"))
    unknown = text(request_link(client, "onbekend@example.nl"))
    assert known.replace("bekend@example.nl", "X") == unknown.replace("onbekend@example.nl", "X")
    assert [m.to_addr for m in outbox("accounts.login_link")] == ["bekend@example.nl"]


def test_tampered_link_is_refused(client):
    response = client.post(
        "/inloggen/link/verzonnen",
        data={"csrf_token": login_page_token(client)},
        follow_redirects=True,
    )
    assert "verlopen of al gebruikt" in text(response)
    assert not signed_in(client)


def test_link_keeps_the_next_page(client, factories, programme):
    factories.registration(programme, email="eva@example.nl")
    db.session.commit()
    client.post(
        "/inloggen/link",
        data={
            "csrf_token": login_page_token(client),
            "email": "eva@example.nl",
            "next": "/privacy",
        },
    )
    path = link_from_mail()
    response = client.post(path, data={"csrf_token": csrf_from(text(client.get(path)))})
    assert response.headers["Location"] == "/privacy"


# --- rate limits ---------------------------------------------------------------------------


@pytest.fixture
def limits_on(app, monkeypatch):
    """The production limits (testing has generous ones), counted from zero."""
    from config import Config

    for name in (
        "LOGIN_LIMIT_ADDRESS",
        "LOGIN_LIMIT_ACCOUNT",
        "LOGIN_LINK_LIMIT_ADDRESS",
        "LOGIN_LINK_LIMIT_ACCOUNT",
    ):
        monkeypatch.setitem(app.config, name, getattr(Config, name))
    hold_the_clock(monkeypatch)
    ratelimit.reset()
    yield
    ratelimit.reset()


def hold_the_clock(monkeypatch) -> None:
    """The limits count in fixed 15-minute windows: a slow loop of attempts that crossed a
    window's end would start counting again and the test would fail for no fault. The clock
    of the counts stands still for the test."""
    now = ratelimit.clock()
    monkeypatch.setattr(ratelimit, "clock", lambda: now)


def test_failed_password_attempts_per_account_answer_429(client, trainer, limits_on):
    for i in range(5):
        response = password_login(
            client, "trainer@example.nl", "fout", environ_base={"REMOTE_ADDR": f"127.0.0.{i + 2}"}
        )
        assert response.status_code == 400
    response = password_login(
        client, "trainer@example.nl", PASSWORD, environ_base={"REMOTE_ADDR": "127.0.0.9"}
    )
    assert response.status_code == 429
    assert "Te veel pogingen" in text(response)
    assert 0 < int(response.headers["Retry-After"]) <= 15 * 60


def test_failed_password_attempts_per_address_answer_429(client, trainer, limits_on):
    for i in range(20):
        response = password_login(
            client, f"iemand{i}@example.nl", "fout", environ_base={"REMOTE_ADDR": "127.0.0.5"}
        )
        assert response.status_code == 400
    response = password_login(
        client, "trainer@example.nl", PASSWORD, environ_base={"REMOTE_ADDR": "127.0.0.5"}
    )
    assert response.status_code == 429


def test_successful_sign_ins_do_not_count(client, trainer, limits_on):
    for _ in range(8):
        assert password_login(client, "trainer@example.nl", PASSWORD).status_code == 302
        client.post("/uitloggen", data={"csrf_token": csrf_from(text(client.get("/account")))})


def test_link_requests_per_account_answer_429_and_send_nothing_more(client, trainer, limits_on):
    for i in range(3):
        response = request_link(
            client, "trainer@example.nl", environ_base={"REMOTE_ADDR": f"127.0.0.{i + 2}"}
        )
        assert response.status_code == 200
    assert len(outbox("accounts.login_link")) == 3
    response = request_link(client, "trainer@example.nl", environ_base={"REMOTE_ADDR": "127.0.0.9"})
    assert response.status_code == 429
    assert "Te veel pogingen" in text(response)
    assert len(outbox("accounts.login_link")) == 3
    # another account from the same address may still ask
    assert request_link(client, "ander@example.nl").status_code == 200


def test_create_admin_command(app):
    result = app.test_cli_runner().invoke(
        args=[
            "werklab",
            "create-admin",
            "--email",
            "Coordinator@Example.nl",
            "--name",
            "Cora",
            "--password",
            PASSWORD,
        ]
    )
    assert result.exit_code == 0, result.output
    user = services.find_user("coordinator@example.nl")
    assert user.is_coordinator
    assert services.authenticate("coordinator@example.nl", PASSWORD) is user
    short = app.test_cli_runner().invoke(
        args=[
            "werklab",
            "create-admin",
            "--email",
            "x@example.nl",
            "--name",
            "X",
            "--password",
            "kort",
        ]
    )
    assert short.exit_code != 0
    assert "12 tekens" in short.output
