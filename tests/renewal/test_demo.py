"""The demo data shows a renewal without typing: a CoP whose renewal is open, with three
renewed, one declined and four still to answer, and next year's page saying "opens on"."""

from __future__ import annotations

from sqlalchemy import select

from tests.workspace.helpers import text
from werklab.catalog.models import Programme
from werklab.extensions import db
from werklab.invoicing.documents import invoice_for
from werklab.renewal import services
from werklab.renewal.models import Renewal


def test_demo_has_an_open_renewal(app, client):
    result = app.test_cli_runner().invoke(args=["werklab", "seed-demo"])
    assert result.exit_code == 0, result.output
    # This year's CoP and next year's share the title but for the year: take the one whose
    # renewal is open (without the join, PostgreSQL may return either).
    programme = db.session.execute(
        select(Programme)
        .join(Renewal, Renewal.programme_id == Programme.id)
        .where(Programme.title.like("CoP Burgerproductiekracht Veluwe %"))
    ).scalar_one()
    renewal = services.renewal_of(programme)
    answers = services.answers(renewal)
    assert (len(answers.renewed), len(answers.declined), len(answers.waiting)) == (3, 1, 4)
    assert all(invoice_for(i.new_registration) for i in answers.renewed)
    assert renewal.next_programme.title.endswith(str(int(programme.title[-4:]) + 1))
    page = text(client.get(f"/programma/{renewal.next_programme.slug}"))
    assert "Opent op" in page
