"""Themes for the coming meetings: trainers and participants propose them, participants vote
(a few votes each), and trainers fix the theme of a session from the ranking.

Rules:
- only seated participants of a Community of Practice or Lerende Gemeenschap vote or propose,
  while the programme runs (not cancelled, not completed);
- one vote per theme per person, and at most the programme's number of votes on open themes
  at a time. The check and the insert run with the voter's registration row locked (FOR
  UPDATE on PostgreSQL; BEGIN IMMEDIATE on SQLite), so two votes at once cannot both pass
  the count; the unique (theme, person) constraint guards the "once per theme" rule;
- a participant's proposal is shown to the other participants without a name: a vote is for
  the theme, not for who proposed it, and a resident or a junior civil servant dares to
  propose in front of a director. The trainers see who proposed it (to ask them to introduce
  it) and can hide an inappropriate one; the proposer is told;
- fixing a theme sets the session's theme through catalog.update_session (its rules and
  audit apply), closes the vote on that theme and tells the seated participants.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import contains_eager, joinedload

from werklab import audit, testmode
from werklab.accounts.models import User
from werklab.catalog.models import Programme, ProgrammeSession, ProgrammeStatus
from werklab.catalog.services import SessionData, update_session
from werklab.db import is_lock_timeout, utcnow
from werklab.errors import Busy, DomainError, ValidationError
from werklab.extensions import db
from werklab.links import external_url
from werklab.mail import queue_mail
from werklab.registration.models import Registration, RegistrationStatus
from werklab.themes.models import (
    DEFAULT_VOTES,
    DESCRIPTION_MAX,
    MAX_VOTES,
    SET_TOGETHER,
    TITLE_MAX,
    Theme,
    ThemeSettings,
    ThemeVote,
)
from werklab.translation import lazy_gettext as _l

#: A participant may have this many proposals open at a time (a vote, not a wish list).
MAX_OPEN_PROPOSALS = 3

_OVER = (ProgrammeStatus.CANCELLED, ProgrammeStatus.COMPLETED)


class ThemeError(DomainError):
    status_code = 409


@dataclass(frozen=True)
class ThemeData:
    title: str
    description: str = ""


# --- loading ---------------------------------------------------------------------------------


def load_programme(programme_id: int) -> Programme | None:
    return db.session.get(Programme, programme_id)


def load_theme(theme_id: int) -> Theme | None:
    return db.session.get(Theme, theme_id)


def load_registration(registration_id: int) -> Registration | None:
    return db.session.get(Registration, registration_id)


def sets_together(programme: Programme) -> bool:
    """A programme whose meetings are set with the participants (not a werklab)."""
    return programme.kind in SET_TOGETHER


def vote_limit(programme_id: int) -> int:
    """How many votes each participant of the programme has."""
    votes = db.session.execute(
        select(ThemeSettings.votes_per_person).where(ThemeSettings.programme_id == programme_id)
    ).scalar_one_or_none()
    return votes or DEFAULT_VOTES


# --- checks ----------------------------------------------------------------------------------


def _clean(data: ThemeData) -> ThemeData:
    title, description = data.title.strip(), (data.description or "").strip()
    if not title:
        raise ValidationError(str(_l("Please give the theme a title.")))
    if len(title) > TITLE_MAX:
        raise ValidationError(str(_l("A title can be at most %(max)d characters.", max=TITLE_MAX)))
    if len(description) > DESCRIPTION_MAX:
        raise ValidationError(
            str(_l("The description can be at most %(max)d characters.", max=DESCRIPTION_MAX))
        )
    return ThemeData(title, description)


def _check_running(programme: Programme) -> None:
    if not sets_together(programme):
        raise ThemeError(
            str(_l("A werklab has its three fixed sessions: its themes are not voted on."))
        )
    if programme.status in _OVER:
        raise ThemeError(
            str(_l("This programme has ended or was cancelled: its themes can no longer change."))
        )


def _check_voter(registration: Registration) -> None:
    _check_running(registration.programme)
    if registration.status is not RegistrationStatus.CONFIRMED or registration.erased_at:
        raise ThemeError(str(_l("Only participants with a confirmed place can vote on themes.")))


def _check_open(theme: Theme) -> None:
    if theme.is_scheduled:
        raise ThemeError(
            str(
                _l(
                    "“%(title)s” has already been chosen for a session: voting on it is closed.",
                    title=theme.title,
                )
            )
        )
    if theme.is_hidden:
        raise ThemeError(str(_l("This theme has been withdrawn.")))


def _lock(model, ident: int):
    """Load a row locked until the end of the transaction (PostgreSQL: FOR UPDATE; SQLite
    holds the write lock since BEGIN IMMEDIATE). A lock not had in time: Busy (503)."""
    stmt = select(model).where(model.id == ident)
    if testmode.capacity_lock():
        stmt = stmt.with_for_update()
    try:
        return db.session.execute(stmt.execution_options(populate_existing=True)).scalar_one()
    except OperationalError as exc:
        if is_lock_timeout(exc):
            raise Busy(str(_l("It is busy right now, please try again."))) from exc
        raise


def _open_votes_stmt(registration_id: int):
    """The votes of a person on themes still open (the ones that count)."""
    return (
        select(func.count())
        .select_from(ThemeVote)
        .join(Theme, Theme.id == ThemeVote.theme_id)
        .where(
            ThemeVote.registration_id == registration_id,
            Theme.hidden_at.is_(None),
            Theme.scheduled_session_id.is_(None),
        )
    )


def votes_used(registration: Registration) -> int:
    return db.session.execute(_open_votes_stmt(registration.id)).scalar_one()


# --- proposing -------------------------------------------------------------------------------


def propose_theme(
    programme: Programme,
    data: ThemeData,
    *,
    actor: str,
    user: User | None = None,
    now: datetime | None = None,
) -> Theme:
    """Add a trainer's (or coordinator's) theme to the vote."""
    now = now or utcnow()
    _check_running(programme)
    data = _clean(data)
    theme = Theme(
        programme_id=programme.id,
        title=data.title,
        description=data.description,
        proposed_by_user_id=user.id if user else None,
        created_at=now,
    )
    db.session.add(theme)
    db.session.flush()
    audit.record(
        "theme.proposed", programme, actor=actor, now=now, theme_id=theme.id, title=theme.title
    )
    return theme


def propose_own_theme(
    registration: Registration, data: ThemeData, *, actor: str, now: datetime | None = None
) -> Theme:
    """Add a participant's own proposal to the vote; the trainers are told."""
    now = now or utcnow()
    registration = _lock(Registration, registration.id)
    _check_voter(registration)
    data = _clean(data)
    programme = registration.programme
    open_proposals = db.session.execute(
        select(func.count())
        .select_from(Theme)
        .where(
            Theme.proposed_by_registration_id == registration.id,
            Theme.hidden_at.is_(None),
            Theme.scheduled_session_id.is_(None),
        )
    ).scalar_one()
    if open_proposals >= MAX_OPEN_PROPOSALS:
        raise ThemeError(
            str(
                _l(
                    "You already have %(count)d proposals in the vote: wait until one of them "
                    "is chosen before you propose another.",
                    count=MAX_OPEN_PROPOSALS,
                )
            )
        )
    theme = Theme(
        programme_id=programme.id,
        title=data.title,
        description=data.description,
        proposed_by_registration_id=registration.id,
        created_at=now,
    )
    db.session.add(theme)
    db.session.flush()
    audit.record(
        "theme.proposed_by_participant",
        programme,
        actor=actor,
        now=now,
        theme_id=theme.id,
        title=theme.title,
    )
    for trainer in programme.trainers:
        if trainer.active:
            queue_mail(
                trainer.email,
                _l("New theme proposed for %(title)s", title=programme.title),
                "themes/proposed",
                to_name=trainer.name,
                kind="themes.proposed",
                reply_to=[(registration.full_name, registration.email)],
                now=now,
                trainer=trainer,
                programme=programme,
                theme=theme,
                proposer=registration,
                url=external_url("themes.programme", programme_id=programme.id),
            )
    return theme


