"""Declarative base, time helpers and engine set-up (SQLite pragmas, write transactions)."""

from __future__ import annotations

import enum
import re
import time
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy import MetaData, event
from sqlalchemy.orm import DeclarativeBase, make_transient_to_detached, scoped_session

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

#: Execution option that marks a transaction as one that will write (BEGIN IMMEDIATE on SQLite).
WRITE_OPTION = "werklab_write"
#: Engine option on SQLite: whether write transactions take the write lock at BEGIN.
IMMEDIATE_OPTION = "werklab_immediate"
#: Execution option on SQLite: a read-only request's statements run without BEGIN, each on its
#: own snapshot (as PostgreSQL's reads do, see begin_read).
NO_BEGIN_OPTION = "werklab_no_begin"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> datetime:
    """Return the current time as a naive UTC datetime (how every timestamp is stored)."""
    return datetime.now(UTC).replace(tzinfo=None)


def enum_type(enum_cls: type[enum.Enum], name: str) -> sa.Enum:
    """Store an enum by its value as a short string guarded by a CHECK constraint."""
    return sa.Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


#: What constant() writes into SQL: an enum's value, letters and underscores only.
_CONSTANT = re.compile(r"[a-z_]{1,32}")


def constant(column, value):
    """A value fixed in the code (an enum member), written into the SQL as a literal.

    A bind parameter is converted and checked by the column's type at every execution
    (about 9,000 instructions for an enum); a literal is part of the statement, which is
    compiled once. Only plain values pass, so nothing can be smuggled into the SQL.
    """
    text = getattr(value, "value", value)
    if not isinstance(text, str) or not _CONSTANT.fullmatch(text):
        raise ValueError(f"not a plain constant for SQL: {value!r}")
    return sa.literal_column(f"'{text}'", column.type)


def in_constants(column, values):
    """`column IN (...)` for values fixed in the code, written into the SQL (constant()).

    `column.in_(values)` binds one "expanding" parameter, which SQLAlchemy renders into the
    SQL anew at every execution: about 5% of the programme page's time. Values that never
    change need no such re-rendering.
    """
    return column.in_([constant(column, value) for value in values])


def insert_new(session, obj) -> None:
    """Store a new object with one plain INSERT; it is then in the session as if read back.

    For a row written on the hot path (a registration): the unit of work costs about four
    times the INSERT itself for one new row, because it weighs every relationship of the
    class for what to write first. Columns the object leaves unset get their default as the
    ORM would give it (a column with a server default is read when first used). The object
    must set its foreign keys, not its relationships, and have no ORM insert events.
    """
    state = sa.inspect(obj)
    if not state.transient:
        raise ValueError("insert_new() takes a new object that is not in a session")
    mapper = state.mapper
    if mapper.dispatch.before_insert or mapper.dispatch.after_insert:
        raise ValueError("insert_new(): the class has insert events, which a flush would run")
    if any(rel.key in state.dict for rel in mapper.relationships):
        raise ValueError("insert_new(): set the foreign keys, not the relationships")
    values = {}
    for prop in mapper.column_attrs:
        column = prop.columns[0]
        if prop.key in state.dict:
            value = state.dict[prop.key]
        elif column.primary_key or column.server_default is not None:
            continue
        elif column.default is None:
            value = None
        elif column.default.is_scalar:
            value = column.default.arg
        elif column.default.is_callable:
            value = column.default.arg(None)  # zero-argument defaults (utcnow), as wrapped
        else:
            raise ValueError(f"insert_new(): cannot work out the default of {column}")
        setattr(obj, prop.key, value)
        values[column.key] = value
    session.flush()  # what is pending goes first, as in a flush
    key = session.connection().execute(sa.insert(mapper.local_table), values)
    for column, value in zip(mapper.primary_key, key.inserted_primary_key, strict=True):
        setattr(obj, mapper.get_property_by_column(column).key, value)
    make_transient_to_detached(obj)
    session.add(obj)


def engine_options(url: str, options: dict, *, lock_timeout_ms: int) -> dict:
    """Engine options per database: PostgreSQL connections give up waiting for a lock after
    `lock_timeout_ms` (the request then answers "busy, try again")."""
    options = dict(options)
    if url.startswith("postgresql"):
        connect_args = dict(options.get("connect_args", {}))
        connect_args["options"] = (
            connect_args.get("options", "") + f" -c lock_timeout={int(lock_timeout_ms)}"
        ).strip()
        options["connect_args"] = connect_args
    return options


#: A pooled connection that was not used for this long is checked before it is lent out.
IDLE_PING_SECONDS = 10.0


