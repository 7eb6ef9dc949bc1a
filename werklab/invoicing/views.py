"""Invoices: the coordinator's list, PDFs, CSV export, marking bank transfers paid."""

from flask import Blueprint

bp = Blueprint("invoicing", __name__)
