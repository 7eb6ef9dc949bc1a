"""Who needs attention in a programme, getting in touch (a personal message, a contact note
that quiets the signals), and the weekly digest for trainers."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from werklab import audit
from werklab.accounts.models import User
from werklab.catalog.models import Programme, ProgrammeStatus, programme_trainers
from werklab.catalog.services import local_to_utc, utc_to_local
from werklab.db import utcnow
from werklab.errors import DomainError, ValidationError
from werklab.extensions import db
from werklab.followup.models import CONTACT_NOTE_MAX_LENGTH, ContactNote, Digest
from werklab.followup.signals import REGISTRY, Finding, SignalKind, compute_all
from werklab.mail import queue_mail
from werklab.registration.models import Registration
from werklab.translation import lazy_gettext as _l

SUBJECT_MAX_LENGTH = 200
MESSAGE_MAX_LENGTH = 5000
#: Programmes whose participants are followed up (and reported in the digest).
FOLLOWED_STATUSES = (ProgrammeStatus.OPEN, ProgrammeStatus.CLOSED)
#: The weekly digest goes out from Monday this hour (Dutch time) on.
DIGEST_HOUR = 7


class NothingToQuiet(DomainError):
    status_code = 409


class CannotMail(DomainError):
    status_code = 409


# --- who needs attention -------------------------------------------------------------------


@dataclass(frozen=True)
class Signal:
    kind: SignalKind
    finding: Finding
    #: Quieted by a contact note (and nothing new since).
    quiet: bool

    @property
    def since(self) -> datetime:
        return self.finding.since

    @property
    def sentence(self) -> str:
        return self.kind.sentence(self.finding)

    @property
    def key(self) -> str:
        return signal_key(self.registration_id, self.kind.key, self.since)

    registration_id: int = 0


@dataclass
class Person:
    registration: Registration
    signals: list[Signal] = field(default_factory=list)
    contacts: list[ContactNote] = field(default_factory=list)

    @property
    def open_signals(self) -> list[Signal]:
        return [s for s in self.signals if not s.quiet]

    @property
    def needs_attention(self) -> bool:
        return bool(self.open_signals)

    @property
    def since(self) -> datetime:
        """The earliest start among the open signals (or among all, when all are quiet)."""
        return min(s.since for s in (self.open_signals or self.signals))

    @property
    def last_contact(self) -> ContactNote | None:
        return self.contacts[-1] if self.contacts else None


@dataclass
class Attention:
    """A programme's people with signals: who needs attention, and who was contacted."""

    programme_id: int
    people: list[Person]

    @property
    def needing(self) -> list[Person]:
        return [p for p in self.people if p.needs_attention]

    @property
    def contacted(self) -> list[Person]:
        return [p for p in self.people if not p.needs_attention]

    def open_keys(self) -> set[str]:
        return {s.key for p in self.needing for s in p.open_signals}


def signal_key(registration_id: int, kind: str, since: datetime) -> str:
    return f"{registration_id}:{kind}:{since.isoformat(timespec='seconds')}"


def _is_quiet(kind: str, since: datetime, notes: list[ContactNote]) -> bool:
    """A signal is quiet when a contact note recorded the same kind with this `since` or a
    later one: a new kind, or the same kind with a later `since`, is something new."""
    for note in notes:
        recorded = (note.quieted or {}).get(kind)
        if recorded and datetime.fromisoformat(recorded) >= since:
            return True
    return False


def attention_for(programme_ids: Sequence[int], now: datetime) -> dict[int, Attention]:
    """Per programme, the people with signals and their contact notes, most urgent first.

    A FIXED number of queries however many programmes and people: the registry's (about
    eight), the registrations found, and their contact notes.
    """
    found = compute_all(programme_ids, now)
    registration_ids = sorted({rid for by_reg in found.values() for rid in by_reg})
    result = {pid: Attention(pid, []) for pid in programme_ids}
    if not registration_ids:
        return result
    registrations = {
        r.id: r
        for r in db.session.execute(
            select(Registration).where(Registration.id.in_(registration_ids))
        ).scalars()
    }
    notes: dict[int, list[ContactNote]] = defaultdict(list)
    for note in db.session.execute(
        select(ContactNote)
        .where(ContactNote.registration_id.in_(registration_ids))
        .options(selectinload(ContactNote.author))
        .order_by(ContactNote.created_at, ContactNote.id)
    ).scalars():
        notes[note.registration_id].append(note)
    people: dict[int, Person] = {}
    for key, kind in REGISTRY.items():
        for rid, finding in found.get(key, {}).items():
            registration = registrations.get(rid)
            if registration is None or registration.programme_id not in result:
                continue
            person = people.get(rid)
            if person is None:
                person = people[rid] = Person(registration, contacts=notes.get(rid, []))
                result[registration.programme_id].people.append(person)
            quiet = _is_quiet(key, finding.since, person.contacts)
            person.signals.append(Signal(kind, finding, quiet, rid))
    for attention in result.values():
        attention.people.sort(
            key=lambda p: (
                not p.needs_attention,
                -len(p.open_signals),
                p.since,
                p.registration.last_name.lower(),
                p.registration.id,
            )
        )
    return result


