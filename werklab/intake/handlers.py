"""Intake's answers to what the registration area asks (registration/signals.py)."""

from __future__ import annotations

from werklab.intake import services
from werklab.registration import signals


@signals.allowed_domains.connect
def _allowed_domains(programme_id, **_):
    return services.allowed_domains(programme_id)
