"""A quote that can be accepted has lines and an amount, and shows the terms the
municipality agrees to (issue 11, item 3)."""

from __future__ import annotations

from datetime import date

import pytest

from tests.conftest import outbox
from tests.intake.conftest import LINES, NOW, acceptance, csrf, sign_in, text
from tests.invoicing.conftest import pdf_text
from werklab.errors import ValidationError
from werklab.extensions import db
from werklab.intake import services
from werklab.intake.models import QuoteStatus
from werklab.intake.services import QuoteData

VALID = date(2099, 12, 31)  # still open when the test runs


def draft(booking, lines):
    return services.save_quote(booking, QuoteData(lines, 2100, VALID), actor="test", now=NOW)


def test_a_quote_of_zero_euros_cannot_be_sent(client, booking):
    # The coordinator saves the usual lines without filling in the amounts.
    quote = draft(booking, services.default_quote_lines())
    db.session.commit()
    assert quote.total_incl_cents == 0
    sign_in(client, "cora@example.nl")
    detail = f"/beheer/aanvragen/{booking.id}"
    response = client.post(
        f"{detail}/offerte/versturen",
        data={"csrf_token": csrf(client, detail)},
        follow_redirects=True,
    )
    assert "Deze offerte komt op €0" in text(response)
    db.session.refresh(quote)
    assert quote.status is QuoteStatus.DRAFT and quote.sent_at is None
    assert outbox("intake.quote") == []


def test_a_quote_without_lines_cannot_be_sent(booking):
    quote = draft(booking, LINES)
    quote.lines.clear()
    db.session.flush()
    with pytest.raises(ValidationError, match="geen regels"):
        services.send_quote(quote, actor="test", now=NOW)
    assert quote.status is QuoteStatus.DRAFT


def test_an_amount_without_a_description_is_not_dropped(booking):
    with pytest.raises(ValidationError, match="omschrijving"):
        draft(booking, [("Intake", 120000), ("", 450000)])


def test_a_zero_quote_sent_before_the_rule_is_not_accepted(booking):
    quote = draft(booking, LINES)
    services.send_quote(quote, actor="test", now=NOW)
    for line in quote.lines:
        line.amount_cents = 0
    db.session.flush()
    with pytest.raises(ValidationError, match="€0"):
        services.accept_quote(quote, acceptance(), now=NOW)
    assert quote.status is QuoteStatus.SENT


def test_the_terms_are_shown_in_the_page_and_the_pdf_and_kept_with_the_quote(
    app, client, booking, monkeypatch
):
    sent_quote = draft(booking, LINES)
    services.send_quote(sent_quote, actor="test", now=NOW)
    db.session.commit()
    terms = app.config["QUOTE_TERMS"]
    assert sent_quote.terms == terms.strip()
    token = services.quote_token(sent_quote)
    page = text(client.get(f"/offerte/{token}"))
    assert "Voorwaarden" in page
    assert "Tot vier weken voor de eerste bijeenkomst kan de gemeente kosteloos annuleren" in page
    assert "voorwaarden van deze offerte hierboven" in page  # the box they tick
    # Changing the setting later does not change what was offered.
    monkeypatch.setitem(app.config, "QUOTE_TERMS", "Alles gratis.")
    page = text(client.get(f"/offerte/{token}"))
    assert "Alles gratis." not in page and "kosteloos annuleren" in page
    pdf = pdf_text(services.quote_pdf(sent_quote))
    assert "Voorwaarden" in pdf and "kosteloos annuleren" in " ".join(pdf.split())


def test_the_terms_are_configurable(app, booking, monkeypatch):
    monkeypatch.setitem(app.config, "QUOTE_TERMS", "Betaling binnen 14 dagen.\n\nGeen annulering.")
    quote = draft(booking, LINES)
    services.send_quote(quote, actor="test", now=NOW)
    assert quote.terms == "Betaling binnen 14 dagen.\n\nGeen annulering."
    pdf = pdf_text(services.quote_pdf(quote))
    assert "Betaling binnen 14 dagen." in pdf and "Geen annulering." in pdf
