"""Absolute links for mails, built from BASE_URL and never from the request's Host header.

A mail triggered by one person (a cancellation) can carry another person's secret link (a
waiting-list offer); taking the host from the request would let a forged Host header leak it.
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import quote_plus, urlsplit

from flask import current_app
from itsdangerous import BadSignature

from werklab.signing import PlainURLSafeSerializer


def external_url(endpoint: str, **values) -> str:
    """Build an absolute URL for `endpoint` under the configured BASE_URL."""
    base = urlsplit(current_app.config["BASE_URL"])
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "https"
    )
    return adapter.build(endpoint, values, force_external=True)


@lru_cache(maxsize=64)
def _serializer(secret_key: str, salt: str) -> PlainURLSafeSerializer:
    """One serializer per key and salt (making one costs a JSON round trip): every manage
    link is signed or checked on its page and in its mails. The tokens are itsdangerous's
    URLSafeSerializer's, made with less work (see werklab.signing)."""
    return PlainURLSafeSerializer(secret_key, salt=salt)


#: Tokens signed or checked lately and what they stand for, per key and salt (None: a bad
#: token). These tokens carry no time, so a value always has the same token: a registration
#: signs its manage link for the page it lands on and again for its mail, and the page
#: then checks it. Each table starts afresh once it holds TOKENS_KEPT.
_TOKENS: dict[tuple[str, str, str], str] = {}
_VALUES: dict[tuple[str, str, str], str | None] = {}
TOKENS_KEPT = 4096


def _keep(table: dict, key: tuple, value) -> None:
    if len(table) >= TOKENS_KEPT:
        table.clear()
    table[key] = value


def sign(value: str, *, salt: str) -> str:
    key = (current_app.config["SECRET_KEY"], salt, value)
    token = _TOKENS.get(key)
    if token is None:
        token = _serializer(key[0], salt).dumps(value)
        _keep(_TOKENS, key, token)
        _keep(_VALUES, (key[0], salt, token), value)
    return token


def unsign(token: str, *, salt: str) -> str | None:
    """Return the signed value, or None for a tampered or malformed token."""
    key = (current_app.config["SECRET_KEY"], salt, token)
    try:
        return _VALUES[key]
    except KeyError:
        pass
    try:
        value = _serializer(key[0], salt).loads(token)
    except (BadSignature, UnicodeError, ValueError):
        value = None
    value = value if isinstance(value, str) else None
    _keep(_VALUES, key, value)
    return value


def map_url(*places: str) -> str | None:
    """An OpenStreetMap search for the first place given that is not empty (an address, else
    a name): a plain link for pages and mails, nothing is loaded from OpenStreetMap."""
    place = next((" ".join(p.split()) for p in places if p and p.strip()), "")
    if not place:
        return None
    return "https://www.openstreetmap.org/search?query=" + quote_plus(place)
