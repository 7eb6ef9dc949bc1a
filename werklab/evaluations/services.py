"""Interim evaluations: the evaluation of each session (settings), sending the personal links
and the reminder, answering from a link, and the signal for the early warning. Questionnaires
are in questionnaires.py, results in results.py."""

from __future__ import annotations

import hashlib
import hmac
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import exists, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from werklab import audit
from werklab.attendance.models import AttendanceRecord, AttendanceStatus
from werklab.catalog.models import Programme, ProgrammeSession, ProgrammeStatus
from werklab.db import utcnow
from werklab.errors import DomainError, ValidationError
from werklab.evaluations.models import (
    Answer,
    Evaluation,
    EvaluationInvitation,
    EvaluationResponse,
    Question,
    QuestionKind,
    Questionnaire,
)
from werklab.evaluations.questionnaires import default_questionnaire
from werklab.extensions import db
from werklab.fields import normalize_newlines
from werklab.links import external_url, sign, unsign
from werklab.mail import queue_mail
from werklab.registration.models import Registration, RegistrationStatus
from werklab.translation import lazy_gettext as _l

MAX_OPEN_DAYS = 60
OPEN_ANSWER_MAX = 5000
ANSWER_SALT = "evaluation-answer"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SCALE = re.compile(r"[1-5]")
_INDEX = re.compile(r"[0-9]{1,2}")


class EvaluationClosed(DomainError):
    status_code = 410


class AnswersInvalid(ValidationError):
    """Some answers are not right; `errors` maps question id to a message."""

    def __init__(self, errors: dict[int, str]):
        super().__init__(str(_l("Some answers are not complete yet. Nothing was saved.")))
        self.errors = errors


def _delay() -> timedelta:
    return timedelta(hours=float(current_app.config["EVALUATION_DELAY_HOURS"]))


def _reminder_after() -> timedelta:
    return timedelta(days=float(current_app.config["EVALUATION_REMINDER_DAYS"]))


def default_open_days() -> int:
    return int(current_app.config["EVALUATION_OPEN_DAYS"])


# --- the evaluation of a session ---------------------------------------------------------------


def load_programme(programme_id: int) -> Programme | None:
    """The programme with its trainers and sessions (for the permission check and the page)."""
    return db.session.execute(
        select(Programme)
        .where(Programme.id == programme_id)
        .options(selectinload(Programme.trainers), selectinload(Programme.sessions))
    ).scalar_one_or_none()


def load_session(session_id: int) -> ProgrammeSession | None:
    return db.session.execute(
        select(ProgrammeSession)
        .where(ProgrammeSession.id == session_id)
        .options(joinedload(ProgrammeSession.programme).selectinload(Programme.trainers))
    ).scalar_one_or_none()


def evaluation_of(session: ProgrammeSession) -> Evaluation | None:
    return db.session.execute(
        select(Evaluation).where(Evaluation.session_id == session.id)
    ).scalar_one_or_none()


def response_count(evaluation: Evaluation | None) -> int:
    if evaluation is None:
        return 0
    return db.session.execute(
        select(func.count())
        .select_from(EvaluationResponse)
        .where(EvaluationResponse.evaluation_id == evaluation.id)
    ).scalar_one()


@dataclass
class SettingsData:
    enabled: bool
    questionnaire_id: int | None  # None: the programme's default
    anonymous: bool
    open_days: int


