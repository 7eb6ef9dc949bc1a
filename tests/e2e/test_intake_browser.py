"""A municipality asks for a werklab in a real browser; later the contact accepts the quote
from the link in the captured mail (the outbox row)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from werklab.db import utcnow
from werklab.extensions import db
from werklab.intake import services
from werklab.intake.models import BookingRequest, QuoteStatus, RequestStatus
from werklab.intake.services import QuoteData
from werklab.invoicing.documents import local_date
from werklab.mail import OutboxMail

pytestmark = pytest.mark.e2e


def test_intake_then_accept_the_quote_from_the_mail(page: Page, live_server):
    page.goto("/werklab-aanvragen")
    expect(page.get_by_role("heading", level=1)).to_contain_text(re.compile("werklab", re.I))
    page.fill("#municipality", "Gemeente Deventer")
    page.fill("#contact_name", "Sanne Jansen")
    page.fill("#contact_role", "Kwartiermaker participatie")
    page.fill("#contact_email", "s.jansen@deventer.example")
    page.fill("#contact_phone", "0570 693 911")
    page.fill("#expected_participants", "13")
    page.check("input[name=policy_areas][value=participation]")
    page.check("input[name=policy_areas][value=spatial]")
    page.fill("#question", "Hoe gaan we om met het recht om uit te dagen?")
    page.fill("#known_initiatives", "Buurtkracht Keizerslanden")
    page.fill("#preferred_period", "Najaar")
    page.get_by_role("button", name=re.compile("Aanvraag versturen|Send request")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(re.compile("Bedankt|Thank you"))

    # The coordinator sends the quote (in the pipeline; here through the service).
    with live_server.app_context():
        booking = db.session.execute(
            select(BookingRequest).where(BookingRequest.municipality == "Gemeente Deventer")
        ).scalar_one()
        assert booking.policy_areas == ["spatial", "participation"]
        quote = services.save_quote(
            booking,
            QuoteData(
                [("Intake en voorbereiding", 100000), ("Drie bijeenkomsten", 400000)],
                2100,
                local_date(utcnow()) + timedelta(days=30),
            ),
            actor="test",
        )
        services.send_quote(quote, actor="test")
        db.session.commit()
        mail = db.session.execute(
            select(OutboxMail).where(
                OutboxMail.kind == "intake.quote", OutboxMail.to_addr == "s.jansen@deventer.example"
            )
        ).scalar_one()
        link = re.search(r"(http://127\.0\.0\.1:\d+/offerte/\S+)", mail.body_text).group(1)
        booking_id = booking.id

    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Gemeente Deventer")
    expect(page.locator(".quote-lines")).to_contain_text("Drie bijeenkomsten")
    page.fill("#name", "Sanne Jansen")
    page.fill("#role", "Kwartiermaker")
    page.fill("#purchase_reference", "INK-2026-77")
    page.fill("#billing_street", "Postbus 5000")
    page.fill("#billing_postcode", "7400 GC")
    page.fill("#billing_city", "Deventer")
    page.fill("#legal_id", "00000001001234567000")
    page.check("#agree_terms")
    page.get_by_role("button", name=re.compile("Offerte accepteren|Accept the quote")).click()
    expect(page.locator(".flash-success")).to_contain_text(re.compile("geboekt|booked"))

    with live_server.app_context():
        booking = db.session.get(BookingRequest, booking_id)
        assert booking.status is RequestStatus.ACCEPTED
        assert booking.quote.status is QuoteStatus.ACCEPTED
        assert booking.quote.purchase_reference == "INK-2026-77"
        assert len(booking.programme.sessions) == 3
