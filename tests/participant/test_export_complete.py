"""gegevens.json holds everything stored about the person (issue 11, item 23): certificates,
billing details and invoices, online payments, homework groups with the hand-ins and their
files, intake requests and the mails in full; never another person's hand-ins or mails."""

from __future__ import annotations

import base64
import json
from datetime import timedelta

import pytest

from tests.assignments.test_assignments import PDF, make_group
from tests.conftest import outbox
from tests.participant.conftest import sign_in
from werklab.accounts import services as accounts
from werklab.assignments import services as assignments
from werklab.assignments.services import AssignmentData, Upload
from werklab.certificates.models import Certificate
from werklab.db import utcnow
from werklab.extensions import db
from werklab.invoicing import services as invoicing
from werklab.invoicing.services import BillingDetails
from werklab.payments.models import Payment

BILLING = BillingDetails(
    organisation="Gemeente Deventer, afd. Financiën",
    address="Postbus 5000\n7400 GC Deventer",
    email="facturen@deventer.example",
    reference="PO-2026-17",
    vat_number=None,
)


@pytest.fixture(autouse=True)
def _uploads(app, tmp_path):
    old = app.config["UPLOAD_FOLDER"]
    app.config["UPLOAD_FOLDER"] = str(tmp_path / "uploads")
    yield
    app.config["UPLOAD_FOLDER"] = old


def test_the_download_holds_everything_stored_about_me(client, factories):
    now = utcnow()
    programme = factories.programme(fee_cents=25000)
    trainer = accounts.create_user("t@example.nl", "Tineke Trainer", trainer=True, actor="test")
    programme.trainers.append(trainer)
    sanne = factories.registration(
        programme, email="sanne@example.nl", first_name="Sanne", last_name="Smit"
    )
    bram = factories.registration(
        programme, email="bram@example.nl", first_name="Bram", last_name="Bos"
    )
    other = factories.registration(programme, email="olga@example.nl", first_name="Olga")
    invoicing.save_billing(sanne, BILLING, now=now)
    invoice = invoicing.invoice_registration(sanne, now=now)
    db.session.add(
        Payment(
            registration_id=sanne.id,
            checkout_session_id="cs_test_sanne",
            amount_cents=30250,
            currency="eur",
        )
    )
    db.session.add(
        Certificate(
            registration_id=sanne.id,
            programme_id=programme.id,
            name="Sanne Smit",
            organisation="Woonstichting Oost",
            programme_title=programme.title,
            sessions=[{"date": "2026-03-02", "theme": "Verkennen"}],
            trainers=["Tineke Trainer"],
            code="CODE-SANNE-123",
        )
    )
    sanne_user = accounts.create_user("sanne@example.nl", "Sanne Smit", actor="test")
    group = make_group(programme, [sanne, bram], "Groep Zon")
    make_group(programme, [other], "Groep Maan")
    assignment = assignments.create_assignment(
        programme,
        AssignmentData("Casus", "Beschrijf een initiatief.", now + timedelta(days=10)),
        actor="test",
        now=now,
    )
    assignments.submit(
        assignment,
        group,
        "Onze casus over de buurttuin.",
        [Upload("casus buurttuin.pdf", PDF)],
        user_id=sanne_user.id,
        now=now,
    )
    db.session.commit()

    sign_in(client, "sanne@example.nl")
    response = client.get("/mijn-traject/gegevens.json")
    assert response.status_code == 200
    data = json.loads(response.data)

    [certificate] = data["certificates"]
    assert certificate["verification_code"] == "CODE-SANNE-123"
    assert certificate["name"] == "Sanne Smit"

    [billing] = data["billing_details"]
    assert billing["organisation"] == "Gemeente Deventer, afd. Financiën"
    assert billing["reference"] == "PO-2026-17"
    [exported_invoice] = data["invoices"]
    assert exported_invoice["number"] == invoice.number
    assert exported_invoice["total_incl_cents"] == invoice.total_incl_cents

    [payment] = data["online_payments"]
    assert (payment["by"], payment["amount_cents"], payment["status"]) == ("Stripe", 30250, "paid")

    [membership] = data["homework_groups"]
    assert membership["group"] == "Groep Zon"
    assert sorted(membership["members"]) == ["Bram Bos", "Sanne Smit"]
    [hand_in] = membership["hand_ins"]
    assert hand_in["assignment"] == "Casus"
    assert hand_in["text"] == "Onze casus over de buurttuin."
    assert hand_in["handed_in_by_me"] is True
    [file] = hand_in["files"]
    assert file["name"] == "casus buurttuin.pdf"
    assert base64.b64decode(file["content_base64"]) == PDF

    mine = [m for m in outbox() if m.to_addr == "sanne@example.nl"]
    assert len(data["mails"]) == len(mine) > 0
    confirmed = next(m for m in data["mails"] if m["kind"] == "registration.confirmed")
    assert confirmed["text"].startswith("Beste Sanne")

    body = response.get_data(as_text=True)
    assert "Groep Maan" not in body and "Olga" not in body
    assert "bram@example.nl" not in body


