"""Open a renewal, renew or decline through the personal link, remind, and close at the
deadline. Every write of the renewal goes through here.

A renewal seats people in next year's programme through registration's own `register`
(place="seat": under the programme lock and cap, with the same payment choice, the same
price rule and the same invoice or Checkout path as the public form); this module adds no
billing of its own.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from werklab import audit
from werklab.catalog import services as catalog
from werklab.catalog.models import Programme, ProgrammeKind, ProgrammeStatus, Visibility
from werklab.catalog.services import ProgrammeData
from werklab.db import utcnow
from werklab.errors import DomainError
from werklab.extensions import db
from werklab.links import external_url
from werklab.mail import queue_mail
from werklab.registration.models import ACTIVE_STATUSES, Registration, RegistrationStatus
from werklab.registration.seats import lock_programme
from werklab.registration.signup import NoSeatFree, RegistrationData, register
from werklab.renewal.models import InvitationStatus, Renewal, RenewalInvitation
from werklab.translation import lazy_gettext as _l

Answer = InvitationStatus

#: Programmes whose participants can be invited to a next year.
RENEWABLE_STATUSES = (ProgrammeStatus.OPEN, ProgrammeStatus.CLOSED, ProgrammeStatus.COMPLETED)
#: An existing programme can be linked as the next year while nobody is in it yet.
LINKABLE_STATUSES = (ProgrammeStatus.DRAFT, ProgrammeStatus.OPEN, ProgrammeStatus.CLOSED)

_YEAR = re.compile(r"\b(19|20)\d\d\b")


class RenewalError(DomainError):
    status_code = 409


class LinkExpired(RenewalError):
    status_code = 410


@dataclass(frozen=True)
class RenewalData:
    title: str
    #: Last moment (UTC) of the personal links.
    deadline: datetime
    #: An existing programme to use as the next year; None: a copy of this one is made.
    next_programme_id: int | None = None


def _actor(user) -> str:
    return f"user:{user.id}" if user is not None and hasattr(user, "id") else str(user)


def reminder_days() -> int:
    return int(current_app.config.get("RENEWAL_REMINDER_DAYS", 3))


# --- reading ---------------------------------------------------------------------------------


def renewal_of(programme: Programme) -> Renewal | None:
    """The renewal that invites this programme's participants to a next year."""
    return db.session.scalar(select(Renewal).where(Renewal.programme_id == programme.id))


def renewal_into(programme: Programme) -> Renewal | None:
    """The renewal whose next year is this programme."""
    return db.session.scalar(select(Renewal).where(Renewal.next_programme_id == programme.id))


def find_invitation(token: str) -> RenewalInvitation | None:
    if not token or len(token) > 64:
        return None
    return db.session.scalar(select(RenewalInvitation).where(RenewalInvitation.token == token))


def open_invitations(registration_ids: list[int], now: datetime) -> list[RenewalInvitation]:
    """The renewal invitations of these registrations that still take an answer, with their
    renewal and next year's programme: for "Mijn traject", beside the personal mail."""
    if not registration_ids:
        return []
    invitations = db.session.execute(
        select(RenewalInvitation)
        .join(RenewalInvitation.renewal)
        .options(
            joinedload(RenewalInvitation.renewal).joinedload(Renewal.next_programme),
            joinedload(RenewalInvitation.new_registration),
        )
        .where(
            RenewalInvitation.registration_id.in_(registration_ids),
            Renewal.closed_at.is_(None),
            Renewal.deadline >= now,
        )
        .order_by(Renewal.deadline, RenewalInvitation.id)
    ).scalars()
    return [invitation for invitation in invitations if can_answer(invitation, now)]


def upcoming_opening(slug: str, now: datetime) -> tuple[Programme, datetime] | None:
    """A next year that current participants may still renew for: (programme, the moment it
    opens to everyone), for the public page's "opens on"; None otherwise."""
    row = db.session.execute(
        select(Programme, Renewal.deadline)
        .join(Renewal, Renewal.next_programme_id == Programme.id)
        .where(Programme.slug == slug, Renewal.closed_at.is_(None))
    ).first()
    if row is None or row[0].status not in (ProgrammeStatus.OPEN, ProgrammeStatus.CLOSED):
        return None
    return row[0], row[1]


def suggested_title(programme: Programme, now: datetime) -> str:
    """The title with every year in it one higher ("CoP 2026" → "CoP 2027"), or with next
    year added when it has none."""
    if _YEAR.search(programme.title):
        return _YEAR.sub(lambda m: str(int(m.group(0)) + 1), programme.title)
    starts = [s.starts_at for s in programme.sessions]
    year = (min(starts) if starts else now).year + 1
    return f"{programme.title} {year}"[:200]


