"""Locale selection and Babel formatting filters (the labels of enums live in their areas:
catalog/labels.py, registration/labels.py)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from flask import Flask, current_app, g, has_request_context, session
from flask_babel import (
    format_currency,
    format_date,
    format_datetime,
    format_decimal,
    format_time,
    get_locale,
    get_translations,
)

from werklab.menu import entries_for


def select_locale() -> str:
    lang = session.get("lang") if has_request_context() else None
    if lang in current_app.config["LANGUAGES"]:
        return lang
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def money(cents: int | None) -> str:
    if cents is None:
        return ""
    return format_currency(Decimal(cents) / 100, "EUR")


def vat_rate(rate_bp: int) -> str:
    """2100 → "21%", 1050 → "10,5%"."""
    return format_decimal(Decimal(rate_bp) / 100, format="#,##0.##") + "%"


def long_date(value: date | datetime | None) -> str:
    return format_date(value, "EEEE d MMMM y") if value else ""


def date_time(value: datetime | None) -> str:
    return format_datetime(value, "EEEE d MMMM y, HH:mm") if value else ""


def short_time(value: datetime | None) -> str:
    return format_time(value, "HH:mm") if value else ""


def _translations():
    """The translations of the current locale, as flask_babel.get_translations gives them,
    kept on the request's Babel state next to the locale they belong to.

    Templates call gettext dozens of times per page, and every flask_babel lookup walks
    several context proxies. force_locale (mails in the addressee's language) puts a new
    locale object in place, which the identity check notices.
    """
    state = g.get("_flask_babel")
    locale = getattr(state, "babel_locale", None)
    if locale is None:  # no locale chosen yet in this context: flask_babel decides
        return get_translations()
    cached = getattr(state, "werklab_translations", None)
    if cached is not None and cached[0] is locale:
        return cached[1]
    translations = get_translations()
    state.werklab_translations = (locale, translations)
    return translations


def init_i18n(app: Flask, babel) -> None:
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: _translations().ugettext(s),
        ngettext=lambda s, p, n: _translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: _translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: _translations().unpgettext(c, s, p, n),
    )
    app.jinja_env.filters.update(
        money=money,
        vat_rate=vat_rate,
        long_date=long_date,
        date_time=date_time,
        short_time=short_time,
    )
    app.jinja_env.globals.update(
        get_locale=get_locale,
        menu_entries=entries_for,
    )