def attention(programme: Programme, now: datetime) -> Attention:
    """Who in this programme needs attention (a fixed number of queries)."""
    return attention_for([programme.id], now)[programme.id]


@dataclass(frozen=True)
class OverviewRow:
    programme: Programme
    needing: int
    contacted: int


def programmes_followed(trainer_id: int | None) -> list[Programme]:
    """The running programmes a trainer runs (all running programmes for None)."""
    query = (
        select(Programme)
        .where(Programme.status.in_(FOLLOWED_STATUSES))
        .order_by(Programme.title, Programme.id)
    )
    if trainer_id is not None:
        query = query.join(programme_trainers).where(programme_trainers.c.user_id == trainer_id)
    return list(db.session.execute(query).scalars())


def overview(programmes: Sequence[Programme], now: datetime) -> list[OverviewRow]:
    """How many people need attention in each programme (a fixed number of queries)."""
    by_programme = attention_for([p.id for p in programmes], now)
    rows = [
        OverviewRow(p, len(by_programme[p.id].needing), len(by_programme[p.id].contacted))
        for p in programmes
    ]
    return sorted(rows, key=lambda r: -r.needing)  # stable: by title within the same count


def load_programme(programme_id: int) -> Programme | None:
    return db.session.execute(
        select(Programme)
        .where(Programme.id == programme_id)
        .options(selectinload(Programme.trainers))
    ).scalar_one_or_none()


def load_registration(registration_id: int) -> Registration | None:
    registration = db.session.get(Registration, registration_id)
    if registration is not None:
        load_programme(registration.programme_id)
    return registration


def person_of(registration: Registration, now: datetime) -> Person | None:
    """The registration's signals, or None when it has none."""
    for person in attention_for([registration.programme_id], now)[registration.programme_id].people:
        if person.registration.id == registration.id:
            return person
    return None


# --- getting in touch ----------------------------------------------------------------------


def record_contact(
    registration: Registration, body: str, *, actor: User, now: datetime | None = None
) -> ContactNote:
    """Note that a trainer got in touch: quiets the person's current signals until
    something new happens."""
    now = now or utcnow()
    body = (body or "").strip()
    if len(body) > CONTACT_NOTE_MAX_LENGTH:
        raise ValidationError(
            str(_l("A note can be at most %(max)d characters.", max=CONTACT_NOTE_MAX_LENGTH))
        )
    person = person_of(registration, now)
    if person is None:
        raise NothingToQuiet(
            str(
                _l(
                    "%(name)s has no signals at the moment: there is nothing to mark.",
                    name=registration.full_name,
                )
            )
        )
    quieted = {s.kind.key: s.since.isoformat(timespec="seconds") for s in person.signals}
    note = ContactNote(
        registration_id=registration.id,
        author_id=actor.id,
        body=body,
        quieted=quieted,
        created_at=now,
    )
    db.session.add(note)
    db.session.flush()
    audit.record(
        "followup.contacted",
        note,
        actor=f"user:{actor.id}",
        now=now,
        registration_id=registration.id,
        kinds=sorted(quieted),
    )
    return note


def contact_notes_for(registration_ids: list[int]) -> list[ContactNote]:
    """The contact notes with a text about these registrations, oldest first. Also what a
    participant sees under "mijn gegevens" among the notes about them: callers check who may."""
    if not registration_ids:
        return []
    return list(
        db.session.execute(
            select(ContactNote)
            .where(ContactNote.registration_id.in_(registration_ids), ContactNote.body != "")
            .order_by(ContactNote.created_at, ContactNote.id)
        ).scalars()
    )


def _header_name(name: str) -> str:
    """A display name safe for a mail header (no line breaks)."""
    return " ".join((name or "").split())


