"""The overview in figures (issue 13): coordinators only. It shows money and every
programme, so trainers (also of a programme in it) and participants get 403, and anonymous
visitors are sent to sign in."""

from tests.access import Case, only

CASES = [
    Case("overview.index", lambda w: "/beheer/overzicht", only({"coordinator": 200})),
]
