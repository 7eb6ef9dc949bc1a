"""Interim evaluations (tussenevaluaties): questionnaires, their questions, the evaluation of
a session, the personal invitations and the (anonymous by default) answers.

Anonymity: an anonymous response does not name its respondent. It carries only
`respondent` = HMAC(SECRET_KEY, invitation key), so that the person holding the link can
change their answers, while the database alone (a dump, a query) cannot tell whose answers
they are. Responses have no timestamps and a random primary key, so that neither time nor
order links them to the invitations.
"""

from __future__ import annotations

import enum
import secrets
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from werklab.catalog.models import Programme, ProgrammeSession
from werklab.db import Base, enum_type, utcnow


class QuestionKind(enum.Enum):
    SCALE = "scale"  # 1-5 with labelled ends
    SINGLE = "single"  # choose one option
    MULTIPLE = "multiple"  # choose one or more options
    OPEN = "open"  # a written answer


class QuestionnairePurpose(enum.Enum):
    SESSION = "session"  # short, after a session
    FINAL = "final"  # longer, at the end of the programme


def new_key() -> str:
    return secrets.token_urlsafe(32)


def new_response_id() -> str:
    return secrets.token_hex(16)


class Questionnaire(Base):
    """A programme's questionnaire (a copy of a ready-made template, or made from scratch)."""

    __tablename__ = "questionnaires"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(
        sa.ForeignKey("programmes.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(sa.String(200))
    purpose: Mapped[QuestionnairePurpose] = mapped_column(
        enum_type(QuestionnairePurpose, "questionnaire_purpose"),
        default=QuestionnairePurpose.SESSION,
    )
    #: The ready-made template it was copied from ("session-nl", ...), if any.
    template: Mapped[str | None] = mapped_column(sa.String(40))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    programme: Mapped[Programme] = relationship()
    questions: Mapped[list[Question]] = relationship(
        back_populates="questionnaire",
        order_by="Question.position",
        cascade="all, delete-orphan",
    )


class Question(Base):
    __tablename__ = "evaluation_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    questionnaire_id: Mapped[int] = mapped_column(
        sa.ForeignKey("questionnaires.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int]
    kind: Mapped[QuestionKind] = mapped_column(enum_type(QuestionKind, "question_kind"))
    text: Mapped[str] = mapped_column(sa.String(500))
    required: Mapped[bool] = mapped_column(default=False)
    #: The labels of 1 and 5 on a scale question.
    low_label: Mapped[str] = mapped_column(sa.String(80), default="")
    high_label: Mapped[str] = mapped_column(sa.String(80), default="")
    #: The options of a choice question.
    options: Mapped[list[str]] = mapped_column(sa.JSON, default=list)

    questionnaire: Mapped[Questionnaire] = relationship(back_populates="questions")


class Evaluation(Base):
    """The evaluation after one session: which questionnaire, on or off, anonymous or
    named, and when it was sent and closes."""

    __tablename__ = "evaluations"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        sa.ForeignKey("programme_sessions.id", ondelete="CASCADE"), unique=True
    )
    #: NULL: the programme's default questionnaire is chosen when the evaluation is sent.
    questionnaire_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("questionnaires.id"), index=True
    )
    enabled: Mapped[bool] = mapped_column(default=True)
    anonymous: Mapped[bool] = mapped_column(default=True)
    #: How long participants can answer (and change their answers) after it is sent.
    open_days: Mapped[int] = mapped_column(default=14)
    sent_at: Mapped[datetime | None]
    closes_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    session: Mapped[ProgrammeSession] = relationship()
    questionnaire: Mapped[Questionnaire | None] = relationship()

    def is_open(self, now: datetime) -> bool:
        return self.sent_at is not None and self.closes_at is not None and now < self.closes_at

    def is_closed(self, now: datetime) -> bool:
        return self.closes_at is not None and now >= self.closes_at


class EvaluationInvitation(Base):
    """A participant's personal link to an evaluation: sent, reminded, answered (or not).
    Says THAT someone answered, never WHAT (see the module docstring)."""

    __tablename__ = "evaluation_invitations"
    __table_args__ = (
        sa.UniqueConstraint(
            "evaluation_id", "registration_id", name="uq_evaluation_invitations_person"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(sa.ForeignKey("evaluations.id", ondelete="CASCADE"))
    registration_id: Mapped[int] = mapped_column(
        sa.ForeignKey("registrations.id", ondelete="CASCADE"), index=True
    )
    #: Random secret behind the signed personal link.
    key: Mapped[str] = mapped_column(sa.String(64), unique=True, default=new_key)
    sent_at: Mapped[datetime]
    reminded_at: Mapped[datetime | None]
    #: First answer; changing the answers later does not move it.
    answered_at: Mapped[datetime | None]

    evaluation: Mapped[Evaluation] = relationship()


class EvaluationResponse(Base):
    """One person's answers to one evaluation."""

    __tablename__ = "evaluation_responses"
    __table_args__ = (
        sa.UniqueConstraint(
            "evaluation_id", "respondent", name="uq_evaluation_responses_respondent"
        ),
    )

    #: Random, so that the order of the rows says nothing about who answered when.
    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True, default=new_response_id)
    evaluation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("evaluations.id", ondelete="CASCADE"), index=True
    )
    #: HMAC of the invitation key: finds one's own response again, names nobody.
    respondent: Mapped[str] = mapped_column(sa.String(64))
    #: Only for a named evaluation: whose answers these are.
    registration_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("registrations.id", ondelete="SET NULL")
    )

    answers: Mapped[list[Answer]] = relationship(
        back_populates="response", cascade="all, delete-orphan"
    )


class Answer(Base):
    __tablename__ = "evaluation_answers"
    __table_args__ = (
        sa.UniqueConstraint("response_id", "question_id", name="uq_evaluation_answers_question"),
        sa.CheckConstraint("scale IS NULL OR (scale >= 1 AND scale <= 5)", name="scale_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[str] = mapped_column(
        sa.ForeignKey("evaluation_responses.id", ondelete="CASCADE")
    )
    question_id: Mapped[int] = mapped_column(
        sa.ForeignKey("evaluation_questions.id", ondelete="CASCADE"), index=True
    )
    scale: Mapped[int | None]
    #: Indexes into the question's options.
    choices: Mapped[list[int] | None] = mapped_column(sa.JSON(none_as_null=True))
    text: Mapped[str | None] = mapped_column(sa.Text)

    response: Mapped[EvaluationResponse] = relationship(back_populates="answers")
