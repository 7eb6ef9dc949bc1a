"""The coordinator's confirmation that a programme is completed."""

from __future__ import annotations

from flask_wtf import FlaskForm


class CompleteForm(FlaskForm):
    """Nothing to fill in: the button confirms (the CSRF token guards it)."""
