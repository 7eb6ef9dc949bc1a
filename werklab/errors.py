"""Domain errors carry a message a person can read; error pages render them in Dutch."""

from __future__ import annotations

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError

from werklab.db import is_lock_timeout
from werklab.translation import gettext as _


class DomainError(Exception):
    """A rule of the product was broken; `message` says which, for the user."""

    status_code = 409

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class ValidationError(DomainError):
    status_code = 400


class ReadOnly(DomainError):
    """A change to something that can no longer change (a completed programme)."""

    status_code = 409


class Busy(DomainError):
    """The programme is locked by other requests for longer than we are willing to wait."""

    status_code = 503


#: The description of the 400 raised for input with a NUL character (see create_app).
NUL_INPUT = "nul-input"


def register_error_handlers(app: Flask) -> None:
    def page(status: int, title: str, message: str):
        return render_template("errors/error.html", title=title, message=message), status

    @app.errorhandler(400)
    def bad_request(e):
        if getattr(e, "description", None) == NUL_INPUT:
            return page(
                400,
                _("Invalid input"),
                _(
                    "What you typed contains a character that cannot be stored (a null "
                    "character). Please go back, remove it and submit the form again. Nothing "
                    "was saved."
                ),
            )
        return page(400, _("Invalid request"), _("Something in this request was not right."))

    @app.errorhandler(CSRFError)
    def csrf_error(_e):
        return page(
            400,
            _("This form has expired"),
            _("Please go back, reload the page and submit the form again. Nothing was saved."),
        )

    @app.errorhandler(403)
    def forbidden(_e):
        return page(403, _("No access"), _("You do not have access to this page."))

    @app.errorhandler(404)
    def not_found(_e):
        return page(
            404,
            _("Page not found"),
            _("This page does not exist (any more). Check the link or go to the catalogue."),
        )

    @app.errorhandler(405)
    def method_not_allowed(_e):
        return page(405, _("Not allowed"), _("This action is not possible on this page."))

    @app.errorhandler(413)
    def too_large(_e):
        return page(413, _("Too large"), _("What you sent is too large."))

    @app.errorhandler(429)
    def too_many(e):
        body, status = page(
            429,
            _("Too many attempts"),
            _("There were too many attempts in a short time. Please wait a while and try again."),
        )
        retry_after = getattr(e, "retry_after", None)
        return body, status, {"Retry-After": str(retry_after)} if retry_after else {}

    @app.errorhandler(ReadOnly)
    def read_only(e):
        return page(409, _("This can no longer be changed"), e.message)

    @app.errorhandler(Busy)
    def busy(e):
        return busy_page()

    def busy_page():
        return page(
            503,
            _("It is busy right now"),
            _("Many people are signing up at this moment. Please try again in a few seconds."),
        )

    @app.errorhandler(OperationalError)
    def operational_error(e):
        if is_lock_timeout(e):
            return busy_page()
        raise e

    @app.errorhandler(500)
    def server_error(_e):
        return page(
            500,
            _("Something went wrong"),
            _("Something went wrong on our side. Nothing was saved; please try again later."),
        )