def linkable_programmes(programme: Programme) -> list[Programme]:
    """Other Communities of Practice that can be linked as the next year: not yet anyone's
    next year, not a programme with a renewal of its own, and with nobody registered."""
    taken = select(Renewal.next_programme_id).union(select(Renewal.programme_id))
    registered = (
        select(Registration.id)
        .where(
            Registration.programme_id == Programme.id,
            Registration.status.in_(ACTIVE_STATUSES),
        )
        .exists()
    )
    return list(
        db.session.execute(
            select(Programme)
            .where(
                Programme.kind == ProgrammeKind.COP,
                Programme.id != programme.id,
                Programme.status.in_(LINKABLE_STATUSES),
                Programme.id.not_in(taken),
                ~registered,
            )
            .order_by(Programme.title)
        ).scalars()
    )


@dataclass
class Answers:
    renewed: list[RenewalInvitation]
    declined: list[RenewalInvitation]
    waiting: list[RenewalInvitation]
    expired: list[RenewalInvitation]


def answers(renewal: Renewal) -> Answers:
    """The invitations by answer (renewed: a seat held or taken in next year)."""
    result = Answers([], [], [], [])
    for invitation in renewal.invitations:
        getattr(result, invitation.status.value).append(invitation)
    return result


# --- opening a renewal -----------------------------------------------------------------------


def _a_year_later(value):
    if value is None:
        return None
    try:
        return value.replace(year=value.year + 1)
    except ValueError:  # 29 February
        return value.replace(year=value.year + 1, day=28)


def _check_renewable(programme: Programme, data: RenewalData, now: datetime) -> None:
    if programme.kind is not ProgrammeKind.COP:
        raise RenewalError(str(_l("Only a Community of Practice runs for another year.")))
    if programme.status not in RENEWABLE_STATUSES:
        raise RenewalError(
            str(_l("A draft or cancelled programme has no participants to invite for next year."))
        )
    if renewal_of(programme) is not None:
        raise RenewalError(str(_l("The renewal for this programme has already been opened.")))
    if renewal_into(programme) is not None and renewal_into(programme).closed_at is None:
        raise RenewalError(
            str(_l("This programme's own renewal round is still running: wait until it ends."))
        )
    if not data.title.strip():
        raise RenewalError(str(_l("Please give next year's programme a title.")))
    if data.deadline <= now:
        raise RenewalError(str(_l("The renewal deadline must lie in the future.")))


def _copy_for_next_year(programme: Programme, data: RenewalData, *, actor: str, now):
    """Next year: the same kind, texts, group size, fee and VAT; the dates a year later
    where they still lie after the renewal deadline. Sessions are not copied: next year's
    meetings are planned anew (dates, hosts and themes are set with the group)."""

    def later(value):
        shifted = _a_year_later(value)
        if shifted is None:
            return None
        moment = shifted
        if not isinstance(shifted, datetime):
            moment = datetime.combine(shifted, time(0, 0))
        return shifted if moment > data.deadline else None

    next_programme = catalog.create_programme(
        ProgrammeData(
            kind=programme.kind,
            title=data.title.strip(),
            description=programme.description,
            region=programme.region,
            fee_cents=programme.fee_cents,
            min_participants=programme.min_participants,
            max_participants=programme.max_participants,
            registration_deadline=later(programme.registration_deadline),
            decision_date=later(programme.decision_date),
            cancellation_deadline=later(programme.cancellation_deadline),
            vat_rate_bp=programme.vat_rate_bp,
            visibility=Visibility.INVITATION,
        ),
        actor=actor,
        now=now,
    )
    next_programme.trainers = list(programme.trainers)
    return next_programme


def _linked(programme: Programme, programme_id: int) -> Programme:
    candidate = next((p for p in linkable_programmes(programme) if p.id == programme_id), None)
    if candidate is None:
        raise RenewalError(
            str(
                _l(
                    "That programme cannot be next year's: choose a Community of Practice "
                    "nobody has registered for yet, or let a new one be made."
                )
            )
        )
    return candidate


