"""Writing to a programme's people through the outbox: each recipient gets their own mail,
addressed by first name, with Reply-To the writer; the programme keeps what went to whom."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from werklab import audit
from werklab.accounts.models import User
from werklab.catalog.models import Programme
from werklab.db import utcnow
from werklab.errors import DomainError, ValidationError
from werklab.extensions import db
from werklab.fields import normalize_newlines
from werklab.groups import services as groups
from werklab.groups.models import HomeworkGroup
from werklab.links import external_url
from werklab.mail import queue_mail
from werklab.messages.models import Audience, Message, MessageRecipient
from werklab.registration.models import Registration, RegistrationStatus
from werklab.translation import lazy_gettext as _l

S = RegistrationStatus

SUBJECT_MAX = 200
BODY_MAX = 10_000
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

#: Who counts as "on the waiting list": waiting, or offered a seat and not yet answered.
WAITING_STATUSES = (S.WAITLISTED, S.OFFERED)
#: Who can be picked one by one: anyone still taking part or waiting.
CHOSEN_STATUSES = (S.CONFIRMED, S.HELD, S.WAITLISTED, S.OFFERED)


class NobodyToWrite(DomainError):
    status_code = 409


@dataclass(frozen=True)
class MessageData:
    audience: Audience
    subject: str
    body: str
    group_id: int | None = None
    chosen: tuple[int, ...] = ()


def _by_name():
    return (
        func.lower(Registration.last_name),
        func.lower(Registration.first_name),
        Registration.id,
    )


def candidates(programme_id: int) -> list[Registration]:
    """Everyone who can be picked one by one: taking part or waiting, by name."""
    return list(
        db.session.execute(
            select(Registration)
            .where(
                Registration.programme_id == programme_id,
                Registration.status.in_(CHOSEN_STATUSES),
                Registration.erased_at.is_(None),
            )
            .order_by(*_by_name())
        ).scalars()
    )


def current_groups(programme_id: int) -> list[HomeworkGroup]:
    round_ = groups.current_round(programme_id)
    return groups.groups_of(programme_id, round_) if round_ else []


def recipients(programme: Programme, data: MessageData) -> tuple[list[Registration], str | None]:
    """The people a message goes to, and the group's name when it goes to one group."""
    R = Registration
    mine = (R.programme_id == programme.id, R.erased_at.is_(None))
    if data.audience is Audience.PARTICIPANTS:
        query = select(R).where(*mine, R.status == S.CONFIRMED)
    elif data.audience is Audience.WAITING:
        query = select(R).where(*mine, R.status.in_(WAITING_STATUSES))
    elif data.audience is Audience.GROUP:
        group = next((g for g in current_groups(programme.id) if g.id == data.group_id), None)
        if group is None:
            raise ValidationError(str(_l("Choose one of this programme's homework groups.")))
        people = [r for r in group.members if r.erased_at is None and r.status is S.CONFIRMED]
        return people, group.name
    else:
        if not data.chosen:
            raise ValidationError(str(_l("Choose at least one person.")))
        query = select(R).where(*mine, R.status.in_(CHOSEN_STATUSES), R.id.in_(data.chosen))
    people = list(db.session.execute(query.order_by(*_by_name())).scalars())
    if data.audience is Audience.CHOSEN and len(people) != len(set(data.chosen)):
        raise ValidationError(str(_l("Someone you chose is no longer registered.")))
    return people, None


def _clean(data: MessageData) -> tuple[str, str]:
    subject = " ".join((data.subject or "").split())
    body = normalize_newlines(data.body or "").strip()
    if not subject:
        raise ValidationError(str(_l("Please write a subject.")))
    if len(subject) > SUBJECT_MAX:
        raise ValidationError(str(_l("The subject can be at most 200 characters.")))
    if not body:
        raise ValidationError(str(_l("Please write a message.")))
    if len(body) > BODY_MAX:
        raise ValidationError(str(_l("The message can be at most 10,000 characters.")))
    if _CONTROL.search(subject) or _CONTROL.search(body):
        raise ValidationError(str(_l("This text contains characters we cannot store.")))
    return subject, body


def send_message(
    programme: Programme, data: MessageData, *, author: User, now: datetime | None = None
) -> Message:
    """Write to some of a programme's people: one mail each through the outbox, addressed
    by first name, with Reply-To the author; the message and its recipients are kept."""
    now = now or utcnow()
    subject, body = _clean(data)
    people, group_name = recipients(programme, data)
    if not people:
        raise NobodyToWrite(str(_l("There is nobody to send this message to.")))
    message = Message(
        programme_id=programme.id,
        author_id=author.id,
        author_name=author.display_name,
        author_email=author.email,
        audience=data.audience,
        group_name=group_name,
        subject=subject,
        body=body,
        created_at=now,
    )
    db.session.add(message)
    db.session.flush()
    for person in people:
        mail_id = queue_mail(
            person.email,
            subject,
            "messages/message",
            to_name=person.full_name,
            locale=person.locale,
            kind="messages.message",
            reply_to=[(author.display_name, author.email)],
            now=now,
            first_name=person.first_name,
            programme=programme,
            author_name=author.display_name,
            body=body,
            my_url=external_url("messages.mine"),
        )
        db.session.add(
            MessageRecipient(message_id=message.id, registration_id=person.id, mail_id=mail_id)
        )
    db.session.flush()
    audit.record(
        "message.sent",
        programme,
        actor=f"user:{author.id}",
        now=now,
        message=message.id,
        subject=subject,
        audience=data.audience.value,
        recipients=len(people),
    )
    return message


@dataclass(frozen=True)
class SentMessage:
    message: Message
    count: int


def history(programme_id: int) -> list[SentMessage]:
    """What was written to the programme's people, newest first, with how many got it."""
    count = (
        select(func.count())
        .select_from(MessageRecipient)
        .where(MessageRecipient.message_id == Message.id)
        .correlate_except(MessageRecipient)
        .scalar_subquery()
    )
    rows = db.session.execute(
        select(Message, count)
        .where(Message.programme_id == programme_id)
        .order_by(Message.created_at.desc(), Message.id.desc())
    )
    return [SentMessage(m, n) for m, n in rows]


def load_message(programme_id: int, message_id: int) -> Message | None:
    message = db.session.execute(
        select(Message)
        .where(Message.id == message_id)
        .options(selectinload(Message.recipients).selectinload(MessageRecipient.registration))
    ).scalar_one_or_none()
    if message is None or message.programme_id != programme_id:
        return None
    return message


@dataclass(frozen=True)
class Received:
    message: Message
    registration: Registration


def received_by(email: str) -> list[Received]:
    """The messages a person (by e-mail address) received, newest first."""
    rows = db.session.execute(
        select(Message, Registration)
        .join(MessageRecipient, MessageRecipient.message_id == Message.id)
        .join(Registration, Registration.id == MessageRecipient.registration_id)
        .where(Registration.email_normalized == email.strip().lower())
        .options(selectinload(Message.programme))
        .order_by(Message.created_at.desc(), Message.id.desc())
    )
    return [Received(m, r) for m, r in rows]


# --- sharing one's e-mail address with the homework group -----------------------------------


def set_email_sharing(
    registration: Registration, share: bool, *, actor: str, now: datetime | None = None
) -> bool:
    """Show (or stop showing) one's e-mail address to one's homework group. Returns whether
    anything changed."""
    now = now or utcnow()
    if share == (registration.share_email_at is not None):
        return False
    registration.share_email_at = now if share else None
    db.session.flush()
    audit.record("registration.edited", registration, actor=actor, now=now, fields=["share_email"])
    return True