def update_theme(theme: Theme, data: ThemeData, *, actor: str, now: datetime | None = None):
    """Change a theme's title or description while it is open for votes."""
    now = now or utcnow()
    theme = _lock(Theme, theme.id)
    _check_running(theme.programme)
    _check_open(theme)
    data = _clean(data)
    changed = [
        name for name in ("title", "description") if getattr(theme, name) != getattr(data, name)
    ]
    if not changed:
        return []
    theme.title, theme.description = data.title, data.description
    audit.record(
        "theme.updated", theme.programme, actor=actor, now=now, theme_id=theme.id, fields=changed
    )
    db.session.flush()
    return changed


def hide_theme(
    theme: Theme, *, actor: str, user: User | None = None, now: datetime | None = None
) -> None:
    """Take a theme out of the vote (an inappropriate proposal, or a trainer's own theme
    withdrawn). Its votes stop counting; a participant who proposed it is told."""
    now = now or utcnow()
    theme = _lock(Theme, theme.id)
    if theme.is_scheduled:
        raise ThemeError(
            str(_l("This theme has been chosen for a session: choose another theme there first."))
        )
    if theme.is_hidden:
        return
    theme.hidden_at = now
    theme.hidden_by_user_id = user.id if user else None
    audit.record("theme.hidden", theme.programme, actor=actor, now=now, theme_id=theme.id)
    proposer = theme.proposed_by_registration
    if proposer is not None and proposer.erased_at is None:
        queue_mail(
            proposer.email,
            _l("Your theme proposal for %(title)s", title=theme.programme.title),
            "themes/hidden",
            to_name=proposer.full_name,
            locale=proposer.locale,
            kind="themes.hidden",
            reply_to=[(user.display_name, user.email)] if user else None,
            now=now,
            registration=proposer,
            programme=theme.programme,
            theme=theme,
        )
    db.session.flush()


