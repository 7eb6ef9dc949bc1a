"""Homework groups, assignments and submissions."""

from flask import Blueprint

bp = Blueprint("groups", __name__)
