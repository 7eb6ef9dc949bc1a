"""Themes hear of the catalogue: a deleted session gives its chosen theme back to the vote."""

from __future__ import annotations

from werklab.catalog.models import ProgrammeSession
from werklab.catalog.services import session_removed
from werklab.themes.services import release_removed_session


@session_removed.connect
def release_theme(session: ProgrammeSession, *, actor, now, **_kw) -> None:
    """Runs in the transaction of the deletion, before the session row goes."""
    release_removed_session(session, actor=actor, now=now)
