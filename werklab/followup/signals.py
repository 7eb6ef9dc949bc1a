"""The signals behind "Aandacht nodig": a small registry of functions, each computing one
kind of signal for a batch of programmes from what the product already knows.

A signal function takes `(programme_ids, now)` and returns `{registration_id: finding}`,
where a finding is a `Finding` (since when, plus details for the sentence on the page) or a
bare `datetime` (since when). Each function runs a FIXED number of SQL queries however many
programmes, participants or sessions there are: the page and the weekly digest rely on it.

A function written for one programme, `(programme_id, now) -> {registration_id: since}`
(like `werklab.evaluations.services.unanswered_in_a_row`), joins the registry through
`per_programme()`:

    register(SignalKind("no_evaluation", _l("..."), _l("..."),
                        per_programme(unanswered_in_a_row)))
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy import select

from werklab.accounts.models import User
from werklab.assignments.models import Assignment, Submission
from werklab.attendance.models import AttendanceRecord, AttendanceStatus
from werklab.audit import AuditEntry
from werklab.catalog.models import ProgrammeSession
from werklab.catalog.services import local_to_utc, utc_to_local
from werklab.evaluations.services import unanswered_in_a_row_of
from werklab.extensions import db
from werklab.groups.models import HomeworkGroup, HomeworkGroupMember
from werklab.invoicing.models import DocumentKind, Invoice, InvoiceStatus
from werklab.registration.models import Registration, RegistrationStatus
from werklab.translation import lazy_gettext as _l

#: An offer from the waiting list counts as left unanswered after this long (the offer
#: itself runs WAITLIST_OFFER_HOURS, 48 by default: this leaves the trainer time to call).
OFFER_UNANSWERED_AFTER = timedelta(hours=24)


@dataclass(frozen=True)
class Finding:
    """One signal for one participant: since when it holds, and what the sentence needs."""

    since: datetime
    details: dict[str, Any] = field(default_factory=dict)


SignalFunction = Callable[[Sequence[int], datetime], dict[int, "Finding | datetime"]]


@dataclass(frozen=True)
class SignalKind:
    """A kind of signal: its key (stored in contact notes and digests), a short label in
    plain words, the rule behind it (shown on the page), and the function computing it."""

    key: str
    label: Any  # lazy string
    rule: Any  # lazy string
    compute: SignalFunction
    #: Optional: a sentence for one finding (defaults to the label).
    describe: Callable[[Finding], str] | None = None

    def sentence(self, finding: Finding) -> str:
        return self.describe(finding) if self.describe else str(self.label)


#: Every kind, in the order the page explains them.
REGISTRY: dict[str, SignalKind] = {}


def register(kind: SignalKind) -> SignalKind:
    """Add (or replace) a kind of signal."""
    REGISTRY[kind.key] = kind
    return kind


def per_programme(function: Callable[[int, datetime], dict]) -> SignalFunction:
    """Adapt a one-programme signal function to the batch form (its queries per programme
    stay as fixed as they were)."""

    def batch(programme_ids: Sequence[int], now: datetime) -> dict:
        found: dict = {}
        for programme_id in programme_ids:
            found.update(function(programme_id, now))
        return found

    return batch


def as_finding(value: Finding | datetime) -> Finding:
    return value if isinstance(value, Finding) else Finding(since=value)


#: Results shared by the signal functions of one compute_all() call (the two attendance
#: signals read the same history: one query for both).
_shared: ContextVar[dict | None] = ContextVar("werklab_followup_shared", default=None)


def _once(name: str, programme_ids: Sequence[int], now: datetime, make):
    """`make(programme_ids, now)`, computed once per compute_all() call."""
    shared = _shared.get()
    if shared is None:
        return make(programme_ids, now)
    key = (name, tuple(programme_ids), now)
    if key not in shared:
        shared[key] = make(programme_ids, now)
    return shared[key]


def compute_all(programme_ids: Sequence[int], now: datetime) -> dict[str, dict[int, Finding]]:
    """Every kind of signal for these programmes: {kind: {registration_id: finding}}."""
    if not programme_ids:
        return {key: {} for key in REGISTRY}
    ids = list(programme_ids)
    token = _shared.set({})
    try:
        return {
            key: {rid: as_finding(v) for rid, v in kind.compute(ids, now).items()}
            for key, kind in REGISTRY.items()
        }
    finally:
        _shared.reset(token)


# --- attendance --------------------------------------------------------------------------------


def _attendance_history(programme_ids: Sequence[int], now: datetime) -> dict[int, list[tuple]]:
    """Per seated participant, the sessions that have started and at which their attendance
    was taken, latest first: [(status, starts_at, theme)]. One query (shared by the two
    attendance signals within one compute_all() call)."""
    return _once("attendance", programme_ids, now, _read_attendance)


def _read_attendance(programme_ids: Sequence[int], now: datetime) -> dict[int, list[tuple]]:
    rows = db.session.execute(
        select(
            AttendanceRecord.registration_id,
            AttendanceRecord.status,
            ProgrammeSession.starts_at,
            ProgrammeSession.theme,
        )
        .join(ProgrammeSession, ProgrammeSession.id == AttendanceRecord.session_id)
        .join(Registration, Registration.id == AttendanceRecord.registration_id)
        .where(
            ProgrammeSession.programme_id.in_(programme_ids),
            ProgrammeSession.starts_at <= now,
            Registration.status == RegistrationStatus.CONFIRMED,
        )
        .order_by(
            AttendanceRecord.registration_id,
            ProgrammeSession.starts_at.desc(),
            ProgrammeSession.position.desc(),
        )
    )
    history: dict[int, list[tuple]] = defaultdict(list)
    for registration_id, status, starts_at, theme in rows:
        history[registration_id].append((status, starts_at, theme))
    return history


def absent_without_notice(programme_ids: Sequence[int], now: datetime) -> dict[int, Finding]:
    """At the latest session (already started) at which their attendance was taken, the
    participant was marked absent without notice ("afwezig"). Since: that session's start."""
    found = {}
    for registration_id, history in _attendance_history(programme_ids, now).items():
        status, starts_at, theme = history[0]
        if status is AttendanceStatus.ABSENT:
            found[registration_id] = Finding(starts_at, {"session": theme})
    return found


