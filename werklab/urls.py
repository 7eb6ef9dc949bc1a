"""Helpers for URLs: those that come from the outside (a `next` parameter), and the links
that are the same on every page."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, request, url_for


def fixed_url(endpoint: str, **values) -> str:
    """url_for for a link that is the same on every page (the layout's stylesheet, icons and
    fixed links), worked out once per app and script root (the path the site is served
    under: the one thing of the request a relative link depends on). url_for takes 5 to 7 us
    a link, and every page's layout has eight of these.
    """
    app = current_app._get_current_object()  # the objects, not the proxies (werklab.translation)
    key = (request._get_current_object().script_root, endpoint, *sorted(values.items()))
    links = app.extensions.setdefault("werklab.fixed_urls", {})
    try:
        return links[key]
    except KeyError:
        link = links[key] = url_for(endpoint, **values)
        return link


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
