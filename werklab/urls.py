"""Helpers for URLs that come from the outside (a `next` parameter)."""

from __future__ import annotations

from urllib.parse import urlsplit


def internal_path(target: str | None, default: str) -> str:
    """Return `target` if it is a path on this site, else `default`.

    Refuses everything a browser could read as another site or a script: "//host",
    "/\\host", "https:host", "javascript:...", control characters.
    """
    if not target or not target.startswith("/") or target.startswith("//"):
        return default
    if "\\" in target or any(ord(c) < 32 or ord(c) == 127 for c in target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    return target
