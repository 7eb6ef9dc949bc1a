"""A running Community of Practice with seated participants, and its renewal."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from sqlalchemy import select

from tests.conftest import outbox
from werklab.accounts import services as accounts
from werklab.audit import AuditEntry
from werklab.catalog.models import ProgrammeKind
from werklab.db import utcnow
from werklab.extensions import db
from werklab.registration.signup import BillingDetails
from werklab.renewal import services
from werklab.renewal.models import RenewalInvitation

NOW = datetime(2026, 12, 2, 10, 0)
DEADLINE = NOW + timedelta(days=21)

BILLING = BillingDetails(
    organisation="Gemeente Ede",
    address="",
    street="Postbus 9022",
    postcode="6710 HK",
    city="Ede",
    email="facturen@ede.example",
    reference="PO-123",
    legal_id="12345678",
)


def running_cop(factories, people: int = 3, *, now: datetime = NOW, **kw):
    """A CoP "... 2026" with `people` seated participants (and one on nobody's list)."""
    programme = factories.programme(
        kind=ProgrammeKind.COP,
        title=kw.pop("title", "CoP Burgerkracht 2026"),
        now=now - timedelta(days=200),
        registration_deadline=now - timedelta(days=170),
        decision_date=(now - timedelta(days=170)).date(),
        **kw,
    )
    seated = [
        factories.registration(programme, now=now - timedelta(days=199), organisation=f"Org {i}")
        for i in range(people)
    ]
    db.session.flush()
    return programme, seated


def coordinator():
    return accounts.create_user(
        f"cora{utcnow().timestamp()}@example.nl", "Cora", coordinator=True, actor="test"
    )


def open_for(programme, *, now: datetime = NOW, deadline: datetime = DEADLINE, **kw):
    data = services.RenewalData(
        title=kw.pop("title", services.suggested_title(programme, now)),
        deadline=deadline,
        **kw,
    )
    renewal = services.open_renewal(programme, data, actor="test", now=now)
    db.session.flush()
    return renewal


def invitation_of(registration) -> RenewalInvitation:
    return db.session.scalar(
        select(RenewalInvitation).where(RenewalInvitation.registration_id == registration.id)
    )


def link_in(mail) -> str:
    """The personal renewal path in a mail."""
    match = re.search(r"/verlengen/([A-Za-z0-9_-]+)", mail.body_text)
    assert match, mail.body_text
    return match.group(0)


def audit_actions(prefix: str = "renewal.") -> list[str]:
    return list(
        db.session.execute(
            select(AuditEntry.action)
            .where(AuditEntry.action.startswith(prefix))
            .order_by(AuditEntry.id)
        ).scalars()
    )


def mails(kind: str, to: str | None = None):
    return [m for m in outbox(kind) if to is None or m.to_addr == to]
