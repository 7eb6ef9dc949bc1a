"""Participant exports as CSV and XLSX (cells made safe by werklab.spreadsheets)."""

from __future__ import annotations

from collections.abc import Iterable

from werklab.registration.labels import REGISTRATION_STATUS_LABELS, SECTOR_LABELS
from werklab.registration.models import Registration
from werklab.spreadsheets import neutralise, to_csv, to_xlsx
from werklab.translation import gettext as _

__all__ = ["header", "neutralise", "rows", "to_csv", "to_xlsx"]


def header() -> list[str]:
    return [
        _("Name"),
        _("E-mail address"),
        _("Organisation"),
        _("Sector"),
        _("Job title"),
        _("Status"),
        _("Learning question"),
        _("Dietary wishes"),
    ]


def rows(registrations: Iterable[Registration]) -> list[list[str]]:
    """The header and one neutralised row per participant."""
    table = [header()]
    for r in registrations:
        table.append(
            [
                neutralise(value)
                for value in (
                    r.full_name,
                    "" if r.erased_at else r.email,
                    r.organisation,
                    str(SECTOR_LABELS[r.sector]),
                    r.job_title,
                    str(REGISTRATION_STATUS_LABELS[r.status]),
                    r.learning_question,
                    r.dietary_wishes,
                )
            ]
        )
    return table
