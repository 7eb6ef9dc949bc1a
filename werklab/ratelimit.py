"""Rate limits for the sign-in views, counted with the `limits` library.

Only two views are limited. Flask-Limiter ran its before- and after-request hooks on every
request of the app to serve them, which cost about 12% of the programme page's time; here
the check runs in the limited views only.

Storage from RATELIMIT_STORAGE_URI: memory:// counts per process; use redis:// or
memcached:// so that the limits hold across gunicorn workers and machines.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from functools import wraps

from flask import Flask, current_app, make_response, request
from limits import RateLimitItem, parse
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter
from werkzeug.exceptions import TooManyRequests

EXTENSION = "werklab_ratelimit"


def init_app(app: Flask) -> None:
    storage = storage_from_string(app.config["RATELIMIT_STORAGE_URI"])
    app.extensions[EXTENSION] = FixedWindowRateLimiter(storage)


def _strategy() -> FixedWindowRateLimiter:
    return current_app.extensions[EXTENSION]


def reset() -> None:
    """Forget every count (tests)."""
    _strategy().storage.reset()


def remote_address() -> str:
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
            strategy = _strategy()
            checks: list[tuple[RateLimitItem, str, str]] = [
                (parse(current_app.config[name]), view.__name__, key()) for name, key in rules
            ]
            for item, scope, key in checks:
                allowed = (
                    strategy.test(item, scope, key)
                    if count_when
                    else strategy.hit(item, scope, key)
                )
                if not allowed:
                    _too_many(strategy, item, scope, key)
            response = make_response(view(*args, **kwargs))
            if count_when and count_when(response):
                for item, scope, key in checks:
                    strategy.hit(item, scope, key)
            return response

        return wrapper

    return decorator


def _too_many(strategy: FixedWindowRateLimiter, item: RateLimitItem, scope: str, key: str):
    reset_at = strategy.get_window_stats(item, scope, key).reset_time
    raise TooManyRequests(retry_after=max(1, math.ceil(reset_at - time.time())))
