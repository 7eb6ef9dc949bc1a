"""Routes added for issue 11 (input, flows and layout)."""

from tests.access import Case, everyone

CASES = [
    Case("catalog.favicon", lambda w: "/favicon.ico", everyone(200)),
]
