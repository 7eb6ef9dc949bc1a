"""Resident initiatives, site visits (assignment within capacity, host answers, mails) and
the rotating host locations of a programme."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, fields
from datetime import date, datetime

from blinker import Namespace
from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import selectinload

from werklab import audit
from werklab.catalog.dates import check_slot
from werklab.catalog.models import Programme, ProgrammeSession, SessionKind
from werklab.catalog.services import session_changed, session_removed
from werklab.db import utcnow
from werklab.errors import DomainError, ValidationError
from werklab.extensions import db
from werklab.initiatives.models import (
    Initiative,
    SessionHost,
    SiteVisit,
    VisitStatus,
    site_visit_participants,
)
from werklab.links import external_url, sign, unsign
from werklab.mail import queue_mail
from werklab.registration.models import Registration, RegistrationStatus
from werklab.registration.signals import programme_cancelled
from werklab.translation import lazy_gettext as _l

HOST_SALT = "werklab.initiatives.host"
FEEDBACK_SALT = "werklab.initiatives.feedback"


# --- the directory ---------------------------------------------------------------------------


#: A host confirmed or declined a site visit: sender the visit, with now.
visit_answered = Namespace().signal("site-visit-answered")


@dataclass
class InitiativeData:
    name: str
    place: str = ""
    municipality: str = ""
    description: str = ""
    themes: str = ""
    website: str = ""
    contact_name: str = ""
    contact_email: str = ""
    address: str = ""
    accessibility: str = ""
    capacity: int = 8
    consent_date: date | None = None
    share_description: bool = False
    share_address: bool = False
    share_contact: bool = False
    photos_allowed: bool = False


def _check(data: InitiativeData) -> None:
    if not data.name.strip():
        raise ValidationError(str(_l("An initiative needs a name.")))
    if data.capacity < 1:
        raise ValidationError(str(_l("An initiative can host at least one visitor.")))


def create_initiative(
    data: InitiativeData, *, actor: str, now: datetime | None = None
) -> Initiative:
    """Add a resident initiative to the directory."""
    now = now or utcnow()
    _check(data)
    initiative = Initiative(created_at=now, updated_at=now)
    for f in fields(data):
        setattr(initiative, f.name, getattr(data, f.name))
    initiative.name = data.name.strip()
    db.session.add(initiative)
    db.session.flush()
    audit.record("initiative.created", initiative, actor=actor, now=now)
    return initiative


def update_initiative(
    initiative: Initiative, data: InitiativeData, *, actor: str, now: datetime | None = None
) -> Initiative:
    """Change an initiative's details or its consent record."""
    now = now or utcnow()
    _check(data)
    changed = [f.name for f in fields(data) if getattr(initiative, f.name) != getattr(data, f.name)]
    for name in changed:
        setattr(initiative, name, getattr(data, name))
    if changed:
        audit.record("initiative.updated", initiative, actor=actor, now=now, fields=changed)
    db.session.flush()
    if {"name", "place"} & set(changed):
        _touch_programmes(initiative)
    return initiative


def _touch_programmes(initiative: Initiative) -> None:
    """The programme pages that show this initiative on their route get a new version (their
    cached pages, werklab.pagecache, are then rendered again in every worker)."""
    hosted = (
        select(ProgrammeSession.programme_id)
        .join(SessionHost, SessionHost.session_id == ProgrammeSession.id)
        .where(SessionHost.initiative_id == initiative.id)
    )
    db.session.execute(
        update(Programme).where(Programme.id.in_(hosted)).values(updated_at=utcnow()),
        execution_options={"synchronize_session": False},
    )


def all_initiatives() -> list[Initiative]:
    return list(db.session.execute(select(Initiative).order_by(Initiative.name)).scalars())


@dataclass(frozen=True)
class PublicInitiative:
    """What the public list may show of an initiative: only what consent allows."""

    name: str
    place: str
    municipality: str
    description: str
    themes: str
    website: str
    address: str
    contact_name: str
    contact_email: str


