"""Rate limits for the sign-in views: fixed windows, counted where every worker sees them.

Only two views are limited. Flask-Limiter ran its before- and after-request hooks on every
request of the app to serve them, which cost about 12% of the programme page's time; here
the check runs in the limited views only.

Where the counts live (RATELIMIT_STORAGE_URI):
- empty (the default): in the database, table rate_limit_counters, as django-axes does. So
  the limits hold across gunicorn workers and machines with nothing else to run;
- redis://... or memcached://...: there, through the `limits` library;
- memory://: per process, for development and tests only; production refuses it, because
  with `gunicorn -w 4` each worker would allow the full count.

A request first takes its place in every count (one atomic increment), and only then is the
password checked: twenty wrong passwords sent at the same moment get at most five checks.
With `count_when`, a request whose response it does not accept (a sign-in that worked)
gives its place back afterwards, so that a user who signs in well is never locked out.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import math
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import wraps

import sqlalchemy as sa
from flask import Flask, current_app, make_response, request
from limits import RateLimitItem, parse
from limits.storage import storage_from_string
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.exceptions import TooManyRequests

from werklab.db import Base, begin_write, utcnow
from werklab.extensions import db

EXTENSION = "werklab_ratelimit"
log = logging.getLogger("werklab.ratelimit")


def clock() -> float:
    """The time the database counts use: seconds since 1970 (tests can hold it still)."""
    return time.time()


class RateLimitCounter(Base):
    """How many attempts one key made in one fixed window (the database backend)."""

    __tablename__ = "rate_limit_counters"

    #: HMAC-SHA256 (with SECRET_KEY) of view, rule and key: no e-mail or IP address is kept.
    key: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    #: Start of the window, in seconds since 1970 (a multiple of the rule's period).
    window_start: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True)
    hits: Mapped[int] = mapped_column(default=0)
    #: When the window is over; `purge_expired` removes the row after that.
    expires_at: Mapped[datetime] = mapped_column(index=True)


class DatabaseCounter:
    """Fixed-window counts in the rate_limit_counters table.

    Each change runs in a short transaction of its own on the request's session, so a count
    is kept whether or not the view commits, and no lock is held while the view runs.
    """

    def __init__(self, secret: str):
        self._secret = secret.encode()

    def _key(self, item: RateLimitItem, scope: str, key: str) -> str:
        message = f"{item.key_for(scope, key)}".encode()
        return hmac.new(self._secret, message, hashlib.sha256).hexdigest()

    @staticmethod
    def _window(item: RateLimitItem, now: float) -> int:
        period = item.get_expiry()
        return int(now // period) * period

    def add(self, item: RateLimitItem, scope: str, key: str, amount: int) -> int:
        """Add `amount` to the current window's count; return the new count."""
        now = clock()
        window = self._window(item, now)
        table = RateLimitCounter.__table__
        session = db.session
        dialect = session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        statement = (
            insert(table)
            .values(
                key=self._key(item, scope, key),
                window_start=window,
                hits=max(amount, 0),
                expires_at=datetime(1970, 1, 1) + timedelta(seconds=window + item.get_expiry()),
            )
            .on_conflict_do_update(
                index_elements=[table.c.key, table.c.window_start],
                set_={"hits": sa.func.max(table.c.hits + amount, 0)}
                if dialect == "sqlite"
                else {"hits": sa.func.greatest(table.c.hits + amount, 0)},
            )
            .returning(table.c.hits)
        )
        _end_transaction(session)
        begin_write(session)
        try:
            count = session.execute(statement).scalar_one()
            session.commit()
        except Exception:
            session.rollback()
            raise
        return count

    def seconds_left(self, item: RateLimitItem, scope: str, key: str) -> float:
        now = clock()
        return self._window(item, now) + item.get_expiry() - now

    def reset(self) -> None:
        db.session.execute(sa.delete(RateLimitCounter))
        db.session.commit()


