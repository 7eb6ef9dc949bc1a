"""A programme that has ended: attendance kept, certificates issued, a final evaluation open."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from tests.evaluations.helpers import NOW, Setup, mark_present, past_programme
from tests.factories import Factories
from werklab.attendance.models import AttendanceStatus
from werklab.certificates.services import issue_certificates
from werklab.evaluations import questionnaires
from werklab.evaluations import services as evaluations
from werklab.extensions import db

__all__ = ["NOW", "Ended", "ended"]


@dataclass
class Ended:
    setup: Setup
    certified: list  # registrations with a certificate
    uncertified: list  # the one who missed a session

    @property
    def programme(self):
        return self.setup.programme

    @property
    def people(self):
        return self.setup.people


def ended(
    f: Factories,
    *,
    people: int = 3,
    last_ended: timedelta = timedelta(days=8),
    final_evaluation: bool = True,
) -> Ended:
    """Everyone present at every session except the last person, absent at the first one;
    certificates issued (to all but that person); the last session's evaluation is the
    final questionnaire, sent at NOW and open for 14 days."""
    s = past_programme(f, people=people, last_ended=last_ended)
    for i, session in enumerate(s.sessions):
        mark_present(s, session, s.people if i else s.people[:-1])
    mark_present(s, s.sessions[0], s.people[-1:], status=AttendanceStatus.ABSENT)
    issue_certificates(s.programme, actor=s.trainer, now=NOW)
    if final_evaluation:
        final = questionnaires.copy_ready_made(s.programme, "final-nl", actor="t", now=NOW)
        last = s.sessions[-1]
        evaluations.configure_evaluation(
            last, evaluations.SettingsData(True, final.id, True, 14), actor="t", now=NOW
        )
        evaluations.invite(last.id, now=NOW)
    db.session.flush()
    return Ended(s, s.people[:-1], s.people[-1:])
