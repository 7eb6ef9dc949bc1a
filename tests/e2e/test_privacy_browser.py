"""The processing register in a browser: reached from Beheer, fits a phone, prints without
the site's navigation."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.test_phone_width import PASSWORD, PHONE, overflow, sign_in
from werklab.accounts import services as accounts
from werklab.extensions import db

pytestmark = pytest.mark.e2e


@pytest.fixture
def coordinator(live_server):
    with live_server.app_context():
        user = accounts.create_user(
            "cora.register@example.nl",
            "Cora Coördinator",
            password=PASSWORD,
            coordinator=True,
            actor="test",
        )
        db.session.commit()
        return user.email


def test_coordinator_opens_the_register_from_management_and_prints_it(page: Page, coordinator):
    sign_in(page, coordinator)
    page.goto("/beheer/")
    page.get_by_role("link", name="Verwerkingsregister").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Verwerkingsregister")
    expect(page.get_by_role("heading", name="Dieetwensen", exact=False)).to_be_visible()
    page.set_viewport_size(PHONE)
    assert overflow(page, "/beheer/verwerkingsregister") is None
    page.emulate_media(media="print")
    expect(page.locator("header.site")).to_be_hidden()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