class LimitsCounter:
    """Counts in a `limits` storage (redis, memcached, or memory for development)."""

    def __init__(self, uri: str):
        self.storage = storage_from_string(uri)

    def add(self, item: RateLimitItem, scope: str, key: str, amount: int) -> int:
        name = item.key_for(scope, key)
        if amount >= 0:
            return self.storage.incr(name, item.get_expiry(), amount=amount)
        decr = getattr(self.storage, "decr", None)
        if decr is not None:
            return decr(name, -amount)
        return self.storage.incr(name, item.get_expiry(), amount=amount)

    def seconds_left(self, item: RateLimitItem, scope: str, key: str) -> float:
        return self.storage.get_expiry(item.key_for(scope, key)) - time.time()

    def reset(self) -> None:
        self.storage.reset()


def _end_transaction(session) -> None:
    """End the request's transaction before a count is changed in one of its own.

    The limited views have written nothing when this runs (before the view, or after a view
    that did not commit, whose changes are dropped as they would be anyway)."""
    if session().in_transaction():
        session.rollback()


def counter_for(app: Flask) -> DatabaseCounter | LimitsCounter:
    uri = (app.config.get("RATELIMIT_STORAGE_URI") or "").strip()
    if not uri or uri.startswith("database"):
        return DatabaseCounter(app.config["SECRET_KEY"])
    if uri.startswith("memory") and app.config.get("WERKLAB_ENV") == "production":
        raise RuntimeError(
            "RATELIMIT_STORAGE_URI=memory:// counts per process, so with several workers the "
            "sign-in limits do not hold. Leave it empty (count in the database) or use "
            "redis:// or memcached://."
        )
    return LimitsCounter(uri)


def init_app(app: Flask) -> None:
    app.extensions[EXTENSION] = counter_for(app)


def _counter() -> DatabaseCounter | LimitsCounter:
    return current_app.extensions[EXTENSION]


def reset() -> None:
    """Forget every count (tests)."""
    _counter().reset()


def purge_expired(now: datetime | None = None) -> int:
    """Remove the database counts of windows that are over (from `flask werklab tick`)."""
    if not isinstance(_counter(), DatabaseCounter):
        return 0
    begin_write(db.session)
    result = db.session.execute(
        sa.delete(RateLimitCounter).where(RateLimitCounter.expires_at < (now or utcnow()))
    )
    db.session.commit()
    return result.rowcount or 0


def remote_address() -> str:
    """The client's address (behind a proxy, as ProxyFix sets it: see TRUSTED_PROXIES)."""
    return "address:" + (request.remote_addr or "127.0.0.1")


#: A limit: the config key that holds its rule ("5 per 15 minutes") and what it counts by.
Rule = tuple[str, Callable[[], str]]


def limited(*rules: Rule, count_when: Callable | None = None):
    """Answer 429 (with Retry-After) once a rule's count is used up.

    Every request counts, or, with `count_when`, only requests whose response it accepts
    (failed sign-ins, so that a user who signs in well is never locked out).
    """

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            counter = _counter()
            checks: list[tuple[RateLimitItem, str, str]] = [
                (parse(current_app.config[name]), view.__name__, key()) for name, key in rules
            ]
            taken = []
            for item, scope, key in checks:
                taken.append((item, scope, key))
                if counter.add(item, scope, key, 1) > item.amount:
                    if count_when:  # a refused attempt is no attempt: give the places back
                        for t_item, t_scope, t_key in taken:
                            counter.add(t_item, t_scope, t_key, -1)
                    _restart_transaction()
                    _too_many(counter, item, scope, key)
            _restart_transaction()
            response = make_response(view(*args, **kwargs))
            if count_when and not count_when(response):
                for item, scope, key in checks:
                    counter.add(item, scope, key, -1)
            return response

        return wrapper

    return decorator


def _restart_transaction() -> None:
    """Give the view the write transaction the request started with (see create_app), unless
    the view takes it itself (write_lock_later)."""
    view = current_app.view_functions.get(request.endpoint)
    if isinstance(_counter(), DatabaseCounter) and not getattr(view, "write_lock_later", False):
        begin_write(db.session)


def _too_many(counter, item: RateLimitItem, scope: str, key: str):
    # The client's address (as ProxyFix sees it behind a proxy), never the e-mail address.
    log.warning(
        "%s: limit %s reached for %s (client %s)",
        scope,
        item,
        key.partition(":")[0],
        request.remote_addr,
    )
    seconds = counter.seconds_left(item, scope, key)
    raise TooManyRequests(retry_after=max(1, math.ceil(seconds)))
