"""Database plumbing: idle pooled connections are checked before they are lent out, reads on
SQLite run without a transaction, and a late write transaction on SQLite takes the lock and
reads again."""

from __future__ import annotations

import time
from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from werklab.db import begin_read, begin_write_late, configure_engine, ping_when_idle


def _backend_pid(engine) -> int:
    with engine.connect() as connection:
        return connection.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()


@pytest.mark.parametrize("idle_seconds, survives", [(0.0, True), (3600.0, False)])
def test_a_connection_closed_while_idle_is_replaced(new_database, db_kind, idle_seconds, survives):
    """With the check, a pooled connection that the server closed (a restart, a firewall) is
    replaced before use; without it (not idle long enough) the first statement fails."""
    if db_kind != "postgresql":
        pytest.skip("SQLite has no server connection to lose")
    engine = sa.create_engine(new_database(), pool_size=1, max_overflow=0)
    ping_when_idle(engine, idle_seconds=idle_seconds)
    try:
        first = _backend_pid(engine)  # the pooled connection, now back in the pool
        killer = sa.create_engine(new_database(), poolclass=sa.pool.NullPool)
        with killer.connect() as connection:
            connection.exec_driver_sql(f"SELECT pg_terminate_backend({first})")
            for _ in range(100):  # termination is asynchronous: wait until it is gone
                gone = not connection.exec_driver_sql(
                    f"SELECT 1 FROM pg_stat_activity WHERE pid = {first}"
                ).first()
                if gone:
                    break
                time.sleep(0.02)
        killer.dispose()
        if survives:
            assert _backend_pid(engine) != first
        else:
            with pytest.raises(sa.exc.OperationalError):
                _backend_pid(engine)
    finally:
        engine.dispose()


class _Base(DeclarativeBase):
    pass


class _Seat(_Base):
    __tablename__ = "seats"
    id: Mapped[int] = mapped_column(primary_key=True)
    taken: Mapped[int]


def _statements(engine) -> list[str]:
    """The statements `engine` sends from now on (BEGIN, COMMIT and the rest)."""
    sent: list[str] = []
    sa.event.listen(
        engine, "before_cursor_execute", lambda _c, _cur, statement, *_a: sent.append(statement)
    )
    return sent


@contextmanager
def _one_seat(path, *, immediate: bool):
    """A SQLite file holding one seat (taken = 1): the app's engine on it, and another
    worker's plain connection."""
    url = f"sqlite:///{path}"
    engine = sa.create_engine(url)
    configure_engine(engine, busy_timeout_ms=50, immediate=immediate)
    other = sa.create_engine(url, connect_args={"timeout": 0.05, "isolation_level": None})
    try:
        _Base.metadata.create_all(engine)
        with Session(engine) as session:
            session.add(_Seat(id=1, taken=1))
            session.commit()
        yield engine, other
    finally:
        engine.dispose()
        other.dispose()


@pytest.mark.parametrize("read_only", [True, False])
def test_reads_on_sqlite_run_without_begin_each_statement_on_its_own_snapshot(tmp_path, read_only):
    """begin_read (every GET, and a write_lock_later view until it writes) sends no BEGIN on
    SQLite: each statement reads what is committed when it runs, as PostgreSQL's reads do.
    Without it the session's read transaction keeps its first snapshot."""
    with _one_seat(tmp_path / "read.db", immediate=True) as (engine, other):
        sent = _statements(engine)
        for no_begin in (True, False):
            with Session(engine) as session:
                if no_begin:
                    begin_read(session, write_later=not read_only)
                before = session.get(_Seat, 1).taken
                with other.connect() as elsewhere:  # another worker commits in between
                    elsewhere.exec_driver_sql("UPDATE seats SET taken = taken + 1 WHERE id = 1")
                session.expire_all()
                taken = session.get(_Seat, 1).taken
                if no_begin:
                    assert taken == before + 1  # the second statement sees the other's commit
                    assert not [s for s in sent if s.startswith("BEGIN")], sent
                else:
                    assert taken == before  # its snapshot: still the value from before
                    assert "BEGIN" in sent
            sent.clear()


@pytest.mark.parametrize("immediate", [True, False])
@pytest.mark.parametrize("read", ["transaction", "begin_read"])
def test_a_late_write_on_sqlite_takes_the_lock_and_reads_everything_again(
    tmp_path, immediate, read
):
    """begin_write_late ends the read (a read transaction, or statements without one: the
    reading part of a write_lock_later view) and takes SQLite's write lock (with immediate),
    inside the same session transaction; what was read before is read again under the lock."""
    with _one_seat(tmp_path / "late.db", immediate=immediate) as (engine, other):
        with Session(engine) as session:
            if read == "begin_read":
                begin_read(session, write_later=True)
            sent = _statements(engine)
            seat = session.get(_Seat, 1)  # as a form check reads
            assert seat.taken == 1
            with other.connect() as elsewhere:  # another worker writes in between
                elsewhere.exec_driver_sql("UPDATE seats SET taken = 2 WHERE id = 1")
            begin_write_late(session)
            assert seat.taken == 2  # read again, not the value from before
            begins = [s for s in sent if s.startswith(("BEGIN", "COMMIT"))]
            lock = "BEGIN IMMEDIATE" if immediate else "BEGIN"
            # Without a read transaction there is none to end.
            assert begins == ([lock] if read == "begin_read" else ["BEGIN", "COMMIT", lock])
            with other.connect() as elsewhere:
                if immediate:  # the lock is held: nobody else can start to write
                    with pytest.raises(sa.exc.OperationalError, match="locked"):
                        elsewhere.exec_driver_sql("BEGIN IMMEDIATE")
                else:
                    elsewhere.exec_driver_sql("BEGIN IMMEDIATE")
                    elsewhere.exec_driver_sql("ROLLBACK")
            seat.taken = 3
            session.flush()
            begin_write_late(session)  # a second call changes nothing: it commits nothing
            session.rollback()
        with other.connect() as elsewhere:
            assert elsewhere.exec_driver_sql("SELECT taken FROM seats").scalar_one() == 2
            elsewhere.exec_driver_sql("BEGIN IMMEDIATE")  # the lock is free again
            elsewhere.exec_driver_sql("ROLLBACK")
        with Session(engine) as session:
            session.get(_Seat, 1).taken = 4
            with pytest.raises(RuntimeError, match="changes pending"):
                begin_write_late(session)
