"""Hosts take turns: offers to host a meeting, the trainer's choice per session, the rota
and the route the group travels, the host's reminder and the group's practical questions."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from werklab import audit
from werklab.accounts.models import User
from werklab.catalog.models import Programme, ProgrammeKind, ProgrammeSession, ProgrammeStatus
from werklab.catalog.services import SessionData, update_session
from werklab.db import utcnow
from werklab.errors import DomainError, ValidationError
from werklab.extensions import db
from werklab.fields import normalize_newlines
from werklab.hosting.models import (
    ADDRESS_MAX_LENGTH,
    MAX_CAPACITY,
    NOTES_MAX_LENGTH,
    ORGANISATION_MAX_LENGTH,
    PERIOD_MAX_LENGTH,
    QUESTION_MAX_LENGTH,
    HostOffer,
    HostQuestion,
    OfferStatus,
)
from werklab.links import external_url, map_url
from werklab.mail import queue_mail
from werklab.registration.models import Registration, RegistrationStatus
from werklab.registration.seats import lock_programme, seats_taken, seats_taken_expr
from werklab.translation import lazy_gettext as _l

#: Programmes that meet at rotating hosts (a werklab has its fixed three places).
HOSTED_KINDS = (ProgrammeKind.COP, ProgrammeKind.LEARNING_COMMUNITY)
#: Programmes still under way: offers can be made and accepted.
RUNNING = (ProgrammeStatus.OPEN, ProgrammeStatus.CLOSED)
#: The host is reminded this long before their meeting.
REMIND_BEFORE = timedelta(days=3)


class HostingError(DomainError):
    status_code = 409


# --- plain values in -----------------------------------------------------------------------


@dataclass
class OfferData:
    organisation: str
    address: str
    capacity: int
    notes: str = ""
    preferred_session_id: int | None = None
    preferred_period: str = ""


def _one_line(text: str | None) -> str:
    return " ".join((text or "").split())


def _check_offer(programme: Programme, data: OfferData) -> OfferData:
    organisation = _one_line(data.organisation)
    address = _one_line(data.address)
    period = _one_line(data.preferred_period)
    notes = normalize_newlines(data.notes or "").strip()
    if not organisation:
        raise ValidationError(str(_l("Please give the name of your organisation or initiative.")))
    if len(organisation) > ORGANISATION_MAX_LENGTH:
        raise ValidationError(
            str(_l("A name can be at most %(max)d characters.", max=ORGANISATION_MAX_LENGTH))
        )
    if not address:
        raise ValidationError(str(_l("Please give the address where the group would meet.")))
    if len(address) > ADDRESS_MAX_LENGTH:
        raise ValidationError(
            str(_l("An address can be at most %(max)d characters.", max=ADDRESS_MAX_LENGTH))
        )
    if not isinstance(data.capacity, int) or not 1 <= data.capacity <= MAX_CAPACITY:
        raise ValidationError(
            str(_l("Give the number of people the room seats: 1 to %(max)d.", max=MAX_CAPACITY))
        )
    if len(notes) > NOTES_MAX_LENGTH:
        raise ValidationError(
            str(_l("The practical notes can be at most %(max)d characters.", max=NOTES_MAX_LENGTH))
        )
    if len(period) > PERIOD_MAX_LENGTH:
        raise ValidationError(
            str(_l("A period can be at most %(max)d characters.", max=PERIOD_MAX_LENGTH))
        )
    if data.preferred_session_id is not None and data.preferred_session_id not in {
        s.id for s in programme.sessions
    }:
        raise ValidationError(str(_l("Choose one of the meetings of this programme.")))
    return OfferData(organisation, address, data.capacity, notes, data.preferred_session_id, period)


# --- offers --------------------------------------------------------------------------------


def hosts_in_turn(programme: Programme) -> bool:
    """A programme whose meetings rotate between hosts, still under way."""
    return programme.kind in HOSTED_KINDS and programme.status in RUNNING


def open_sessions(programme: Programme, now: datetime) -> list[ProgrammeSession]:
    """The meetings still to come (a host can be found for these)."""
    return [s for s in programme.sessions if s.starts_at > now]


def volunteer(
    registration: Registration, data: OfferData, *, now: datetime | None = None
) -> HostOffer:
    """Offer to host a meeting of one's programme; its trainers are told."""
    now = now or utcnow()
    programme = registration.programme
    if not registration.is_seated:
        raise HostingError(str(_l("Only participants with a confirmed place can offer to host.")))
    if not hosts_in_turn(programme):
        raise HostingError(str(_l("This programme does not look for hosts.")))
    data = _check_offer(programme, data)
    offer = HostOffer(
        programme_id=programme.id,
        registration_id=registration.id,
        organisation=data.organisation,
        address=data.address,
        capacity=data.capacity,
        notes=data.notes,
        preferred_session_id=data.preferred_session_id,
        preferred_period=data.preferred_period,
        status=OfferStatus.OPEN,
        created_at=now,
    )
    db.session.add(offer)
    db.session.flush()
    audit.record(
        "hosting.offered",
        offer,
        actor=f"participant:{registration.id}",
        now=now,
        programme_id=programme.id,
        registration_id=registration.id,
    )
    url = external_url("hosting.programme", programme_id=programme.id)
    for trainer in programme.trainers:
        queue_mail(
            trainer.email,
            _l("%(name)s offers to host a meeting", name=registration.full_name),
            "hosting/offer_received",
            to_name=_one_line(trainer.display_name),
            reply_to=[(_one_line(registration.full_name), registration.email)],
            locale="nl",  # staff accounts carry no language: the interface default
            kind="hosting.offer_received",
            now=now,
            trainer_name=trainer.display_name,
            volunteer=registration.full_name,
            programme_title=programme.title,
            organisation=offer.organisation,
            address=offer.address,
            capacity=offer.capacity,
            url=url,
        )
    return offer


