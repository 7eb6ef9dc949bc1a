"""Resident initiatives directory, site visits and their hosts."""

from flask import Blueprint

bp = Blueprint("initiatives", __name__)
