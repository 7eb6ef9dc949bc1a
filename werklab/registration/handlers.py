"""Registration's answers to what lower areas ask (accounts/services.py)."""

from __future__ import annotations

from werklab.accounts.services import name_wanted
from werklab.registration import services


@name_wanted.connect
def _participant_name(email, **_):
    return services.participant_name(email)
