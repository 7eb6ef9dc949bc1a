"""Attendance register per session, and the printable attendance sheet."""

from flask import Blueprint

bp = Blueprint("attendance", __name__, url_prefix="/werkruimte")