def absent_in_a_row(programme_ids: Sequence[int], now: datetime) -> dict[int, Finding]:
    """The participant was not there (excused or not) at the last two or more sessions at
    which their attendance was taken, one after another. Since: the start of the latest of
    those sessions (each further missed session renews the signal)."""
    found = {}
    for registration_id, history in _attendance_history(programme_ids, now).items():
        run = 0
        for status, _starts, _theme in history:
            if status is AttendanceStatus.PRESENT:
                break
            run += 1
        if run >= 2:
            found[registration_id] = Finding(
                history[0][1], {"count": run, "first": history[run - 1][1]}
            )
    return found


# --- homework groups ---------------------------------------------------------------------------


def group_handed_in_without_them(programme_ids: Sequence[int], now: datetime) -> dict[int, Finding]:
    """The participant's homework group handed in the last assignment without them.

    Precisely: take the programme's last assignment whose due date has passed (the latest
    `due_at` not after now; until the due date anyone may still join in). The participant is
    a member of a group of the programme's current round (the latest `round`), that group
    has at least one hand-in (`Submission`, any version) for that assignment, and none of
    those versions was handed in by the participant's account (`submitted_by_id`: the user
    with the e-mail address of the registration). When the author of a version is no longer
    known (the account was removed), the group is given the benefit of the doubt: no signal
    for its members. Since: the assignment's due date. Three queries.
    """
    # 1. The last assignment that is due, per programme.
    last: dict[int, tuple[int, datetime, str]] = {}
    for programme_id, assignment_id, due_at, title in db.session.execute(
        select(Assignment.programme_id, Assignment.id, Assignment.due_at, Assignment.title)
        .where(Assignment.programme_id.in_(programme_ids), Assignment.due_at <= now)
        .order_by(Assignment.programme_id, Assignment.due_at.desc(), Assignment.id.desc())
    ):
        last.setdefault(programme_id, (assignment_id, due_at, title))
    if not last:
        return {}
    # 2. The seated members of the groups of each programme's latest round.
    latest_round = (
        select(sa.func.max(HomeworkGroup.round))
        .where(HomeworkGroup.programme_id == Registration.programme_id)
        .correlate(Registration)
        .scalar_subquery()
    )
    members = db.session.execute(
        select(
            Registration.id,
            Registration.programme_id,
            Registration.email_normalized,
            HomeworkGroup.id,
            HomeworkGroup.name,
        )
        .join(HomeworkGroupMember, HomeworkGroupMember.registration_id == Registration.id)
        .join(HomeworkGroup, HomeworkGroup.id == HomeworkGroupMember.group_id)
        .where(
            Registration.programme_id.in_(list(last)),
            Registration.status == RegistrationStatus.CONFIRMED,
            HomeworkGroup.round == latest_round,
        )
    ).all()
    # 3. Who handed in each version of those assignments (None: an unknown author).
    authors: dict[tuple[int, int], set[str | None]] = defaultdict(set)
    for assignment_id, group_id, email in db.session.execute(
        select(Submission.assignment_id, Submission.group_id, User.email)
        .outerjoin(User, User.id == Submission.submitted_by_id)
        .where(Submission.assignment_id.in_([a for a, _, _ in last.values()]))
    ):
        authors[(assignment_id, group_id)].add(email.lower() if email else None)
    found = {}
    for registration_id, programme_id, email, group_id, group_name in members:
        assignment_id, due_at, title = last[programme_id]
        handed_in_by = authors.get((assignment_id, group_id))
        if not handed_in_by or None in handed_in_by or email in handed_in_by:
            continue
        found[registration_id] = Finding(due_at, {"assignment": title, "group": group_name})
    return found


