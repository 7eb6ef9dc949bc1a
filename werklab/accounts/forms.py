"""Sign-in and password forms."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from werklab.fields import single_line, strip
from werklab.translation import lazy_gettext as _l


def _email_field():
    return EmailField(
        _l("E-mail address"),
        filters=[strip],
        validators=[
            single_line,
            DataRequired(message=_l("Please fill in your e-mail address.")),
            Length(max=254, message=_l("This e-mail address is too long.")),
            Email(message=_l("This is not a valid e-mail address, e.g. name@organisation.nl.")),
        ],
    )


class LinkForm(FlaskForm):
    email = _email_field()
    next = HiddenField()


class PasswordLoginForm(FlaskForm):
    email = _email_field()
    password = PasswordField(
        _l("Password"),
        validators=[
            DataRequired(message=_l("Please fill in your password.")),
            Length(max=200, message=_l("This password is too long.")),
        ],
    )
    next = HiddenField()


class ChangePasswordForm(FlaskForm):
    current = PasswordField(
        _l("Current password"),
        validators=[DataRequired(message=_l("Please fill in your current password."))],
    )
    new = PasswordField(
        _l("New password"),
        description=_l("At least 12 characters. A few words in a row are easy to remember."),
        validators=[
            DataRequired(message=_l("Please choose a new password.")),
            Length(min=12, max=200, message=_l("A password needs at least 12 characters.")),
        ],
    )
    repeat = PasswordField(
        _l("Repeat the new password"),
        validators=[EqualTo("new", message=_l("The two new passwords are not the same."))],
    )
