"""Forms of "Mijn traject": buttons that change something."""

from __future__ import annotations

from flask_wtf import FlaskForm


class ConfirmForm(FlaskForm):
    """An empty form: a button with a CSRF token. Other fields sent along are ignored."""
