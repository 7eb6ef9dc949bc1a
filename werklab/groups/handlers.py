"""Groups' answers to what the registration area announces (registration/signals.py)."""

from __future__ import annotations

from werklab.groups import services
from werklab.registration import signals


@signals.seat_given_up.connect
def _leave_group(registration, *, actor, now, **_):
    services.leave_group(registration, actor=actor, now=now)
