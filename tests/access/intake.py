"""Werklab booking (issue 5): the intake form, the coordinator's pipeline, the quote link,
the municipality's dashboard. Participant A is the municipality contact of the booked one."""

from __future__ import annotations

from datetime import timedelta

from tests.access import LOGIN, Case, everyone, only
from werklab.db import utcnow
from werklab.extensions import db
from werklab.intake import services
from werklab.intake.services import Acceptance, IntakeData, QuoteData
from werklab.invoicing.documents import local_date


def _request(municipality: str, email: str):
    return services.submit_request(
        IntakeData(
            municipality=municipality,
            contact_name="Contact",
            contact_role="Adviseur",
            contact_email=email,
            contact_phone="010 123 4567",
            expected_participants=12,
            policy_areas=["social"],
            question="Samenwerken met initiatieven",
        )
    )


def _quote(booking, *, send: bool):
    quote = services.save_quote(
        booking,
        QuoteData([("Drie bijeenkomsten", 450000)], 2100, local_date(utcnow()) + timedelta(30)),
        actor="test",
    )
    if send:
        services.send_quote(quote, actor="test")
    return quote


def intake(w):
    """The booking requests of the world, made once per world: a new one with a draft quote,
    one with a sent quote, and one accepted by participant A's address."""
    if not hasattr(w, "intake_objects"):
        draft = _request("Delft", "delft@example.nl")
        _quote(draft, send=False)
        sent = _request("Gouda", "gouda@example.nl")
        sent_quote = _quote(sent, send=True)
        booked = _request("Leiden", "a@example.nl")
        booked_quote = _quote(booked, send=True)
        services.accept_quote(
            booked_quote,
            Acceptance("Anna A", "Adviseur", "PO-1", "Postbus 1\n2300 AA Leiden", agree_terms=True),
        )
        db.session.commit()
        w.intake_objects = {
            "draft": draft.id,
            "sent": sent.id,
            "token": services.quote_token(sent_quote),
            "booked": booked.id,
        }
    return w.intake_objects


COORDINATOR = only({"coordinator": 200})
CONTACT = only({"participant_a": 200, "coordinator": 200})

CASES = [
    Case("intake.request_form", lambda w: "/werklab-aanvragen", everyone(200)),
    Case("intake.request_sent", lambda w: "/werklab-aanvragen/verstuurd", everyone(200)),
    Case("intake.requests", lambda w: "/beheer/aanvragen", COORDINATOR),
    Case(
        "intake.request_detail",
        lambda w: f"/beheer/aanvragen/{intake(w)['sent']}",
        COORDINATOR,
    ),
    Case(
        "intake.quote_builder",
        lambda w: f"/beheer/aanvragen/{intake(w)['draft']}/offerte",
        COORDINATOR,
    ),
    Case(
        "intake.quote_pdf",
        lambda w: f"/beheer/aanvragen/{intake(w)['sent']}/offerte.pdf",
        COORDINATOR,
    ),
    Case(
        "intake.send_quote",
        lambda w: f"/beheer/aanvragen/{intake(w)['draft']}/offerte/versturen",
        only({"coordinator": 302}),
        method="POST",
        writes=("coordinator",),
    ),
    # The signed link is the key: whoever holds it may see and answer the quote.
    Case("intake.quote", lambda w: f"/offerte/{intake(w)['token']}", everyone(200)),
    Case("intake.quote", lambda w: "/offerte/verzonnen", everyone(404), note="tampered"),
    Case("intake.quote_download", lambda w: f"/offerte/{intake(w)['token']}/pdf", everyone(200)),
    Case(
        "intake.accept",
        lambda w: f"/offerte/{intake(w)['token']}x/accepteren",
        everyone(404),
        method="POST",
        note="tampered",
    ),
    Case(
        "intake.decline",
        lambda w: f"/offerte/{intake(w)['token']}x/afwijzen",
        everyone(404),
        method="POST",
        data=lambda w: {"reason": "Geen budget"},
        note="tampered",
    ),
    Case(
        "intake.my_werklabs",
        lambda w: intake(w) and "/gemeente",
        {**everyone(200), "anonymous": LOGIN, "participant_a": 302},
    ),
    Case("intake.dashboard", lambda w: f"/gemeente/{intake(w)['booked']}", CONTACT),
    Case(
        "intake.dashboard",
        lambda w: f"/gemeente/{intake(w)['booked']}",
        only({"participant_a": 302, "coordinator": 302}),
        method="POST",
        data=lambda w: {"domains": "leiden.nl"},
        writes=("participant_a", "coordinator"),
        note="set the e-mail domains",
    ),
]
