"""The werklab request form is found from the home page and from the empty "Werklab"
filter (issue 11, item 12)."""

from __future__ import annotations

from werklab.extensions import db


def text(response) -> str:
    return response.get_data(as_text=True)


def test_the_home_page_links_to_the_werklab_request(client, factories):
    factories.programme()
    db.session.commit()
    page = text(client.get("/"))
    assert 'href="/werklab-aanvragen"' in page
    assert "Voor gemeenten: een werklab op maat" in page


def test_the_empty_werklab_filter_explains_and_links(client, factories):
    factories.invitation_programme()  # werklabs are invitation-only: never listed
    db.session.commit()
    page = text(client.get("/?soort=werklab"))
    assert "Een werklab is maatwerk voor één gemeente" in page
    assert page.count('href="/werklab-aanvragen"') == 2  # in the message and the callout
    assert "geen trajecten open voor inschrijving" not in page