def public_initiatives() -> list[PublicInitiative]:
    """The initiatives with a consent record, each with only the parts it agreed to share."""
    rows = db.session.execute(
        select(Initiative).where(Initiative.consent_date.is_not(None)).order_by(Initiative.name)
    ).scalars()
    return [
        PublicInitiative(
            name=i.name,
            place=i.place,
            municipality=i.municipality,
            description=i.description if i.share_description else "",
            themes=i.themes if i.share_description else "",
            website=i.website if i.share_description else "",
            address=i.address if i.share_address else "",
            contact_name=i.contact_name if i.share_contact else "",
            contact_email=i.contact_email if i.share_contact else "",
        )
        for i in rows
    ]


# --- site visits -----------------------------------------------------------------------------


def visits_of(session: ProgrammeSession) -> list[SiteVisit]:
    return list(
        db.session.execute(
            select(SiteVisit).where(SiteVisit.session_id == session.id).order_by(SiteVisit.id)
        ).scalars()
    )


def host_url(visit: SiteVisit) -> str:
    return external_url("initiatives.host", token=sign(visit.host_key, salt=HOST_SALT))


def feedback_url(visit: SiteVisit) -> str:
    return external_url("initiatives.feedback", token=sign(visit.host_key, salt=FEEDBACK_SALT))


def _by_key(token: str, salt: str) -> SiteVisit | None:
    key = unsign(token, salt=salt)
    if key is None:
        return None
    return db.session.execute(
        select(SiteVisit).where(SiteVisit.host_key == key)
    ).scalar_one_or_none()


def visit_by_host_token(token: str) -> SiteVisit | None:
    """The visit behind a host link, or None when the link is tampered or unknown."""
    return _by_key(token, HOST_SALT)


def visit_by_feedback_token(token: str) -> SiteVisit | None:
    return _by_key(token, FEEDBACK_SALT)


def _mail_host(visit: SiteVisit, template: str, subject, kind: str, now: datetime, **context):
    initiative = visit.initiative
    if not initiative.contact_email:
        return
    queue_mail(
        initiative.contact_email,
        subject,
        f"initiatives/{template}",
        to_name=initiative.contact_name,
        kind=kind,
        now=now,
        visit=visit,
        initiative=initiative,
        session=visit.session,
        programme=visit.session.programme,
        **context,
    )


def add_visit(
    session: ProgrammeSession,
    initiative: Initiative,
    starts_at: datetime,
    ends_at: datetime,
    *,
    actor: str,
    now: datetime | None = None,
) -> SiteVisit:
    """Plan a visit to an initiative in a site-visit session and ask the host by mail."""
    now = now or utcnow()
    if session.kind is not SessionKind.SITE_VISIT:
        raise ValidationError(str(_l("Only a site-visit session has visits.")))
    if ends_at <= starts_at:
        raise ValidationError(str(_l("The visit must end after it starts.")))
    check_slot(starts_at, ends_at, now=now, what="visit")
    if any(v.initiative_id == initiative.id for v in visits_of(session)):
        raise ValidationError(str(_l("This initiative is already visited in this session.")))
    visit = SiteVisit(
        session=session,
        initiative=initiative,
        starts_at=starts_at,
        ends_at=ends_at,
        host_key=secrets.token_urlsafe(32),
        created_at=now,
    )
    db.session.add(visit)
    db.session.flush()
    audit.record("site_visit.requested", visit, actor=actor, now=now, initiative_id=initiative.id)
    _mail_host(
        visit,
        "host_request",
        _l("Can we come and visit %(name)s?", name=initiative.name),
        "site_visit.host_request",
        now,
        host_url=host_url(visit),
    )
    return visit