def test_an_intake_contact_gets_their_request(client, factories):
    from werklab.intake.services import IntakeData, submit_request

    factories.registration(factories.programme(), email="petra@deventer.example")
    fields = {f: "" for f in IntakeData.__dataclass_fields__}
    submit_request(
        IntakeData(
            **{
                **fields,
                "municipality": "Deventer",
                "contact_name": "Petra de Wit",
                "contact_role": "Beleidsadviseur",
                "contact_email": "petra@deventer.example",
                "contact_phone": "0570 000000",
                "expected_participants": 12,
                "policy_areas": [],
                "question": "Hoe werken we beter samen?",
                "locale": "nl",
            }
        )
    )
    db.session.commit()
    sign_in(client, "petra@deventer.example")
    data = json.loads(client.get("/mijn-traject/gegevens.json").data)
    [request] = data["intake_requests"]
    assert (request["municipality"], request["contact_phone"]) == ("Deventer", "0570 000000")


def test_privacy_statement_names_organisation_bases_retention_and_processors(
    app, client, monkeypatch
):
    monkeypatch.setitem(app.config, "PRIVACY_MAIL_PROVIDER", "Postmark (ActiveCampaign)")
    monkeypatch.setitem(app.config, "PRIVACY_EMAIL", "privacy@werklab.example")
    page = " ".join(client.get("/privacy").get_data(as_text=True).split())
    for expected in (
        # the organisation
        "Stichting werklab (Voorbeeldstraat 1, 1234 AB Utrecht; KvK-nummer 12345678)",
        "privacy@werklab.example",
        # legal bases
        "artikel 6 lid 1 sub b",
        "artikel 6 lid 1 sub c: wettelijke plicht",
        "artikel 9 lid 2 sub a",
        "artikel 6 lid 1 sub f",
        # retention, and invoices after erasure
        "tot de laatste bijeenkomst van het traject",
        "zeven jaar",
        "Ze blijven bewaard nadat je je gegevens hebt laten wissen.",
        # processors: Stripe gets the e-mail address; the mail provider
        "Stripe krijgt je e-mailadres",
        "Postmark (ActiveCampaign) bezorgt onze e-mails",
        "Autoriteit Persoonsgegevens",
    ):
        assert expected in page, expected


def test_the_page_shows_the_same_kinds_of_data(client, factories):
    now = utcnow()
    programme = factories.programme(fee_cents=25000)
    sanne = factories.registration(programme, email="sanne@example.nl", first_name="Sanne")
    invoicing.save_billing(sanne, BILLING, now=now)
    invoice = invoicing.invoice_registration(sanne, now=now)
    make_group(programme, [sanne], "Groep Zon")
    db.session.commit()
    sign_in(client, "sanne@example.nl")
    page = client.get("/mijn-traject/gegevens").get_data(as_text=True)
    assert "Gemeente Deventer, afd. Financiën" in page
    assert f"Factuur {invoice.number}" in page
    assert "Groep Zon" in page
