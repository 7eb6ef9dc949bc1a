"""The personal menu on the account page: each area adds its entries here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app, url_for


@dataclass(frozen=True)
class MenuEntry:
    endpoint: str
    label: object  # a lazy string
    allowed: Callable[[object], bool]


_ENTRIES: list[MenuEntry] = []


def add(endpoint: str, label, allowed: Callable[[object], bool]) -> None:
    """Offer `endpoint` on the account page to users for whom `allowed(user)` is true."""
    if all(e.endpoint != endpoint for e in _ENTRIES):
        _ENTRIES.append(MenuEntry(endpoint, label, allowed))


def entries_for(user) -> list[dict]:
    return [
        {"url": url_for(e.endpoint), "label": e.label}
        for e in _ENTRIES
        if e.endpoint in current_app.view_functions and e.allowed(user)
    ]
