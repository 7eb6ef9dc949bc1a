"""Absolute links for mails, built from BASE_URL and never from the request's Host header.

A mail triggered by one person (a cancellation) can carry another person's secret link (a
waiting-list offer); taking the host from the request would let a forged Host header leak it.
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import quote_plus, urlsplit

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer


def external_url(endpoint: str, **values) -> str:
    """Build an absolute URL for `endpoint` under the configured BASE_URL."""
    base = urlsplit(current_app.config["BASE_URL"])
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "https"
    )
    return adapter.build(endpoint, values, force_external=True)


@lru_cache(maxsize=64)
def _serializer(secret_key: str, salt: str) -> URLSafeSerializer:
    """One serializer per key and salt (making one costs a JSON round trip): every manage
    link is signed or checked on its page and in its mails."""
    return URLSafeSerializer(secret_key, salt=salt)


def sign(value: str, *, salt: str) -> str:
    return _serializer(current_app.config["SECRET_KEY"], salt).dumps(value)


def unsign(token: str, *, salt: str) -> str | None:
    """Return the signed value, or None for a tampered or malformed token."""
    try:
        value = _serializer(current_app.config["SECRET_KEY"], salt).loads(token)
    except (BadSignature, UnicodeError, ValueError):
        return None
    return value if isinstance(value, str) else None


def map_url(*places: str) -> str | None:
    """An OpenStreetMap search for the first place given that is not empty (an address, else
    a name): a plain link for pages and mails, nothing is loaded from OpenStreetMap."""
    place = next((" ".join(p.split()) for p in places if p and p.strip()), "")
    if not place:
        return None
    return "https://www.openstreetmap.org/search?query=" + quote_plus(place)
