"""Werklab booking: intake request, quote, acceptance, the municipality's dashboard."""

from flask import Blueprint

bp = Blueprint("intake", __name__)
