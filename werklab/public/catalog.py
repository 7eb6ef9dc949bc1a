"""Public pages: the catalogue and a programme's page."""

from __future__ import annotations

from datetime import timedelta

from flask import (
    Blueprint,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    send_from_directory,
    session,
    url_for,
)
from flask_login import current_user

from werklab.catalog.labels import KIND_SLUGS
from werklab.db import utcnow
from werklab.initiatives.services import route_for
from werklab.pagecache import PageCache
from werklab.registration import availability as services
from werklab.renewal.services import upcoming_opening
from werklab.translation import get_locale

bp = Blueprint("catalog", __name__)


@bp.get("/")
def index():
    """List the open public programmes, optionally of one kind."""
    kind_slug = request.args.get("soort", "")
    kind = KIND_SLUGS.get(kind_slug)
    programmes = services.open_programmes(kind, now=utcnow())
    return render_template(
        "catalog/index.html", programmes=programmes, kind_slug=kind_slug if kind else ""
    )


@bp.get("/programma/<slug>")
def programme(slug: str):
    """Show a programme: description, sessions, fee, seats and whether it goes ahead."""
    token = request.args.get("uitnodiging")
    now = utcnow()
    # The most visited page, the same for everyone: rendered once per version of its data.
    version = services.programme_page_version(slug, token, now=now)
    if version is None:
        return opens_on(slug, now, 200)

    def render() -> str:
        programme, taken = services.visible_programme(slug, token, now=now) or abort(404)
        return render_template(
            "catalog/programme.html",
            programme=programme,
            route=route_for(programme, now),
            taken=taken,
            open_for_registration=programme.registration_is_open(now),
            invitation_token=token if not programme.is_public else None,
        )

    if "_flashes" in session or current_user.is_authenticated:
        return render()  # a message or menu for this visitor only: not from the cache
    key = (version, str(get_locale()), request.full_path)
    pages = current_app.extensions.setdefault("werklab.programme_pages", PageCache(256))
    return pages.get_or_render(key, render)


def opens_on(slug: str, now, status: int):
    """Next year of a Community of Practice while its participants renew: "opens on ...";
    any other unknown page: 404."""
    upcoming = upcoming_opening(slug, now) or abort(404)
    programme, last_moment = upcoming
    opens_at = last_moment + timedelta(minutes=1)  # the day after a deadline at 23:59
    return render_template("catalog/opens_on.html", programme=programme, opens_at=opens_at), status


@bp.get("/privacy")
def privacy():
    """The privacy statement."""
    return render_template("catalog/privacy.html")


@bp.get("/favicon.ico")
def favicon():
    """The site icon, where browsers look for it without being told."""
    return send_from_directory(
        current_app.static_folder,
        "img/favicon.ico",
        mimetype="image/vnd.microsoft.icon",
        max_age=86400,
    )


@bp.get("/taal/<code>")
def language(code: str):
    """Switch the interface language and go back to the page the person was on."""
    if code not in current_app.config["LANGUAGES"]:
        abort(404)
    session["lang"] = code
    return redirect(_internal_path(request.args.get("next")))


def _internal_path(target: str | None) -> str:
    """Return `target` when it is a path on this site, else the catalogue."""
    if (
        target
        and target.startswith("/")
        and not target.startswith("//")
        and "\\" not in target
        and not any(ord(c) < 32 for c in target)
    ):
        return target
    return url_for("catalog.index")