# --- invoices and the waiting list -------------------------------------------------------------


def invoice_overdue(programme_ids: Sequence[int], now: datetime) -> dict[int, Finding]:
    """The participant's invoice (to their employer) is still open after its due date (the
    due date is a Dutch calendar day). Since: the first day after the due date. One query."""
    today = utc_to_local(now).date()
    found = {}
    for registration_id, number, due_date in db.session.execute(
        select(Invoice.registration_id, Invoice.number, Invoice.due_date)
        .join(Registration, Registration.id == Invoice.registration_id)
        .where(
            Registration.programme_id.in_(programme_ids),
            Registration.status == RegistrationStatus.CONFIRMED,
            Invoice.kind == DocumentKind.INVOICE,
            Invoice.status == InvoiceStatus.OPEN,
            Invoice.due_date < today,
        )
        .order_by(Invoice.due_date)
    ):
        since = local_to_utc(datetime.combine(due_date + timedelta(days=1), time()))
        found.setdefault(registration_id, Finding(since, {"number": number, "due": due_date}))
    return found


def offer_unanswered(programme_ids: Sequence[int], now: datetime) -> dict[int, Finding]:
    """A seat offered from the waiting list has had no answer for OFFER_UNANSWERED_AFTER
    (24 hours) and the offer still runs. Since: when the seat was offered (the audit log's
    "registration.offered"; without it, the expiry minus WAITLIST_OFFER_HOURS). One query."""
    offered_at = (
        select(sa.func.max(AuditEntry.created_at))
        .where(
            AuditEntry.action == "registration.offered",
            AuditEntry.object_type == Registration.__tablename__,
            AuditEntry.object_id == Registration.id,
        )
        .correlate(Registration)
        .scalar_subquery()
    )
    hours = timedelta(hours=int(current_app.config.get("WAITLIST_OFFER_HOURS", 48)))
    found = {}
    for registration_id, expires_at, offered in db.session.execute(
        select(Registration.id, Registration.offer_expires_at, offered_at).where(
            Registration.programme_id.in_(programme_ids),
            Registration.status == RegistrationStatus.OFFERED,
            Registration.offer_expires_at > now,
        )
    ):
        since = offered or expires_at - hours
        if now - since >= OFFER_UNANSWERED_AFTER:
            found[registration_id] = Finding(since, {"expires": expires_at})
    return found