def configure_evaluation(
    session: ProgrammeSession, data: SettingsData, *, actor: str, now: datetime | None = None
) -> Evaluation:
    """Set a session's evaluation: which questionnaire, on or off, anonymous or named, how
    long it stays open. Once sent, the questionnaire stays and it cannot be switched off;
    anonymous or named can change only while nobody has answered."""
    now = now or utcnow()
    evaluation = evaluation_of(session)
    if evaluation is None:
        evaluation = Evaluation(
            session_id=session.id, open_days=default_open_days(), created_at=now
        )
        db.session.add(evaluation)
    if not 1 <= data.open_days <= MAX_OPEN_DAYS:
        raise ValidationError(str(_l("Choose between 1 and %(max)d days.", max=MAX_OPEN_DAYS)))
    if data.questionnaire_id is not None:
        questionnaire = db.session.get(Questionnaire, data.questionnaire_id)
        if questionnaire is None or questionnaire.programme_id != session.programme_id:
            raise ValidationError(str(_l("Choose a questionnaire of this programme.")))
    sent = evaluation.sent_at is not None
    if sent and data.questionnaire_id is None:
        data.questionnaire_id = evaluation.questionnaire_id  # "the default" is what was sent
    if sent and data.questionnaire_id != evaluation.questionnaire_id:
        raise DomainError(
            str(_l("This evaluation has already been sent: its questionnaire cannot change."))
        )
    if sent and not data.enabled:
        raise DomainError(
            str(_l("This evaluation has already been sent and can no longer be switched off."))
        )
    if data.anonymous != evaluation.anonymous and response_count(evaluation):
        raise DomainError(
            str(
                _l(
                    "Someone has already answered, so the evaluation can no longer change "
                    "between anonymous and named."
                )
            )
        )
    evaluation.enabled = data.enabled
    evaluation.questionnaire_id = data.questionnaire_id
    evaluation.anonymous = data.anonymous
    evaluation.open_days = data.open_days
    if sent:
        evaluation.closes_at = evaluation.sent_at + timedelta(days=data.open_days)
    db.session.flush()
    audit.record(
        "evaluation.configured",
        evaluation,
        actor=actor,
        now=now,
        enabled=data.enabled,
        questionnaire_id=data.questionnaire_id,
        anonymous=data.anonymous,
        open_days=data.open_days,
    )
    return evaluation


# --- sending and reminding (tick) --------------------------------------------------------------


def _present_uninvited(session_id_col):
    """Condition: someone marked present at the session has no invitation for it yet."""
    return exists().where(
        AttendanceRecord.session_id == session_id_col,
        AttendanceRecord.status == AttendanceStatus.PRESENT,
        AttendanceRecord.registration_id == Registration.id,
        Registration.status == RegistrationStatus.CONFIRMED,
        Registration.erased_at.is_(None),
        ~exists().where(
            EvaluationInvitation.registration_id == Registration.id,
            EvaluationInvitation.evaluation_id == Evaluation.id,
            Evaluation.session_id == session_id_col,
        ),
    )


def sessions_to_invite(now: datetime) -> list[int]:
    """Sessions whose evaluation should go (or still go) to someone who was there: ended
    at least the delay ago, within the answering window, switched on and not closed."""
    latest_end = now - _delay()
    earliest_end = now - timedelta(days=MAX_OPEN_DAYS)
    return list(
        db.session.execute(
            select(ProgrammeSession.id)
            .join(Programme, Programme.id == ProgrammeSession.programme_id)
            .outerjoin(Evaluation, Evaluation.session_id == ProgrammeSession.id)
            .where(
                ProgrammeSession.ends_at <= latest_end,
                ProgrammeSession.ends_at > earliest_end,
                Programme.status.not_in([ProgrammeStatus.CANCELLED, ProgrammeStatus.DRAFT]),
                (Evaluation.id.is_(None))
                | (
                    Evaluation.enabled.is_(True)
                    & ((Evaluation.closes_at.is_(None)) | (Evaluation.closes_at > now))
                ),
                _present_uninvited(ProgrammeSession.id),
            )
            .order_by(ProgrammeSession.ends_at)
        ).scalars()
    )


