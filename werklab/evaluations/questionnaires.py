"""Questionnaires of a programme: copies of the ready-made ones, made from scratch, and
changed until they are first sent (answers refer to their questions)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import exists, select
from sqlalchemy.orm import joinedload, selectinload

from werklab import audit
from werklab.catalog.models import Programme
from werklab.db import utcnow
from werklab.errors import DomainError, ValidationError
from werklab.evaluations.models import (
    Evaluation,
    Question,
    QuestionKind,
    Questionnaire,
    QuestionnairePurpose,
)
from werklab.evaluations.ready_made import DEFAULT_KEY, READY_MADE
from werklab.extensions import db
from werklab.translation import lazy_gettext as _l

MAX_OPTIONS = 10


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