def withdraw_offer(offer: HostOffer, *, now: datetime | None = None) -> HostOffer:
    """Take back an offer that has not been accepted yet."""
    now = now or utcnow()
    if offer.status is OfferStatus.ACCEPTED:
        raise HostingError(
            str(
                _l(
                    "Your offer has already been accepted: please contact your trainer if you "
                    "can no longer host."
                )
            )
        )
    if offer.status is OfferStatus.WITHDRAWN:
        raise HostingError(str(_l("You have already withdrawn this offer.")))
    offer.status = OfferStatus.WITHDRAWN
    offer.withdrawn_at = now
    db.session.flush()
    audit.record(
        "hosting.withdrawn",
        offer,
        actor=f"participant:{offer.registration_id}",
        now=now,
        programme_id=offer.programme_id,
    )
    return offer


def host_of(session_id: int) -> HostOffer | None:
    return db.session.execute(
        select(HostOffer).where(
            HostOffer.session_id == session_id, HostOffer.status == OfferStatus.ACCEPTED
        )
    ).scalar_one_or_none()


def dietary_wishes_count(programme_id: int) -> int:
    """Seated participants who gave dietary wishes (0 once they were purged after the end)."""
    return db.session.execute(
        select(func.count())
        .select_from(Registration)
        .where(
            Registration.programme_id == programme_id,
            Registration.status == RegistrationStatus.CONFIRMED,
            Registration.dietary_wishes.is_not(None),
            Registration.dietary_wishes != "",
        )
    ).scalar_one()


def accept_offer(
    offer: HostOffer, session: ProgrammeSession, *, actor: User, now: datetime | None = None
) -> HostOffer:
    """Make a volunteer the host of a session: the session's place becomes theirs (the
    participants are mailed the new place, as for any change of place) and the host is
    mailed the date, the group size and the number of dietary wishes."""
    now = now or utcnow()
    programme = lock_programme(offer.programme_id)  # one acceptance at a time per programme
    if session.programme_id != offer.programme_id:
        raise ValidationError(str(_l("Choose one of the meetings of this programme.")))
    if offer.status is OfferStatus.WITHDRAWN:
        raise HostingError(str(_l("This offer has been withdrawn.")))
    if offer.status is OfferStatus.ACCEPTED:
        raise HostingError(str(_l("This offer has already been accepted for another meeting.")))
    if not offer.registration.is_seated:
        raise HostingError(
            str(
                _l(
                    "%(name)s no longer has a place in this programme.",
                    name=offer.registration.full_name,
                )
            )
        )
    if session.starts_at <= now:
        raise HostingError(str(_l("This meeting has already taken place.")))
    current = host_of(session.id)
    if current is not None:
        raise HostingError(
            str(
                _l(
                    "%(name)s already hosts this meeting. Release that host first.",
                    name=current.registration.full_name,
                )
            )
        )
    offer.status = OfferStatus.ACCEPTED
    offer.session_id = session.id
    offer.accepted_at = now
    offer.accepted_by_id = actor.id
    try:
        # The unique session_id: a second acceptance racing this one stops here.
        with db.session.begin_nested():
            db.session.flush()
    except sa.exc.IntegrityError:
        raise HostingError(str(_l("Someone else just chose a host for this meeting."))) from None
    # Through the catalogue, so that a new place is mailed to everyone taking part.
    update_session(
        session,
        SessionData(
            theme=session.theme,
            starts_at=session.starts_at,
            ends_at=session.ends_at,
            location_name=offer.organisation,
            location_address=offer.address,
            kind=session.kind,
            description=session.description,
        ),
        actor=f"user:{actor.id}",
        now=now,
    )
    taken = seats_taken(programme.id, now)
    audit.record(
        "hosting.accepted",
        offer,
        actor=f"user:{actor.id}",
        now=now,
        programme_id=programme.id,
        session_id=session.id,
        capacity=offer.capacity,
        seats_taken=taken,
    )
    _mail_host(offer, "hosting/accepted", _l("You are hosting a meeting"), taken, actor, now)
    return offer


