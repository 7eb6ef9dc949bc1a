"""Stripe Checkout: the webhook and the page Stripe sends the payer back to."""

from flask import Blueprint

bp = Blueprint("payments", __name__)