# --- the registry ------------------------------------------------------------------------------


def _describe_in_a_row(finding: Finding) -> str:
    return str(
        _l(
            "Not there at the last %(count)d sessions in a row (excused or not)",
            count=finding.details.get("count", 2),
        )
    )


def _describe_group(finding: Finding) -> str:
    return str(
        _l(
            "%(group)s handed in “%(assignment)s” without them",
            group=finding.details.get("group", ""),
            assignment=finding.details.get("assignment", ""),
        )
    )


def _describe_invoice(finding: Finding) -> str:
    return str(_l("Invoice %(number)s is overdue", number=finding.details.get("number", "")))


def _describe_absent(finding: Finding) -> str:
    return str(
        _l(
            "Absent without notice at “%(session)s”",
            session=finding.details.get("session", ""),
        )
    )


ABSENT_WITHOUT_NOTICE = register(
    SignalKind(
        "absent_without_notice",
        _l("Absent without notice"),
        _l(
            "At the latest session at which their attendance was taken, the participant was "
            "marked absent without letting you know. Since: the start of that session. "
            "It goes away when they are marked present or excused at a later session."
        ),
        absent_without_notice,
        _describe_absent,
    )
)
ABSENT_IN_A_ROW = register(
    SignalKind(
        "absent_in_a_row",
        _l("Not there twice in a row"),
        _l(
            "The participant was not there (excused or not) at the last two or more sessions "
            "at which their attendance was taken. Since: the latest of those sessions; every "
            "further session they miss counts as something new."
        ),
        absent_in_a_row,
        _describe_in_a_row,
    )
)
GROUP_WITHOUT_THEM = register(
    SignalKind(
        "group_without_them",
        _l("Silent in their homework group"),
        _l(
            "For the last assignment whose due date has passed, the participant's homework "
            "group (of the current round) handed in, but none of the group's versions was "
            "handed in by the participant. Since: the due date of that assignment. If the "
            "author of a version is no longer known, the group gets the benefit of the doubt."
        ),
        group_handed_in_without_them,
        _describe_group,
    )
)
INVOICE_OVERDUE = register(
    SignalKind(
        "invoice_overdue",
        _l("Invoice overdue"),
        _l(
            "The invoice for the participant's seat is still open after its due date. Since: "
            "the first day after the due date. It goes away when the payment is recorded."
        ),
        invoice_overdue,
        _describe_invoice,
    )
)
OFFER_UNANSWERED = register(
    SignalKind(
        "offer_unanswered",
        _l("Offer from the waiting list unanswered"),
        _l(
            "A seat was offered to this person from the waiting list more than 24 hours ago "
            "and they have not accepted or declined yet; the offer still runs. Since: when "
            "the seat was offered."
        ),
        offer_unanswered,
    )
)

NO_EVALUATION = register(
    SignalKind(
        "no_evaluation",
        _l("No evaluation answered twice in a row"),
        _l(
            "The participant left the interim evaluations of the last two sessions they "
            "attended unanswered. An evaluation counts once it is answered, or once it has "
            "closed without an answer; one that is still open does not count yet. Since: when "
            "the second of the two closed."
        ),
        unanswered_in_a_row_of,
    )
)
