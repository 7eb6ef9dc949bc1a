"""Attendance is recorded, and certificates issued, only for sessions that have taken place:
here the programme's sessions lie in the past."""

from __future__ import annotations

import pytest


@pytest.fixture
def programme(factories):
    """An open CoP with 15 seats whose three sessions have taken place."""
    return factories.took_place(factories.programme())
