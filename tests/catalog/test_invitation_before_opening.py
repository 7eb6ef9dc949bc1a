"""The invitation link a municipality shares works before registration opens: it shows the
programme with "inschrijving opent binnenkort" (issue 11, item 11)."""

from __future__ import annotations

from werklab.catalog import services as catalog
from werklab.catalog.models import ProgrammeKind, ProgrammeStatus
from werklab.extensions import db


def text(response) -> str:
    return response.get_data(as_text=True)


def test_the_invitation_link_shows_a_draft_werklab(client, factories):
    werklab = factories.invitation_programme(
        kind=ProgrammeKind.WERKLAB, status=ProgrammeStatus.DRAFT, title="Werklab Gemeente Ede"
    )
    db.session.commit()
    link = f"/programma/{werklab.slug}?uitnodiging={werklab.invitation_token}"
    response = client.get(link)
    assert response.status_code == 200
    page = text(response)
    assert "<h1>Werklab Gemeente Ede</h1>" in page
    assert "Inschrijving opent binnenkort" in page
    assert "/inschrijven" not in page  # no register button yet
    # Without (or with a wrong) invitation, nothing is shown.
    assert client.get(f"/programma/{werklab.slug}").status_code == 404
    assert client.get(f"/programma/{werklab.slug}?uitnodiging=geraden").status_code == 404
    # The form itself says the same and stores nothing.
    form = client.get(
        f"/programma/{werklab.slug}/inschrijven?uitnodiging={werklab.invitation_token}"
    )
    assert form.status_code == 409
    assert "Inschrijving opent binnenkort" in text(form)

    # Once the coordinator opens registration, the same link offers the form.
    catalog.set_status(werklab, ProgrammeStatus.OPEN, actor="test")
    db.session.commit()
    page = text(client.get(link))
    assert "Inschrijving opent binnenkort" not in page
    assert f"/programma/{werklab.slug}/inschrijven?uitnodiging=" in page


def test_a_public_draft_stays_hidden(client, factories):
    draft = factories.programme(status=ProgrammeStatus.DRAFT)
    db.session.commit()
    assert client.get(f"/programma/{draft.slug}").status_code == 404
    assert client.get(f"/programma/{draft.slug}?uitnodiging=x").status_code == 404
