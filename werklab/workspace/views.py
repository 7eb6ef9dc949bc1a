"""Trainer workspace: my programmes, participants, waiting list, notes, exports."""

from flask import Blueprint

bp = Blueprint("workspace", __name__, url_prefix="/werkruimte")
