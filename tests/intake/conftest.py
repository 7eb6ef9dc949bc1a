"""Intake tests: a booking request, a sent quote, signed-in coordinator and contact."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from tests.conftest import csrf_from
from werklab.accounts import services as accounts
from werklab.extensions import db
from werklab.intake import services
from werklab.intake.services import Acceptance, IntakeData, QuoteData

PASSWORD = "lang-genoeg-wachtwoord"
#: Monday 2 March 2026, 10:00 in Amsterdam.
NOW = datetime(2026, 3, 2, 9, 0)
LINES = [
    ("Intake en voorbereiding", 120000),
    ("Drie bijeenkomsten met twee begeleiders", 450000),
    ("Reiskosten", 15050),
]


def text(response) -> str:
    return response.get_data(as_text=True)


def intake_data(**kw) -> IntakeData:
    values = dict(
        municipality="Arnhem",
        contact_name="Fatima el Amrani",
        contact_role="Programmamanager participatie",
        contact_email="f.elamrani@arnhem.nl",
        contact_phone="026 377 1234",
        expected_participants=14,
        policy_areas=["social", "participation"],
        question="Wij willen beter samenwerken met bewonersinitiatieven.",
        current_practice="Subsidies via het wijkbudget.",
        known_initiatives="Buurtmoestuin Presikhaaf",
        preferred_period="Najaar 2026",
        practical_wishes="Liefst op dinsdagmiddag.",
    )
    values.update(kw)
    return IntakeData(**values)


def acceptance(**kw) -> Acceptance:
    values = dict(
        name="Fatima el Amrani",
        role="Programmamanager",
        purchase_reference="PO-4500999",
        billing_address="Postbus 9200\n6800 HA Arnhem",
        billing_email="crediteuren@arnhem.nl",
        agree_terms=True,
    )
    values.update(kw)
    return Acceptance(**values)


@pytest.fixture
def coordinator():
    user = accounts.create_user(
        "cora@example.nl", "Cora Coördinator", password=PASSWORD, coordinator=True, actor="test"
    )
    db.session.flush()
    return user


@pytest.fixture
def booking(coordinator):
    return services.submit_request(intake_data(), now=NOW)


@pytest.fixture
def sent_quote(booking):
    quote = services.save_quote(
        booking, QuoteData(LINES, 2100, date(2026, 3, 31)), actor="test", now=NOW
    )
    services.send_quote(quote, actor="test", now=NOW)
    db.session.flush()
    return quote


def sign_in(client, email: str, password: str = PASSWORD) -> None:
    token = csrf_from(text(client.get("/inloggen")))
    response = client.post(
        "/inloggen", data={"csrf_token": token, "email": email, "password": password}
    )
    assert response.status_code == 302, "sign-in failed"


def csrf(client, url: str = "/werklab-aanvragen") -> str:
    return csrf_from(text(client.get(url)))
