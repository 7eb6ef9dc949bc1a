"""Import every model so that the metadata (and Alembic) sees all tables."""

from werklab.accounts.models import LoginLink, User
from werklab.assignments import models as assignments_models  # noqa: F401
from werklab.attendance import models as attendance_models  # noqa: F401
from werklab.audit import AuditEntry
from werklab.catalog.models import Programme, ProgrammeSession
from werklab.certificates import models as certificates_models  # noqa: F401
from werklab.evaluations import models as evaluations_models  # noqa: F401
from werklab.followup import models as followup_models  # noqa: F401
from werklab.groups import models as groups_models  # noqa: F401
from werklab.hosting import models as hosting_models  # noqa: F401
from werklab.initiatives import models as initiatives_models  # noqa: F401
from werklab.intake import models as intake_models  # noqa: F401
from werklab.invoicing import models as invoicing_models  # noqa: F401
from werklab.mail import OutboxMail
from werklab.manage import models as manage_models  # noqa: F401
from werklab.messages import models as messages_models  # noqa: F401
from werklab.participant import models as participant_models  # noqa: F401
from werklab.payments import models as payments_models  # noqa: F401
from werklab.privacy import models as privacy_models  # noqa: F401
from werklab.ratelimit import RateLimitCounter
from werklab.registration.models import Registration
from werklab.reminders import models as reminders_models  # noqa: F401
from werklab.renewal import models as renewal_models  # noqa: F401
from werklab.storage import StoredFile
from werklab.themes import models as themes_models  # noqa: F401
from werklab.workspace import models as workspace_models  # noqa: F401

__all__ = [
    "AuditEntry",
    "LoginLink",
    "User",
    "OutboxMail",
    "StoredFile",
    "Programme",
    "ProgrammeSession",
    "RateLimitCounter",
    "Registration",
]
