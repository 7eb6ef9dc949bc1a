"""A new staff member's first sign-in link lasts days: the welcome mail may wait a weekend."""

from __future__ import annotations

import re
from datetime import timedelta

from tests.conftest import csrf_from, outbox
from tests.manage.conftest import post, text
from werklab.accounts import services as accounts
from werklab.db import utcnow


def test_the_welcome_link_still_works_three_days_later(app, admin):
    response = post(
        admin,
        "/beheer/gebruikers/nieuw",
        {"name": "Tim Trainer", "email": "tim@example.nl", "is_trainer": "y"},
    )
    assert response.status_code == 302
    [mail] = outbox("accounts.welcome")
    body = " ".join(mail.body_text.split())
    assert "Het werkt één keer, 7 dagen lang" in body
    token = re.search(r"/inloggen/link/(\S+)", mail.body_text).group(1)
    # Three days later (a long weekend) the link is still good; after a week it is not.
    user, next_path = accounts.use_login_link(token, now=utcnow() + timedelta(days=3))
    assert user.email == "tim@example.nl" and next_path == "/account/wachtwoord"


def test_a_welcome_link_ends_after_a_week_and_a_sign_in_link_after_half_an_hour(app, admin):
    post(
        admin,
        "/beheer/gebruikers/nieuw",
        {"name": "Tim Trainer", "email": "tim@example.nl", "is_trainer": "y"},
    )
    [welcome] = outbox("accounts.welcome")
    token = re.search(r"/inloggen/link/(\S+)", welcome.body_text).group(1)
    tim = app.test_client()
    page = text(tim.get(f"/inloggen/link/{token}"))
    assert csrf_from(page)
    try:
        accounts.use_login_link(token, now=utcnow() + timedelta(days=7, minutes=1))
    except accounts.InvalidLink:
        pass
    else:
        raise AssertionError("a welcome link must end after a week")
    # An ordinary sign-in link stays short-lived.
    accounts.send_login_link("tim@example.nl")
    [link] = outbox("accounts.login_link")
    token = re.search(r"/inloggen/link/(\S+)", link.body_text).group(1)
    try:
        accounts.use_login_link(token, now=utcnow() + timedelta(minutes=31))
    except accounts.InvalidLink:
        pass
    else:
        raise AssertionError("a sign-in link must end after 30 minutes")
