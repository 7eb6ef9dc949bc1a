"""Receivers of the catalogue's signals: a deleted meeting frees its host's offer, and the
host hears of it."""

from __future__ import annotations

from sqlalchemy import select

from werklab import audit
from werklab.catalog.models import ProgrammeSession
from werklab.catalog.services import session_removed
from werklab.extensions import db
from werklab.hosting.models import HostOffer, OfferStatus
from werklab.hosting.services import mail_host_of_removed_meeting


@session_removed.connect
def _free_host(session: ProgrammeSession, *, actor, now, **_kw) -> None:
    """The host of a deleted meeting (only one still ahead can be deleted) goes back to the
    open offers, for another meeting, and is told so."""
    for offer in db.session.execute(
        select(HostOffer).where(
            HostOffer.session_id == session.id, HostOffer.status == OfferStatus.ACCEPTED
        )
    ).scalars():
        offer.status = OfferStatus.OPEN
        offer.session_id = None
        offer.accepted_at = offer.accepted_by_id = offer.reminded_at = None
        audit.record(
            "hosting.released",
            offer,
            actor=actor,
            now=now,
            programme_id=offer.programme_id,
            session_id=session.id,
        )
        mail_host_of_removed_meeting(offer, session, now=now)
    db.session.flush()
