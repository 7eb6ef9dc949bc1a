"""Certificates: who is eligible (the attendance register and the programme's rule), issuing
them in one go, revoking, and the public verification."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from flask_babel import format_datetime
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from werklab import audit, mail
from werklab.accounts.models import User
from werklab.attendance.models import AttendanceRecord, AttendanceStatus
from werklab.catalog.models import Programme, ProgrammeSession
from werklab.catalog.services import utc_to_local
from werklab.certificates.models import Certificate, EligibilityRule, RuleKind
from werklab.db import utcnow
from werklab.errors import DomainError, ValidationError
from werklab.extensions import db
from werklab.registration.models import Registration, RegistrationStatus
from werklab.translation import lazy_gettext as _l

#: Renders the PDF when the mail is sent (werklab.mail attachments_later).
ATTACHMENT_RENDERER = "werklab.certificates.pdf:certificate_attachment"


class AlreadyRevoked(DomainError):
    status_code = 409


def load_programme(programme_id: int) -> Programme | None:
    return db.session.execute(
        select(Programme)
        .where(Programme.id == programme_id)
        .options(selectinload(Programme.trainers), selectinload(Programme.sessions))
    ).scalar_one_or_none()


def load_certificate(certificate_id: int) -> Certificate | None:
    return db.session.get(Certificate, certificate_id)


def find_by_code(code: str) -> Certificate | None:
    """The certificate with this verification code, or None."""
    if not code or len(code) > 64:
        return None
    return db.session.execute(
        select(Certificate).where(Certificate.code == code)
    ).scalar_one_or_none()


def rule_for(programme: Programme) -> EligibilityRule:
    """The programme's rule; without a stored one, every session attended (not saved)."""
    return db.session.get(EligibilityRule, programme.id) or EligibilityRule(
        programme_id=programme.id, kind=RuleKind.ALL
    )


def set_rule(
    programme: Programme,
    kind: RuleKind,
    *,
    minimum_sessions: int | None = None,
    minimum_percent: int | None = None,
    actor: User,
    now: datetime | None = None,
) -> EligibilityRule:
    """Set who gets a certificate: all sessions, a minimum number, or a share of them."""
    now = now or utcnow()
    total = len(programme.sessions)
    if kind is RuleKind.MINIMUM and not (
        minimum_sessions and 1 <= minimum_sessions <= max(total, 1)
    ):
        raise ValidationError(
            str(_l("Choose a number of sessions between 1 and %(total)d.", total=max(total, 1)))
        )
    if kind is RuleKind.SHARE and not (minimum_percent and 1 <= minimum_percent <= 100):
        raise ValidationError(str(_l("Choose a percentage between 1 and 100.")))
    rule = db.session.get(EligibilityRule, programme.id)
    if rule is None:
        rule = EligibilityRule(programme_id=programme.id)
        db.session.add(rule)
    rule.kind = kind
    rule.minimum_sessions = minimum_sessions if kind is RuleKind.MINIMUM else None
    rule.minimum_percent = minimum_percent if kind is RuleKind.SHARE else None
    rule.updated_at = now
    db.session.flush()
    audit.record(
        "certificate_rule.set",
        programme,
        actor=f"user:{actor.id}",
        now=now,
        kind=kind.value,
        minimum_sessions=rule.minimum_sessions,
        minimum_percent=rule.minimum_percent,
    )
    return rule


@dataclass(frozen=True)
class Standing:
    """One participant's standing towards a certificate."""

    registration: Registration
    attended: list[ProgrammeSession]
    total: int
    required: int
    certificate: Certificate | None

    @property
    def eligible(self) -> bool:
        return self.total > 0 and len(self.attended) >= self.required

    @property
    def reason(self) -> str:
        """ "2 van 3 bijeenkomsten aanwezig" (and how many are needed when that is fewer)."""
        text = str(
            _l(
                "%(attended)d of %(total)d sessions attended",
                attended=len(self.attended),
                total=self.total,
            )
        )
        if self.required != self.total:
            text += " " + str(_l("(%(required)d needed)", required=self.required))
        return text


def standings(programme: Programme) -> list[Standing]:
    """Everyone with a seat (and anyone with a certificate), by name, with the sessions they
    attended and whether the rule makes them eligible. Three queries."""
    sessions = list(programme.sessions)
    total = len(sessions)
    required = rule_for(programme).required(total)
    certificates = {
        c.registration_id: c
        for c in db.session.execute(
            select(Certificate).where(Certificate.programme_id == programme.id)
        ).scalars()
    }
    registrations = db.session.execute(
        select(Registration)
        .where(
            Registration.programme_id == programme.id,
            (Registration.status == RegistrationStatus.CONFIRMED)
            | Registration.id.in_(list(certificates) or [-1]),
        )
        .order_by(
            func.lower(Registration.last_name), func.lower(Registration.first_name), Registration.id
        )
    ).scalars()
    by_id = {s.id: s for s in sessions}
    present: dict[int, list[ProgrammeSession]] = {}
    for registration_id, session_id in db.session.execute(
        select(AttendanceRecord.registration_id, AttendanceRecord.session_id).where(
            AttendanceRecord.session_id.in_(list(by_id) or [-1]),
            AttendanceRecord.status == AttendanceStatus.PRESENT,
        )
    ):
        present.setdefault(registration_id, []).append(by_id[session_id])
    return [
        Standing(
            registration=r,
            attended=sorted(present.get(r.id, []), key=lambda s: s.starts_at),
            total=total,
            required=required,
            certificate=certificates.get(r.id),
        )
        for r in registrations
    ]


