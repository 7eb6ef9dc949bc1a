"""The audit log as people read it: filters (programme, person, action, period) and each
entry as a sentence in the interface language ("Cora heeft de inschrijving van Lotte
geannuleerd (terugbetaling)"), never a raw event name."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, false, func, or_, select

from werklab.accounts.models import User
from werklab.assignments.models import Assignment, Submission
from werklab.audit import AuditEntry
from werklab.catalog.models import Programme, ProgrammeSession
from werklab.extensions import db
from werklab.groups.models import HomeworkGroup
from werklab.hosting.models import HostOffer, HostQuestion
from werklab.initiatives.models import SiteVisit
from werklab.invoicing.models import Invoice
from werklab.payments.models import Payment
from werklab.registration.models import Registration
from werklab.translation import gettext as _
from werklab.translation import lazy_gettext as _l

PAGE_SIZE = 50

#: Each action as a sentence: %(actor)s did it, %(subject)s is what it was done to.
SENTENCES = {
    "registration.created": _l("%(actor)s registered %(subject)s"),
    "registration.cancelled": _l("%(actor)s cancelled the registration of %(subject)s"),
    "registration.edited": _l("%(actor)s changed the details of %(subject)s"),
    "registration.details_changed": _l("%(actor)s changed the details of %(subject)s"),
    "registration.moved_up": _l("%(actor)s put %(subject)s first on the waiting list"),
    "registration.confirmation_resent": _l("%(actor)s sent the confirmation to %(subject)s again"),
    "registration.manage_link_resent": _l(
        "%(actor)s sent %(subject)s the link to their registration again"
    ),
    "registration.offered": _l("%(actor)s offered a free seat to %(subject)s"),
    "registration.offer_accepted": _l("%(actor)s accepted the seat offered to %(subject)s"),
    "registration.offer_declined": _l("%(actor)s declined the seat offered to %(subject)s"),
    "registration.offer_expired": _l("The seat offered to %(subject)s has expired"),
    "registration.hold_expired": _l("The seat held for %(subject)s during payment has expired"),
    "registration.hold_released": _l("%(actor)s released the seat held for %(subject)s"),
    "registration.paid": _l("%(subject)s paid online; the seat is confirmed"),
    "registration.transferred": _l("%(actor)s passed the seat on to %(subject)s"),
    "registration.billing_saved": _l("%(actor)s saved the billing details of %(subject)s"),
    "registration.dietary_wishes_purged": _l(
        "%(actor)s deleted the dietary wishes of ended programmes"
    ),
    "waiting_list.offered": _l("%(actor)s offered the free seats of %(subject)s now"),
    "programme.created": _l("%(actor)s created %(subject)s"),
    "programme.updated": _l("%(actor)s changed the details of %(subject)s"),
    "programme.status_changed": _l("%(actor)s changed the registration status of %(subject)s"),
    "programme.confirmed": _l("%(actor)s decided that %(subject)s goes ahead"),
    "programme.cancelled": _l("%(actor)s cancelled %(subject)s"),
    "programme.decision_mailed": _l("%(actor)s mailed the go / no-go status of %(subject)s"),
    "programme.email_domains_set": _l("%(actor)s set the e-mail domains of %(subject)s"),
    "programme.trainer_assigned": _l("%(actor)s added a trainer to %(subject)s"),
    "programme.trainer_removed": _l("%(actor)s took a trainer off %(subject)s"),
    "programme.series_created": _l("%(actor)s planned a series of sessions for %(subject)s"),
    "programme.completed": _l("%(actor)s completed %(subject)s"),
    "session.created": _l("%(actor)s added the session %(subject)s"),
    "session.updated": _l("%(actor)s changed the session %(subject)s"),
    "session.deleted": _l("%(actor)s deleted a session"),
    "session.host_set": _l("%(actor)s set the host of the session %(subject)s"),
    "payment.checkout_started": _l("%(actor)s started paying online"),
    "payment.received": _l("An online payment by %(subject)s was received"),
    "payment.not_seated": _l("An online payment by %(subject)s came in without a seat"),
    "payment.refund_requested": _l("%(actor)s asked for a refund to %(subject)s"),
    "payment.refunded": _l("The payment of %(subject)s has been refunded"),
    "payment.refund_failed": _l("The refund to %(subject)s did not go through"),
    "invoice.issued": _l("%(actor)s issued invoice %(subject)s"),
    "invoice.paid": _l("%(actor)s marked invoice %(subject)s as paid"),
    "invoice.credited": _l("%(actor)s credited invoice %(subject)s"),
    "homework_groups.composed": _l("%(actor)s composed the homework groups of %(subject)s"),
    "homework_groups.reshuffled": _l("%(actor)s reshuffled the homework groups of %(subject)s"),
    "homework_group.member_moved": _l("%(actor)s moved %(subject)s to another homework group"),
    "homework_group.member_left": _l("%(subject)s left their homework group"),
    "homework_group.locked": _l("%(actor)s locked %(subject)s"),
    "homework_group.unlocked": _l("%(actor)s unlocked %(subject)s"),
    "homework_groups.notified": _l("%(actor)s told the homework groups of %(subject)s"),
    "assignment.created": _l("%(actor)s set the assignment %(subject)s"),
    "assignment.updated": _l("%(actor)s changed the assignment %(subject)s"),
    "assignment.reminded": _l("%(actor)s sent a reminder for the assignment %(subject)s"),
    "submission.created": _l("%(actor)s handed in %(subject)s"),
    "submission.feedback": _l("%(actor)s gave feedback on %(subject)s"),
    "site_visit.requested": _l("%(actor)s asked %(subject)s to host a site visit"),
    "site_visit.confirmed": _l("%(actor)s confirmed the site visit to %(subject)s"),
    "site_visit.declined": _l("%(actor)s declined the site visit to %(subject)s"),
    "site_visit.assigned": _l("%(actor)s assigned a participant to the visit to %(subject)s"),
    "site_visit.auto_assigned": _l("%(actor)s divided the participants over the site visits"),
    "site_visit.moved": _l("%(actor)s moved the site visit to %(subject)s"),
    "site_visit.session_changed": _l("The session of the site visit to %(subject)s changed"),
    "site_visit.cancelled": _l("The site visit to %(subject)s was called off and its host told"),
    "site_visit.thanked": _l("%(actor)s thanked the host of %(subject)s"),
    "site_visit.feedback": _l("%(actor)s gave feedback on the visit to %(subject)s"),
    "certificate.issued": _l("%(actor)s issued a certificate"),
    "certificate.revoked": _l("%(actor)s revoked a certificate"),
    "certificate_rule.set": _l("%(actor)s set the certificate rule"),
    "trainer_note.created": _l("%(actor)s wrote a note"),
    "message.sent": _l("%(actor)s wrote to %(subject)s"),
    "initiative.created": _l("%(actor)s added the initiative %(subject)s"),
    "initiative.updated": _l("%(actor)s changed the initiative %(subject)s"),
    "booking_request.created": _l("%(actor)s sent in a werklab request"),
    "booking_request.expired": _l("A werklab request expired"),
    "booking_request.status_changed": _l("%(actor)s moved a werklab request on"),
    "quote.saved": _l("%(actor)s saved a quote"),
    "quote.sent": _l("%(actor)s sent a quote"),
    "quote.accepted": _l("%(actor)s accepted a quote"),
    "quote.declined": _l("%(actor)s declined a quote"),
    "user.created": _l("%(actor)s created the account of %(subject)s"),
    "user.deactivated": _l("%(actor)s deactivated the account of %(subject)s"),
    "user.reactivated": _l("%(actor)s reactivated the account of %(subject)s"),
    "user.roles_changed": _l("%(actor)s changed the roles of %(subject)s"),
    "user.password_changed": _l("%(actor)s changed a password"),
    "user.signed_in": _l("%(subject)s signed in"),
    "person.erased": _l("%(actor)s erased a person's data"),
    "programme.personal_data_erased": _l(
        "%(actor)s erased the personal data of %(subject)s that was no longer needed"
    ),
    "privacy.old_records_anonymised": _l(
        "%(actor)s anonymised invoices and requests past their retention period"
    ),
    "calendar_feed.created": _l("%(actor)s made a calendar link"),
    "calendar_feed.renewed": _l("%(actor)s replaced a calendar link"),
    "calendar_feed.revoked": _l("%(actor)s switched a calendar link off"),
    # reminders before sessions and the trainers' calendar link
    "registration.reminders_off": _l("%(actor)s switched off the reminders of %(subject)s"),
    "registration.reminders_on": _l("%(actor)s switched the reminders of %(subject)s on again"),
    "programme.reminders_set": _l(
        "%(actor)s set when the participants of %(subject)s are reminded"
    ),
    "session.reminders_sent": _l("%(actor)s sent the reminders for the session %(subject)s"),
    "user.trainer_feed_created": _l("%(actor)s made a calendar link of the sessions they run"),
    "user.trainer_feed_renewed": _l(
        "%(actor)s replaced the calendar link of the sessions they run"
    ),
    "user.trainer_feed_revoked": _l(
        "%(actor)s switched off the calendar link of the sessions they run"
    ),
    # interim evaluations (an answer never names who gave it) and early warning
    "followup.contacted": _l("%(actor)s noted that a participant was contacted"),
    "followup.message_sent": _l("%(actor)s sent %(subject)s a personal message"),
    "followup.digest_checked": _l("%(actor)s checked who needs attention"),
    # hosts take turns
    "hosting.offered": _l("%(actor)s offered to host a meeting"),
    "hosting.withdrawn": _l("%(actor)s withdrew an offer to host"),
    "hosting.accepted": _l("%(actor)s accepted a host for a meeting"),
    "hosting.released": _l("%(actor)s released the host of a meeting"),
    "hosting.reminded": _l("%(actor)s reminded a host of their meeting"),
    "hosting.question_asked": _l("%(actor)s sent a host a practical question"),
    "evaluation.configured": _l("%(actor)s set up a session evaluation"),
    "evaluation.sent": _l("%(actor)s sent out a session evaluation"),
    "evaluation.invited": _l("%(actor)s invited a participant to an evaluation"),
    "evaluation.reminded": _l("%(actor)s reminded a participant of an evaluation"),
    "evaluation.answered": _l("A participant answered an evaluation"),
    "evaluation.answer_changed": _l("A participant changed their answers to an evaluation"),
    "questionnaire.created": _l("%(actor)s made a questionnaire"),
    # a second year of a Community of Practice
    "renewal.opened": _l("%(actor)s opened the renewal of %(subject)s for next year"),
    "renewal.invited": _l("%(actor)s invited %(subject)s to continue next year"),
    "renewal.renewed": _l("%(subject)s renewed for next year"),
    "renewal.declined": _l("%(subject)s does not continue next year"),
    "renewal.expired": _l("%(subject)s did not answer the renewal before the deadline"),
    "renewal.reminded": _l("%(actor)s reminded who had not answered the renewal of %(subject)s"),
    "renewal.closed": _l("The renewal of %(subject)s ended: next year opened"),
    "questionnaire.renamed": _l("%(actor)s renamed a questionnaire"),
    "question.added": _l("%(actor)s added a question to a questionnaire"),
    "question.changed": _l("%(actor)s changed a question"),
    "question.deleted": _l("%(actor)s deleted a question"),
    # themes set together (issue 15): the subject is the programme
    "theme.proposed": _l("%(actor)s proposed a theme for %(subject)s"),
    "theme.proposed_by_participant": _l("%(actor)s proposed a theme for %(subject)s"),
    "theme.updated": _l("%(actor)s changed a theme of %(subject)s"),
    "theme.hidden": _l("%(actor)s hid a theme of %(subject)s"),
    "theme.shown": _l("%(actor)s put a hidden theme of %(subject)s back in the vote"),
    "theme.votes_set": _l("%(actor)s set the number of votes per participant of %(subject)s"),
    "theme.voted": _l("%(actor)s voted for a theme of %(subject)s"),
    "theme.vote_withdrawn": _l("%(actor)s took back a vote for a theme of %(subject)s"),
    "theme.scheduled": _l("%(actor)s fixed a theme of %(subject)s to a session"),
    "theme.released": _l("A theme of %(subject)s went back to the vote"),
}

#: Extra words for some entries, by a value stored with them.
MONEY_WORDS = {
    "refund": _l("refund"),
    "credit": _l("credit note"),
    "none": _l("no money back"),
    "invoice_stands": _l("the invoice stays due"),
}

#: The action filter: groups of actions by what they are about.
ACTION_GROUPS = {
    "registration": _l("Registrations and waiting list"),
    "programme": _l("Programmes and sessions"),
    "payment": _l("Online payments"),
    "invoice": _l("Invoices"),
    "groups": _l("Homework groups and assignments"),
    "site_visit": _l("Site visits"),
    "message": _l("Messages"),
    "user": _l("Accounts"),
}
_GROUP_PREFIXES = {
    "registration": ("registration.", "waiting_list."),
    "programme": ("programme.", "session.", "hosting.", "theme."),
    "payment": ("payment.",),
    "invoice": ("invoice.",),
    "groups": ("homework_group", "assignment.", "submission."),
    "site_visit": ("site_visit.",),
    "message": ("message.",),
    "user": ("user.", "person.", "calendar_feed."),
}


@dataclass(frozen=True)
class Filters:
    programme_id: int | None = None
    person: str = ""
    action: str = ""
    since: date | None = None
    until: date | None = None


@dataclass(frozen=True)
class Line:
    at: datetime
    sentence: str
    action: str


@dataclass(frozen=True)
class Page:
    lines: list[Line]
    page: int
    has_more: bool


def programme_objects(programme_id: int):
    """A condition on audit rows: about this programme or something that belongs to it."""
    E = AuditEntry
    regs = select(Registration.id).where(Registration.programme_id == programme_id)
    groups = select(HomeworkGroup.id).where(HomeworkGroup.programme_id == programme_id)
    sessions = select(ProgrammeSession.id).where(ProgrammeSession.programme_id == programme_id)
    offers = select(HostOffer.id).where(HostOffer.programme_id == programme_id)
    parts = [
        ("programmes", select(Programme.id).where(Programme.id == programme_id)),
        ("registrations", regs),
        ("invoices", select(Invoice.id).where(Invoice.registration_id.in_(regs))),
        ("payments", select(Payment.id).where(Payment.registration_id.in_(regs))),
        ("homework_groups", groups),
        ("programme_sessions", sessions),
        ("site_visits", select(SiteVisit.id).where(SiteVisit.session_id.in_(sessions))),
        ("assignments", select(Assignment.id).where(Assignment.programme_id == programme_id)),
        (
            "assignment_submissions",
            select(Submission.id).where(Submission.group_id.in_(groups)),
        ),
        ("hosting_offers", offers),
        ("hosting_questions", select(HostQuestion.id).where(HostQuestion.offer_id.in_(offers))),
    ]
    return or_(*(and_(E.object_type == kind, E.object_id.in_(ids)) for kind, ids in parts))


def _person_condition(text: str):
    """Entries by or about a person whose name or e-mail address contains `text`."""
    E = AuditEntry
    needle = f"%{text.lower()}%"
    user_ids = select(User.id).where(
        or_(func.lower(User.name).like(needle), func.lower(User.email).like(needle))
    )
    reg_ids = select(Registration.id).where(
        or_(
            func.lower(Registration.first_name + " " + Registration.last_name).like(needle),
            Registration.email_normalized.like(needle),
        )
    )
    users = list(db.session.execute(user_ids).scalars())
    regs = list(db.session.execute(reg_ids).scalars())
    actors = [f"{kind}:{i}" for i in users for kind in ("coordinator", "user", "trainer")]
    actors += [f"participant:{i}" for i in regs]
    conditions = [E.actor.in_(actors)] if actors else []
    if regs:
        conditions.append(and_(E.object_type == "registrations", E.object_id.in_(regs)))
    if users:
        conditions.append(and_(E.object_type == "users", E.object_id.in_(users)))
    return or_(*conditions) if conditions else false()


def _amsterdam_midnight(day: date) -> datetime:
    local = datetime.combine(day, time(0), tzinfo=ZoneInfo("Europe/Amsterdam"))
    return local.astimezone(ZoneInfo("UTC")).replace(tzinfo=None)


def browse(filters: Filters, *, page: int = 1, page_size: int = PAGE_SIZE) -> Page:
    """One page of the audit log, newest first, as sentences."""
    E = AuditEntry
    query = select(E)
    if filters.programme_id:
        query = query.where(programme_objects(filters.programme_id))
    if filters.person.strip():
        query = query.where(_person_condition(filters.person.strip()[:100]))
    if filters.action in _GROUP_PREFIXES:
        query = query.where(or_(*(E.action.startswith(p) for p in _GROUP_PREFIXES[filters.action])))
    if filters.since:
        query = query.where(E.created_at >= _amsterdam_midnight(filters.since))
    if filters.until:
        query = query.where(E.created_at < _amsterdam_midnight(filters.until + timedelta(days=1)))
    page = max(page, 1)
    rows = list(
        db.session.execute(
            query.order_by(E.created_at.desc(), E.id.desc())
            .limit(page_size + 1)
            .offset((page - 1) * page_size)
        ).scalars()
    )
    return Page(describe(rows[:page_size]), page, len(rows) > page_size)


def programme_history(programme_id: int, *, limit: int = 10) -> list[Line]:
    """The latest entries about a programme, as sentences."""
    return browse(Filters(programme_id=programme_id), page_size=limit).lines


# --- entries as sentences ------------------------------------------------------------------


def _ids(entries, kind: str) -> set[int]:
    return {e.object_id for e in entries if e.object_type == kind and e.object_id}


def _actor_ids(entries, kinds: tuple[str, ...]) -> set[int]:
    found = set()
    for e in entries:
        kind, _sep, ident = (e.actor or "").partition(":")
        if kind in kinds and ident.isdigit():
            found.add(int(ident))
    return found


def _load(model, ids) -> dict:
    if not ids:
        return {}
    return {
        row.id: row for row in db.session.execute(select(model).where(model.id.in_(ids))).scalars()
    }


def describe(entries: list[AuditEntry]) -> list[Line]:
    """Each entry as a sentence, with the names of the people and things it is about
    (a fixed number of queries for the whole page)."""
    payments = _load(Payment, _ids(entries, "payments"))
    invoices = _load(Invoice, _ids(entries, "invoices"))
    reg_ids = (
        _ids(entries, "registrations")
        | _actor_ids(entries, ("participant",))
        | {p.registration_id for p in payments.values()}
    )
    registrations = _load(Registration, reg_ids)
    users = _load(
        User, _ids(entries, "users") | _actor_ids(entries, ("coordinator", "user", "trainer"))
    )
    names = {
        "programmes": {
            k: p.title for k, p in _load(Programme, _ids(entries, "programmes")).items()
        },
        "registrations": {k: r.full_name for k, r in registrations.items()},
        "users": {k: u.display_name for k, u in users.items()},
        "invoices": {k: i.number for k, i in invoices.items()},
        "payments": {
            k: registrations[p.registration_id].full_name
            for k, p in payments.items()
            if p.registration_id in registrations
        },
        "homework_groups": {
            k: g.name for k, g in _load(HomeworkGroup, _ids(entries, "homework_groups")).items()
        },
        "programme_sessions": {
            k: s.theme
            for k, s in _load(ProgrammeSession, _ids(entries, "programme_sessions")).items()
        },
        "site_visits": {
            k: v.initiative.name for k, v in _load(SiteVisit, _ids(entries, "site_visits")).items()
        },
        "assignments": {
            k: a.title for k, a in _load(Assignment, _ids(entries, "assignments")).items()
        },
    }
    return [_line(e, names, registrations, users) for e in entries]


def _line(entry: AuditEntry, names: dict, registrations: dict, users: dict) -> Line:
    subject = names.get(entry.object_type, {}).get(entry.object_id) or str(_l("something"))
    actor = _actor_name(entry.actor, registrations, users, subject)
    template = SENTENCES.get(entry.action)
    if template is None:
        sentence = _("%(actor)s made a change", actor=actor)
    else:
        sentence = str(template) % {"actor": actor, "subject": subject}
    extra = _extra(entry)
    if extra:
        sentence = f"{sentence} ({extra})"
    sentence = sentence[:1].upper() + sentence[1:]
    return Line(entry.created_at, sentence, entry.action)


def _actor_name(actor: str, registrations: dict, users: dict, subject: str) -> str:
    kind, _sep, ident = (actor or "").partition(":")
    if kind in ("coordinator", "user", "trainer") and ident.isdigit() and int(ident) in users:
        return users[int(ident)].display_name
    if kind == "participant" and ident.isdigit() and int(ident) in registrations:
        return registrations[int(ident)].full_name
    if kind == "public":
        return subject  # the person registered themselves
    if kind == "host":
        return _("the host")
    if kind == "municipality":
        return _("the municipality")
    if kind == "stripe":
        return "Stripe"
    if kind == "system":
        return _("werklab (automatically)")
    return _("someone")


def _extra(entry: AuditEntry) -> str:
    """A few stored details worth reading: the money, a reason, the changed fields."""
    data = entry.data or {}
    parts = []
    money = data.get("money_back")
    if entry.action == "registration.cancelled" and money in MONEY_WORDS:
        parts.append(str(MONEY_WORDS[money]))
    if data.get("reason") and entry.action in (
        "registration.cancelled",
        "registration.moved_up",
        "programme.cancelled",
    ):
        parts.append(_("reason: %(reason)s", reason=data["reason"]))
    if entry.action == "message.sent" and data.get("subject"):
        parts.append(_("“%(subject)s”", subject=data["subject"]))
    return "; ".join(parts)


def action_choices() -> list[tuple[str, str]]:
    return [(key, str(label)) for key, label in ACTION_GROUPS.items()]
