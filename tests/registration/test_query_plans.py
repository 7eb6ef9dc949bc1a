"""The registration's look-ups cost the same with a waiting list of 3 or of 3,000 (issue 12,
item 6): on SQLite, whose planner has no statistics to go on, the statements must be written
so that it picks the right index. Read from EXPLAIN QUERY PLAN of the statements as they run.

PostgreSQL chooses by its statistics, so there the plan is not fixed; the behaviour tests of
both look-ups run on both databases (test_services.py).
"""

from __future__ import annotations

import pytest
from sqlalchemy import event

from werklab.db import utcnow
from werklab.extensions import db
from werklab.registration import services
from werklab.registration.seats import seat_state


@pytest.fixture
def sqlite_only(db_kind):
    if db_kind != "sqlite":
        pytest.skip("the plans asserted here are SQLite's")


def plans_of(call) -> list[tuple[str, str]]:
    """Run `call` and return (statement, plan) for each SELECT it sent to the database."""
    connection = db.session.connection()
    seen = []

    def capture(_conn, _cursor, statement, parameters, _context, _many):
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append((statement, parameters))

    event.listen(connection, "before_cursor_execute", capture)
    try:
        call()
    finally:
        event.remove(connection, "before_cursor_execute", capture)
    raw = connection.connection.dbapi_connection
    return [
        (
            statement,
            " | ".join(
                row[-1] for row in raw.execute("EXPLAIN QUERY PLAN " + statement, parameters)
            ),
        )
        for statement, parameters in seen
    ]


def test_the_duplicate_check_uses_the_unique_index_on_programme_and_email(sqlite_only, factories):
    programme = factories.programme(min_participants=1, max_participants=2)
    first, *_ = factories.fill(programme, 6)  # two seated, four waiting
    [(_, plan)] = plans_of(lambda: seat_state(programme.id, utcnow(), "iemand@example.nl"))
    # The subquery that looks for the same e-mail reads the partial unique index, not every
    # waiting registration of the programme by status.
    assert (
        "USING INDEX uq_registrations_active_email (programme_id=? AND email_normalized=?)" in plan
    )
    assert seat_state(programme.id, utcnow(), "iemand@example.nl").duplicate is False
    assert seat_state(programme.id, utcnow(), first.email_normalized).duplicate is True


def test_the_waiting_list_position_is_counted_in_the_index_alone(sqlite_only, factories):
    programme = factories.programme(min_participants=1, max_participants=1)
    *_, last = factories.fill(programme, 5)
    [(statement, plan)] = plans_of(lambda: services.waitlist_position(last))
    assert "waitlist_seq" in statement
    assert "COVERING INDEX ix_registrations_programme_status_seq" in plan
    assert services.waitlist_position(last) == 4
