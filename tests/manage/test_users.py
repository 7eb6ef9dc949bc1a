"""Coordinator pages: users and roles, new staff, deactivation; new staff choose a password."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from tests.conftest import csrf_from, outbox
from tests.manage.conftest import PASSWORD, post, sign_in, text
from werklab.accounts import services as accounts
from werklab.accounts.models import User
from werklab.audit import AuditEntry
from werklab.extensions import db

NEW = {"name": "Tim Trainer", "email": "Tim@Example.nl", "is_trainer": "y"}


def user_count() -> int:
    return db.session.execute(select(func.count()).select_from(User)).scalar_one()


def password_login(client, email, password):
    token = csrf_from(text(client.get("/inloggen")))
    return client.post(
        "/inloggen", data={"csrf_token": token, "email": email, "password": password}
    )


def signed_in(client) -> bool:
    return client.get("/account").status_code == 200


# --- the list ------------------------------------------------------------------------------


def test_users_list_staff_and_optionally_everyone(admin, coordinator):
    accounts.create_user("tim@example.nl", "Tim Trainer", trainer=True, actor="test")
    gone = accounts.create_user("gone@example.nl", "Gert Weg", trainer=True, actor="test")
    gone.active = False
    accounts.create_user("pia@example.nl", "Pia Deelnemer", actor="test")
    db.session.commit()
    page = text(admin.get("/beheer/gebruikers"))
    assert "<h1>Gebruikers en rollen</h1>" in page
    assert "Cora Coördinator" in page and "cora@example.nl" in page
    assert "Tim Trainer" in page and "begeleider" in page and "coördinator" in page
    assert "nee, gedeactiveerd" in page
    assert "Pia Deelnemer" not in page
    page = text(admin.get("/beheer/gebruikers?toon=iedereen"))
    assert "Pia Deelnemer" in page and "deelnemer" in page


# --- new staff -----------------------------------------------------------------------------


def test_new_trainer_gets_a_link_signs_in_and_chooses_a_password(app, admin):
    page = text(admin.get("/beheer/gebruikers/nieuw"))
    assert "<h1>Nieuwe coördinator of begeleider</h1>" in page
    response = post(admin, "/beheer/gebruikers/nieuw", NEW)
    assert response.status_code == 302
    user = accounts.find_user("tim@example.nl")
    assert (user.name, user.is_trainer, user.is_coordinator, user.password_hash) == (
        "Tim Trainer",
        True,
        False,
        None,
    )
    assert "tim@example.nl heeft een inloglink gekregen" in text(
        admin.get(response.headers["Location"])
    )
    [mail] = outbox("accounts.welcome")
    assert mail.to_addr == "tim@example.nl"
    assert mail.subject == "Welkom bij werklab"
    body = " ".join(mail.body_text.split())
    assert "Cora Coördinator heeft een account voor je gemaakt op werklab, als begeleider." in body
    assert "Log in met deze link en kies een wachtwoord" in body
    assert "Heb je hier niet om gevraagd" not in body
    link = re.search(r"http://werklab.test(/inloggen/link/\S+)", mail.body_text).group(1)

    # Tim follows the link and lands on the page where he chooses a password.
    tim = app.test_client()
    page = text(tim.get(link))
    response = tim.post(link, data={"csrf_token": csrf_from(page)})
    assert response.headers["Location"] == "/account/wachtwoord"
    page = text(tim.get("/account/wachtwoord"))
    assert "<h1>Kies een wachtwoord</h1>" in page
    assert 'name="current"' not in page
    response = tim.post(
        "/account/wachtwoord",
        data={"csrf_token": csrf_from(page), "new": "mijn-eigen-wachtwoord", "repeat": "x"},
    )
    assert response.status_code == 400
    response = tim.post(
        "/account/wachtwoord",
        data={
            "csrf_token": csrf_from(page),
            "new": "mijn-eigen-wachtwoord",
            "repeat": "mijn-eigen-wachtwoord",
            "current": "genegeerd",
        },
    )
    assert response.status_code == 302
    assert "Je wachtwoord is ingesteld." in text(tim.get("/account"))
    db.session.expire_all()
    assert accounts.authenticate("tim@example.nl", "mijn-eigen-wachtwoord") is not None
    # From now on the current password is asked for.
    page = text(tim.get("/account/wachtwoord"))
    assert "<h1>Je wachtwoord wijzigen</h1>" in page and 'name="current"' in page
    response = tim.post(
        "/account/wachtwoord",
        data={
            "csrf_token": csrf_from(page),
            "new": "nog-een-wachtwoord",
            "repeat": "nog-een-wachtwoord",
        },
    )
    assert response.status_code == 400
    assert accounts.authenticate("tim@example.nl", "mijn-eigen-wachtwoord") is not None


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"is_trainer": ""}, "Kies minstens één rol: coördinator of begeleider."),
        ({"name": " "}, "Vul de naam in."),
        ({"email": "tim-at-example"}, "Dit is geen geldig e-mailadres."),
        ({"email": ""}, "Vul het e-mailadres in."),
        ({"email": "CORA@example.nl"}, "Er is al een account met dit e-mailadres."),
    ],
)
def test_new_user_refuses_bad_input(admin, changes, message):
    before = user_count()
    data = {k: v for k, v in {**NEW, **changes}.items() if v != ""}
    if "name" in changes:
        data["name"] = changes["name"]
    if "email" in changes:
        data["email"] = changes["email"]
    response = post(admin, "/beheer/gebruikers/nieuw", data)
    assert response.status_code == 400
    assert message in text(response)
    assert user_count() == before
    assert outbox() == []


def test_new_user_ignores_extra_fields(admin):
    extra = {
        "is_admin": "y",
        "active": "",
        "session_epoch": "7",
        "password_hash": "scrypt:gestolen",
        "password": "een-zelfgekozen-wachtwoord",
        "role": "coordinator",
        "id": "1",
    }
    post(admin, "/beheer/gebruikers/nieuw", {**NEW, **extra})
    user = accounts.find_user("tim@example.nl")
    assert user.active and not user.is_coordinator and user.password_hash is None
    assert user.session_epoch == 0
    assert accounts.authenticate("tim@example.nl", "een-zelfgekozen-wachtwoord") is None


# --- roles ---------------------------------------------------------------------------------


def test_change_roles(admin):
    pia = accounts.create_user("pia@example.nl", "Pia", actor="test")
    db.session.commit()
    page = text(admin.get(f"/beheer/gebruikers/{pia.id}"))
    assert "<h1>Pia</h1>" in page and "pia@example.nl" in page
    extra = {"email": "ander@example.nl", "name": "Andere naam", "active": "", "is_admin": "y"}
    response = post(admin, f"/beheer/gebruikers/{pia.id}", {"is_coordinator": "y", **extra})
    assert response.status_code == 302
    db.session.refresh(pia)
    assert pia.is_coordinator and not pia.is_trainer
    assert (pia.email, pia.name, pia.active) == ("pia@example.nl", "Pia", True)
    assert "De rollen van Pia zijn opgeslagen." in text(admin.get(response.headers["Location"]))
    post(admin, f"/beheer/gebruikers/{pia.id}", {"is_trainer": "y"})
    db.session.refresh(pia)
    assert pia.is_trainer and not pia.is_coordinator
    changes = db.session.execute(
        select(AuditEntry.data)
        .where(AuditEntry.action == "user.roles_changed", AuditEntry.object_id == pia.id)
        .order_by(AuditEntry.id)
    ).scalars()
    assert [(d["coordinator"], d["trainer"]) for d in changes] == [(True, False), (False, True)]


def test_a_changed_account_hears_of_it_and_the_link_opens(app, admin, coordinator):
    """Roles given, taken, all taken away, the account switched off and on: each time a mail
    in Dutch that says what changed and who changed it; nothing when nothing changed or when
    a coordinator changes their own roles."""
    tim = accounts.create_user(
        "tim@example.nl", "Tim Trainer", password=PASSWORD, trainer=True, actor="test"
    )
    db.session.commit()
    url = f"/beheer/gebruikers/{tim.id}"
    steps = [
        (
            url,
            {"is_coordinator": "y", "is_trainer": "y"},
            "Je rollen in werklab zijn gewijzigd",
            "je bent nu coördinator en trainer.",
        ),
        (
            url,
            {"is_coordinator": "y"},
            "Je rollen in werklab zijn gewijzigd",
            "je bent nu coördinator.",
        ),
        (
            url,
            {},
            "Je rollen in werklab zijn gewijzigd",
            "de pagina's voor medewerkers zijn voor jou gesloten",
        ),
        (url, {"is_trainer": "y"}, "Je rollen in werklab zijn gewijzigd", "je bent nu trainer."),
        (
            url + "/deactiveren",
            {},
            "Je account bij werklab is uitgezet",
            "je kunt niet meer inloggen en je bent overal uitgelogd",
        ),
        (
            url + "/activeren",
            {},
            "Je account bij werklab is weer actief",
            "heeft je account bij werklab weer aangezet",
        ),
    ]
    for path, data, subject, sentence in steps:
        before = len(outbox())
        assert post(admin, path, data).status_code == 302
        mails = outbox()[before:]
        assert [(m.to_addr, m.subject) for m in mails] == [("tim@example.nl", subject)], path
        body = " ".join(mails[0].body_text.split())
        assert "Beste Tim Trainer," in body and "Cora Coördinator heeft je" in body
        assert sentence in body, (path, body)
    assert body.endswith("Je kunt inloggen: http://werklab.test/account")
    # The link in the last mail opens Tim's account page once he signs in.
    browser = sign_in(app.test_client(), "tim@example.nl")
    link = re.search(r"http://werklab.test(/account)", body).group(1)
    assert browser.get(link).status_code == 200
    before = len(outbox())
    assert post(admin, url, {"is_trainer": "y"}).status_code == 302  # no change
    assert (
        post(
            admin,
            f"/beheer/gebruikers/{coordinator.id}",
            {"is_coordinator": "y", "is_trainer": "y"},
        ).status_code
        == 302
    )
    db.session.refresh(coordinator)
    assert coordinator.is_trainer
    assert len(outbox()) == before
    # An account that is switched off hears of being switched off, not of new roles.
    assert post(admin, url + "/deactiveren", {}).status_code == 302
    before = len(outbox())
    assert post(admin, url, {"is_coordinator": "y"}).status_code == 302
    db.session.refresh(tim)
    assert tim.is_coordinator and not tim.active
    assert len(outbox()) == before


def test_a_coordinator_keeps_their_own_coordinator_role(admin, coordinator):
    response = post(admin, f"/beheer/gebruikers/{coordinator.id}", {"is_trainer": "y"})
    assert response.status_code == 400
    assert "Je kunt je eigen rol als coördinator niet afnemen" in text(response)
    db.session.refresh(coordinator)
    assert coordinator.is_coordinator and not coordinator.is_trainer
    assert admin.get("/beheer/").status_code == 200


def test_unknown_user_is_404(admin):
    assert admin.get("/beheer/gebruikers/999999").status_code == 404
    assert post(admin, "/beheer/gebruikers/999999/deactiveren").status_code == 404


# --- deactivation --------------------------------------------------------------------------


def test_deactivate_signs_out_everywhere_and_reactivate(app, admin):
    tim = accounts.create_user(
        "tim@example.nl", "Tim Trainer", password=PASSWORD, trainer=True, actor="test"
    )
    db.session.commit()
    browser = sign_in(app.test_client(), "tim@example.nl")
    assert signed_in(browser)
    response = post(admin, f"/beheer/gebruikers/{tim.id}/deactiveren")
    assert response.status_code == 302
    page = text(admin.get(response.headers["Location"]))
    assert "Tim Trainer kan niet meer inloggen." in page
    assert "nee, gedeactiveerd" in page
    assert not signed_in(browser)
    assert password_login(browser, "tim@example.nl", PASSWORD).status_code == 400
    response = post(admin, f"/beheer/gebruikers/{tim.id}/activeren")
    assert "Tim Trainer kan weer inloggen." in text(admin.get(response.headers["Location"]))
    db.session.refresh(tim)
    assert tim.active
    assert password_login(browser, "tim@example.nl", PASSWORD).status_code == 302


def test_a_coordinator_cannot_deactivate_themselves(admin, coordinator):
    page = text(admin.get(f"/beheer/gebruikers/{coordinator.id}"))
    assert "Je kunt je eigen account niet deactiveren." in page
    assert "/deactiveren" not in page
    response = post(admin, f"/beheer/gebruikers/{coordinator.id}/deactiveren")
    assert "Je kunt je eigen account niet deactiveren." in text(
        admin.get(response.headers["Location"])
    )
    db.session.refresh(coordinator)
    assert coordinator.active
    assert signed_in(admin)
