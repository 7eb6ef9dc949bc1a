"""The overview in figures on a 390 px phone, in Chromium: the page does not scroll
sideways, every chart is drawn inside its own box (no label cut off at the edge), and
nothing is fetched from another host."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from tests.overview.conftest import build_known
from werklab.accounts import services as accounts
from werklab.db import utcnow
from werklab.extensions import db

pytestmark = pytest.mark.e2e

PASSWORD = "lang-genoeg-wachtwoord"
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def coordinator_email(live_server) -> str:
    with live_server.app_context():
        from tests.factories import Factories

        cora = accounts.create_user(
            "cora.overzicht@example.nl",
            "Cora Coördinator",
            password=PASSWORD,
            coordinator=True,
            actor="test",
        )
        db.session.commit()
        build_known(Factories(), cora, utcnow().replace(microsecond=0))
        return cora.email


def test_overview_fits_a_phone_and_draws_its_charts(page: Page, live_server, coordinator_email):
    requested = []
    page.on("request", lambda r: requested.append(r.url))
    page.set_viewport_size(PHONE)
    page.goto("/inloggen")
    form = page.locator("form[action='/inloggen']")
    form.locator("input[name=email]").fill(coordinator_email)
    form.locator("input[name=password]").fill(PASSWORD)
    form.get_by_role("button").click()
    page.wait_for_url("**/account")
    response = page.goto("/beheer/overzicht")
    assert response is not None and response.status == 200
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1
    charts = page.locator("svg.chart")
    assert charts.count() >= 5
    for i in range(charts.count()):
        chart = charts.nth(i)
        box = chart.bounding_box()
        assert box is not None and box["height"] > 40 and box["x"] + box["width"] <= 390
        assert chart.get_attribute("role") == "img"
        # Every label and figure inside the chart's own box: none cut off.
        outside = chart.evaluate(
            """svg => { const b = svg.getBoundingClientRect();
                return [...svg.querySelectorAll('text')]
                  .filter(t => { const r = t.getBoundingClientRect();
                    return r.right > b.right + 1 || r.left < b.left - 1; })
                  .map(t => t.textContent); }"""
        )
        assert outside == [], (chart.get_attribute("aria-labelledby"), outside)
    # The tables behind "Als tabel" open and hold the same figures.
    page.get_by_text("Als tabel").first.click()
    assert page.locator("details[open] table").first.is_visible()
    assert all(url.startswith(live_server.url) for url in requested), requested
