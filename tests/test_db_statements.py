"""Statement helpers on the hot path: constants written into the SQL, and a new row stored
with one plain INSERT that the session then holds as if it had read it back."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from werklab.catalog.models import Programme
from werklab.db import constant, in_constants, utcnow
from werklab.registration.models import Registration, RegistrationStatus, Sector
from werklab.registration.seats import seat_state, waitlist_position

S = RegistrationStatus


def _registration(of: Programme, **values) -> Registration:
    now = utcnow()
    fields = dict(
        programme_id=of.id,
        status=S.WAITLISTED,
        first_name="Anna",
        last_name="de Vries",
        email="Anna@Example.nl",
        email_normalized="anna@example.nl",
        organisation="Gemeente Zwolle",
        sector=Sector.GOVERNMENT,
        job_title="Beleidsmedewerker",
        privacy_consent_at=now,
        manage_key="k-" + str(now.timestamp()),
        waitlist_seq=1,
    )
    fields.update(values)
    return Registration(**fields)


def test_a_constant_is_written_into_the_statement_not_bound():
    statement = select(Registration.id).where(
        Registration.status == constant(Registration.status, S.WAITLISTED),
        in_constants(Registration.status, (S.CONFIRMED, S.HELD)),
    )
    compiled = statement.compile()
    assert "'waitlisted'" in str(compiled)
    assert "'confirmed', 'held'" in str(compiled)
    assert compiled.params == {}


@pytest.mark.parametrize("value", ["it's", "x' OR '1'='1", "", "UPPER", 3, None, "a" * 33])
def test_only_plain_values_can_be_a_constant(value):
    with pytest.raises(ValueError, match="not a plain constant"):
        constant(Registration.status, value)


def test_seat_counts_with_constants_find_the_right_rows(factories):
    """The statements that now carry their statuses as literals still tell the statuses
    apart (a literal that matched nothing would count 0 everywhere)."""
    programme = factories.programme(min_participants=1, max_participants=2)
    factories.registration(programme)
    factories.registration(programme)
    third = factories.registration(programme)
    fourth = factories.registration(programme)
    assert third.status is S.WAITLISTED and fourth.status is S.WAITLISTED
    state = seat_state(programme.id, utcnow(), "nobody@example.nl")
    assert (state.taken, state.waiting, state.overdue) == (2, True, 0)
    assert waitlist_position(third) == 1
    assert waitlist_position(fourth) == 2
