"""Passing a seat on follows the same rules as registering: the municipality's e-mail
domains, the sector, the learning question, privacy consent, and the new person's own
language (issue 11, item 15)."""

from __future__ import annotations

from sqlalchemy import func, select

from tests.conftest import outbox
from tests.registration.test_decisions import pass_on, text
from werklab.audit import AuditEntry
from werklab.extensions import db
from werklab.intake import services as intake
from werklab.registration import services
from werklab.registration.models import Registration, Sector


def unchanged(registration, name: str) -> None:
    db.session.expire_all()
    assert db.session.get(Registration, registration.id).first_name == name


def transfers() -> int:
    return db.session.execute(
        select(func.count())
        .select_from(AuditEntry)
        .where(AuditEntry.action == "registration.transferred")
    ).scalar_one()


def test_the_municipality_domain_restriction_holds(client, factories):
    programme = factories.invitation_programme()
    intake.set_allowed_domains(programme, ["arnhem.nl"], actor="test")
    registration = factories.registration(programme, first_name="Piet", email="piet@arnhem.nl")
    token = services.manage_token(registration)
    db.session.commit()
    response = pass_on(client, token, email="joke@gmail.com")
    assert response.status_code == 400
    assert "@arnhem.nl" in text(response)
    unchanged(registration, "Piet")
    assert transfers() == 0
    assert pass_on(client, token, email="joke@arnhem.nl").status_code == 302


def test_sector_learning_question_and_privacy_consent_are_asked(client, factories):
    programme = factories.programme()
    registration = factories.registration(programme, first_name="Piet")
    token = services.manage_token(registration)
    db.session.commit()
    page = text(client.get(f"/inschrijving/{token}/overdragen"))
    for name in ("sector", "learning_question", "privacy_consent", "dietary_wishes", "locale"):
        assert f'name="{name}"' in page, name
    response = pass_on(client, token, sector="", learning_question="", privacy_consent="")
    assert response.status_code == 400
    page = text(response)
    assert "Kies je sector." in page
    assert "Beschrijf je leervraag" in page
    assert "Bevestig dat je collega akkoord gaat met de privacyverklaring." in page
    unchanged(registration, "Piet")
    assert transfers() == 0


def test_the_colleague_gets_their_own_answers_and_language(client, factories):
    programme = factories.programme()
    registration = factories.registration(
        programme, first_name="Piet", dietary_wishes="Vegetarisch", locale="nl"
    )
    token = services.manage_token(registration)
    db.session.commit()
    response = pass_on(
        client,
        token,
        first_name="Jo",
        email="jo@example.nl",
        sector="civil_society",
        learning_question="How do I support residents?",
        dietary_wishes="",
        locale="en",
    )
    assert response.status_code == 302
    db.session.expire_all()
    registration = db.session.get(Registration, registration.id)
    assert registration.sector is Sector.CIVIL_SOCIETY
    assert registration.learning_question == "How do I support residents?"
    assert registration.dietary_wishes is None
    assert registration.locale == "en"
    [mail] = [m for m in outbox("registration.confirmed") if m.to_addr == "jo@example.nl"]
    assert mail.body_text.startswith("Dear Jo,")
    # The one who passed the seat on is told in their own language.
    assert outbox("registration.transferred_from")[-1].body_text.startswith("Beste Piet,")
