"""The processing register (issue 15): coordinators only."""

from __future__ import annotations

from tests.access import Case, only

CASES = [
    Case(
        "privacy.processing_register",
        lambda w: "/beheer/verwerkingsregister",
        only({"coordinator": 200}),
    ),
]
