"""Interim evaluations: questionnaires, the evaluation of each session, answering from a
personal link, results that keep anonymous answers anonymous."""

from __future__ import annotations

import hashlib
import hmac
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, exists, func, select
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
    QuestionnairePurpose,
)
from werklab.evaluations.ready_made import DEFAULT_KEY, READY_MADE
from werklab.extensions import db
from werklab.links import external_url, sign, unsign
from werklab.mail import queue_mail
from werklab.registration.models import Registration, RegistrationStatus

#: Under this many answers to a question, an anonymous evaluation shows nothing of it.
MIN_ANSWERS = 3
MAX_OPEN_DAYS = 60
MAX_OPTIONS = 10
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


# --- questionnaires --------------------------------------------------------------------------


@dataclass
class QuestionData:
    kind: QuestionKind
    text: str
    required: bool = False
    low_label: str = ""
    high_label: str = ""
    options: list[str] = field(default_factory=list)


def _check_question(data: QuestionData) -> QuestionData:
    text = (data.text or "").strip()
    if not text:
        raise ValidationError(str(_l("Please write the question.")))
    if len(text) > 500:
        raise ValidationError(str(_l("A question can be at most 500 characters.")))
    options = [o.strip() for o in data.options if o.strip()]
    if data.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        if len(options) < 2:
            raise ValidationError(str(_l("A choice question needs at least two options.")))
        if len(options) > MAX_OPTIONS:
            raise ValidationError(
                str(_l("A choice question can have at most %(n)d options.", n=MAX_OPTIONS))
            )
        if any(len(o) > 200 for o in options):
            raise ValidationError(str(_l("An option can be at most 200 characters.")))
        if len(set(options)) != len(options):
            raise ValidationError(str(_l("Each option can appear only once.")))
    else:
        options = []
    low, high = (data.low_label or "").strip(), (data.high_label or "").strip()
    if data.kind is QuestionKind.SCALE:
        if not low or not high:
            raise ValidationError(str(_l("A scale needs a label for 1 and for 5.")))
        if len(low) > 80 or len(high) > 80:
            raise ValidationError(str(_l("A label can be at most 80 characters.")))
    else:
        low = high = ""
    return QuestionData(data.kind, text, bool(data.required), low, high, options)


def _new_question(questionnaire: Questionnaire, data: QuestionData, position: int) -> Question:
    question = Question(
        questionnaire=questionnaire,
        position=position,
        kind=data.kind,
        text=data.text,
        required=data.required,
        low_label=data.low_label,
        high_label=data.high_label,
        options=list(data.options),
    )
    db.session.add(question)
    return question


def copy_ready_made(
    programme: Programme, key: str, *, actor: str, now: datetime | None = None
) -> Questionnaire:
    """Give a programme its own copy of a ready-made questionnaire."""
    now = now or utcnow()
    spec = READY_MADE.get(key)
    if spec is None:
        raise ValidationError(str(_l("Choose one of the ready-made questionnaires.")))
    questionnaire = Questionnaire(
        programme_id=programme.id,
        title=spec.title,
        purpose=spec.purpose,
        template=spec.key,
        created_at=now,
    )
    db.session.add(questionnaire)
    for position, q in enumerate(spec.questions, start=1):
        _new_question(
            questionnaire,
            QuestionData(q.kind, q.text, q.required, q.low_label, q.high_label, list(q.options)),
            position,
        )
    db.session.flush()
    audit.record("questionnaire.created", questionnaire, actor=actor, now=now, template=key)
    return questionnaire


def copy_questionnaire(
    source: Questionnaire, *, actor: str, now: datetime | None = None
) -> Questionnaire:
    """A copy of one of the programme's questionnaires, to change freely."""
    now = now or utcnow()
    questionnaire = Questionnaire(
        programme_id=source.programme_id,
        title=_copy_title(source.title),
        purpose=source.purpose,
        template=source.template,
        created_at=now,
    )
    db.session.add(questionnaire)
    for q in source.questions:
        _new_question(
            questionnaire,
            QuestionData(q.kind, q.text, q.required, q.low_label, q.high_label, list(q.options)),
            q.position,
        )
    db.session.flush()
    audit.record(
        "questionnaire.created", questionnaire, actor=actor, now=now, copied_from=source.id
    )
    return questionnaire


def _copy_title(title: str) -> str:
    suffix = str(_l(" (copy)"))
    return title[: 200 - len(suffix)] + suffix