def ping_when_idle(engine: sa.engine.Engine, idle_seconds: float = IDLE_PING_SECONDS) -> None:
    """Check a pooled connection (one round trip) only when it has been idle a while.

    pool_pre_ping pays that round trip on every request. A connection in steady use was
    fine a moment ago; one that sat idle may have been closed by a database restart or a
    firewall, and is then replaced before the request uses it (a DisconnectionError in a
    checkout listener makes the pool connect afresh).
    """

    @event.listens_for(engine, "checkin")
    def _checked_in(_dbapi_connection, record):
        record.info["werklab_idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_connection, record, _proxy):
        since = record.info.pop("werklab_idle_since", None)
        if since is None or time.monotonic() - since < idle_seconds:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as exc:
            raise sa.exc.DisconnectionError("connection lost while idle") from exc


def configure_engine(engine: sa.engine.Engine, *, busy_timeout_ms: int, immediate: bool) -> None:
    """Set up SQLite for concurrent use: WAL, a busy timeout and BEGIN IMMEDIATE for writes;
    other databases get their idle connections checked (ping_when_idle).

    pysqlite's own transaction handling is switched off (SQLAlchemy's documented recipe) so
    that we emit BEGIN ourselves: write transactions take SQLite's write lock at BEGIN, which
    is what FOR UPDATE on the programme row does on PostgreSQL.
    """
    if engine.dialect.name != "sqlite":
        ping_when_idle(engine)
        return
    engine.update_execution_options(**{IMMEDIATE_OPTION: immediate})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        options = conn.get_execution_options()
        if immediate and options.get(WRITE_OPTION):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        elif not options.get(NO_BEGIN_OPTION):
            conn.exec_driver_sql("BEGIN")


def begin_write(session) -> None:
    """Start the session's next transaction as a write transaction.

    On SQLite this takes the database write lock up front, so that the count-then-insert of
    the capacity check cannot interleave with another writer. Does nothing when a
    transaction is already under way.
    """
    real = session() if isinstance(session, scoped_session) else session
    if not real.in_transaction():
        real.connection(execution_options={WRITE_OPTION: True})


def write_lock_later(view):
    """Mark a view that reads (and checks its form) before it writes: its POST does not
    start as a write transaction; the view calls begin_write_late() just before it writes,
    and must (on SQLite its reads before that run without a transaction, see begin_read).
    On SQLite the database write lock is then held for the write only."""
    view.write_lock_later = True
    return view


def begin_write_late(session) -> None:
    """Turn a request's read transaction into a write transaction (see write_lock_later).

    On SQLite the reads so far ran without a transaction (begin_read(write_later=True)) or in
    a read transaction, which is ended (it has written nothing); the write lock is taken with
    BEGIN IMMEDIATE: a read transaction cannot safely become a write one there.
    That happens on the same connection, inside the session's transaction; what the session
    holds is expired, as a commit would, so that everything is read again under the lock.
    On PostgreSQL the transaction simply goes on; services lock the rows they decide on.
    """
    real = session() if isinstance(session, scoped_session) else session
    if real.in_transaction():
        conn = real.connection()
        options = conn.get_execution_options()
        if conn.dialect.name != "sqlite" or options.get(WRITE_OPTION):
            return
        if real.new or real.dirty or real.deleted:
            raise RuntimeError("begin_write_late() with changes pending in a read transaction")
        if conn.in_nested_transaction():  # a savepoint (the tests' outer transaction)
            real.commit()  # releases the savepoint; what follows is a savepoint again
        else:
            if not options.get(NO_BEGIN_OPTION):  # else no read transaction is open
                conn.exec_driver_sql("COMMIT")
            conn.exec_driver_sql("BEGIN IMMEDIATE" if options.get(IMMEDIATE_OPTION) else "BEGIN")
            conn.execution_options(**{WRITE_OPTION: True})
            real.expire_all()
            return
    real.connection(execution_options={WRITE_OPTION: True})


def begin_read(session, *, write_later: bool = False) -> None:
    """Run a read-only request without a transaction.

    On PostgreSQL at READ COMMITTED every statement reads its own snapshot anyway, so BEGIN
    and ROLLBACK only cost two round trips. SQLite reads the same way (no BEGIN: each
    statement is its own read transaction), so a page reads alike on both. A read-only
    request that writes after all (the return from Stripe) commits first and takes a write
    transaction of its own (begin_write), on a new connection.

    `write_later`: the reading part of a write_lock_later view. On SQLite it reads the same
    way, and begin_write_late() then only has to take the write lock (there is no read
    transaction to end); on PostgreSQL it is an ordinary transaction, which its writes go on.
    """
    real = session() if isinstance(session, scoped_session) else session
    if real.in_transaction():
        return
    bind = real.get_bind()
    if not isinstance(bind, sa.engine.Engine):  # the tests' connection, in its own transaction
        return
    if bind.dialect.name == "postgresql" and not write_later:
        real.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
    elif bind.dialect.name == "sqlite":
        real.connection(execution_options={NO_BEGIN_OPTION: True})


def is_lock_timeout(exc: BaseException) -> bool:
    """Tell whether a database error means "could not get the lock in time"."""
    orig = getattr(exc, "orig", None)
    sqlstate = getattr(orig, "sqlstate", None)
    if sqlstate in {"55P03", "40P01", "57014"}:  # lock_not_available, deadlock, query_canceled
        return True
    text = str(orig or exc).lower()
    return "database is locked" in text or "database table is locked" in text
