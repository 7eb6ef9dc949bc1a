"""The interface labels of the catalogue's enums (also template globals, see create_app)."""

from __future__ import annotations

from werklab.catalog.models import GoStatus, ProgrammeKind, ProgrammeStatus, SessionKind
from werklab.translation import lazy_gettext as _l

KIND_LABELS = {
    ProgrammeKind.WERKLAB: _l("Werklab"),
    ProgrammeKind.COP: _l("Community of Practice"),
    ProgrammeKind.LEARNING_COMMUNITY: _l("Learning community"),
}
#: Values used in the catalogue filter (?soort=...).
KIND_SLUGS = {
    "werklab": ProgrammeKind.WERKLAB,
    "cop": ProgrammeKind.COP,
    "lerende-gemeenschap": ProgrammeKind.LEARNING_COMMUNITY,
}
PROGRAMME_STATUS_LABELS = {
    ProgrammeStatus.DRAFT: _l("Draft"),
    ProgrammeStatus.OPEN: _l("Open for registration"),
    ProgrammeStatus.CLOSED: _l("Registration closed"),
    ProgrammeStatus.CANCELLED: _l("Cancelled"),
    ProgrammeStatus.COMPLETED: _l("Completed"),
}
GO_LABELS = {
    GoStatus.GO: _l("going ahead"),
    GoStatus.TENTATIVE: _l("provisional"),
    GoStatus.FULL: _l("full — waiting list"),
}
SESSION_KIND_LABELS = {
    SessionKind.WORKSHOP: _l("Workshop"),
    SessionKind.SITE_VISIT: _l("Site visit"),
}

#: The names templates know these by.
TEMPLATE_GLOBALS = {
    "KIND_LABELS": KIND_LABELS,
    "KIND_SLUGS": KIND_SLUGS,
    "PROGRAMME_STATUS_LABELS": PROGRAMME_STATUS_LABELS,
    "GO_LABELS": GO_LABELS,
    "SESSION_KIND_LABELS": SESSION_KIND_LABELS,
}