def create_questionnaire(
    programme: Programme, title: str, *, actor: str, now: datetime | None = None
) -> Questionnaire:
    """An empty questionnaire, to fill with questions."""
    now = now or utcnow()
    title = _check_title(title)
    questionnaire = Questionnaire(programme_id=programme.id, title=title, created_at=now)
    db.session.add(questionnaire)
    db.session.flush()
    audit.record("questionnaire.created", questionnaire, actor=actor, now=now)
    return questionnaire


def _check_title(title: str) -> str:
    title = (title or "").strip()
    if not title:
        raise ValidationError(str(_l("Please give the questionnaire a title.")))
    if len(title) > 200:
        raise ValidationError(str(_l("A title can be at most 200 characters.")))
    return title


def is_in_use(questionnaire: Questionnaire) -> bool:
    """Sent to participants at least once: its questions can no longer change (answers
    refer to them); copy it to change it."""
    return bool(
        db.session.execute(
            select(
                exists().where(
                    Evaluation.questionnaire_id == questionnaire.id,
                    Evaluation.sent_at.is_not(None),
                )
            )
        ).scalar()
    )


def _check_editable(questionnaire: Questionnaire) -> None:
    if is_in_use(questionnaire):
        raise DomainError(
            str(
                _l(
                    "This questionnaire has already been sent to participants, so its questions "
                    "can no longer change. Make a copy to change it."
                )
            )
        )


def rename_questionnaire(
    questionnaire: Questionnaire, title: str, *, actor: str, now: datetime | None = None
) -> None:
    questionnaire.title = _check_title(title)
    db.session.flush()
    audit.record("questionnaire.renamed", questionnaire, actor=actor, now=now)


def add_question(
    questionnaire: Questionnaire, data: QuestionData, *, actor: str, now: datetime | None = None
) -> Question:
    """Add a question at the end of a questionnaire that has not been sent yet."""
    _check_editable(questionnaire)
    data = _check_question(data)
    position = max((q.position for q in questionnaire.questions), default=0) + 1
    question = _new_question(questionnaire, data, position)
    db.session.flush()
    audit.record("question.added", question, actor=actor, now=now, kind=data.kind.value)
    return question


def update_question(
    question: Question, data: QuestionData, *, actor: str, now: datetime | None = None
) -> None:
    _check_editable(question.questionnaire)
    data = _check_question(data)
    question.kind = data.kind
    question.text = data.text
    question.required = data.required
    question.low_label = data.low_label
    question.high_label = data.high_label
    question.options = list(data.options)
    db.session.flush()
    audit.record("question.changed", question, actor=actor, now=now)


def delete_question(question: Question, *, actor: str, now: datetime | None = None) -> None:
    _check_editable(question.questionnaire)
    audit.record("question.deleted", question, actor=actor, now=now)
    db.session.delete(question)
    db.session.flush()


def programme_questionnaires(programme: Programme) -> list[Questionnaire]:
    return list(
        db.session.execute(
            select(Questionnaire)
            .where(Questionnaire.programme_id == programme.id)
            .options(selectinload(Questionnaire.questions))
            .order_by(Questionnaire.id)
        ).scalars()
    )


def load_questionnaire(questionnaire_id: int) -> Questionnaire | None:
    return db.session.execute(
        select(Questionnaire)
        .where(Questionnaire.id == questionnaire_id)
        .options(
            joinedload(Questionnaire.programme).selectinload(Programme.trainers),
            selectinload(Questionnaire.questions),
        )
    ).scalar_one_or_none()


def load_question(question_id: int) -> Question | None:
    return db.session.execute(
        select(Question)
        .where(Question.id == question_id)
        .options(
            joinedload(Question.questionnaire)
            .joinedload(Questionnaire.programme)
            .selectinload(Programme.trainers)
        )
    ).scalar_one_or_none()


