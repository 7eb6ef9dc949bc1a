"""The anonymity promise: with anonymity on, no page or export a trainer can open shows a
respondent's name or e-mail address next to the evaluation's answers, and the pages that do
show names (the participant list, a participant's page, the participant exports) never show
what someone answered."""

from __future__ import annotations

from tests.evaluations.helpers import (
    NOW,
    answer,
    client_for,
    invitation_of,
    mark_present,
    sent,
    text,
)
from werklab.evaluations import services
from werklab.extensions import db

NAMES = [
    ("Quirine", "Zandvoort-Oerlemans", "quirine.zandvoort@voorbeeld.nl"),
    ("Xaviera", "Ypenburg", "x.ypenburg@voorbeeld.nl"),
    ("Wubbo", "Vredeveld", "wubbo@voorbeeld.nl"),
    ("Ulrike", "Terpstra", "ulrike.t@voorbeeld.nl"),
]
SECRET_ANSWER = "Mijn leidinggevende luistert nooit naar bewoners"


def test_trainer_pages_and_exports_never_show_who_answered(app, factories):
    s, last = sent(factories, people=0)
    people = [
        factories.registration(
            s.programme,
            first_name=first,
            last_name=last_name,
            email=email,
            now=s.programme.created_at,
        )
        for first, last_name, email in NAMES
    ]
    s.people[:] = people
    mark_present(s, last)
    services.invite(last.id, now=NOW)
    for n, person in enumerate(people):
        answer(invitation_of(last, person), 3 + n % 3, SECRET_ANSWER if n == 0 else f"Punt {n}")
    db.session.commit()
    questionnaire = services.evaluation_of(last).questionnaire
    pages = [
        f"/werkruimte/{s.programme.id}/evaluaties",
        f"/werkruimte/bijeenkomst/{last.id}/evaluatie",
        f"/werkruimte/bijeenkomst/{last.id}/evaluatie/resultaten",
        f"/werkruimte/bijeenkomst/{last.id}/evaluatie/resultaten.csv",
        f"/werkruimte/vragenlijst/{questionnaire.id}",
        f"/werkruimte/evaluatievraag/{questionnaire.questions[0].id}",
    ] + [f"/werkruimte/bijeenkomst/{x.id}/evaluatie" for x in s.sessions]
    client = client_for(app, s.trainer)
    results = text(client.get(pages[2]))
    assert SECRET_ANSWER in results  # the answers are there (4 answers: shown) ...
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        body = text(response)
        for first, last_name, email in NAMES:  # ... the people are not
            for needle in (first, last_name, email):
                assert needle not in body, (path, needle)

    # Pages and exports that name people never carry an answer.
    named = [
        f"/werkruimte/{s.programme.id}",
        f"/werkruimte/{s.programme.id}/deelnemers.csv",
        f"/werkruimte/bijeenkomst/{last.id}/presentie",
        *(f"/werkruimte/deelnemer/{p.id}" for p in people),
    ]
    for path in named:
        response = client.get(path)
        assert response.status_code == 200, path
        assert SECRET_ANSWER not in text(response), path
        assert "Punt 1" not in text(response), path
