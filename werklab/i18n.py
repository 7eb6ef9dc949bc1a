"""Locale selection and Babel formatting filters (the labels of enums live in their areas:
catalog/labels.py, registration/labels.py)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from flask import Flask, current_app, has_request_context, session
from flask_babel import (
    format_currency,
    format_date,
    format_datetime,
    format_decimal,
    format_time,
)
from jinja2 import pass_eval_context
from markupsafe import Markup

from werklab.menu import entries_for
from werklab.translation import get_locale, translations


def select_locale() -> str:
    # Once per request; the real objects, not the proxies (see werklab.translation).
    lang = session._get_current_object().get("lang") if has_request_context() else None
    config = current_app._get_current_object().config
    if lang in config["LANGUAGES"]:
        return lang
    return config["BABEL_DEFAULT_LOCALE"]


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


def _format(eval_ctx, text: str, variables: dict):
    # As Jinja's own newstyle gettext: Markup where the template escapes (the texts are
    # ours, the variables get escaped), and always a format string; a text without "%" is
    # the same after formatting, so it skips it.
    if eval_ctx.autoescape:
        text = Markup(text)  # noqa: S704 (the translation catalogue, as Jinja's i18n does)
    return text % variables if variables or "%" in text else text


@pass_eval_context
def _template_gettext(eval_ctx, string: str, **variables):
    return _format(eval_ctx, translations().ugettext(string), variables)


@pass_eval_context
def _template_ngettext(eval_ctx, singular: str, plural: str, num: int, **variables):
    variables.setdefault("num", num)
    return _format(eval_ctx, translations().ungettext(singular, plural, num), variables)


@pass_eval_context
def _template_pgettext(eval_ctx, context: str, string: str, **variables):
    variables.setdefault("context", context)
    return _format(eval_ctx, translations().upgettext(context, string), variables)


@pass_eval_context
def _template_npgettext(eval_ctx, context: str, singular: str, plural: str, num: int, **variables):
    variables.setdefault("context", context)
    variables.setdefault("num", num)
    text = translations().unpgettext(context, singular, plural, num)
    return _format(eval_ctx, text, variables)


def init_i18n(app: Flask, babel) -> None:
    babel.init_app(app, locale_selector=select_locale)
    # The i18n extension's own newstyle callables do what these do, through three
    # Context.call()s per `_()` (the alias, the wrapper, the function): a quarter of an empty
    # page's rendering went there. These are called once, straight from the template.
    app.jinja_env.newstyle_gettext = True
    app.jinja_env.globals.update(
        _=_template_gettext,
        gettext=_template_gettext,
        ngettext=_template_ngettext,
        pgettext=_template_pgettext,
        npgettext=_template_npgettext,
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