def _claim_evaluation(session: ProgrammeSession, now: datetime) -> Evaluation | None:
    """The session's evaluation with its row locked (made first if there is none); None if
    another machine holds it (SKIP LOCKED)."""
    if evaluation_of(session) is None:
        try:
            with db.session.begin_nested():
                db.session.add(
                    Evaluation(session_id=session.id, open_days=default_open_days(), created_at=now)
                )
        except IntegrityError:
            pass  # another machine made it at the same moment
    return db.session.execute(
        select(Evaluation)
        .where(Evaluation.session_id == session.id)
        .with_for_update(skip_locked=True)
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()


def invite(session_id: int, *, now: datetime) -> int:
    """Mail each participant who was present at the session, and has not had it yet, their
    personal link. MUST run in a write transaction that the caller commits. Returns how
    many were invited."""
    session = load_session(session_id)
    if session is None:
        return 0
    evaluation = _claim_evaluation(session, now)
    if evaluation is None or not evaluation.enabled or evaluation.is_closed(now):
        return 0
    people = list(
        db.session.execute(
            select(Registration)
            .join(AttendanceRecord, AttendanceRecord.registration_id == Registration.id)
            .where(
                AttendanceRecord.session_id == session.id,
                AttendanceRecord.status == AttendanceStatus.PRESENT,
                Registration.status == RegistrationStatus.CONFIRMED,
                Registration.erased_at.is_(None),
                ~exists().where(
                    EvaluationInvitation.evaluation_id == evaluation.id,
                    EvaluationInvitation.registration_id == Registration.id,
                ),
            )
            .order_by(Registration.id)
        ).scalars()
    )
    if not people:
        return 0
    if evaluation.questionnaire_id is None:
        evaluation.questionnaire_id = default_questionnaire(session.programme, now=now).id
    if evaluation.sent_at is None:
        evaluation.sent_at = now
        evaluation.closes_at = now + timedelta(days=evaluation.open_days)
        audit.record("evaluation.sent", evaluation, actor="system", now=now)
    for registration in people:
        invitation = EvaluationInvitation(
            evaluation_id=evaluation.id, registration_id=registration.id, sent_at=now
        )
        db.session.add(invitation)
        db.session.flush()
        _mail(invitation, registration, session, evaluation, reminder=False, now=now)
    db.session.flush()
    return len(people)


def invitations_of(evaluation: Evaluation) -> list[EvaluationInvitation]:
    return list(
        db.session.execute(
            select(EvaluationInvitation)
            .where(EvaluationInvitation.evaluation_id == evaluation.id)
            .order_by(EvaluationInvitation.id)
        ).scalars()
    )


def remind(now: datetime) -> int:
    """Remind, once, whoever has not answered some days after the link went out, while the
    evaluation is still open. The rows are claimed with SKIP LOCKED: several machines never
    remind twice. MUST be committed by the caller."""
    invitations = list(
        db.session.execute(
            select(EvaluationInvitation)
            .join(Evaluation, Evaluation.id == EvaluationInvitation.evaluation_id)
            .where(
                EvaluationInvitation.answered_at.is_(None),
                EvaluationInvitation.reminded_at.is_(None),
                EvaluationInvitation.sent_at <= now - _reminder_after(),
                Evaluation.closes_at > now,
            )
            .order_by(EvaluationInvitation.id)
            .with_for_update(skip_locked=True, of=EvaluationInvitation)
            .execution_options(populate_existing=True)
        ).scalars()
    )
    count = 0
    for invitation in invitations:
        if invitation.reminded_at is not None or invitation.answered_at is not None:
            continue
        invitation.reminded_at = now
        registration = db.session.get(Registration, invitation.registration_id)
        if registration is None or registration.erased_at is not None:
            continue
        evaluation = invitation.evaluation
        _mail(invitation, registration, evaluation.session, evaluation, reminder=True, now=now)
        count += 1
    db.session.flush()
    return count


def _mail(invitation, registration, session, evaluation, *, reminder: bool, now) -> None:
    if reminder:
        subject = _l("Reminder: how was %(theme)s?", theme=session.theme)
    else:
        subject = _l("How was %(theme)s?", theme=session.theme)
    queue_mail(
        registration.email,
        subject,
        "evaluations/invitation",
        to_name=registration.full_name,
        locale=registration.locale,
        kind="evaluation.reminder" if reminder else "evaluation.invitation",
        now=now,
        registration=registration,
        session=session,
        programme=session.programme,
        evaluation=evaluation,
        reminder=reminder,
        answer_url=answer_url(invitation),
    )
    audit.record(
        "evaluation.reminded" if reminder else "evaluation.invited",
        invitation,
        actor="system",
        now=now,
        registration_id=registration.id,
    )


# --- answering ---------------------------------------------------------------------------------


def answer_token(invitation: EvaluationInvitation) -> str:
    return sign(invitation.key, salt=ANSWER_SALT)


def answer_url(invitation: EvaluationInvitation) -> str:
    return external_url("evaluations.answer", token=answer_token(invitation))


def invitation_by_token(token: str) -> EvaluationInvitation | None:
    """The invitation behind a personal link; None for a tampered or unknown link."""
    key = unsign(token, salt=ANSWER_SALT)
    if key is None:
        return None
    return db.session.execute(
        select(EvaluationInvitation)
        .where(EvaluationInvitation.key == key)
        .options(
            joinedload(EvaluationInvitation.evaluation)
            .joinedload(Evaluation.session)
            .joinedload(ProgrammeSession.programme),
            joinedload(EvaluationInvitation.evaluation)
            .joinedload(Evaluation.questionnaire)
            .selectinload(Questionnaire.questions),
        )
    ).scalar_one_or_none()


def _respondent(invitation: EvaluationInvitation) -> str:
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.new(
        secret, b"evaluation-response:" + invitation.key.encode(), hashlib.sha256
    ).hexdigest()


def own_response(invitation: EvaluationInvitation) -> EvaluationResponse | None:
    return db.session.execute(
        select(EvaluationResponse)
        .where(
            EvaluationResponse.evaluation_id == invitation.evaluation_id,
            EvaluationResponse.respondent == _respondent(invitation),
        )
        .options(selectinload(EvaluationResponse.answers))
    ).scalar_one_or_none()


def _parse(question: Question, values: list[str]) -> tuple[dict | None, str | None]:
    """One question's raw form values → (answer fields, or None when unanswered; error)."""
    values = [v for v in values if v is not None and v.strip() != ""]
    if question.kind is QuestionKind.OPEN:
        # Browsers send line breaks as "\r\n": stored as "\n", like every text field.
        text = normalize_newlines(values[0]).strip() if values else ""
        if _CONTROL.search(text):
            return None, str(_l("This text contains characters we cannot store."))
        if len(text) > OPEN_ANSWER_MAX:
            return None, str(_l("An answer can be at most %(n)d characters.", n=OPEN_ANSWER_MAX))
        return ({"text": text} if text else None), None
    if not values:
        return None, None
    if question.kind is QuestionKind.SCALE:
        if len(values) != 1 or not _SCALE.fullmatch(values[0].strip()):
            return None, str(_l("Choose a number from 1 to 5."))
        return {"scale": int(values[0].strip())}, None
    indexes = []
    for value in values:
        value = value.strip()
        if not _INDEX.fullmatch(value) or int(value) >= len(question.options):
            return None, str(_l("Choose one of the options given."))
        indexes.append(int(value))
    if question.kind is QuestionKind.SINGLE and len(indexes) != 1:
        return None, str(_l("Choose one option."))
    return {"choices": sorted(set(indexes))}, None


def submit_answers(
    invitation: EvaluationInvitation,
    raw: dict[int, list[str]],
    *,
    seen_anonymous: bool | None = None,
    now: datetime | None = None,
) -> EvaluationResponse:
    """Store (or replace) a participant's answers, all or nothing. `raw` maps question id to
    the values the form sent; `seen_anonymous` is what the form told the participant (if
    the trainer changed it meanwhile, nothing is stored: they answer knowing who sees it)."""
    now = now or utcnow()
    evaluation = invitation.evaluation
    if not evaluation.is_open(now):
        raise EvaluationClosed(
            str(_l("This evaluation has closed: answers can no longer be given or changed."))
        )
    if seen_anonymous is not None and seen_anonymous != evaluation.anonymous:
        raise DomainError(
            str(
                _l(
                    "While you were answering, the trainer changed whether this evaluation is "
                    "anonymous. Nothing was saved: read the notice above and send again."
                )
            )
        )
    questions = evaluation.questionnaire.questions
    errors: dict[int, str] = {}
    parsed: dict[int, dict] = {}
    for question in questions:
        fields, error = _parse(question, raw.get(question.id, []))
        if error is None and fields is None and question.required:
            error = str(_l("This question needs an answer."))
        if error:
            errors[question.id] = error
        elif fields is not None:
            parsed[question.id] = fields
    if errors:
        raise AnswersInvalid(errors)
    if not parsed:
        raise ValidationError(str(_l("Answer at least one question. Nothing was saved.")))
    response = own_response(invitation)
    if response is None:
        response = EvaluationResponse(
            evaluation_id=evaluation.id,
            respondent=_respondent(invitation),
            registration_id=None if evaluation.anonymous else invitation.registration_id,
        )
        db.session.add(response)
    else:
        response.answers.clear()
        db.session.flush()
    for question_id, fields in parsed.items():
        response.answers.append(Answer(question_id=question_id, **fields))
    first = invitation.answered_at is None
    if first:
        invitation.answered_at = now
    db.session.flush()
    # The audit says that this person answered (as the invitation does), never what.
    audit.record(
        "evaluation.answered" if first else "evaluation.answer_changed",
        invitation,
        actor=f"participant:{invitation.registration_id}",
        now=now,
    )
    return response


@dataclass
class OpenEvaluation:
    invitation: EvaluationInvitation
    session: ProgrammeSession
    programme: Programme
    url: str

    @property
    def answered(self) -> bool:
        return self.invitation.answered_at is not None


def open_for_email(email: str, now: datetime) -> list[OpenEvaluation]:
    """The evaluations a person can still answer (or change), for "Mijn traject"."""
    invitations = db.session.execute(
        select(EvaluationInvitation)
        .join(Registration, Registration.id == EvaluationInvitation.registration_id)
        .join(Evaluation, Evaluation.id == EvaluationInvitation.evaluation_id)
        .where(
            Registration.email_normalized == email.strip().lower(),
            Evaluation.closes_at > now,
        )
        .options(
            joinedload(EvaluationInvitation.evaluation)
            .joinedload(Evaluation.session)
            .joinedload(ProgrammeSession.programme)
        )
        .order_by(Evaluation.closes_at, EvaluationInvitation.id)
    ).scalars()
    return [
        OpenEvaluation(i, i.evaluation.session, i.evaluation.session.programme, answer_url(i))
        for i in invitations
    ]


# --- for the early warning (issue 14 part 2) ---------------------------------------------------


def unanswered_in_a_row(programme_id: int, now: datetime) -> dict[int, datetime]:
    """Registration id → since when, for each participant (still seated) who left the last
    two evaluations sent to them unanswered. One SQL query, however many participants."""
    return unanswered_in_a_row_of([programme_id], now)


def unanswered_in_a_row_of(programme_ids, now: datetime) -> dict[int, datetime]:
    """unanswered_in_a_row for several programmes at once, in one SQL query however many
    programmes and participants (the overview of "Aandacht nodig" relies on it).

    An evaluation counts once it is settled for that person: answered (at any time), or
    closed without an answer; one still open and unanswered does not count yet. "Since" is
    the moment the second of the two closed unanswered (when the signal became true).
    """
    rows = db.session.execute(
        select(
            EvaluationInvitation.registration_id,
            EvaluationInvitation.answered_at,
            Evaluation.closes_at,
        )
        .join(Evaluation, Evaluation.id == EvaluationInvitation.evaluation_id)
        .join(ProgrammeSession, ProgrammeSession.id == Evaluation.session_id)
        .join(Registration, Registration.id == EvaluationInvitation.registration_id)
        .where(
            ProgrammeSession.programme_id.in_(list(programme_ids)),
            Registration.status == RegistrationStatus.CONFIRMED,
            Registration.erased_at.is_(None),
            (EvaluationInvitation.answered_at.is_not(None)) | (Evaluation.closes_at <= now),
        )
        .order_by(
            EvaluationInvitation.registration_id,
            EvaluationInvitation.sent_at.desc(),
            EvaluationInvitation.id.desc(),
        )
    ).all()
    latest: dict[int, list[tuple[datetime | None, datetime]]] = defaultdict(list)
    for registration_id, answered_at, closes_at in rows:
        if len(latest[registration_id]) < 2:
            latest[registration_id].append((answered_at, closes_at))
    return {
        registration_id: max(closes for _answered, closes in last_two)
        for registration_id, last_two in latest.items()
        if len(last_two) == 2 and all(answered is None for answered, _closes in last_two)
    }