def release_host(offer: HostOffer, *, actor: User, now: datetime | None = None) -> HostOffer:
    """Undo an acceptance (the host can no longer make it): the offer is open again and the
    host is told. The session keeps its place until the trainer changes it."""
    now = now or utcnow()
    if offer.status is not OfferStatus.ACCEPTED:
        raise HostingError(str(_l("This offer is not accepted for a meeting.")))
    session = offer.session
    offer.status = OfferStatus.OPEN
    offer.session_id = None
    offer.accepted_at = offer.accepted_by_id = offer.reminded_at = None
    db.session.flush()
    audit.record(
        "hosting.released",
        offer,
        actor=f"user:{actor.id}",
        now=now,
        programme_id=offer.programme_id,
        session_id=session.id if session else None,
    )
    if session is not None and session.starts_at > now:
        _to_host(
            offer,
            session,
            _l("You are no longer hosting “%(theme)s”", theme=session.theme),
            "hosting/released",
            reply_to=[(_one_line(actor.display_name), actor.email)],
            now=now,
            trainer_name=actor.display_name,
        )
    return offer


def mail_host_of_removed_meeting(offer: HostOffer, session, *, now: datetime) -> int:
    """The meeting `offer` was to host is deleted: the host need not prepare, and their offer
    is open for another meeting."""
    return _to_host(
        offer,
        session,
        _l("“%(theme)s” will not take place at your place", theme=session.theme),
        "hosting/meeting_removed",
        reply_to=_trainers(offer),
        now=now,
        url=external_url("hosting.offer", offer_id=offer.id),
    )


def _trainers(offer: HostOffer) -> list[tuple[str, str]] | None:
    """Where a host's reply goes: the programme's trainers."""
    return [(_one_line(t.display_name), t.email) for t in offer.programme.trainers] or None


def _to_host(offer: HostOffer, session, subject, template: str, *, reply_to, now, **context):
    """Queue `template` for the host of `offer`, about `session`, in the host's language."""
    return queue_mail(
        offer.registration.email,
        subject,
        template,
        to_name=_one_line(offer.registration.full_name),
        reply_to=reply_to,
        locale=offer.registration.locale,
        kind=template.replace("/", "."),
        now=now,
        name=offer.registration.first_name,
        programme_title=offer.programme.title,
        theme=session.theme,
        starts_at=session.starts_at,
        **context,
    )


def _mail_host(offer, template, subject, taken, actor: User | None, now) -> int:
    session = offer.session
    trainers = offer.programme.trainers
    reply_to = (
        [(_one_line(actor.display_name), actor.email)] if actor is not None else _trainers(offer)
    )
    return _to_host(
        offer,
        session,
        subject,
        template,
        reply_to=reply_to,
        now=now,
        ends_at=session.ends_at,
        organisation=offer.organisation,
        address=offer.address,
        capacity=offer.capacity,
        seats_taken=taken,
        too_small=offer.too_small_for(taken),
        dietary_wishes=dietary_wishes_count(offer.programme_id),
        trainers=", ".join(t.display_name for t in trainers),
        url=external_url("hosting.offer", offer_id=offer.id),
        reminder=template == "hosting/reminder",
    )


# --- the host's reminder -------------------------------------------------------------------


def offers_to_remind(now: datetime) -> list[int]:
    """Accepted hosts whose meeting starts within REMIND_BEFORE and who were not reminded."""
    return list(
        db.session.execute(
            select(HostOffer.id)
            .join(ProgrammeSession, ProgrammeSession.id == HostOffer.session_id)
            .join(Programme, Programme.id == HostOffer.programme_id)
            .where(
                HostOffer.status == OfferStatus.ACCEPTED,
                HostOffer.reminded_at.is_(None),
                ProgrammeSession.starts_at > now,
                ProgrammeSession.starts_at <= now + REMIND_BEFORE,
                Programme.status.in_(RUNNING),
            )
            .order_by(HostOffer.id)
        ).scalars()
    )


