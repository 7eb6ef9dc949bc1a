"""The ledger of Stripe events: each event id is acted on once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError

from werklab.extensions import db
from werklab.payments.models import StripeEvent


@dataclass(frozen=True)
class EventRef:
    event_id: str
    type: str
    object_id: str | None


def record_event(event: EventRef, now: datetime) -> bool:
    """Store the event id; False if it was stored before (then nothing may happen again)."""
    try:
        with db.session.begin_nested():
            db.session.add(
                StripeEvent(
                    event_id=event.event_id,
                    type=event.type,
                    object_id=event.object_id,
                    received_at=now,
                )
            )
    except IntegrityError:
        return False
    return True
