"""Certificates (bewijs van deelname) and their public verification."""

from flask import Blueprint

bp = Blueprint("certificates", __name__)