def open_renewal(
    programme: Programme, data: RenewalData, *, actor, now: datetime | None = None
) -> Renewal:
    """Invite the programme's seated participants to continue in next year's programme,
    which stays invitation-only until `data.deadline`; mail each their personal link."""
    now = now or utcnow()
    actor = _actor(actor)
    _check_renewable(programme, data, now)
    if data.next_programme_id:
        next_programme = _linked(programme, data.next_programme_id)
        opens_as = next_programme.visibility
        next_programme.title = data.title.strip()[:200]
    else:
        next_programme = _copy_for_next_year(programme, data, actor=actor, now=now)
        opens_as = programme.visibility
    if (
        next_programme.registration_deadline
        and next_programme.registration_deadline <= data.deadline
    ):
        raise RenewalError(
            str(_l("Next year's registration deadline lies before the renewal deadline."))
        )
    # Until the deadline only the personal links reach it: invitation-only, with a secret
    # nobody is given (the links seat people through the renewal, not this token).
    next_programme.visibility = Visibility.INVITATION
    if not next_programme.invitation_token:
        next_programme.invitation_token = secrets.token_urlsafe(24)
    if next_programme.status is not ProgrammeStatus.OPEN:
        catalog.set_status(next_programme, ProgrammeStatus.OPEN, actor=actor, now=now)
    renewal = Renewal(
        programme_id=programme.id,
        next_programme=next_programme,
        deadline=data.deadline,
        opens_as=opens_as,
        opened_by=actor,
        created_at=now,
    )
    db.session.add(renewal)
    seated = db.session.execute(
        select(Registration)
        .where(
            Registration.programme_id == programme.id,
            Registration.status == RegistrationStatus.CONFIRMED,
            Registration.erased_at.is_(None),
        )
        .order_by(Registration.id)
    ).scalars()
    for registration in seated:
        invitation = RenewalInvitation(renewal=renewal, registration=registration)
        db.session.add(invitation)
        db.session.flush()
        audit.record("renewal.invited", registration, actor=actor, now=now, renewal=renewal.id)
        _mail(
            invitation,
            "invitation",
            _l("Continue with %(title)s?", title=next_programme.title),
            now,
        )
    db.session.flush()
    audit.record(
        "renewal.opened",
        programme,
        actor=actor,
        now=now,
        next_programme=next_programme.id,
        deadline=data.deadline.isoformat(),
        invited=len(renewal.invitations),
    )
    return renewal


# --- the personal link -----------------------------------------------------------------------


def _locked(invitation: RenewalInvitation, now: datetime) -> RenewalInvitation:
    """Lock next year's programme (the same lock as every seat decision), then read the
    invitation afresh: two answers through one link are decided one after the other."""
    lock_programme(invitation.renewal.next_programme_id)
    db.session.refresh(invitation)
    db.session.refresh(invitation.renewal)
    return invitation


def can_answer(invitation: RenewalInvitation, now: datetime) -> bool:
    """The link still takes an answer: before the deadline, and not yet answered (someone
    whose online payment was not completed may try again)."""
    if not invitation.renewal.is_open(now):
        return False
    if invitation.status is Answer.WAITING:
        return True
    return invitation.status is Answer.RENEWED and not _holds_seat(invitation)


def _holds_seat(invitation: RenewalInvitation) -> bool:
    new = invitation.new_registration
    return new is not None and new.status in (RegistrationStatus.CONFIRMED, RegistrationStatus.HELD)


def _check_answerable(invitation: RenewalInvitation, now: datetime) -> None:
    if not invitation.renewal.is_open(now):
        raise LinkExpired(
            str(
                _l(
                    "This renewal link has expired: the deadline has passed. You can still "
                    "register through the programme page if places are free."
                )
            )
        )
    if not can_answer(invitation, now):
        if invitation.status is Answer.DECLINED:
            raise RenewalError(
                str(
                    _l(
                        "You have already said you will not continue. Changed your mind? "
                        "Please contact the coordinator."
                    )
                )
            )
        raise RenewalError(str(_l("You have already renewed: your place for next year is yours.")))


def renew(
    invitation: RenewalInvitation, data: RegistrationData, *, now: datetime | None = None
) -> Registration:
    """Take a seat in next year's programme through the personal link: the same cap, lock,
    payment choice and mails as any registration (online: a held seat, paid after)."""
    now = now or utcnow()
    invitation = _locked(invitation, now)
    _check_answerable(invitation, now)
    old = invitation.registration
    actor = f"participant:{old.id}"
    try:
        registration = register(
            invitation.renewal.next_programme_id, data, actor=actor, place="seat", now=now
        )
    except NoSeatFree as exc:
        raise RenewalError(
            str(
                _l(
                    "All places in next year's programme are taken: the group has become "
                    "smaller. Please contact the coordinator."
                )
            )
        ) from exc
    invitation.status = Answer.RENEWED
    invitation.answered_at = now
    invitation.new_registration = registration
    db.session.flush()
    audit.record(
        "renewal.renewed",
        old,
        actor=actor,
        now=now,
        renewal=invitation.renewal_id,
        new_registration=registration.id,
        status=registration.status.value,
    )
    return registration


