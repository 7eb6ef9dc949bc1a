"""Results of an evaluation: response rate, per question the distribution and the open
answers, the CSV rows, the overview per session and the trend across sessions. With
anonymity on, nothing here names a respondent, and a question with fewer than MIN_ANSWERS
answers shows nothing."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import and_, func, select
from sqlalchemy.orm import joinedload, selectinload

from werklab.catalog.models import Programme, ProgrammeSession
from werklab.evaluations.models import (
    Answer,
    Evaluation,
    EvaluationInvitation,
    EvaluationResponse,
    Question,
    QuestionKind,
)
from werklab.evaluations.questionnaires import default_title
from werklab.extensions import db
from werklab.registration.models import Registration
from werklab.translation import lazy_gettext as _l

#: Under this many answers to a question, an anonymous evaluation shows nothing of it.
MIN_ANSWERS = 3


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