def new_code() -> str:
    """128 random bits, URL-safe: nobody guesses another person's certificate."""
    return secrets.token_urlsafe(16)


class NotYet(DomainError):
    status_code = 409


def sessions_to_come(programme: Programme, now: datetime) -> list[ProgrammeSession]:
    """The sessions the rule counts that have not taken place (ended) yet. The rule counts
    every session of the programme (its share or minimum is of all of them), so a
    certificate waits until the last one has ended."""
    return [s for s in programme.sessions if s.ends_at > now]


def to_issue(programme: Programme, now: datetime) -> list[Standing]:
    """Who would get a certificate (and a mail) if they were issued now."""
    if not programme.sessions or sessions_to_come(programme, now):
        return []
    return [
        s
        for s in standings(programme)
        if s.eligible
        and s.certificate is None
        and s.registration.status is RegistrationStatus.CONFIRMED
        # Not to a person who asked for their data to be erased.
        and s.registration.erased_at is None
    ]


def issue_certificates(
    programme: Programme,
    *,
    actor: User,
    now: datetime | None = None,
    registration_ids: set[int] | None = None,
) -> list[Certificate]:
    """Issue a certificate to every eligible participant who has none yet and mail it (the
    PDF is made when the mail is sent); only once every session has taken place.

    With `registration_ids` (the people the trainer saw and confirmed), only to those."""
    now = now or utcnow()
    to_come = sessions_to_come(programme, now)
    if to_come:
        raise NotYet(
            str(
                _l(
                    "Certificates can be issued once every session has taken place: the last "
                    "one ends on %(when)s.",
                    when=format_datetime(max(s.ends_at for s in to_come), "d MMMM y, HH:mm"),
                )
            )
        )
    trainers = [t.name for t in programme.trainers]
    issued = []
    for standing in to_issue(programme, now):
        if registration_ids is not None and standing.registration.id not in registration_ids:
            continue
        certificate = _issue(programme, standing, trainers, actor, now)
        if certificate is not None:
            issued.append(certificate)
    return issued


def _issue(programme, standing: Standing, trainers, actor: User, now) -> Certificate | None:
    registration = standing.registration
    certificate = Certificate(
        registration_id=registration.id,
        programme_id=programme.id,
        name=registration.full_name,
        organisation=registration.organisation or "",
        programme_title=programme.title,
        sessions=[
            {"date": utc_to_local(s.starts_at).date().isoformat(), "theme": s.theme}
            for s in standing.attended
        ],
        trainers=trainers,
        issued_at=now,
        code=new_code(),
    )
    try:
        with db.session.begin_nested():
            db.session.add(certificate)
    except IntegrityError:
        return None  # issued at this moment by someone else (one per registration)
    audit.record(
        "certificate.issued",
        certificate,
        actor=f"user:{actor.id}",
        now=now,
        registration_id=registration.id,
        programme_id=programme.id,
    )
    mail.queue_mail(
        registration.email,
        _l("Your certificate of participation: %(title)s", title=programme.title),
        "certificates/issued",
        to_name=registration.full_name,
        locale=registration.locale,
        kind="certificate.issued",
        attachments_later=[(ATTACHMENT_RENDERER, {"certificate_id": certificate.id})],
        now=now,
        certificate=certificate,
        registration=registration,
    )
    return certificate


def revoke_certificate(
    certificate: Certificate, *, actor: User, now: datetime | None = None
) -> Certificate:
    """Revoke a certificate: the verification page says so from now on, and its holder is
    told (a reply reaches whoever revoked it)."""
    now = now or utcnow()
    if certificate.revoked_at is not None:
        raise AlreadyRevoked(str(_l("This certificate has already been revoked.")))
    certificate.revoked_at = now
    certificate.revoked_by_id = actor.id
    db.session.flush()
    audit.record(
        "certificate.revoked",
        certificate,
        actor=f"user:{actor.id}",
        now=now,
        registration_id=certificate.registration_id,
        programme_id=certificate.programme_id,
    )
    registration = certificate.registration
    mail.queue_mail(
        registration.email,
        _l("Your certificate has been withdrawn: %(title)s", title=certificate.programme_title),
        "certificates/revoked",
        to_name=registration.full_name,
        reply_to=[(actor.display_name, actor.email)],  # made one line by mail_headers
        locale=registration.locale,
        kind="certificate.revoked",
        now=now,
        certificate=certificate,
        registration=registration,
        revoked_by=actor.display_name,
    )
    return certificate


def certificates_for_email(email_normalized: str) -> list[Certificate]:
    """The valid certificates of a person (for "Mijn traject")."""
    return list(
        db.session.execute(
            select(Certificate)
            .join(Certificate.registration)
            .where(
                Registration.email_normalized == email_normalized,
                Certificate.revoked_at.is_(None),
            )
            .order_by(Certificate.issued_at.desc())
        ).scalars()
    )
