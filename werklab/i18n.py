"""Locale selection, Babel formatting filters and the Dutch labels of enums."""

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
    get_locale,
)
from flask_babel import lazy_gettext as _l

from werklab.catalog.models import GoStatus, ProgrammeKind, ProgrammeStatus, SessionKind
from werklab.catalog.pricing import seat_price
from werklab.registration.models import RegistrationStatus, Sector

KIND_LABELS = {
    ProgrammeKind.WERKLAB: _l("Werklab"),
    ProgrammeKind.COP: _l("Community of Practice"),
    ProgrammeKind.LEARNING_COMMUNITY: _l("Learning community"),
}
#: Values used in the catalogue filter (?soort=...).
KIND_SLUGS = {
    "werklab": ProgrammeKind.WERKLAB,
    "cop": ProgrammeKind.COP,
    "lerende-gemeenschap": ProgrammeKind.LEARNING_COMMUNITY,
}
PROGRAMME_STATUS_LABELS = {
    ProgrammeStatus.DRAFT: _l("Draft"),
    ProgrammeStatus.OPEN: _l("Open for registration"),
    ProgrammeStatus.CLOSED: _l("Registration closed"),
    ProgrammeStatus.CANCELLED: _l("Cancelled"),
    ProgrammeStatus.COMPLETED: _l("Completed"),
}
GO_LABELS = {
    GoStatus.GO: _l("going ahead"),
    GoStatus.TENTATIVE: _l("provisional"),
    GoStatus.FULL: _l("full — waiting list"),
}
SESSION_KIND_LABELS = {
    SessionKind.WORKSHOP: _l("Workshop"),
    SessionKind.SITE_VISIT: _l("Site visit"),
}
SECTOR_LABELS = {
    Sector.GOVERNMENT: _l("Government"),
    Sector.CIVIL_SOCIETY: _l("Civil-society organisation"),
    Sector.BUSINESS: _l("Business"),
    Sector.RESIDENT: _l("Resident"),
    Sector.OTHER: _l("Other"),
}
REGISTRATION_STATUS_LABELS = {
    RegistrationStatus.CONFIRMED: _l("Confirmed"),
    RegistrationStatus.HELD: _l("Awaiting payment"),
    RegistrationStatus.WAITLISTED: _l("On the waiting list"),
    RegistrationStatus.OFFERED: _l("Place offered"),
    RegistrationStatus.CANCELLED: _l("Cancelled"),
    RegistrationStatus.DECLINED: _l("Offer declined"),
    RegistrationStatus.OFFER_EXPIRED: _l("Offer expired"),
    RegistrationStatus.HOLD_EXPIRED: _l("Payment not completed"),
}


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


def init_i18n(app: Flask, babel) -> None:
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.filters.update(
        money=money,
        vat_rate=vat_rate,
        long_date=long_date,
        date_time=date_time,
        short_time=short_time,
    )
    from werklab.menu import entries_for

    app.jinja_env.globals.update(
        get_locale=get_locale,
        seat_price=seat_price,
        menu_entries=entries_for,
        KIND_LABELS=KIND_LABELS,
        KIND_SLUGS=KIND_SLUGS,
        PROGRAMME_STATUS_LABELS=PROGRAMME_STATUS_LABELS,
        GO_LABELS=GO_LABELS,
        SESSION_KIND_LABELS=SESSION_KIND_LABELS,
        SECTOR_LABELS=SECTOR_LABELS,
        REGISTRATION_STATUS_LABELS=REGISTRATION_STATUS_LABELS,
    )
