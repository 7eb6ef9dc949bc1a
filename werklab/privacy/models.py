"""What the retention job has done: one row per programme whose personal data it erased."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from werklab.db import Base, utcnow


class ProgrammeRetention(Base):
    """The mark that a programme's personal data was erased after the retention period: the
    job skips a programme that has one (idempotent), and the primary key makes sure two
    `tick` machines cannot both do it."""

    __tablename__ = "programme_retention"

    programme_id: Mapped[int] = mapped_column(
        sa.ForeignKey("programmes.id", ondelete="CASCADE"), primary_key=True
    )
    applied_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: How many of each thing were erased: {step: count}.
    counts: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