def show_theme(theme: Theme, *, actor: str, now: datetime | None = None) -> None:
    """Put a hidden theme back in the vote (its earlier votes count again)."""
    now = now or utcnow()
    theme = _lock(Theme, theme.id)
    _check_running(theme.programme)
    if not theme.is_hidden:
        return
    theme.hidden_at = theme.hidden_by_user_id = None
    audit.record("theme.shown", theme.programme, actor=actor, now=now, theme_id=theme.id)
    db.session.flush()


def set_vote_limit(
    programme: Programme, votes: int, *, actor: str, now: datetime | None = None
) -> bool:
    """Set how many votes each participant has. Votes already cast stay; someone above a
    lowered number votes again once they take votes back. Returns whether it changed."""
    now = now or utcnow()
    _check_running(programme)
    if not 1 <= votes <= MAX_VOTES:
        raise ValidationError(
            str(_l("The number of votes must be between 1 and %(max)d.", max=MAX_VOTES))
        )
    settings = db.session.get(ThemeSettings, programme.id)
    if settings is None:
        if votes == DEFAULT_VOTES:
            return False
        settings = ThemeSettings(programme_id=programme.id, votes_per_person=votes)
        db.session.add(settings)
    elif settings.votes_per_person == votes:
        return False
    else:
        settings.votes_per_person = votes
    audit.record("theme.votes_set", programme, actor=actor, now=now, votes=votes)
    db.session.flush()
    return True


# --- voting ----------------------------------------------------------------------------------


def cast_vote(
    theme: Theme, registration: Registration, *, actor: str, now: datetime | None = None
) -> ThemeVote:
    """Give one of a participant's votes to a theme.

    MUST hold the voter's row lock from the count to the insert: that is what keeps two votes
    at once (two tabs, a double click) within the limit."""
    now = now or utcnow()
    registration = _lock(Registration, registration.id)
    theme = _lock(Theme, theme.id)
    _check_voter(registration)
    if theme.programme_id != registration.programme_id:
        raise ThemeError(str(_l("This theme belongs to another programme.")))
    _check_open(theme)
    already = db.session.execute(
        select(ThemeVote.id).where(
            ThemeVote.theme_id == theme.id, ThemeVote.registration_id == registration.id
        )
    ).first()
    if already:
        raise ThemeError(str(_l("You have already voted for this theme.")))
    limit = vote_limit(registration.programme_id)
    used = votes_used(registration)
    testmode.race_delay()  # test-only: widens the window the control run needs
    if used >= limit:
        raise ThemeError(
            str(
                _l(
                    "You have used all %(limit)d of your votes. Take a vote back first if you "
                    "would rather vote for this theme.",
                    limit=limit,
                )
            )
        )
    vote = ThemeVote(theme_id=theme.id, registration_id=registration.id, created_at=now)
    try:
        with db.session.begin_nested():
            db.session.add(vote)
    except IntegrityError as exc:
        raise ThemeError(str(_l("You have already voted for this theme."))) from exc
    audit.record("theme.voted", theme.programme, actor=actor, now=now, theme_id=theme.id)
    return vote


def withdraw_vote(
    theme: Theme, registration: Registration, *, actor: str, now: datetime | None = None
) -> None:
    """Take a vote back, while the theme is still open."""
    now = now or utcnow()
    registration = _lock(Registration, registration.id)
    theme = _lock(Theme, theme.id)
    _check_voter(registration)
    _check_open(theme)
    vote = db.session.execute(
        select(ThemeVote).where(
            ThemeVote.theme_id == theme.id, ThemeVote.registration_id == registration.id
        )
    ).scalar_one_or_none()
    if vote is None:
        raise ThemeError(str(_l("You had not voted for this theme.")))
    db.session.delete(vote)
    audit.record("theme.vote_withdrawn", theme.programme, actor=actor, now=now, theme_id=theme.id)
    db.session.flush()


