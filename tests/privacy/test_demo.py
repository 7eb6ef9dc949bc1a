"""The demo holds a programme completed long ago whose personal data the job erased."""

from __future__ import annotations

from sqlalchemy import select

from tests.access.test_matrix import client_for
from tests.privacy.test_views import page_text
from werklab.accounts.models import User
from werklab.catalog.models import Programme, ProgrammeStatus
from werklab.certificates.models import Certificate
from werklab.extensions import db
from werklab.invoicing.models import Invoice
from werklab.privacy.models import ProgrammeRetention
from werklab.registration.models import Registration


def test_the_demo_shows_what_remains_of_an_archived_programme(app):
    result = app.test_cli_runner().invoke(args=["werklab", "seed-demo"])
    assert result.exit_code == 0, result.output
    assert "Verwerkingsregister" in result.output
    programme = db.session.execute(
        select(Programme).where(Programme.title.like("%Veluwe (afgerond)%"))
    ).scalar_one()
    assert programme.status is ProgrammeStatus.COMPLETED
    assert db.session.get(ProgrammeRetention, programme.id).counts["registrations_anonymised"] == 6
    people = list(
        db.session.execute(
            select(Registration).where(Registration.programme_id == programme.id)
        ).scalars()
    )
    assert len(people) == 6 and all(r.first_name == "" and r.erased_at for r in people)
    invoices = list(
        db.session.execute(
            select(Invoice).where(Invoice.registration_id.in_([r.id for r in people]))
        ).scalars()
    )
    assert len(invoices) == 6 and all(i.participant_name and i.buyer_email for i in invoices)
    assert db.session.query(Certificate).filter_by(programme_id=programme.id).count() == 6
    coordinator = db.session.execute(
        select(User).where(User.email == "coordinator@werklab.example")
    ).scalar_one()
    page = page_text(
        client_for(app, coordinator).get(f"/beheer/programma/{programme.id}/geschiedenis")
    )
    assert "die niet meer nodig waren" in page
    assert "Ilse" not in page
