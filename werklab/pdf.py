"""PDFs rendered with WeasyPrint (attendance sheets, invoices, quotes, certificates).

WeasyPrint is imported inside the functions: web workers that never print stay small.
The PDF may only load the project's own static files (see StaticOnly fetcher below), so
nothing a user typed can make the renderer read a local file or call out to the network.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from urllib.parse import unquote

from flask import current_app

#: The one kind of URL a PDF template may load: "werklab-static:/css/werklab.css" names
#: static/css/werklab.css.
STATIC_SCHEME = "werklab-static:"


def static_file(url: str, static_root: Path) -> Path | None:
    """The file under `static_root` that `url` names, or None for anything else (another
    scheme, a path outside the folder, a folder, a missing file)."""
    if not url.startswith(STATIC_SCHEME):
        return None
    relative = unquote(url[len(STATIC_SCHEME) :].split("?", 1)[0].split("#", 1)[0])
    root = static_root.resolve()
    path = (root / relative.lstrip("/")).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        return None
    return path


def static_only_fetcher(static_root: Path):
    """A WeasyPrint URL fetcher that serves files under `static_root` and refuses every
    other URL (file:, http:, https:, data: ...)."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnly(URLFetcher):
        def fetch(self, url, headers=None):
            path = static_file(url, static_root)
            if path is None:
                raise ValueError(f"refused: a PDF may only load static files, not {url[:200]!r}")
            content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": content_type})

    return StaticOnly(allowed_protocols=(STATIC_SCHEME.rstrip(":"),))


def render_pdf(html: str) -> bytes:
    """Turn HTML into a PDF, loading nothing but the project's static files."""
    import weasyprint

    fetcher = static_only_fetcher(Path(current_app.static_folder))
    return weasyprint.HTML(string=html, base_url=None, url_fetcher=fetcher).write_pdf()