# --- fixing a session's theme ----------------------------------------------------------------


def schedulable_sessions(programme: Programme, now: datetime) -> list[ProgrammeSession]:
    """The programme's sessions that have not started: their theme can still be chosen."""
    return [s for s in programme.sessions if s.starts_at > now]


def theme_of_session(session_id: int) -> Theme | None:
    return db.session.execute(
        select(Theme).where(Theme.scheduled_session_id == session_id)
    ).scalar_one_or_none()


def schedule_theme(
    theme: Theme,
    session: ProgrammeSession,
    *,
    actor: str,
    user: User | None = None,
    now: datetime | None = None,
) -> Theme | None:
    """Make `theme` the theme of `session` (through the catalogue's session service), close
    its vote and tell the seated participants. A theme chosen earlier for that session goes
    back to the vote; it is returned (None when there was none)."""
    now = now or utcnow()
    theme = _lock(Theme, theme.id)
    programme = theme.programme
    _check_running(programme)
    _check_open(theme)
    if session.programme_id != theme.programme_id:
        raise ThemeError(str(_l("This session belongs to another programme.")))
    if session.starts_at <= now:
        raise ThemeError(
            str(_l("This session has already started: choose a session that is still to come."))
        )
    previous = theme_of_session(session.id)
    if previous is not None:
        previous.scheduled_session_id = previous.scheduled_at = None
        db.session.flush()
        audit.record(
            "theme.released",
            programme,
            actor=actor,
            now=now,
            theme_id=previous.id,
            session_id=session.id,
        )
    update_session(
        session,
        SessionData(
            theme=theme.title,
            starts_at=session.starts_at,
            ends_at=session.ends_at,
            location_name=session.location_name,
            location_address=session.location_address,
            kind=session.kind,
            description=session.description,
        ),
        actor=actor,
        now=now,
    )
    theme.scheduled_session_id = session.id
    theme.scheduled_at = now
    db.session.flush()
    audit.record(
        "theme.scheduled",
        programme,
        actor=actor,
        now=now,
        theme_id=theme.id,
        session_id=session.id,
    )
    _tell_participants(theme, session, user, now)
    return previous


def _tell_participants(
    theme: Theme, session: ProgrammeSession, user: User | None, now: datetime
) -> None:
    programme = session.programme
    people = db.session.execute(
        select(Registration)
        .where(
            Registration.programme_id == programme.id,
            Registration.status == RegistrationStatus.CONFIRMED,
            Registration.erased_at.is_(None),
        )
        .order_by(Registration.id)
    ).scalars()
    for person in people:
        queue_mail(
            person.email,
            _l("Theme chosen: %(theme)s (%(title)s)", theme=theme.title, title=programme.title),
            "themes/scheduled",
            to_name=person.full_name,
            locale=person.locale,
            kind="themes.scheduled",
            reply_to=[(user.display_name, user.email)] if user else None,
            now=now,
            registration=person,
            programme=programme,
            session=session,
            theme=theme,
            url=external_url("themes.mine", registration_id=person.id),
        )


def release_removed_session(session: ProgrammeSession, *, actor: str, now: datetime) -> None:
    """A session is deleted: the theme chosen for it goes back to the vote."""
    theme = theme_of_session(session.id)
    if theme is None:
        return
    theme.scheduled_session_id = theme.scheduled_at = None
    audit.record(
        "theme.released",
        session.programme,
        actor=actor,
        now=now,
        theme_id=theme.id,
        session_id=session.id,
    )
    db.session.flush()


# --- reading ---------------------------------------------------------------------------------


@dataclass
class RankedTheme:
    theme: Theme
    votes: int
    rank: int
    #: Another theme has as many votes (the trainer decides between them).
    tied: bool
    #: The reader (a participant) voted for it.
    mine: bool = False


def _vote_counts(programme_id: int) -> dict[int, int]:
    rows = db.session.execute(
        select(ThemeVote.theme_id, func.count())
        .join(Theme, Theme.id == ThemeVote.theme_id)
        .where(Theme.programme_id == programme_id)
        .group_by(ThemeVote.theme_id)
    )
    return dict(rows.all())


def _themes(programme_id: int) -> list[Theme]:
    return list(
        db.session.execute(
            select(Theme)
            .where(Theme.programme_id == programme_id)
            .options(
                joinedload(Theme.proposed_by_user),
                joinedload(Theme.proposed_by_registration),
                joinedload(Theme.scheduled_session),
            )
            .order_by(Theme.created_at, Theme.id)
        ).scalars()
    )


