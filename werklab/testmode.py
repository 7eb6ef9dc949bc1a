"""Every switch that only the tests may turn, in one place.

- CAPACITY_LOCK = False: no programme row lock (FOR UPDATE) and no BEGIN IMMEDIATE, for the
  control run of the concurrency tests that must show an oversell without the lock (also
  no voter's row lock in themes, whose control run must show votes over the limit).
- CAPACITY_RACE_DELAY = seconds: sleep between counting seats (or votes) and writing, to widen
  the window that the control run needs.
- STRIPE_API_BASE = URL: talk to the fake Stripe of the test suite instead of Stripe.

They are set only in config.TestingConfig (from WERKLAB_CAPACITY_LOCK,
WERKLAB_CAPACITY_RACE_DELAY and STRIPE_API_BASE), and they are read only through the functions
below, which ignore them unless the app is testing (`TESTING`, set by TestingConfig alone).
create_app also pins them to their production values for any other configuration, so no
environment variable or setting can turn them on in production.
"""

from __future__ import annotations

import time

from flask import Flask, current_app

#: Production values of the switches.
DEFAULTS = {"CAPACITY_LOCK": True, "CAPACITY_RACE_DELAY": 0.0, "STRIPE_API_BASE": None}


def init_app(app: Flask) -> None:
    """Pin the switches to their production values unless the app is testing."""
    for name, value in DEFAULTS.items():
        if not app.testing or name not in app.config:
            app.config[name] = value


def capacity_lock(app: Flask | None = None) -> bool:
    """Whether seats are counted under the programme lock (always, outside the tests)."""
    app = app or current_app
    return not app.testing or bool(app.config["CAPACITY_LOCK"])


def race_delay() -> None:
    """Test-only: widen the window between counting and writing, so that the control run of
    the concurrency test (lock switched off) reliably shows an oversell."""
    delay = current_app.config["CAPACITY_RACE_DELAY"]
    if delay and current_app.testing:
        time.sleep(delay)


def stripe_api_base() -> str | None:
    """The address of the test suite's fake Stripe, or None: Stripe itself."""
    return current_app.config["STRIPE_API_BASE"] if current_app.testing else None