def lock_offer(offer_id: int, *, skip_locked: bool = True) -> HostOffer | None:
    """The offer with its row locked (FOR UPDATE SKIP LOCKED on PostgreSQL)."""
    return db.session.execute(
        select(HostOffer)
        .where(HostOffer.id == offer_id)
        .with_for_update(skip_locked=skip_locked)
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()


def remind_host(offer: HostOffer, *, now: datetime) -> bool:
    """Mail the host a reminder of their meeting, once. MUST hold the offer's lock. Returns
    whether a reminder was queued (False: already reminded, or no longer due)."""
    if (
        offer.reminded_at is not None
        or offer.status is not OfferStatus.ACCEPTED
        or offer.session is None
        or not now < offer.session.starts_at <= now + REMIND_BEFORE
    ):
        return False
    offer.reminded_at = now
    db.session.flush()
    taken = seats_taken(offer.programme_id, now)
    mail_id = _mail_host(
        offer,
        "hosting/reminder",
        _l("Reminder: the group comes to you for “%(theme)s”", theme=offer.session.theme),
        taken,
        None,
        now,
    )
    audit.record("hosting.reminded", offer, actor="system", now=now, mail_id=mail_id)
    return True


# --- practical questions -------------------------------------------------------------------


def ask_question(
    offer: HostOffer,
    registration: Registration,
    body: str,
    *,
    share_contact: bool,
    now: datetime | None = None,
) -> HostQuestion:
    """Send the host a practical question about their meeting, by mail (once). The host may
    answer the asker directly only when the asker agreed; otherwise answers go through the
    trainers."""
    now = now or utcnow()
    body = normalize_newlines(body or "").strip()
    if not body:
        raise ValidationError(str(_l("Please write your question.")))
    if len(body) > QUESTION_MAX_LENGTH:
        raise ValidationError(
            str(_l("A question can be at most %(max)d characters.", max=QUESTION_MAX_LENGTH))
        )
    if offer.status is not OfferStatus.ACCEPTED or offer.session is None:
        raise HostingError(str(_l("This meeting has no host at the moment.")))
    if registration.programme_id != offer.programme_id or not registration.is_seated:
        raise HostingError(str(_l("Only participants of this programme can ask the host.")))
    if offer.session.ends_at <= now:
        raise HostingError(str(_l("This meeting has already taken place.")))
    question = HostQuestion(
        offer_id=offer.id,
        registration_id=registration.id,
        body=body,
        share_contact=bool(share_contact),
        created_at=now,
    )
    db.session.add(question)
    db.session.flush()
    trainers = offer.programme.trainers
    if share_contact:
        reply_to = [(_one_line(registration.full_name), registration.email)]
    else:
        reply_to = [(_one_line(t.display_name), t.email) for t in trainers] or None
    question.mail_id = queue_mail(
        offer.registration.email,
        _l("A practical question about “%(theme)s”", theme=offer.session.theme),
        "hosting/question",
        to_name=_one_line(offer.registration.full_name),
        reply_to=reply_to,
        locale=offer.registration.locale,
        kind="hosting.question",
        now=now,
        name=offer.registration.first_name,
        theme=offer.session.theme,
        starts_at=offer.session.starts_at,
        programme_title=offer.programme.title,
        body=body,
        asker=registration.full_name if share_contact else None,
        asker_email=registration.email if share_contact else None,
        trainers=", ".join(t.display_name for t in trainers),
        url=external_url("hosting.offer", offer_id=offer.id),
    )
    db.session.flush()
    audit.record(
        "hosting.question_asked",
        question,
        actor=f"participant:{registration.id}",
        now=now,
        offer_id=offer.id,
        mail_id=question.mail_id,
    )
    return question


def questions_for(offer_ids: list[int]) -> dict[int, list[HostQuestion]]:
    """The questions sent to these hosts, oldest first, by offer."""
    found: dict[int, list[HostQuestion]] = defaultdict(list)
    if offer_ids:
        for q in db.session.execute(
            select(HostQuestion)
            .where(HostQuestion.offer_id.in_(offer_ids))
            .options(selectinload(HostQuestion.registration))
            .order_by(HostQuestion.created_at, HostQuestion.id)
        ).scalars():
            found[q.offer_id].append(q)
    return found


# --- the rota and the route ----------------------------------------------------------------


@dataclass
class RotaRow:
    session: ProgrammeSession
    host: HostOffer | None
    #: Open offers that would like this meeting.
    wishes: list[HostOffer]
    seats_taken: int
    now: datetime

    @property
    def past(self) -> bool:
        return self.session.starts_at <= self.now

    @property
    def too_small(self) -> bool:
        return self.host is not None and self.host.too_small_for(self.seats_taken)

    @property
    def host_left(self) -> bool:
        """The host no longer has a place in the programme."""
        return self.host is not None and not self.host.registration.is_seated


@dataclass
class Stop:
    position: int
    session: ProgrammeSession
    name: str
    address: str
    url: str


@dataclass
class Rota:
    programme: Programme
    rows: list[RotaRow]
    open_offers: list[HostOffer]
    seats_taken: int
    route: list[Stop] = field(default_factory=list)

    @property
    def hosted(self) -> int:
        return sum(1 for r in self.rows if r.host is not None)


def route(programme: Programme) -> list[Stop]:
    """The places the group travels to, in the order of the meetings."""
    return [
        Stop(
            s.position,
            s,
            s.location_name,
            s.location_address,
            map_url(s.location_address, s.location_name),
        )
        for s in programme.sessions
        if s.location_name or s.location_address
    ]


def _rota_of(programme: Programme, offers: list[HostOffer], taken: int, now: datetime) -> Rota:
    """The rota from a programme's open and accepted offers (oldest first)."""
    hosts = {o.session_id: o for o in offers if o.is_accepted}
    open_offers = [o for o in offers if o.is_open]
    rows = [
        RotaRow(
            s,
            hosts.get(s.id),
            [o for o in open_offers if o.preferred_session_id == s.id],
            taken,
            now,
        )
        for s in programme.sessions
    ]
    return Rota(programme, rows, open_offers, taken, route(programme))


def _offers_of(programme_ids: list[int], *statuses: OfferStatus) -> list[HostOffer]:
    query = (
        select(HostOffer)
        .where(HostOffer.programme_id.in_(programme_ids))
        .options(selectinload(HostOffer.registration))
        .order_by(HostOffer.created_at, HostOffer.id)
    )
    if statuses:
        query = query.where(HostOffer.status.in_(statuses))
    return list(db.session.execute(query).scalars())


def rota(programme: Programme, now: datetime, seats_taken_now: int | None = None) -> Rota:
    """Who hosts which meeting, the open offers, the route (a fixed number of queries: one
    for the offers, one for their volunteers when there are any, one for the seats unless
    the caller counted them already)."""
    offers = _offers_of([programme.id], OfferStatus.OPEN, OfferStatus.ACCEPTED)
    taken = seats_taken(programme.id, now) if seats_taken_now is None else seats_taken_now
    return _rota_of(programme, offers, taken, now)


@dataclass
class MyHosting:
    """What "Mijn traject" shows about hosting for one registration."""

    registration: Registration
    rota: Rota
    offers: list[HostOffer]
    can_volunteer: bool


def for_registrations(registrations: list[Registration], now: datetime) -> dict[int, MyHosting]:
    """Per seated registration in a programme with hosts in turn: the rota, the route and the
    person's own offers. A fixed number of queries however many registrations: the offers
    of those programmes (with their volunteers) and the seats taken in each."""
    relevant = [r for r in registrations if r.is_seated and r.programme.kind in HOSTED_KINDS]
    if not relevant:
        return {}
    programme_ids = sorted({r.programme_id for r in relevant})
    by_programme: dict[int, list[HostOffer]] = defaultdict(list)
    for offer in _offers_of(programme_ids):
        by_programme[offer.programme_id].append(offer)
    taken = dict(
        db.session.execute(
            select(Programme.id, seats_taken_expr(Programme.id)).where(
                Programme.id.in_(programme_ids)
            ),
            {"now": now},
        ).all()
    )
    result = {}
    for registration in relevant:
        programme = registration.programme
        offers = by_programme.get(programme.id, [])
        current = [o for o in offers if o.status is not OfferStatus.WITHDRAWN]
        result[registration.id] = MyHosting(
            registration,
            _rota_of(programme, current, taken.get(programme.id, 0), now),
            [o for o in offers if o.registration_id == registration.id],
            hosts_in_turn(programme) and bool(open_sessions(programme, now)),
        )
    return result


def load_offer(offer_id: int) -> HostOffer | None:
    return db.session.execute(
        select(HostOffer)
        .where(HostOffer.id == offer_id)
        .options(selectinload(HostOffer.programme).selectinload(Programme.trainers))
    ).scalar_one_or_none()


def seats_in(programme_id: int, now: datetime) -> int:
    return seats_taken(programme_id, now)
