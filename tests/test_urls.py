"""The layout's fixed links: url_for's answer, worked out once per app and script root."""

from __future__ import annotations

import pytest
from flask import url_for

from werklab.urls import fixed_url

LINKS = [
    ("static", {"filename": "css/werklab.css"}),
    ("static", {"filename": "img/favicon.svg"}),
    ("catalog.favicon", {}),
    ("catalog.index", {}),
    ("accounts.login", {}),
    ("catalog.privacy", {}),
]


@pytest.mark.parametrize("script_root", ["", "/werklab", "/een/andere/plek"])
def test_a_fixed_link_is_url_fors_for_the_path_the_site_is_served_under(app, script_root):
    for root in ("", script_root, ""):  # the answer for one root is not given for another
        with app.test_request_context("/", base_url=f"http://localhost{root}/"):
            for endpoint, values in LINKS:
                assert fixed_url(endpoint, **values) == url_for(endpoint, **values)
                assert fixed_url(endpoint, **values).startswith(root + "/")


def test_the_layout_links_to_its_stylesheet_and_pages(client):
    page = client.get("/").get_data(as_text=True)
    assert 'href="/static/css/werklab.css"' in page
    assert 'href="/inloggen"' in page and 'class="brand" href="/"' in page
