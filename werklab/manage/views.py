"""Coordinator: programmes, sessions, trainers, registration open/closed, users and roles."""

from flask import Blueprint

bp = Blueprint("manage", __name__, url_prefix="/beheer")
