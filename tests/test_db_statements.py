"""Statement helpers on the hot path: constants written into the SQL, and a new row stored
with one plain INSERT that the session then holds as if it had read it back."""

from __future__ import annotations

import enum

import pytest
import sqlalchemy as sa
from sqlalchemy import select

from werklab.audit import AuditEntry
from werklab.catalog.models import Programme
from werklab.db import constant, in_constants, insert_new, utcnow
from werklab.extensions import db
from werklab.registration.availability import _page_version_stmt, _registrable_programme_stmt
from werklab.registration.models import PaymentMethod, Registration, RegistrationStatus, Sector
from werklab.registration.seats import (
    _ahead_stmt,
    _seat_state_stmt,
    seat_state,
    waitlist_position,
)

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


def test_insert_new_stores_the_row_and_keeps_the_object_as_loaded(factories, count_queries):
    programme = factories.programme()
    registration = _registration(programme)
    with count_queries() as statements:
        insert_new(db.session, registration)
        # Unset columns have the value the ORM would have given: no read to find them.
        assert registration.locale == "nl"
        assert registration.payment_method is PaymentMethod.NONE
        assert registration.created_at is not None
        assert registration.confirmed_at is None
        # The relationship is found in the session (the programme is already there).
        assert registration.programme is programme
    assert [s.split()[0].upper() for s in statements] == ["INSERT"]
    assert registration.id is not None
    assert registration in db.session
    assert not db.session.new and registration not in db.session.dirty
    assert db.session.get(Registration, registration.id) is registration
    row_id, created_at = registration.id, registration.created_at
    db.session.commit()
    db.session.expunge_all()
    stored = db.session.get(Registration, row_id)
    assert (stored.email, stored.status, stored.locale, stored.payment_method) == (
        "Anna@Example.nl",
        S.WAITLISTED,
        "nl",
        PaymentMethod.NONE,
    )
    assert stored.created_at == created_at


def test_insert_new_writes_what_is_pending_first_and_changes_are_flushed_after(factories):
    programme = factories.programme()
    db.session.add(AuditEntry(actor="test", action="test.pending", object_type="programmes"))
    registration = _registration(programme)
    insert_new(db.session, registration)
    assert not db.session.new  # the pending audit row went first
    registration.first_name = "Anne"  # a change after the INSERT is an ordinary UPDATE
    db.session.commit()
    assert (
        db.session.execute(
            sa.text("SELECT first_name FROM registrations WHERE id = :id"), {"id": registration.id}
        ).scalar_one()
        == "Anne"
    )


def test_insert_new_refuses_what_it_cannot_write_correctly(factories):
    programme = factories.programme()
    with pytest.raises(ValueError, match="foreign keys"):
        insert_new(db.session, _registration(programme, programme=programme))
    db.session.rollback()
    programme = factories.programme()
    stored = factories.registration(programme)
    with pytest.raises(ValueError, match="new object"):
        insert_new(db.session, stored)


def test_the_seat_statements_bind_no_status():
    """The hot statements carry their statuses as literals: only the values that change
    from call to call are bound (a status put back as `== S.CONFIRMED` would be bound)."""
    for statement, names in (
        (_seat_state_stmt(), {"programme_id", "now", "email"}),
        (_page_version_stmt(), {"slug", "now"}),
        (_registrable_programme_stmt(), {"slug", "now"}),
        (_ahead_stmt(), {"programme_id", "seq"}),
    ):
        params = statement.compile().params
        assert names <= set(params)
        fixed = {k: v for k, v in params.items() if k not in names}
        assert not [v for v in fixed.values() if isinstance(v, (str, enum.Enum))], fixed


def test_insert_new_refuses_a_class_with_insert_events(factories):
    programme = factories.programme()

    def touched(*_):
        pass

    sa.event.listen(Registration, "before_insert", touched)
    try:
        with pytest.raises(ValueError, match="insert events"):
            insert_new(db.session, _registration(programme))
    finally:
        sa.event.remove(Registration, "before_insert", touched)
    insert_new(db.session, _registration(programme))  # without the listener it goes through
