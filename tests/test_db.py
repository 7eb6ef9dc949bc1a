"""Database plumbing: idle pooled connections are checked before they are lent out."""

from __future__ import annotations

import time

import pytest
import sqlalchemy as sa

from werklab.db import ping_when_idle


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
