"""Certificates: the overview, rule and issuing are for the programme's trainers and the
coordinators; the PDF for its participant (signed in or with the manage link), trainers and
coordinators; verification is public."""

from tests.access import Case, everyone, only
from werklab.certificates import services
from werklab.extensions import db

X_ONLY = {"trainer_x": 200, "coordinator": 200}


def certificate_of_a(w):
    """A certificate issued to A in X (issued directly: the rule is tested elsewhere)."""
    from werklab.certificates.models import Certificate

    certificate = Certificate(
        registration_id=w.registration_a.id,
        programme_id=w.programme_x.id,
        name="Anna A",
        organisation="Gemeente Arnhem",
        programme_title=w.programme_x.title,
        sessions=[],
        trainers=[],
        code=services.new_code(),
    )
    db.session.add(certificate)
    db.session.commit()
    return certificate


def _cached(w):
    if not hasattr(w, "_certificate"):
        w._certificate = certificate_of_a(w)
    return w._certificate


CASES = [
    Case(
        "certificates.programme",
        lambda w: f"/werkruimte/{w.programme_x.id}/certificaten",
        only(X_ONLY),
    ),
    Case(
        "certificates.programme",
        lambda w: "/werkruimte/999999/certificaten",
        only({}, others=404),
        note="unknown programme",
    ),
    Case(
        "certificates.set_rule",
        lambda w: f"/werkruimte/{w.programme_x.id}/certificaten/regel",
        only({"trainer_x": 302, "coordinator": 302}),
        method="POST",
        data=lambda w: {"kind": "minimum", "minimum_sessions": "1"},
        writes=("trainer_x", "coordinator"),
    ),
    Case(
        "certificates.issue",
        lambda w: f"/werkruimte/{w.programme_x.id}/certificaten/uitreiken",
        only({"trainer_x": 302, "coordinator": 302}),
        method="POST",
        data=lambda w: {},
        writes=("trainer_x", "coordinator"),
    ),
    Case(
        "certificates.revoke",
        lambda w: f"/werkruimte/certificaat/{_cached(w).id}/intrekken",
        only({"trainer_x": 302, "coordinator": 302}),
        method="POST",
        data=lambda w: {},
        writes=("trainer_x", "coordinator"),
    ),
    Case(
        "certificates.download",
        lambda w: f"/mijn-traject/certificaat/{_cached(w).id}",
        only({"participant_a": 200, **X_ONLY}),
        note="A's certificate",
    ),
    Case(
        "certificates.download",
        lambda w: f"/mijn-traject/certificaat/{_cached(w).id}?token={w.token(w.registration_a)}",
        everyone(200),
        note="with A's manage link",
    ),
    Case(
        "certificates.download",
        lambda w: f"/mijn-traject/certificaat/{_cached(w).id}?token={w.token(w.registration_b)}",
        only({"participant_a": 200, **X_ONLY}),
        note="with B's manage link",
    ),
    Case(
        "certificates.download",
        lambda w: "/mijn-traject/certificaat/999999",
        everyone(404),
        note="unknown certificate",
    ),
    Case("certificates.verify_form", lambda w: "/verificatie", everyone(200)),
    Case(
        "certificates.verify",
        lambda w: f"/verificatie/{_cached(w).code}",
        everyone(200),
    ),
    Case(
        "certificates.verify",
        lambda w: "/verificatie/" + "x" * 22,
        everyone(404),
        note="unknown code",
    ),
]
