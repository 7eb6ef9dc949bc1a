"""Import every model so that the metadata (and Alembic) sees all tables."""

from werklab.accounts.models import LoginLink, User
from werklab.audit import AuditEntry
from werklab.catalog.models import Programme, ProgrammeSession
from werklab.mail import OutboxMail
from werklab.registration.models import Registration

__all__ = [
    "AuditEntry",
    "LoginLink",
    "User",
    "OutboxMail",
    "Programme",
    "ProgrammeSession",
    "Registration",
]