def _lock_visits(session: ProgrammeSession) -> list[SiteVisit]:
    """Lock the session's visits (FOR UPDATE on PostgreSQL) before counting seats in them."""
    return list(
        db.session.execute(
            select(SiteVisit)
            .where(SiteVisit.session_id == session.id)
            .order_by(SiteVisit.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        ).scalars()
    )


def _seated(programme: Programme) -> list[Registration]:
    return list(
        db.session.execute(
            select(Registration)
            .where(
                Registration.programme_id == programme.id,
                Registration.status == RegistrationStatus.CONFIRMED,
            )
            .order_by(Registration.last_name, Registration.first_name, Registration.id)
        ).scalars()
    )


def _unassign(session: ProgrammeSession, registration: Registration) -> None:
    db.session.execute(
        delete(site_visit_participants).where(
            site_visit_participants.c.session_id == session.id,
            site_visit_participants.c.registration_id == registration.id,
        )
    )


def _place(visit: SiteVisit, registration: Registration) -> None:
    db.session.execute(
        insert(site_visit_participants).values(
            visit_id=visit.id, registration_id=registration.id, session_id=visit.session_id
        )
    )


def assign_participant(
    visit: SiteVisit, registration: Registration, *, actor: str, now: datetime | None = None
) -> None:
    """Send a participant to this visit (moving them from another visit of the session).
    Refused when the host has no room left."""
    now = now or utcnow()
    session = visit.session
    if registration.programme_id != session.programme_id or not registration.is_seated:
        raise ValidationError(str(_l("Only participants with a place can be sent on a visit.")))
    _lock_visits(session)
    db.session.refresh(visit)
    if registration in visit.participants:
        return
    if visit.room_left <= 0:
        raise DomainError(
            str(_l("%(name)s cannot host more visitors.", name=visit.initiative.name))
        )
    _unassign(session, registration)
    _place(visit, registration)
    db.session.flush()
    db.session.expire(visit, ["participants"])
    audit.record(
        "site_visit.assigned", visit, actor=actor, now=now, registration_id=registration.id
    )


def assign_automatically(
    session: ProgrammeSession, *, actor: str, now: datetime | None = None
) -> int:
    """Spread the seated participants without a visit over the visits that are not declined,
    never above a host's capacity; return how many could not be placed."""
    now = now or utcnow()
    visits = [v for v in _lock_visits(session) if v.status is not VisitStatus.DECLINED]
    for visit in visits:
        db.session.expire(visit, ["participants"])
    placed = {r.id for v in visits for r in v.visitors}
    # Participants in a declined visit are placed again.
    declined_ids = [v.id for v in visits_of(session) if v.status is VisitStatus.DECLINED]
    if declined_ids:
        db.session.execute(
            delete(site_visit_participants).where(
                site_visit_participants.c.visit_id.in_(declined_ids)
            )
        )
    waiting = [r for r in _seated(session.programme) if r.id not in placed]
    room = {v.id: v.room_left for v in visits}
    unplaced = 0
    for registration in waiting:
        # The visit with the most room left: groups stay even.
        best = max(visits, key=lambda v: room[v.id], default=None)
        if best is None or room[best.id] <= 0:
            unplaced += 1
            continue
        _place(best, registration)
        room[best.id] -= 1
    db.session.flush()
    for visit in visits:
        db.session.expire(visit, ["participants"])
    audit.record(
        "site_visit.auto_assigned",
        session,
        actor=actor,
        now=now,
        placed=len(waiting) - unplaced,
        unplaced=unplaced,
    )
    return unplaced


def respond_to_visit(
    visit: SiteVisit, *, accept: bool, info: str, now: datetime | None = None
) -> SiteVisit:
    """The host confirms or declines a visit and adds practical information."""
    now = now or utcnow()
    if visit.ends_at <= now:
        raise DomainError(str(_l("This visit has already taken place.")))
    visit.status = VisitStatus.CONFIRMED if accept else VisitStatus.DECLINED
    visit.host_info = info.strip()
    visit.responded_at = now
    audit.record(
        "site_visit.confirmed" if accept else "site_visit.declined",
        visit,
        actor=f"host:{visit.id}",
        now=now,
    )
    db.session.flush()
    visit_answered.send(visit, now=now)
    return visit


def visit_for_participant(
    session: ProgrammeSession, registration: Registration
) -> SiteVisit | None:
    return db.session.execute(
        select(SiteVisit)
        .join(site_visit_participants, site_visit_participants.c.visit_id == SiteVisit.id)
        .where(
            SiteVisit.session_id == session.id,
            site_visit_participants.c.registration_id == registration.id,
        )
    ).scalar_one_or_none()


def visits_for_registration(
    registration: Registration,
) -> list[tuple[ProgrammeSession, SiteVisit | None]]:
    """Each site-visit session of the registration's programme with the participant's visit."""
    return [
        (s, visit_for_participant(s, registration))
        for s in registration.programme.sessions
        if s.kind is SessionKind.SITE_VISIT
    ]


def _notify_change(visit: SiteVisit, now: datetime) -> None:
    """Mail the visit's participants and its host that the time or place changed."""
    for registration in visit.visitors:
        queue_mail(
            registration.email,
            _l("Changed: your site visit on %(theme)s", theme=visit.session.theme),
            "initiatives/visit_changed",
            to_name=f"{registration.first_name} {registration.last_name}",
            locale=registration.locale,
            kind="site_visit.changed",
            now=now,
            visit=visit,
            session=visit.session,
            registration=registration,
            show_address=visit.status is VisitStatus.CONFIRMED,
        )
    _mail_host(
        visit,
        "host_changed",
        _l("Changed: the visit to %(name)s", name=visit.initiative.name),
        "site_visit.host_changed",
        now,
        host_url=host_url(visit),
    )


def move_visit(
    visit: SiteVisit,
    starts_at: datetime,
    ends_at: datetime,
    *,
    actor: str,
    now: datetime | None = None,
) -> SiteVisit:
    """Change a visit's time slot and mail everyone concerned."""
    now = now or utcnow()
    if ends_at <= starts_at:
        raise ValidationError(str(_l("The visit must end after it starts.")))
    check_slot(starts_at, ends_at, now=now, previous_start=visit.starts_at, what="visit")
    if (visit.starts_at, visit.ends_at) == (starts_at, ends_at):
        return visit
    visit.starts_at, visit.ends_at = starts_at, ends_at
    visit.thanked_at = None
    audit.record("site_visit.moved", visit, actor=actor, now=now)
    db.session.flush()
    _notify_change(visit, now)
    return visit


_WHEN_OR_WHERE = {"starts_at", "ends_at", "location_name", "location_address"}


@session_changed.connect
def _on_session_changed(session: ProgrammeSession, *, previous, actor, now, **_kw) -> None:
    """A site-visit session moved (time or place): move its visits by the same amount and
    mail their participants and hosts."""
    if not _WHEN_OR_WHERE & set(previous):
        return
    shift = session.starts_at - previous["starts_at"] if "starts_at" in previous else None
    for visit in visits_of(session):
        if visit.status is VisitStatus.DECLINED:
            continue
        if shift:
            visit.starts_at += shift
            visit.ends_at += shift
        audit.record("site_visit.session_changed", visit, actor=actor, now=now)
        db.session.flush()
        _notify_change(visit, now)


@session_removed.connect
def _on_session_removed(session: ProgrammeSession, *, now, **_kw) -> None:
    """A deleted site-visit session: its hosts hear that the visit does not take place
    (its participants hear it from the registration area's mail about the session)."""
    _cancel_visits([session], now, programme_cancelled=False)


@programme_cancelled.connect
def _on_programme_cancelled(programme: Programme, *, now, **_kw) -> None:
    _cancel_visits(programme.sessions, now, programme_cancelled=True)


def _cancel_visits(sessions, now: datetime, *, programme_cancelled: bool) -> None:
    """Tell the hosts of the visits still ahead (asked or confirmed) that they are off."""
    for session in sessions:
        if session.kind is not SessionKind.SITE_VISIT:
            continue
        for visit in visits_of(session):
            if visit.status is VisitStatus.DECLINED or visit.starts_at <= now:
                continue
            audit.record(
                "site_visit.cancelled",
                visit,
                actor="system",
                now=now,
                programme_cancelled=programme_cancelled,
            )
            _mail_host(
                visit,
                "host_cancelled",
                _l("Cancelled: the visit to %(name)s", name=visit.initiative.name),
                "site_visit.host_cancelled",
                now,
                programme_cancelled=programme_cancelled,
            )


def thank_hosts(now: datetime | None = None) -> int:
    """After a confirmed visit, mail its host a thank-you with a one-question feedback link,
    once. Runs from tick; MUST be committed by the caller."""
    now = now or utcnow()
    visits = db.session.execute(
        select(SiteVisit)
        .where(
            SiteVisit.status == VisitStatus.CONFIRMED,
            SiteVisit.ends_at <= now,
            SiteVisit.thanked_at.is_(None),
        )
        .with_for_update(skip_locked=True)
    ).scalars()
    count = 0
    for visit in visits:
        visit.thanked_at = now
        _mail_host(
            visit,
            "host_thanks",
            _l("Thank you for hosting us, %(name)s", name=visit.initiative.name),
            "site_visit.host_thanks",
            now,
            feedback_url=feedback_url(visit),
        )
        audit.record("site_visit.thanked", visit, actor="system", now=now)
        count += 1
    db.session.flush()
    return count


def give_feedback(visit: SiteVisit, answer: str, *, now: datetime | None = None) -> None:
    """The host's answer to the one feedback question; once."""
    now = now or utcnow()
    if visit.feedback_at is not None:
        raise DomainError(str(_l("Thank you: your feedback has already been received.")))
    if not answer.strip():
        raise ValidationError(str(_l("Please write a short answer.")))
    visit.feedback = answer.strip()
    visit.feedback_at = now
    audit.record("site_visit.feedback", visit, actor=f"host:{visit.id}", now=now)
    db.session.flush()


# --- rotating host locations -----------------------------------------------------------------


def set_session_host(
    session: ProgrammeSession,
    *,
    initiative: Initiative | None,
    organisation: str,
    actor: str,
    now: datetime | None = None,
) -> SessionHost | None:
    """Record who hosts a session: an initiative or a participant's organisation (or no one)."""
    now = now or utcnow()
    host = db.session.get(SessionHost, session.id)
    organisation = organisation.strip()
    if initiative is None and not organisation:
        if host is not None:
            db.session.delete(host)
    else:
        if host is None:
            host = SessionHost(session_id=session.id)
            db.session.add(host)
        host.initiative = initiative
        host.host_organisation = "" if initiative is not None else organisation
    audit.record(
        "session.host_set",
        session,
        actor=actor,
        now=now,
        initiative_id=initiative.id if initiative else None,
        organisation=organisation,
    )
    # The route is on the programme's cached page: a new version renders it again.
    session.programme.updated_at = utcnow()
    db.session.flush()
    return host


@dataclass(frozen=True)
class RouteStop:
    session: ProgrammeSession
    host: str
    place: str
    past: bool


def route_for(programme: Programme, now: datetime | None = None) -> list[RouteStop]:
    """Where the group has been and is going: each session with its host, in order."""
    now = now or utcnow()
    ids = [s.id for s in programme.sessions]
    hosts = (
        {
            h.session_id: h
            for h in db.session.execute(
                select(SessionHost)
                .where(SessionHost.session_id.in_(ids))
                .options(selectinload(SessionHost.initiative))
            ).scalars()
        }
        if ids
        else {}
    )
    if not hosts:
        return []  # no rotating hosts: the session list already says where the group meets
    stops = []
    for s in programme.sessions:
        host = hosts.get(s.id)
        if host is not None and host.initiative is not None:
            name = host.initiative.name
            place = host.initiative.place
        elif host is not None:
            name, place = host.host_organisation, ""
        else:
            name, place = s.location_name, ""
        stops.append(RouteStop(session=s, host=name, place=place, past=s.ends_at < now))
    return stops


def session_host(session: ProgrammeSession) -> SessionHost | None:
    return db.session.get(SessionHost, session.id)
