"""A completed programme with every kind of personal data the retention job handles."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select

from tests.evaluations.helpers import NOW, answer, invitation_of, mark_present, past_programme
from tests.factories import Factories
from werklab.accounts import services as accounts
from werklab.accounts.models import User
from werklab.assignments import services as assignments
from werklab.assignments.services import AssignmentData, Upload
from werklab.catalog.models import Programme, ProgrammeStatus
from werklab.certificates.services import issue_certificates
from werklab.evaluations import services as evaluations
from werklab.extensions import db
from werklab.followup.models import ContactNote
from werklab.groups.models import HomeworkGroup, HomeworkGroupMember
from werklab.messages import services as messages
from werklab.messages.models import Audience
from werklab.privacy.retention import months_before
from werklab.registration.models import PaymentMethod, Registration
from werklab.registration.signup import BillingDetails
from werklab.workspace.services import add_note

PDF = b"%PDF-1.4\n% verslag\n"
BILLING = BillingDetails(
    organisation="Gemeente Arnhem",
    address="Postbus 9200\n6800 HA Arnhem",
    email="crediteuren@arnhem.example",
    reference="PO-4500123",
)


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


@dataclass
class Archive:
    programme: Programme
    trainer: User
    sanne: Registration  # has an account, nothing else: her account goes
    bram: Registration  # also in a programme that runs: his account stays
    carla: Registration  # no account
    payer: Registration  # paid by invoice
    other: Registration  # Bram's registration in the running programme
    sanne_user: User
    bram_user: User

    @property
    def people(self) -> list[Registration]:
        return [self.sanne, self.bram, self.carla, self.payer]

    @property
    def last_end(self) -> datetime:
        return max(s.ends_at for s in self.programme.sessions)

    def due(self, months: int = 12) -> datetime:
        """The moment the retention period is over."""
        return months_before(self.last_end, -months)


def completed_programme(f: Factories) -> Archive:
    """A CoP whose last session ended at NOW - 3 hours, completed, with hand-ins (a file),
    evaluation answers, notes, a certificate, a message, an invoice and accounts."""
    s = past_programme(f, people=3)
    sanne, bram, carla = s.people
    created = s.programme.created_at
    payer = f.registration(
        s.programme,
        now=created,
        email="betaler@example.nl",
        payment_method=PaymentMethod.INVOICE,
        billing=BILLING,
    )
    people = [sanne, bram, carla, payer]
    sanne_user = accounts.create_user(sanne.email, "Sanne", actor="test")
    bram_user = accounts.create_user(bram.email, "Bram", actor="test")
    other = f.registration(f.programme(title="Loopt nog"), email=bram.email)
    for session in s.sessions:
        mark_present(s, session, people)
    add_note(sanne, "Sanne werkt graag met de buurtcoöperatie.", author=s.trainer, now=NOW)
    db.session.add(ContactNote(registration_id=bram.id, author_id=s.trainer.id, body="Gebeld."))
    issue_certificates(s.programme, actor=s.trainer, now=NOW)
    group = HomeworkGroup(programme_id=s.programme.id, name="Groep 1", round=1)
    db.session.add(group)
    db.session.flush()
    for r in people:
        db.session.add(HomeworkGroupMember(group_id=group.id, registration_id=r.id, round=1))
    db.session.flush()
    assignment = assignments.create_assignment(
        s.programme,
        AssignmentData("Casus", "Beschrijf een initiatief.", NOW + timedelta(days=10)),
        actor="test",
        now=NOW,
    )
    assignments.submit(
        assignment, group, "Ons plan van aanpak", [Upload("plan.pdf", PDF)], user_id=sanne_user.id
    )
    last = s.sessions[-1]
    evaluations.invite(last.id, now=NOW)
    answer(invitation_of(last, sanne), 5, "Sanne vond het gesprek met de buurtvrouw goed")
    answer(invitation_of(last, bram), 3, "Te weinig tijd")
    messages.send_message(
        s.programme,
        messages.MessageData(Audience.PARTICIPANTS, "Tot ziens", "Dank jullie wel, allemaal."),
        author=s.trainer,
        now=NOW,
    )
    s.programme.status = ProgrammeStatus.COMPLETED
    db.session.flush()
    return Archive(s.programme, s.trainer, sanne, bram, carla, payer, other, sanne_user, bram_user)
