"""Coordinator: the audit log, all of it with filters, and one programme's history."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, render_template, request, url_for
from flask_login import current_user, login_required

from werklab import menu, permissions
from werklab.catalog.models import Programme
from werklab.extensions import db
from werklab.manage import history
from werklab.translation import lazy_gettext as _l

bp = Blueprint("history", __name__, url_prefix="/beheer")

menu.add("history.log", _l("Audit log"), permissions.can_view_audit_log)


def _allow() -> None:
    if not permissions.can_view_audit_log(current_user):
        abort(403)


def _day(name: str) -> tuple[date | None, str | None]:
    value = request.args.get(name, "").strip()
    if not value:
        return None, None
    try:
        return date.fromisoformat(value), None
    except ValueError:
        return None, str(_l("Please fill in a date, e.g. 31-01-2027."))


def _page_number() -> int:
    value = request.args.get("pagina", "1")
    return int(value) if value.isdigit() and 0 < int(value) < 100_000 else 1


def _page_url(page: int) -> str:
    """This page with the same filters, at another page number."""
    args = {k: v for k, v in request.args.items() if k != "pagina"}
    return url_for(request.endpoint, **(request.view_args or {}), **args, pagina=page)


def _programmes() -> list[Programme]:
    return list(db.session.execute(db.select(Programme).order_by(Programme.title)).scalars())


@bp.get("/logboek")
@login_required
def log():
    """The audit log, newest first, filtered by programme, person, action and period."""
    _allow()
    since, since_error = _day("vanaf")
    until, until_error = _day("tot")
    programme_id = request.args.get("programma", "")
    filters = history.Filters(
        programme_id=int(programme_id) if programme_id.isdigit() else None,
        person=request.args.get("persoon", "")[:100],
        action=request.args.get("soort", ""),
        since=since,
        until=until,
    )
    result = history.browse(filters, page=_page_number())
    errors = [e for e in (since_error, until_error) if e]
    return render_template(
        "manage/log.html",
        result=result,
        filters=filters,
        programmes=_programmes(),
        actions=history.action_choices(),
        errors=errors,
        page_url=_page_url,
    ), 400 if errors else 200


@bp.get("/programma/<int:programme_id>/geschiedenis")
@login_required
def programme(programme_id: int):
    """Everything that happened to one programme and its registrations, newest first."""
    _allow()
    programme = db.session.get(Programme, programme_id) or abort(404)
    result = history.browse(history.Filters(programme_id=programme.id), page=_page_number())
    return render_template(
        "manage/programme_history.html", programme=programme, result=result, page_url=_page_url
    )
