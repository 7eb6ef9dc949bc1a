"""Invoices for tests: billing details, an invoiced registration, signed-in people."""

from __future__ import annotations

import subprocess
import tempfile
from datetime import datetime
from pathlib import Path

import pytest

from tests.conftest import csrf_from
from werklab.accounts import services as accounts
from werklab.extensions import db
from werklab.invoicing import services
from werklab.registration.signup import BillingDetails

PASSWORD = "lang-genoeg-wachtwoord"
#: A fixed moment (UTC): Monday 2 March 2026, 10:00 in Amsterdam.
NOW = datetime(2026, 3, 2, 9, 0)

BILLING = BillingDetails(
    organisation="Gemeente Arnhem",
    address="Afdeling Financiën\nPostbus 9200\n6800 HA Arnhem",
    email="crediteuren@arnhem.example",
    reference="PO-4500123",
    vat_number="NL112233442B01",
)


def text(response) -> str:
    return response.get_data(as_text=True)


def pdf_text(data: bytes) -> str:
    """The PDF's text in layout order (a table row stays one line), whitespace collapsed."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "document.pdf"
        path.write_bytes(data)
        out = subprocess.run(
            ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout
    return " ".join(out.split())


def pdf_info(data: bytes) -> dict[str, str]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "document.pdf"
        path.write_bytes(data)
        out = subprocess.run(
            ["pdfinfo", str(path)], capture_output=True, text=True, check=True
        ).stdout
    return {k.strip(): v.strip() for k, v in (line.split(":", 1) for line in out.splitlines())}


@pytest.fixture
def invoiced(factories):
    """invoiced(programme, now=..., billing=..., **person) -> (registration, invoice)."""

    def make(programme, *, now: datetime = NOW, billing: BillingDetails = BILLING, **person):
        registration = factories.registration(programme, now=now, **person)
        services.save_billing(registration, billing, now=now)
        invoice = services.invoice_registration(registration, now=now)
        db.session.flush()
        return registration, invoice

    return make


@pytest.fixture
def cop(factories):
    """An open CoP with a fee of EUR 750 and 21% VAT, open for registration at NOW."""
    return factories.programme(now=NOW, title="CoP Gelderland", fee_cents=75000)


def sign_in(client, email: str) -> None:
    token = csrf_from(text(client.get("/inloggen")))
    response = client.post(
        "/inloggen", data={"csrf_token": token, "email": email, "password": PASSWORD}
    )
    assert response.status_code == 302, "sign-in failed"


def post(client, url: str, data: dict | None = None, **kw):
    token = csrf_from(text(client.get("/account")))
    return client.post(url, data={**(data or {}), "csrf_token": token}, **kw)


@pytest.fixture
def coordinator():
    user = accounts.create_user(
        "cora@example.nl", "Cora Coördinator", password=PASSWORD, coordinator=True, actor="test"
    )
    db.session.commit()
    return user


@pytest.fixture
def admin(client, coordinator):
    """A client in which a coordinator is signed in."""
    sign_in(client, coordinator.email)
    return client


@pytest.fixture
def trainer_client(client):
    user = accounts.create_user(
        "tim@example.nl", "Tim Trainer", password=PASSWORD, trainer=True, actor="test"
    )
    db.session.commit()
    sign_in(client, user.email)
    return client