@dataclass
class Overview:
    ranking: list[RankedTheme]
    scheduled: list[RankedTheme]
    hidden: list[RankedTheme]
    limit: int


def overview(programme: Programme, *, registration: Registration | None = None) -> Overview:
    """The open themes by votes (most first; ties share a rank, the older one first), the
    chosen ones by session, and the hidden ones. Three queries."""
    counts = _vote_counts(programme.id)
    mine: set[int] = set()
    if registration is not None:
        mine = set(
            db.session.execute(
                select(ThemeVote.theme_id).where(ThemeVote.registration_id == registration.id)
            ).scalars()
        )
    themes = _themes(programme.id)

    def item(theme: Theme) -> RankedTheme:
        return RankedTheme(theme, counts.get(theme.id, 0), 0, False, theme.id in mine)

    open_items = sorted(
        (item(t) for t in themes if t.is_open), key=lambda i: (-i.votes, i.theme.created_at)
    )
    for position, entry in enumerate(open_items, 1):
        before = open_items[position - 2] if position > 1 else None
        entry.rank = before.rank if before and before.votes == entry.votes else position
    ties: dict[int, int] = {}
    for entry in open_items:
        ties[entry.votes] = ties.get(entry.votes, 0) + 1
    for entry in open_items:
        entry.tied = ties[entry.votes] > 1
    scheduled = sorted(
        (item(t) for t in themes if t.is_scheduled),
        key=lambda i: i.theme.scheduled_session.starts_at,
    )
    hidden = [item(t) for t in themes if t.is_hidden and not t.is_scheduled]
    return Overview(open_items, scheduled, hidden, vote_limit(programme.id))


@dataclass
class Ballot:
    """A participant's place to vote, for "Mijn traject"."""

    registration: Registration
    programme: Programme
    open_themes: int
    used: int
    limit: int

    @property
    def left(self) -> int:
        return max(self.limit - self.used, 0)


def ballots_for_email(email: str) -> list[Ballot]:
    """The programmes in which this person votes on themes: seated, in a CoP or LG that
    still runs. One query, however many registrations the person has."""
    is_open = (Theme.hidden_at.is_(None), Theme.scheduled_session_id.is_(None))
    open_themes = (
        select(func.count())
        .select_from(Theme)
        .where(Theme.programme_id == Registration.programme_id, *is_open)
        .scalar_subquery()
    )
    used = (
        select(func.count())
        .select_from(ThemeVote)
        .join(Theme, Theme.id == ThemeVote.theme_id)
        .where(ThemeVote.registration_id == Registration.id, *is_open)
        .scalar_subquery()
    )
    limit = (
        select(ThemeSettings.votes_per_person)
        .where(ThemeSettings.programme_id == Registration.programme_id)
        .scalar_subquery()
    )
    rows = db.session.execute(
        select(Registration, open_themes, used, limit)
        .join(Registration.programme)
        .where(
            Registration.email_normalized == email.strip().lower(),
            Registration.status == RegistrationStatus.CONFIRMED,
            Registration.erased_at.is_(None),
            Programme.kind.in_(SET_TOGETHER),
            Programme.status.not_in(_OVER),
        )
        .options(contains_eager(Registration.programme))
        .order_by(Registration.id)
    ).all()
    return [
        Ballot(r, r.programme, count, votes, votes_per_person or DEFAULT_VOTES)
        for r, count, votes, votes_per_person in rows
    ]


def personal_data(registration_ids: list[int]) -> dict[str, list[dict]]:
    """For "everything stored about me" (AVG art. 15 and 20): the person's own theme
    proposals and the themes they voted for."""
    proposals = db.session.execute(
        select(Theme)
        .where(Theme.proposed_by_registration_id.in_(registration_ids))
        .order_by(Theme.id)
    ).scalars()
    votes = db.session.execute(
        select(ThemeVote, Theme.title)
        .join(Theme, Theme.id == ThemeVote.theme_id)
        .where(ThemeVote.registration_id.in_(registration_ids))
        .order_by(ThemeVote.id)
    ).all()
    return {
        "proposed": [
            {
                "registration": t.proposed_by_registration_id,
                "title": t.title,
                "description": t.description,
                "proposed_at": t.created_at.isoformat(),
                "hidden": t.is_hidden,
            }
            for t in proposals
        ],
        "voted_for": [
            {
                "registration": vote.registration_id,
                "title": title,
                "voted_at": vote.created_at.isoformat(),
            }
            for vote, title in votes
        ],
    }
