"""Group names as a reader sees them: a generated name ("Groep 3", stored in the language of
the trainer who composed the groups) is shown in the reader's language."""

from __future__ import annotations

import re

from werklab.translation import gettext as _

_GENERATED = re.compile(r"^(?:Groep|Group) (\d+)$")


def group_name(group) -> str:
    """The name of a homework group (or a stored name) in the current language."""
    name = getattr(group, "name", group) or ""
    match = _GENERATED.match(name)
    return _("Group %(number)d", number=int(match.group(1))) if match else name
