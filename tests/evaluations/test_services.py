"""Evaluation services with an explicit `now`: sending after the session, the reminder,
answering and changing, closing, anonymity, results and the unanswered-in-a-row signal."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.conftest import outbox
from tests.evaluations.helpers import (
    NOW,
    answer,
    invitation_of,
    invitations,
    mark_present,
    past_programme,
)
from werklab.attendance.models import AttendanceStatus
from werklab.catalog import services as catalog
from werklab.errors import DomainError, ValidationError
from werklab.evaluations import questionnaires, results, services
from werklab.evaluations.models import (
    Answer,
    Evaluation,
    EvaluationResponse,
    QuestionKind,
)
from werklab.evaluations.questionnaires import QuestionData
from werklab.evaluations.services import SettingsData
from werklab.extensions import db
from werklab.links import unsign


def test_sent_after_the_delay_only_to_who_was_present(factories):
    s = past_programme(factories, people=4, last_ended=timedelta(hours=1))
    last = s.sessions[-1]
    mark_present(s, last, s.people[:3])
    mark_present(s, last, s.people[3:], status=AttendanceStatus.ABSENT)

    # Ended an hour ago; the delay is 2 hours: nothing yet.
    assert services.sessions_to_invite(NOW) == []
    later = NOW + timedelta(hours=1, minutes=1)
    assert services.sessions_to_invite(later) == [last.id]
    assert services.invite(last.id, now=later) == 3

    mails = outbox("evaluation.invitation")
    assert sorted(m.to_addr for m in mails) == sorted(r.email for r in s.people[:3])
    evaluation = services.evaluation_of(last)
    assert evaluation.sent_at == later
    assert evaluation.closes_at == later + timedelta(days=14)
    assert evaluation.questionnaire.template == "session-nl"
    # Each mail carries that person's own link.
    for mail in mails:
        person = next(r for r in s.people if r.email == mail.to_addr)
        token = services.answer_token(invitation_of(last, person))
        assert f"http://werklab.test/evaluatie/{token}" in mail.body_text
        assert "Bijeenkomst 3" in mail.subject
    # A second run sends nothing more.
    assert services.sessions_to_invite(later) == []
    assert services.invite(last.id, now=later) == 0
    assert len(outbox("evaluation.invitation")) == 3


def test_someone_marked_present_later_still_gets_the_link(factories):
    s = past_programme(factories, people=3)
    last = s.sessions[-1]
    mark_present(s, last, s.people[:2])
    services.invite(last.id, now=NOW)
    mark_present(s, last, s.people[2:])
    assert services.sessions_to_invite(NOW + timedelta(hours=1)) == [last.id]
    assert services.invite(last.id, now=NOW + timedelta(hours=1)) == 1
    assert len(invitations(last)) == 3
    # The closing moment stays that of the first sending.
    assert services.evaluation_of(last).closes_at == NOW + timedelta(days=14)


def test_switched_off_or_cancelled_sends_nothing(factories):
    s = past_programme(factories, people=2)
    last = s.sessions[-1]
    mark_present(s, last)
    services.configure_evaluation(last, SettingsData(False, None, True, 14), actor="test", now=NOW)
    assert services.sessions_to_invite(NOW) == []
    assert services.invite(last.id, now=NOW) == 0
    assert outbox("evaluation.invitation") == []


def test_one_reminder_while_open_and_not_to_who_answered(factories):
    s = past_programme(factories, people=3)
    last = s.sessions[-1]
    mark_present(s, last)
    services.invite(last.id, now=NOW)
    answer(invitation_of(last, s.people[0]), 5, now=NOW + timedelta(days=1))

    assert services.remind(NOW + timedelta(days=4)) == 0
    assert services.remind(NOW + timedelta(days=5)) == 2
    reminded = outbox("evaluation.reminder")
    assert sorted(m.to_addr for m in reminded) == sorted(r.email for r in s.people[1:])
    assert "Herinnering" in reminded[0].subject
    # Once only.
    assert services.remind(NOW + timedelta(days=6)) == 0
    assert len(outbox("evaluation.reminder")) == 2


def test_no_reminder_after_closing(factories):
    s = past_programme(factories, people=1)
    last = s.sessions[-1]
    mark_present(s, last)
    services.invite(last.id, now=NOW)
    assert services.remind(NOW + timedelta(days=14)) == 0


def test_answers_can_change_until_close_then_it_is_closed(factories):
    s = past_programme(factories, people=1)
    last = s.sessions[-1]
    mark_present(s, last)
    services.invite(last.id, now=NOW)
    invitation = invitation_of(last, s.people[0])

    answer(invitation, 2, "eerste", now=NOW + timedelta(days=1))
    answer(invitation, 5, "tweede", now=NOW + timedelta(days=13, hours=23))
    responses = db.session.execute(select(EvaluationResponse)).scalars().all()
    assert len(responses) == 1
    assert {(a.scale, a.text) for a in responses[0].answers} == {(5, None), (None, "tweede")}
    assert invitation.answered_at == NOW + timedelta(days=1)  # the first answer

    with pytest.raises(services.EvaluationClosed) as exc:
        answer(invitation, 1, "te laat", now=NOW + timedelta(days=14))
    assert "gesloten" in exc.value.message
    db.session.refresh(responses[0])
    assert {(a.scale, a.text) for a in responses[0].answers} == {(5, None), (None, "tweede")}


@pytest.mark.parametrize(
    "raw_scale, message",
    [
        ("", "Deze vraag heeft een antwoord nodig."),
        ("0", "Kies een getal van 1 tot en met 5."),
        ("6", "Kies een getal van 1 tot en met 5."),
        ("-1", "Kies een getal van 1 tot en met 5."),
        ("3.5", "Kies een getal van 1 tot en met 5."),
        ("٣", "Kies een getal van 1 tot en met 5."),
        ("x" * 10000, "Kies een getal van 1 tot en met 5."),
    ],
)
def test_bad_answers_store_nothing(factories, raw_scale, message):
    s = past_programme(factories, people=1)
    last = s.sessions[-1]
    mark_present(s, last)
    services.invite(last.id, now=NOW)
    invitation = invitation_of(last, s.people[0])
    scale_q = invitation.evaluation.questionnaire.questions[0]
    with pytest.raises(services.AnswersInvalid) as exc:
        services.submit_answers(invitation, {scale_q.id: [raw_scale]}, now=NOW + timedelta(hours=1))
    assert exc.value.errors == {scale_q.id: message}
    assert db.session.execute(select(EvaluationResponse)).first() is None
    assert db.session.execute(select(Answer)).first() is None
    assert invitation.answered_at is None


def test_anonymous_response_names_nobody(factories):
    s = past_programme(factories, people=1)
    last = s.sessions[-1]
    mark_present(s, last)
    services.invite(last.id, now=NOW)
    answer(invitation_of(last, s.people[0]), 4, "iets")
    response = db.session.execute(select(EvaluationResponse)).scalar_one()
    assert response.registration_id is None
    # Only a keyed hash of the link's secret: without the app's SECRET_KEY nobody can tell
    # from the database whose answers these are.
    key = invitation_of(last, s.people[0]).key
    assert len(response.respondent) == 64 and key not in response.respondent
    assert not hasattr(response, "created_at") and not hasattr(response, "updated_at")


def test_named_only_before_anyone_answers(factories):
    s = past_programme(factories, people=2)
    last = s.sessions[-1]
    mark_present(s, last)
    services.configure_evaluation(last, SettingsData(True, None, False, 14), actor="t", now=NOW)
    services.invite(last.id, now=NOW)
    answer(invitation_of(last, s.people[0]), 4)
    response = db.session.execute(select(EvaluationResponse)).scalar_one()
    assert response.registration_id == s.people[0].id
    with pytest.raises(DomainError, match="iemand geantwoord"):
        services.configure_evaluation(last, SettingsData(True, None, True, 14), actor="t", now=NOW)


def test_results_hide_questions_with_fewer_than_three_answers(factories):
    s = past_programme(factories, people=4)
    last = s.sessions[-1]
    mark_present(s, last)
    services.invite(last.id, now=NOW)
    for person, score in zip(s.people[:2], (4, 5), strict=True):
        answer(invitation_of(last, person), score, f"tekst van {person.first_name}")
    result = results.results(services.evaluation_of(last))
    assert (result.invited, result.responded, result.rate) == (4, 2, 50)
    assert all(q.hidden and not q.counts and not q.texts for q in result.questions)
    assert results.results_rows(result) == [[]]

    answer(invitation_of(last, s.people[2]), 5, "")
    result = results.results(services.evaluation_of(last))
    scale, takeaway, _change = result.questions
    assert not scale.hidden and scale.counts == [("1", 0), ("2", 0), ("3", 0), ("4", 1), ("5", 2)]
    assert scale.mean == pytest.approx(14 / 3)
    # Only two people wrote something: still hidden.
    assert takeaway.hidden and takeaway.texts == []
    assert result.named == []


def test_trend_follows_the_same_question_across_sessions(factories):
    s = past_programme(factories, people=3)
    for n, session in enumerate(s.sessions):
        mark_present(s, session)
        services.invite(session.id, now=NOW)
        for person in s.people:
            answer(invitation_of(session, person), 2 + n)
    [line] = results.trend(s.programme)
    assert line.text == "Hoe nuttig was deze bijeenkomst voor je werk?"
    assert [(p[0].position, p[1], p[2]) for p in line.points] == [
        (1, 2.0, 3),
        (2, 3.0, 3),
        (3, 4.0, 3),
    ]


def test_questionnaire_copies_and_edits_lock_once_sent(factories):
    s = past_programme(factories, people=1)
    mine = questionnaires.copy_ready_made(s.programme, "final-en", actor="t", now=NOW)
    assert mine.programme_id == s.programme.id
    assert [q.kind for q in mine.questions][:4] == [
        QuestionKind.SCALE,
        QuestionKind.SCALE,
        QuestionKind.SCALE,
        QuestionKind.MULTIPLE,
    ]
    questionnaires.add_question(
        mine,
        QuestionData(QuestionKind.SINGLE, "Koffie?", True, options=["Ja", "Nee", ""]),
        actor="t",
        now=NOW,
    )
    assert mine.questions[-1].options == ["Ja", "Nee"]
    with pytest.raises(ValidationError, match="minstens twee"):
        questionnaires.add_question(
            mine, QuestionData(QuestionKind.SINGLE, "Eén?", options=["Ja"]), actor="t"
        )
    with pytest.raises(ValidationError, match="omschrijving"):
        questionnaires.add_question(mine, QuestionData(QuestionKind.SCALE, "Schaal?"), actor="t")

    last = s.sessions[-1]
    services.configure_evaluation(last, SettingsData(True, mine.id, True, 14), actor="t", now=NOW)
    mark_present(s, last)
    services.invite(last.id, now=NOW)
    with pytest.raises(DomainError, match="kopie"):
        questionnaires.delete_question(mine.questions[0], actor="t")
    copy = questionnaires.copy_questionnaire(mine, actor="t", now=NOW)
    assert [q.text for q in copy.questions] == [q.text for q in mine.questions]
    questionnaires.delete_question(copy.questions[0], actor="t")
    with pytest.raises(DomainError, match="verstuurd"):
        services.configure_evaluation(
            last, SettingsData(True, copy.id, True, 14), actor="t", now=NOW
        )


def test_open_evaluations_for_my_programme(factories):
    s = past_programme(factories, people=2)
    last = s.sessions[-1]
    mark_present(s, last)
    services.invite(last.id, now=NOW)
    mine = services.open_for_email(s.people[0].email.upper(), NOW + timedelta(days=1))
    assert [(o.session.id, o.answered) for o in mine] == [(last.id, False)]
    assert unsign(mine[0].url.rsplit("/", 1)[1], salt=services.ANSWER_SALT) == (
        invitation_of(last, s.people[0]).key
    )
    assert services.open_for_email(s.people[0].email, NOW + timedelta(days=14)) == []


def test_unanswered_in_a_row(factories, count_queries):
    s = past_programme(factories, people=4, sessions=3, last_ended=timedelta(days=20))
    first, second, third = s.sessions
    a, b, c, d = s.people
    for session in s.sessions:
        mark_present(s, session)
    # Each evaluation goes out as the session ends; open for 14 days.
    for session in s.sessions:
        services.invite(session.id, now=session.ends_at + timedelta(hours=2))
    answer(invitation_of(first, a), 4, now=first.ends_at + timedelta(days=1))  # a: 1st only
    answer(invitation_of(third, b), 4, now=third.ends_at + timedelta(days=1))  # b: last one
    answer(invitation_of(second, c), 4, now=second.ends_at + timedelta(days=1))  # c: middle
    # d answered none.
    closes = {x.id: services.evaluation_of(x).closes_at for x in s.sessions}

    with count_queries() as queries:
        result = services.unanswered_in_a_row(s.programme.id, NOW)
    assert len(queries) == 1
    assert result == {a.id: closes[third.id], d.id: closes[third.id]}

    # While the third is still open, it does not count yet: a and d then have 1 and 2
    # settled; d has two unanswered (first, second), since the second closed.
    before_third_closed = closes[third.id] - timedelta(minutes=1)
    assert services.unanswered_in_a_row(s.programme.id, before_third_closed) == {
        d.id: closes[second.id]
    }
    # An answer to an open evaluation counts at once.
    answer(invitation_of(third, d), 3, now=before_third_closed)
    assert services.unanswered_in_a_row(s.programme.id, NOW) == {a.id: closes[third.id]}


def test_unanswered_in_a_row_query_count_does_not_grow(factories, count_queries):
    small = past_programme(factories, people=2, sessions=2, last_ended=timedelta(days=20))
    big = past_programme(factories, people=12, sessions=4, last_ended=timedelta(days=20))
    for setup in (small, big):
        for session in setup.sessions:
            mark_present(setup, session)
            services.invite(session.id, now=session.ends_at + timedelta(hours=2))
    counts = []
    for setup in (small, big):
        with count_queries() as queries:
            result = services.unanswered_in_a_row(setup.programme.id, NOW)
        counts.append(len(queries))
        assert set(result) == {r.id for r in setup.people}
    assert counts == [1, 1]


def test_a_future_session_with_settings_can_still_be_deleted(factories):
    programme = factories.programme(sessions=3)
    session = programme.sessions[1]
    services.configure_evaluation(session, SettingsData(False, None, True, 14), actor="t", now=NOW)
    catalog.delete_session(session, actor="t", now=NOW)
    assert db.session.execute(select(Evaluation)).first() is None
    assert len(programme.sessions) == 2
