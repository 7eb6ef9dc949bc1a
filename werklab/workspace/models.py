"""Private trainer notes about a participant."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from werklab.accounts.models import User
from werklab.db import Base, utcnow

#: Longest note we store; a note is a few sentences, not a file.
NOTE_MAX_LENGTH = 5000


class TrainerNote(Base):
    """A note by a trainer (or coordinator) about one registration.

    Private to the programme's trainers and the coordinators; the participant can read the
    notes about themselves under "mijn gegevens" (AVG right of access).
    """

    __tablename__ = "trainer_notes"
    __table_args__ = (
        sa.CheckConstraint(
            f"length(body) > 0 AND length(body) <= {NOTE_MAX_LENGTH}", name="body_length"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        sa.ForeignKey("registrations.id", ondelete="CASCADE"), index=True
    )
    #: Who wrote it (NULL once that account is deleted; the note stays with the participant).
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    author: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<TrainerNote {self.id} on registration {self.registration_id}>"
