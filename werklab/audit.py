"""Audit log: every state change leaves a row saying who did what, when."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from werklab.db import Base, utcnow
from werklab.extensions import db


class AuditEntry(Base):
    __tablename__ = "audit_log"
    #: A programme's history finds the rows about its registrations, invoices, groups, ...
    __table_args__ = (sa.Index("ix_audit_log_object", "object_type", "object_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    #: Who acted: "participant:<registration id>", "system", "coordinator:<user id>", ...
    actor: Mapped[str] = mapped_column(sa.String(100))
    #: What happened, as "<object>.<verb>": "registration.cancelled".
    action: Mapped[str] = mapped_column(sa.String(100), index=True)
    object_type: Mapped[str] = mapped_column(sa.String(50))
    object_id: Mapped[int | None]
    data: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)


def record(
    action: str,
    obj: Any,
    *,
    actor: str,
    now: datetime | None = None,
    **data: Any,
) -> None:
    """Write one audit row for a state change of `obj` (an instance, or a model class for a
    change to many rows), in the current transaction.

    A plain INSERT rather than an ORM object: the log is only ever appended to, and this
    runs on every write (a unit-of-work flush costs several times the statement).
    """
    db.session.execute(
        _INSERT,
        {
            "created_at": now or utcnow(),
            "actor": actor,
            "action": action,
            "object_type": obj.__tablename__,
            "object_id": None if isinstance(obj, type) else getattr(obj, "id", None),
            "data": data,
        },
    )


_INSERT = sa.insert(AuditEntry.__table__)