def default_questionnaire(programme: Programme, *, now: datetime) -> Questionnaire:
    """The programme's first short questionnaire; a copy of the ready-made one if it has
    none yet."""
    found = db.session.execute(
        select(Questionnaire)
        .where(
            Questionnaire.programme_id == programme.id,
            Questionnaire.purpose == QuestionnairePurpose.SESSION,
        )
        .order_by(Questionnaire.id)
        .limit(1)
    ).scalar_one_or_none()
    return found or copy_ready_made(programme, DEFAULT_KEY, actor="system", now=now)


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
        text = values[0].strip() if values else ""
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
    now: datetime | None = None,
) -> EvaluationResponse:
    """Store (or replace) a participant's answers, all or nothing. `raw` maps question id to
    the values the form sent."""
    now = now or utcnow()
    evaluation = invitation.evaluation
    if not evaluation.is_open(now):
        raise EvaluationClosed(
            str(_l("This evaluation has closed: answers can no longer be given or changed."))
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


# --- results -----------------------------------------------------------------------------------


@dataclass
class QuestionResult:
    question: Question
    answered: int
    #: (label, count) per scale value or option; empty for open questions.
    counts: list[tuple[str, int]]
    mean: float | None
    texts: list[str]
    #: Anonymous and fewer than MIN_ANSWERS answers: nothing is shown.
    hidden: bool


@dataclass
class Results:
    evaluation: Evaluation
    invited: int
    responded: int
    questions: list[QuestionResult]
    #: Named evaluations only: (name, {question id: answer as text}).
    named: list[tuple[str, dict[int, str]]]

    @property
    def rate(self) -> int:
        return round(100 * self.responded / self.invited) if self.invited else 0


def _invited(evaluation_id: int) -> int:
    return db.session.execute(
        select(func.count())
        .select_from(EvaluationInvitation)
        .where(EvaluationInvitation.evaluation_id == evaluation_id)
    ).scalar_one()


def _responses(evaluation: Evaluation) -> list[EvaluationResponse]:
    # Ordered by the random id: the order says nothing about who answered when.
    return list(
        db.session.execute(
            select(EvaluationResponse)
            .where(EvaluationResponse.evaluation_id == evaluation.id)
            .options(selectinload(EvaluationResponse.answers))
            .order_by(EvaluationResponse.id)
        ).scalars()
    )


def answer_as_text(question: Question, answer: Answer) -> str:
    if question.kind is QuestionKind.SCALE:
        return str(answer.scale)
    if question.kind is QuestionKind.OPEN:
        return answer.text or ""
    return "; ".join(
        question.options[i] for i in (answer.choices or []) if i < len(question.options)
    )


def results(evaluation: Evaluation) -> Results:
    """Response rate and, per question, the distribution, mean and open answers. With
    anonymity on, a question with fewer than 3 answers shows nothing, and no names at all."""
    questions = evaluation.questionnaire.questions if evaluation.questionnaire else []
    responses = _responses(evaluation)
    by_question: dict[int, list[Answer]] = defaultdict(list)
    for response in responses:
        for answer in response.answers:
            by_question[answer.question_id].append(answer)
    out = []
    for question in questions:
        answers = by_question.get(question.id, [])
        hidden = evaluation.anonymous and len(answers) < MIN_ANSWERS
        counts: list[tuple[str, int]] = []
        mean = None
        texts: list[str] = []
        if not hidden:
            if question.kind is QuestionKind.SCALE:
                values = [a.scale for a in answers if a.scale]
                counts = [(str(v), values.count(v)) for v in range(1, 6)]
                mean = sum(values) / len(values) if values else None
            elif question.kind is QuestionKind.OPEN:
                # Sorted, so that the order says nothing about who wrote what when.
                texts = sorted((a.text for a in answers if a.text), key=str.lower)
            else:
                chosen = [i for a in answers for i in (a.choices or [])]
                counts = [(o, chosen.count(i)) for i, o in enumerate(question.options)]
        out.append(QuestionResult(question, len(answers), counts, mean, texts, hidden))
    named = []
    if not evaluation.anonymous:
        people = {
            r.id: r.full_name
            for r in db.session.execute(
                select(Registration).where(
                    Registration.id.in_([r.registration_id for r in responses if r.registration_id])
                )
            ).scalars()
        }
        by_id = {q.id: q for q in questions}
        for response in responses:
            name = people.get(response.registration_id, str(_l("Erased participant")))
            named.append(
                (
                    name,
                    {
                        a.question_id: answer_as_text(by_id[a.question_id], a)
                        for a in response.answers
                        if a.question_id in by_id
                    },
                )
            )
        named.sort(key=lambda item: item[0].lower())
    return Results(evaluation, _invited(evaluation.id), len(responses), out, named)


def results_rows(result: Results) -> list[list[str]]:
    """The CSV: one row per response. Anonymous: no names, rows in a random order, and only
    the questions with at least 3 answers (none at all under 3 responses)."""
    evaluation = result.evaluation
    shown = [qr.question for qr in result.questions if not qr.hidden]
    if not evaluation.anonymous:
        header = [str(_l("Name"))] + [q.text for q in shown]
        rows = [[name] + [answers.get(q.id, "") for q in shown] for name, answers in result.named]
        return [header, *rows]
    header = [q.text for q in shown]
    if not shown:
        return [header]
    rows = []
    for response in _responses(evaluation):
        by_q = {a.question_id: a for a in response.answers}
        rows.append([answer_as_text(q, by_q[q.id]) if q.id in by_q else "" for q in shown])
    return [header, *rows]


@dataclass
class SessionRow:
    session: ProgrammeSession
    evaluation: Evaluation | None
    questionnaire_title: str
    invited: int
    responded: int

    @property
    def enabled(self) -> bool:
        return self.evaluation is None or self.evaluation.enabled


def overview(programme: Programme) -> list[SessionRow]:
    """Per session of the programme: its evaluation (if any settings or sending happened),
    the questionnaire, how many were invited and answered. A fixed number of queries."""
    evaluations = {
        e.session_id: e
        for e in db.session.execute(
            select(Evaluation)
            .join(ProgrammeSession, ProgrammeSession.id == Evaluation.session_id)
            .where(ProgrammeSession.programme_id == programme.id)
            .options(joinedload(Evaluation.questionnaire))
        ).scalars()
    }
    ids = [e.id for e in evaluations.values()]
    invited = dict(
        db.session.execute(
            select(EvaluationInvitation.evaluation_id, func.count())
            .where(EvaluationInvitation.evaluation_id.in_(ids))
            .group_by(EvaluationInvitation.evaluation_id)
        ).all()
    )
    responded = dict(
        db.session.execute(
            select(EvaluationResponse.evaluation_id, func.count())
            .where(EvaluationResponse.evaluation_id.in_(ids))
            .group_by(EvaluationResponse.evaluation_id)
        ).all()
    )
    fallback = None
    rows = []
    for session in programme.sessions:
        evaluation = evaluations.get(session.id)
        if evaluation is not None and evaluation.questionnaire is not None:
            title = evaluation.questionnaire.title
        else:
            if fallback is None:
                fallback = default_title(programme)
            title = fallback
        rows.append(
            SessionRow(
                session,
                evaluation,
                title,
                invited.get(evaluation.id, 0) if evaluation else 0,
                responded.get(evaluation.id, 0) if evaluation else 0,
            )
        )
    return rows


def default_title(programme: Programme) -> str:
    found = db.session.execute(
        select(Questionnaire.title)
        .where(
            Questionnaire.programme_id == programme.id,
            Questionnaire.purpose == QuestionnairePurpose.SESSION,
        )
        .order_by(Questionnaire.id)
        .limit(1)
    ).scalar_one_or_none()
    return found or READY_MADE[DEFAULT_KEY].title


@dataclass
class TrendLine:
    text: str
    #: (session, mean or None when not shown, number of answers)
    points: list[tuple[ProgrammeSession, float | None, int]]


def trend(programme: Programme) -> list[TrendLine]:
    """The scale questions across the sessions of a programme (the same question text in
    several evaluations forms one line); anonymous means under 3 answers are left out."""
    rows = db.session.execute(
        select(Evaluation, Question, Answer.scale)
        .join(ProgrammeSession, ProgrammeSession.id == Evaluation.session_id)
        .join(Question, Question.questionnaire_id == Evaluation.questionnaire_id)
        .outerjoin(EvaluationResponse, EvaluationResponse.evaluation_id == Evaluation.id)
        .outerjoin(
            Answer,
            and_(Answer.response_id == EvaluationResponse.id, Answer.question_id == Question.id),
        )
        .where(
            ProgrammeSession.programme_id == programme.id,
            Evaluation.sent_at.is_not(None),
            Question.kind == QuestionKind.SCALE,
        )
    ).all()
    values: dict[str, dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
    anonymous: dict[int, bool] = {}
    for evaluation, question, scale in rows:
        anonymous[evaluation.session_id] = evaluation.anonymous
        bucket = values[question.text][evaluation.session_id]
        if scale is not None:
            bucket.append(scale)
    lines = []
    for text, per_session in values.items():
        points = []
        for session in programme.sessions:
            if session.id not in per_session:
                continue
            scores = per_session[session.id]
            hidden = anonymous[session.id] and len(scores) < MIN_ANSWERS
            mean = None if hidden or not scores else sum(scores) / len(scores)
            points.append((session, mean, len(scores)))
        lines.append(TrendLine(text, points))
    return lines


# --- for the early warning (issue 14 part 2) ---------------------------------------------------


def unanswered_in_a_row(programme_id: int, now: datetime) -> dict[int, datetime]:
    """Registration id → since when, for each participant (still seated) who left the last
    two evaluations sent to them unanswered. One SQL query, however many participants.

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
            ProgrammeSession.programme_id == programme_id,
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