def send_personal_message(
    registration: Registration,
    subject: str,
    body: str,
    *,
    sender: User,
    mark_contacted: bool = False,
    now: datetime | None = None,
) -> int:
    """Mail a participant a personal message from a trainer (answers go to the trainer),
    through the outbox; optionally note the contact. Returns the mail's id."""
    now = now or utcnow()
    subject = " ".join((subject or "").split())
    body = (body or "").strip()
    if not subject:
        raise ValidationError(str(_l("Please write a subject.")))
    if len(subject) > SUBJECT_MAX_LENGTH:
        raise ValidationError(
            str(_l("A subject can be at most %(max)d characters.", max=SUBJECT_MAX_LENGTH))
        )
    if not body:
        raise ValidationError(str(_l("Please write your message.")))
    if len(body) > MESSAGE_MAX_LENGTH:
        raise ValidationError(
            str(_l("A message can be at most %(max)d characters.", max=MESSAGE_MAX_LENGTH))
        )
    if registration.erased_at is not None:
        raise CannotMail(str(_l("This person's data has been erased: they cannot be mailed.")))
    programme = db.session.get(Programme, registration.programme_id)
    mail_id = queue_mail(
        registration.email,
        subject,
        "followup/personal_message",
        to_name=_header_name(registration.full_name),
        reply_to=[(sender.display_name, sender.email)],
        locale=registration.locale,
        kind="followup.personal_message",
        now=now,
        body=body,
        sender_name=sender.display_name,
        sender_email=sender.email,
        programme_title=programme.title,
    )
    audit.record(
        "followup.message_sent",
        registration,
        actor=f"user:{sender.id}",
        now=now,
        mail_id=mail_id,
    )
    if mark_contacted and person_of(registration, now) is not None:
        record_contact(
            registration,
            str(_l("Sent a personal message: %(subject)s", subject=subject))[
                :CONTACT_NOTE_MAX_LENGTH
            ],
            actor=sender,
            now=now,
        )
    return mail_id


# --- weekly digest -------------------------------------------------------------------------


def week_start(now: datetime) -> date:
    """Monday (Dutch local date) of the week `now` falls in."""
    today = utc_to_local(now).date()
    return today - timedelta(days=today.weekday())


def digest_due_from(now: datetime) -> datetime:
    """When this week's digest may go out (UTC): Monday DIGEST_HOUR:00, Dutch time."""
    return local_to_utc(datetime.combine(week_start(now), time(DIGEST_HOUR)))


def trainers_due_for_digest(now: datetime) -> list[int]:
    """Trainers of running programmes not yet checked this week (none before Monday 7:00)."""
    if now < digest_due_from(now):
        return []
    checked = select(Digest.trainer_id).where(Digest.week_start == week_start(now))
    return list(
        db.session.execute(
            select(User.id)
            .join(programme_trainers, programme_trainers.c.user_id == User.id)
            .join(Programme, Programme.id == programme_trainers.c.programme_id)
            .where(
                User.active.is_(True),
                Programme.status.in_(FOLLOWED_STATUSES),
                User.id.not_in(checked),
            )
            .distinct()
            .order_by(User.id)
        ).scalars()
    )


def lock_trainer(trainer_id: int, *, skip_locked: bool = True) -> User | None:
    """The trainer's row, locked (SKIP LOCKED: None if another machine has it)."""
    return db.session.execute(
        select(User)
        .where(User.id == trainer_id)
        .with_for_update(skip_locked=skip_locked)
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()


def send_digest(trainer: User, *, now: datetime) -> Digest | None:
    """Check one trainer's programmes for this week and mail a digest when something new
    appeared since the last check. MUST hold the trainer's lock. Returns None when this week
    was already checked (by another machine)."""
    week = week_start(now)
    if db.session.execute(
        select(Digest.id).where(Digest.trainer_id == trainer.id, Digest.week_start == week)
    ).first():
        return None
    previous = db.session.execute(
        select(Digest.signal_keys)
        .where(Digest.trainer_id == trainer.id)
        .order_by(Digest.week_start.desc())
        .limit(1)
    ).scalar()
    programmes = programmes_followed(trainer.id)
    by_programme = attention_for([p.id for p in programmes], now)
    keys = sorted(set().union(*(a.open_keys() for a in by_programme.values())))
    new = set(keys) - set(previous or [])
    digest = Digest(
        trainer_id=trainer.id, week_start=week, checked_at=now, mailed=bool(new), signal_keys=keys
    )
    try:
        # The unique (trainer, week) pair: a second claimant stops here, whatever locks did.
        with db.session.begin_nested():
            db.session.add(digest)
    except sa.exc.IntegrityError:
        return None
    if new:
        base = current_app.config["BASE_URL"].rstrip("/")
        sections = [
            {
                "title": p.title,
                "url": f"{base}/werkruimte/{p.id}/aandacht",
                "people": [
                    {
                        "name": person.registration.full_name,
                        "reasons": [
                            {"text": s.sentence, "since": s.since, "new": s.key in new}
                            for s in person.open_signals
                        ],
                    }
                    for person in by_programme[p.id].needing
                ],
            }
            for p in programmes
            if by_programme[p.id].needing
        ]
        queue_mail(
            trainer.email,
            _l("Who needs attention this week"),
            "followup/digest",
            to_name=_header_name(trainer.display_name),
            locale="nl",  # staff accounts carry no language: the interface default
            kind="followup.digest",
            now=now,
            name=trainer.display_name,
            sections=sections,
            new_count=len(new),
        )
    audit.record(
        "followup.digest_checked", digest, actor="system", now=now, mailed=bool(new), new=len(new)
    )
    return digest
