"""Participant: "Mijn traject", calendar, "mijn gegevens"."""

from flask import Blueprint

bp = Blueprint("participant", __name__, url_prefix="/mijn-traject")
