"""The processing register page: every declared item, in Dutch and in English, for
coordinators; linked from the management start page and the privacy statement."""

from __future__ import annotations

import re
from html import unescape

import pytest
from flask_babel import force_locale

from tests.access.test_matrix import client_for
from tests.workspace.helpers import staff
from werklab.extensions import db
from werklab.privacy import register

URL = "/beheer/verwerkingsregister"


def page_text(response) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))).split())


@pytest.fixture
def coordinator():
    user = staff("cora@example.nl", "Cora", coordinator=True, trainer=False, password=False)
    db.session.commit()
    return user


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_register_shows_every_declared_item(app, coordinator, lang):
    client = client_for(app, coordinator)
    with client.session_transaction() as session:
        session["lang"] = lang
    response = client.get(URL)
    assert response.status_code == 200
    page = page_text(response)
    with app.test_request_context(), force_locale(lang):
        for item in register.ITEMS:
            for answer in (
                item.what,
                item.purpose,
                item.subjects,
                register.BASIS_LABELS[item.basis],
                register.rule_text(item.rule, 12),
                register.STEP_LABELS[item.step],
                *(register.RECIPIENT_LABELS[r] for r in item.recipients),
            ):
                assert " ".join(str(answer).split()) in page, (item.key, str(answer))
            assert ", ".join(item.columns) in page
    if lang == "nl":
        assert "Verwerkingsregister" in page
        assert "12 maanden na de laatste bijeenkomst van het traject" in page
        assert "Wettelijke verplichting (AVG artikel 6 lid 1 sub c)" in page
        assert "Stripe (online betalingen)" in page
    else:
        assert "Processing register" in page
        assert "12 months after the programme's last session" in page


def test_the_register_follows_the_retention_setting(app, coordinator, monkeypatch):
    monkeypatch.setitem(app.config, "RETENTION_MONTHS", 18)
    page = page_text(client_for(app, coordinator).get(URL))
    assert "18 maanden na de laatste bijeenkomst van het traject" in page
    assert "12 maanden" not in page


def test_linked_from_management_and_for_coordinators_from_the_privacy_statement(
    app, coordinator, client
):
    admin = client_for(app, coordinator)
    assert URL in admin.get("/beheer/").get_data(as_text=True)
    assert URL in admin.get("/privacy").get_data(as_text=True)
    statement = client.get("/privacy").get_data(as_text=True)
    assert URL not in statement
    assert "12 maanden na de laatste bijeenkomst van het traject" in page_text(
        client.get("/privacy")
    )
