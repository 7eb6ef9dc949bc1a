"""itsdangerous's URL-safe serializers, with the same tokens for less work per token.

The session cookie (Flask's, see werklab.SessionInterface) and the manage links
(werklab.links) are signed on almost every request. For each token, itsdangerous:

- tries zlib on the payload, and keeps the result only when it is shorter. For a payload of
  a few dozen bytes it seldom is, and zlib sets up some 256 KB of state every time: for a
  session cookie that was a third of the time of signing it, and on a busy server it
  touches memory that the request's own work then has to fetch again;
- derives the signing key from the secret again (one HMAC per token);
- makes the HMAC in Python, because the digest it is given is a Python function (a "lazy"
  sha1, for FIPS builds without SHA-1) rather than OpenSSL's sha1 itself.

These classes write the payload uncompressed, derive each key once, and hand OpenSSL's sha1
to the HMAC. The signature is the same SHA-1 HMAC, so every token made before is still
read: a compressed payload (starting with ".") is still unpacked.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from typing import Any

from itsdangerous import Signer, TimestampSigner, URLSafeSerializer, URLSafeTimedSerializer
from itsdangerous.encoding import base64_encode
from itsdangerous.serializer import Serializer


class _KeyOnce:
    """A signer that derives its key from each secret once (it is kept by its serializer)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._derived: dict[bytes | str | None, bytes] = {}

    def derive_key(self, secret_key: str | bytes | None = None) -> bytes:
        try:
            return self._derived[secret_key]
        except KeyError:
            key = self._derived[secret_key] = super().derive_key(secret_key)  # type: ignore[misc]
            return key


class KeyOnceSigner(_KeyOnce, Signer):
    pass


class KeyOnceTimestampSigner(_KeyOnce, TimestampSigner):
    pass


class _Plain:
    """A URL-safe serializer that keeps one signer per salt and does not compress."""

    def __init__(self, *args: Any, signer_kwargs: dict[str, Any] | None = None, **kwargs: Any):
        signer_kwargs = {"digest_method": hashlib.sha1, **(signer_kwargs or {})}
        super().__init__(*args, signer_kwargs=signer_kwargs, **kwargs)  # type: ignore[call-arg]
        self._signers: dict[str | bytes | None, Signer] = {}

    def make_signer(self, salt: str | bytes | None = None) -> Signer:
        try:
            return self._signers[salt]
        except KeyError:
            signer = self._signers[salt] = super().make_signer(salt)  # type: ignore[misc]
            return signer

    def dump_payload(self, obj: Any) -> bytes:
        # Serializer's own dump (the JSON as bytes), skipping the URL-safe mixin's zlib.
        return base64_encode(Serializer.dump_payload(self, obj))  # type: ignore[arg-type]


class PlainURLSafeSerializer(_Plain, URLSafeSerializer):
    default_signer = KeyOnceSigner


class PlainURLSafeTimedSerializer(_Plain, URLSafeTimedSerializer):
    default_signer = KeyOnceTimestampSigner


@lru_cache(maxsize=16)
def csrf_serializer(secret_key: str | bytes, salt: str) -> PlainURLSafeTimedSerializer:
    """Flask-WTF's CSRF serializer (see werklab.extensions), kept per key and salt: it signs
    with the one key it is given, as itsdangerous's own would."""
    return PlainURLSafeTimedSerializer(secret_key, salt=salt)
