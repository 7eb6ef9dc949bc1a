"""Creating programmes: the group-size rules and the werklab template."""

from datetime import timedelta

import pytest
from sqlalchemy.exc import IntegrityError

from werklab.catalog.models import ProgrammeKind, SessionKind
from werklab.catalog.services import (
    WERKLAB_SESSIONS,
    ProgrammeData,
    SessionData,
    add_session,
    create_programme,
)
from werklab.db import utcnow
from werklab.errors import ValidationError
from werklab.extensions import db

NOW = utcnow()


def test_werklab_gets_its_three_sessions():
    programme = create_programme(
        ProgrammeData(kind=ProgrammeKind.WERKLAB, title="Werklab Gemeente Ede"), actor="t", now=NOW
    )
    assert [s.theme for s in programme.sessions] == [
        "Op de koffie bij bewonersinitiatieven",
        "De samenwerking van de gemeente met bewonersinitiatieven",
        "Je eigen rol",
    ]
    assert [s.kind for s in programme.sessions] == [k for _, k in WERKLAB_SESSIONS]
    assert programme.sessions[0].kind is SessionKind.SITE_VISIT
    assert [s.position for s in programme.sessions] == [1, 2, 3]
    assert programme.min_participants == 10 and programme.max_participants == 15
    assert programme.slug == "werklab-gemeente-ede"


@pytest.mark.parametrize(
    ("minimum", "maximum", "message"),
    [
        (10, 16, "15"),
        (10, 25, "15"),
        (0, 15, "minstens 1"),
        (12, 11, "hoger zijn dan het maximum"),
    ],
)
def test_group_size_rules(minimum, maximum, message):
    with pytest.raises(ValidationError, match=message):
        create_programme(
            ProgrammeData(
                kind=ProgrammeKind.COP,
                title="CoP",
                min_participants=minimum,
                max_participants=maximum,
            ),
            actor="t",
            now=NOW,
        )


def test_database_also_refuses_more_than_15(factories):
    programme = factories.programme()
    programme.max_participants = 16
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_slugs_are_unique():
    a = create_programme(ProgrammeData(kind=ProgrammeKind.COP, title="CoP Één"), actor="t")
    b = create_programme(ProgrammeData(kind=ProgrammeKind.COP, title="CoP Één"), actor="t")
    assert a.slug == "cop-een"
    assert b.slug == "cop-een-2"


def test_session_must_end_after_start(factories):
    programme = factories.programme()
    with pytest.raises(ValidationError):
        add_session(programme, SessionData("Thema", NOW, NOW - timedelta(hours=1)))