def decline_renewal(invitation: RenewalInvitation, *, now: datetime | None = None) -> None:
    """The person does not continue: the place is free for the public opening."""
    now = now or utcnow()
    invitation = _locked(invitation, now)
    _check_answerable(invitation, now)
    if invitation.status is Answer.RENEWED:  # an unpaid try: nothing is held any more
        invitation.new_registration = None
    invitation.status = Answer.DECLINED
    invitation.answered_at = now
    db.session.flush()
    audit.record(
        "renewal.declined",
        invitation.registration,
        actor=f"participant:{invitation.registration_id}",
        now=now,
        renewal=invitation.renewal_id,
    )
    _mail(
        invitation,
        "declined",
        _l("You will not continue with %(title)s", title=invitation.renewal.next_programme.title),
        now,
    )


# --- tick: the reminder and the deadline ----------------------------------------------------


def renewals_to_remind(now: datetime) -> list[int]:
    return list(
        db.session.execute(
            select(Renewal.id).where(
                Renewal.closed_at.is_(None),
                Renewal.reminded_at.is_(None),
                Renewal.deadline > now,
                Renewal.deadline <= now + timedelta(days=reminder_days()),
            )
        ).scalars()
    )


def _claim(renewal_id: int) -> Renewal | None:
    """The renewal row locked for this transaction, or None when another machine holds it
    (FOR UPDATE SKIP LOCKED; SQLite serialises writers at BEGIN IMMEDIATE)."""
    return db.session.execute(
        select(Renewal)
        .where(Renewal.id == renewal_id)
        .with_for_update(skip_locked=True)
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()


def remind(renewal_id: int, *, now: datetime) -> int:
    """Remind, once, everyone who has not answered a few days before the deadline."""
    renewal = _claim(renewal_id)
    if renewal is None or renewal.reminded_at is not None or not renewal.is_open(now):
        return 0
    renewal.reminded_at = now
    count = 0
    for invitation in renewal.invitations:
        if invitation.status is Answer.WAITING:
            _mail(
                invitation,
                "reminder",
                _l("Reminder: continue with %(title)s?", title=renewal.next_programme.title),
                now,
            )
            count += 1
    db.session.flush()
    audit.record("renewal.reminded", renewal.programme, actor="system", now=now, reminded=count)
    return count


def renewals_to_close(now: datetime) -> list[int]:
    return list(
        db.session.execute(
            select(Renewal.id).where(Renewal.closed_at.is_(None), Renewal.deadline < now)
        ).scalars()
    )


def close_renewal(renewal_id: int, *, now: datetime) -> int:
    """The deadline passed: who did not answer no longer has a place kept, and next year
    opens as it will run (public, or invitation-only). Returns the number expired."""
    renewal = _claim(renewal_id)
    if renewal is None or renewal.closed_at is not None or renewal.deadline >= now:
        return 0
    lock_programme(renewal.next_programme_id)
    expired = 0
    for invitation in renewal.invitations:
        if invitation.status is not Answer.WAITING:
            continue
        invitation.status = Answer.EXPIRED
        invitation.answered_at = now
        audit.record(
            "renewal.expired",
            invitation.registration,
            actor="system",
            now=now,
            renewal=renewal.id,
        )
        _mail(
            invitation,
            "expired",
            _l("Your place in %(title)s is no longer kept", title=renewal.next_programme.title),
            now,
        )
        expired += 1
    next_programme = renewal.next_programme
    next_programme.visibility = renewal.opens_as
    if renewal.opens_as is Visibility.PUBLIC:
        next_programme.invitation_token = None
    renewal.closed_at = now
    db.session.flush()
    audit.record(
        "renewal.closed",
        renewal.programme,
        actor="system",
        now=now,
        expired=expired,
        next_programme=next_programme.id,
    )
    return expired


# --- mails -----------------------------------------------------------------------------------


def renewal_url(invitation: RenewalInvitation) -> str:
    return external_url("renewal.renew", token=invitation.token)


def _mail(invitation: RenewalInvitation, template: str, subject, now: datetime) -> None:
    registration = invitation.registration
    renewal = invitation.renewal
    queue_mail(
        registration.email,
        subject,
        f"renewal/{template}",
        to_name=registration.full_name,
        locale=registration.locale,
        kind=f"renewal.{template}",
        now=now,
        first_name=registration.first_name,
        title=renewal.programme.title,
        next_title=renewal.next_programme.title,
        deadline=renewal.deadline,
        renew_url=renewal_url(invitation),
        decline_url=external_url("renewal.decline", token=invitation.token),
        programme_url=external_url("catalog.programme", slug=renewal.next_programme.slug),
    )


def seats_count(programme_id: int) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(Registration)
        .where(
            Registration.programme_id == programme_id,
            Registration.status == RegistrationStatus.CONFIRMED,
        )
    )
